"""The example notebooks run top to bottom in a real kernel, their own asserts included."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXAMPLES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
# needs pyspark and pandas 2: run in the Spark environment, by tests/spark/test_spark_notebook.py
SPARK = "spark.ipynb"
# what running the notebooks leaves beside them: never copied, so each run starts clean
GENERATED = shutil.ignore_patterns(
    ".hamilton_nb", ".ipynb_checkpoints", "__pycache__", "*.py", "test_*_data"
)


def test_there_are_examples_to_run() -> None:
    assert {"quickstart.ipynb", "iterate_at_scale.ipynb", "to_production.ipynb", SPARK} <= set(
        EXAMPLES
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_notebook_is_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    ran = [i for i, c in enumerate(nb.cells) if c.get("outputs") or c.get("execution_count")]
    assert ran == [], f"{name}: cells {ran} keep outputs; clear them before committing"


@pytest.mark.parametrize("name", [n for n in EXAMPLES if n != SPARK])
def test_the_notebook_runs_top_to_bottom_without_an_error(name: str, tmp_path: Path) -> None:
    workdir = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, workdir, ignore=GENERATED)  # the notebooks write beside themselves
    nb = nbformat.read(workdir / name, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    try:
        client.execute()
    except CellExecutionError as e:
        pytest.fail(f"{name}: a cell failed\n{e}", pytrace=False)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


def test_the_exported_quickstart_runs_with_plain_hamilton_as_start_sh_headless_does(
    tmp_path: Path,
) -> None:
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks", ignore=GENERATED)
    module = "build/sales.py"
    steps = [
        ["-m", "hamilton_nb.jupyter.cli", "export", "notebooks/quickstart.ipynb", "-o", module],
        [str(ROOT / "scripts" / "run_exported.py"), module, "path=notebooks/data/sales.csv"],
    ]
    for step in steps:
        done = subprocess.run(
            [sys.executable, *step], cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    assert "best_region = 'south'" in done.stdout and "total = 2308.22" in done.stdout
    assert not (tmp_path / "notebooks" / "sales.py").exists()  # it would shadow the live module
