"""What changed in the output: after a recompute, nodes whose value changed carry the gist of
the change (in ``last_run.changed`` and in the widget's picture); unchanged ones carry none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hamilton_nb
from hamilton_nb.jupyter.picture import describe
from hamilton_nb.run.changes import gist
from tests.conftest import Shell

CELLS = [
    "%%dataflow sales\nimport pandas as pd\n\n"
    "def raw(rows: int) -> pd.DataFrame:\n"
    "    return pd.DataFrame({'n': range(rows), 'price': [2] * rows})\n",
    "%%dataflow sales\n"
    "def clean(raw: pd.DataFrame) -> pd.DataFrame:\n    return raw[raw.n > 0]\n\n"
    "def total(clean: pd.DataFrame) -> float:\n    return float((clean.n * clean.price).sum())\n\n"
    "def rows_kept(clean: pd.DataFrame) -> int:\n    return min(len(clean), 3)\n",
]


def _changes(shell: Shell) -> dict[str, str | None]:
    s = hamilton_nb.session("sales")
    return {n["name"]: n.get("change") for n in describe(s)["nodes"] if n["cell"] is not None}


def test_a_recompute_marks_the_nodes_whose_value_changed_with_the_gist(shell: Shell) -> None:
    for i, cell in enumerate(CELLS):
        shell.ok(cell, f"c{i}")
    shell.ok("%dataflow run total rows_kept --module sales --inputs rows=10")
    assert set(_changes(shell).values()) == {None}  # a first run: nothing to compare with
    shell.ok(CELLS[1].replace("raw.n > 0", "raw.n > 4"), "c1")
    shell.ok("%dataflow run total rows_kept --module sales --inputs rows=10")
    s = hamilton_nb.session("sales")
    assert s.last_run is not None
    assert s.last_run.changed == {"clean": "rows 9 → 5", "total": "90.0 → 70.0"}
    # rows_kept was computed again, to the same 3: not marked
    assert "rows_kept" in s.last_run.computed
    assert _changes(shell) == {
        "raw": None,
        "clean": "rows 9 → 5",
        "total": "90.0 → 70.0",
        "rows_kept": None,
    }
    shell.ok(CELLS[0].replace("'price': [2] * rows", "'price': [2.5] * rows"), "c0")
    assert _changes(shell)["clean"] is None  # stale now: the mark was about the last run
    shell.ok("%dataflow run total --module sales --inputs rows=10")
    assert _changes(shell)["raw"] == "price: int64 → float64"


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1, 2]}), None),
        (pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1, 3]}), "values changed"),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1], "b": [2]}), "+ column b"),
        (pd.DataFrame({"a": [1], "b": [2]}), pd.DataFrame({"a": [1]}), "- column b"),
        (pd.Series([1, 2]), pd.Series([1.0, 2.0]), "dtype int64 → float64"),
        (pd.Series([1.5]), pd.Series([2.5]), "1.5 → 2.5"),
        (np.zeros((2, 2)), np.zeros((3, 2)), "shape (2, 2) → (3, 2)"),
        (3.1, 3.4, "3.1 → 3.4"),
        (float("nan"), float("nan"), None),
        ("a" * 40, "b", "'aaaaaaaaaaaaaaaaaaaaaa… → 'b'"),
        (1, 1.0, "type int → float"),
        ([1, 2], [1, 2, 3], "2 → 3 items"),
        ({"k": 1}, {"k": 1}, None),
        (object(), object(), None),  # not compared: nothing claimed
    ],
)
def test_the_gist_of_a_change(old: object, new: object, said: str | None) -> None:
    assert gist(old, new) == said


def test_a_long_object_column_is_compared_by_shape_and_dtypes_only() -> None:
    """Hashing it would mean pickling every object: no claim about its values."""
    old = pd.DataFrame({"a": pd.Series([(i,) for i in range(200_000)], dtype=object)})
    new = pd.DataFrame({"a": pd.Series([(-i,) for i in range(200_000)], dtype=object)})
    assert gist(old, new) is None
    assert gist(old, new.iloc[:10]) == "rows 200,000 → 10"
