"""``%dataflow serve``: a live module served from the kernel's process (a real IPython shell),
asked over real HTTP on 127.0.0.1; it follows cell edits, and its cache answers repeats."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from IPython.core.error import UsageError

import hamilton_nb
from hamilton_nb.jupyter.serve_command import SERVERS
from tests.conftest import Shell
from tests.serve_cases import (
    CASES,
    MODULE,
    NO_PYDANTIC_WARNINGS,
    Case,
    assert_answers,
    assert_documents,
)

pytestmark = NO_PYDANTIC_WARNINGS

TOTAL = '''    """What the shop took."""
    return float(sales["amount"].sum())'''
WITH_TIP = '''    """What the shop took, with the tip."""
    return float(sales["amount"].sum()) + 10'''


@pytest.fixture
def served(shell: Shell) -> Iterator[httpx.Client]:
    """The shop dataflow in live module ``shop``, served on a free port."""
    shell.ok("%%dataflow shop\n" + MODULE, "shop")
    shell.ok("%dataflow serve --module shop --port 0")
    try:
        with httpx.Client(base_url=SERVERS["shop"].url, timeout=30) as client:
            yield client
    finally:
        shell.ok("%dataflow serve --stop --module shop")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_live_server_answers(served: httpx.Client, case: Case) -> None:
    assert_answers(served, case)


def test_the_live_server_documents_every_node(served: httpx.Client) -> None:
    assert_documents(served.get("/openapi.json").json())


def test_the_live_server_follows_a_cell_edit_and_its_cache_answers_repeats(
    shell: Shell, served: httpx.Client
) -> None:
    rows = {"rows": [{"day": "mon", "amount": 2.0}]}
    assert served.post("/nodes/total", json=rows).json()["value"] == 2.0
    session = hamilton_nb.session("shop")
    assert served.post("/nodes/total", json=rows).json()["value"] == 2.0
    assert session.last_run is not None and session.last_run.computed == ()  # from the cache
    assert TOTAL in MODULE
    shell.ok("%%dataflow shop\n" + MODULE.replace(TOTAL, WITH_TIP), "shop")  # the cell, edited
    answer = served.post("/nodes/total", json=rows)
    assert answer.json()["value"] == 12.0  # the new code, without a restart
    assert session.last_run.computed == ("total",)  # `sales` still came from the cache
    doc = served.get("/openapi.json").json()["paths"]["/nodes/total"]["post"]
    assert doc["description"] == "What the shop took, with the tip."


def test_concurrent_requests_each_get_their_own_answer(served: httpx.Client) -> None:
    rows = [{"day": "mon", "amount": 6.0}]

    def ask(visits: int) -> Any:
        return served.post("/nodes/per_visit", json={"rows": rows, "visits": visits}).json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(1, 17)))
    assert [a["value"] for a in answers] == [6.0 / v for v in range(1, 17)]


def test_a_new_node_gets_an_endpoint_and_a_removed_one_loses_it(
    shell: Shell, served: httpx.Client
) -> None:
    assert served.post("/nodes/double", json={"x": 2}).status_code == 404
    shell.ok("%%dataflow shop\ndef double(x: int) -> int:\n    return 2 * x\n", "double")
    assert served.post("/nodes/double", json={"x": 2}).json() == {"name": "double", "value": 4}
    shell.ok("%dataflow drop double --module shop")
    assert served.post("/nodes/double", json={"x": 2}).status_code == 404


def test_stopping_frees_the_port(shell: Shell) -> None:
    shell.ok("%%dataflow shop\ndef one() -> int:\n    return 1\n", "one")
    shell.ok("%dataflow serve --module shop --port 0")
    url = SERVERS["shop"].url
    assert httpx.post(f"{url}/nodes/one").json() == {"name": "one", "value": 1}
    shell.ok("%dataflow serve --stop --module shop")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health")
    assert "shop" not in SERVERS


def test_a_taken_port_or_a_second_server_is_a_clear_error(shell: Shell) -> None:
    shell.ok("%%dataflow shop\ndef one() -> int:\n    return 1\n", "one")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        error = shell.fails(f"%dataflow serve --module shop --port {port}")
    assert isinstance(error, UsageError)
    assert f"port {port} on 127.0.0.1 is in use" in str(error)
    shell.ok("%dataflow serve --module shop --port 0")
    try:
        error = shell.fails("%dataflow serve --module shop --port 0")
        assert "shop is served already" in str(error) and "--stop" in str(error)
    finally:
        shell.ok("%dataflow serve --stop --module shop")


def test_export_api_from_the_magic_writes_the_module_and_its_app(shell: Shell) -> None:
    shell.ok("%%dataflow shop\ndef one() -> int:\n    return 1\n", "one")
    shell.ok("%dataflow export shop_flow.py --api --module shop")
    assert Path("shop_flow.py").is_file()
    text = Path("shop_flow_api.py").read_text()
    assert "import shop_flow\n" in text and '@app.post("/nodes/one"' in text
    error = shell.fails("%dataflow export shop_flow.py --api --module shop --tests")
    assert "run its nodes first" in str(error)  # nothing computed: no tests, nothing written
