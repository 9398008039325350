"""A small, safe preview of a value: data for the widget to show as text, bounded in size."""

from __future__ import annotations

import base64
import reprlib
import sys
from typing import Any

MAX_ROWS = 10
MAX_COLUMNS = 20
MAX_TEXT = 200  # characters per cell or item
MAX_REPR = 2000  # characters of a repr
MAX_IMAGE = 256 * 1024  # bytes of an image
MAX_HTML = 64 * 1024  # characters of an object's own HTML

_repr = reprlib.Repr()
_repr.maxstring = MAX_TEXT
_repr.maxother = MAX_TEXT


def preview(value: Any) -> dict[str, Any]:
    """JSON-ready preview of ``value``. Every field is plain text or numbers: the widget shows
    it as text (never as markup), except an object's own ``_repr_html_``, which it shows in a
    sandboxed frame, as notebooks show such objects."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame):
        return _frame(value)
    if pandas is not None and isinstance(value, pandas.Series):
        return _series(value)
    spark = sys.modules.get("pyspark.sql")
    if spark is not None and isinstance(value, spark.DataFrame):
        return _spark_frame(value)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        text = numpy.array2string(value, threshold=MAX_ROWS * MAX_COLUMNS, max_line_width=100)
        return {
            "kind": "array",
            "shape": list(value.shape),
            "dtype": str(value.dtype),
            "text": _cut(text, MAX_REPR),
        }
    if value is None or isinstance(value, bool | int | float | complex | str | bytes):
        return {"kind": "scalar", "type": type(value).__name__, "text": _cut(repr(value), MAX_REPR)}
    if isinstance(value, list | tuple | set | frozenset | dict):
        items = list(value.items()) if isinstance(value, dict) else list(value)
        shown = [_cut(_repr.repr(i), MAX_TEXT) for i in items[:MAX_ROWS]]
        return {
            "kind": "collection",
            "type": type(value).__name__,
            "length": len(value),
            "items": shown,
        }
    image = _image(value)
    if image is not None:
        return image
    html = _html(value)
    if html is not None:
        return html
    return {"kind": "repr", "type": _type(value), "text": _cut(_safe_repr(value), MAX_REPR)}


def _frame(frame: Any) -> dict[str, Any]:
    head = frame.iloc[:MAX_ROWS, :MAX_COLUMNS]
    return {
        "kind": "dataframe",
        "shape": list(frame.shape),
        "columns": [_cut(str(c), MAX_TEXT) for c in head.columns],
        "dtypes": [str(t) for t in head.dtypes],
        "index": [_cut(str(i), MAX_TEXT) for i in head.index],
        "rows": [[_cut(str(v), MAX_TEXT) for v in row] for row in head.itertuples(index=False)],
        "truncated": bool(frame.shape[0] > MAX_ROWS or frame.shape[1] > MAX_COLUMNS),
    }


def _spark_frame(frame: Any) -> dict[str, Any]:
    """A Spark DataFrame: its schema, and its first rows through ``limit``, one row more than
    shown to tell whether there are others. Never a count, nor a full collect: those would run
    the whole plan."""
    fields = frame.schema.fields
    rows = frame.limit(MAX_ROWS + 1).collect()
    return {
        "kind": "spark",
        "columns": [_cut(f.name, MAX_TEXT) for f in fields[:MAX_COLUMNS]],
        "dtypes": [f.dataType.simpleString() for f in fields[:MAX_COLUMNS]],
        "width": len(fields),
        "rows": [[_cut(str(v), MAX_TEXT) for v in row[:MAX_COLUMNS]] for row in rows[:MAX_ROWS]],
        "truncated": bool(len(rows) > MAX_ROWS or len(fields) > MAX_COLUMNS),
    }


def _series(series: Any) -> dict[str, Any]:
    head = series.iloc[:MAX_ROWS]
    return {
        "kind": "series",
        "name": _cut(str(series.name), MAX_TEXT),
        "dtype": str(series.dtype),
        "length": int(series.shape[0]),
        "index": [_cut(str(i), MAX_TEXT) for i in head.index],
        "values": [_cut(str(v), MAX_TEXT) for v in head],
    }


def _image(value: Any) -> dict[str, Any] | None:
    data = _own_repr(value, "_repr_png_")
    if not isinstance(data, bytes) or len(data) > MAX_IMAGE:
        return None
    return {"kind": "image", "mime": "image/png", "data": base64.b64encode(data).decode()}


def _html(value: Any) -> dict[str, Any] | None:
    html = _own_repr(value, "_repr_html_")
    if not isinstance(html, str) or len(html) > MAX_HTML:
        return None
    return {"kind": "html", "type": _type(value), "html": html}


def _own_repr(value: Any, method: str) -> Any:
    """What an object's own ``_repr_*_`` method gives (None if it has none, or it fails)."""
    call = getattr(value, method, None)
    if not callable(call) or isinstance(value, type):
        return None
    try:
        return call()
    except Exception:
        return None


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception as e:
        return f"<{_type(value)}: repr failed: {type(e).__name__}>"


def _type(value: Any) -> str:
    t = type(value)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
