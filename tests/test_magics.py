"""The %%dataflow and %dataflow magics in a real IPython shell, with frontend cell ids."""

from __future__ import annotations

import inspect
import sys
import traceback
from pathlib import Path

import pytest

import hamilton_nb
from hamilton_nb.errors import (
    CellExecutionError,
    CellSyntaxError,
    CycleError,
    DataflowError,
    DuplicateNodeError,
    TypeMismatchError,
)
from tests.conftest import Shell, plain
from tests.hamilton_parity import assert_matches_hamilton

SALES_1 = """%%dataflow sales
def raw(path: str) -> pd.DataFrame:
    return pd.read_csv(path)
def clean(raw: pd.DataFrame) -> pd.DataFrame:
    \"\"\"Rows without missing values.\"\"\"
    return raw.dropna()
"""
SALES_2 = """%%dataflow sales
def total(clean: pd.DataFrame) -> float:
    return float(clean["amount"].sum())
"""


@pytest.fixture
def sales(shell: Shell) -> Shell:
    shell.ok("import pandas as pd")
    shell.ok(SALES_1, "c1")
    shell.ok(SALES_2, "c2")
    return shell


def test_cells_define_a_real_importable_module_that_hamilton_builds(sales: Shell) -> None:
    sales.ok("import sales as imported")
    mod = sales.ip.user_ns["imported"]
    assert mod is sys.modules["sales"]
    assert mod.clean.__module__ == "sales"
    graph = hamilton_nb.session("sales").graph
    assert set(graph.nodes()) == {"raw", "clean", "total"}
    assert graph.inputs().keys() == {"path"}
    assert_matches_hamilton(hamilton_nb.session("sales"))


def test_live_module_source_is_visible_to_inspect_and_tracebacks(sales: Shell) -> None:
    mod = sys.modules["sales"]
    assert inspect.getsource(mod.clean).startswith("def clean(raw: pd.DataFrame)")
    assert "Rows without missing values." in inspect.getsource(mod.clean)
    sales.ok("%%dataflow sales\ndef boom(total: float) -> float:\n    return total / 0\n", "c3")
    with pytest.raises(ZeroDivisionError) as info:
        mod.boom(1.0)
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert frame.lineno == 3 and frame.line == "return total / 0"
    assert "cell c3" in frame.filename


def test_default_module_is_named_dataflow(shell: Shell) -> None:
    shell.ok("%%dataflow\ndef a() -> int:\n    return 1\n", "x")
    assert "a" in hamilton_nb.session().graph
    assert shell.module("dataflow").a() == 1


def test_notebook_imports_resolve_and_are_recorded(sales: Shell) -> None:
    assert hamilton_nb.session("sales").notebook_imports() == {"pd": "import pandas as pd"}


def test_cells_can_run_in_any_order(shell: Shell) -> None:
    shell.ok("import pandas as pd")
    shell.ok(SALES_2, "c2")
    assert hamilton_nb.session("sales").graph.inputs().keys() == {"clean"}
    shell.ok(SALES_1, "c1")
    assert hamilton_nb.session("sales").graph.inputs().keys() == {"path"}


def test_summary_line_after_each_cell_and_quiet_silences_it(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok("import pandas as pd")
    shell.ok(SALES_1, "c1")
    assert capsys.readouterr().out.strip() == "sales: +2 nodes, 0 stale; new input path"
    shell.ok(SALES_2, "c2")
    Path("a.csv").write_text("amount\n1\n")
    shell.ok("%dataflow run total --inputs path='a.csv'")
    capsys.readouterr()
    shell.ok(SALES_1.replace("dropna()", "dropna(how='all')"), "c1")
    assert capsys.readouterr().out.strip() == "sales: ~1 changed, 2 stale"
    shell.ok(SALES_2.replace("sales", "sales --quiet", 1).replace(".sum()", ".mean()"), "c2")
    assert capsys.readouterr().out == ""


def test_editing_a_cell_removes_functions_it_no_longer_defines(sales: Shell) -> None:
    sales.ok("%%dataflow sales\ndef raw(path: str) -> pd.DataFrame:\n    return 1\n", "c1")
    s = hamilton_nb.session("sales")
    assert "clean" not in s.graph
    assert not hasattr(sys.modules["sales"], "clean")
    assert s.last_diff.removed == {"clean"} and s.last_diff.changed == {"raw"}
    assert "clean" in s.graph.inputs()
    assert_matches_hamilton(s)


def test_comment_and_docstring_edits_do_not_change_a_node(sales: Shell) -> None:
    edited = SALES_1.replace('"""Rows without missing values."""', "# just a comment")
    sales.ok(edited, "c1")
    assert not hamilton_nb.session("sales").last_diff


def test_editing_a_helper_in_another_cell_changes_the_nodes_that_read_it(shell: Shell) -> None:
    shell.ok("%%dataflow\nK = 2\ndef _scale(x):\n    return x * K\n", "helpers")
    shell.ok(
        "%%dataflow\ndef a() -> int:\n    return _scale(1)\ndef b(a: int) -> int:\n    return a\n",
        "nodes",
    )
    shell.ok("%%dataflow\ndef c() -> int:\n    return 3\n", "other")
    shell.ok("%%dataflow\nK = 3\ndef _scale(x):\n    return x * K\n", "helpers")
    diff = hamilton_nb.session().last_diff
    assert diff.changed == {"a"} and diff.stale == {"a", "b"}
    assert shell.module().a() == 3


def test_hamilton_decorators_resolve_through_hamilton(shell: Shell) -> None:
    shell.ok("import pandas as pd\nfrom hamilton.function_modifiers import *")
    shell.ok(
        """%%dataflow feats
@extract_columns("a", "b")
def frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"a": range(n), "b": range(n)})

@parameterize(a_plus_1={"x": source("a")}, b_plus_1={"x": source("b")})
def plus_one(x: pd.Series) -> pd.Series:
    return x + 1

@config.when(region="us")
def tax__us(a_plus_1: pd.Series) -> pd.Series:
    return a_plus_1 * 0.1

@check_output(range=(0, 1000), importance="warn")
@tag(owner="ds")
def total(b_plus_1: pd.Series) -> float:
    return float(b_plus_1.sum())

def _sum(a: pd.Series, b: pd.Series) -> pd.Series:
    return a + b

@does(_sum)
def summed(a: pd.Series, b: pd.Series) -> pd.Series:
    pass
""",
        "f1",
    )
    s = hamilton_nb.session("feats")
    assert {"frame", "a", "b", "a_plus_1", "b_plus_1", "total", "summed"} <= set(s.graph.nodes())
    assert "tax" not in s.graph  # config.when without its config
    assert s.graph.node("total").hamilton.tags["owner"] == "ds"
    assert_matches_hamilton(s)


def test_status_table_lists_nodes_cells_types_dependencies_and_inputs(sales: Shell) -> None:
    table = sales.ok("%dataflow status --module sales")
    assert list(table.columns)[:5] == ["node", "cell", "type", "dependencies", "state"]
    rows = {r.node: r for r in table.itertuples()}
    assert rows["clean"].cell == "c1" and rows["clean"].dependencies == "raw"
    assert rows["total"].type == "float"
    assert rows["path"].state == "input"


def test_drop_removes_a_node_and_frees_its_name(sales: Shell) -> None:
    sales.ok("%dataflow drop clean --module sales")
    s = hamilton_nb.session("sales")
    assert "clean" not in s.graph and not hasattr(sys.modules["sales"], "clean")
    sales.ok(
        "%%dataflow sales\ndef clean(raw: pd.DataFrame) -> pd.DataFrame:\n    return raw\n", "c9"
    )
    assert s.graph.node("clean").cell == "c9"
    assert_matches_hamilton(s)


def test_drop_of_an_unknown_node_names_the_known_ones(sales: Shell) -> None:
    error = sales.fails("%dataflow drop nope --module sales")
    assert "no node named 'nope'" in str(error) and "clean" in str(error)


def test_reset_empties_module_and_graph(sales: Shell) -> None:
    sales.ok("%dataflow reset --module sales")
    assert len(hamilton_nb.session("sales").graph) == 0
    assert not hasattr(sys.modules["sales"], "raw")


def test_a_module_name_that_shadows_a_real_module_is_refused(shell: Shell) -> None:
    error = shell.fails("%%dataflow json\ndef a() -> int:\n    return 1\n", "x")
    assert isinstance(error, DataflowError) and "shadow" in str(error)
    assert not hasattr(sys.modules["json"], "a")


# -- rejected cells change nothing -----------------------------------------------------------


def _state(shell: Shell, module: str = "sales") -> tuple[object, ...]:
    s = hamilton_nb.session(module)
    ns = sys.modules[module].__dict__
    return (
        s.graph.structure(),
        {k: id(v) for k, v in ns.items()},
        {k: r.source for k, r in s.cells.items()},
        set(sys.modules),
    )


REJECTED = [
    pytest.param(
        "c3",
        "%%dataflow sales\ndef ok(total: float) -> float:\n    return total\ndef broken(:\n",
        CellSyntaxError,
        ["cell c3, line 4", "SyntaxError"],
        id="syntax-error",
    ),
    pytest.param(
        "c3",
        "%%dataflow sales\ndef ok(total: float) -> float:\n    return total\nX = 1 / 0\n",
        CellExecutionError,
        ["cell c3, line 4", "ZeroDivisionError"],
        id="raises-while-defined",
    ),
    pytest.param(
        "c1",
        SALES_1.replace("def raw(path: str)", "def raw(total: float)"),
        CycleError,
        ["cell c1", "raw -> clean -> total -> raw"],
        id="cycle",
    ),
    pytest.param(
        "c3",
        "%%dataflow sales\ndef ok(total: float) -> float:\n    return total\n"
        "def clean(raw: pd.DataFrame) -> pd.DataFrame:\n    return raw\n",
        DuplicateNodeError,
        ["cell c3, line 4", "'clean' is already defined in cell c1", "%dataflow drop clean"],
        id="duplicate",
    ),
    pytest.param(
        "c3",
        "%%dataflow sales\ndef ratio(clean: pd.DataFrame, total: int) -> float:\n    return 1.0\n",
        TypeMismatchError,
        ["ratio (cell c3, line 2) expects total: int", "total (cell c2, line 2) returns float"],
        id="type-mismatch-consumer",
    ),
    pytest.param(
        "c2",
        "%%dataflow sales\ndef total(clean: pd.DataFrame) -> str:\n    return 'x'\n"
        "def shares(total: float) -> float:\n    return total\n",
        TypeMismatchError,
        ["shares (cell c2, line 4) expects total: float", "returns str"],
        id="type-mismatch-producer",
    ),
    pytest.param(
        "c3",
        "%%dataflow sales\ndef other(path: int) -> int:\n    return path\n",
        TypeMismatchError,
        [
            "cell c3, line 2: input 'path' is wanted as int by other (cell c3, line 2)",
            "as str by raw",
        ],
        id="input-type-conflict",
    ),
    pytest.param(
        "c3",
        "%%dataflow sales\nfrom hamilton.function_modifiers import extract_columns\n"
        "@extract_columns()\ndef cols(total: float) -> pd.DataFrame:\n    return 1\n",
        CellExecutionError,
        ["cell c3, line 3", "InvalidDecoratorException"],
        id="decorator-raises",
    ),
    pytest.param(
        "c3",
        "%%dataflow sales\nfrom hamilton.function_modifiers import schema\n"
        "@schema.output(('a', 'int'))\ndef cols(total: float) -> float:\n    return 1.0\n",
        CellExecutionError,
        ["cell c3, line 3", "Hamilton could not turn cols() into nodes"],
        id="decorator-does-not-resolve",
    ),
    pytest.param(
        "c3",
        "%%dataflow sales\ndef ok(total: float) -> float:\n    return total\n"
        "__name__ = 'elsewhere'\ndef later(ok: float) -> float:\n    return ok\n",
        CellExecutionError,
        ["cell c3, line 4", "assigns __name__", "belongs to the module"],
        id="assigns-the-module-name",
    ),
    pytest.param(
        "c3",
        "%%dataflow sales\ndef ok(clean: pd.DataFrame) -> float:\n    return 1.0\n"
        "del globals()['total']\n",
        CellExecutionError,
        ["cell c3", "deletes names other cells define: total (cell c2)"],
        id="deletes-another-cells-function-through-globals",
    ),
    pytest.param(
        "c3",
        "%%dataflow sales\ndef ok(clean: pd.DataFrame) -> float:\n    return 1.0\n"
        "globals().pop('__name__')\n",
        CellExecutionError,
        ["cell c3", "deletes __name__"],
        id="deletes-the-module-name-through-globals",
    ),
]


@pytest.mark.parametrize(("cell", "source", "error_type", "says"), REJECTED)
def test_a_rejected_cell_changes_nothing_and_names_cell_and_line(
    sales: Shell, cell: str, source: str, error_type: type, says: list[str]
) -> None:
    before = _state(sales)
    error = sales.fails(source, cell)
    assert isinstance(error, error_type)
    for text in says:
        assert text in str(error)
    assert _state(sales) == before
    assert_matches_hamilton(hamilton_nb.session("sales"))


def test_after_a_refused_name_assignment_the_cell_without_it_keeps_the_module_whole(
    sales: Shell,
) -> None:
    sales.fails(
        "%%dataflow sales\n__name__ = 'x'\ndef later(total: float) -> float:\n    return total\n",
        "c3",
    )
    sales.ok("%%dataflow sales\ndef later(total: float) -> float:\n    return total\n", "c3")
    assert sys.modules["sales"].__name__ == "sales"
    assert "later" in hamilton_nb.session("sales").graph.structure()
    assert_matches_hamilton(hamilton_nb.session("sales"))


def test_a_rejected_cell_shows_its_message_without_internal_frames(
    sales: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    sales.run(
        "%%dataflow sales\nX = 1\ndef f(total: float) -> float:\n    return total\n1/0\n", "c4"
    )
    shown = plain(capsys.readouterr().out + capsys.readouterr().err)
    assert "CellExecutionError: cell c4, line 5: ZeroDivisionError: division by zero" in shown
    assert "hamilton_nb/" not in shown  # no frame of ours, whichever module raised


# -- cells without ids -----------------------------------------------------------------------


def test_without_cell_ids_a_redefining_cell_takes_over_the_earlier_cell(shell: Shell) -> None:
    shell.ok("%%dataflow\ndef a() -> int:\n    return 1\ndef b(a: int) -> int:\n    return a\n")
    shell.ok("%%dataflow\ndef c() -> int:\n    return 3\n")
    shell.ok("%%dataflow\ndef a() -> int:\n    return 2\n")  # an edit of the first cell
    s = hamilton_nb.session()
    assert set(s.graph.nodes()) == {"a", "c"}
    assert len(s.cells) == 2
    assert s.graph.node("a").cell.startswith("In[")
    assert_matches_hamilton(s)


def test_with_cell_ids_a_redefinition_in_another_cell_is_refused(shell: Shell) -> None:
    shell.ok("%%dataflow\ndef a() -> int:\n    return 1\n", "one")
    error = shell.fails("%%dataflow\ndef a() -> int:\n    return 2\n", "two")
    assert isinstance(error, DuplicateNodeError) and "cell one" in str(error)


# -- scale -----------------------------------------------------------------------------------


def test_a_5000_node_chain_and_a_5000_node_fan_out_register_and_validate(shell: Shell) -> None:
    chain = "\n".join(
        f"def n{i}(n{i - 1}: int) -> int:\n    return n{i - 1} + 1" for i in range(1, 5000)
    )
    chain_cell = "%%dataflow deep --quiet\ndef n0() -> int:\n    return 0\n" + chain
    shell.ok(chain_cell, "chain")
    fan = "\n".join(f"def leaf{i}(root: int) -> int:\n    return root + {i}" for i in range(5000))
    shell.ok("%%dataflow wide --quiet\ndef root() -> int:\n    return 0\n" + fan, "fan")
    deep, wide = hamilton_nb.session("deep"), hamilton_nb.session("wide")
    assert len(deep.graph) == 5000 and len(wide.graph) == 5001
    error = shell.fails(chain_cell.replace("def n0() -> int", "def n0(n4999: int) -> int"), "chain")
    assert isinstance(error, CycleError) and "n0 -> n1 -> n2" in str(error)
    shell.ok(chain_cell.replace("return 0", "return 1", 1), "chain")
    assert deep.last_diff.changed == {"n0"} and len(deep.last_diff.stale) == 5000
    shell.ok("%%dataflow wide --quiet\ndef root() -> int:\n    return 1\n" + fan, "fan")
    assert len(wide.last_diff.stale) == 5001
    assert_matches_hamilton(deep)
    assert_matches_hamilton(wide)


def test_an_unchanged_function_kept_from_the_last_run_reports_its_new_lines(shell: Shell) -> None:
    before = (
        "%%dataflow\ndef a() -> int:\n    return 1\n\ndef b(a: int) -> float:\n    return a / 0\n"
    )
    shell.ok(before, "c")
    kept = shell.module().b
    shell.ok(before.replace("    return 1\n", "    x = 2\n    return x\n"), "c")
    assert shell.module().b is kept  # not run again: its code did not change
    assert hamilton_nb.session().last_diff.changed == {"a"}
    with pytest.raises(ZeroDivisionError) as info:
        kept(1)
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert (frame.lineno, frame.line) == (7, "return a / 0")
    assert inspect.getsource(kept) == "def b(a: int) -> float:\n    return a / 0\n"


def test_a_kept_function_on_the_same_lines_reads_its_source_through_later_edits(
    shell: Shell,
) -> None:
    """An edit that moves nothing leaves a kept function where it was (no new code object);
    its source and traceback lines stay right then, and after a later edit that moves it."""
    cell = "%%dataflow\ndef a() -> int:\n    return 1\n\n"
    cell += "def b(a: int) -> float:\n    return a / 0\n"
    shell.ok(cell, "c")
    kept = shell.module().b
    for value, body in [
        (2, "    return 2\n"),
        (3, "    return 3\n"),
        (4, "    x = 4\n    return x\n"),
    ]:
        shell.ok(cell.replace("    return 1\n", body), "c")
        assert shell.module().b is kept
        assert shell.module().a() == value
        with pytest.raises(ZeroDivisionError) as info:
            kept(1)
        frame = traceback.extract_tb(info.value.__traceback__)[-1]
        assert (frame.lineno, frame.line) == (5 + body.count("\n"), "return a / 0")
        assert inspect.getsource(kept) == "def b(a: int) -> float:\n    return a / 0\n"


def test_a_function_rebound_by_hand_is_defined_again_when_its_cell_reruns(shell: Shell) -> None:
    cell = "%%dataflow\ndef a() -> int:\n    return 1\n"
    shell.ok(cell, "c")
    shell.ok("import dataflow\ndataflow.a = lambda: 2")
    shell.ok(cell, "c")
    assert shell.module().a() == 1


@pytest.mark.parametrize(
    "cell",
    [
        "%%dataflow\ndef a() -> int:\n    return 1\n",
        "%%dataflow sales -q\ndef a() -> int:\n    return 1",
        "%%dataflow\n",
        "%%dataflow",
        "\n\n%%dataflow\ndef a() -> int:\n    return 1\n",
        "  %%dataflow\n  def a() -> int:\n      return 1\n",
        "%%dataflow?\n",
        "%%dataflow\n>>> def a() -> int:\n...     return 1\n",
        "%%dataflow\ndef a() -> str:\n    return '''\n>>> x\n'''\n",
        "%%dataflow\nIn [3]: def a() -> int:\n   ...:     return 1\n",
        "%%dataflow\n    ...: x = 1\n",
        "%%dataflow\tsales\ndef a() -> int:\n    return 1\n",
        "%%dataflows\ndef a() -> int:\n    return 1\n",
        "%%timeit\nx = 1\n",
        "x = 1\n%%dataflow\n",
        '%%dataflow\ndef a() -> str:\n    return "%%dataflow\\n\\"\'"\n',
        "%%dataflow\ndef a() -> int:\n    x = 1\n    \n    return x\n\t\n",  # blank, indented
        "%%dataflow \r\ndef a() -> int:\r\n    return 1\r\n",
        "%%dataflow\ndef a() -> int:\n \t \r\n    return 1\n   ",  # blank last, no newline
    ],
)
def test_a_dataflow_cell_is_transformed_as_ipython_would(shell: Shell, cell: str) -> None:
    """The shortcut past IPython's input transformations gives IPython's own code, and a
    terminal still waits for the empty line that ends a magic cell."""
    ip = shell.ip
    ours = ip.transform_cell(cell), ip.check_complete(cell)
    (shortcut,) = [t for t in ip.input_transformers_cleanup if type(t).__name__ == "DataflowCells"]
    ip.input_transformers_cleanup.remove(shortcut)
    try:
        assert ours == (ip.transform_cell(cell), ip.check_complete(cell))
    finally:
        ip.input_transformers_cleanup.insert(0, shortcut)


def test_the_shortcut_stands_aside_for_another_input_transformation(shell: Shell) -> None:
    ip = shell.ip

    def shout(lines: list[str]) -> list[str]:
        return [line.replace("return 1", "return 2") for line in lines]

    ip.input_transformers_cleanup.append(shout)
    try:
        shell.ok("%%dataflow -q\ndef a() -> int:\n    return 1\n", "c1")
        assert shell.module().a() == 2
    finally:
        ip.input_transformers_cleanup.remove(shout)
