"""Compare two computed values the way a user would: equal data, whatever object holds it."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest


def assert_values_equal(ours: Any, theirs: Any, where: str = "value") -> None:
    """``ours`` holds the same data as ``theirs`` (raises AssertionError naming ``where``).

    pandas and numpy objects compare by content (NaN equals NaN), polars ones with ``.equals``,
    floats approximately, containers element by element, fitted scikit-learn estimators by their
    parameters and fitted attributes, other objects by their attributes.
    """
    if isinstance(theirs, pd.DataFrame):
        assert isinstance(ours, pd.DataFrame), f"{where}: {type(ours).__name__}, not a DataFrame"
        pd.testing.assert_frame_equal(ours, theirs, obj=where)
    elif isinstance(theirs, pd.Series):
        assert isinstance(ours, pd.Series), f"{where}: {type(ours).__name__}, not a Series"
        pd.testing.assert_series_equal(ours, theirs, obj=where)
    elif isinstance(theirs, pd.Index):
        pd.testing.assert_index_equal(ours, theirs, obj=where)
    elif isinstance(theirs, np.ndarray):
        _assert_arrays_equal(ours, theirs, where)
    elif _is_polars(theirs):
        assert type(ours) is type(theirs), f"{where}: {type(ours)} is not {type(theirs)}"
        assert ours.equals(theirs), f"{where}: {ours} != {theirs}"
    elif isinstance(theirs, float | np.floating) and not isinstance(theirs, bool):
        assert isinstance(ours, float | np.floating | int), f"{where}: {ours!r} is not a float"
        both_nan = math.isnan(theirs) and math.isnan(ours)
        assert both_nan or ours == pytest_approx(theirs), f"{where}: {ours!r} != {theirs!r}"
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict), f"{where}: {type(ours).__name__}, not a dict"
        assert ours.keys() == theirs.keys(), f"{where}: keys {list(ours)} != {list(theirs)}"
        for key in theirs:
            assert_values_equal(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, list | tuple):
        assert type(ours) is type(theirs), f"{where}: {type(ours)} is not {type(theirs)}"
        assert len(ours) == len(theirs), f"{where}: length {len(ours)} != {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_values_equal(a, b, f"{where}[{i}]")
    elif _is_estimator(theirs):
        _assert_estimators_equal(ours, theirs, where)
    elif dataclasses.is_dataclass(theirs) and not isinstance(theirs, type):
        assert type(ours) is type(theirs), f"{where}: {type(ours)} is not {type(theirs)}"
        for f in dataclasses.fields(theirs):
            assert_values_equal(getattr(ours, f.name), getattr(theirs, f.name), f"{where}.{f.name}")
    elif _plain_data(theirs):
        assert type(ours) is type(theirs) and ours == theirs, f"{where}: {ours!r} != {theirs!r}"
    else:  # an object of another kind: same class, same attributes (or equal, without any)
        assert type(ours) is type(theirs), f"{where}: {type(ours)} is not {type(theirs)}"
        if hasattr(theirs, "__dict__"):
            assert_values_equal(vars(ours), vars(theirs), f"{where}.__dict__")
        else:
            assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"


def pytest_approx(expected: float) -> Any:
    return pytest.approx(expected, rel=1e-9, abs=1e-12)


def _assert_arrays_equal(ours: Any, theirs: np.ndarray, where: str) -> None:
    assert isinstance(ours, np.ndarray), f"{where}: {type(ours).__name__}, not an ndarray"
    assert ours.dtype == theirs.dtype, f"{where}: dtype {ours.dtype} != {theirs.dtype}"
    assert ours.shape == theirs.shape, f"{where}: shape {ours.shape} != {theirs.shape}"
    if theirs.dtype.kind in "fc":
        assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-12, equal_nan=True), (
            f"{where}: {ours} != {theirs}"
        )
    else:
        assert np.array_equal(ours, theirs), f"{where}: {ours} != {theirs}"


def _is_polars(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "polars" and hasattr(value, "equals")


def _is_estimator(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "sklearn" and hasattr(value, "get_params")


def _assert_estimators_equal(ours: Any, theirs: Any, where: str) -> None:
    """Same class, same parameters, and the same fitted attributes (``coef_``, ``classes_``...):
    a fitted estimator equals one fitted on the same data, an unfitted one does not."""
    assert type(ours) is type(theirs), f"{where}: {type(ours)} is not {type(theirs)}"
    assert_values_equal(ours.get_params(), theirs.get_params(), f"{where}.get_params()")
    fitted = sorted(k for k in vars(theirs) if k.endswith("_") and not k.startswith("_"))
    mine = sorted(k for k in vars(ours) if k.endswith("_") and not k.startswith("_"))
    assert mine == fitted, f"{where}: fitted attributes {mine} != {fitted}"
    for name in fitted:
        assert_values_equal(getattr(ours, name), getattr(theirs, name), f"{where}.{name}")


def _plain_data(value: Any) -> bool:
    return value is None or isinstance(value, str | bytes | int | bool | np.generic | type)
