"""Random edits of cells whose definitions read other cells when they run (a decorator's helper
and constants, a closure a step holds, one copy of a ``@parameterize``, ``@mutate`` in another
cell, ``@subdag`` of another live module) and of nodes that change their inputs in place: after
every step every value equals a plain Hamilton driver's on fresh modules of the same code, and
a second kernel on the same cache directory agrees."""

from __future__ import annotations

import itertools
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from hamilton import driver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession

_runs = itertools.count()

SUB = "def inner(y: int) -> int:\n    return y * {i}\n"
CELLS = {
    "consts": "K = {k}\nLIMIT = {limit}\n",
    "helpers": (
        "def _bump(x: int) -> int:\n    return x + {b}\n\n"
        "def _sum_all(**kw: int) -> int:\n    return sum(kw.values()) * {s}\n\n"
        "def _make(n):\n    def add(x: int) -> int:\n        return x + n * {c}\n\n    return add\n"
    ),
    "nodes": (
        "import {sub}\n"
        "from hamilton.function_modifiers import check_output, does, pipe_input, source, step\n"
        "from hamilton.function_modifiers import parameterize, subdag, value\n\n"
        "def base(x: int) -> int:\n    return x * K\n\n"
        "@parameterize(lo={{'n': value({p})}}, hi={{'n': value(K)}})\n"
        "def scaled(base: int, n: int) -> int:\n    return base * n\n\n"
        "@pipe_input(step(_bump), step(_make({p})).named('made'))\n"
        "@check_output(range=(0, LIMIT), importance='warn')\n"
        "def piped(base: int) -> int:\n    return base + 1\n\n"
        "@does(_sum_all)\ndef summed(base: int, piped: int) -> int:\n    pass\n\n"
        "def bag(x: int) -> list:\n    return [x]\n\n"
        "def grown(bag: list, piped: int) -> list:\n    bag.append(piped)  # changes its input\n"
        "    return bag\n\n"
        "@subdag({sub}, inputs={{'y': source('base')}})\n"
        "def via_sub(inner: int) -> int:\n    return inner\n\n"
        "def total(grown: list, summed: int, via_sub: int) -> int:\n"
        "    return sum(grown) + summed + via_sub\n"
    ),
    "mutator": (
        "from hamilton.function_modifiers import mutate\n\n"
        "@mutate(base)\ndef _shift(v: int) -> int:\n    return v + {m}\n"
    ),
}
NO_MUTATOR = "M = {m}\n"
TARGETS = ["total", "grown", "bag", "piped", "summed", "via_sub", "lo", "hi"]
PARAMS = {
    "k": "consts",
    "limit": "consts",
    "b": "helpers",
    "s": "helpers",
    "c": "helpers",
    "p": "nodes",
    "m": "mutator",
}

steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from([*PARAMS, "i", "x"]), st.integers(0, 3)),
        st.tuples(st.just("mutator on"), st.booleans()),
        st.tuples(st.just("restart"), st.just(0)),
    ),
    min_size=1,
    max_size=10,
)


class Kernel:
    """Two live modules (the main one uses the other through ``@subdag``) on one cache."""

    def __init__(self, directory: Path, n: int, params: dict[str, Any]) -> None:
        self.sub_name, self.main_name = f"sub_{n}", f"main_{n}"
        cache = NodeCache(directory)
        self.sub = DataflowSession(self.sub_name, cache=cache)
        self.main = DataflowSession(self.main_name, cache=cache)
        self.sub.apply_cell(SUB.format(**params), "sub")
        for cell in CELLS:
            self.apply(cell, params)

    def apply(self, cell: str, params: dict[str, Any]) -> None:
        if cell == "sub":
            self.sub.apply_cell(SUB.format(**params), "sub")
        else:
            self.main.apply_cell(source(cell, params, self.sub_name), cell)

    def values(self, x: int) -> dict[str, Any]:
        result: dict[str, Any] = self.main.run(TARGETS, inputs={"x": x})
        return result

    def close(self) -> None:
        self.main.cache.flush()
        self.main.close()
        self.sub.close()


def source(cell: str, params: dict[str, Any], sub: str) -> str:
    if cell == "mutator" and not params["mutator on"]:
        return NO_MUTATOR.format(**params)
    return CELLS[cell].format(sub=sub, **params)


@contextmanager
def _fresh(name: str, text: str) -> Iterator[ModuleType]:
    """``text`` imported as a fresh module called ``name`` (``sys.modules`` restored after)."""
    saved = sys.modules.get(name)
    module = ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(text, f"<plain {name}>", "exec"), module.__dict__)
        yield module
    finally:
        if saved is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = saved


def plain_values(kernel: Kernel, params: dict[str, Any], x: int) -> dict[str, Any]:
    """A plain driver's values on fresh modules of the same code."""
    main = "\n".join(source(c, params, kernel.sub_name) for c in CELLS)
    with _fresh(kernel.sub_name, SUB.format(**params)), _fresh(kernel.main_name, main) as module:
        dr = driver.Builder().with_modules(module).build()
        result: dict[str, Any] = dr.execute(TARGETS, inputs={"x": x})
        # in one run, grown changes bag in place; bag's own value is what it returns alone
        result["bag"] = dr.execute(["bag"], inputs={"x": x})["bag"]
    return result


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps)
def test_every_value_equals_a_plain_driver_and_a_second_kernel_agrees(
    history: list[tuple[str, Any]],
) -> None:
    params: dict[str, Any] = {"k": 1, "limit": 5, "b": 1, "s": 1, "c": 1, "p": 2, "m": 1, "i": 2}
    params["mutator on"] = True
    x = 1
    n = next(_runs)
    with tempfile.TemporaryDirectory() as directory:
        kernel = Kernel(Path(directory), n, params)
        try:
            for what, value in history:
                if what == "restart":  # a new kernel: empty memory, same disk cache
                    kernel.close()
                    kernel = Kernel(Path(directory), n, params)
                elif what == "x":
                    x = value
                else:
                    params[what] = value
                    kernel.apply("sub" if what == "i" else PARAMS.get(what, "mutator"), params)
                assert kernel.values(x) == plain_values(kernel, params, x)
            kernel.close()
            kernel = Kernel(Path(directory), n, params)  # a second kernel on the same cache
            assert kernel.values(x) == plain_values(kernel, params, x)
            assert kernel.main.last_run is not None and kernel.main.last_run.computed == ()
        finally:
            kernel.close()
