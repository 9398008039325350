"""The cell transaction: a ``%%dataflow`` cell applied to a live module as one atomic step.

Analyse the cell, execute it into the module, and after it every other cell that read, when
it ran, a name this one changes (``reruns`` finds them); resolve the functions of all of them
with Hamilton, validate the graph change, then commit: module, index, book and graph change
together, or nothing changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import FunctionType
from typing import Any

from hamilton_nb.analysis.cells import Definition, analyse
from hamilton_nb.errors import CellExecutionError, Location
from hamilton_nb.graph.code_index import Code, StagedIndex
from hamilton_nb.graph.model import GraphDiff, NodeSpec
from hamilton_nb.ids import CellId, NodeName
from hamilton_nb.sessions import reruns
from hamilton_nb.sessions.cellrun import ExecutedCell, PendingCell, execute_cell, imports_of
from hamilton_nb.sessions.livemodule import is_dunder, live_module_of
from hamilton_nb.sessions.records import CellRecord, CellResult
from hamilton_nb.sessions.resolve import check_unique
from hamilton_nb.sessions.state import ModuleState, wired_graph


@dataclass(frozen=True)
class _Change:
    """A validated run of one or more cells, ready to commit."""

    cells: list[tuple[CellRecord, PendingCell]]
    staged: StagedIndex
    diff: GraphDiff
    moves: list[tuple[Any, str, int]]


# a cell that keeps being made to run again reads its own definitions through other cells
_MOST_EXECUTIONS = 3


def apply_cell(
    state: ModuleState,
    source: str,
    cell_id: str | None,
    label: str | None,
    line_offset: int,
) -> CellResult:
    """Apply one cell to ``state`` (see ``Session.apply_cell``), with every other cell whose
    definitions read what it changes (a decorator's helper, a constant, a ``@mutate`` target):
    they run again, as a reactive notebook would, so no definition keeps an old value. Mutates
    ``state`` only when all of them are accepted.

    Raises:
        DataflowError: the cell (or a cell it made run again) was rejected; the state is as
            it was.
    """
    book, live = state.book, state.live
    cid = CellId(cell_id or label or book.anonymous_label())
    analysis = analyse(source, cid, line_offset, state.chunks)
    filename = live.source_filename(cid)
    live.register_source(filename, source, line_offset)
    replaced = book.replaced_by(cid, analysis, cell_id is None)
    pending = PendingCell(cid, replaced, analysis, line_offset, filename)
    book.check_ownership(cid, analysis, replaced, analysis.names - imports_of(analysis))
    snapshot = live.snapshot()
    try:
        change = _resolve(state, _execute_all(state, [pending], pending, f"cell {cid}"))
    except BaseException:
        live.restore(snapshot)
        raise
    changed = _code_changed(change.staged)
    _commit(state, change)
    if label is not None:
        book.prompts[cid] = label
    others = tuple(p.cell for _, p in change.cells if p is not pending)
    return CellResult(
        live.name, cid, change.diff, replaced, len(state.graph), others, code_changed=changed
    )


def _execute_all(
    state: ModuleState, queue: list[PendingCell], first: PendingCell | None, cause: str
) -> dict[CellId, ExecutedCell]:
    """Execute the ``queue``d cells, then each cell that must run again after them, in notebook
    order (as the module's code would run), and before a cell with ``@mutate`` the cells
    defining its targets afresh (a target keeps every mutation applied to it). ``first``: the
    user's cell, if they ran one; ``cause``: what changed, for messages. Returns each cell's
    last execution, in execution order."""
    book = state.book
    position = {cid: i for i, cid in enumerate(book.cells)}
    gone = set(first.replaced) - {first.cell} if first else set()
    current = {first.cell: first.analysis} if first else {}
    done: dict[CellId, ExecutedCell] = {}
    when: dict[CellId, int] = {}  # when each cell last executed in this run
    times: Counter[CellId] = Counter()
    while queue:
        pending = min(queue, key=lambda p: position.get(p.cell, len(position)))
        analyses = [pending.analysis]
        if pending is first:  # a @mutate the user removed must leave its target too
            analyses += [book.cells[c].analysis for c in pending.replaced]
        stale = [
            t
            for t in reruns.target_cells(book, analyses, {pending.cell, *gone, *current})
            if when.get(t, -1) < when.get(pending.cell, 0)
        ]
        if stale:
            forced = set().union(*(reruns.mutated_by(a) for a in analyses))
            pending = _queued(queue, stale[0]) or _again(state, stale[0], set())
            pending.forced |= forced
        if pending in queue:
            queue.remove(pending)
        times[pending.cell] += 1
        if times[pending.cell] > _MOST_EXECUTIONS:
            raise CellExecutionError(
                f"cell {pending.cell} reads its own definitions through other cells when it"
                " runs, so running it again never settles; merge the cells involved.",
                Location(pending.cell, None),
            )
        executed = execute_cell(state, pending, None if pending is first else cause)
        done.pop(pending.cell, None)
        done[pending.cell] = executed
        when[pending.cell] = sum(times.values())
        changed = reruns.changed_names(
            state.index, executed.codes, executed.gone, executed.rebound, pending is not first, book
        )
        for cell in reruns.readers(book, changed, current, {pending.cell, *gone}):
            queued = _queued(queue, cell)
            if queued is None:
                queued = first if first and cell == first.cell else _again(state, cell, set())
                queue.append(queued)
            queued.forced |= changed
    return done


def _queued(queue: list[PendingCell], cell: CellId) -> PendingCell | None:
    return next((p for p in queue if p.cell == cell), None)


def _again(state: ModuleState, cell: CellId, forced: set[str]) -> PendingCell:
    """A pending run of accepted cell ``cell`` with its own source again."""
    record = state.book.cells[cell]
    filename = state.live.source_filename(cell)
    state.live.register_source(filename, record.source, record.line_offset)
    return PendingCell(cell, (cell,), record.analysis, record.line_offset, filename, set(forced))


def _resolve(state: ModuleState, executed: Mapping[CellId, ExecutedCell]) -> _Change:
    """Resolve the executed cells' functions and work out the graph change (validated, applied
    to the graph only at the end: the last step that can fail)."""
    book, resolver, config = state.book, state.resolver, state.config
    codes: dict[str, Code] = {}
    gone: set[str] = set()
    for ex in executed.values():
        codes.update(ex.codes)
        gone |= ex.gone
    staged = state.index.stage(codes, gone)
    specs: list[NodeSpec] = []
    cells: list[tuple[CellRecord, PendingCell]] = []
    moves: list[tuple[Any, str, int]] = []
    kept_nodes: set[NodeName] = set()
    replaced: set[CellId] = set()
    for ex in executed.values():
        pending, kept = ex.pending, ex.kept
        resolved = {
            f: resolver.resolve(f, pending.cell, pending.analysis, config)
            for f in ex.functions
            if f not in kept
        }
        specs += resolver.specs(pending.cell, resolved, pending.analysis, staged, config)
        nodes = {f: tuple(NodeName(n.name) for n in ns_) for f, ns_ in resolved.items()}
        for f in (f for f in ex.functions if f in kept):
            nodes[f] = book.cells[book.owners[f]].nodes[f]
            kept_nodes.update(nodes[f])
            definition = pending.analysis.definition(f)
            specs += _moved_specs(state, nodes[f], pending.cell, definition)
        record = _record(state, ex, nodes)
        cells.append((record, pending))
        # a kept chunk on the same lines reads the same text in its earlier version's source
        # (``linecache`` keeps every version): only one that moved is pointed at the new one
        moves += [
            (record.objects[d.name], pending.filename, delta)
            for c in pending.analysis.chunks
            if (delta := ex.reusable.get(c.text))
            for d in c.definitions
        ]
        replaced.update(pending.replaced)
    check_unique(specs)  # two cells of one run may not produce one node
    specs += _refingerprint(state, staged, tuple(replaced))
    untouched = kept_nodes - {s.name for s in specs}
    old_nodes = {n for r in replaced for n in book.cells[r].node_names} - untouched
    diff = state.graph.apply(specs, old_nodes)
    return _Change(cells, staged, diff, moves)


def _record(
    state: ModuleState, ex: ExecutedCell, nodes: Mapping[str, tuple[NodeName, ...]]
) -> CellRecord:
    ns, pending = state.live.namespace, ex.pending
    return CellRecord(
        id=pending.cell,
        source=pending.analysis.source,
        line_offset=pending.line_offset,
        analysis=pending.analysis,
        names=frozenset(ex.owned),
        imports=frozenset(ex.imports),
        functions=tuple(ex.functions),
        nodes={f: nodes[f] for f in ex.functions},
        borrowed=dict(pending.borrowed),
        objects={n: ns[n] for n in ex.owned if isinstance(ns.get(n), FunctionType)},
    )


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
    """Nodes of other cells whose helpers, constants or imports this change edits (or whose
    ``@mutate`` functions read them)."""
    book = state.book
    functions = []
    changed = staged.changed_names()
    affected = staged.affected(changed)
    for target, mutators in reruns.mutations(book).items():
        if mutators & (affected | changed):
            affected.add(target)
    for name in sorted(affected):
        owner = book.owners.get(name)
        if owner is None or owner in replaced or name not in book.cells[owner].nodes:
            continue
        functions.append((name, book.cells[owner].nodes[name]))
    return state.resolver.refingerprint(state.graph, functions, staged, state.config)


def _code_changed(staged: StagedIndex) -> bool:
    """Whether committing ``staged`` changes the code of some name (so the index's version):
    a name goes, comes, or gets another digest."""
    base = staged.base.codes
    if any(n in base for n in staged.removed):
        return True
    return any(
        (old := base.get(n)) is None or old.digest != c.digest for n, c in staged.upsert.items()
    )


def _commit(state: ModuleState, change: _Change) -> None:
    for fn, filename, delta in change.moves:
        state.live.relocate(fn, filename, delta)
    state.index.commit(change.staged)
    for record, pending in change.cells:
        state.book.commit(record, pending.replaced, pending.borrowed)
    state.resolver.forget_derived()
    state.runs.forget(change.diff.removed)
    state.last_diff = change.diff


def follow_module(state: ModuleState, module: str) -> CellResult | None:
    """After live module ``module`` changed: run again the cells that import it (or import
    something from it, or borrow it from the notebook), and every cell that read those names
    when it ran (``@subdag(module)``, ``with_columns(module)``). Their nodes' fingerprints take
    in the module's new code. None when no cell of this module uses ``module``.

    Raises:
        DataflowError: a cell run again was rejected; the state is as it was.
    """
    live, book = state.live, state.book
    used = set().union(*(r.imports | r.borrowed.keys() for r in book.cells.values()))
    if not _tied(live.namespace, used, module):  # the usual case, without a walk of the module
        return None
    tied = _tied(live.namespace, live.namespace.keys(), module)
    cells = [c for c, r in book.cells.items() if tied & (r.imports | r.borrowed.keys())]
    queue = [_again(state, c, tied) for c in cells]
    snapshot = live.snapshot()
    try:
        change = _resolve(state, _execute_all(state, queue, None, f"module {module}"))
    except BaseException:
        live.restore(snapshot)
        raise
    changed = _code_changed(change.staged)
    _commit(state, change)
    ran = tuple(p.cell for _, p in change.cells)
    return CellResult(
        live.name, ran[0], change.diff, (), len(state.graph), ran[1:], code_changed=changed
    )


def _tied(namespace: Mapping[str, Any], names: Iterable[str], module: str) -> set[str]:
    """Those of ``names`` that hold live module ``module``, or something defined in it."""
    return {
        n
        for n in names
        if not is_dunder(n)
        and (m := live_module_of(namespace.get(n))) is not None
        and m.__name__ == module
    }


def reconfigure(state: ModuleState, config: Mapping[str, Any]) -> None:
    """Resolve every function again under ``config`` and make it the state's config (mutates
    ``state`` only if that succeeds).

    Raises:
        DataflowError: a function cannot be resolved under ``config``, or the graph would be
            invalid.
    """
    book = state.book
    staged = state.index.stage({}, ())
    specs, nodes = state.resolver.resolve_cells(book.cells.values(), staged, config)
    graph = wired_graph()
    graph.apply(specs, ())
    # nothing failed: commit (the dict is updated in place, so a view of it stays true)
    state.config.clear()
    state.config.update(config)
    state.graph = graph
    book.renode(nodes)
    state.resolver.forget_derived()
