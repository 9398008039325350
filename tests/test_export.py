"""Export: golden modules, Hamilton equality, safe writing, the CLI, load and export again."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pandas as pd
import pytest
from hamilton import driver
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import hamilton_nb
from hamilton_nb.errors import ExportError, OverwriteRefusedError
from hamilton_nb.export.files import is_generated_and_unedited
from hamilton_nb.export.notebook import read_notebook
from hamilton_nb.export.render import render
from hamilton_nb.export.replay import export_notebook, session_from_notebook
from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell
from tests.hamilton_parity import assert_matches_hamilton

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("HAMILTON_NB_UPDATE_GOLDEN") == "1"

NOTEBOOKS: dict[str, list[str]] = {
    "features": [
        "# Features\nA markdown cell: left out.",
        "%load_ext hamilton_nb\nimport json\nimport numpy as np\nimport pandas as pd\n"
        "from hamilton.function_modifiers import check_output, config, extract_columns, "
        "parameterize, source",
        "%%dataflow\nTHRESHOLD = 0.5  # a constant\n\n\ndef _zscore(s: pd.Series) -> pd.Series:\n"
        '    return (s - s.mean()) / s.std()\n\n\n@extract_columns("a", "b")\n'
        "def frame(n: int) -> pd.DataFrame:\n"
        '    """Two columns."""\n    rng = np.random.default_rng(0)\n'
        '    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})',
        "frame_preview = 1 + 1  # an exploratory cell: left out",
        "%%dataflow\nimport math\nimport os  # unused: left out\n\n\n"
        '@parameterize(a_z={"s": source("a")}, b_z={"s": source("b")})\n'
        "def zscored(s: pd.Series) -> pd.Series:\n    return _zscore(s)\n\n\n"
        "@config.when(scale='log')\ndef level__log(a_z: pd.Series) -> float:\n"
        "    return math.log1p(abs(float(a_z.sum())))\n\n\n"
        "@config.when_not(scale='log')\ndef level__raw(a_z: pd.Series) -> float:\n"
        "    return float(a_z.sum())\n\n\n"
        '@check_output(range=(0, 10**9), importance="warn")\n'
        "def above(b_z: pd.Series) -> int:\n    return int((b_z > THRESHOLD).sum())",
    ],
    "two_modules": [
        "%load_ext hamilton_nb",
        "%%dataflow prices\ndef price(base: float, rate: float = 1.2) -> float:\n"
        "    return base * rate",
        "%%dataflow volumes\ndef volume(orders: int) -> int:\n    return orders * 2",
        "%%dataflow prices\ndef revenue(price: float, units: int) -> float:\n"
        "    return price * units",
    ],
}


def _notebook(tmp_path: Path, name: str) -> Path:
    cells = [
        new_markdown_cell(c) if c.startswith("# ") else new_code_cell(c) for c in NOTEBOOKS[name]
    ]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


def _import(path: Path) -> ModuleType:
    """Import an exported file under a name of its own (Hamilton needs it in sys.modules)."""
    name = f"exported_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("name", "module"),
    [("features", None), ("two_modules", "prices"), ("two_modules", "volumes")],
)
def test_export_gives_the_golden_module(tmp_path: Path, name: str, module: str | None) -> None:
    result = export_notebook(_notebook(tmp_path, name), module=module)
    golden = GOLDEN / f"{name}{'_' + module if module else ''}.py"
    if UPDATE:
        shutil.copy(result.path, golden)
    assert result.path.read_text() == golden.read_text()


def test_an_exported_module_is_clean_deterministic_and_marked(tmp_path: Path) -> None:
    path = export_notebook(_notebook(tmp_path, "features")).path
    first = path.read_bytes()
    export_notebook(path.parent / "features.ipynb")  # ours, unedited: replaced
    assert path.read_bytes() == first
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", str(path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
    assert is_generated_and_unedited(path.read_text())
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("config", [{}, {"scale": "log"}])
def test_the_exported_module_gives_the_sessions_graph_and_results(
    tmp_path: Path, config: dict[str, str]
) -> None:
    notebook = _notebook(tmp_path, "features")
    path = export_notebook(notebook).path
    session = session_from_notebook(read_notebook(notebook), "dataflow")
    try:
        session.configure(config)
        nodes = ["a_z", "b_z", "level", "above"]
        ours = session.run(nodes, inputs={"n": 20}, config=config)
        exported = driver.Builder().with_modules(_import(path)).with_config(config).build()
        theirs = exported.execute(nodes, inputs={"n": 20})
        for node in ["a_z", "b_z"]:
            pd.testing.assert_series_equal(theirs[node], ours[node], check_exact=True)
        assert theirs["above"] == ours["above"]
        # a sum of z-scores is ~0: numpy's pairwise sum may round differently per buffer
        assert theirs["level"] == pytest.approx(ours["level"], abs=1e-9)
        assert {n.name for n in exported.list_available_variables()} == (
            set(session.graph.nodes()) | set(session.graph.inputs()) | set(config)
        )
    finally:
        session.close()


def test_a_file_not_written_by_hamilton_nb_is_never_replaced_without_force(tmp_path: Path) -> None:
    notebook = _notebook(tmp_path, "two_modules")
    mine = tmp_path / "prices.py"
    mine.write_text("# my own code\n")
    with pytest.raises(OverwriteRefusedError, match="was not written by hamilton_nb"):
        export_notebook(notebook, module="prices")
    assert mine.read_text() == "# my own code\n"
    export_notebook(notebook, module="prices", force=True)
    assert is_generated_and_unedited(mine.read_text())
    mine.write_text(mine.read_text() + "\n# a hand edit\n")
    with pytest.raises(OverwriteRefusedError, match="was edited since hamilton_nb wrote it"):
        export_notebook(notebook, module="prices")
    assert mine.read_text().endswith("# a hand edit\n")


def test_a_notebook_with_a_broken_cell_exports_nothing_and_names_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    cells = [
        "%%dataflow\ndef a() -> int:\n    return 1",
        "%%dataflow\ndef b(a: int) -> int:\n    return (a",
    ]
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), path)
    with pytest.raises(ExportError, match=r"broken.ipynb, cell 2: cell .*, line 3: SyntaxError"):
        export_notebook(path)
    assert not (tmp_path / "dataflow.py").exists()


def test_a_notebook_variable_that_is_not_an_import_cannot_be_exported(tmp_path: Path) -> None:
    shell_session = DataflowSession("uses_variable", _Variables(), cache=None)
    try:
        shell_session.apply_cell("def scaled(x: float) -> float:\n    return x * FACTOR\n", "c")
        with pytest.raises(ExportError, match="notebook variable 'FACTOR', which is not an import"):
            shell_session.export(tmp_path / "out.py")
    finally:
        shell_session.close()


class _Variables:
    def lookup(self, name: str) -> tuple[bool, object]:
        return (name == "FACTOR", 2.0)

    def import_statement(self, name: str) -> str | None:
        return None


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hamilton_nb.jupyter.cli", "export", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_exit_codes(tmp_path: Path) -> None:
    notebook = _notebook(tmp_path, "two_modules")
    assert _cli(str(notebook)).returncode == 1  # two modules: which one?
    done = _cli(str(notebook), "--module", "prices", "-o", str(tmp_path / "out" / "p.py"))
    assert done.returncode == 0 and (tmp_path / "out" / "p.py").exists(), done.stderr
    assert _cli(str(notebook), "--module", "nope").returncode == 1
    assert _cli(str(tmp_path / "missing.ipynb")).returncode == 2
    (tmp_path / "volumes.py").write_text("x = 1\n")
    refused = _cli(str(notebook), "--module", "volumes")
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert _cli(str(notebook), "--module", "volumes", "--force").returncode == 0


def test_load_then_export_reproduces_the_module(tmp_path: Path) -> None:
    first = export_notebook(_notebook(tmp_path, "features")).path
    session = DataflowSession("reloaded_features")
    try:
        ids = session.load(first)
        assert ids == [
            f"dataflow.py:{f}" for f in ("frame", "zscored", "level__log", "level__raw", "above")
        ]
        assert_matches_hamilton(session)
        assert render(session, "features.ipynb", "dataflow") == first.read_text()
    finally:
        session.close()


def test_the_magic_and_the_cli_write_the_same_file(tmp_path: Path) -> None:
    notebook = _notebook(tmp_path, "features")
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(new_code_cell("%dataflow export from_magic.py"))
    env = {**os.environ, "JPY_SESSION_NAME": str(notebook)}
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with client.setup_kernel(env=env):  # JupyterLab tells the kernel its notebook this way
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    from_cli = export_notebook(notebook).path
    assert (tmp_path / "from_magic.py").read_bytes() == from_cli.read_bytes()


def test_export_with_tests_writes_regression_tests_that_pass_then_catch_an_edit(
    shell: Shell, tmp_path: Path
) -> None:
    shutil.copy(Path(__file__).parent.parent / "notebooks" / "data" / "sales.csv", "sales.csv")
    shell.ok("import pandas as pd")
    shell.ok(
        "%%dataflow shop\ndef raw(path: str) -> pd.DataFrame:\n    return pd.read_csv(path)\n\n"
        "def total(raw: pd.DataFrame) -> float:\n    return float(raw['amount'].sum())\n\n"
        "def regions(raw: pd.DataFrame) -> list:\n    return sorted(raw['region'].unique())\n",
        "c1",
    )
    error = shell.fails("%dataflow export out/shop.py --tests --module shop")
    assert "run its nodes first" in str(error)
    shell.ok('%dataflow run total regions --module shop --inputs path="sales.csv"')
    shell.ok("%dataflow export out/shop.py --tests --module shop")
    tests = tmp_path / "out" / "test_shop.py"
    assert (tmp_path / "out" / "test_shop_data" / "raw.parquet").exists()

    def pytest_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
            capture_output=True,
            text=True,
            cwd=tmp_path / "out",
            timeout=120,
        )

    done = pytest_run()
    assert done.returncode == 0 and "3 passed" in done.stdout, done.stdout + done.stderr
    module = tmp_path / "out" / "shop.py"
    module.write_text(module.read_text().replace('["amount"].sum()', '["amount"].mean()'))
    done = pytest_run()
    assert done.returncode == 1 and "1 failed, 2 passed" in done.stdout, done.stdout


def test_the_cli_writes_regression_tests_from_what_the_notebooks_kernel_computed(
    tmp_path: Path,
) -> None:
    notebook = _notebook(tmp_path, "two_modules")
    refused = _cli(str(notebook), "--module", "prices", "--tests")
    assert refused.returncode == 1 and "run its nodes in the notebook" in refused.stderr
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(
        new_code_cell("%dataflow run revenue --module prices --inputs base=2.0 units=3")
    )
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    done = _cli(str(notebook), "--module", "prices", "--tests")
    assert done.returncode == 0, done.stderr
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_prices.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert ran.returncode == 0 and "2 passed" in ran.stdout, ran.stdout + ran.stderr


def test_an_exported_file_beside_the_notebook_does_not_block_its_live_module(
    shell: Shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))  # a kernel imports from its directory
    shell.ok("%%dataflow shop\ndef price(base: float) -> float:\n    return base * 2\n", "c1")
    shell.ok("%dataflow export shop.py --module shop")
    shell.ok("%dataflow reset --module shop")
    hamilton_nb.session("shop").close()
    del REGISTRY.sessions["shop"]
    shell.ok("%%dataflow shop\ndef price(base: float) -> float:\n    return base * 3\n", "c1")
    Path("other.py").write_text("x = 1\n")
    importlib.invalidate_caches()
    error = shell.fails("%%dataflow other\ndef a() -> int:\n    return 1\n", "c2")
    assert "can be imported from disk" in str(error) and "other.py" in str(error)


def test_loading_an_export_back_reuses_the_values_computed_before(
    shell: Shell, tmp_path: Path
) -> None:
    shell.ok("import pandas as pd")  # a notebook-level import, written into the module on export
    shell.ok(
        "%%dataflow shop\ndef frame(n: int) -> pd.DataFrame:\n"
        "    return pd.DataFrame({'a': range(n)})\n",
        "c1",
    )
    shell.ok("%dataflow run frame --module shop --inputs n=3")
    shell.ok("%dataflow export exported_shop.py --module shop")
    again = hamilton_nb.session("shop_again")
    again.load("exported_shop.py")
    again.run("frame", inputs={"n": 3})
    assert again.last_run is not None and again.last_run.computed == ()


def test_regression_cases_use_the_inputs_the_test_will_give_not_an_override_of_them() -> None:
    from hamilton_nb.cache.node_cache import NodeCache
    from hamilton_nb.export.regression import cases

    s = DataflowSession("overridden_input", cache=NodeCache(None))
    try:
        s.apply_cell("def b(x: int) -> int:\n    return x * 10\n", "c1")
        assert s.run("b", inputs={"x": 1}, overrides={"x": 5}) == 50
        with pytest.raises(ExportError, match="no computed values"):
            cases(s)  # b=50 was computed from x=5: a test giving x=1 must not expect it
        assert s.run("b", inputs={"x": 1}) == 10
        assert cases(s) == ({"x": 1}, {}, {"b": 10})
    finally:
        s.close()
