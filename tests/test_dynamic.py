"""Parallelizable[] / Collect[] dataflows, run from a real shell: values, what is cached, edits.

Nodes write their name to a log file on each call (so calls on worker processes count too): a
node inside the block writes once per item.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hamilton import driver

import hamilton_nb
from hamilton_nb.errors import EngineError, NodeExecutionError, RunRefusedError
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell

SETUP = """%%dataflow par --quiet
from hamilton.htypes import Collect, Parallelizable

LOG = {log!r}

def _log(name):
    with open(LOG, "a") as f:
        f.write(name + "\\n")
"""
BLOCK = """%%dataflow par --quiet
def offset(k: int) -> int:
    _log("offset")
    return k * 10

def numbers(n: int, offset: int) -> Parallelizable[int]:
    _log("numbers")
    for i in range(n):
        yield i + offset

def squared(numbers: int) -> int:
    _log("squared")
    return numbers * numbers

def shifted(squared: int, offset: int) -> int:
    _log("shifted")
    return squared - offset

def gathered(shifted: Collect[int]) -> list:
    _log("gathered")
    return list(shifted)
"""
REPORT = """%%dataflow par --quiet
def total(gathered: list) -> int:
    _log("total")
    return sum(gathered)

def report(total: int, offset: int) -> str:
    _log("report")
    return f"{total} above {offset}"
"""
N = 4
INPUTS = {"n": N, "k": 1}
TARGETS = ["gathered", "total", "report"]
BLOCK_NODES = ["numbers", "squared", "shifted"]
NOT_CACHED = "not cached (parallel block)"


class Flow:
    """The dataflow in a real shell, and what its nodes logged."""

    def __init__(self, shell: Shell, log: Path) -> None:
        self.shell, self.log = shell, log

    def run(self, targets: list[str] = TARGETS, engine: str = "local") -> Any:
        workers = "" if engine == "local" else " --workers 2"
        return self.shell.ok(
            f"%dataflow run {' '.join(targets)} --module par --inputs n={N} k=1"
            f" --engine {engine}{workers}"
        )

    def executed(self) -> list[str]:
        """Node calls since the last call, sorted."""
        names = self.log.read_text().split() if self.log.exists() else []
        self.log.write_text("")
        return sorted(names)

    def plain(self, targets: list[str] = TARGETS) -> dict[str, Any]:
        """What a plain Hamilton driver with dynamic execution computes from the live module."""
        dr = (
            driver.Builder()
            .with_modules(self.shell.module("par"))
            .enable_dynamic_execution(allow_experimental_mode=True)
            .build()
        )
        values: dict[str, Any] = dr.execute(targets, inputs=INPUTS)
        self.executed()
        return values

    def states(self) -> dict[str, str]:
        table = self.shell.ok("%dataflow status --module par").set_index("node")
        return dict(table["state"])


@pytest.fixture
def flow(shell: Shell, tmp_path: Path) -> Flow:
    log = tmp_path / "calls.log"
    shell.ok(SETUP.format(log=str(log)), "setup")
    shell.ok(BLOCK, "block")
    shell.ok(REPORT, "report")
    return Flow(shell, log)


def _calls(*names: str, items: int = N) -> list[str]:
    """The calls a run makes: block nodes other than the Parallelizable[] one, once per item."""
    per_item = {"squared", "shifted"}
    return sorted(c for n in names for c in [n] * (items if n in per_item else 1))


EVERYTHING = _calls("offset", *BLOCK_NODES, *TARGETS)


@pytest.mark.parametrize("engine", ["local", "threads", "processes"])
def test_values_are_those_of_a_plain_driver_with_dynamic_execution(flow: Flow, engine: str) -> None:
    got = flow.run(engine=engine)
    assert flow.executed() == EVERYTHING
    want = {"gathered": [90, 111, 134, 159], "total": 494, "report": "494 above 10"}
    assert got == flow.plain() == want
    report = hamilton_nb.session("par").last_run
    assert report is not None and set(report.not_cached) == set(BLOCK_NODES)


def test_the_block_is_not_cached_and_status_says_so(flow: Flow) -> None:
    flow.run(["total"])
    flow.executed()
    states = flow.states()
    assert [states[n] for n in BLOCK_NODES] == [NOT_CACHED] * 3
    assert states["gathered"] == states["total"] == states["offset"] == "fresh"
    assert states["report"] == "never run"
    got = flow.run()
    assert flow.executed() == ["report"]  # the block's work is in gathered, from the cache
    assert got == flow.plain()
    report = hamilton_nb.session("par").last_run
    assert report is not None and report.computed == ("report",) and report.not_cached == ()
    assert set(report.from_cache) == {"gathered", "offset", "total"}


EDITS = [
    pytest.param(
        "block",
        BLOCK.replace("return numbers * numbers", "return numbers * numbers + 1"),
        _calls(*BLOCK_NODES, *TARGETS),
        id="inside-the-block",
    ),
    pytest.param(
        "report",
        REPORT.replace("return sum(gathered)", "return sum(gathered) * 2"),
        ["report", "total"],
        id="below-the-collect",
    ),
    pytest.param(
        "block",
        BLOCK.replace("return list(shifted)", "return list(shifted)[::-1]"),
        _calls(*BLOCK_NODES, *TARGETS),
        id="the-collect",
    ),
    pytest.param(
        "block",
        BLOCK.replace("return k * 10", "return k * 100"),
        EVERYTHING,
        id="above-the-block",
    ),
]


@pytest.mark.parametrize(("cell", "edited", "recomputed"), EDITS)
def test_an_edit_recomputes_what_depends_on_it_and_the_values_are_right(
    flow: Flow, cell: str, edited: str, recomputed: list[str]
) -> None:
    flow.run()
    flow.executed()
    flow.shell.ok(edited, cell)
    got = flow.run()
    assert flow.executed() == recomputed
    assert got == flow.plain()
    flow.run()
    assert flow.executed() == []


def test_a_restarted_kernel_on_the_same_cache_gets_the_same_values(
    flow: Flow, tmp_path: Path
) -> None:
    want = flow.run()
    REGISTRY.cache.flush()
    flow.executed()
    first = _restarted(tmp_path, flow.log, [])
    assert first["values"] == want and first["executed"] == []
    assert first["states"]["gathered"] == "cached" and first["states"]["squared"] == NOT_CACHED
    edited = {"block": BLOCK.replace("return squared - offset", "return squared + offset")}
    second = _restarted(tmp_path, flow.log, [edited])
    assert second["executed"] == _calls(*BLOCK_NODES, *TARGETS)
    flow.shell.ok(edited["block"], "block")
    assert second["values"] == flow.plain() != want


RESTARTED = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell

ip = InteractiveShell.instance()

def ok(source, cell_id=None):
    result = ip.run_cell(source, store_history=True, cell_id=cell_id)
    assert result.success, result.error_before_exec or result.error_in_exec
    return result.result

ok("%load_ext hamilton_nb")
ok("%dataflow cache --dir " + sys.argv[1])
for cells in json.loads(sys.argv[2]):
    for cell_id, source in cells.items():
        ok(source, cell_id)
open(sys.argv[3], "w").close()
values = ok("%dataflow run {targets} --module par --inputs n={n} k=1")
states = dict(ok("%dataflow status --module par").set_index("node")["state"])
executed = sorted(open(sys.argv[3]).read().split())
print(json.dumps({{"values": values, "states": states, "executed": executed}}))
"""


def _restarted(tmp_path: Path, log: Path, edits: list[dict[str, str]]) -> dict[str, Any]:
    """A new kernel on the same disk cache: the cells, then ``edits``, then a run."""
    cells = [{"setup": SETUP.format(log=str(log)), "block": BLOCK, "report": REPORT}, *edits]
    script = textwrap.dedent(RESTARTED.format(targets=" ".join(TARGETS), n=N))
    cache = tmp_path / ".hamilton_nb" / "cache"  # where the tests' kernel keeps its values
    done = subprocess.run(
        [sys.executable, "-c", script, str(cache), json.dumps(cells), str(log)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_node_inside_the_block_cannot_be_asked_for_but_the_parallelizable_can(
    flow: Flow,
) -> None:
    error = flow.shell.fails("%dataflow run squared --module par --inputs n=4 k=1")
    assert isinstance(error, RunRefusedError)
    assert "'squared': run once per item" in str(error) and "(gathered)" in str(error)
    assert flow.run(["numbers"]) == flow.plain(["numbers"])["numbers"] == [10, 11, 12, 13]
    assert flow.states()["numbers"] == NOT_CACHED


def test_a_failing_item_names_its_node_and_line_and_nothing_below_is_cached(flow: Flow) -> None:
    broken = BLOCK.replace("    return numbers * numbers", "    return 1 // (numbers - 12)")
    flow.shell.ok(broken, "block")
    error = flow.shell.fails("%dataflow run total --module par --inputs n=4 k=1")
    assert isinstance(error, NodeExecutionError) and error.node == "squared"
    assert "cell block, line 13" in str(error) and "ZeroDivisionError" in str(error)
    states = flow.states()
    assert states["squared"] == "failed" and states["gathered"] == "never run"
    flow.shell.ok(BLOCK, "block")
    flow.executed()
    assert flow.run(["total"]) == 494
    assert flow.executed() == _calls(*BLOCK_NODES, "gathered", "total")


def test_an_engine_that_cannot_run_the_block_says_so(flow: Flow) -> None:
    error = flow.shell.fails(
        "%dataflow run total --module par --inputs n=4 k=1 --engine dask --workers 2"
    )
    assert isinstance(error, EngineError)
    assert "the dask engine cannot run Parallelizable[]/Collect[] nodes" in str(error)
    assert "--engine local, threads or processes" in str(error)
    assert flow.executed() == []
