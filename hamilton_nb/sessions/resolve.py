"""Functions to graph nodes: Hamilton resolves them; we add where they come from and their
fingerprints. Also the graphs a session builds for another config."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from types import FunctionType
from typing import Any

from hamilton.node import Node

from hamilton_nb.analysis.cells import CellAnalysis
from hamilton_nb.analysis.digest import digest
from hamilton_nb.cache.callables import OwnCode, callable_digest, code_digest, global_names
from hamilton_nb.cache.keys import function_fingerprint, node_fingerprint
from hamilton_nb.errors import CellExecutionError, DuplicateNodeError, Location
from hamilton_nb.graph.code_index import StagedIndex
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.graph.model import NodeSpec
from hamilton_nb.ids import CellId, NodeName
from hamilton_nb.run.hamilton import config_read, mutators, resolve
from hamilton_nb.sessions.book import first_line
from hamilton_nb.sessions.livemodule import function_code
from hamilton_nb.sessions.records import CellRecord


class Resolver:
    """Turns a live module's functions into ``NodeSpec``s under a config.

    Responsibilities: resolve one function with Hamilton (errors located at its cell and
    line); make the specs of a cell's functions with their fingerprints; re-fingerprint nodes
    of other cells whose helpers a change edits; build (and keep, until the cells change) the
    graph of the same cells under another config.
    """

    def __init__(self, namespace: dict[str, Any], owns_code: Callable[[object], bool]) -> None:
        self.namespace = namespace
        self.owns_code = owns_code  # whether a function was compiled from the module's cells
        self._derived: dict[str, DataflowGraph] = {}

    def resolve(
        self, fn_name: str, cell: CellId, analysis: CellAnalysis, config: Mapping[str, Any]
    ) -> list[Node]:
        """Hamilton's nodes of function ``fn_name``.

        Raises:
            CellExecutionError: Hamilton refused the function (a decorator misused, ...).
        """
        try:
            return resolve(self.namespace[fn_name], config)
        except Exception as e:
            d = analysis.definition(fn_name)
            raise CellExecutionError(
                f"Hamilton could not turn {fn_name}() into nodes: {type(e).__name__}: {e}",
                Location(cell, d.line if d else None, first_line(d)),
            ) from e

    def specs(
        self,
        cell: CellId,
        resolved: Mapping[str, list[Node]],
        analysis: CellAnalysis,
        staged: StagedIndex,
        config: Mapping[str, Any],
    ) -> list[NodeSpec]:
        """The specs of a cell's resolved functions.

        Raises:
            DuplicateNodeError: two functions of the cell produce the same node.
        """
        specs: list[NodeSpec] = []
        seen: dict[str, str] = {}
        for fn_name, nodes in resolved.items():
            d = analysis.definition(fn_name)
            line = d.line if d else None
            fingerprints = self._fingerprints(fn_name, nodes, staged, config)
            for index, n in enumerate(nodes):
                if n.name in seen:
                    raise DuplicateNodeError(
                        f"node '{n.name}' is produced by both {seen[n.name]}() and {fn_name}()"
                        " in this cell; rename one of them.",
                        Location(cell, line, first_line(d)),
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
                        fingerprint=fingerprints[index],
                        line=line,
                        hamilton=n,
                    )
                )
        return specs

    def _fingerprints(
        self, fn_name: str, nodes: list[Node], staged: StagedIndex, config: Mapping[str, Any]
    ) -> list[str]:
        """Each node's fingerprint: what its callable holds (``cache.callables``: an edit to
        one step of a decorated function changes that step's nodes only), or, where a part
        of it cannot be read, the whole function's fingerprint."""
        read = config_read(self.namespace[fn_name], config)
        own = self._own(staged)
        whole: str | None = None
        fingerprints = []
        for n in nodes:
            held = callable_digest(n.callable, own)
            if held is not None:
                fingerprints.append(node_fingerprint(function_fingerprint(held, read), n))
                continue
            if whole is None:
                whole = self.fingerprint(fn_name, staged, config)
            fingerprints.append(node_fingerprint(whole, n))
        return fingerprints

    def _own(self, staged: StagedIndex) -> OwnCode:
        """The fingerprint of a function or class of the module's code, found by the name it
        is bound to (None: the module does not bind it under its own name)."""
        ns, owns_code = self.namespace, self.owns_code

        def bare(name: str) -> bool:  # the name holds its own def's function, as written
            fn = ns.get(name)
            return (
                isinstance(fn, FunctionType) and owns_code(fn) and fn.__code__.co_qualname == name
            )

        def own(obj: object) -> str | None:
            if isinstance(obj, FunctionType) and owns_code(obj):
                code = obj.__code__
                name = code.co_qualname  # its def's name (``@config.when`` renames)
                if ns.get(name) is obj and staged.code(name) is not None:
                    return staged.undecorated_fingerprint(name, bare)
                # a function nested in one, a lambda, or a def since bound again: its code,
                # and the module's names it may read (the caller reads its closure and
                # defaults)
                reads = sorted(n for n in global_names(code) if staged.code(n) is not None)
                return digest(code_digest(code), *(f"{n}={staged.fingerprint(n)}" for n in reads))
            elsewhere = function_code(obj)  # defined in another live module
            if elsewhere is not None:
                return elsewhere
            bound = getattr(obj, "__name__", None)
            if isinstance(bound, str) and ns.get(bound) is obj and staged.code(bound) is not None:
                return staged.fingerprint(bound)
            return None

        return own

    def fingerprint(self, fn_name: str, staged: StagedIndex, config: Mapping[str, Any]) -> str:
        """A function's fingerprint: its code's, the code of the functions ``@mutate`` applies
        to it, and the config values its decorators read."""
        fn = self.namespace[fn_name]
        read = config_read(fn, config)
        code = staged.fingerprint(fn_name)
        steps = [m.__name__ for m in mutators(fn) if self.namespace.get(m.__name__) is m]
        if steps:
            code = digest(code, *(staged.fingerprint(s) for s in steps))
        return function_fingerprint(code, read)

    def refingerprint(
        self,
        graph: DataflowGraph,
        functions: Iterable[tuple[str, tuple[NodeName, ...]]],
        staged: StagedIndex,
        config: Mapping[str, Any],
    ) -> list[NodeSpec]:
        """Specs, with new fingerprints, of the nodes of ``functions`` (name, its nodes) that
        the staged change gives another fingerprint."""
        specs: list[NodeSpec] = []
        for fn_name, node_names in functions:
            old = [s for n in node_names if (s := graph.node(n)) is not None]
            new = self._fingerprints(fn_name, [s.hamilton for s in old], staged, config)
            specs += [
                replace(s, fingerprint=f)
                for s, f in zip(old, new, strict=True)
                if f != s.fingerprint
            ]
        return specs

    def resolve_cells(
        self, cells: Iterable[CellRecord], staged: StagedIndex, config: Mapping[str, Any]
    ) -> tuple[list[NodeSpec], dict[CellId, dict[str, tuple[NodeName, ...]]]]:
        """Every function of ``cells`` resolved again under ``config``: the specs, and each
        cell's node names per function.

        Raises:
            DataflowError: a function cannot be resolved, or two cells produce one node.
        """
        specs: list[NodeSpec] = []
        nodes: dict[CellId, dict[str, tuple[NodeName, ...]]] = {}
        for record in cells:
            resolved = {
                f: self.resolve(f, record.id, record.analysis, config) for f in record.functions
            }
            specs += self.specs(record.id, resolved, record.analysis, staged, config)
            nodes[record.id] = {
                f: tuple(NodeName(n.name) for n in ns) for f, ns in resolved.items()
            }
        check_unique(specs, config)
        return specs, nodes

    def graph_for(
        self, config: Mapping[str, Any], cells: Iterable[CellRecord], staged: StagedIndex
    ) -> DataflowGraph:
        """The graph of ``cells`` with every function resolved again under ``config`` (kept
        until ``forget_derived``).

        Raises:
            DataflowError: a function cannot be resolved, or the graph would be invalid.
        """
        key = digest(repr(sorted((k, repr(v)) for k, v in config.items())))
        if key not in self._derived:
            specs, _ = self.resolve_cells(cells, staged, config)
            graph = DataflowGraph()
            graph.apply(specs, ())
            self._derived[key] = graph
        return self._derived[key]

    def forget_derived(self) -> None:
        """Drop the graphs built for other configs: the cells changed (mutates)."""
        self._derived.clear()


def check_unique(specs: Iterable[NodeSpec], config: Mapping[str, Any] | None = None) -> None:
    """Refuse two functions of different cells that produce the same node (under ``config``,
    when given; within a cell, ``specs`` already refuses it).

    Raises:
        DuplicateNodeError: at the later of the two.
    """
    seen: dict[str, NodeSpec] = {}
    under = f"with config {dict(config)!r}, " if config else ""
    for spec in specs:
        first = seen.setdefault(spec.name, spec)
        if first is not spec:
            raise DuplicateNodeError(
                f"{under}node '{spec.name}' is produced by both {first.function}() (cell"
                f" {first.cell}, line {first.line}) and {spec.function}(); give one of them"
                f" another name{' or another @config.when' if config else ''}.",
                spec.where(),
            )
