"""A dataflow with ``Parallelizable[]`` nodes as a REST API: ``<module>_api.py`` builds its
driver with Hamilton's dynamic execution, so it answers as the app built in the process does;
one with async def nodes as well is refused, since Hamilton's async driver has none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.errors import ExportError
from hamilton_nb.export.load import load_module
from hamilton_nb.export.replay import export_session
from hamilton_nb.sessions.session import Session
from tests.serve_cases import (
    NO_PYDANTIC_WARNINGS,
    Case,
    assert_answers,
    both_apps,
    failed_at,
    invalid_at,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # starlette's TestClient
    NO_PYDANTIC_WARNINGS,
]

MODULE = '''"""Each order's share of a bill, one order at a time."""

from hamilton.htypes import Collect, Parallelizable


def order(orders: list[float]) -> Parallelizable[float]:
    yield from orders


def share(order: float, bill: float) -> float:
    return bill / order


def shares(share: Collect[float]) -> list[float]:
    """Every order's share."""
    return list(share)
'''

CASES = [
    Case(
        "a collected value",
        "/nodes/shares",
        {"orders": [1, 2, 4], "bill": 8},
        200,
        lambda a: a == {"name": "shares", "value": [8.0, 4.0, 2.0]},
    ),
    Case(
        "a node that runs per item raises",
        "/nodes/shares",
        {"orders": [1, 0], "bill": 8},
        500,
        failed_at("share", "ZeroDivisionError"),
    ),
    Case(
        "several",
        "/run",
        {"outputs": ["shares"], "inputs": {"orders": [2], "bill": 8}},
        200,
        lambda a: a == {"values": {"shares": [4.0]}},
    ),
    Case("missing input", "/nodes/shares", {"orders": [1]}, 422, invalid_at("body", "bill")),
]


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with both_apps(tmp_path_factory.mktemp("blocks"), "bills", MODULE) as served:
        yield served


@pytest.mark.parametrize("way", ["generated", "live"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_dataflow_with_parallelizable_nodes_is_served(
    apps: dict[str, Any], way: str, case: Case
) -> None:
    with TestClient(apps[way]) as client:
        assert_answers(client, case)


def test_export_api_refuses_async_nodes_with_parallelizable_ones(tmp_path: Path) -> None:
    source = MODULE + "\n\nasync def noted(shares: list[float]) -> str:\n    return str(shares)\n"
    (tmp_path / "source.py").write_text(source, encoding="utf-8")
    session = Session("mixed_source", None, NodeCache(None))
    try:
        load_module(session, tmp_path / "source.py")
        with pytest.raises(ExportError, match="async driver has no dynamic execution"):
            export_session(session, tmp_path / "mixed.py", "mixed.ipynb", api=True)
    finally:
        session.close()
    assert not (tmp_path / "mixed.py").exists() and not (tmp_path / "mixed_api.py").exists()
