"""The notebook deletes a ``%%dataflow`` cell (and undoes it): the module follows, as the
JupyterLab extension tells the kernel through ``hamilton_nb.jupyter.lab``."""

from __future__ import annotations

import json
import sys

import pytest

import hamilton_nb
from tests.conftest import Shell

LOAD = "%%dataflow shop\ndef raw(rows: int) -> int:\n    return rows * 2\n"
REPORT = "%%dataflow shop\ndef total(raw: int) -> int:\n    return raw + 1\n"


def _nodes() -> set[str]:
    return set(hamilton_nb.session("shop").graph.nodes())


def test_a_deleted_cell_leaves_the_module_and_an_undo_brings_it_back(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok(LOAD, "cell-load")
    shell.ok(REPORT, "cell-report")
    assert shell.ok("%dataflow run total --module shop --inputs rows=2") == 5
    capsys.readouterr()
    shell.ok("from hamilton_nb.jupyter import lab\nlab.delete_cells(['cell-report'])")
    assert "hamilton_nb: deleted cell: shop: -1 removed" in capsys.readouterr().out
    assert _nodes() == {"raw"} and not hasattr(sys.modules["shop"], "total")
    shell.ok("lab.restore_cells(['cell-report'])")
    assert "hamilton_nb: restored cell: shop: +1" in capsys.readouterr().out
    assert _nodes() == {"raw", "total"}
    assert shell.ok("%dataflow run total --module shop --inputs rows=2") == 5
    shell.ok("lab.restore_cells(['cell-report'])")  # nothing deleted any more: nothing happens
    assert _nodes() == {"raw", "total"}


def test_a_deletion_the_module_cannot_take_leaves_it_as_it_was(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another cell's decorator reads the deleted cell's constant when it runs."""
    shell.ok("%%dataflow shop\nLIMIT = 10\n", "cell-limit")
    shell.ok(
        "%%dataflow shop\nfrom hamilton.function_modifiers import check_output\n\n"
        "@check_output(range=(0, LIMIT))\ndef total(rows: int) -> int:\n    return rows\n",
        "cell-total",
    )
    capsys.readouterr()
    shell.ok("from hamilton_nb.jupyter import lab\nlab.delete_cells(['cell-limit'])")
    out = capsys.readouterr().out
    assert "hamilton_nb refused: the deleted cell's names stay in module shop" in out
    assert "LIMIT" in out
    assert sys.modules["shop"].LIMIT == 10 and "total" in _nodes()
    assert shell.ok("%dataflow run total --module shop --inputs rows=3") == 3


def test_deleting_a_cell_no_module_knows_changes_nothing(shell: Shell) -> None:
    shell.ok(LOAD, "cell-load")
    shell.ok("from hamilton_nb.jupyter import lab\nlab.delete_cells(['markdown-cell'])")
    assert _nodes() == {"raw"}


def test_each_dataflow_cell_has_the_states_of_its_nodes_for_its_badge(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    def states() -> dict[str, dict[str, int]]:
        capsys.readouterr()
        shell.ok("from hamilton_nb.jupyter import lab\nlab.cell_states()")
        line = capsys.readouterr().out.strip().splitlines()[-1]
        assert line.startswith("hamilton_nb states: ")
        return json.loads(line.removeprefix("hamilton_nb states: "))

    shell.ok(LOAD, "cell-load")
    shell.ok(REPORT + "\ndef broken(total: int) -> int:\n    return 1 // 0\n", "cell-report")
    assert states() == {"cell-load": {"never run": 1}, "cell-report": {"never run": 2}}
    shell.ok("%dataflow run total --module shop --inputs rows=2")
    assert states() == {"cell-load": {"fresh": 1}, "cell-report": {"never run": 1, "fresh": 1}}
    shell.run("%dataflow run broken --module shop --inputs rows=2")
    assert states() == {"cell-load": {"cached": 1}, "cell-report": {"failed": 1, "cached": 1}}
    shell.ok(LOAD.replace("rows * 2", "rows * 3"), "cell-load")  # all of it stale now
    assert states() == {"cell-load": {"stale": 1}, "cell-report": {"stale": 2}}
