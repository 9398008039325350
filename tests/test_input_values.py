"""Given values (a DataFrame passed with ``--inputs df=frame``): the cache follows their content,
however the values are laid out, also when the notebook changes them in place between runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hamilton_nb
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell

FLOW = """%%dataflow flow
import pandas as pd

def described(df: pd.DataFrame) -> list:
    return [repr(v) for v in df["a"]] + [str(df["a"].dtype), repr(list(df.index))]
"""


def _described(df: pd.DataFrame) -> list[str]:
    return [repr(v) for v in df["a"]] + [str(df["a"].dtype), repr(list(df.index))]


def _run(shell: Shell) -> tuple[list[str], tuple[str, ...]]:
    value = shell.ok("%dataflow run described --module flow --inputs df=frame")
    report = hamilton_nb.session("flow").last_run
    assert report is not None
    return value, report.computed


def _set_item(df: pd.DataFrame) -> None:
    df.loc[1, "a"] = df.loc[0, "a"]


def _rename_index(df: pd.DataFrame) -> None:
    df.index = pd.Index(["p", "q"])


COLUMNS = {
    "integers": (pd.Series([1, 2]), _set_item),
    "strings (Arrow)": (pd.Series(["x", "y"]), _set_item),
    "strings (objects)": (pd.Series(["x", "y"], dtype=object), _set_item),
    "mixed objects": (pd.Series([1, "y"], dtype=object), _set_item),
    "categories": (pd.Series(["x", "y"], dtype="category"), _set_item),
    "nullable integers": (pd.Series([1, None], dtype="Int64"), _set_item),
    "datetimes": (pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01"])), _set_item),
    "the index": (pd.Series([1.5, 2.5]), _rename_index),
}


@pytest.mark.parametrize("column", list(COLUMNS), ids=list(COLUMNS))
def test_an_input_changed_in_place_between_runs_is_computed_again(
    shell: Shell, column: str
) -> None:
    data, change = COLUMNS[column]
    shell.ok(FLOW)
    frame = pd.DataFrame({"a": data.copy()})
    shell.ip.user_ns["frame"] = frame
    assert _run(shell) == (_described(frame), ("described",))
    assert _run(shell) == (_described(frame), ())  # the same content: from the cache
    change(frame)
    assert _run(shell) == (_described(frame), ("described",))


SAME_ROW_HASHES: dict[str, Callable[[], tuple[Any, Any]]] = {
    # pandas' own row hashes (what the cache used before) read each pair alike
    "an int and its string": lambda: ([1, "x"], ["1", "x"]),
    "None and NaN": lambda: (["x", None], ["x", np.nan]),
    "a bool and its string": lambda: ([True, "x"], ["True", "x"]),
}


@pytest.mark.parametrize("pair", list(SAME_ROW_HASHES), ids=list(SAME_ROW_HASHES))
def test_object_columns_that_print_alike_are_different_inputs(shell: Shell, pair: str) -> None:
    first, second = SAME_ROW_HASHES[pair]()
    shell.ok(FLOW)
    for cells in (first, second, first):
        frame = pd.DataFrame({"a": pd.Series(cells, dtype=object)})
        shell.ip.user_ns["frame"] = frame
        assert _run(shell)[0] == _described(frame)


def test_the_record_for_regression_tests_follows_an_input_changed_in_place(shell: Shell) -> None:
    """The latest inputs are kept for ``export --tests`` only when their content changed: the
    record still follows a change made in place, which no assignment announces."""
    shell.ok(FLOW)
    frame = pd.DataFrame({"a": [1, 2]})
    shell.ip.user_ns["frame"] = frame
    _run(shell)
    _run(shell)
    frame.loc[0, "a"] = 10
    _run(shell)
    REGISTRY.cache.flush()
    record = REGISTRY.cache.recall("flow")
    assert record is not None
    pd.testing.assert_frame_equal(record["inputs"]["df"], pd.DataFrame({"a": [10, 2]}))
