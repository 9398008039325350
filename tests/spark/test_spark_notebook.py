"""notebooks/spark.ipynb runs top to bottom in a real kernel of the Spark environment, its own
asserts included (the main environment's tests/test_examples.py leaves it out)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.test_examples import GENERATED, NOTEBOOKS


def test_the_spark_notebook_runs_top_to_bottom_without_an_error(tmp_path: Path) -> None:
    workdir = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, workdir, ignore=GENERATED)  # the notebook writes beside itself
    nb = nbformat.read(workdir / "spark.ipynb", as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    try:
        client.execute()
    except CellExecutionError as e:
        pytest.fail(f"spark.ipynb: a cell failed\n{e}", pytrace=False)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert (workdir / "build" / "regions.py").exists()  # exported, then run by plain Hamilton
