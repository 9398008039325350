"""The line magic as a new user meets it, in a real IPython shell: it acts on the module the
notebook works on, says what it expects when it is called wrongly, and points at the name
the user probably meant."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import hamilton_nb
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell, plain
from tests.test_magics import SALES_1, SALES_2


@pytest.fixture
def sales(shell: Shell) -> Shell:
    shell.ok("import pandas as pd")
    shell.ok(SALES_1, "c1")
    shell.ok(SALES_2, "c2")
    return shell


def test_line_magics_act_on_the_module_the_cells_use(
    sales: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    table = sales.ok("%dataflow status")
    assert {"raw", "clean", "total"} <= set(table["node"])
    Path("a.csv").write_text("amount\n1\n2\n")
    assert sales.ok("%dataflow run total --inputs path='a.csv'") == 3.0
    sales.ok("%dataflow export sales.py")
    assert "def total(" in Path("sales.py").read_text()
    assert "dataflow" not in REGISTRY.sessions  # no empty module was made
    capsys.readouterr()
    sales.ok("%dataflow drop total")
    assert capsys.readouterr().out.startswith("sales: -1 removed")


def test_with_two_modules_the_one_used_last_is_said(
    sales: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    sales.ok("%%dataflow other\ndef one() -> int:\n    return 1\n", "o1")
    capsys.readouterr()
    assert sales.ok("%dataflow run one") == 1
    assert "(module other, the one used last" in capsys.readouterr().out
    sales.ok("%dataflow status --module sales")
    assert set(sales.ok("%dataflow status")["node"]) >= {"raw", "clean"}  # sales, now


def test_exporting_a_module_without_cells_is_refused_and_writes_nothing(
    sales: Shell,
) -> None:
    Path("sales.py").write_text("# mine\n")
    error = sales.fails("%dataflow export sales.py --module empty --force")
    assert "module 'empty' has no cells" in str(error) and "sales" in str(error)
    assert Path("sales.py").read_text() == "# mine\n"


def test_a_load_goes_to_a_module_named_after_the_file(shell: Shell) -> None:
    Path("prices.py").write_text("def price(cost: float) -> float:\n    return cost * 2\n")
    shell.ok("%dataflow load prices.py")
    assert "price" in hamilton_nb.session("prices").graph
    assert shell.ok("%dataflow run price --inputs cost=2.0") == 4.0


def test_a_typo_in_a_parameter_is_announced_as_a_new_input(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok("%%dataflow m\ndef n_rows() -> int:\n    return 3\n", "c1")
    assert capsys.readouterr().out.strip() == "m: +1 node, 0 stale"
    shell.ok("%%dataflow m\ndef doubled(n_rowz: int) -> int:\n    return 2 * n_rowz\n", "c2")
    out = capsys.readouterr().out.strip()
    assert out == "m: +1 node, 0 stale; new input n_rowz (did you mean n_rows?)"


def test_a_run_of_a_misspelt_node_suggests_the_right_one_and_commas_are_accepted(
    sales: Shell,
) -> None:
    error = sales.fails("%dataflow run totl")
    assert "no node named 'totl'. Did you mean 'total'?" in str(error)
    Path("a.csv").write_text("amount\n1\n2\n")
    values = sales.ok("%dataflow run total, clean --inputs path='a.csv'")
    assert set(values) == {"total", "clean"}


def test_the_magic_alone_lists_its_commands(shell: Shell) -> None:
    text = plain(str(shell.fails("%dataflow")))
    for command in ("show", "status", "run", "drop", "reset", "cache", "export", "load"):
        assert f"\n  {command} " in text
    assert "the following arguments are required" not in text


def test_a_misspelt_command_or_option_gets_its_usage(sales: Shell) -> None:
    error = str(sales.fails("%dataflow stauts"))
    assert "no command 'stauts'. Did you mean 'status'?" in error
    error = str(sales.fails("%dataflow run total --inptus path=1"))
    assert "unknown option --inptus. Did you mean '--inputs'?" in error
    assert "usage: %dataflow run NODE [NODE ...]" in error


def test_nodes_added_upstream_of_a_node_never_run_are_not_called_stale(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok("%%dataflow m\ndef total(clean: int) -> int:\n    return clean + 1\n", "c2")
    shell.ok("%%dataflow m\ndef clean(raw: int) -> int:\n    return raw\n", "c1")
    assert capsys.readouterr().out.strip().endswith("+1 node, 0 stale; new input raw")
    assert shell.ok("%dataflow run total --inputs raw=1") == 2
    capsys.readouterr()
    shell.ok("%%dataflow m\ndef clean(raw: int) -> int:\n    return raw * 2\n", "c1")
    assert capsys.readouterr().out.strip() == "m: ~1 changed, 2 stale"


def test_the_status_table_has_one_kind_of_blank_and_whole_byte_sizes(sales: Shell) -> None:
    table = sales.ok("%dataflow status")
    assert str(table["size (bytes)"].dtype) == "Int64"
    assert str(table["last duration (s)"].dtype) == "Float64"
    assert table["size (bytes)"].isna().all()


def test_run_takes_overrides_for_nodes(sales: Shell) -> None:
    sales.ok("import pandas as pd\nframe = pd.DataFrame({'amount': [1.0, 2.0, None]})")
    assert sales.ok("%dataflow run total --overrides clean=frame") == 3.0  # NaN skipped
    run = REGISTRY.sessions["sales"].last_run
    assert run is not None and set(run.computed) == {"total"}  # no path was needed


def test_the_readmes_duplicate_name_error_is_the_one_users_get(shell: Shell) -> None:
    """Lines count from the magic line, as JupyterLab numbers them, in the README too."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    first = next(b for b in blocks if b.startswith("%%dataflow sales\ndef raw"))
    shell.ok("import pandas as pd")
    shell.ok(first, "c1")
    c3 = "%%dataflow sales\ndef ratio(total: int) -> float:\n    return total / 2\n"
    c3 += "def clean(raw: pd.DataFrame) -> pd.DataFrame:\n    return raw\n"
    error = shell.fails(c3, "c3")
    assert f"DuplicateNodeError: {error}" in readme


def test_a_cell_that_starts_with_a_docstring_is_accepted(shell: Shell) -> None:
    shell.ok('%%dataflow m\n"""Prices, cleaned."""\ndef price() -> int:\n    return 2\n', "c1")
    assert shell.ok("%dataflow run price") == 2


@pytest.mark.parametrize(
    ("line", "shown", "not_shown"),
    [
        ("%dataflow run -h", ["--inputs K=V ...", "--engine", "--module NAME"], ["--max-memory"]),
        ("%dataflow cache --help", ["--max-memory", "--clear"], ["--inputs", "--module"]),
        ("%dataflow export x.py -h", ["--tests", "--run", "--force"], ["--engine"]),
    ],
)
def test_a_commands_help_is_its_usage_and_its_options(
    shell: Shell,
    capsys: pytest.CaptureFixture[str],
    line: str,
    shown: list[str],
    not_shown: list[str],
) -> None:
    command = line.split()[1]
    shell.ok(line)  # the overview promises `%dataflow COMMAND -h`: it is not an error
    text = capsys.readouterr().out
    assert text.startswith(f"usage: %dataflow {command}")
    assert all(option in text for option in shown), text
    assert not any(option in text for option in not_shown), text
    assert not Path("x.py").exists()  # help does not run the command


def test_the_magics_own_help_names_it_as_typed_in_plain_text(shell: Shell) -> None:
    doc = shell.ip.find_line_magic("dataflow").__doc__
    assert "%dataflow [" in doc and "%dataflow_line" not in doc
    assert "``" not in doc


def test_the_readmes_tour_says_what_the_user_sees(
    shell: Shell, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tour's cells, run as written: each message the README quotes is the one printed."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    load = next(b for b in blocks if b.startswith("%%dataflow sales\ndef raw"))
    total = next(b for b in blocks if b.startswith("%%dataflow sales\ndef total"))
    (tmp_path / "sales.csv").write_text("amount\n1.5\n\n2.5\n")
    shell.ok("import pandas as pd")

    def said(source: str, cell: str) -> str:
        capsys.readouterr()
        shell.ok(source, cell)
        return capsys.readouterr().out.strip()

    assert f"prints `{said(load, 'c1')}`" in readme  # sales: +2 nodes, 0 stale; new input path
    said(total, "c2")
    shell.ok('%dataflow run total --module sales --inputs path="sales.csv"')
    edited = said(load.replace("raw.dropna()", "raw.dropna().head(1)"), "c1")
    assert f"re-run its cell: `{edited}`" in readme  # sales: ~1 changed, 2 stale
    refused = {
        "CycleError": (load.replace("def raw(path: str)", "def raw(total: float)"), "c1"),
        "TypeMismatchError": (
            "%%dataflow sales\ndef ratio(total: int) -> float:\n    return total / 2\n",
            "c3",
        ),
    }
    for kind, (source, cell) in refused.items():
        error = shell.fails(source, cell)
        quoted = re.search(rf"{kind}: (.*?) \.\.\.\n", readme)
        assert quoted is not None and str(error).startswith(quoted.group(1)), (kind, str(error))
