"""DataflowSession: a live module, its graph and code index; every cell run flows through it."""

from __future__ import annotations

import inspect
import sys
import traceback
import weakref
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FunctionType
from typing import Any

from hamilton.function_modifiers.base import resolve_nodes
from hamilton.node import Node

from hamilton_nb.cache import NodeCache, default_cache_dir
from hamilton_nb.cells import CellAnalysis, ChunkCache, Definition, analyse
from hamilton_nb.engines import check as check_engine
from hamilton_nb.engines import engine as engine_named
from hamilton_nb.errors import (
    CellExecutionError,
    DataflowError,
    DuplicateNodeError,
    Location,
    UnknownNodeError,
)
from hamilton_nb.execute import Outcome, Plan, Progress, config_read, execute, plan, quiet_hamilton
from hamilton_nb.fingerprint import Code, CodeIndex, StagedIndex, digest
from hamilton_nb.graph import DataflowGraph, GraphDiff, NodeSpec, type_name
from hamilton_nb.livemodule import LiveModule, is_dunder
from hamilton_nb.names import CellId, NodeName
from hamilton_nb.records import CellRecord, CellResult, Listener, Notebook, StatusRow
from hamilton_nb.runs import INPUT, RunBook, RunReport
from hamilton_nb.values import sizes_of


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


class DataflowSession:
    """One live module, its incremental graph and its code index.

    Responsibilities: apply a cell (analyse, execute into the module, resolve nodes with
    Hamilton, validate the graph change) as one atomic step that leaves everything as it was
    when rejected; keep which cell owns which names; drop nodes; reset; report status.
    """

    def __init__(
        self,
        name: str = "dataflow",
        notebook: Notebook | None = None,
        cache: NodeCache | None = None,
    ) -> None:
        self.name = name
        self.notebook = notebook
        self.config: dict[str, Any] = {}
        self.cache = cache if cache is not None else NodeCache(default_cache_dir())
        self.runs = RunBook()
        self.progress: Callable[[], Progress] | None = None
        self.notify: Callable[[str], None] = lambda message: print(message, file=sys.stderr)
        self._derived: dict[str, DataflowGraph] = {}
        self.listeners: weakref.WeakSet[Listener] = weakref.WeakSet()
        self._live = LiveModule(name)
        self.graph = DataflowGraph()
        self._index = CodeIndex()
        self._cells: dict[CellId, CellRecord] = {}
        self._owner: dict[str, CellId] = {}
        self._borrowed: dict[str, str | None] = {}
        self._anonymous = 0
        self._chunks: ChunkCache = {}
        self.last_diff = GraphDiff()

    @property
    def module(self) -> Any:
        """The live module (``import <name>`` gives the same object)."""
        return self._live.module

    @property
    def cells(self) -> Mapping[CellId, CellRecord]:
        """Accepted cells in notebook order."""
        return self._cells

    def owner(self, name: str) -> CellId | None:
        """The cell that defines a module-level name (imports excluded)."""
        return self._owner.get(name)

    def apply_cell(
        self,
        source: str,
        cell_id: str | None = None,
        *,
        label: str | None = None,
        line_offset: int = 0,
    ) -> CellResult:
        """Run a dataflow cell: define its names in the module and update the graph.

        Args:
            source: the cell body.
            cell_id: the frontend's id for the cell; a re-run with the same id replaces what
                the cell owned. Without one, a cell redefining names owned by earlier cells
                takes those cells over.
            label: how to name an id-less cell in messages (e.g. ``In[3]``).
            line_offset: lines above the body in the visible cell (1 for a magic line).

        Raises:
            DataflowError: the cell was rejected; module, graph and index are unchanged.
        """
        cid = CellId(cell_id or label or self._anonymous_label())
        analysis = analyse(source, cid, line_offset, self._chunks)
        filename = self._live.source_filename(cid)
        self._live.register_source(filename, source, line_offset)
        replaced = self._replaced_cells(cid, analysis, cell_id is None)
        pending = _Pending(cid, replaced, analysis, line_offset, filename)
        self._check_ownership(pending, analysis.names - _imports(analysis))
        _check_mutations(analysis, cid)
        snapshot = self._live.snapshot()
        try:
            change = self._define(pending, snapshot)
        except BaseException:
            self._live.restore(snapshot)
            raise
        self._commit(change, pending)
        self.last_diff = change.diff
        self._tell("graph")
        return CellResult(self.name, cid, change.diff, replaced, len(self.graph))

    def _define(self, pending: _Pending, snapshot: dict[str, Any]) -> _Change:
        ns = self._live.namespace
        analysis = pending.analysis
        self._borrow(pending)
        reusable = self._reusable_chunks(pending)
        for chunk in analysis.chunks:
            if chunk.text not in reusable:
                try:
                    self._live.execute(chunk.compile(pending.filename))
                except Exception as e:
                    raise _execution_error(e, pending.cell, pending.filename) from e
        bound = set(analysis.names) | {
            k
            for k, v in ns.items()
            if not is_dunder(k) and k not in pending.borrowed and snapshot.get(k, _MISSING) is not v
        }
        imports = _imports(analysis) & bound
        owned = bound - imports
        self._check_ownership(pending, owned)
        old_names, old_imports = self._previous(pending.replaced)
        shared = {
            n for r in self._cells.values() if r.id not in pending.replaced for n in r.imports
        }
        gone = (old_names - bound) | (old_imports - bound - shared)
        for name in gone:
            ns.pop(name, None)
        functions = [
            n for n in _ordered(analysis, owned) if _is_node_function(ns.get(n), self.module)
        ]
        kept = {d.name for c in analysis.chunks if c.text in reusable for d in c.definitions}
        staged = self._index.stage(self._codes(analysis, bound, pending.borrowed), gone)
        resolved = {
            f: self._resolve(f, pending.cell, analysis, self.config)
            for f in functions
            if f not in kept
        }
        specs = self._specs(pending.cell, resolved, analysis, staged, self.config)
        nodes = {f: tuple(NodeName(n.name) for n in ns_) for f, ns_ in resolved.items()}
        for f in (f for f in functions if f in kept):
            nodes[f] = self._cells[self._owner[f]].nodes[f]
            specs += self._moved_specs(nodes[f], pending.cell, analysis.definition(f))
        specs += self._refingerprint(staged, pending.replaced)
        untouched = {n for names in nodes.values() for n in names} - {s.name for s in specs}
        old_nodes = {n for r in pending.replaced for n in self._cells[r].node_names} - untouched
        diff = self.graph.apply(specs, old_nodes)
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

    def _reusable_chunks(self, pending: _Pending) -> dict[str, int]:
        """Chunks of ``def``s that the replaced cells ran with the same text, whose functions
        are still bound and read nothing that this run changes: they need not run again (their
        functions are moved to the new lines instead). Returns chunk text -> line shift."""
        if not pending.replaced or any(d.mutates for d in pending.analysis.definitions):
            return {}  # @mutate changes its target when it runs: targets must be defined afresh
        old_chunks: dict[str, int | None] = {}  # None: the text was there twice, ambiguous
        objects: dict[str, object] = {}
        for cid in pending.replaced:
            for c in self._cells[cid].analysis.chunks:
                old_chunks[c.text] = None if c.text in old_chunks else c.first_line
            objects.update(self._cells[cid].objects)
        analysis = pending.analysis
        defined_once = Counter(d.name for d in analysis.definitions)
        old_names, _ = self._previous(pending.replaced)
        staged = self._index.stage(
            self._codes(analysis, set(analysis.names), pending.borrowed),
            old_names - analysis.names,
        )
        changed = staged.changed_names()
        changed |= staged.affected(changed)
        ns = self._live.namespace
        reusable: dict[str, int] = {}
        for chunk in analysis.chunks:
            old_line = old_chunks.get(chunk.text)
            if not chunk.only_functions or old_line is None:
                continue
            if all(
                defined_once[d.name] == 1
                and d.name not in changed
                and ns.get(d.name) is objects.get(d.name, _MISSING)
                and self._live.owns_code(ns[d.name])
                for d in chunk.definitions
            ):
                reusable[chunk.text] = chunk.first_line - old_line
        return reusable

    def _moved_specs(
        self, names: tuple[NodeName, ...], cell: CellId, definition: Definition | None
    ) -> list[NodeSpec]:
        """Specs of a re-used function's nodes, updated for a new cell id or line."""
        line = definition.line if definition else None
        moved = []
        for name in names:
            spec = self.graph.node(name)
            if spec is not None and (spec.cell != cell or spec.line != line):
                moved.append(replace(spec, cell=cell, line=line))
        return moved

    def _commit(self, change: _Change, pending: _Pending) -> None:
        record, replaced = change.record, pending.replaced
        for fn, delta in change.moves:
            self._live.relocate(fn, pending.filename, delta)
        self._index.commit(change.staged)
        self._borrowed.update(pending.borrowed)
        self._derived.clear()
        self.runs.forget(change.diff.removed)
        for cid in replaced:
            for name in self._cells[cid].names:
                if self._owner.get(name) == cid:
                    del self._owner[name]
        for name in record.names:
            self._owner[name] = record.id
        position = next((cid for cid in self._cells if cid in replaced), None)
        keep = bool(record.names or record.imports)
        cells: dict[CellId, CellRecord] = {}
        for cid, old in self._cells.items():
            if cid == position and keep:
                cells[record.id] = record
            if cid not in replaced:
                cells[cid] = old
        if position is None and keep:
            cells[record.id] = record
        self._cells = cells

    @property
    def last_run(self) -> RunReport | None:
        """What the latest ``run`` computed, and what it took from the cache."""
        return self.runs.last

    def run(
        self,
        nodes: str | Sequence[str],
        inputs: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
        *,
        engine: str = "local",
        workers: int | None = None,
        address: str | None = None,
        progress: Progress | None = None,
    ) -> Any:
        """Compute nodes, re-using every cached value whose inputs and code did not change.

        Args:
            nodes: one node name (its value is returned) or several (a dict is returned).
            inputs: values of the graph's inputs.
            config: Hamilton config, on top of the session's ``config``.
            overrides: values to use for nodes instead of computing them.
            engine: where the nodes to compute run: "local" (in the kernel), "threads",
                "processes", "dask" or "ray" (see ``hamilton_nb.engines``). The cache is the
                same for all: cached nodes are not sent anywhere, results come back to it.
            workers: the engine's number of workers (default: one per core).
            address: a Dask scheduler's or Ray cluster's address (default: a local one).
            progress: told about each node as it runs (default: the notebook's progress bar).

        Raises:
            EngineError: the engine cannot be used (unknown, its extra missing, bad options).
            UnknownNodeError, MissingInputError: the request cannot be planned.
            NodeExecutionError: a node raised; what ran before it is cached.
        """
        check_engine(engine, workers, address)  # before anything runs; started only if needed
        names = [nodes] if isinstance(nodes, str) else list(nodes)
        inputs, overrides = dict(inputs or {}), dict(overrides or {})
        merged = {**self.config, **(config or {})}
        graph = self.graph_for(merged)
        the_plan = plan(graph, names, inputs, merged, overrides, self.cache)
        if progress is None and self.progress is not None and the_plan.compute:
            progress = self.progress()
        shown = _Broadcast(self, progress) if self.listeners else progress
        where = engine_named(engine, workers, address) if the_plan.compute else None
        outcome = execute(graph, the_plan, merged, overrides, self._live.locate, shown, where)
        with self.cache.writes_after():  # the writer starts once the bookkeeping is done
            self._keep(names, the_plan, outcome, merged)
        if outcome.error is not None:
            raise outcome.error
        sources = (outcome.results, overrides, the_plan.loaded, inputs, merged)
        values = {n: next(s[n] for s in sources if n in s) for n in names}
        return values[names[0]] if isinstance(nodes, str) else values

    def _keep(
        self, names: list[str], the_plan: Plan, outcome: Outcome, config: dict[str, Any]
    ) -> None:
        """Cache what a run computed and remember what it did."""
        sizes = sizes_of({**outcome.results, **the_plan.loaded})
        keys = the_plan.keys
        refused = self.cache.put_many(
            [(k, v, sizes[n]) for n, v in outcome.results.items() if (k := keys.get(n)) is not None]
        )
        not_stored = {n: refused[k] for n in outcome.results if (k := keys.get(n)) in refused}
        self.runs.record(names, the_plan, outcome, sizes, not_stored)
        self.runs.config = config
        self.cache.remember(self.name, {"inputs": self.runs.inputs, "config": config})
        for n, reason in not_stored.items():
            self.notify(f"{self.name}: '{n}' is kept in memory only, not on disk ({reason})")
        self._tell("run")

    def graph_for(self, config: dict[str, Any]) -> DataflowGraph:
        """The graph resolved with ``config``: the session's own, or one built for that config
        (every function resolved again; kept until the next change of the cells)."""
        if config == self.config:
            return self.graph
        key = digest(repr(sorted((k, repr(v)) for k, v in config.items())))
        if key not in self._derived:
            staged = self._index.stage({}, ())
            specs: list[NodeSpec] = []
            for record in self._cells.values():
                resolved = {
                    f: self._resolve(f, record.id, record.analysis, config)
                    for f in record.functions
                }
                specs += self._specs(record.id, resolved, record.analysis, staged, config)
            graph = DataflowGraph()
            graph.apply(specs, ())
            self._derived[key] = graph
        return self._derived[key]

    def export(
        self,
        path: str | Path,
        *,
        force: bool = False,
        tests: bool = False,
        source: str = "a notebook",
    ) -> Path:
        """Write the module's cells as a plain Hamilton module (see ``hamilton_nb.export``);
        with ``tests``, also ``test_<module>.py`` checking the values computed so far.

        Raises:
            ExportError: the module cannot be exported as it is (or nothing was computed
                yet, with ``tests``).
            OverwriteRefusedError: ``path`` exists and was not written by hamilton_nb (or
                was edited since); pass ``force=True`` to replace it.
        """
        from hamilton_nb.export import export_session

        return export_session(self, Path(path), source, force=force, tests=tests).path

    def widget(self) -> Any:
        """The interactive DAG widget of this module (it stays up to date)."""
        from hamilton_nb.widget import DataflowWidget

        return DataflowWidget(self)

    def load(self, path: str | Path) -> list[str]:
        """Load a Hamilton module file for editing, one pseudo-cell per function group."""
        from hamilton_nb.export import load_module

        return load_module(self, Path(path))

    def drop(self, node: str) -> GraphDiff:
        """Remove the function that defines ``node`` (and every node it produces).

        Raises:
            UnknownNodeError: no cell defines ``node``.
        """
        spec = self.graph.node(node)
        if spec is None:
            known = ", ".join(sorted(self.graph.nodes())[:10])
            raise UnknownNodeError(f"no node named '{node}'. Known nodes: {known or 'none'}.")
        record = self._cells[spec.cell]
        fn = spec.function
        diff = self.graph.apply([], record.nodes[fn])
        self._index.commit(self._index.stage({}, [fn]))
        self._derived.clear()
        self.runs.forget(diff.removed)
        self._live.namespace.pop(fn, None)
        self._owner.pop(fn, None)
        self._cells[record.id] = replace(
            record,
            names=record.names - {fn},
            functions=tuple(f for f in record.functions if f != fn),
            nodes={f: n for f, n in record.nodes.items() if f != fn},
        )
        self.last_diff = diff
        self._tell("graph")
        return diff

    def _tell(self, event: str, node: str | None = None) -> None:
        for listener in list(self.listeners):
            listener.session_changed(event, node)

    def reset(self) -> None:
        """Forget every cell: the module is emptied (the module object stays) and the graph too."""
        self._live.clear()
        self.graph = DataflowGraph()
        self._derived.clear()
        self.runs = RunBook()
        self._index = CodeIndex()
        self._cells.clear()
        self._chunks.clear()
        self._owner.clear()
        self._borrowed.clear()
        self.last_diff = GraphDiff()
        self._tell("graph")

    def close(self) -> None:
        """Finish pending cache writes, reset, and remove the module from ``sys.modules``."""
        self.cache.flush()
        self.reset()
        self._live.unregister()

    def cached_value(self, node: str) -> tuple[bool, Any]:
        """(found, value) of a node in the cache, under the inputs of the latest runs."""
        key = self.runs.current_key(self.graph, node)
        return self.cache.get(key) if key is not None else (False, None)

    def states(self) -> dict[str, str]:
        """Every node's and input's state: fresh, cached, stale, failed, input or never run."""
        return self.runs.states(self.graph, self.cache.contains)

    def status(self) -> list[StatusRow]:
        """One row per node (in cell order) and per input."""
        states = self.states()
        rows = []
        for record in self._cells.values():
            for n in record.node_names:
                spec = self.graph.node(n)
                if spec is None:
                    continue
                run = self.runs.nodes.get(n)
                rows.append(
                    StatusRow(
                        n,
                        spec.cell,
                        type_name(spec.type),
                        self.graph.dependencies(n),
                        states[n],
                        run.duration if run else None,
                        run.size if run else None,
                    )
                )
        for name, t in sorted(self.graph.inputs().items()):
            rows.append(StatusRow(name, "", type_name(t), (), INPUT))
        return rows

    def describe(self) -> str:
        """A short text picture of the graph: one line per node with its inputs and cell."""
        inputs = self.graph.inputs()
        plural = "" if len(inputs) == 1 else "s"
        names = ", ".join(sorted(inputs))
        lines = [f"{self.name}: {len(self.graph)} nodes, {len(inputs)} input{plural} ({names})"]
        for record in self._cells.values():
            for n in record.node_names:
                spec = self.graph.node(n)
                if spec is not None:
                    deps = ", ".join(self.graph.dependencies(n))
                    lines.append(f"  {n}({deps}) -> {type_name(spec.type)}  [cell {spec.cell}]")
        return "\n".join(lines)

    def notebook_imports(self) -> dict[str, str]:
        """Import statements from ordinary cells that the dataflow cells use, by name."""
        return {name: stmt for name, stmt in self._borrowed.items() if stmt}

    # -- steps of a cell run ---------------------------------------------------------------

    def _anonymous_label(self) -> str:
        self._anonymous += 1
        return f"anonymous-{self._anonymous}"

    def _replaced_cells(
        self, cid: CellId, analysis: CellAnalysis, anonymous: bool
    ) -> tuple[CellId, ...]:
        replaced = [cid] if cid in self._cells else []
        if anonymous:
            owners = {self._owner[n] for n in analysis.names if n in self._owner}
            replaced += [c for c in self._cells if c in owners and c != cid]
        return tuple(replaced)

    def _check_ownership(self, pending: _Pending, names: set[str] | frozenset[str]) -> None:
        for name in sorted(names):
            owner = self._owner.get(name)
            if owner is not None and owner not in pending.replaced:
                d = pending.analysis.definition(name)
                other = self._cells[owner].analysis.definition(name)
                raise DuplicateNodeError(
                    f"'{name}' is already defined in cell {owner}"
                    f"{f' (line {other.line})' if other else ''}. Edit that cell, or run"
                    f" `%dataflow drop {name}` first.",
                    Location(pending.cell, d.line if d else None, _first_line(d)),
                )

    def _borrow(self, pending: _Pending) -> None:
        """Copy into the module the notebook names the cell reads and the module lacks."""
        if self.notebook is None:
            return
        ns = self._live.namespace
        own = pending.analysis.names
        for name in sorted(pending.analysis.free_names - own):
            if name in ns and name not in self._borrowed:
                continue
            found, value = self.notebook.lookup(name)
            if found:
                ns[name] = value
                pending.borrowed[name] = self.notebook.import_statement(name)

    def _previous(self, replaced: tuple[CellId, ...]) -> tuple[set[str], set[str]]:
        names: set[str] = set()
        imports: set[str] = set()
        for cid in replaced:
            names |= self._cells[cid].names
            imports |= self._cells[cid].imports
        return names, imports

    def _codes(
        self, analysis: CellAnalysis, bound: set[str], borrowed: Mapping[str, str | None]
    ) -> dict[str, Code]:
        ns = self._live.namespace
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

    def _resolve(
        self, fn_name: str, cell: CellId, analysis: CellAnalysis, config: dict[str, Any]
    ) -> list[Node]:
        fn = self._live.namespace[fn_name]
        try:
            with quiet_hamilton():
                nodes = [n for n in resolve_nodes(fn, config) if n.name not in config]
        except Exception as e:
            d = analysis.definition(fn_name)
            raise CellExecutionError(
                f"Hamilton could not turn {fn_name}() into nodes: {type(e).__name__}: {e}",
                Location(cell, d.line if d else None, _first_line(d)),
            ) from e
        return nodes

    def _specs(
        self,
        cell: CellId,
        resolved: Mapping[str, list[Node]],
        analysis: CellAnalysis,
        staged: StagedIndex,
        config: dict[str, Any],
    ) -> list[NodeSpec]:
        specs: list[NodeSpec] = []
        seen: dict[str, str] = {}
        for fn_name, nodes in resolved.items():
            d = analysis.definition(fn_name)
            line = d.line if d else None
            fn_fp = self._function_fingerprint(fn_name, staged, config)
            for index, n in enumerate(nodes):
                if n.name in seen:
                    raise DuplicateNodeError(
                        f"node '{n.name}' is produced by both {seen[n.name]}() and {fn_name}()"
                        " in this cell; rename one of them.",
                        Location(cell, line, _first_line(d)),
                    )
                seen[n.name] = fn_name
                specs.append(
                    NodeSpec(
                        name=NodeName(n.name),
                        cell=cell,
                        function=fn_name,
                        index=index,
                        type=n.type,
                        inputs=tuple((p, t) for p, (t, _) in n.input_types.items()),
                        fingerprint=_node_fingerprint(fn_fp, n),
                        line=line,
                        hamilton=n,
                    )
                )
        return specs

    def _function_fingerprint(
        self, fn_name: str, staged: StagedIndex, config: dict[str, Any]
    ) -> str:
        """The code fingerprint, plus the config values its decorators read."""
        read = config_read(self._live.namespace[fn_name], config)
        return digest(
            staged.fingerprint(fn_name), repr(sorted((k, repr(v)) for k, v in read.items()))
        )

    def _refingerprint(self, staged: StagedIndex, replaced: tuple[CellId, ...]) -> list[NodeSpec]:
        """Nodes of other cells whose helpers, constants or imports this change edits."""
        specs: list[NodeSpec] = []
        for name in sorted(staged.affected(staged.changed_names())):
            owner = self._owner.get(name)
            if owner is None or owner in replaced or name not in self._cells[owner].nodes:
                continue
            fn_fp = self._function_fingerprint(name, staged, self.config)
            for node_name in self._cells[owner].nodes[name]:
                spec = self.graph.node(node_name)
                if spec is not None:
                    new = _node_fingerprint(fn_fp, spec.hamilton)
                    if new != spec.fingerprint:
                        specs.append(replace(spec, fingerprint=new))
        return specs


_MISSING = object()


class _Broadcast:
    """Progress of a run, passed on to the listeners (and to the notebook's progress)."""

    def __init__(self, session: DataflowSession, inner: Progress | None) -> None:
        self.session, self.inner = session, inner

    def start(self, total: int) -> None:
        if self.inner is not None:
            self.inner.start(total)

    def node_started(self, name: str) -> None:
        self.session._tell("node-started", name)
        if self.inner is not None:
            self.inner.node_started(name)

    def node_finished(self, name: str) -> None:
        self.session._tell("node-finished", name)
        if self.inner is not None:
            self.inner.node_finished(name)

    def done(self) -> None:
        if self.inner is not None:
            self.inner.done()


def _node_fingerprint(function_fingerprint: str, n: Node) -> str:
    inputs = ",".join(f"{p}:{type_name(t)}" for p, (t, _) in n.input_types.items())
    # Hamilton tags every node with its module's name: not part of what the node computes
    tags = repr(sorted((str(k), repr(v)) for k, v in n.tags.items() if k != "module"))
    return digest(function_fingerprint, n.name, type_name(n.type), inputs, tags)


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


def _first_line(d: Definition | None) -> str | None:
    return d.source.splitlines()[0] if d and d.source else None


def _check_mutations(analysis: CellAnalysis, cell: CellId) -> None:
    """``@mutate(f)`` changes ``f`` when its cell runs; with ``f`` in another cell, a re-run of
    either cell would lose or repeat the change, so both must live in one cell."""
    for d in analysis.definitions:
        foreign = sorted(d.mutates - analysis.names)
        if foreign:
            raise CellExecutionError(
                f"@mutate on {d.name}() targets {', '.join(foreign)}, defined in another cell."
                f" Move {d.name}() into the cell that defines {foreign[0]}().",
                Location(cell, d.line, _first_line(d)),
            )


def _execution_error(e: Exception, cell: CellId, filename: str) -> DataflowError:
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == filename]
    last = frames[-1] if frames else None
    where = Location(cell, last.lineno if last else None, last.line if last else None)
    return CellExecutionError(f"{type(e).__name__}: {e}", where)
