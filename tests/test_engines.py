"""The same notebook dataflow on every engine: threads, processes, Dask, Ray (real ones).

Each engine starts once per test run (engines are kept for the process's lifetime), with two
workers. Nodes write their name to a log file, so executions are counted wherever they ran;
the file's path is absolute because worker processes keep the directory they started in.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import hamilton_nb
from hamilton_nb.errors import EngineError, NodeExecutionError
from hamilton_nb.jupyter.registry import REGISTRY
from hamilton_nb.run.engines import EngineSpec, engine, running, stop
from hamilton_nb.run.remote import NodeCall, Timed
from tests.conftest import Shell, plain

ROOT = Path(__file__).parent.parent
ENGINES = ["threads", "processes", "dask", "ray"]
ALL = ["sales", "clean", "by_region", "total", "share"]

SETUP = """%%dataflow eng --quiet
import pandas as pd

LOG = {log!r}
RATE = 1.5

def _log(name):
    with open(LOG, "a") as f:
        f.write(name + "\\n")
"""
SOURCE = """%%dataflow eng --quiet
def sales(n: int) -> pd.DataFrame:
    _log("sales")
    regions = ["north", "south", "east"]
    return pd.DataFrame({"region": [regions[i % 3] for i in range(n)], "amount": range(n)})

def clean(sales: pd.DataFrame) -> pd.DataFrame:
    _log("clean")
    return sales[sales["amount"] % 7 != 0]

def by_region(clean: pd.DataFrame) -> pd.Series:
    _log("by_region")
    return clean.groupby("region")["amount"].sum() * RATE

def total(clean: pd.DataFrame) -> float:
    _log("total")
    return float(clean["amount"].sum()) * RATE

def share(by_region: pd.Series, total: float) -> pd.Series:
    _log("share")
    return by_region / total
"""
BAD = """%%dataflow eng --quiet
def bad(clean: pd.DataFrame) -> float:
    _log("bad")
    first = float(clean["amount"].iloc[0])
    return first / 0
"""


class Flow:
    """The dataflow in a real shell, and what its nodes logged."""

    def __init__(self, shell: Shell, log: Path) -> None:
        self.shell, self.log = shell, log

    def run(self, engine: str, nodes: list[str] = ALL) -> dict[str, object]:
        workers = None if engine == "local" else 2
        return hamilton_nb.session("eng").run(
            nodes, inputs={"n": 60}, engine=engine, workers=workers
        )

    def executed(self) -> list[str]:
        """Node executions since the last call, sorted."""
        names = self.log.read_text().split() if self.log.exists() else []
        self.log.write_text("")
        return sorted(names)


@pytest.fixture
def flow(shell: Shell, tmp_path: Path) -> Flow:
    log = tmp_path / "calls.log"
    shell.ok(SETUP.format(log=str(log)), "setup")
    shell.ok(SOURCE, "source")
    return Flow(shell, log)


def _from_scratch(flow: Flow) -> dict[str, object]:
    """The same nodes run in the kernel with an empty cache."""
    REGISTRY.cache.clear()
    values = flow.run("local")
    flow.executed()
    return values


def _assert_same(got: dict[str, object], want: dict[str, object]) -> None:
    assert got.keys() == want.keys()
    for name, value in want.items():
        if isinstance(value, pd.Series):
            pd.testing.assert_series_equal(got[name], value)  # type: ignore[arg-type]
        elif isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(got[name], value)  # type: ignore[arg-type]
        else:
            assert got[name] == value, name


@pytest.mark.parametrize("name", ENGINES)
def test_results_are_those_of_a_local_run_and_each_node_runs_once(flow: Flow, name: str) -> None:
    values = flow.run(name)
    assert flow.executed() == sorted(ALL)
    report = hamilton_nb.session("eng").last_run
    assert report is not None and sorted(report.computed) == sorted(ALL)
    _assert_same(values, _from_scratch(flow))


@pytest.mark.parametrize("name", ENGINES)
def test_cached_nodes_are_not_sent_to_workers(flow: Flow, name: str) -> None:
    flow.run("local", ["clean"])
    assert flow.executed() == ["clean", "sales"]
    flow.run(name)
    assert flow.executed() == ["by_region", "share", "total"]
    flow.run(name)
    assert flow.executed() == []
    report = hamilton_nb.session("eng").last_run
    assert report is not None and report.computed == () and sorted(report.from_cache) == sorted(ALL)


@pytest.mark.parametrize("name", ENGINES)
def test_an_edit_recomputes_the_same_nodes_on_every_engine(flow: Flow, name: str) -> None:
    flow.run(name)
    flow.executed()
    flow.shell.ok(SOURCE.replace("% 7 != 0", "% 5 != 0"), "source")  # clean changes
    values = flow.run(name)
    assert flow.executed() == ["by_region", "clean", "share", "total"]
    flow.shell.ok(SETUP.format(log=str(flow.log)).replace("1.5", "2.5"), "setup")  # RATE
    values = flow.run(name)
    assert flow.executed() == ["by_region", "share", "total"]
    assert values["total"] == pytest.approx(2.5 * sum(i for i in range(60) if i % 5))
    _assert_same(values, _from_scratch(flow))


@pytest.mark.parametrize("name", ENGINES)
def test_a_node_failing_on_a_worker_names_its_cell_and_line(flow: Flow, name: str) -> None:
    flow.shell.ok(BAD, "bad")
    with pytest.raises(NodeExecutionError) as raised:
        flow.run(name, ["total", "bad"])
    error = raised.value
    assert error.node == "bad"
    assert error.where is not None and (error.where.cell, error.where.line) == ("bad", 5)
    assert "ZeroDivisionError" in str(error) and "return first / 0" in (error.where.code or "")
    assert any("line 5, in bad" in frame for frame in error.frames)
    flow.executed()
    # what finished is cached, on every engine: only the failing node runs again
    with pytest.raises(NodeExecutionError):
        flow.run(name, ["total", "bad"])
    assert flow.executed() == ["bad"]
    states = {row.node: row.state for row in hamilton_nb.session("eng").status()}
    assert states["bad"] == "failed" and states["total"] == "cached"


LOUD = """%%dataflow eng --quiet
import sys

def loud(total: float) -> float:
    print(f"total is {total}")
    print("a warning", file=sys.stderr)
    return total

def loud_failure(total: float) -> float:
    print("about to fail")
    raise ValueError("no")
"""


@pytest.mark.parametrize("name", ENGINES)
def test_what_nodes_print_on_workers_reaches_the_notebook(
    flow: Flow, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    flow.shell.ok(LOUD, "loud")
    capsys.readouterr()
    total = flow.run(name, ["loud"])["loud"]
    out, err = capsys.readouterr()
    assert f"total is {total}" in out and "a warning" in err
    with pytest.raises(NodeExecutionError):
        flow.run(name, ["loud_failure"])
    assert "about to fail" in capsys.readouterr().out


def test_nodes_printing_at_once_in_threads_of_one_worker_keep_their_own_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    both = threading.Barrier(2)

    def speak(word: str) -> str:
        for _ in range(50):
            print(word)
            both.wait()  # the two nodes print in turns, each in its own thread
        return word

    results: dict[str, Timed] = {}

    def call(word: str) -> None:
        results[word] = NodeCall(word, speak)(word=word)

    threads = [threading.Thread(target=call, args=(w,)) for w in ("left", "right")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["left"].stdout == "left\n" * 50
    assert results["right"].stdout == "right\n" * 50
    print("after")  # the process's own output is where it was, and has none of theirs
    assert capsys.readouterr().out == "after\n"


def test_the_magic_takes_an_engine_and_workers(flow: Flow) -> None:
    value = flow.shell.ok(
        "%dataflow run total --module eng --inputs n=60 --engine threads --workers 2"
    )
    assert value == 1.5 * sum(i for i in range(60) if i % 7)
    assert flow.executed() == ["clean", "sales", "total"]
    error = flow.shell.fails("%dataflow run total --module eng --inputs n=60 --engine spark")
    assert "invalid choice: 'spark'" in plain(str(error))


def test_engine_options_that_do_not_apply_are_refused() -> None:
    with pytest.raises(EngineError, match="unknown engine 'spark'"):
        engine("spark")
    with pytest.raises(EngineError, match="--workers and --address do not apply"):
        engine("local", workers=2)
    with pytest.raises(EngineError, match="--address is for a Dask or Ray cluster"):
        engine("threads", address="tcp://127.0.0.1:8786")
    with pytest.raises(EngineError, match="--workers must be at least 1"):
        engine("processes", workers=0)


@pytest.mark.parametrize(("name", "module"), [("dask", "distributed"), ("ray", "ray")])
def test_an_engine_whose_extra_is_missing_says_which_to_install(name: str, module: str) -> None:
    script = f"""
        import sys
        sys.modules[{module!r}] = None  # as if the extra were not installed
        from hamilton_nb.run.engines import EngineError, engine, stop
        try:
            engine({name!r})
        except EngineError as e:
            print(e)
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, check=True
    )
    assert f"pip install 'hamilton_nb[{name}]'" in done.stdout, done.stderr


class Seen:
    """A run's progress as the notebook gets it, with the thread each call came from."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []

    def start(self, total: int) -> None:
        self.calls.append(("start", str(total), threading.get_ident()))

    def node_started(self, name: str) -> None:
        self.calls.append(("started", name, threading.get_ident()))

    def node_finished(self, name: str) -> None:
        self.calls.append(("finished", name, threading.get_ident()))

    def done(self) -> None:
        self.calls.append(("done", "", threading.get_ident()))


@pytest.mark.parametrize("name", ENGINES)
def test_progress_reaches_the_notebook_from_its_own_thread(flow: Flow, name: str) -> None:
    seen = Seen()
    hamilton_nb.session("eng").run(ALL, inputs={"n": 60}, engine=name, workers=2, progress=seen)
    assert {thread for *_, thread in seen.calls} == {threading.get_ident()}
    assert seen.calls[0][:2] == ("start", "5") and seen.calls[-1][0] == "done"
    finished = sorted(n for kind, n, _ in seen.calls if kind == "finished")
    assert finished == sorted(ALL)


TOUR = """%%dataflow sales --quiet
import pandas as pd

def raw(path: str) -> pd.DataFrame:
    return pd.read_csv(path)

def clean(raw: pd.DataFrame) -> pd.DataFrame:
    return raw.dropna()

def total(clean: pd.DataFrame) -> float:
    return float(clean["amount"].sum())
"""


def _readme_block(marker: str) -> str:
    """The README's Python block that contains ``marker``."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    found = [b for b in blocks if marker in b]
    assert len(found) == 1, f"one README block with {marker!r}"
    return found[0]


@pytest.mark.parametrize("marker", ["h_dask.DaskGraphAdapter", "h_ray.RayGraphAdapter"])
def test_the_exported_module_runs_on_dask_and_ray_as_the_readme_says(
    shell: Shell, tmp_path: Path, marker: str
) -> None:
    shutil.copy(ROOT / "notebooks" / "data" / "sales.csv", "sales.csv")
    shell.ok(TOUR, "tour")
    want = hamilton_nb.session("sales").run("total", inputs={"path": "sales.csv"})
    hamilton_nb.session("sales").export("sales.py")
    (tmp_path / "script.py").write_text(_readme_block(marker))
    done = subprocess.run(
        [sys.executable, "script.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{{'total': {want}}}" in done.stdout, done.stdout


SLOW_NODE = """
def slow_{i}(n: int) -> int:
    time.sleep(0.4)
    _log("slow_{i}")
    return n + {i}
"""
SLOW = "%%dataflow eng --quiet\nimport time\n" + "".join(SLOW_NODE.format(i=i) for i in range(12))


def test_an_interrupt_stops_a_threads_run_and_what_had_not_started_never_runs(
    flow: Flow,
) -> None:
    flow.shell.ok(SLOW, "slow")
    names = [f"slow_{i}" for i in range(12)]
    threading.Timer(0.6, os.kill, (os.getpid(), signal.SIGINT)).start()  # the kernel's interrupt
    with pytest.raises(KeyboardInterrupt):
        flow.run("threads", names)
    time.sleep(1.5)  # whatever was still going on the pool has finished by now
    ran = flow.executed()
    assert 0 < len(ran) < len(names), ran  # two workers: about 4 of 12 had started


LOCKED = """%%dataflow eng --quiet
import threading

LOCK = threading.Lock()

def locked(clean: pd.DataFrame) -> int:
    with LOCK:
        return len(clean)
"""


@pytest.mark.parametrize("name", ["processes", "dask", "ray"])
def test_a_node_that_cannot_be_pickled_says_so_and_runs_on_threads(flow: Flow, name: str) -> None:
    flow.shell.ok(LOCKED, "locked")
    with pytest.raises(NodeExecutionError) as raised:
        flow.run(name, ["locked"])
    error = raised.value
    assert error.node == "locked" and error.where is not None
    assert (error.where.cell, error.where.line) == ("locked", 6)
    assert "cannot be sent to a worker (TypeError: cannot pickle '_thread.lock' object)" in str(
        error
    )
    assert flow.run("threads", ["locked"]) == {"locked": 51}  # sales and clean are cached


def test_dask_connects_to_an_existing_scheduler_by_address(flow: Flow) -> None:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        session = hamilton_nb.session("eng")
        value = session.run(
            "total", inputs={"n": 60}, engine="dask", address=cluster.scheduler_address
        )
        assert value == 1.5 * sum(i for i in range(60) if i % 7)
        assert flow.executed() == ["clean", "sales", "total"]
        used = engine("dask", address=cluster.scheduler_address)
        assert used.client.scheduler_info()["address"] == cluster.scheduler_address  # type: ignore[attr-defined]
        assert stop("dask", address=cluster.scheduler_address)
        assert not stop("dask", address=cluster.scheduler_address)


def test_a_run_the_cache_answers_starts_no_engine(flow: Flow) -> None:
    flow.run("local")
    assert flow.executed() == sorted(ALL)
    values = hamilton_nb.session("eng").run(ALL, inputs={"n": 60}, engine="processes", workers=3)
    assert values["total"] == 1.5 * sum(i for i in range(60) if i % 7)
    assert flow.executed() == []
    assert EngineSpec("processes", 3) not in running()
    with pytest.raises(EngineError, match="--address is for a Dask or Ray cluster"):
        hamilton_nb.session("eng").run("total", inputs={"n": 60}, engine="threads", address="x")


LOCK_VALUE = """%%dataflow eng --quiet
import threading

def a_lock(clean: pd.DataFrame) -> object:
    return threading.Lock()
"""


@pytest.mark.parametrize("name", ["processes", "dask", "ray"])
def test_a_value_that_cannot_come_back_from_a_worker_fails_as_its_node(
    flow: Flow, name: str
) -> None:
    flow.shell.ok(LOCK_VALUE, "lock")
    with pytest.raises(NodeExecutionError) as raised:
        flow.run(name, ["a_lock", "total"])
    assert raised.value.node == "a_lock" and "TypeError" in str(raised.value)
    assert raised.value.where is not None and raised.value.where.cell == "lock"
    flow.executed()
    assert flow.run(name, ["total"]) == {"total": 1.5 * sum(i for i in range(60) if i % 7)}
    assert flow.executed() == []  # total finished beside the failure, and was cached
