"""The notebook deletes a ``%%dataflow`` cell (and undoes it): the module follows, as the
JupyterLab extension tells the kernel through ``hamilton_nb.jupyter.lab``."""

from __future__ import annotations

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
