"""The DAG widget's state (Python side) as cells run, edit, run and fail, in a real shell."""

from __future__ import annotations

from pathlib import Path

from jupyter_core.paths import jupyter_path

import hamilton_nb
from hamilton_nb.jupyter.widget import BUNDLE, DataflowWidget, bundle_file
from tests.conftest import Shell

CELL = (
    "%%dataflow shop --quiet\ndef price(base: float) -> float:\n    return base * 2\n\n"
    "def total(price: float, units: int) -> float:\n    return price * units\n"
)


def _states(widget: DataflowWidget) -> dict[str, str]:
    return {n["name"]: n["state"] for n in widget.graph["nodes"]}


def test_show_displays_a_widget_that_follows_cells_runs_and_failures(shell: Shell) -> None:
    shell.ok(CELL, "c1")
    widget = shell.ok("%dataflow show --module shop")
    assert isinstance(widget, DataflowWidget) and widget.module == "shop"
    assert _states(widget) == {
        "price": "never run",
        "total": "never run",
        "base": "input",
        "units": "input",
    }
    shell.ok("%dataflow run total --module shop --inputs base=1.5 units=4")
    assert _states(widget)["total"] == "fresh" and widget.running == {}
    shell.ok(CELL.replace("base * 2", "base * 3"), "c1")  # an edit: it and its descendants
    assert _states(widget)["price"] == "stale" and _states(widget)["total"] == "stale"
    shell.ok("%%dataflow shop --quiet\ndef extra(total: float) -> float:\n    return total\n", "c2")
    assert "extra" in _states(widget)  # added in place: the same widget object
    shell.ok("%%dataflow shop --quiet\ndef extra(total: float) -> float:\n    return 1 / 0\n", "c2")
    shell.fails("%dataflow run extra --module shop --inputs base=1.5 units=4")
    assert _states(widget)["extra"] == "failed"


def test_clicking_a_node_gives_details_and_the_run_button_computes_it(shell: Shell) -> None:
    shell.ok(CELL, "c1")
    widget = hamilton_nb.session("shop").widget()
    widget.selected = "price"
    assert widget.details["preview"] is None and widget.details["source"].startswith("def price")
    widget._on_message(None, {"action": "run", "node": "total"}, None)
    assert widget.message["kind"] == "error" and "missing inputs" in widget.message["text"]
    hamilton_nb.session("shop").run("total", inputs={"base": 1.5, "units": 4})
    assert widget.details["preview"] == {"kind": "scalar", "type": "float", "text": "3.0"}
    assert widget.details["cost"]["stale"] == ["price", "total"]
    widget._on_message(None, {"action": "run", "node": "total"}, None)
    assert widget.message == {**widget.message, "kind": "info", "text": "total: computed"}


def test_the_export_button_writes_the_module(shell: Shell) -> None:
    shell.ok(CELL, "c1")
    widget = hamilton_nb.session("shop").widget()
    widget._on_message(None, {"action": "export"}, None)
    assert widget.message["text"].startswith("exported to shop.py")
    with open("shop.py") as f:
        assert "def total(price: float, units: int) -> float:" in f.read()


def test_cells_are_named_as_the_user_sees_them_not_by_their_ids(shell: Shell) -> None:
    """By the prompt they last ran under and their first functions, not the frontend's hex id."""
    shell.ok(CELL, "8c04e2a1")
    shell.ok(
        "%%dataflow shop --quiet\ndef a(total: float) -> float:\n    return total\n\n"
        "def b(a: float) -> float:\n    return a\n\ndef c(b: float) -> float:\n    return b\n",
        "8c14e2a1",
    )
    count = shell.ip.execution_count - 1
    widget = hamilton_nb.session("shop").widget()
    labels = [c["label"] for c in widget.graph["cells"]]
    assert labels == [f"In [{count - 1}] · price, total", f"In [{count}] · a, b +1"]
    shell.ok(CELL, "8c04e2a1")  # run again: its prompt follows
    labels = [c["label"] for c in widget.graph["cells"]]
    assert labels[0] == f"In [{count + 1}] · price, total"


def test_the_widget_sends_a_loader_and_the_bundle_only_when_the_browser_asks(shell: Shell) -> None:
    shell.ok(CELL, "c1")
    widget = hamilton_nb.session("shop").widget()
    assert len(widget._esm) < 5_000 and bundle_file(BUNDLE.read_bytes()) in widget._esm
    widget._on_message(None, {"action": "bundle"}, None)
    assert widget._esm == BUNDLE.read_text()


def test_the_installed_lab_extension_serves_the_bundle_under_the_loader_s_name() -> None:
    name = bundle_file(BUNDLE.read_bytes())
    served = [Path(p) / "hamilton-nb" / "static" / name for p in jupyter_path("labextensions")]
    assert any(p.is_file() and p.read_bytes() == BUNDLE.read_bytes() for p in served)
