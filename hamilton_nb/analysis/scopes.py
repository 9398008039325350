"""Which module-level names each top-level statement reads, from Python's own ``symtable``.

Python decides what a name in a nested scope refers to; this module asks it rather than
guessing. A name bound in an inner scope (a parameter, a local, a comprehension variable, a
local import, ``except ... as``, a ``match`` capture, a lambda's parameter) is not a read of the
module. A name an inner scope reads that is global there (free, and bound by no enclosing
function) is. A name a function declares ``global`` and assigns is a name the module may bind.
"""

from __future__ import annotations

import ast
import symtable
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import NamedTuple

_SCOPES = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


class FunctionReads(NamedTuple):
    """The module-level names a ``def`` reads, by when they are read."""

    decorators: frozenset[str]  # when the def runs, by its decorators
    signature: frozenset[str]  # when the def runs, by its defaults and annotations
    body: frozenset[str]  # when the function is called

    @property
    def eager(self) -> frozenset[str]:
        return self.decorators | self.signature


class ChunkScopes:
    """The symbol tables of one chunk's text, looked up by its top-level statements.

    Raises:
        SyntaxError: the text breaks a scoping rule (``nonlocal`` at module level, a name used
            before its ``global`` declaration, ...): it would not compile.
    """

    def __init__(self, text: str) -> None:
        top = symtable.symtable(text, "<cell>", "exec")
        symbols = top.get_symbols()
        self._module_reads = frozenset(s.get_name() for s in symbols if s.is_referenced())
        self._children = sorted(top.get_children(), key=lambda t: t.get_lineno())
        self._lines = [t.get_lineno() for t in self._children]
        binds = {s.get_name() for s in symbols if s.is_assigned() or s.is_imported()}
        binds |= {s.get_name() for s in symbols if s.is_namespace()}
        for child in self._children:
            binds |= _global_assignments(child)
        self.binds = frozenset(binds)
        """Every name the chunk's code may bind in the module: at module level (``except ...
        as`` and ``match`` captures included), by a walrus in a module-level comprehension, or
        in a function that declares it ``global`` and assigns it (when that function runs)."""

    def reads(self, stmt: ast.stmt) -> frozenset[str]:
        """Module-level names a top-level statement reads, at any depth, builtins included."""
        names = self._module_level(stmt)
        classes = _Classes(stmt)
        for table in self._tables(stmt):
            names |= _reads(table, classes)
        return frozenset(names)

    def function_reads(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionReads:
        """What a ``def`` reads: when it runs (its decorators; its defaults and annotations)
        and when the function is called (its body and the scopes nested in it)."""
        header = [fn.args, *([fn.returns] if fn.returns else [])]
        decorators = set().union(*(self._module_level(d) for d in fn.decorator_list))
        signature = set().union(*(self._module_level(part) for part in header))
        body: set[str] = set()
        classes = _Classes(fn)
        for table in self._tables(fn):
            if table.get_type() == "function" and (table.get_name(), table.get_lineno()) == (
                fn.name,
                fn.lineno,
            ):
                body.update(_reads(table, classes))
            elif table.get_lineno() < fn.lineno:  # decorators stand on lines above the def
                decorators.update(_reads(table, classes))
            else:
                signature.update(_reads(table, classes))
        return FunctionReads(frozenset(decorators), frozenset(signature), frozenset(body))

    def _module_level(self, node: ast.AST) -> set[str]:
        """Names ``node`` loads that the module's own scope reads (exact for a chunk of one
        statement; for more, a name another statement reads at module level and this one only
        in an inner scope is counted too: an over-approximation)."""
        reads = self._module_reads
        if not reads:
            return set()
        return {
            n.id
            for n in ast.walk(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in reads
        }

    def _tables(self, stmt: ast.stmt) -> list[symtable.SymbolTable]:
        """The scopes directly inside the module that start on the statement's lines (two
        statements on one line share theirs: an over-approximation)."""
        decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
        start = min([stmt.lineno, *(d.lineno for d in decorators)])
        end = stmt.end_lineno or stmt.lineno
        return self._children[bisect_left(self._lines, start) : bisect_right(self._lines, end)]


class _Classes:
    """The class statements inside one top-level statement, by (line, name), found on demand."""

    def __init__(self, stmt: ast.stmt) -> None:
        self._stmt = stmt
        self._found: dict[tuple[int, str], ast.ClassDef] | None = None

    def get(self, table: symtable.SymbolTable) -> ast.ClassDef | None:
        if self._found is None:
            self._found = {
                (n.lineno, n.name): n for n in ast.walk(self._stmt) if isinstance(n, ast.ClassDef)
            }
        return self._found.get((table.get_lineno(), table.get_name()))


def _reads(table: symtable.SymbolTable, classes: _Classes) -> set[str]:
    """Names a scope and the scopes inside it read from the module."""
    names = {s.get_name() for s in table.get_symbols() if s.is_referenced() and s.is_global()}
    if table.get_type() == "class":
        names |= _read_before_bound(table, classes.get(table))
    for child in table.get_children():
        names |= _reads(child, classes)
    return names


def _read_before_bound(table: symtable.SymbolTable, node: ast.ClassDef | None) -> set[str]:
    """Names local to a class body that it may read before binding them: Python then reads
    the module's (``x = x`` in a class body reads the global ``x``). A name counts as bound
    only after a statement of the body itself binds it unconditionally; any load before that
    (in any scope of the body) counts as a read: an over-approximation."""
    local = {s.get_name() for s in table.get_symbols() if s.is_local() and s.is_referenced()}
    if not local or node is None:
        return local
    bound_at: dict[str, tuple[float, int]] = {}
    for stmt in node.body:
        for name in _binds_unconditionally(stmt):
            bound_at.setdefault(name, (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0))
    never = (float("inf"), 0)
    return {
        n.id
        for stmt in node.body
        for n in ast.walk(stmt)
        if isinstance(n, ast.Name)
        and isinstance(n.ctx, ast.Load)
        and n.id in local
        and (n.lineno, n.col_offset) < bound_at.get(n.id, never)
    }


def _binds_unconditionally(stmt: ast.stmt) -> Iterator[str]:
    if isinstance(stmt, _SCOPES):
        yield stmt.name
    elif isinstance(stmt, ast.Import | ast.ImportFrom):
        for alias in stmt.names:
            yield alias.asname or alias.name.split(".")[0]
    elif isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            for n in ast.walk(target):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    yield n.id


def _global_assignments(table: symtable.SymbolTable) -> set[str]:
    """Names an inner scope (or one inside it) assigns in the module: declared ``global``
    there, or a walrus target in a comprehension at module level."""
    names = {
        s.get_name()
        for s in table.get_symbols()
        if s.is_declared_global() and (s.is_assigned() or s.is_imported() or s.is_namespace())
    }
    for child in table.get_children():
        names |= _global_assignments(child)
    return names
