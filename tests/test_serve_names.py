"""Names a REST API must take as they are: inputs named as pydantic's ``BaseModel`` attributes
or as what a request model's class body reads, and nodes whose names meet once made into class
or function names. The app ``export --api`` writes and the one built in the process (as
``%dataflow serve`` and ``hamilton-nb serve`` build it) answer alike, through TestClient."""

from __future__ import annotations

import ast
import keyword
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tests.serve_cases import NO_PYDANTIC_WARNINGS, Case, assert_answers, both_apps, invalid_at

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # starlette's TestClient
    NO_PYDANTIC_WARNINGS,
]

NAMES = '''"""Names that meet once they are Python names."""

import datetime

from hamilton.function_modifiers import extract_fields


def stamp(
    datetime: str, day: datetime.date, model_config: int, Field: int = 0, _x: int = 0
) -> str:
    """Inputs a request model's class body would trip on."""
    return f"{datetime} {day.isoformat()} {model_config + Field + _x}"


def a_b(x: int) -> int:
    return x


def a__b(y: int) -> int:
    return -y


def per_visit(total: float, visits: int) -> float:
    return total / visits


def pervisit(total: float, guests: int) -> float:
    return total / guests


@extract_fields({"class": int, "a.b": int})
def parts(n: int) -> dict:
    return {"class": n, "a.b": n + 1}
'''

STAMP = {"datetime": "now", "day": "2024-03-01", "model_config": 1, "Field": 2, "_x": 3}

CASES = [
    Case(
        "class body names", "/nodes/stamp", STAMP, 200, lambda a: a["value"] == "now 2024-03-01 6"
    ),
    Case(
        "optional ones left out",
        "/nodes/stamp",
        {"datetime": "now", "day": "2024-03-01", "model_config": 1},
        200,
        lambda a: a["value"] == "now 2024-03-01 1",
    ),
    Case(
        "model_config missing",
        "/nodes/stamp",
        {"datetime": "now", "day": "2024-03-01"},
        422,
        invalid_at("body", "model_config"),
    ),
    Case(
        "a date after a field named datetime",
        "/nodes/stamp",
        {**STAMP, "day": "soon"},
        422,
        invalid_at("body", "day"),
    ),
    Case("a_b", "/nodes/a_b", {"x": 2}, 200, lambda a: a == {"name": "a_b", "value": 2}),
    Case("a__b", "/nodes/a__b", {"y": 2}, 200, lambda a: a == {"name": "a__b", "value": -2}),
    Case("a_b has its own model", "/nodes/a_b", {"y": 2}, 422, invalid_at("body", "x")),
    Case("a__b has its own model", "/nodes/a__b", {"x": 2}, 422, invalid_at("body", "y")),
    Case(
        "per_visit",
        "/nodes/per_visit",
        {"total": 6, "visits": 2},
        200,
        lambda a: a["value"] == 3.0,
    ),
    Case(
        "pervisit",
        "/nodes/pervisit",
        {"total": 6, "guests": 3},
        200,
        lambda a: a["value"] == 2.0,
    ),
    Case("a keyword", "/nodes/class", {"n": 1}, 200, lambda a: a == {"name": "class", "value": 1}),
    Case("a dotted name", "/nodes/a.b", {"n": 1}, 200, lambda a: a == {"name": "a.b", "value": 2}),
    Case(
        "several",
        "/run",
        {"outputs": ["stamp", "a.b", "a_b"], "inputs": {**STAMP, "n": 4, "x": 5}},
        200,
        lambda a: a == {"values": {"stamp": "now 2024-03-01 6", "a.b": 5, "a_b": 5}},
    ),
    Case(
        "several, one named as a BaseModel's attribute missing",
        "/run",
        {"outputs": ["stamp"], "inputs": {"datetime": "now", "day": "2024-03-01"}},
        422,
        invalid_at("body", "inputs", "model_config"),
    ),
]


@pytest.fixture(scope="module")
def names(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with both_apps(tmp_path_factory.mktemp("names"), "names", NAMES) as apps:
        yield apps


@pytest.mark.parametrize("way", ["generated", "live"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_names_that_meet_as_python_names_are_served_as_they_are(
    names: dict[str, Any], way: str, case: Case
) -> None:
    with TestClient(names[way]) as client:
        assert_answers(client, case)


def test_colliding_names_get_request_models_and_functions_of_their_own(
    names: dict[str, Any],
) -> None:
    with TestClient(names["generated"]) as written, TestClient(names["live"]) as live:
        openapi = written.get("/openapi.json").json()
        assert live.get("/openapi.json").json() == openapi
    paths = [p for p in openapi["paths"] if p.startswith("/nodes/")]
    assert set(paths) >= {"/nodes/a_b", "/nodes/a__b", "/nodes/class", "/nodes/a.b"}
    models = {
        p: openapi["paths"][p]["post"]["requestBody"]["content"]["application/json"]["schema"]
        for p in paths
    }
    refs = [m.get("$ref") or m["anyOf"][0]["$ref"] for m in models.values()]
    assert len(set(refs)) == len(refs)  # no two endpoints share a request model
    schemas = openapi["components"]["schemas"]
    properties = {
        p: set(schemas[r.rsplit("/", 1)[1]]["properties"]) for p, r in zip(paths, refs, strict=True)
    }
    assert properties["/nodes/a_b"] == {"x"} and properties["/nodes/a__b"] == {"y"}
    assert properties["/nodes/per_visit"] == {"total", "visits"}
    assert properties["/nodes/pervisit"] == {"total", "guests"}
    assert properties["/nodes/stamp"] == {"datetime", "day", "model_config", "Field", "_x"}
    operations = [openapi["paths"][p]["post"]["operationId"] for p in paths]
    assert len(set(operations)) == len(operations)


def test_the_generated_file_binds_each_name_once_and_stays_clean(
    names: dict[str, Any],
) -> None:
    path = Path(sys.modules["names_api"].__file__ or "")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = [
        s.name
        for s in tree.body
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]
    assert len(set(defined)) == len(defined)
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E,F,W,B", str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout


def test_every_attribute_of_basemodel_can_name_an_input(tmp_path: Path) -> None:
    """Whatever the installed pydantic's ``BaseModel`` has (``json``, ``copy``, ``schema``,
    ``model_dump``, ``model_config``...), an input of that name is asked for by it."""
    attributes = sorted(
        n
        for n in dir(BaseModel)
        if n.isidentifier() and not n.startswith("_") and not keyword.iskeyword(n)
    )
    assert {"json", "copy", "schema", "validate", "model_config", "model_dump"} <= set(attributes)
    source = (
        f"def count({', '.join(f'{n}: int' for n in attributes)}) -> int:\n"
        f"    return {' + '.join(attributes)}\n"
    )
    given = dict.fromkeys(attributes, 1)
    with both_apps(tmp_path, "everything", source) as apps:
        for app in apps.values():
            with TestClient(app) as client:
                answer = client.post("/nodes/count", json=given)
                assert answer.json() == {"name": "count", "value": len(attributes)}
                missing = client.post("/nodes/count", json={**given, "json": None})
                assert [e["loc"] for e in missing.json()["detail"]] == [["body", "json"]]
