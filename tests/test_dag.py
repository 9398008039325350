"""What the DAG widget is given: nodes, cells, edges, states, node details, the cost of an edit."""

from __future__ import annotations

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.jupyter.picture import describe, details

CELL_1 = (
    "import pandas as pd\n\n"
    "def raw(rows: int) -> pd.DataFrame:\n"
    '    """Raw rows."""\n'
    "    note = '<img src=x onerror=alert(1)>'\n"
    "    return pd.DataFrame({'n': range(rows), 'note': [note] * rows})\n\n"
    "def clean(raw: pd.DataFrame) -> pd.DataFrame:\n    return raw[raw.n > 0]\n"
)
CELL_2 = "def total(clean: pd.DataFrame) -> int:\n    return int(clean.n.sum())\n"


def _session() -> DataflowSession:
    s = DataflowSession("dag_view", cache=NodeCache(None))
    s.apply_cell(CELL_1, "c1")
    s.apply_cell(CELL_2, "c2")
    return s


def test_describe_lists_nodes_in_cell_order_with_states_cells_and_edges() -> None:
    s = _session()
    try:
        picture = describe(s)
        assert [n["name"] for n in picture["nodes"]] == ["raw", "clean", "total", "rows"]
        assert {n["state"] for n in picture["nodes"][:3]} == {"never run"}
        assert picture["cells"] == [  # no prompt given through the Python API: functions
            {"id": "c1", "nodes": ["raw", "clean"], "label": "raw, clean"},
            {"id": "c2", "nodes": ["total"], "label": "total"},
        ]
        assert ["clean", "total"] in picture["edges"]
        assert set(picture) == {"module", "nodes", "edges", "cells", "disabled"}  # it draws them
        s.run("total", inputs={"rows": 5})
        states = {n["name"]: n["state"] for n in describe(s)["nodes"]}
        assert states == {"raw": "fresh", "clean": "fresh", "total": "fresh", "rows": "input"}
    finally:
        s.close()


def test_details_give_source_docstring_preview_and_what_an_edit_would_cost() -> None:
    s = _session()
    try:
        assert details(s, "raw")["preview"] is None  # nothing computed yet
        s.run("total", inputs={"rows": 5})
        info = details(s, "raw")
        assert info["doc"] == "Raw rows." and info["signature"].startswith("raw(rows: int)")
        assert info["source"].startswith("def raw(")
        assert info["preview"]["shape"] == [5, 2]
        assert info["preview"]["rows"][0][1] == "<img src=x onerror=alert(1)>"
        cost = info["cost"]
        assert cost["stale"] == ["raw", "clean", "total"] and cost["seconds"] > 0
        assert details(s, "total")["cost"]["stale"] == ["total"]
        s.apply_cell(CELL_1.replace("raw.n > 0", "raw.n > 1"), "c1")
        assert details(s, "raw")["cost"]["stale"] == ["raw"]  # the others are stale already
    finally:
        s.close()
