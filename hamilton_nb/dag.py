"""The DAG as the widget sees it: nodes with their cell, type, state and cost; DOT for layout."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import graphviz

from hamilton_nb.graph import type_name
from hamilton_nb.preview import preview
from hamilton_nb.runs import INPUT
from hamilton_nb.sessions import DataflowSession

LARGE = 300  # nodes


def describe(session: DataflowSession) -> dict[str, Any]:
    """A JSON-ready picture of the session's graph.

    Nodes come in cell order, then inputs; ``dot`` holds only the structure (names, types,
    edges, cells as clusters), so a change of state restyles the drawing without a new layout,
    and a cell adding one node keeps the order of the others.
    """
    graph = session.graph
    states = session.states()
    runs = session.runs.nodes
    nodes: list[dict[str, Any]] = []
    cells: list[dict[str, Any]] = []
    for record in session.cells.values():
        names = [n for n in record.node_names if n in graph]
        if names:
            cells.append({"id": record.id, "nodes": names})
        for name in names:
            spec = graph.nodes()[name]
            run = runs.get(name)
            nodes.append(
                {
                    "name": name,
                    "type": type_name(spec.type),
                    "cell": record.id,
                    "line": spec.line,
                    "state": states[name],
                    "dependencies": list(graph.dependencies(name)),
                    "duration": run.duration if run else None,
                    "size": run.size if run else None,
                }
            )
    for input_name, t in sorted(graph.inputs().items()):
        nodes.append({"name": input_name, "type": type_name(t), "cell": None, "state": INPUT})
    edges = [[dep, n["name"]] for n in nodes for dep in n.get("dependencies", [])]
    return {
        "module": session.name,
        "nodes": nodes,
        "edges": edges,
        "cells": cells,
        "dot": dot(nodes, cells),
    }


def dot(nodes: list[dict[str, Any]], cells: list[dict[str, Any]]) -> str:
    """Graphviz DOT of the structure: one cluster per cell, inputs outside them."""
    attrs = {"rankdir": "TB", "nodesep": "0.25", "ranksep": "0.4"}
    if len(nodes) > LARGE:  # fewer crossing-reduction passes: a big graph lays out in time
        attrs.update(mclimit="0.2", nslimit="2", nslimit1="2")
    g = graphviz.Digraph("dataflow", graph_attr=attrs)
    g.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="11")
    by_name = {n["name"]: n for n in nodes}
    for index, cell in enumerate(cells):
        with g.subgraph(name=f"cluster_{index}") as sub:
            sub.attr(
                label=f"cell {cell['id']}", style="dashed", fontsize="10", fontname="Helvetica"
            )
            for name in cell["nodes"]:
                sub.node(name, label=f"{name}\n{by_name[name]['type']}", id=f"node-{name}")
    for n in nodes:
        if n["cell"] is None:
            g.node(
                n["name"],
                label=f"{n['name']}\n{n['type']}",
                id=f"node-{n['name']}",
                shape="ellipse",
            )
    for n in nodes:
        for dep in n.get("dependencies", []):
            g.edge(dep, n["name"], id=f"edge-{dep}-{n['name']}")
    source: str = g.source
    return source


def details(
    session: DataflowSession, node: str, states: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the side panel shows for a node: signature, docstring, source, the cost of editing
    it, and a preview of its cached value (under the latest run's inputs)."""
    spec = session.graph.node(node)
    if spec is None:
        return {"name": node, "input": True}
    fn = session.module.__dict__.get(spec.function)
    try:
        source = inspect.getsource(fn) if fn is not None else ""
        signature = f"{spec.function}{inspect.signature(fn)}" if fn is not None else ""
    except (OSError, TypeError, ValueError):
        source, signature = "", ""
    found, value = session.cached_value(node)
    return {
        "name": node,
        "signature": signature,
        "doc": spec.hamilton.documentation or "",
        "source": source,
        "cost": edit_cost(session, node, states),
        "preview": preview(value) if found else None,
    }


def edit_cost(
    session: DataflowSession, node: str, states: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What editing ``node`` would cost: the cached nodes that would turn stale (it and its
    descendants) and the sum of their last durations."""
    names = [node, *sorted(session.graph.descendants([node]))]
    states = session.states() if states is None else states
    cached = [n for n in names if states.get(n) in ("fresh", "cached")]
    runs = session.runs.nodes
    seconds = sum((r.duration or 0.0) for n in cached if (r := runs.get(n)) is not None)
    return {"node": node, "stale": cached, "seconds": seconds}
