"""Values as a REST API answers them (``api_values.to_json``, which the generated
``<module>_api.py`` carries as it is): each rule of its docstring, and JSON always."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hamilton_nb.export.api_values import from_json, to_json


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: float
    when: datetime.date


class Opaque:
    def __str__(self) -> str:
        return "opaque thing"


FRAME = pd.DataFrame(
    {"a": [1, 2], "b": [np.nan, 0.5], "t": pd.to_datetime(["2024-01-01", None])},
    index=["x", "y"],
)

CASES: list[tuple[str, Any, Any]] = [
    (
        "frame as records, index left out",
        FRAME,
        [
            {"a": 1, "b": None, "t": "2024-01-01T00:00:00"},
            {"a": 2, "b": 0.5, "t": None},
        ],
    ),
    ("series as a mapping", pd.Series([1.5, np.nan], index=[3, 4]), {"3": 1.5, "4": None}),
    ("numpy array as nested lists", np.array([[1, 2], [3, 4]]), [[1, 2], [3, 4]]),
    ("numpy float with NaN", np.array([1.0, np.nan]), [1.0, None]),
    ("numpy scalars", [np.int64(3), np.float32(0.5), np.bool_(True)], [3, 0.5, True]),
    ("infinity", float("inf"), None),
    ("date", datetime.date(2024, 5, 1), "2024-05-01"),
    ("datetime", datetime.datetime(2024, 5, 1, 12, 30), "2024-05-01T12:30:00"),
    ("timestamp", pd.Timestamp("2024-05-01 12:30", tz="UTC"), "2024-05-01T12:30:00+00:00"),
    ("missing", [pd.NaT, pd.NA, None, np.datetime64("NaT")], [None, None, None, None]),
    ("duration in seconds", [datetime.timedelta(minutes=1), pd.Timedelta("2s")], [60.0, 2.0]),
    ("decimal", decimal.Decimal("1.25"), 1.25),
    (
        "decimal a float cannot hold",
        decimal.Decimal("12345678901234567.89"),
        "12345678901234567.89",
    ),
    ("decimal NaN", decimal.Decimal("NaN"), None),
    (
        "series with repeated labels as pairs",
        pd.Series([10, 20, 30], index=["north", "north", "south"]),
        [["north", 10], ["north", 20], ["south", 30]],
    ),
    (
        "series whose labels meet as strings, as pairs",
        pd.Series([1, 2], index=pd.Index([1, "1"], dtype=object)),
        [["1", 1], ["1", 2]],
    ),
    (
        "frame with repeated columns as columns and rows",
        pd.DataFrame([[1, 2], [3, 4]], columns=["amount", "amount"]),
        {"columns": ["amount", "amount"], "data": [[1, 2], [3, 4]]},
    ),
    ("enum", Colour.RED, "red"),
    ("bytes as base64", b"hi", "aGk="),
    ("dataclass", Point(1.0, datetime.date(2024, 1, 2)), {"x": 1.0, "when": "2024-01-02"}),
    ("mapping keys as strings", {1: {"k": (1, 2)}}, {"1": {"k": [1, 2]}}),
    ("index", pd.Index(["a", "b"]), ["a", "b"]),
    ("period", pd.Period("2024-01", freq="M"), "2024-01"),
    ("anything else by str()", Opaque(), "opaque thing"),
]


@pytest.mark.parametrize(("value", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_value_becomes_json_by_its_rule(value: Any, expected: Any) -> None:
    converted = to_json(value)
    assert converted == expected
    assert json.loads(json.dumps(converted, allow_nan=False)) == expected  # strict JSON


def test_inputs_are_built_from_their_json_by_kind() -> None:
    built = from_json(
        {"rows": [{"a": 1}, {"a": 2}], "s": {"x": 1}, "arr": [[1, 2]], "n": 3, "opt": None},
        {"rows": "frame", "s": "series", "arr": "array", "opt": "frame"},
    )
    pd.testing.assert_frame_equal(built["rows"], pd.DataFrame({"a": [1, 2]}))
    pd.testing.assert_series_equal(built["s"], pd.Series({"x": 1}))
    assert built["arr"].shape == (1, 2) and built["n"] == 3 and built["opt"] is None
