"""``async def`` nodes, mixed with sync ones: run through Hamilton's async driver, cached like
any node, in a real IPython shell (with no event loop running, and inside one: a cell with a
top-level ``await``) and in a real Jupyter kernel."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hamilton import async_driver
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

import hamilton_nb
from hamilton_nb.errors import EngineError, NodeExecutionError, RunRefusedError
from tests.conftest import Shell

LOG_CELL = "%%dataflow --quiet\nLOG = []\n"
FETCH_CELL = """%%dataflow --quiet
import asyncio

async def fetched(x: int) -> int:
    LOG.append("fetched")
    await asyncio.sleep(0.01)
    return x + 1

async def other(x: int) -> int:
    LOG.append("other")
    await asyncio.sleep(0)
    return x * 10
"""

USE_CELL = """%%dataflow --quiet
def doubled(fetched: int) -> int:
    LOG.append("doubled")
    return fetched * 2

async def summed(doubled: int, other: int) -> int:
    LOG.append("summed")
    await asyncio.sleep(0)
    return doubled + other

def label(summed: int) -> str:
    LOG.append("label")
    return f"sum={summed}"
"""

ALL = ["fetched", "other", "doubled", "summed", "label"]

# a cell run in a running event loop (IPython runs a cell with top-level await in its loop)
IN_A_LOOP = "import asyncio as _asyncio\nawait _asyncio.sleep(0)\n"


@pytest.fixture(params=["no-loop", "in-a-loop"])
def where(request: pytest.FixtureRequest) -> str:
    """Where the run starts: with no event loop running (``asyncio.run``), or in one (the
    run's loop on a helper thread, as in a Jupyter kernel)."""
    return IN_A_LOOP if request.param == "in-a-loop" else ""


@pytest.fixture
def flow(shell: Shell) -> Shell:
    shell.ok(LOG_CELL, "log")
    shell.ok(FETCH_CELL, "fetch")
    shell.ok(USE_CELL, "use")
    return shell


def _run(shell: Shell, where: str, nodes: str = " ".join(ALL)) -> Any:
    return shell.ok(f"{where}%dataflow run {nodes} --inputs x=1")


def _log(shell: Shell) -> list[str]:
    log: list[str] = shell.module().LOG
    ran = sorted(log)
    log.clear()
    return ran


async def _hamiltons(module: Any, nodes: list[str], inputs: dict[str, Any]) -> dict[str, Any]:
    dr = await async_driver.Builder().with_modules(module).build()
    result: dict[str, Any] = await dr.execute(nodes, inputs=inputs)
    return result


def test_async_and_sync_nodes_give_what_hamiltons_async_driver_gives(
    flow: Shell, where: str
) -> None:
    ours = _run(flow, where)
    assert _log(flow) == sorted(ALL)
    theirs = asyncio.run(_hamiltons(flow.module(), ALL, {"x": 1}))
    assert ours == theirs
    assert ours == {"fetched": 2, "other": 10, "doubled": 4, "summed": 14, "label": "sum=14"}
    # the same from Python, with another input (so the async nodes run again)
    _log(flow)  # what Hamilton's run logged
    ours = flow.ok(
        f"{where}import hamilton_nb\nhamilton_nb.session().run({ALL!r}, inputs={{'x': 5}})"
    )
    assert ours == asyncio.run(_hamiltons(flow.module(), ALL, {"x": 5}))
    assert _log(flow) == sorted(ALL + ALL)  # ours, then Hamilton's


def test_a_second_run_takes_every_awaited_value_from_the_cache(flow: Shell, where: str) -> None:
    first = _run(flow, where)
    _log(flow)
    again = _run(flow, where)
    assert again == first and _log(flow) == []
    report = hamilton_nb.session("dataflow").last_run
    assert report is not None and report.computed == () and set(report.from_cache) == set(ALL)
    assert flow.ok(f"{where}%dataflow run fetched --inputs x=1") == 2  # a value, not a coroutine
    table = flow.ok("%dataflow status").set_index("node")
    assert set(table.loc[ALL, "state"]) == {"cached"}


@pytest.mark.parametrize(
    ("cell", "old", "new", "recomputed"),
    [
        pytest.param(
            "fetch",
            "return x + 1",
            "return x + 2",
            ["doubled", "fetched", "label", "summed"],
            id="async-node",
        ),
        pytest.param(
            "use",
            "return fetched * 2",
            "return fetched * 3",
            ["doubled", "label", "summed"],
            id="sync-node-below-an-async-one",
        ),
        pytest.param(
            "use",
            "return doubled + other",
            "return doubled - other",
            ["label", "summed"],
            id="async-node-below-sync-ones",
        ),
    ],
)
def test_an_edit_recomputes_exactly_the_edited_node_and_its_descendants(
    flow: Shell, where: str, cell: str, old: str, new: str, recomputed: list[str]
) -> None:
    _run(flow, where)
    _log(flow)
    source = {"fetch": FETCH_CELL, "use": USE_CELL}[cell]
    flow.ok(source.replace(old, new), cell)
    values = _run(flow, where)
    assert _log(flow) == recomputed
    assert values == asyncio.run(_hamiltons(flow.module(), ALL, {"x": 1}))


def test_independent_async_nodes_wait_at_the_same_time(shell: Shell, where: str) -> None:
    # each node waits until the other has started: run one after the other, they would not
    shell.ok(
        "%%dataflow\nimport asyncio\nSTARTED = set()\n\n"
        "async def _meet(me, other):\n"
        "    STARTED.add(me)\n"
        "    for _ in range(1000):\n"
        "        if other in STARTED:\n"
        "            return me\n"
        "        await asyncio.sleep(0.001)\n"
        "    raise RuntimeError(f'{other} never started while {me} waited')\n\n"
        "async def left() -> str:\n    return await _meet('left', 'right')\n\n"
        "async def right() -> str:\n    return await _meet('right', 'left')\n\n"
        "def both(left: str, right: str) -> str:\n    return left + right\n",
    )
    assert shell.ok(f"{where}%dataflow run both") == "leftright"


def test_an_async_node_that_raises_is_named_with_its_cell_and_line(
    shell: Shell, where: str
) -> None:
    cell = (
        "%%dataflow\nimport asyncio\n\n"
        "async def quick() -> int:\n    return 1\n\n"
        "async def broken(quick: int) -> int:\n"
        "    await asyncio.sleep(0)\n"
        "    raise ValueError('the service said no')\n\n"
        "def after(broken: int) -> int:\n    return broken + 1\n"
    )
    shell.ok(cell, "c1")
    error = shell.fails(f"{where}%dataflow run after")
    assert isinstance(error, NodeExecutionError) and error.node == "broken"
    assert "cell c1, line 9" in str(error)
    assert any("raise ValueError" in frame for frame in error.frames)
    assert "node 'broken' raised ValueError: the service said no" in str(error)
    table = shell.ok("%dataflow status").set_index("node")
    assert table.loc["quick", "state"] == "fresh" and table.loc["broken", "state"] == "failed"
    shell.ok(cell.replace("raise ValueError('the service said no')", "return quick * 5"), "c1")
    assert shell.ok(f"{where}%dataflow run after") == 6
    report = hamilton_nb.session("dataflow").last_run
    assert report is not None and report.from_cache == ("quick",)


def test_an_input_of_the_wrong_type_is_refused_before_any_node_runs(
    shell: Shell, where: str
) -> None:
    """Hamilton's async driver does not check inputs: the run does, as a plain run would,
    so no node computes (and no cache keeps) a value from an input of the wrong type."""
    shell.ok(
        "%%dataflow\nasync def doubled(x: int) -> int:\n    return x * 2\n\n"
        "def tripled(x: int) -> int:\n    return x * 3\n",
        "c1",
    )
    for nodes in ("doubled", "doubled tripled", "tripled"):
        error = shell.fails(f"{where}%dataflow run {nodes} --inputs x='ab'")
        assert isinstance(error, RunRefusedError), error
        assert "Expected x:<class 'int'> got ab:<class 'str'>" in str(error)
    assert shell.ok("%dataflow status").set_index("node").loc["tripled", "state"] == "never run"


def test_a_node_that_returns_while_cancelled_is_not_cached(shell: Shell, where: str) -> None:
    """A node beside a failing one is cancelled; if it catches that and returns what it has
    so far, that partial value is not kept: the next run computes it in full."""
    shell.ok(
        "%%dataflow\nimport asyncio\n\n"
        "async def fails(x: int) -> int:\n    await asyncio.sleep(0.05)\n"
        "    raise ValueError('boom')\n\n"
        "async def pages(x: int) -> list:\n    got = []\n    try:\n"
        "        for i in range(20):\n            await asyncio.sleep(0.02)\n"
        "            got.append(i)\n    except asyncio.CancelledError:\n"
        "        pass  # keeps what it fetched\n    return got\n\n"
        "def both(fails: int, pages: list) -> int:\n    return fails + len(pages)\n",
        "c1",
    )
    error = shell.fails(f"{where}%dataflow run both --inputs x=1")
    assert isinstance(error, NodeExecutionError) and error.node == "fails"
    assert shell.ok(f"{where}%dataflow run pages --inputs x=1") == list(range(20))


def test_ctrl_c_cancels_the_async_nodes_and_names_them(shell: Shell, where: str) -> None:
    shell.ok(
        "%%dataflow\nimport _thread, asyncio\nINTERRUPT = [True]\n\n"
        "async def slow() -> int:\n"
        "    if INTERRUPT:\n"
        "        INTERRUPT.clear()\n"
        "        _thread.interrupt_main()  # Ctrl-C, as the kernel's interrupt sends it\n"
        "        await asyncio.sleep(30)\n"
        "    return 1\n\n"
        "async def fast() -> int:\n    return 2\n",
    )
    error = shell.fails(f"{where}%dataflow run slow fast")
    assert isinstance(error, KeyboardInterrupt)
    assert "interrupted while these nodes ran: slow; nothing it computed was cached" in str(error)
    assert hamilton_nb.session("dataflow").last_run is None
    assert shell.ok(f"{where}%dataflow run slow fast") == {"slow": 1, "fast": 2}
    report = hamilton_nb.session("dataflow").last_run
    assert report is not None and set(report.computed) == {"slow", "fast"}


DECORATED_CELL = """%%dataflow
import asyncio
import pandas as pd
from hamilton.function_modifiers import check_output, extract_columns, extract_fields, tag

@tag(kind="io")
async def tagged(x: int) -> int:
    await asyncio.sleep(0)
    return x + 1

@check_output(range=(0, 100))
async def checked(tagged: int) -> int:
    return tagged * 2

@extract_fields({"a": int, "b": int})
async def fields(x: int) -> dict:
    return {"a": x, "b": x * 3}

@extract_columns("c1", "c2")
async def frame(x: int) -> pd.DataFrame:
    return pd.DataFrame({"c1": [x], "c2": [x + 1]})

def total(checked: int, a: int, b: int, c2: pd.Series) -> int:
    return checked + a + b + int(c2.sum())
"""


def test_decorated_async_nodes_give_what_hamiltons_async_driver_gives(
    shell: Shell, where: str
) -> None:
    shell.ok(DECORATED_CELL)
    names = ["total", "tagged", "checked", "a", "b", "fields"]
    ours = shell.ok(f"{where}%dataflow run {' '.join(names)} --inputs x=1")
    assert ours == asyncio.run(_hamiltons(shell.module(), names, {"x": 1}))
    assert ours["total"] == 4 + 1 + 3 + 2


def test_a_decorator_that_wraps_an_async_def_fails_naming_the_node(
    shell: Shell, where: str
) -> None:
    # Hamilton's async driver hands on the coroutine of a wrapped async def unawaited
    shell.ok(
        "%%dataflow\nfrom hamilton.function_modifiers import parameterize, value\n\n"
        "@parameterize(one={'k': value(1)}, two={'k': value(2)})\n"
        "async def param(k: int) -> int:\n    return k\n",
        "c1",
    )
    error = shell.fails(f"{where}%dataflow run one")
    assert isinstance(error, NodeExecutionError) and error.node == "one"
    assert "cell c1, line 4: node 'one' raised TypeError: it returned a coroutine" in str(error)
    assert "not wrapping ones such as @parameterize" in str(error)
    report = hamilton_nb.session("dataflow").last_run
    assert report is not None and report.failed == "one" and report.computed == ()


def test_async_nodes_run_only_on_the_local_engine(flow: Shell) -> None:
    error = flow.fails("%dataflow run label --inputs x=1 --engine threads --workers 2")
    assert isinstance(error, EngineError)
    assert "async def nodes (fetched, other, summed) run as asyncio tasks" in str(error)
    assert "--engine local" in str(error)


def test_async_nodes_and_parallelizable_ones_cannot_share_a_run(shell: Shell) -> None:
    shell.ok(
        "%%dataflow\nfrom hamilton.htypes import Collect, Parallelizable\n\n"
        "async def n() -> int:\n    return 3\n\n"
        "def item(n: int) -> Parallelizable[int]:\n    yield from range(n)\n\n"
        "def squared(item: int) -> int:\n    return item * item\n\n"
        "def total(squared: Collect[int]) -> int:\n    return sum(squared)\n"
    )
    error = shell.fails("%dataflow run total")
    assert isinstance(error, EngineError)
    assert "a run cannot compute both async def nodes (n) and Parallelizable[]" in str(error)
    assert shell.ok("%dataflow run n") == 3  # once n is cached, the block runs on its own
    assert shell.ok("%dataflow run total") == 0 + 1 + 4


def test_the_export_runs_on_hamiltons_async_driver_and_its_tests_pass(
    flow: Shell, tmp_path: Path
) -> None:
    _run(flow, "")
    flow.ok("%dataflow export out/fetching.py --tests")
    module = (tmp_path / "out" / "fetching.py").read_text()
    assert "async def fetched(x: int) -> int:" in module
    assert "It has async def nodes: build it with\n``await async_driver.Builder()" in module
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_fetching.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path / "out",
        timeout=120,
    )
    assert done.returncode == 0 and "5 passed" in done.stdout, done.stdout + done.stderr


def _kernel(cells: list[str], tmp_path: Path) -> tuple[list[str], list[list[str]]]:
    """Run cells as a notebook in a real Jupyter kernel; each cell's printed text, and the
    text of what it displayed."""
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    printed = [
        "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        for cell in nb.cells
    ]
    shown = [
        [o.data["text/plain"] for o in cell.outputs if o.output_type == "display_data"]
        for cell in nb.cells
    ]
    return printed, shown


def test_async_nodes_in_a_jupyter_kernel(tmp_path: Path) -> None:
    report = "r = hamilton_nb.session().last_run\nprint(values, sorted(r.computed))"
    printed, shown = _kernel(
        [
            "%load_ext hamilton_nb\nimport asyncio, hamilton_nb\nfrom hamilton import async_driver",
            "print(asyncio.get_running_loop().is_running())",  # cells run inside the kernel's loop
            LOG_CELL,
            FETCH_CELL,
            USE_CELL,
            f"values = %dataflow run {' '.join(ALL)} --inputs x=1\n{report}",
            "import dataflow\n"
            "dr = await async_driver.Builder().with_modules(dataflow).build()\n"
            f"print(values == await dr.execute({ALL!r}, inputs={{'x': 1}}))",
            f"values = %dataflow run {' '.join(ALL)} --inputs x=1\n{report}",
            FETCH_CELL.replace("return x + 1", "return x + 2"),  # no cell ids: takes it over
            f"values = %dataflow run label --inputs x=1\n{report}",
            "%%dataflow failing\nimport asyncio\n\nasync def broken() -> int:\n"
            "    await asyncio.sleep(0)\n    raise ValueError('the service said no')\n",
            "try:\n    %dataflow run broken --module failing\nexcept Exception as e:\n    print(e)",
            "%%dataflow hanging\nimport _thread, asyncio\n\nasync def hang() -> int:\n"
            "    _thread.interrupt_main()\n    await asyncio.sleep(30)\n    return 1\n",
            "try:\n    %dataflow run hang --module hanging\nexcept KeyboardInterrupt as e:\n"
            "    print(e)",
            "%%dataflow slow\nimport asyncio\n\n"
            "async def a() -> int:\n    await asyncio.sleep(0.7)\n    return 1\n\n"
            "async def b(a: int) -> int:\n    await asyncio.sleep(0.7)\n    return a + 1\n\n"
            "def c(b: int) -> int:\n    return b + 1\n",
            "value = %dataflow run c --module slow\nprint(value)",
        ],
        tmp_path,
    )
    assert printed[1] == "True\n"
    everything = "{'fetched': 2, 'other': 10, 'doubled': 4, 'summed': 14, 'label': 'sum=14'}"
    assert printed[5] == f"{everything} {sorted(ALL)}\n"
    assert printed[6] == "True\n"  # Hamilton's own async driver, awaited in the kernel
    assert printed[7] == f"{everything} []\n"  # all from the cache
    assert printed[9] == "sum=16 ['doubled', 'fetched', 'label', 'summed']\n"
    assert printed[11].startswith(
        "cell In[11], line 6: node 'broken' raised ValueError: the service said no"
    )
    assert printed[13] == (
        "the run was interrupted while these nodes ran: hang; nothing it computed was cached\n"
    )
    # the progress of a run longer than a second, told from the kernel's thread as it runs
    assert printed[15] == "3\n" and len(shown[15]) == 1
    assert shown[15][0].startswith("3/3 nodes in ")


def test_the_kernels_interrupt_stops_a_run_of_async_nodes(tmp_path: Path) -> None:
    """The stop button: a client's interrupt request (SIGINT to the kernel) while a node
    awaits, not a simulated Ctrl-C; the kernel stays usable and caches nothing."""
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        hang = (
            "%%dataflow hanging\nimport asyncio\n\nasync def hang() -> int:\n"
            "    print('awaiting', flush=True)\n    await asyncio.sleep(60)\n    return 1\n"
        )
        for cell in ("%load_ext hamilton_nb", f"%dataflow cache --dir {tmp_path}", hang):
            assert kc.execute_interactive(cell, timeout=60)["content"]["status"] == "ok"
        running = kc.execute("%dataflow run hang --module hanging")
        seen: list[str] = []
        while True:  # until the node has started
            message = kc.get_iopub_msg(timeout=60)
            ours = message["parent_header"].get("msg_id") == running
            if ours and "awaiting" in message["content"].get("text", ""):
                break
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == running
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert reply["content"]["evalue"] == (
            "the run was interrupted while these nodes ran: hang; nothing it computed was cached"
        )
        check = "import hamilton_nb\nprint(hamilton_nb.session('hanging').states()['hang'])"
        kc.execute_interactive(check, output_hook=lambda m: seen.append(str(m["content"])))
        assert any("'text': 'never run\\n'" in s for s in seen), seen
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
