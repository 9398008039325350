"""What a session reports: the status table and a short text picture of the graph."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import replace
from typing import Any

from hamilton_nb.analysis.typenames import type_name
from hamilton_nb.errors import UnknownNodeError, close_names, did_you_mean
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.run.runbook import INPUT, RunBook
from hamilton_nb.sessions.records import CellRecord, CellResult, StatusRow


def status(
    graph: DataflowGraph,
    cells: Iterable[CellRecord],
    runs: RunBook,
    states: Mapping[str, str],
) -> list[StatusRow]:
    """One row per node (in cell order) and per input."""
    rows = []
    last = runs.nodes
    for record in cells:
        for n in record.node_names:
            spec = graph.node(n)
            if spec is None:
                continue
            run = last.get(n)
            rows.append(
                StatusRow(
                    n,
                    spec.cell,
                    type_name(spec.type),
                    graph.dependencies(n),
                    states[n],
                    run.duration if run else None,
                    run.size if run else None,
                )
            )
    for name, t in sorted(graph.inputs().items()):
        rows.append(StatusRow(name, "", type_name(t), (), INPUT))
    return rows


def describe(module: str, graph: DataflowGraph, cells: Iterable[CellRecord]) -> str:
    """One line for the module and its inputs, then one per node with its inputs and cell."""
    inputs = graph.inputs()
    plural = "" if len(inputs) == 1 else "s"
    names = ", ".join(sorted(inputs))
    lines = [f"{module}: {len(graph)} nodes, {len(inputs)} input{plural} ({names})"]
    for record in cells:
        for n in record.node_names:
            spec = graph.node(n)
            if spec is not None:
                deps = ", ".join(graph.dependencies(n))
                lines.append(f"  {n}({deps}) -> {type_name(spec.type)}  [cell {spec.cell}]")
    return "\n".join(lines)


def for_user(
    result: CellResult, graph: DataflowGraph, inputs_before: Set[str], ran: Mapping[str, Any]
) -> CellResult:
    """A cell's result as its summary line tells it: the inputs it added (with the node each
    looks like), and as stale only the nodes that ran (one never run is not stale)."""
    if new := graph.input_names() - inputs_before:
        result = replace(result, new_inputs=new_inputs(graph, new))
    if any(n not in ran for n in result.diff.stale):
        stale = frozenset(n for n in result.diff.stale if n in ran)
        result = replace(result, diff=replace(result.diff, stale=stale))
    return result


def new_inputs(graph: DataflowGraph, names: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
    """Inputs a cell added, each with the node or older input whose name it looks like (a
    typo in a parameter name becomes an input no one gives: ``n_rowz`` for ``n_rows``)."""
    new = sorted(names)
    known = [str(n) for n in graph.nodes()] + sorted(graph.input_names() - set(new))
    return tuple((name, next(iter(close_names(name, known)), None)) for name in new)


def unknown_node(node: str, graph: DataflowGraph) -> UnknownNodeError:
    """The error for a node the graph lacks: the name it probably meant, else some it has."""
    known = ", ".join(sorted(graph.nodes())[:10]) or "none"
    hint = did_you_mean(node, graph.nodes()) or f" Known nodes: {known}."
    return UnknownNodeError(f"no node named '{node}'.{hint}")
