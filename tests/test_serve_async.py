"""A dataflow with ``async def`` nodes as a REST API: ``<module>_api.py`` builds Hamilton's async
driver as the app starts and awaits it in async endpoints (through TestClient and a real uvicorn
process); ``%dataflow serve`` runs it through the session, from uvicorn's thread."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.export.api_app import SessionApi
from hamilton_nb.export.load import load_module
from hamilton_nb.export.replay import export_session
from hamilton_nb.jupyter.serve_command import SERVERS
from hamilton_nb.sessions.session import Session
from tests.conftest import Shell
from tests.serve_cases import (
    NO_PYDANTIC_WARNINGS,
    PYTHON,
    Case,
    assert_answers,
    failed_at,
    generated_app,
    invalid_at,
    serving,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # starlette's TestClient
    NO_PYDANTIC_WARNINGS,
]

MODULE = '''"""Prices in another currency, at the rate a service gives."""

import asyncio

from hamilton.function_modifiers import check_output


async def rate(currency: str) -> float:
    """The exchange rate, as a service answers it."""
    await asyncio.sleep(0.01)
    return {"eur": 1.0, "usd": 1.5}[currency]


def converted(rate: float, amount: float) -> float:
    """The amount in that currency."""
    return amount * rate


async def per_head(converted: float, heads: int) -> float:
    """What each pays."""
    await asyncio.sleep(0)
    return converted / heads


@check_output(range=(0.0, 1000.0), importance="fail")
def checked(converted: float) -> float:
    """The amount, at most 1000."""
    return converted
'''

RUFF = [sys.executable, "-m", "ruff", "check", "--isolated"]
USD = {"currency": "usd", "amount": 10}

CASES = [
    Case("an async node", "/nodes/rate", {"currency": "usd"}, 200, lambda a: a["value"] == 1.5),
    Case(
        "a sync node after it",
        "/nodes/converted",
        USD,
        200,
        lambda a: a == {"name": "converted", "value": 15.0},
    ),
    Case(
        "async, sync, async",
        "/nodes/per_head",
        {**USD, "heads": 4},
        200,
        lambda a: a["value"] == 3.75,
    ),
    Case(
        "an async node raises",
        "/nodes/rate",
        {"currency": "gbp"},
        500,
        failed_at("rate", "KeyError: 'gbp'"),
    ),
    Case(
        "an async node raises after others",
        "/nodes/per_head",
        {**USD, "heads": 0},
        500,
        failed_at("per_head", "ZeroDivisionError"),
    ),
    Case(
        "a check_output fails",
        "/nodes/checked",
        {"currency": "usd", "amount": 1000},
        400,
        failed_at("checked", "DataValidationError"),
    ),
    Case(
        "missing input", "/nodes/converted", {"currency": "usd"}, 422, invalid_at("body", "amount")
    ),
    Case(
        "several",
        "/run",
        {"outputs": ["per_head", "rate"], "inputs": {**USD, "heads": 4}},
        200,
        lambda a: a == {"values": {"per_head": 3.75, "rate": 1.5}},
    ),
    Case(
        "several, an input missing",
        "/run",
        {"outputs": ["per_head"], "inputs": USD},
        422,
        invalid_at("body", "inputs", "heads"),
    ),
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with the dataflow exported as ``prices.py`` and ``prices_api.py``."""
    folder = tmp_path_factory.mktemp("async_api")
    (folder / "source.py").write_text(MODULE, encoding="utf-8")
    session = Session("prices_source", None, NodeCache(None))
    try:
        load_module(session, folder / "source.py")
        export_session(session, folder / "prices.py", "prices.ipynb", api=True)
    finally:
        session.close()
    (folder / "source.py").unlink()
    yield folder


@pytest.fixture(scope="module")
def generated(exported: Path) -> Iterator[Any]:
    with generated_app(exported, "prices") as app:
        yield app


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_generated_app_awaits_the_async_driver(generated: Any, case: Case) -> None:
    with TestClient(generated) as client:
        assert_answers(client, case)


def test_the_generated_file_builds_the_async_driver_at_start_up(
    exported: Path, tmp_path: Path
) -> None:
    text = (exported / "prices_api.py").read_text(encoding="utf-8")
    tree = ast.parse(text)
    asynchronous = {s.name for s in tree.body if isinstance(s, ast.AsyncFunctionDef)}
    assert {"lifespan", "compute", "node_rate", "node_per_head", "run_many"} <= asynchronous
    assert "await async_driver.Builder()" not in text  # built in two steps, awaited once
    assert text.count("async_driver.Builder()") == 1 and "driver.Builder()." in text
    assert "from hamilton import async_driver\n" in text and " driver," not in text
    done = subprocess.run(
        [*RUFF, "--select", "E,F,W,I,B,UP,SIM,RUF", str(exported / "prices_api.py")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
    session = Session("prices_again", None, NodeCache(None))
    try:
        load_module(session, exported / "prices.py")
        again = export_session(session, tmp_path / "prices.py", "prices.ipynb", api=True)
    finally:
        session.close()
    assert again.api_path is not None and again.api_path.read_text() == text


def test_the_app_built_in_the_process_answers_alike(generated: Any, exported: Path) -> None:
    session = Session("prices_live", None, NodeCache(None))
    try:
        load_module(session, exported / "prices.py")
        with (
            TestClient(SessionApi(session, name="prices")) as live,
            TestClient(generated) as written,
        ):
            assert live.get("/openapi.json").json() == written.get("/openapi.json").json()
            for case in CASES:
                assert_answers(live, case)
    finally:
        session.close()


def _concurrently(client: httpx.Client) -> list[Any]:
    def ask(heads: int) -> Any:
        return client.post("/nodes/per_head", json={**USD, "heads": heads}).json()["value"]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(ask, range(1, 17)))


def test_uvicorn_serves_the_generated_async_app(exported: Path) -> None:
    """Started as production would start it (its lifespan builds the driver); one driver
    answers requests that overlap, each with its own value."""
    command = [PYTHON, "-m", "uvicorn", "prices_api:app", "--host", "127.0.0.1"]
    with serving(command, exported) as client:
        for case in CASES:
            assert_answers(client, case)
        assert _concurrently(client) == [15.0 / h for h in range(1, 17)]


def test_dataflow_serve_runs_async_nodes_from_its_thread(shell: Shell) -> None:
    shell.ok("%%dataflow fares\n" + MODULE, "fares")
    shell.ok("%dataflow serve --module fares --port 0")
    try:
        with httpx.Client(base_url=SERVERS["fares"].url, timeout=30) as client:
            for case in CASES:
                assert_answers(client, case)
            assert _concurrently(client) == [15.0 / h for h in range(1, 17)]
    finally:
        shell.ok("%dataflow serve --stop --module fares")
