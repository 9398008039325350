"""One dataflow and what its REST API must answer, shared by every way of serving it: the
generated ``<module>_api.py`` (through FastAPI's TestClient and a real uvicorn process),
``hamilton-nb serve`` and ``%dataflow serve``."""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.export.api_app import SessionApi
from hamilton_nb.export.load import load_module
from hamilton_nb.export.replay import export_session
from hamilton_nb.sessions.session import Session

MODULE = '''"""A shop's takings."""

import datetime

import numpy as np
import pandas as pd
from hamilton.function_modifiers import check_output


class Receipt:
    def __init__(self, total: float) -> None:
        self.total = total

    def __str__(self) -> str:
        return f"receipt for {self.total:.2f}"


def sales(rows: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
    """The sales, each amount times ``scale``."""
    return rows.assign(amount=rows["amount"] * scale)


def total(sales: pd.DataFrame) -> float:
    """What the shop took."""
    return float(sales["amount"].sum())


def by_day(sales: pd.DataFrame) -> pd.Series:
    """Takings per day."""
    return sales.groupby("day")["amount"].sum()


def table(sales: pd.DataFrame, opened: datetime.date) -> pd.DataFrame:
    """The sales with the day the shop opened; one amount may be missing."""
    return sales.assign(opened=pd.Timestamp(opened))


def amounts(sales: pd.DataFrame) -> np.ndarray:
    return sales["amount"].to_numpy()


def count(sales: pd.DataFrame) -> np.int64:
    return np.int64(len(sales))


def receipt(total: float) -> Receipt:
    return Receipt(total)


def per_visit(total: float, visits: int) -> float:
    """Takings per visit."""
    return total / visits


def mean_weight(weights: pd.Series) -> float:
    """The mean of the weights."""
    return float(weights.mean())


def label(json: dict, copy: int, model_name: str, schema: str = "v1") -> dict:
    """A label for the till (its inputs: names BaseModel has as attributes)."""
    return {"json": json, "copy": copy, "model_name": model_name, "schema": schema}


@check_output(range=(0.0, 100.0), importance="fail")
def checked(sales: pd.DataFrame) -> pd.Series:
    """Amounts, each between 0 and 100."""
    return sales["amount"]
'''

ROWS = [
    {"day": "mon", "amount": 1.5},
    {"day": "tue", "amount": 3.0},
    {"day": "tue", "amount": None},
]


NO_PYDANTIC_WARNINGS = pytest.mark.filterwarnings("error::UserWarning:pydantic")
"""A request model pydantic warns of (a field that shadows an attribute of ``BaseModel``, a
name in its protected namespace) fails the test, wherever it is built."""

LABEL = {"json": {"size": [6, 4]}, "copy": 2, "model_name": "till"}


@dataclass(frozen=True)
class Case:
    """A request, and what its answer must be."""

    id: str
    path: str
    body: Any
    status: int
    check: Callable[[Any], bool]


def failed_at(node: str, error: str) -> Callable[[Any], bool]:
    def check(answer: Any) -> bool:
        detail = answer["detail"]
        return bool(detail["node"] == node and detail["error"].startswith(error))

    return check


def invalid_at(*loc: str) -> Callable[[Any], bool]:
    return lambda answer: [tuple(e["loc"]) for e in answer["detail"]] == [loc]


CASES = [
    Case(
        "float", "/nodes/total", {"rows": ROWS}, 200, lambda a: a == {"name": "total", "value": 4.5}
    ),
    Case(
        "optional input",
        "/nodes/total",
        {"rows": ROWS, "scale": 2},
        200,
        lambda a: a["value"] == 9.0,
    ),
    Case(
        "series as a mapping",
        "/nodes/by_day",
        {"rows": ROWS},
        200,
        lambda a: a["value"] == {"mon": 1.5, "tue": 3.0},
    ),
    Case(
        "frame as records, NaN as null, dates as ISO",
        "/nodes/table",
        {"rows": ROWS, "opened": "2024-03-01"},
        200,
        lambda a: a["value"][2] == {"day": "tue", "amount": None, "opened": "2024-03-01T00:00:00"},
    ),
    Case(
        "numpy array as a list",
        "/nodes/amounts",
        {"rows": ROWS},
        200,
        lambda a: a["value"] == [1.5, 3.0, None],
    ),
    Case("numpy scalar", "/nodes/count", {"rows": ROWS}, 200, lambda a: a["value"] == 3),
    Case(
        "other objects by str()",
        "/nodes/receipt",
        {"rows": ROWS},
        200,
        lambda a: a["value"] == "receipt for 4.50",
    ),
    Case(
        "series input from a list",
        "/nodes/mean_weight",
        {"weights": [1, 2, 3]},
        200,
        lambda a: a["value"] == 2.0,
    ),
    Case(
        "series input from a mapping",
        "/nodes/mean_weight",
        {"weights": {"a": 1, "b": 3}},
        200,
        lambda a: a["value"] == 2.0,
    ),
    Case("missing input", "/nodes/total", {}, 422, invalid_at("body", "rows")),
    Case("ill-typed input", "/nodes/total", {"rows": 3}, 422, invalid_at("body", "rows")),
    Case(
        "ill-typed date",
        "/nodes/table",
        {"rows": ROWS, "opened": "soon"},
        422,
        invalid_at("body", "opened"),
    ),
    Case(
        "a node raises",
        "/nodes/per_visit",
        {"rows": ROWS, "visits": 0},
        500,
        failed_at("per_visit", "ZeroDivisionError: float division by zero"),
    ),
    Case(
        "a check_output fails",
        "/nodes/checked",
        {"rows": [{"day": "mon", "amount": 500.0}]},
        400,
        failed_at("checked", "DataValidationError"),
    ),
    Case(
        "several outputs",
        "/run",
        {"outputs": ["total", "count"], "inputs": {"rows": ROWS}},
        200,
        lambda a: a == {"values": {"total": 4.5, "count": 3}},
    ),
    Case(
        "several, an input missing",
        "/run",
        {"outputs": ["per_visit"], "inputs": {"rows": ROWS}},
        422,
        invalid_at("body", "inputs", "visits"),
    ),
    Case(
        "several, an unknown output",
        "/run",
        {"outputs": ["nope"]},
        422,
        invalid_at("body", "outputs", 0),
    ),
    Case(
        "inputs named as BaseModel's attributes",
        "/nodes/label",
        LABEL,
        200,
        lambda a: a["value"] == {**LABEL, "schema": "v1"},
    ),
    Case(
        "an optional input named as one",
        "/nodes/label",
        {**LABEL, "schema": "v2"},
        200,
        lambda a: a["value"]["schema"] == "v2",
    ),
    Case(
        "one missing, named as the client knows it",
        "/nodes/label",
        {"copy": 2, "model_name": "till"},
        422,
        invalid_at("body", "json"),
    ),
    Case(
        "one ill-typed",
        "/nodes/label",
        {**LABEL, "copy": "many"},
        422,
        invalid_at("body", "copy"),
    ),
    Case(
        "one given under another name is not taken",
        "/nodes/label",
        {"input_json": {}, "copy": 2, "model_name": "till"},
        422,
        invalid_at("body", "json"),
    ),
    Case(
        "several, one of them missing",
        "/run",
        {"outputs": ["label", "total"], "inputs": {"rows": ROWS, "json": {}, "copy": 1}},
        422,
        invalid_at("body", "inputs", "model_name"),
    ),
    Case(
        "several, with them",
        "/run",
        {"outputs": ["label"], "inputs": LABEL},
        200,
        lambda a: a == {"values": {"label": {**LABEL, "schema": "v1"}}},
    ),
    Case("health", "/health", None, 200, lambda a: a["status"] == "ok" and a["nodes"] > 0),
]

ENDPOINTS = {
    "sales",
    "total",
    "by_day",
    "table",
    "amounts",
    "count",
    "receipt",
    "per_visit",
    "checked",
    "label",
}


def ask(client: httpx.Client, case: Case) -> httpx.Response:
    """Send ``case``'s request."""
    if case.body is None:
        return client.get(case.path)
    return client.post(case.path, json=case.body)


def assert_answers(client: httpx.Client, case: Case) -> None:
    """The answer to ``case`` has its status and passes its check, with no traceback."""
    answer = ask(client, case)
    assert answer.status_code == case.status, answer.text
    assert case.check(answer.json()), answer.text
    assert "Traceback" not in answer.text and 'File "' not in answer.text


def assert_documents(openapi: dict[str, Any]) -> None:
    """Every node has an endpoint in the OpenAPI document, with its request model (inputs
    required or not) and its docstring."""
    paths = openapi["paths"]
    assert {p.removeprefix("/nodes/") for p in paths if p.startswith("/nodes/")} >= ENDPOINTS
    assert {"/run", "/health"} <= paths.keys()
    total = paths["/nodes/total"]["post"]
    assert total["description"] == "What the shop took."
    ref = total["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    model = openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(model["properties"]) == {"rows", "scale"} and model["required"] == ["rows"]
    assert model["properties"]["rows"]["type"] == "array"
    visit = openapi["components"]["schemas"]["PerVisitInputs"]
    assert set(visit["required"]) == {"rows", "visits"}
    label = openapi["components"]["schemas"]["LabelInputs"]
    assert set(label["properties"]) == {"json", "copy", "model_name", "schema"}
    assert set(label["required"]) == {"json", "copy", "model_name"}


@contextmanager
def both_apps(folder: Path, name: str, source: str) -> Iterator[dict[str, Any]]:
    """``source`` as module ``name``, served by the app ``export --api`` writes for it
    (imported from ``folder``) and by the app built in the process over its session."""
    (folder / "source.py").write_text(source, encoding="utf-8")
    session = Session(f"{name}_source", None, NodeCache(None))
    try:
        load_module(session, folder / "source.py")
        export_session(session, folder / f"{name}.py", f"{name}.ipynb", api=True)
        with generated_app(folder, name) as generated:
            yield {"generated": generated, "live": SessionApi(session, name=name)}
    finally:
        session.close()


@contextmanager
def generated_app(folder: Path, name: str) -> Iterator[Any]:
    """The ``app`` of the ``<name>_api.py`` exported in ``folder``, imported as production
    imports it (with ``<name>.py`` beside it); both modules are forgotten afterwards."""
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(f"{name}_api").app
    finally:
        sys.path.remove(str(folder))
        for module in (f"{name}_api", name):
            sys.modules.pop(module, None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(command: list[str], cwd: Path) -> Iterator[httpx.Client]:
    """A server process started with ``command`` plus ``--port`` and a free port, as a client
    of it once it answers ``/health`` (or fails with what it printed); stopped afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(process, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the server exited: {process.stdout.read() if process.stdout else ''}"
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not start in 60 s")


PYTHON = sys.executable
