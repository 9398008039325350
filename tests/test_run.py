"""Running nodes from a real shell: what is recomputed, what comes from the cache, what fails."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import hamilton_nb
from hamilton_nb.errors import (
    MissingInputError,
    NodeExecutionError,
    RunRefusedError,
    UnknownNodeError,
)
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell

DATA = Path(__file__).parent.parent / "notebooks" / "data" / "sales.csv"

LOG_CELL = "%%dataflow sales --quiet\nLOG = []\n"
LOAD_CELL = """%%dataflow sales --quiet
RATE = 2.0

def _scale(x):
    return x * RATE

def raw(path: str) -> pd.DataFrame:
    LOG.append("raw")
    return pd.read_csv(path)

def clean(raw: pd.DataFrame) -> pd.DataFrame:
    LOG.append("clean")
    return raw.dropna(subset=["amount"])
"""
REPORT_CELL = """%%dataflow sales --quiet
def total(clean: pd.DataFrame) -> float:
    LOG.append("total")
    return round(float(clean["amount"].sum()), 2)

def scaled(total: float) -> float:
    LOG.append("scaled")
    return _scale(total)

def by_region(clean: pd.DataFrame) -> pd.Series:
    LOG.append("by_region")
    return clean.groupby("region")["amount"].sum()
"""
ALL = ["total", "scaled", "by_region"]


@pytest.fixture
def sales(shell: Shell) -> Shell:
    shutil.copy(DATA, "sales.csv")
    shell.ok("import pandas as pd")
    shell.ok(LOG_CELL, "log")
    shell.ok(LOAD_CELL, "load")
    shell.ok(REPORT_CELL, "report")
    return shell


def _log(shell: Shell) -> list[str]:
    log: list[str] = shell.module("sales").LOG
    executed = sorted(log)
    log.clear()
    return executed


def _run(shell: Shell, nodes: str = " ".join(ALL), inputs: str = 'path="sales.csv"') -> object:
    return shell.ok(f"%dataflow run {nodes} --module sales --inputs {inputs}")


def test_run_returns_the_value_of_one_node_and_a_dict_for_several(sales: Shell) -> None:
    assert _run(sales, "total") == 2333.2
    values = _run(sales, "total scaled")
    assert values == {"total": 2333.2, "scaled": 4666.4}
    session = hamilton_nb.session("sales")
    assert session.run("scaled", inputs={"path": "sales.csv"}) == 4666.4
    assert session.last_run is not None and session.last_run.requested == ("scaled",)


def test_inputs_can_be_notebook_variables(sales: Shell) -> None:
    sales.ok("where = 'sales.csv'")
    assert _run(sales, "total", "path=where") == 2333.2
    error = sales.fails("%dataflow run total --module sales --inputs path=sales.csv")
    assert 'quote a string: path="sales.csv"' in str(error)


def test_a_warm_run_computes_nothing(sales: Shell) -> None:
    _run(sales)
    assert _log(sales) == ["by_region", "clean", "raw", "scaled", "total"]
    _run(sales)
    assert _log(sales) == []
    report = hamilton_nb.session("sales").last_run
    assert report is not None and report.computed == () and set(report.from_cache) == set(ALL)


EDITS = [
    pytest.param(
        "report",
        REPORT_CELL.replace('["amount"].sum()), 2)', '["amount"].sum()), 1)'),
        ["scaled", "total"],
        id="node-and-its-descendants",
    ),
    pytest.param(
        "load",
        LOAD_CELL.replace('subset=["amount"]', 'subset=["amount", "region"]'),
        ["by_region", "clean", "scaled", "total"],
        id="upstream-node",
    ),
    pytest.param(
        "load", LOAD_CELL.replace("return x * RATE", "return x * RATE * 1"), ["scaled"], id="helper"
    ),
    pytest.param("load", LOAD_CELL.replace("RATE = 2.0", "RATE = 3.0"), ["scaled"], id="constant"),
    pytest.param(
        "load",
        LOAD_CELL.replace("def raw(", "# a comment\n\ndef raw(").replace(
            'LOG.append("raw")', 'LOG.append("raw")  # trailing'
        ),
        [],
        id="comment-only",
    ),
    pytest.param(
        "report",
        REPORT_CELL.replace("def total(", "def total(\n").replace(
            '    LOG.append("total")', '    """Docstring."""\n    LOG.append("total")'
        ),
        [],
        id="docstring-and-layout",
    ),
]


@pytest.mark.parametrize(("cell", "edited", "recomputed"), EDITS)
def test_an_edit_recomputes_exactly_what_depends_on_it(
    sales: Shell, cell: str, edited: str, recomputed: list[str]
) -> None:
    _run(sales)
    _log(sales)
    sales.ok(edited, cell)
    _run(sales)
    assert _log(sales) == recomputed


def test_a_new_input_value_recomputes_what_reads_it(sales: Shell) -> None:
    _run(sales)
    _log(sales)
    pd.read_csv("sales.csv").head(10).to_csv("small.csv", index=False)
    _run(sales, inputs='path="small.csv"')
    assert _log(sales) == ["by_region", "clean", "raw", "scaled", "total"]
    _run(sales)  # back to the first file: all of it is still cached
    assert _log(sales) == []


def test_a_run_the_cache_answers_still_records_its_inputs(sales: Shell) -> None:
    pd.read_csv("sales.csv").head(10).to_csv("small.csv", index=False)
    _run(sales, inputs='path="small.csv"')
    _run(sales)
    _run(sales, inputs='path="small.csv"')  # all from the cache: nothing reads `path`
    session = hamilton_nb.session("sales")
    assert session.runs.inputs == {"path": "small.csv"}
    sales.ok("%dataflow reset --module sales")  # a new session over the same cache
    sales.ok(LOG_CELL, "log")
    sales.ok(LOAD_CELL, "load")
    sales.ok(REPORT_CELL, "report")
    _run(sales)
    assert _log(sales) == []
    table = sales.ok("%dataflow status --module sales").set_index("node")
    assert table.loc["raw", "state"] == table.loc["total", "state"] == "cached"
    session.export("sales_module.py", tests=True)  # the expectations come from that run
    assert 'INPUTS = {"path": "sales.csv"}' in Path("test_sales_module.py").read_text()


def test_status_shows_states_durations_and_sizes(sales: Shell) -> None:
    _run(sales, "total")
    table = sales.ok("%dataflow status --module sales").set_index("node")
    assert table.loc["total", "state"] == "fresh"
    assert table.loc["by_region", "state"] == "never run"
    assert table.loc["path", "state"] == "input"
    assert table.loc["clean", "size (bytes)"] > 0
    assert table.loc["clean", "last duration (s)"] >= 0
    sales.ok(REPORT_CELL.replace("sum()), 2)", "sum()), 1)"), "report")
    _run(sales, "scaled")
    table = sales.ok("%dataflow status --module sales").set_index("node")
    assert table.loc["clean", "state"] == "cached"
    assert table.loc["total", "state"] == "fresh"
    sales.ok(LOAD_CELL.replace("RATE = 2.0", "RATE = 5.0"), "load")
    table = sales.ok("%dataflow status --module sales").set_index("node")
    assert table.loc["scaled", "state"] == "stale" and table.loc["total", "state"] == "fresh"


def test_a_failing_node_names_node_cell_and_line_and_keeps_what_ran(sales: Shell) -> None:
    broken = REPORT_CELL.replace("    return _scale(total)", "    return _scale(total) / 0")
    sales.ok(broken, "report")
    error = sales.fails("%dataflow run scaled --module sales --inputs path='sales.csv'")
    assert isinstance(error, NodeExecutionError) and error.node == "scaled"
    assert "cell report, line 8" in str(error) and "ZeroDivisionError" in str(error)
    assert _log(sales) == ["clean", "raw", "scaled", "total"]
    table = sales.ok("%dataflow status --module sales").set_index("node")
    assert table.loc["scaled", "state"] == "failed" and table.loc["total", "state"] == "fresh"
    sales.ok(REPORT_CELL, "report")
    _run(sales, "scaled")
    assert _log(sales) == ["scaled"]


def test_missing_inputs_and_unknown_nodes_are_clear_errors(sales: Shell) -> None:
    error = sales.fails("%dataflow run total --module sales")
    assert isinstance(error, MissingInputError)
    assert "missing inputs: path (needed by raw)" in str(error)
    error = sales.fails("%dataflow run nope --module sales")
    assert isinstance(error, UnknownNodeError)


def test_config_selects_functions_and_keys_values_apart(shell: Shell) -> None:
    shell.ok(
        "%%dataflow\nfrom hamilton.function_modifiers import config\n"
        "CALLS = []\n"
        "@config.when(unit='k')\ndef price__k(base: float) -> float:\n"
        "    CALLS.append('k')\n    return base / 1000\n"
        "@config.when_not(unit='k')\ndef price__units(base: float) -> float:\n"
        "    CALLS.append('u')\n    return base\n",
        "prices",
    )
    assert shell.ok("%dataflow run price --inputs base=2000.0 --config unit='k'") == 2.0
    assert shell.ok("%dataflow run price --inputs base=2000.0") == 2.0  # the config stays
    assert shell.ok("%dataflow run price --inputs base=2000.0 --config unit='u'") == 2000.0
    assert shell.ok("%dataflow run price --inputs base=2000.0 --config unit='k'") == 2.0
    assert shell.module().CALLS == ["k", "u"]


def test_the_sessions_config_is_read_only_and_configure_resolves_the_graph_again(
    shell: Shell,
) -> None:
    shell.ok(
        "%%dataflow\nfrom hamilton.function_modifiers import config\n"
        "@config.when(unit='k')\ndef price__k(base: float) -> float:\n    return base / 1000\n"
        "@config.when_not(unit='k')\ndef price__units(base: float) -> float:\n    return base\n",
        "prices",
    )
    session = hamilton_nb.session("dataflow")
    with pytest.raises(TypeError):
        session.config["unit"] = "k"  # type: ignore[index]
    session.configure({"unit": "k"})
    assert session.graph.node("price").function == "price__k"  # the graph follows the config
    assert session.run("price", inputs={"base": 2000.0}, config={"unit": "k"}) == 2.0
    assert session.run("price", inputs={"base": 2000.0}) == 2.0
    session.configure({})
    assert session.run("price", inputs={"base": 2000.0}) == 2000.0


def test_overrides_replace_nodes_without_computing_them(sales: Shell) -> None:
    session = hamilton_nb.session("sales")
    assert session.run("scaled", overrides={"total": 10.0}) == 20.0
    assert _log(sales) == ["scaled"]
    assert session.run("scaled", overrides={"total": 10.0}) == 20.0
    assert _log(sales) == []  # the same override: cached
    assert session.run("scaled", overrides={"total": 11.0}) == 22.0
    assert _log(sales) == ["scaled"]
    assert _run(sales, "scaled") == 4666.4  # no override: the real total, not a cached 22
    assert _log(sales) == ["clean", "raw", "scaled", "total"]


def test_below_an_override_nodes_are_cached_without_the_inputs_above_it(sales: Shell) -> None:
    session = hamilton_nb.session("sales")
    raw = pd.DataFrame({"region": ["n", "s"], "amount": [1.0, 2.0]})
    assert session.run("total", overrides={"raw": raw}) == 3.0  # `path` is not needed
    assert _log(sales) == ["clean", "total"]
    assert session.run("total", overrides={"raw": raw.copy()}) == 3.0
    assert _log(sales) == []
    raw.loc[0, "amount"] = 5.0
    assert session.run("total", overrides={"raw": raw}) == 7.0
    assert _log(sales) == ["clean", "total"]
    sales.ok(LOAD_CELL.replace("pd.read_csv(path)", "pd.read_csv(path, sep=',')"), "load")
    assert session.run("total", overrides={"raw": raw}) == 7.0
    assert _log(sales) == []  # code above the override does not count


def test_inputs_that_only_feed_an_override_are_not_the_runs_inputs(sales: Shell) -> None:
    session = hamilton_nb.session("sales")
    _run(sales, "total")
    raw = pd.DataFrame({"region": ["n"], "amount": [1.0]})
    session.run("total", inputs={"path": "elsewhere.csv"}, overrides={"raw": raw})
    assert session.runs.inputs["path"] == "sales.csv"
    states = session.states()
    assert (states["raw"], states["clean"], states["total"]) == ("cached",) * 3


def test_asking_for_an_input_nobody_gave_says_so(sales: Shell) -> None:
    with pytest.raises(MissingInputError, match="'path': asked for"):
        hamilton_nb.session("sales").run("path")
    assert hamilton_nb.session("sales").run("path", inputs={"path": "x.csv"}) == "x.csv"


def test_a_value_that_cannot_be_pickled_still_works_from_memory(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok(
        "%%dataflow\nCALLS = []\n"
        "def rule() -> dict:\n    CALLS.append('rule')\n    return {'f': lambda x: x > 1}\n"
        "def passed(rule: dict) -> bool:\n    return rule['f'](2)\n",
        "c",
    )
    assert shell.ok("%dataflow run passed") is True
    assert "'rule' is kept in memory only" in capsys.readouterr().err
    assert shell.ok("%dataflow run passed rule")["passed"] is True
    assert shell.module().CALLS == ["rule"]


def test_a_value_that_cannot_be_copied_apart_is_not_cached_and_says_so(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok(
        "%%dataflow\nimport threading\nCALLS = []\n"
        "def lock() -> object:\n    CALLS.append('lock')\n    return threading.Lock()\n"
        "def held(lock: object) -> bool:\n    return lock.locked()\n",
        "c",
    )
    assert shell.ok("%dataflow run held") is False
    assert "'lock' is not cached: its value cannot be copied apart" in capsys.readouterr().err
    assert shell.ok("%dataflow run held lock")["held"] is False
    assert shell.module().CALLS == ["lock", "lock"]  # a node could have changed it: computed


def test_a_5000_node_chain_runs_without_recursion_error(shell: Shell) -> None:
    chain = "\n".join(
        f"def n{i}(n{i - 1}: int) -> int:\n    return n{i - 1} + 1" for i in range(1, 5000)
    )
    shell.ok("%%dataflow deep --quiet\ndef n0() -> int:\n    return 0\n" + chain, "chain")
    assert shell.ok("%dataflow run n4999 --module deep") == 4999
    assert shell.ok("%dataflow run n4999 --module deep") == 4999
    assert hamilton_nb.session("deep").last_run.computed == ()  # type: ignore[union-attr]


# -- the disk cache ----------------------------------------------------------------------------


def test_cache_off_keeps_values_in_memory_only_and_clear_forgets_them(sales: Shell) -> None:
    sales.ok("%dataflow cache --off")
    assert REGISTRY.cache.directory is None
    _run(sales)
    assert not Path(".hamilton_nb").exists()
    _log(sales)
    sales.ok("%dataflow cache --clear")
    _run(sales)
    assert _log(sales) == ["by_region", "clean", "raw", "scaled", "total"]


def test_the_cache_magic_makes_no_session(shell: Shell) -> None:
    shell.ok("%dataflow cache --clear")
    assert hamilton_nb.session_names() == []


def test_cache_dir_moves_the_disk_cache(sales: Shell, tmp_path: Path) -> None:
    sales.ok(f"%dataflow cache --dir {tmp_path / 'elsewhere'} --max-memory 64MB")
    assert REGISTRY.cache.memory.cap == 64 * 2**20
    _run(sales)
    REGISTRY.cache.flush()
    assert any((tmp_path / "elsewhere").rglob("*"))


PROCESS = """
import shutil, sys
from pathlib import Path
from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession

s = DataflowSession("sales_{n}", cache=NodeCache(Path(sys.argv[1])))
for cid, cell in {cells!r}.items():
    s.apply_cell(cell, cid)
value = s.run({targets!r}, inputs={{"path": sys.argv[2]}})
s.cache.flush()
print(sorted(s.module.LOG), value["total"])
"""


def _process(n: int, cache_dir: Path) -> str:
    cells = {
        "log": "import pandas as pd\n" + LOG_CELL.split("\n", 1)[1],
        "load": LOAD_CELL.split("\n", 1)[1],
        "report": REPORT_CELL.split("\n", 1)[1],
    }
    script = PROCESS.format(n=n, cells=cells, targets=ALL)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(cache_dir), str(DATA)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_second_process_with_the_same_cells_and_inputs_computes_nothing(tmp_path: Path) -> None:
    cache_dir = tmp_path / "shared-cache"
    assert _process(1, cache_dir) == "['by_region', 'clean', 'raw', 'scaled', 'total'] 2333.2"
    assert _process(2, cache_dir) == "[] 2333.2"


@pytest.mark.parametrize("damage", ["truncate", "flip-a-byte", "delete"])
def test_a_damaged_cache_entry_is_recomputed_never_wrong(tmp_path: Path, damage: str) -> None:
    cache_dir = tmp_path / "shared-cache"
    _process(1, cache_dir)
    files = [p for p in cache_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        if damage == "truncate":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "flip-a-byte":
            path.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
        else:
            path.unlink()
    out = _process(2, cache_dir)
    assert out.endswith(" 2333.2")
    assert not out.startswith("[] ")  # the damaged entries were computed again


def test_an_input_of_the_wrong_type_is_a_clear_error(sales: Shell) -> None:
    error = sales.fails("%dataflow run total --module sales --inputs path=3")
    assert isinstance(error, RunRefusedError) and "path" in str(error)


def test_a_cache_that_cannot_write_to_disk_says_so_and_values_stay_usable(
    tmp_path: Path,
) -> None:
    from hamilton_nb.cache.node_cache import NodeCache
    from hamilton_nb.jupyter.dataflow import DataflowSession

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache's folder would go")
    told: list[str] = []
    s = DataflowSession("unwritable", cache=NodeCache(blocker / "cache"))
    s.notify = told.append
    try:
        s.apply_cell("def a() -> int:\n    return 1\n", "c1")
        assert s.run("a") == 1
        s.cache.flush()  # the write behind the run fails: the folder cannot be made
        s.apply_cell("def b(a: int) -> int:\n    return a + 1\n", "c2")
        assert s.run("b") == 2  # the next run says so, and computes only b
        assert s.last_run is not None and s.last_run.computed == ("b",)
        assert [t for t in told if "cannot be changed" in t] == told and len(told) == 1, told
    finally:
        s.close()


def test_after_configure_edits_drops_and_removals_follow_the_new_configs_nodes() -> None:
    from hamilton_nb.cache.node_cache import NodeCache
    from hamilton_nb.jupyter.dataflow import DataflowSession

    s = DataflowSession("configured", cache=NodeCache(None))
    try:
        s.apply_cell("RATE = 2\n", "helpers")
        s.apply_cell(
            "from hamilton.function_modifiers import config\n"
            "@config.when(unit='k')\ndef a__k(base: float) -> float:\n    return base * RATE\n",
            "c1",
        )
        assert "a" not in s.graph  # no config: no node
        s.configure({"unit": "k"})
        assert s.run("a", inputs={"base": 1.0}) == 2.0
        s.apply_cell("RATE = 3\n", "helpers")  # a helper of a node only the new config has
        assert s.run("a", inputs={"base": 1.0}) == 3.0
        assert [r.node for r in s.status() if r.state != "input"] == ["a"]
        s.apply_cell("x = 1\n", "c1")  # the function is gone: so is its node
        assert "a" not in s.graph
        s.apply_cell(
            "from hamilton.function_modifiers import config\n"
            "@config.when(unit='k')\ndef a__k(base: float) -> float:\n    return base * RATE\n",
            "c1",
        )
        assert s.drop("a").removed == {"a"}
    finally:
        s.close()


def test_configure_refuses_two_cells_that_give_one_node_under_the_new_config() -> None:
    from hamilton_nb.cache.node_cache import NodeCache
    from hamilton_nb.errors import DuplicateNodeError
    from hamilton_nb.jupyter.dataflow import DataflowSession

    s = DataflowSession("configured_twice", cache=NodeCache(None))
    try:
        s.apply_cell("def p() -> int:\n    return 1\n", "c1")
        s.apply_cell(
            "from hamilton.function_modifiers import config\n"
            "@config.when(unit='k')\ndef p__k() -> int:\n    return 2\n",
            "c2",
        )
        with pytest.raises(DuplicateNodeError, match="'p' is produced by both p\\(\\)"):
            s.configure({"unit": "k"})
        assert dict(s.config) == {} and s.run("p") == 1  # nothing changed
        with pytest.raises(DuplicateNodeError):
            s.run("p", config={"unit": "k"})  # nor does a run under that config pick one
    finally:
        s.close()


def test_a_run_under_another_config_types_inputs_as_the_graph_does() -> None:
    from hamilton_nb.cache.node_cache import NodeCache
    from hamilton_nb.jupyter.dataflow import DataflowSession

    s = DataflowSession("union_inputs", cache=NodeCache(None))
    try:
        s.apply_cell(
            "from typing import Union\n"
            "def a(x: Union[int, str]) -> int:\n    return 1\n"
            "def c(x: Union[int, float]) -> int:\n    return 3\n"
            "def b(x: int) -> int:\n    return 2\n",
            "c1",
        )
        got = s.run(["a", "b", "c"], inputs={"x": 2}, config={"k": 1})
        assert got == {"a": 1, "b": 2, "c": 3}
    finally:
        s.close()
