"""The DAG as the widget sees it: nodes with their cell, type, state and cost, cells, edges.

The browser builds the drawing (DOT, for Graphviz) from this picture: see
``labextension/widget/dot.ts``. The TypedDicts here and the interfaces in
``labextension/widget/model.ts`` name the same fields; change both together.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NotRequired, TypedDict

from hamilton_nb.analysis.typenames import type_name
from hamilton_nb.ids import CellId, NodeName
from hamilton_nb.jupyter.preview import preview
from hamilton_nb.jupyter.provenance import Disabled, Origin, disabled, origin
from hamilton_nb.run.runbook import FRESH, INPUT
from hamilton_nb.sessions.view import DataflowView


class PictureNode(TypedDict):
    """A node, or an input (``cell`` None, and only the first four fields)."""

    name: str
    type: str
    cell: CellId | None
    state: str  # fresh, cached, stale, failed, input, never run or not cached (parallel block)
    line: NotRequired[int | None]
    dependencies: NotRequired[list[str]]
    duration: NotRequired[float | None]
    size: NotRequired[int | None]
    change: NotRequired[str | None]  # the gist of how the latest run changed its value
    group: NotRequired[str | None]  # its function, when that makes more nodes than this one
    origin: NotRequired[Origin | None]  # what produced it, when not a function of its name


class PictureCell(TypedDict):
    id: CellId
    nodes: list[NodeName]  # in the order the cell defines them
    label: str  # how the user knows the cell: "In [3] · raw, clean +2"


class Picture(TypedDict):
    module: str
    nodes: list[PictureNode]  # in cell order, then the inputs by name
    edges: list[list[str]]  # [from, to]: ``to`` depends on ``from``
    cells: list[PictureCell]
    disabled: list[Disabled]  # functions the config turns off (``@config.when``)


class EditCost(TypedDict):
    node: str
    stale: list[str]  # the cached nodes an edit would turn stale: it and its descendants
    seconds: float


class NodeDetails(TypedDict):
    name: str
    signature: str
    doc: str
    source: str
    cost: EditCost
    preview: dict[str, Any] | None  # see ``preview.preview``; None when nothing is cached


class InputDetails(TypedDict):
    name: str
    input: Literal[True]


def describe(session: DataflowView) -> Picture:
    """A JSON-ready picture of the session's graph.

    Nodes come in cell order, then inputs, so a cell adding one node keeps the order of the
    others (and the browser's layout of them).
    """
    graph = session.graph
    states = session.states()
    runs = session.runs.nodes
    prompts = session.cell_prompts
    last = session.runs.last
    changed = last.changed if last is not None else {}
    nodes: list[PictureNode] = []
    cells: list[PictureCell] = []
    off: list[Disabled] = []
    for record in session.cells.values():
        turned_off = disabled(record)
        off += turned_off
        names = [n for n in record.node_names if n in graph]
        if names or turned_off:
            label = cell_label(record.functions, prompts.get(record.id))
            cells.append({"id": record.id, "nodes": names, "label": label})
        for name in names:
            spec = graph.nodes()[name]
            run = runs.get(name)
            made = len(record.nodes.get(spec.function, ()))
            d = record.analysis.definition(spec.function)
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
                    "change": changed.get(name) if states[name] == FRESH else None,
                    "group": spec.function if made > 1 else None,
                    "origin": origin(name, spec.function, made, d.source) if d else None,
                }
            )
    for input_name, t in sorted(graph.inputs().items()):
        nodes.append({"name": input_name, "type": type_name(t), "cell": None, "state": INPUT})
    edges = [[dep, n["name"]] for n in nodes for dep in n.get("dependencies", [])]
    return {"module": session.name, "nodes": nodes, "edges": edges, "cells": cells, "disabled": off}


def cell_label(functions: Sequence[str], prompt: str | None) -> str:
    """A cell as the user knows it: its prompt when the notebook gave one (``In [3]``), and its
    first functions (``raw, clean +2``), never its id."""
    names = ", ".join(functions[:2]) + (f" +{len(functions) - 2}" if len(functions) > 2 else "")
    shown = prompt.replace("In[", "In [", 1) if prompt else None
    return " · ".join(part for part in (shown, names) if part) or "cell"


def details(
    session: DataflowView, node: str, states: Mapping[str, str] | None = None
) -> NodeDetails | InputDetails:
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
    session: DataflowView, node: str, states: Mapping[str, str] | None = None
) -> EditCost:
    """What editing ``node`` would cost: the cached nodes that would turn stale (it and its
    descendants) and the sum of their last durations."""
    names = [node, *sorted(session.graph.descendants([node]))]
    states = session.states() if states is None else states
    cached = [n for n in names if states.get(n) in ("fresh", "cached")]
    runs = session.runs.nodes
    seconds = sum((r.duration or 0.0) for n in cached if (r := runs.get(n)) is not None)
    return {"node": node, "stale": cached, "seconds": seconds}
