"""What the widget says produced a node (decorated function, decorator, line), and the
functions a config turns off, from cells run in a real shell."""

from __future__ import annotations

import pytest

import hamilton_nb
from hamilton_nb.analysis.decorators import decorators
from tests.conftest import Shell

CELL = '''%%dataflow shop --quiet
import pandas as pd
from hamilton.function_modifiers import check_output, config, extract_columns, parameterize, source


@extract_columns(
    "a",
    "b",
)
def table(rows: int) -> pd.DataFrame:
    """Two columns."""
    return pd.DataFrame({"a": range(rows), "b": range(rows)})


@parameterize(
    a_twice={"column": source("a")},
    b_twice={"column": source("b")},
)
def twice(column: pd.Series) -> pd.Series:
    return column * 2


@config.when_not(mode="exact")
@check_output(range=(0.0, 100.0), importance="fail")
def score__rough(a_twice: pd.Series) -> pd.Series:
    return a_twice.astype(float)


@config.when(mode="exact")
def score__exact(a_twice: pd.Series, b: pd.Series) -> pd.Series:
    return (a_twice + b).astype(float)


def plain(score: pd.Series) -> float:
    return float(score.sum())
'''


def _nodes(shell: Shell) -> dict[str, dict]:
    shell.ok(CELL, "c1")
    graph = hamilton_nb.session("shop").widget().graph
    return {n["name"]: n for n in graph["nodes"]}


def test_an_extracted_column_says_which_function_and_decorator_made_it(shell: Shell) -> None:
    nodes = _nodes(shell)
    b = nodes["b"]
    assert b["group"] == "table"
    assert b["origin"] == {
        "function": "table",
        "decorators": ["extract_columns"],
        "text": "column `b` extracted from `table` by @extract_columns",
        "source_line": 3,  # the line of "b" in table's source, its decorator first
    }
    assert nodes["table"]["group"] == "table"  # the frame is in the group of its columns
    assert "makes a node of each column" in nodes["table"]["origin"]["text"]


@pytest.mark.parametrize(
    ("node", "text", "line"),
    [
        ("b_twice", "`b_twice` is one of the nodes @parameterize makes from `twice`", 3),
        ("score_range_validator", "validator of `score` added by @check_output", 2),
        ("score", "`score` from `score__rough`, on while mode!=exact (@config.when_not)", 1),
    ],
)
def test_parameterized_checked_and_configured_nodes_name_their_origin(
    shell: Shell, node: str, text: str, line: int
) -> None:
    origin = _nodes(shell)[node]["origin"]
    assert (origin["text"], origin["source_line"]) == (text, line)


PIPED = """%%dataflow shop --quiet
from hamilton.function_modifiers import pipe_input, step, value


def _add(v: int, k: int = 1) -> int:
    return v + k


@pipe_input(
    step(_add, k=value(2)).named("plus_two"),
)
def piped(start: int) -> int:
    return start
"""


def test_a_pipe_step_says_which_function_it_is_a_step_of(shell: Shell) -> None:
    shell.ok(PIPED, "c2")
    nodes = {n["name"]: n for n in hamilton_nb.session("shop").widget().graph["nodes"]}
    origin = nodes["piped.plus_two"]["origin"]
    assert origin["text"] == "step `plus_two` of `piped` by @pipe_input"
    assert origin["source_line"] == 2  # the line that names the step
    assert nodes["piped.plus_two"]["group"] == "piped"


def test_a_plain_function_has_no_origin_nor_group(shell: Shell) -> None:
    plain = _nodes(shell)["plain"]
    assert plain["origin"] is None and plain["group"] is None


def test_a_function_the_config_turns_off_is_listed_with_its_condition(shell: Shell) -> None:
    shell.ok(CELL, "c1")
    graph = hamilton_nb.session("shop").widget().graph
    assert graph["disabled"] == [
        {"function": "score__exact", "cell": "c1", "condition": "mode=exact"}
    ]


def test_decorators_are_read_outermost_first_with_their_names_and_lines() -> None:
    found = decorators(
        '@config.when_not(x="y")\n@extract_fields(\n  {"f": int})\ndef g() -> dict: ...'
    )
    assert [(d.name, d.line, d.condition) for d in found] == [
        ("config.when_not", 1, "x!=y"),
        ("extract_fields", 2, ""),
    ]
    assert found[1].names["f"] == 3
    assert decorators("x = 1") == () and decorators("def broken(:") == ()
