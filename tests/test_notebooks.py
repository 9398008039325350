"""Real notebooks through nbclient and a real kernel (no cell ids there: the fallback rule)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook

from tests.conftest import plain

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
CLI = [sys.executable, "-m", "hamilton_nb.jupyter.cli"]


def _run(cells: list[str], tmp_path: Path) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    try:
        client.execute()
    finally:
        nbformat.write(nb, tmp_path / "ran.ipynb")
    return nb


def _text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_quickstart_runs_headless_and_prints_each_dataflow(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hamilton_nb.jupyter.cli",
            "execute",
            str(NOTEBOOKS / "quickstart.ipynb"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "sales: 5 nodes, 1 input (path)" in done.stdout
    assert "best_region(by_region) -> str" in done.stdout


def test_the_cli_fails_when_a_cell_fails(tmp_path: Path) -> None:
    broken = new_notebook(cells=[new_code_cell("%load_ext hamilton_nb"), new_code_cell("1/0")])
    nbformat.write(broken, tmp_path / "broken.ipynb")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hamilton_nb.jupyter.cli",
            "execute",
            str(tmp_path / "broken.ipynb"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and "ZeroDivisionError" in done.stderr


def test_a_rejected_cell_stops_run_all_with_a_short_message(tmp_path: Path) -> None:
    cells = [
        "%load_ext hamilton_nb",
        "%%dataflow\ndef a(c: int) -> int:\n    return c\n\ndef b(a: int) -> int:\n    return a",
        "%%dataflow\ndef c(b: int) -> int:\n    return b",
        "ran_after = True",
    ]
    with pytest.raises(CellExecutionError) as info:
        _run(cells, tmp_path)
    assert info.value.ename == "CycleError"
    assert "cell In[3], line 2" in info.value.evalue and "c -> a -> b -> c" in info.value.evalue
    nb = nbformat.read(tmp_path / "ran.ipynb", as_version=4)
    error = next(o for o in nb.cells[2].outputs if o.output_type == "error")
    shown = plain("\n".join(error.traceback))
    assert "hamilton_nb/" not in shown  # no frame of ours, whichever module raised
    assert nb.cells[3].execution_count is None  # Run All stopped at the rejected cell


def test_without_cell_ids_a_redefinition_takes_over_the_earlier_cell(tmp_path: Path) -> None:
    nb = _run(
        [
            "%load_ext hamilton_nb\nimport hamilton_nb",
            "%%dataflow\ndef a() -> int:\n    return 1\n\ndef b(a: int) -> int:\n    return a",
            "%%dataflow\ndef a() -> int:\n    return 2",
            "print(sorted(hamilton_nb.session().graph.nodes()))",
        ],
        tmp_path,
    )
    assert _text(nb.cells[2]).strip() == "dataflow: ~1 changed, -1 removed, 0 stale"
    assert _text(nb.cells[3]).strip() == "['a']"


def test_a_run_longer_than_a_second_shows_its_progress_in_the_cell(tmp_path: Path) -> None:
    nb = _run(
        [
            "%load_ext hamilton_nb",
            "%%dataflow slow\nimport time\n\n"
            "def a() -> int:\n    time.sleep(0.7)\n    return 1\n\n"
            "def b(a: int) -> int:\n    time.sleep(0.7)\n    return a + 1\n\n"
            "def c(b: int) -> int:\n    return b + 1",
            "%dataflow run c --module slow",
            "%dataflow run c --module slow",
        ],
        tmp_path,
    )
    shown = [o for o in nb.cells[2].outputs if o.output_type == "display_data"]
    assert len(shown) == 1 and shown[0].data["text/plain"].startswith("3/3 nodes in ")
    assert nb.cells[2].outputs[-1].data["text/plain"] == "3"
    assert [o.output_type for o in nb.cells[3].outputs] == ["execute_result"]  # all cached


def test_a_notebook_saved_with_the_widget_state_does_not_hold_the_widget_bundle(
    tmp_path: Path,
) -> None:
    nb = _run(
        [
            "%load_ext hamilton_nb",
            "%%dataflow tour\ndef a() -> int:\n    return 1\n\ndef b(a: int) -> int:\n    return a",
            "%dataflow show --module tour",
        ],
        tmp_path,
    )
    # nbclient saves the widgets' state in the notebook, as JupyterLab does
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    (widget,) = (m["state"] for m in state.values() if m["state"].get("module") == "tour")
    assert len(widget["_esm"]) < 10_000  # a loader: the bundle comes from the lab extension
    assert (tmp_path / "ran.ipynb").stat().st_size < 100_000
