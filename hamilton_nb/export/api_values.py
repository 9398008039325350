"""What a REST API over a dataflow does with values and errors: the JSON a value becomes, the
values a JSON request holds, and the answer an error gets.

One definition for every API app: the apps ``%dataflow serve`` and ``hamilton-nb serve`` build
call these functions, and ``export --api`` copies the code below the marker, as it is, into the
``<module>_api.py`` it writes (which imports nothing from hamilton_nb). So the code below the
marker imports only what the generated file imports at its top.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import enum
import math
from typing import Any

from fastapi import HTTPException
from hamilton.data_quality.base import DataValidationError

# --- copied into <module>_api.py from here ---


def to_json(value: Any) -> Any:
    """A node's value as JSON: a DataFrame as a list of records (one object per row,
    the index left out; ``{"columns": [...], "data": [[...]]}`` when two columns
    share a name), a Series as a mapping from its index to its values (a list of
    ``[label, value]`` pairs when labels repeat), numpy arrays and lists as lists,
    numpy scalars as numbers, decimals as numbers when a float holds them exactly
    (else as strings), dates and times as ISO 8601 strings, durations as seconds,
    NaN, NaT and missing values as null, mappings with their keys as strings,
    dataclasses and pydantic models as objects, bytes as base64. Anything else is
    its ``str()``, so every value gets an answer, and no part of a value is dropped."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    kind = type(value).__module__.split(".")[0]
    if kind in ("pandas", "numpy"):
        return _pandas_or_numpy_to_json(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):  # a number when a float holds it
        if not value.is_finite():
            return None
        number = float(value)
        return number if decimal.Decimal(repr(number)) == value else str(value)
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if hasattr(value, "model_dump"):  # a pydantic model
        return to_json(value.model_dump())
    if hasattr(value, "to_dicts"):  # a polars DataFrame: records, as for pandas
        return to_json(value.to_dicts())
    return str(value)


def _pandas_or_numpy_to_json(value: Any) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        columns = [str(c) for c in value.columns]
        rows = value.itertuples(index=False, name=None)
        # records would keep one column of each name
        if len(set(columns)) < len(columns):
            return {"columns": columns, "data": [[to_json(v) for v in row] for row in rows]}
        return [{c: to_json(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    if isinstance(value, pd.Series):
        labels = [str(k) for k in value.index]
        # a mapping would keep one value of each label
        if len(set(labels)) < len(labels):
            return [[label, to_json(v)] for label, v in zip(labels, value, strict=True)]
        return {label: to_json(v) for label, v in zip(labels, value, strict=True)}
    if isinstance(value, pd.Index | np.ndarray):
        return [to_json(v) for v in value.tolist()]
    if isinstance(value, pd.Timedelta | np.timedelta64):
        return None if pd.isna(value) else pd.Timedelta(value).total_seconds()
    if isinstance(value, pd.Timestamp | np.datetime64):
        return None if pd.isna(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, np.generic):
        return to_json(value.item())
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Period | pd.Interval):
        return str(value)
    return to_json(value.tolist()) if hasattr(value, "tolist") else str(value)


def from_json(given: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """The inputs of a request, as the dataflow takes them: the inputs ``kinds`` names
    are built from their JSON (``frame``: a pandas DataFrame from a list of records,
    ``series``: a Series from a list or a mapping, ``array``: a numpy array from a
    list); the others are passed as the request model validated them."""
    values = dict(given)
    for name, kind in kinds.items():
        if name in values and values[name] is not None:
            values[name] = _BUILD[kind](values[name])
    return values


def _frame(records: Any) -> Any:
    import pandas as pd

    return pd.DataFrame.from_records(records)


def _series(items: Any) -> Any:
    import pandas as pd

    return pd.Series(items)


def _array(items: Any) -> Any:
    import numpy as np

    return np.asarray(items)


_BUILD = {"frame": _frame, "series": _series, "array": _array}


def missing_inputs(required: list[str], given: dict[str, Any]) -> list[dict[str, Any]]:
    """FastAPI's errors for the ``required`` inputs a ``POST /run`` body lacks."""
    return [
        {"type": "missing", "loc": ["body", "inputs", name], "msg": "Field required", "input": None}
        for name in required
        if given.get(name) is None
    ]


def failure(node: str | None, error: BaseException) -> HTTPException:
    """The answer to a run that failed, naming the node (when one raised) and the error,
    with no traceback: 400 when the node's data failed a validation (``@check_output``),
    500 when the node raised, 422 when the run was refused before any node ran (an input
    of a type the dataflow does not take)."""
    detail = {"node": node, "error": f"{type(error).__name__}: {error}"}
    if node is None:
        return HTTPException(status_code=422, detail=detail)
    if isinstance(error, DataValidationError):
        return HTTPException(status_code=400, detail=detail)
    return HTTPException(status_code=500, detail=detail)
