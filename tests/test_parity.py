"""Hamilton parity: a module Hamilton accepts, split one public function per cell, gives
exactly Hamilton's nodes, types and edges."""

from __future__ import annotations

import ast
import itertools
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.run.hamilton import wired_nodes
from tests.hamilton_parity import (
    assert_matches_hamilton,
    assert_wiring_matches_hamilton,
    hamilton_structure,
)

FEATURES = '''
import pandas as pd
from hamilton.function_modifiers import (
    check_output, config, does, extract_columns, extract_fields, mutate, parameterize,
    pipe_input, source, step, tag,
)

RATE = 0.2


def _double(x: pd.Series) -> pd.Series:
    return x * 2


@extract_columns("a", "b")
def frame(n: int) -> pd.DataFrame:
    """A small frame."""
    return pd.DataFrame({"a": range(n), "b": range(n)})


@parameterize(a_x2={"x": source("a")}, b_x2={"x": source("b")})
def doubled(x: pd.Series) -> pd.Series:
    return _double(x)


@config.when(region="us")
def tax__us(a_x2: pd.Series) -> pd.Series:
    return a_x2 * RATE


@config.when_not(region="us")
def tax__other(a_x2: pd.Series) -> pd.Series:
    return a_x2 * 0


@check_output(range=(0, 10**6), importance="warn")
@tag(owner="ds")
def total(b_x2: pd.Series, tax: pd.Series) -> float:
    return float(b_x2.sum() + tax.sum())


def _sum(a: pd.Series, b: pd.Series) -> pd.Series:
    return a + b


@does(_sum)
def summed(a: pd.Series, b: pd.Series) -> pd.Series:
    pass


@extract_fields({"lo": int, "hi": int})
def bounds(n: int) -> dict:
    return {"lo": 0, "hi": n}


def scaled(summed: pd.Series, hi: int) -> pd.Series:
    return summed * hi


@mutate(scaled)
def _plus_one(x: pd.Series) -> pd.Series:
    return x + 1


@pipe_input(step(_double))
def piped(summed: pd.Series) -> pd.Series:
    return summed
'''

PLAIN = """
def c(a: int, b: int = 2) -> int:
    return a + b


def d(c: int, a: int) -> float:
    return c / a


def e(d: float, c: int) -> str:
    return f"{c}:{d}"


def _unused() -> None:
    pass


def f(e: str, x: object) -> str:
    return e
"""

_names = itertools.count()


def split_cells(source: str) -> Iterator[str]:
    """One public function per cell, in source order; everything else stays where it was."""
    lines = source.splitlines()
    cells: list[list[str]] = [[]]
    has_public = False
    tree = ast.parse(source)
    for stmt in tree.body:
        start = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        public = isinstance(stmt, ast.FunctionDef) and not stmt.name.startswith("_")
        if public and has_public:
            cells.append([])
        has_public = has_public or public
        cells[-1].append("\n".join(lines[start - 1 : stmt.end_lineno]))
    return ("\n\n".join(c) for c in cells)


def _module(source: str) -> types.ModuleType:
    mod = types.ModuleType(f"whole_{next(_names)}")
    sys.modules[mod.__name__] = mod
    exec(compile(source, mod.__name__, "exec"), mod.__dict__)
    return mod


@pytest.mark.parametrize("config", [{}, {"region": "us"}], ids=["no-config", "region-us"])
@pytest.mark.parametrize("source", [FEATURES, PLAIN], ids=["decorators", "plain"])
def test_a_module_split_into_cells_gives_hamiltons_graph(
    source: str, config: dict[str, Any]
) -> None:
    s = DataflowSession(f"split_{next(_names)}", config=config)
    whole = _module(source)
    try:
        cells = list(split_cells(source))
        assert len(cells) > 3
        for i, cell in enumerate(cells):
            s.apply_cell(cell, f"c{i}")
            wired_nodes(s.graph)  # from here on, kept up to date change by change
        assert_matches_hamilton(s)
        assert_wiring_matches_hamilton(s)
        assert hamilton_structure(s.module, config) == hamilton_structure(whole, config)
        for i, cell in enumerate(cells):  # running every cell again changes nothing
            s.apply_cell(cell, f"c{i}")
            assert not s.last_diff
        assert_matches_hamilton(s)
    finally:
        s.close()
        del sys.modules[whole.__name__]


def test_mutate_in_the_cell_of_its_target_is_applied_once_per_run() -> None:
    s = DataflowSession("mutating")
    cell = (
        "from hamilton.function_modifiers import mutate\n"
        "def a() -> int:\n    return 1\n"
        "@mutate(a)\ndef _plus_one(x: int) -> int:\n    return x + 1\n"
    )
    try:
        s.apply_cell(cell, "c")
        first = s.graph.structure()
        s.apply_cell(cell, "c")
        s.apply_cell(cell.replace("return 1", "return 2"), "c")
        assert s.graph.structure().keys() == first.keys()
        assert_matches_hamilton(s)
    finally:
        s.close()
