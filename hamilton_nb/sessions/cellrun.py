"""One cell's code executed into the live module: the chunks it can keep from its last run,
the names it binds and drops, and what the code index is to know of them."""

from __future__ import annotations

import sys
import traceback
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import FunctionType
from typing import Any

from hamilton_nb.analysis.cells import CellAnalysis, Chunk, Definition
from hamilton_nb.analysis.digest import digest
from hamilton_nb.errors import CellExecutionError, DataflowError, Location
from hamilton_nb.graph.code_index import Code
from hamilton_nb.ids import CellId
from hamilton_nb.sessions import reruns
from hamilton_nb.sessions.book import first_line
from hamilton_nb.sessions.livemodule import MODULE_OWN, is_dunder, version_of
from hamilton_nb.sessions.state import ModuleState


@dataclass
class PendingCell:
    """A cell to execute in a run in progress: everything decided before anything is
    committed. ``forced``: names other cells of this run gave new values; the cell's
    definitions that read one of them at definition (or define one) run again."""

    cell: CellId
    replaced: tuple[CellId, ...]
    analysis: CellAnalysis
    line_offset: int
    filename: str
    forced: set[str] = field(default_factory=set)
    borrowed: dict[str, str | None] = field(default_factory=dict)


@dataclass
class ExecutedCell:
    """A cell executed into the module (not resolved yet): what it binds now."""

    pending: PendingCell
    reusable: dict[str, int]
    bound: set[str]
    owned: set[str]
    imports: set[str]
    gone: set[str]
    functions: list[str]
    codes: dict[str, Code]  # of what it bound, less the chunks it kept: the index has theirs
    rebound: set[str]  # names whose value this execution changed (or removed)

    @property
    def kept(self) -> set[str]:
        """Names of the chunks that did not run again (their objects are the old ones)."""
        return _kept_names(self.pending.analysis, self.reusable)


def _kept_names(analysis: CellAnalysis, reusable: Mapping[str, int]) -> set[str]:
    return {d.name for c in analysis.chunks if c.text in reusable for d in c.definitions}


def execute_cell(state: ModuleState, pending: PendingCell, cause: str | None) -> ExecutedCell:
    """Execute one cell into the module: bind its names, drop the names it no longer binds.
    ``cause``: what made the cell run again (None: the user ran it).

    Raises:
        DataflowError: the code failed, or binds a name another cell owns.
    """
    ns, book = state.live.namespace, state.book
    analysis = pending.analysis
    _refuse_module_own(pending)
    before = dict(ns)
    _borrow(state, pending)
    kept_before = _reusable_chunks(state, pending)
    reusable: dict[str, int] = {}
    ran = []
    for chunk in analysis.chunks:
        shift = kept_before.get(chunk.text)
        if shift is not None and _reads_as_before(chunk, ns, before):
            reusable[chunk.text] = shift  # running it would make the same functions again
            continue
        ran.append(chunk)
        try:
            state.live.execute(chunk.compile(pending.filename))
        except Exception as e:
            error = _execution_error(e, pending.cell, pending.filename)
            if cause is not None:
                error.message = (
                    f"{error.message}\n(cell {pending.cell} ran again because it reads,"
                    f" when it runs, names {cause} changes:"
                    f" {', '.join(sorted(pending.forced)[:5])})"
                )
            raise error from e
    # names bound besides the definitions (by globals(), exec, a decorator...); a plain def
    # binds its own name and runs nothing else, so then the module need not be walked
    plain = all(chunk.plain for chunk in ran)
    moved = () if plain else {k for k, v in ns.items() if before.get(k, _MISSING) is not v}
    if not plain:  # a plain def deletes nothing and binds no name of the module's own
        _check_intact(state, pending, before)
    bound = set(analysis.names) | {
        k for k in moved if not is_dunder(k) and k not in pending.borrowed
    }
    imports = imports_of(analysis) & bound
    owned = bound - imports
    book.check_ownership(pending.cell, analysis, pending.replaced, owned)
    old_names, old_imports = book.previous(pending.replaced)
    gone = (old_names - bound) | (old_imports - bound - book.imports_kept(pending.replaced))
    for name in gone:
        ns.pop(name, None)
    module = state.live.module
    functions = [n for n in _ordered(analysis, owned) if _is_node_function(ns.get(n), module)]
    # a kept chunk's names keep the code the index has (that is why they could be kept)
    codes = _codes(ns, analysis, bound - _kept_names(analysis, reusable), pending.borrowed)
    rebound = {n for n in bound if not _same_value(ns.get(n, _MISSING), before.get(n, _MISSING))}
    rebound |= gone | (bound & pending.forced)
    return ExecutedCell(pending, reusable, bound, owned, imports, gone, functions, codes, rebound)


def _refuse_module_own(pending: PendingCell) -> None:
    """Refuse a cell that binds a name the module itself holds (``__name__ = ...``): Hamilton
    would no longer find the functions defined after it, and the module would lose the name
    when the cell is edited.

    Raises:
        CellExecutionError: at the first such binding.
    """
    for d in pending.analysis.definitions:
        if d.name in MODULE_OWN:
            raise CellExecutionError(
                f"the cell assigns {d.name}, which belongs to the module itself: Hamilton"
                " finds nodes by it. Remove the assignment (use another name).",
                Location(pending.cell, d.line, first_line(d)),
            )


def _check_intact(state: ModuleState, pending: PendingCell, before: Mapping[str, Any]) -> None:
    """Refuse a cell that, through ``globals()`` or ``exec``, changed one of the module's own
    names or deleted a name another cell defines: the graph (and the other cell) would no
    longer match the module.

    Raises:
        CellExecutionError: naming what the cell changed.
    """
    ns, book = state.live.namespace, state.book
    changed = sorted(n for n in MODULE_OWN & before.keys() if ns.get(n, _MISSING) is not before[n])
    if changed:
        raise CellExecutionError(
            f"the cell changes or deletes {', '.join(changed)}, which belongs to the module"
            " itself: Hamilton finds nodes by it. Leave the module's own names alone.",
            Location(pending.cell, None),
        )
    others = {n: r.id for r in book.cells.values() if r.id not in pending.replaced for n in r.names}
    others |= {
        n: r.id
        for r in book.cells.values()
        if r.id not in pending.replaced
        for n in r.imports
        if n not in others
    }
    deleted = sorted(n for n in others if n in before and n not in ns)
    if deleted:
        where = ", ".join(f"{n} (cell {others[n]})" for n in deleted[:5])
        raise CellExecutionError(
            f"the cell deletes names other cells define: {where}. A cell may only remove"
            " what it defines: edit the cell that defines them, or `%dataflow drop` a node.",
            Location(pending.cell, None),
        )


def _reads_as_before(chunk: Chunk, ns: Mapping[str, Any], before: Mapping[str, Any]) -> bool:
    """Whether every name the chunk's ``def``s bind, or their headers read, holds what it held
    before the cell started: the chunks run before it in this run bound none of them again."""
    return all(
        ns.get(n, _MISSING) is before.get(n, _MISSING)
        for d in chunk.definitions
        for n in (d.name, *d.eager)
    )


_SCALARS = (type(None), bool, int, float, complex, str, bytes)


def _same_value(new: object, old: object) -> bool:
    """Whether a name bound again holds what it held: the same object (an import, a function
    kept), or an equal scalar (``PATH = 'a.csv'`` run again), or a tuple of those."""
    if new is old:
        return True
    if type(new) is not type(old):
        return False
    if isinstance(new, tuple) and isinstance(old, tuple):
        return len(new) == len(old) and all(map(_same_value, new, old))
    return isinstance(new, _SCALARS) and new == old


def _reusable_chunks(state: ModuleState, pending: PendingCell) -> dict[str, int]:
    """Chunks of plain ``def``s (no decorator: running them has no effect but binding their
    functions) that the replaced cells ran with the same text, whose functions are still
    bound and read nothing that this run changes: they need not run again (their functions
    are moved to the new lines instead), unless a chunk run before them in this run binds a
    name their headers read. Returns chunk text -> line shift."""
    if not pending.replaced or reruns.mutated_by(pending.analysis):
        return {}  # @mutate changes its target when it runs: targets must be defined afresh
    book, live = state.book, state.live
    old_chunks: dict[str, int | None] = {}  # None: the text was there twice, ambiguous
    objects: dict[str, object] = {}
    for cid in pending.replaced:
        for c in book.cells[cid].analysis.chunks:
            old_chunks[c.text] = None if c.text in old_chunks else c.first_line
        objects.update(book.cells[cid].objects)
    analysis = pending.analysis
    defined_once = Counter(d.name for d in analysis.definitions)
    old_names, _ = book.previous(pending.replaced)
    ns = live.namespace
    staged = state.index.stage(
        _codes(ns, analysis, set(analysis.names), pending.borrowed),
        old_names - analysis.names,
    )
    changed = staged.changed_names() | pending.forced
    changed |= staged.affected(changed)
    reusable: dict[str, int] = {}
    for chunk in analysis.chunks:
        old_line = old_chunks.get(chunk.text)
        if not chunk.plain or old_line is None:
            continue
        if all(
            defined_once[d.name] == 1
            and d.name not in changed
            and not d.eager & pending.forced
            and ns.get(d.name) is objects.get(d.name, _MISSING)
            and live.owns_code(ns[d.name])
            for d in chunk.definitions
        ):
            reusable[chunk.text] = chunk.first_line - old_line
    return reusable


def _borrow(state: ModuleState, pending: PendingCell) -> None:
    """Copy into the module the notebook names the cell reads and the module lacks."""
    notebook = state.notebook
    if notebook is None:
        return
    ns = state.live.namespace
    own = pending.analysis.names
    for name in sorted(pending.analysis.free_names - own):
        if name in ns and name not in state.book.borrowed:
            continue
        found, value = notebook.lookup(name)
        if found:
            ns[name] = value
            pending.borrowed[name] = notebook.import_statement(name)


def _codes(
    ns: Mapping[str, Any],
    analysis: CellAnalysis,
    bound: set[str],
    borrowed: Mapping[str, str | None],
) -> dict[str, Code]:
    """What the code index is to know of each name the cell binds or borrows."""
    by_name: dict[str, list[Definition]] = {}
    for d in analysis.definitions:
        by_name.setdefault(d.name, []).append(d)
    codes: dict[str, Code] = {}
    for name in bound:
        defs = by_name.get(name)
        if defs is None:  # bound dynamically (globals(), exec): only its type is known
            codes[name] = Code(digest("dynamic", type(ns.get(name)).__qualname__), frozenset())
            continue
        if defs[0].kind == "import":  # the package's version counts: not kept by digests
            codes[name] = _code(name, defs, version_of(ns.get(name)))
            continue
        memo = (name, *(d.digest for d in defs))  # the rest follows from the code's digest
        code = _CODES.get(memo)
        if code is None:
            code = _CODES[memo] = _code(name, defs)
        codes[name] = code
    for name, stmt in borrowed.items():
        value = ns.get(name)
        version = version_of(value)
        # an import written in the notebook counts as the same import written in a cell
        own = digest(stmt) if stmt else digest("notebook", type(value).__qualname__)
        codes[name] = Code(digest(own, version), frozenset())
    return codes


def _code(name: str, defs: list[Definition], *more: str) -> Code:
    """What the index knows of ``name``, bound by ``defs``; ``more``: other parts of its
    digest (an import's package version)."""
    reads = frozenset().union(*(d.reads for d in defs)) - {name}
    bare = defs[0].undecorated if len(defs) == 1 else None
    if bare is not None:
        bare = (bare[0], bare[1] - {name})
    return Code(digest(*(d.digest for d in defs), *more), reads, bare)


class _Codes(dict[tuple[str, ...], Code]):
    """``Code`` of definitions by name and digests: a cell of 100 functions run again makes
    the same 100 out of nothing but its digests. Emptied when it grows large."""

    def __setitem__(self, key: tuple[str, ...], value: Code) -> None:
        if len(self) >= 50_000:
            self.clear()
        super().__setitem__(key, value)


_CODES = _Codes()
_MISSING = object()


def imports_of(analysis: CellAnalysis) -> set[str]:
    return {d.name for d in analysis.definitions if d.kind == "import"}


def _ordered(analysis: CellAnalysis, names: set[str]) -> list[str]:
    """``names`` in source order (dynamically bound ones last, by name)."""
    order = {d.name: i for i, d in reversed(list(enumerate(analysis.definitions)))}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def _is_node_function(value: object, module: Any) -> bool:
    """Hamilton's own rule (``graph_utils.find_functions``): public functions of this module."""
    return (
        isinstance(value, FunctionType)
        and not value.__name__.startswith("_")
        and sys.modules.get(value.__module__) is module  # inspect.getmodule, for a function
    )


def _execution_error(e: Exception, cell: CellId, filename: str) -> DataflowError:
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == filename]
    last = frames[-1] if frames else None
    where = Location(cell, last.lineno if last else None, last.line if last else None)
    return CellExecutionError(f"{type(e).__name__}: {e}", where)
