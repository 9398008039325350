"""The REST API of a dataflow, as ``export --api`` writes it (``<module>_api.py``) and as
``hamilton-nb serve`` serves a module file: the same answers, through FastAPI's TestClient and
through real uvicorn processes on 127.0.0.1."""

from __future__ import annotations

import ast
import importlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest
from fastapi.testclient import TestClient
from nbformat.v4 import new_code_cell, new_notebook

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.errors import ExportError, OverwriteRefusedError
from hamilton_nb.export.api_app import SessionApi
from hamilton_nb.export.api_server import session_of_file
from hamilton_nb.export.load import load_module
from hamilton_nb.export.replay import export_session
from hamilton_nb.sessions.session import Session
from tests.serve_cases import (
    CASES,
    MODULE,
    NO_PYDANTIC_WARNINGS,
    PYTHON,
    Case,
    assert_answers,
    assert_documents,
    generated_app,
    serving,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # starlette's TestClient
    NO_PYDANTIC_WARNINGS,
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with the dataflow exported as ``shop.py`` and ``shop_api.py``."""
    folder = tmp_path_factory.mktemp("api")
    (folder / "source.py").write_text(MODULE, encoding="utf-8")
    session = Session("shop_source", None, NodeCache(None))
    try:
        load_module(session, folder / "source.py")
        result = export_session(session, folder / "shop.py", "shop.ipynb", api=True)
    finally:
        session.close()
    (folder / "source.py").unlink()
    assert result.api_path == folder / "shop_api.py"
    yield folder


@pytest.fixture(scope="module")
def generated(exported: Path) -> Iterator[Any]:
    with generated_app(exported, "shop") as app:
        yield app


@contextmanager
def shop_session(exported: Path) -> Iterator[Session]:
    """A session over the exported ``shop.py``, as ``hamilton-nb serve`` makes it."""
    session = session_of_file(exported / "shop.py", {})
    try:
        yield session
    finally:
        session.close()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_generated_app_answers(generated: Any, case: Case) -> None:
    with TestClient(generated) as client:
        assert_answers(client, case)


def test_the_generated_app_documents_every_node(generated: Any) -> None:
    with TestClient(generated) as client:
        assert_documents(client.get("/openapi.json").json())


def test_the_app_built_in_the_process_is_the_generated_one(generated: Any, exported: Path) -> None:
    """The same endpoints, request models and docs, whether written out or built."""
    with (
        shop_session(exported) as session,
        TestClient(SessionApi(session, name="shop")) as live,
        TestClient(generated) as written,
    ):
        assert live.get("/openapi.json").json() == written.get("/openapi.json").json()
        for case in CASES:
            assert_answers(live, case)


def test_the_generated_file_is_plain_clean_and_deterministic(
    exported: Path, tmp_path: Path
) -> None:
    text = (exported / "shop_api.py").read_text()
    tree = ast.parse(text)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "shop" in imported and not any(m.startswith("hamilton_nb") for m in imported)
    assert {c.name for c in tree.body if isinstance(c, ast.ClassDef)} >= {
        "TotalInputs",
        "RunRequest",
    }
    assert text.count("driver.Builder()") == 1
    for rules in ([], ["--select", "E,F,W,I,B,UP,SIM,RUF"]):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--isolated",
                *rules,
                str(exported / "shop_api.py"),
            ],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout
    with shop_session(exported) as session:
        again = export_session(session, tmp_path / "shop.py", "shop.ipynb", api=True)
    assert again.api_path is not None and again.api_path.read_text() == text


def test_export_api_never_replaces_a_file_it_did_not_write(exported: Path, tmp_path: Path) -> None:
    (tmp_path / "shop_api.py").write_text("# mine\n")
    with shop_session(exported) as session:
        with pytest.raises(
            OverwriteRefusedError, match=r"shop_api\.py was not written by hamilton_nb"
        ):
            export_session(session, tmp_path / "shop.py", "shop.ipynb", api=True)
        assert not (tmp_path / "shop.py").exists()  # a refused export writes nothing
        export_session(session, tmp_path / "shop.py", "shop.ipynb", api=True, force=True)
    assert (tmp_path / "shop_api.py").read_text().startswith("# Generated by hamilton_nb")


@pytest.fixture(scope="module")
def uvicorn_server(exported: Path) -> Iterator[httpx.Client]:
    """``uvicorn shop_api:app`` in a process of its own, as production would run it."""
    command = [PYTHON, "-m", "uvicorn", "shop_api:app", "--host", "127.0.0.1"]
    with serving(command, exported) as client:
        yield client


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_uvicorn_serves_the_generated_app(uvicorn_server: httpx.Client, case: Case) -> None:
    assert_answers(uvicorn_server, case)


def test_uvicorn_serves_the_docs(uvicorn_server: httpx.Client) -> None:
    assert_documents(uvicorn_server.get("/openapi.json").json())
    assert uvicorn_server.get("/docs").status_code == 200


@pytest.fixture(scope="module")
def cli_server(exported: Path) -> Iterator[httpx.Client]:
    """``hamilton-nb serve shop.py`` in a process of its own."""
    with serving([PYTHON, "-m", "hamilton_nb.jupyter.cli", "serve", "shop.py"], exported) as client:
        yield client


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hamilton_nb_serve_answers(cli_server: httpx.Client, case: Case) -> None:
    assert_answers(cli_server, case)


def test_hamilton_nb_serve_documents_every_node(cli_server: httpx.Client) -> None:
    assert_documents(cli_server.get("/openapi.json").json())


def test_hamilton_nb_serve_takes_config(tmp_path: Path) -> None:
    (tmp_path / "tariff.py").write_text(
        "from hamilton.function_modifiers import config\n\n\n"
        '@config.when(region="eu")\n'
        "def price__eu(net: float) -> float:\n    return net * 1.2\n\n\n"
        '@config.when(region="us")\n'
        "def price__us(net: float) -> float:\n    return net\n"
    )
    command = [PYTHON, "-m", "hamilton_nb.jupyter.cli", "serve", "tariff.py"]
    with serving([*command, "--config", "region=eu"], tmp_path) as client:
        answer = client.post("/nodes/price", json={"net": 10})
    assert answer.json() == {"name": "price", "value": 12.0}


def test_hamilton_nb_serve_says_when_the_port_is_taken(exported: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [PYTHON, "-m", "hamilton_nb.jupyter.cli", "serve", "shop.py", "--port", str(port)],
            cwd=exported,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in done.stderr


def test_the_cli_exports_a_notebook_with_its_api(tmp_path: Path) -> None:
    cells = [
        "%load_ext hamilton_nb",
        "%%dataflow tally\ndef twice(n: int) -> int:\n    return 2 * n\n",
    ]
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), tmp_path / "t.ipynb")
    done = subprocess.run(
        [PYTHON, "-m", "hamilton_nb.jupyter.cli", "export", "t.ipynb", "--api"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "tally: its REST API in" in done.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        with TestClient(importlib.import_module("tally_api").app) as client:
            answer = client.post("/nodes/twice", json={"n": 4})
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("tally_api", "tally"):
            sys.modules.pop(name, None)
    assert answer.json() == {"name": "twice", "value": 8}


def test_hamilton_nb_serve_names_the_file_whose_code_fails(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(
        "def a() -> int:\n    return 1\n\n\nraise ValueError('no')\n"
    )
    done = subprocess.run(
        [PYTHON, "-m", "hamilton_nb.jupyter.cli", "serve", "broken.py", "--port", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and done.stderr.startswith("hamilton-nb serve: broken.py:")
    assert "ValueError: no" in done.stderr


@pytest.mark.parametrize("name", ["driver", "app", "compute"])
def test_export_api_refuses_a_module_name_the_api_file_uses_itself(
    exported: Path, tmp_path: Path, name: str
) -> None:
    with shop_session(exported) as session, pytest.raises(ExportError, match="another name"):
        export_session(session, tmp_path / f"{name}.py", "shop.ipynb", api=True)
    assert list(tmp_path.iterdir()) == []
