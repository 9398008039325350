"""What a session reports: the status table and a short text picture of the graph."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hamilton_nb.analysis.typenames import type_name
from hamilton_nb.errors import close_names
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.run.runbook import INPUT, RunBook
from hamilton_nb.sessions.records import CellRecord, StatusRow


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


def new_inputs(graph: DataflowGraph, names: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
    """Inputs a cell added, each with the node or older input whose name it looks like (a
    typo in a parameter name becomes an input no one gives: ``n_rowz`` for ``n_rows``)."""
    new = sorted(names)
    known = [str(n) for n in graph.nodes()] + sorted(graph.input_names() - set(new))
    return tuple((name, next(iter(close_names(name, known)), None)) for name in new)
