"""What a definition holds from when it ran (a decorator's helper or constant, a ``@mutate``
target, a constant shadowing a builtin) is never stale: values equal a plain Hamilton driver's
on a fresh module of the same code, in a real shell, and again after a restart on the cache."""

from __future__ import annotations

import itertools
import sys
from types import ModuleType
from typing import Any

import pytest
from hamilton import driver

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell, plain
from tests.hamilton_parity import assert_matches_hamilton

_fresh = itertools.count()


class Notebook:
    """Cells of one ``%%dataflow`` module run in a shell, kept in notebook order."""

    def __init__(self, shell: Shell, module: str) -> None:
        self.shell, self.module, self.cells = shell, module, dict[str, str]()

    def cell(self, cell_id: str, body: str) -> None:
        """Run (or run again) a cell that must be accepted."""
        self.cells[cell_id] = body
        self.shell.ok(f"%%dataflow {self.module}\n{body}", cell_id)

    def run(self, nodes: list[str], inputs: dict[str, Any]) -> dict[str, Any]:
        shown = " ".join(f"{k}={v!r}" for k, v in inputs.items())
        names = " ".join(nodes)
        values = self.shell.ok(f"%dataflow run {names} --module {self.module} --inputs {shown}")
        return values if len(nodes) > 1 else {nodes[0]: values}

    def restart(self) -> None:
        """A new kernel: sessions closed, memory empty, the same cache on disk; cells run
        again in notebook order."""
        for s in list(REGISTRY.sessions.values()):
            s.close()
        REGISTRY.sessions.clear()
        REGISTRY.cache.flush()
        REGISTRY.set_cache(NodeCache(REGISTRY.cache.directory))
        self.shell.ip.reset(new_session=False)
        for cell_id, body in self.cells.items():
            self.cell(cell_id, body)

    def expected(self, nodes: list[str], inputs: dict[str, Any]) -> dict[str, Any]:
        """A plain Hamilton driver's values on a fresh module of the cells' code."""
        module = ModuleType(f"fresh_{next(_fresh)}")
        sys.modules[module.__name__] = module  # @mutate checks its target's module by name
        exec(compile("\n".join(self.cells.values()), module.__name__, "exec"), module.__dict__)
        return driver.Builder().with_modules(module).build().execute(nodes, inputs=inputs)

    def check(self, nodes: list[str], inputs: dict[str, Any]) -> dict[str, Any]:
        got = self.run(nodes, inputs)
        assert got == self.expected(nodes, inputs)
        session = REGISTRY.sessions[self.module]
        assert_matches_hamilton(session)
        return got


@pytest.fixture
def nb(shell: Shell) -> Notebook:
    return Notebook(shell, "defs")


PIPE = (
    "from hamilton.function_modifiers import pipe_input, step\n"
    "@pipe_input(step(_bump))\ndef piped(v: int) -> int:\n    return v * 2\n"
)
DOES = (
    "from hamilton.function_modifiers import does\n"
    "@does(_sum_all)\ndef summed(a: int, b: int) -> int:\n    pass\n"
)


def test_a_decorator_helper_edited_in_its_own_cell_is_used_by_the_next_run(nb: Notebook) -> None:
    nb.cell("helpers", "def _bump(x: int) -> int:\n    return x + 10\n")
    nb.cell("pipe", PIPE)
    assert nb.check(["piped"], {"v": 5}) == {"piped": 30}
    nb.cell("helpers", "def _bump(x: int) -> int:\n    return x + 1000\n")
    assert nb.check(["piped"], {"v": 5}) == {"piped": 2010}
    nb.restart()
    assert nb.check(["piped"], {"v": 5}) == {"piped": 2010}


def test_a_does_helper_edited_in_its_own_cell_is_used(nb: Notebook) -> None:
    nb.cell("helpers", "def _sum_all(**kw: int) -> int:\n    return sum(kw.values())\n")
    nb.cell("does", DOES)
    assert nb.check(["summed"], {"a": 10, "b": 10}) == {"summed": 20}
    nb.cell("helpers", "def _sum_all(**kw: int) -> int:\n    return sum(kw.values()) * 50\n")
    assert nb.check(["summed"], {"a": 10, "b": 10}) == {"summed": 1000}
    nb.restart()
    assert nb.check(["summed"], {"a": 10, "b": 10}) == {"summed": 1000}


def test_a_constant_a_decorator_reads_is_followed(nb: Notebook, shell: Shell) -> None:
    nb.cell("limits", "LIMIT = 5\n")
    nb.cell(
        "checked",
        "from hamilton.function_modifiers import check_output\n"
        "@check_output(range=(0, LIMIT), importance='fail')\n"
        "def bounded(v: int) -> int:\n    return v\n",
    )
    error = shell.fails("%dataflow run bounded --module defs --inputs v=10")
    assert "bounded" in str(error)
    nb.cell("limits", "LIMIT = 50\n")
    assert nb.check(["bounded"], {"v": 10}) == {"bounded": 10}
    nb.restart()
    assert nb.check(["bounded"], {"v": 10}) == {"bounded": 10}


def test_a_constant_computed_from_another_cells_constant_is_computed_again(nb: Notebook) -> None:
    nb.cell("base", "BASE = 2\n")
    nb.cell("derived", "SCALE = BASE * 10\n\ndef scaled(v: int) -> int:\n    return v * SCALE\n")
    assert nb.check(["scaled"], {"v": 1}) == {"scaled": 20}
    nb.cell("base", "BASE = 3\n")
    assert nb.check(["scaled"], {"v": 1}) == {"scaled": 30}


def test_parameterize_over_a_constant_of_another_cell_follows_its_edit(nb: Notebook) -> None:
    nb.cell("cities", "CITIES = ['paris', 'rome']\n")
    nb.cell(
        "per_city",
        "from hamilton.function_modifiers import parameterize, value\n"
        "@parameterize(**{f'pop_{c}': {'city': value(c)} for c in CITIES})\n"
        "def pop(city: str, scale: int) -> int:\n    return len(city) * scale\n",
    )
    assert nb.check(["pop_paris", "pop_rome"], {"scale": 2}) == {"pop_paris": 10, "pop_rome": 8}
    nb.cell("cities", "CITIES = ['paris', 'oslo']\n")
    assert "pop_rome" not in REGISTRY.sessions["defs"].graph
    assert nb.check(["pop_paris", "pop_oslo"], {"scale": 2}) == {"pop_paris": 10, "pop_oslo": 8}


MUTATOR = (
    "from hamilton.function_modifiers import mutate\n"
    "@mutate(target)\ndef _add(x: int) -> int:\n    return x + {n}\n"
)
TARGET = (
    "def target(v: int) -> int:\n    return v{extra}\n\n"
    "def after(target: int) -> int:\n    return target * 2\n"
)


def test_mutate_in_a_later_cell_than_its_target_is_applied_and_followed(nb: Notebook) -> None:
    nb.cell("t", TARGET.format(extra=""))
    assert nb.check(["after"], {"v": 1}) == {"after": 2}
    nb.cell("m", MUTATOR.format(n=100))
    assert nb.check(["after"], {"v": 1}) == {"after": 202}
    nb.cell("m", MUTATOR.format(n=200))  # the old mutation is not applied on top
    assert nb.check(["after"], {"v": 1}) == {"after": 402}
    nb.cell("t", TARGET.format(extra=" + 1"))  # re-running the target keeps the mutation
    assert nb.check(["after"], {"v": 1}) == {"after": 404}
    nb.restart()
    assert nb.check(["after"], {"v": 1}) == {"after": 404}
    nb.cell("m", "x = 1\n")  # the mutation is gone with its cell's code
    assert nb.check(["after"], {"v": 1}) == {"after": 4}


def test_a_helper_read_by_a_mutating_function_is_followed(nb: Notebook) -> None:
    nb.cell("k", "K = 1\n")
    nb.cell("t", TARGET.format(extra=""))
    nb.cell(
        "m",
        "from hamilton.function_modifiers import mutate\n"
        "@mutate(target)\ndef _add(x: int) -> int:\n    return x + K\n",
    )
    assert nb.check(["after"], {"v": 1}) == {"after": 4}
    nb.cell("k", "K = 7\n")
    assert nb.check(["after"], {"v": 1}) == {"after": 16}


def test_a_constant_named_like_a_builtin_is_part_of_the_fingerprint(nb: Notebook) -> None:
    nb.cell("fmt", "format = '{:.1f}'\n")
    nb.cell("shown", "def shown(x: float) -> str:\n    return format.format(x)\n")
    assert nb.check(["shown"], {"x": 1.234}) == {"shown": "1.2"}
    nb.cell("fmt", "format = '{:.3f}'\n")
    assert nb.check(["shown"], {"x": 1.234}) == {"shown": "1.234"}
    nb.restart()
    assert nb.check(["shown"], {"x": 1.234}) == {"shown": "1.234"}


def test_a_failing_cell_run_again_rejects_the_edit_and_changes_nothing(
    nb: Notebook, shell: Shell
) -> None:
    nb.cell("helpers", "def _bump(x: int) -> int:\n    return x + 10\n")
    nb.cell("pipe", PIPE)
    assert nb.check(["piped"], {"v": 5}) == {"piped": 30}
    error = shell.fails("%%dataflow defs\nOTHER = 1\n", "helpers")  # _bump gone: pipe fails
    assert "cell pipe" in plain(str(error)) and "_bump" in str(error)
    assert nb.check(["piped"], {"v": 5}) == {"piped": 30}
    assert REGISTRY.sessions["defs"].owner("_bump") == "helpers"


# -- a node that changes its input in place never changes what the cache holds -----------------

FIT = (
    "import numpy as np\nfrom sklearn.linear_model import LinearRegression\n\n"
    "def clf() -> LinearRegression:\n    return LinearRegression()\n\n"
    "def model(clf: LinearRegression, slope: float) -> LinearRegression:\n"
    "    X = np.array([[1.0], [2.0], [3.0]])\n"
    "    return clf.fit(X, X[:, 0] * slope)  # fit changes clf and returns it\n"
)
COEF = "def coef(model: LinearRegression) -> float:\n    return round(float(model.coef_[0]), {})\n"


def test_a_model_fitted_in_place_does_not_change_the_cached_estimator(nb: Notebook) -> None:
    pytest.importorskip("sklearn")
    nb.cell("fit", FIT)
    nb.cell("coef", COEF.format(6))
    for slope in (2.0, 3.0, 2.0):
        assert nb.check(["coef"], {"slope": slope}) == {"coef": slope}
    nb.cell("coef", COEF.format(5))  # computed again from the cached model of slope 2
    assert nb.check(["coef"], {"slope": 2.0}) == {"coef": 2.0}
    nb.restart()
    for slope in (3.0, 2.0):
        assert nb.check(["coef"], {"slope": slope}) == {"coef": slope}


def test_changing_a_returned_value_or_an_input_in_place_leaves_the_cache_right(
    nb: Notebook,
) -> None:
    nb.cell(
        "lists",
        "def seen() -> list:\n    return []\n\n"
        "def grown(seen: list, a: int) -> list:\n    seen.append(a)\n    return seen\n",
    )
    for a in (1, 3, 1):
        got = nb.check(["grown"], {"a": a})
        assert got == {"grown": [a]}
        got["grown"].append(99)  # the notebook changes what it was given
        assert nb.run(["grown"], {"a": a}) == {"grown": [a]}
