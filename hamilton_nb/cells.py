"""Analyse a dataflow cell's source: what it defines, what each definition reads, what it borrows."""

from __future__ import annotations

import ast
import builtins
import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import CodeType
from typing import Literal

from hamilton_nb.errors import CellSyntaxError, Location
from hamilton_nb.fingerprint import digest

Kind = Literal["function", "helper", "class", "constant", "import", "statement"]
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Definition:
    """One top-level name a cell binds.

    Attributes:
        name: the bound name.
        kind: ``function`` (public, a candidate node), ``helper`` (private function), ``class``,
            ``constant`` (any other assignment) or ``import``.
        line: 1-based line in the cell where its statement starts (decorators included).
        end_line: last line of its statement.
        digest: hash of its normalised code: comments, docstrings and positions do not count.
        reads: module-level names its code reads (over-approximated, never under).
        source: the statement text; for imports, an import of this one name.
    """

    name: str
    kind: Kind
    line: int
    end_line: int
    digest: str
    reads: frozenset[str]
    source: str


@dataclass(frozen=True)
class CellAnalysis:
    """A cell's compiled code and its definitions, in source order."""

    source: str
    code: CodeType
    definitions: tuple[Definition, ...]
    free_names: frozenset[str]

    @property
    def names(self) -> frozenset[str]:
        """Every top-level name the cell binds."""
        return frozenset(d.name for d in self.definitions)

    def definition(self, name: str) -> Definition | None:
        """The definition of ``name`` in this cell, if any (the last one wins, as in Python)."""
        found = None
        for d in self.definitions:
            if d.name == name:
                found = d
        return found


def analyse(source: str, filename: str, cell: str, line_offset: int = 0) -> CellAnalysis:
    """Parse and compile a cell body.

    Args:
        source: the cell body (without the ``%%dataflow`` line).
        filename: the name the compiled code reports in tracebacks and ``inspect``.
        cell: the cell's id or label, for error messages.
        line_offset: lines above the body in the visible cell (1 for the magic line).

    Raises:
        CellSyntaxError: the body does not parse.
    """
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as e:
        line = (e.lineno or 0) + line_offset or None
        raise CellSyntaxError(
            f"SyntaxError: {e.msg}", Location(cell, line, e.text)
        ) from None
    if line_offset:
        ast.increment_lineno(tree, line_offset)
    code = compile(tree, filename, "exec", dont_inherit=True)
    lines = ([""] * line_offset) + source.splitlines()
    definitions = tuple(_definitions(tree, lines))
    loads: set[str] = set()
    for d in definitions:
        loads |= d.reads
    for stmt in tree.body:
        if not _binds_anything(stmt):
            loads |= _loads(stmt)
    bound = {d.name for d in definitions}
    return CellAnalysis(source, code, definitions, frozenset(loads - bound - _BUILTINS))


def _definitions(tree: ast.Module, lines: list[str]) -> Iterator[Definition]:
    for stmt in tree.body:
        start = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        end = stmt.end_lineno or stmt.lineno
        text = "\n".join(lines[start - 1 : end])
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            kind: Kind = "helper" if stmt.name.startswith("_") else "function"
            yield Definition(
                stmt.name, kind, start, end, _code_digest(stmt), _function_reads(stmt), text
            )
        elif isinstance(stmt, ast.ClassDef):
            yield Definition(
                stmt.name, "class", start, end, _code_digest(stmt), frozenset(_loads(stmt)), text
            )
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            for alias in stmt.names:
                single = copy.copy(stmt)
                single.names = [alias]
                one = ast.unparse(single)
                name = alias.asname or alias.name.split(".")[0]
                yield Definition(name, "import", start, end, digest(one), frozenset(), one)
        else:
            reads = frozenset(_loads(stmt))
            for name in _stored_names(stmt):
                yield Definition(name, "constant", start, end, _code_digest(stmt), reads, text)


def _code_digest(node: ast.AST) -> str:
    """Hash of the code with docstrings removed; ``ast.dump`` already ignores comments and
    positions, so reformatting or re-commenting a function does not change its digest."""
    return digest(ast.dump(_without_docstrings(node)))


def _without_docstrings(node: ast.AST) -> ast.AST:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node
    stripped = copy.copy(node)
    body = [_without_docstrings(s) for s in node.body]
    if body and _is_docstring(body[0]):
        body = body[1:] or [ast.Pass()]
    stripped.body = body  # type: ignore[assignment]
    return stripped


def _is_docstring(stmt: ast.AST) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _function_reads(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    """Global names a function reads: from decorators, defaults and annotations (evaluated at
    definition) and from its body, less its parameters and the names its body binds."""
    args = fn.args
    params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    outer: set[str] = set()
    for expr in [*fn.decorator_list, *args.defaults, *args.kw_defaults, fn.returns]:
        if expr is not None:
            outer |= _loads(expr)
    for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if a is not None and a.annotation is not None:
            outer |= _loads(a.annotation)
    body_loads: set[str] = set()
    body_stores: set[str] = set()
    for stmt in fn.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name):
                (body_loads if isinstance(node.ctx, ast.Load) else body_stores).add(node.id)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                body_stores.add(node.name)
    return frozenset((outer | (body_loads - params - body_stores)) - _BUILTINS)


def _loads(node: ast.AST) -> set[str]:
    return {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    } - _BUILTINS


def _binds_anything(stmt: ast.stmt) -> bool:
    return any(True for _ in _stored_names(stmt))


def _stored_names(stmt: ast.stmt) -> Iterator[str]:
    """Names a top-level statement binds in the module, not descending into nested scopes."""
    for node in _walk_scope(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            yield node.id
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    yield alias.asname or alias.name.split(".")[0]


def _walk_scope(root: ast.AST) -> Iterable[ast.AST]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if node is not root and isinstance(
            node,
            ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp,
        ):
            continue
        stack.extend(ast.iter_child_nodes(node))
