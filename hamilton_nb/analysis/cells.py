"""Analyse a dataflow cell's source: what it defines, what each definition reads."""

from __future__ import annotations

import ast
import builtins
import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import CodeType
from typing import Literal

from hamilton_nb.analysis.digest import digest
from hamilton_nb.analysis.mutations import mutated
from hamilton_nb.analysis.scopes import ChunkScopes
from hamilton_nb.errors import CellSyntaxError, Location

Kind = Literal["function", "helper", "class", "constant", "import"]
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
        reads: module-level names its code reads (over-approximated, never under), builtin
            names included (a module may shadow one).
        source: the statement text; for imports, an import of this one name.
        mutates: functions its ``@mutate(...)`` decorator changes (Hamilton's remote decorator).
        eager: the names of ``reads`` read when the statement runs, not later when a function
            is called: a function's decorators, defaults and annotations; all of a constant's
            or a class's reads. What they held is built into the definition.
        undecorated: for a function, (digest, reads) of its ``def`` without its decorators:
            what calling the function depends on. What a decorator built around it is read
            from the nodes Hamilton makes (``cache.callables``).
    """

    name: str
    kind: Kind
    line: int
    end_line: int
    digest: str
    reads: frozenset[str]
    source: str
    mutates: frozenset[str] = frozenset()
    eager: frozenset[str] = frozenset()
    undecorated: tuple[str, frozenset[str]] | None = None


@dataclass(frozen=True)
class Chunk:
    """A run of top-level statements that parses on its own; the unit of re-use between runs.

    Attributes:
        text: its source.
        first_line: the line in the visible cell where it starts.
        definitions: what it binds, with lines in the visible cell.
        only_functions: every statement is a ``def`` (so it has no effect but binding them).
        plain: every statement is a ``def`` whose running calls nothing: no decorator, and
            defaults and annotations that are names or constants. Running the chunk binds
            its functions' names and nothing else.
    """

    text: str
    first_line: int
    definitions: tuple[Definition, ...]
    only_functions: bool
    plain: bool = False

    def compile(self, filename: str) -> CodeType:
        """Code for this chunk that reports its real lines in ``filename``."""
        return compile(
            "\n" * (self.first_line - 1) + self.text, filename, "exec", dont_inherit=True
        )


@dataclass(frozen=True)
class CellAnalysis:
    """A cell's chunks and definitions, in source order, and the names it reads but not binds.

    Attributes:
        free_names: module-level names its code reads (at any depth: in functions, lambdas,
            comprehensions, class bodies) and does not bind; builtin names left out.
        binds: every module-level name its code may bind, beyond its definitions too: by
            ``except ... as``, a ``match`` capture, a walrus in a module-level comprehension, or
            a function that declares the name ``global`` and assigns it.
    """

    source: str
    chunks: tuple[Chunk, ...]
    free_names: frozenset[str]
    binds: frozenset[str] = frozenset()

    @cached_property
    def definitions(self) -> tuple[Definition, ...]:
        """Every definition, in source order."""
        return tuple(d for c in self.chunks for d in c.definitions)

    @cached_property
    def names(self) -> frozenset[str]:
        """Every top-level name the cell binds."""
        return frozenset(d.name for d in self.definitions)

    @cached_property
    def _last(self) -> dict[str, Definition]:
        return {d.name: d for d in self.definitions}

    def definition(self, name: str) -> Definition | None:
        """The definition of ``name`` in this cell, if any (the last one wins, as in Python)."""
        return self._last.get(name)

    @cached_property
    def eager_reads(self) -> frozenset[str]:
        """Every name some definition reads when its statement runs (``Definition.eager``)."""
        return frozenset().union(*(d.eager for d in self.definitions))

    @cached_property
    def mutations(self) -> tuple[tuple[str, str], ...]:
        """(target, mutator) for each function a ``@mutate`` of this cell changes."""
        return tuple((t, d.name) for d in self.definitions for t in d.mutates)


@dataclass(frozen=True)
class _Parsed:
    """What analysing one chunk's text gives, independent of where the chunk sits; and the
    chunk placed at the lines it was last seen at (a cell run again mostly keeps them)."""

    definitions: tuple[Definition, ...]  # lines counted from the chunk's first line
    loads: frozenset[str]
    only_functions: bool
    binds: frozenset[str]
    plain: bool
    placed: dict[int, Chunk] = field(default_factory=dict, compare=False, repr=False)

    def at(self, text: str, first_line: int) -> Chunk:
        """The chunk of ``text`` (this analysis') starting at ``first_line`` of its cell."""
        chunk = self.placed.get(first_line)
        if chunk is None:
            if len(self.placed) >= _PLACES_KEPT:
                self.placed.clear()
            definitions = _shift(self.definitions, first_line - 1)
            chunk = Chunk(text, first_line, definitions, self.only_functions, self.plain)
            self.placed[first_line] = chunk
        return chunk


_PLACES_KEPT = 4


ChunkCache = dict[str, _Parsed]


def analyse(
    source: str, cell: str, line_offset: int = 0, cache: ChunkCache | None = None
) -> CellAnalysis:
    """Parse and analyse a cell body, re-using ``cache`` for chunks seen before.

    Args:
        source: the cell body (without the ``%%dataflow`` line).
        cell: the cell's id or label, for error messages.
        line_offset: lines above the body in the visible cell (1 for the magic line).
        cache: chunk text -> analysis, kept by the caller between runs (it is added to).

    Raises:
        CellSyntaxError: the body does not parse.
    """
    cache = {} if cache is None else cache
    pieces = _split(source)
    parsed: list[_Parsed] = []
    for _, text in pieces:
        if text not in cache:
            try:
                cache[text] = _parse(text)
            except SyntaxError:
                pieces = [(1, source)]  # the split was wrong (or the cell is): parse it whole
                parsed = [_parse_whole(source, cell, line_offset)]
                break
        parsed.append(cache[text])
    chunks = tuple(
        p.at(text, first + line_offset) for (first, text), p in zip(pieces, parsed, strict=True)
    )
    loads = frozenset().union(*(p.loads for p in parsed))
    binds = frozenset().union(*(p.binds for p in parsed))
    bound = {d.name for c in chunks for d in c.definitions} | binds
    return CellAnalysis(source, chunks, loads - bound, binds)


def _parse_whole(source: str, cell: str, line_offset: int) -> _Parsed:
    try:
        return _parse(source)
    except SyntaxError as e:
        line = (e.lineno or 0) + line_offset or None
        raise CellSyntaxError(f"SyntaxError: {e.msg}", Location(cell, line, e.text)) from None


def _parse(text: str) -> _Parsed:
    tree = ast.parse(text)
    scopes = ChunkScopes(text)
    definitions = tuple(_definitions(tree, text.splitlines(), scopes))
    loads: set[str] = set()
    for d in definitions:
        loads |= d.reads
    for stmt in tree.body:
        if not _binds_anything(stmt):
            loads |= scopes.reads(stmt)
    only_functions = all(isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) for s in tree.body)
    plain = all(_plain_def(s) for s in tree.body)
    return _Parsed(definitions, frozenset(loads - _BUILTINS), only_functions, scopes.binds, plain)


def _plain_def(stmt: ast.stmt) -> bool:
    """A ``def`` whose statement calls nothing when it runs: looking up a name in the module
    or the builtins, or making a constant, runs no code of anyone's."""
    if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    if stmt.decorator_list or getattr(stmt, "type_params", None):
        return False
    a = stmt.args
    params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
    evaluated = [*a.defaults, *a.kw_defaults, stmt.returns]
    evaluated += [p.annotation for p in params if p is not None]
    return all(e is None or isinstance(e, ast.Name | ast.Constant) for e in evaluated)


def _shift(definitions: tuple[Definition, ...], by: int) -> tuple[Definition, ...]:
    if not by:
        return definitions
    return tuple(replace(d, line=d.line + by, end_line=d.end_line + by) for d in definitions)


_CONTINUATION = re.compile(r"(else|elif|except|finally)\b")


def _split(source: str) -> list[tuple[int, str]]:
    """Cut the source before each line that starts a new top-level statement (a guess: a line at
    column 0 that is not a comment, a closing bracket, a clause of the statement before, or a
    ``def`` after its decorators). Chunks that then parse on their own parse exactly as the whole
    source would; ``analyse`` falls back to the whole source when one does not."""
    lines = source.splitlines(keepends=True)
    pieces: list[tuple[int, str]] = []
    start = 0
    previous_top = ""
    for i, line in enumerate(lines):
        head = line[:1]
        if not head or head in " \t\r\n#)]}" or _CONTINUATION.match(line):
            continue
        if i > start and not previous_top.startswith("@"):
            pieces.append((start + 1, "".join(lines[start:i])))
            start = i
        previous_top = line
    if start < len(lines):
        pieces.append((start + 1, "".join(lines[start:])))
    return pieces


def _definitions(tree: ast.Module, lines: list[str], scopes: ChunkScopes) -> Iterator[Definition]:
    """Definitions with lines counted from 1 at the start of ``lines``."""
    for stmt in tree.body:
        start = first_line(stmt)
        end = stmt.end_lineno or stmt.lineno
        text = "\n".join(lines[start - 1 : end])
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            kind: Kind = "helper" if stmt.name.startswith("_") else "function"
            fn_reads = scopes.function_reads(stmt)
            bare = copy.copy(stmt)
            bare.decorator_list = []
            yield Definition(
                stmt.name,
                kind,
                start,
                end,
                _code_digest(stmt),
                fn_reads.eager | fn_reads.body,
                text,
                mutated(stmt),
                fn_reads.eager,
                (_code_digest(bare), fn_reads.signature | fn_reads.body),
            )
        elif isinstance(stmt, ast.ClassDef):
            reads = scopes.reads(stmt)
            yield Definition(
                stmt.name, "class", start, end, _code_digest(stmt), reads, text, eager=reads
            )
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            for name, one in single_imports(stmt):
                yield Definition(name, "import", start, end, digest(one), frozenset(), one)
        else:
            reads = scopes.reads(stmt)
            for name in _stored_names(stmt):
                yield Definition(
                    name, "constant", start, end, _code_digest(stmt), reads, text, eager=reads
                )


def single_imports(stmt: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    """(name bound, an import of that name alone) for each name an import binds; a star
    import binds nothing we can name."""
    for alias in stmt.names:
        if alias.name != "*":
            single = copy.copy(stmt)
            single.names = [alias]
            yield alias.asname or alias.name.split(".")[0], ast.unparse(single)


def first_line(stmt: ast.stmt) -> int:
    """The line a top-level statement starts on, its decorators included."""
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


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
            ast.FunctionDef
            | ast.AsyncFunctionDef
            | ast.ClassDef
            | ast.Lambda
            | ast.ListComp
            | ast.SetComp
            | ast.DictComp
            | ast.GeneratorExp,
        ):
            continue
        stack.extend(ast.iter_child_nodes(node))
