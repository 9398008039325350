"""Each node Hamilton makes from a decorated function has its own fingerprint, read from what
its callable holds (``cache.callables``): an edit to one step recomputes that step and what is
below it, never a sibling; and no edit, however it reaches a node (a lambda, a closure, a
default, a wrapper, an object bound by a decorator), leaves a stale value. Values are compared
with a plain Hamilton driver on a fresh module of the same cells, in a real shell."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from hamilton_nb.cache.callables import callable_digest
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell
from tests.test_definitions import Notebook


@pytest.fixture
def nb(shell: Shell) -> Notebook:
    return Notebook(shell, "steps")


def _computed(nb: Notebook) -> set[str]:
    run = REGISTRY.sessions[nb.module].last_run
    assert run is not None
    return set(run.computed)


def _edit(nb: Notebook, cell: str, old: str, new: str) -> None:
    assert old in nb.cells[cell]
    nb.cell(cell, nb.cells[cell].replace(old, new))


def _check(nb: Notebook, nodes: list[str], inputs: dict[str, Any]) -> set[str]:
    """Run ``nodes``; the values must be Hamilton's. Returns what the run computed."""
    nb.check(nodes, inputs)
    return _computed(nb)


STEPS = (
    "from hamilton.function_modifiers import pipe_input, step, value\n"
    "@pipe_input(\n"
    "    step(_times, k=value(2)).named('a'),\n"
    "    step(_make(3)).named('b'),\n"
    "    step(_make(1)).named('c'),\n"
    ")\n"
    "def chained(v: int) -> int:\n"
    "    return v * 100\n"
)
HELPERS = (
    "def _times(v: int, k: int) -> int:\n    return v * k\n\n"
    "def _make(n):\n"
    "    def add(v: int) -> int:\n        return v + n\n"
    "    return add\n"
)
ALL = ["chained.a", "chained.b", "chained.c", "chained"]


def test_an_edit_to_one_step_recomputes_that_step_and_what_is_below(nb: Notebook) -> None:
    nb.cell("helpers", HELPERS)
    nb.cell("chain", STEPS)
    assert _check(nb, ALL, {"v": 1}) == set(ALL)

    _edit(nb, "chain", "return v * 100", "return v * 1000")  # the body: the last node only
    assert _check(nb, ALL, {"v": 1}) == {"chained"}

    _edit(nb, "chain", "step(_make(3))", "step(_make(4))")  # a value a closure holds
    assert _check(nb, ALL, {"v": 1}) == {"chained.b", "chained.c", "chained"}

    _edit(nb, "chain", "step(_make(1))", "step(_make(5))")  # the last step only
    assert _check(nb, ALL, {"v": 1}) == {"chained.c", "chained"}

    _edit(nb, "chain", "k=value(2)", "k=value(7)")  # a bound value
    assert _check(nb, ALL, {"v": 1}) == set(ALL)


def test_an_edit_to_a_helper_reaches_the_steps_made_from_it(nb: Notebook) -> None:
    nb.cell("helpers", HELPERS)
    nb.cell("chain", STEPS)
    _check(nb, ALL, {"v": 1})

    _edit(nb, "helpers", "return v + n", "return v + n * 10")  # code nested in a helper
    assert _check(nb, ALL, {"v": 1}) == {"chained.b", "chained.c", "chained"}

    _edit(nb, "helpers", "return v * k", "return v * k - 1")
    assert _check(nb, ALL, {"v": 1}) == set(ALL)


def test_a_default_a_step_reads_from_another_cell_is_followed(nb: Notebook) -> None:
    nb.cell("n", "N = 2\n")
    nb.cell("helper", "def _bump(v: int, n: int = N) -> int:\n    return v + n\n")
    nb.cell(
        "chain",
        "from hamilton.function_modifiers import pipe_input, step\n"
        "@pipe_input(step(_bump).named('a'))\n"
        "def bumped(v: int) -> int:\n    return v\n",
    )
    assert nb.check(["bumped"], {"v": 1}) == {"bumped": 3}
    nb.cell("n", "N = 40\n")
    assert nb.check(["bumped"], {"v": 1}) == {"bumped": 41}
    nb.restart()
    assert nb.check(["bumped"], {"v": 1}) == {"bumped": 41}


def test_a_wrapping_decorator_written_in_a_cell_is_part_of_the_node(nb: Notebook) -> None:
    nb.cell(
        "deco",
        "import functools\n"
        "def _twice(f):\n"
        "    @functools.wraps(f)\n"
        "    def wrapper(*args, **kwargs):\n"
        "        return 2 * f(*args, **kwargs)\n"
        "    return wrapper\n",
    )
    nb.cell("node", "@_twice\ndef doubled(x: int) -> int:\n    return x + 1\n")
    assert nb.check(["doubled"], {"x": 1}) == {"doubled": 4}
    _edit(nb, "deco", "return 2 * f", "return 3 * f")
    assert nb.check(["doubled"], {"x": 1}) == {"doubled": 6}
    _edit(nb, "node", "return x + 1", "return x + 2")
    assert nb.check(["doubled"], {"x": 1}) == {"doubled": 9}


def test_what_only_a_helpers_decorator_reads_does_not_reach_its_callers(nb: Notebook) -> None:
    """``@mutate`` returns the helper itself: a caller of the helper runs its ``def`` and
    nothing its decorator names; the mutated target recomputes, the caller does not."""
    nb.cell("target", "def raw(v: int) -> int:\n    return v * 10\n")
    nb.cell(
        "helper",
        "from hamilton.function_modifiers import mutate, apply_to\n"
        "@mutate(apply_to(raw).named('plus'))\n"
        "def _plus_one(v: int) -> int:\n    return v + 1\n\n"
        "def called(v: int) -> int:\n    return _plus_one(v) * 2\n",
    )
    nodes = ["raw", "called"]
    assert nb.check(nodes, {"v": 1}) == {"raw": 11, "called": 4}
    _edit(nb, "target", "return v * 10", "return v * 11")
    assert nb.check(nodes, {"v": 1}) == {"raw": 12, "called": 4}
    assert "called" not in _computed(nb)
    _edit(nb, "helper", "return v + 1", "return v + 3")  # the helper's own body reaches both
    assert nb.check(nodes, {"v": 1}) == {"raw": 14, "called": 8}
    assert {"raw", "called"} <= _computed(nb)


def test_a_helper_wrapped_by_its_decorator_keeps_what_the_decorator_reads(nb: Notebook) -> None:
    nb.cell("k", "K = 1\n")
    nb.cell(
        "helper",
        "def _adding(k):\n"
        "    def deco(f):\n"
        "        def _added(v):\n            return f(v) + k\n"
        "        return _added\n"
        "    return deco\n\n"
        "@_adding(K)\n"
        "def _base(v):\n    return v\n\n"
        "def total(v: int) -> int:\n    return _base(v)\n",
    )
    assert nb.check(["total"], {"v": 1}) == {"total": 2}
    nb.cell("k", "K = 5\n")
    assert nb.check(["total"], {"v": 1}) == {"total": 6}
    nb.restart()
    assert nb.check(["total"], {"v": 1}) == {"total": 6}


def test_an_object_of_a_cells_class_bound_by_a_decorator_is_followed(nb: Notebook) -> None:
    nb.cell(
        "box",
        "class Box:\n"
        "    def __init__(self, n):\n        self.n = n\n"
        "    def get(self):\n        return self.n\n",
    )
    nb.cell(
        "nodes",
        "from hamilton.function_modifiers import parameterize, value\n"
        "@parameterize(one={'box': value(Box(1))}, two={'box': value(Box(2))})\n"
        "def unboxed(box: object) -> int:\n    return box.get()\n",
    )
    assert nb.check(["one", "two"], {}) == {"one": 1, "two": 2}
    _edit(nb, "box", "return self.n", "return self.n * 10")
    assert nb.check(["one", "two"], {}) == {"one": 10, "two": 20}


def test_parameterized_copies_are_recomputed_one_by_one(nb: Notebook) -> None:
    nb.cell(
        "nodes",
        "from hamilton.function_modifiers import parameterize, value, source\n"
        "@parameterize(low={'k': value(1)}, high={'k': value(5)}, same={'k': source('base')})\n"
        "def scaled(k: int, base: int) -> int:\n    return k * base\n",
    )
    nodes = ["low", "high", "same"]
    assert _check(nb, nodes, {"base": 3}) == set(nodes)
    _edit(nb, "nodes", "value(5)", "value(6)")
    assert _check(nb, nodes, {"base": 3}) == {"high"}
    _edit(nb, "nodes", "return k * base", "return k * base + 1")
    assert _check(nb, nodes, {"base": 3}) == set(nodes)


class _Opaque:
    pass


def test_a_callable_holding_what_cannot_be_read_has_no_digest() -> None:
    def own(obj: object) -> str | None:
        return None

    held = _Opaque()
    assert callable_digest(lambda: held, own) is None  # not a library's, not the user's
    assert callable_digest(len, own) is not None  # a builtin counts by its name
    assert callable_digest(print, own) != callable_digest(len, own)


def test_a_generic_type_counts_by_its_parts() -> None:
    class Mine:
        pass

    def v1(obj: object) -> str | None:
        return "mine-v1" if obj is Mine else None

    def v2(obj: object) -> str | None:
        return "mine-v2" if obj is Mine else None

    mine = callable_digest(functools.partial(isinstance, list[Mine]), v1)
    assert mine is not None
    assert mine != callable_digest(functools.partial(isinstance, list[int]), v1)
    assert mine != callable_digest(functools.partial(isinstance, list[Mine]), v2)
