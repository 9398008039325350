"""The cell transaction: a ``%%dataflow`` cell applied to a live module as one atomic step.

Analyse the cell, execute it into the module, resolve its functions with Hamilton, validate the
graph change, then commit: module, index, book and graph change together, or nothing changes.
"""

from __future__ import annotations

import inspect
import traceback
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import FunctionType
from typing import Any

from hamilton_nb.analysis.cells import CellAnalysis, Definition, analyse
from hamilton_nb.analysis.digest import digest
from hamilton_nb.errors import CellExecutionError, DataflowError, Location
from hamilton_nb.graph.code_index import Code, StagedIndex
from hamilton_nb.graph.model import GraphDiff, NodeSpec
from hamilton_nb.ids import CellId, NodeName
from hamilton_nb.sessions.book import first_line
from hamilton_nb.sessions.livemodule import Snapshot, is_dunder
from hamilton_nb.sessions.records import CellRecord, CellResult
from hamilton_nb.sessions.state import ModuleState


@dataclass
class _Pending:
    """A cell run in progress: everything decided before anything is committed."""

    cell: CellId
    replaced: tuple[CellId, ...]
    analysis: CellAnalysis
    line_offset: int
    filename: str
    borrowed: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class _Change:
    """A validated cell run, ready to commit."""

    record: CellRecord
    staged: StagedIndex
    diff: GraphDiff
    moves: list[tuple[Any, int]]


def apply_cell(
    state: ModuleState,
    source: str,
    cell_id: str | None,
    label: str | None,
    line_offset: int,
) -> CellResult:
    """Apply one cell to ``state`` (see ``Session.apply_cell``); mutates ``state`` only when
    the cell is accepted.

    Raises:
        DataflowError: the cell was rejected; the state is as it was.
    """
    book, live = state.book, state.live
    cid = CellId(cell_id or label or book.anonymous_label())
    analysis = analyse(source, cid, line_offset, state.chunks)
    filename = live.source_filename(cid)
    live.register_source(filename, source, line_offset)
    replaced = book.replaced_by(cid, analysis, cell_id is None)
    pending = _Pending(cid, replaced, analysis, line_offset, filename)
    book.check_ownership(cid, analysis, replaced, analysis.names - _imports(analysis))
    _check_mutations(analysis, cid)
    snapshot = live.snapshot()
    try:
        change = _define(state, pending, snapshot)
    except BaseException:
        live.restore(snapshot)
        raise
    _commit(state, change, pending)
    return CellResult(live.name, cid, change.diff, replaced, len(state.graph))


def _define(state: ModuleState, pending: _Pending, snapshot: Snapshot) -> _Change:
    """Execute the cell into the module and work out the graph change (validated, applied to
    the graph only at the end: the last step that can fail)."""
    ns = state.live.namespace
    analysis, book = pending.analysis, state.book
    _borrow(state, pending)
    reusable = _reusable_chunks(state, pending)
    for chunk in analysis.chunks:
        if chunk.text not in reusable:
            try:
                state.live.execute(chunk.compile(pending.filename))
            except Exception as e:
                raise _execution_error(e, pending.cell, pending.filename) from e
    bound = set(analysis.names) | {
        k
        for k, v in ns.items()
        if not is_dunder(k) and k not in pending.borrowed and snapshot.get(k, _MISSING) is not v
    }
    imports = _imports(analysis) & bound
    owned = bound - imports
    book.check_ownership(pending.cell, analysis, pending.replaced, owned)
    old_names, old_imports = book.previous(pending.replaced)
    gone = (old_names - bound) | (old_imports - bound - book.imports_kept(pending.replaced))
    for name in gone:
        ns.pop(name, None)
    module = state.live.module
    functions = [n for n in _ordered(analysis, owned) if _is_node_function(ns.get(n), module)]
    kept = {d.name for c in analysis.chunks if c.text in reusable for d in c.definitions}
    staged = state.index.stage(_codes(ns, analysis, bound, pending.borrowed), gone)
    resolver, config = state.resolver, state.config
    resolved = {
        f: resolver.resolve(f, pending.cell, analysis, config) for f in functions if f not in kept
    }
    specs = resolver.specs(pending.cell, resolved, analysis, staged, config)
    nodes = {f: tuple(NodeName(n.name) for n in ns_) for f, ns_ in resolved.items()}
    for f in (f for f in functions if f in kept):
        nodes[f] = book.cells[book.owners[f]].nodes[f]
        specs += _moved_specs(state, nodes[f], pending.cell, analysis.definition(f))
    specs += _refingerprint(state, staged, pending.replaced)
    untouched = {n for names in nodes.values() for n in names} - {s.name for s in specs}
    old_nodes = {n for r in pending.replaced for n in book.cells[r].node_names} - untouched
    diff = state.graph.apply(specs, old_nodes)
    record = CellRecord(
        id=pending.cell,
        source=analysis.source,
        line_offset=pending.line_offset,
        analysis=analysis,
        names=frozenset(owned),
        imports=frozenset(imports),
        functions=tuple(functions),
        nodes={f: nodes[f] for f in functions},
        borrowed=dict(pending.borrowed),
        objects={n: ns[n] for n in owned if isinstance(ns.get(n), FunctionType)},
    )
    moves = [
        (record.objects[d.name], delta)
        for c in analysis.chunks
        if (delta := reusable.get(c.text)) is not None
        for d in c.definitions
    ]
    return _Change(record, staged, diff, moves)


def _reusable_chunks(state: ModuleState, pending: _Pending) -> dict[str, int]:
    """Chunks of ``def``s that the replaced cells ran with the same text, whose functions
    are still bound and read nothing that this run changes: they need not run again (their
    functions are moved to the new lines instead). Returns chunk text -> line shift."""
    if not pending.replaced or any(d.mutates for d in pending.analysis.definitions):
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
    changed = staged.changed_names()
    changed |= staged.affected(changed)
    reusable: dict[str, int] = {}
    for chunk in analysis.chunks:
        old_line = old_chunks.get(chunk.text)
        if not chunk.only_functions or old_line is None:
            continue
        if all(
            defined_once[d.name] == 1
            and d.name not in changed
            and ns.get(d.name) is objects.get(d.name, _MISSING)
            and live.owns_code(ns[d.name])
            for d in chunk.definitions
        ):
            reusable[chunk.text] = chunk.first_line - old_line
    return reusable


def _moved_specs(
    state: ModuleState, names: tuple[NodeName, ...], cell: CellId, definition: Definition | None
) -> list[NodeSpec]:
    """Specs of a re-used function's nodes, updated for a new cell id or line."""
    line = definition.line if definition else None
    moved = []
    for name in names:
        spec = state.graph.node(name)
        if spec is not None and (spec.cell != cell or spec.line != line):
            moved.append(replace(spec, cell=cell, line=line))
    return moved


def _refingerprint(
    state: ModuleState, staged: StagedIndex, replaced: tuple[CellId, ...]
) -> list[NodeSpec]:
    """Nodes of other cells whose helpers, constants or imports this change edits."""
    book = state.book
    functions = []
    for name in sorted(staged.affected(staged.changed_names())):
        owner = book.owners.get(name)
        if owner is None or owner in replaced or name not in book.cells[owner].nodes:
            continue
        functions.append((name, book.cells[owner].nodes[name]))
    return state.resolver.refingerprint(state.graph, functions, staged, state.config)


def _commit(state: ModuleState, change: _Change, pending: _Pending) -> None:
    for fn, delta in change.moves:
        state.live.relocate(fn, pending.filename, delta)
    state.index.commit(change.staged)
    state.book.commit(change.record, pending.replaced, pending.borrowed)
    state.resolver.forget_derived()
    state.runs.forget(change.diff.removed)
    state.last_diff = change.diff


def _borrow(state: ModuleState, pending: _Pending) -> None:
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
        parts = [d.digest for d in defs]
        if defs[0].kind == "import":
            parts.append(str(getattr(ns.get(name), "__version__", "")))
        reads = frozenset().union(*(d.reads for d in defs)) - {name}
        codes[name] = Code(digest(*parts), reads)
    for name, stmt in borrowed.items():
        value = ns.get(name)
        version = str(getattr(value, "__version__", ""))
        # an import written in the notebook counts as the same import written in a cell
        own = digest(stmt) if stmt else digest("notebook", type(value).__qualname__)
        codes[name] = Code(digest(own, version), frozenset())
    return codes


_MISSING = object()


def _imports(analysis: CellAnalysis) -> set[str]:
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
        and inspect.getmodule(value) is module
    )


def _check_mutations(analysis: CellAnalysis, cell: CellId) -> None:
    """``@mutate(f)`` changes ``f`` when its cell runs; with ``f`` in another cell, a re-run of
    either cell would lose or repeat the change, so both must live in one cell."""
    for d in analysis.definitions:
        foreign = sorted(d.mutates - analysis.names)
        if foreign:
            raise CellExecutionError(
                f"@mutate on {d.name}() targets {', '.join(foreign)}, defined in another cell."
                f" Move {d.name}() into the cell that defines {foreign[0]}().",
                Location(cell, d.line, first_line(d)),
            )


def _execution_error(e: Exception, cell: CellId, filename: str) -> DataflowError:
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == filename]
    last = frames[-1] if frames else None
    where = Location(cell, last.lineno if last else None, last.line if last else None)
    return CellExecutionError(f"{type(e).__name__}: {e}", where)
