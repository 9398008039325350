"""Previews: bounded, and data (never markup from the data)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from hamilton_nb.jupyter.preview import MAX_COLUMNS, MAX_ROWS, MAX_TEXT, preview

HOSTILE = "<img src=x onerror=alert(1)>"


def test_a_dataframe_preview_has_shape_dtypes_and_first_rows_as_text() -> None:
    frame = pd.DataFrame({"a": range(100), "b": [HOSTILE] * 100, "c": [1.5] * 100})
    p = preview(frame)
    assert p["kind"] == "dataframe" and p["shape"] == [100, 3]
    assert p["columns"] == ["a", "b", "c"] and p["dtypes"][0] == "int64"
    assert len(p["rows"]) == MAX_ROWS and p["truncated"]
    assert p["rows"][0][1] == HOSTILE  # the string itself: the widget sets it as text


def test_previews_are_bounded_in_rows_columns_and_bytes() -> None:
    wide = pd.DataFrame(np.zeros((5000, 500)))
    p = preview(wide)
    assert len(p["columns"]) == MAX_COLUMNS and len(p["rows"]) == MAX_ROWS
    long_text = preview(pd.DataFrame({"t": ["x" * 10_000]}))
    assert len(long_text["rows"][0][0]) == MAX_TEXT
    for value in [wide, list(range(10**6)), "y" * 10**6, {i: i for i in range(10**5)}, object()]:
        assert len(json.dumps(preview(value))) < 100_000


def test_series_scalars_collections_arrays_and_other_objects() -> None:
    assert preview(pd.Series([1, 2], name="n"))["kind"] == "series"
    assert preview(3.5) == {"kind": "scalar", "type": "float", "text": "3.5"}
    listed = preview([1, 2, 3])
    assert listed["kind"] == "collection" and listed["length"] == 3
    assert preview(np.arange(4))["shape"] == [4]
    assert preview(object())["kind"] == "repr"


def test_an_objects_own_html_and_images_are_passed_on_for_a_sandboxed_frame() -> None:
    class Chart:
        def _repr_html_(self) -> str:
            return "<b>chart</b>"

    class Picture:
        def _repr_png_(self) -> bytes:
            return b"\x89PNG..."

    assert preview(Chart())["kind"] == "html"
    assert preview(Picture())["kind"] == "image"
