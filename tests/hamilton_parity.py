"""Compare a session's graph with the graph Hamilton builds from the live module."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from hamilton import driver
from hamilton.node import Node

from hamilton_nb.analysis.typenames import type_name
from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.run.hamilton import wired_nodes


def hamilton_structure(
    module: ModuleType, config: dict[str, Any]
) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """``name -> (kind, type, dependencies)`` from ``Builder().with_modules(module).build()``."""
    dr = driver.Builder().with_modules(module).with_config(config).build()
    return {
        name: (
            "input" if n.user_defined else "node",
            type_name(n.type),
            tuple(d.name for d in n.dependencies),
        )
        for name, n in dr.graph.nodes.items()
    }


def assert_matches_hamilton(session: DataflowSession) -> None:
    """The session's nodes, inputs, types and edges are exactly Hamilton's."""
    ours = {
        name: ("input" if kind == "input" else "node", t, deps)
        for name, (kind, t, deps) in session.graph.structure().items()
    }
    for key in session.config.keys() - ours.keys():  # Hamilton adds config keys as nodes
        ours[key] = ("input", type_name(Any), ())
    theirs = hamilton_structure(session.module, session.config)
    assert ours.keys() == theirs.keys(), (
        f"only ours: {sorted(ours.keys() - theirs.keys())}, "
        f"only Hamilton's: {sorted(theirs.keys() - ours.keys())}"
    )
    different = {n: (ours[n], theirs[n]) for n in ours if ours[n] != theirs[n]}
    assert not different, different


def wired(nodes: dict[str, Node]) -> dict[str, tuple[str, bool, list[str], list[str]]]:
    """Hamilton node objects as comparable data: type, input or not, and both edge lists."""
    return {
        name: (
            type_name(n.type),
            n.user_defined,
            sorted(d.name for d in n.dependencies),
            sorted(d.name for d in n.depended_on_by),
        )
        for name, n in nodes.items()
    }


def assert_wiring_matches_hamilton(session: DataflowSession) -> None:
    """The incrementally kept node objects equal what Hamilton wires from the module."""
    dr = driver.Builder().with_modules(session.module).with_config(session.config).build()
    theirs = {n: v for n, v in wired(dr.graph.nodes).items() if n not in session.config}
    assert wired(wired_nodes(session.graph)) == theirs
