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


# -- --config follows Hamilton's semantics, and the session follows the config of its last run -


def test_a_config_value_also_satisfies_an_input_of_its_name(shell: Shell) -> None:
    greet = Notebook(shell, "greet")
    greet.cell("g", "def greeting(name: str) -> str:\n    return f'hi {name}'\n")
    assert shell.ok("%dataflow run greeting --module greet --config name='ann'") == "hi ann"
    assert shell.ok("%dataflow run greeting --module greet --config name='bob'") == "hi bob"
    greet.restart()  # values from the disk cache of the first kernel
    assert shell.ok("%dataflow run greeting --module greet --config name='ann'") == "hi ann"
    assert REGISTRY.sessions["greet"].last_run.computed == ()


LOUDNESS = (
    "from hamilton.function_modifiers import config\n"
    "@config.when(kind='loud')\ndef sound__loud(x: int) -> int:\n    return x * {n}\n\n"
    "@config.when(kind='quiet')\ndef sound__quiet(x: int) -> int:\n    return x\n\n"
    "def heard(sound: int) -> int:\n    return sound + 1\n"
)


def test_status_and_later_cells_follow_the_config_of_the_last_run(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok("%%dataflow sounds\n" + LOUDNESS.format(n=10), "s")
    assert shell.ok("%dataflow run heard --module sounds --config kind='loud' --inputs x=2") == 21
    session = REGISTRY.sessions["sounds"]
    assert session.config == {"kind": "loud"}
    assert session.states()["sound"] == "fresh" and session.states()["heard"] == "fresh"
    capsys.readouterr()
    shell.ok("%%dataflow sounds\n" + LOUDNESS.format(n=100), "s")
    assert "sounds: ~1 changed, 2 stale" in plain(capsys.readouterr().out)
    assert session.states()["sound"] == "stale"
    assert shell.ok("%dataflow run heard --module sounds --inputs x=2") == 201


# -- another %%dataflow module that a module uses ----------------------------------------------

FEATURES = "def doubled(x: int) -> int:\n    return x * {n}\n"
REPORT = (
    "import features\n"
    "from hamilton.function_modifiers import subdag, source\n\n"
    "@subdag(features, inputs={'x': source('raw')})\n"
    "def reused(doubled: int) -> int:\n    return doubled + 1\n\n"
    "def called(raw: int) -> int:\n    return features.doubled(raw)\n"
)


def test_a_module_follows_the_live_module_its_subdag_and_its_functions_use(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    def run() -> Any:
        return shell.ok("%dataflow run reused called --module report --inputs raw=5")

    shell.ok("%%dataflow features\n" + FEATURES.format(n=2), "f")
    shell.ok("%%dataflow report\n" + REPORT, "r")
    assert run() == {"reused": 11, "called": 10}
    capsys.readouterr()
    shell.ok("%%dataflow features\n" + FEATURES.format(n=3), "f")
    assert "report: ~" in plain(capsys.readouterr().out)  # the summary says report followed
    assert run() == {"reused": 16, "called": 15}
    # a new kernel on the same cache: the cells run again, values are read from the disk
    for s in list(REGISTRY.sessions.values()):
        s.close()
    REGISTRY.sessions.clear()
    REGISTRY.cache.flush()
    REGISTRY.set_cache(NodeCache(REGISTRY.cache.directory))
    shell.ip.reset(new_session=False)
    shell.ok("%%dataflow features\n" + FEATURES.format(n=3), "f")
    shell.ok("%%dataflow report\n" + REPORT, "r")
    assert run() == {"reused": 16, "called": 15}
    assert REGISTRY.sessions["report"].last_run.computed == ()
    shell.ok("%%dataflow features\n" + FEATURES.format(n=4), "f")
    assert run() == {"reused": 21, "called": 20}


def test_a_module_whose_cells_fail_after_another_module_changed_refuses_to_run(
    shell: Shell,
) -> None:
    shell.ok("%%dataflow features\n" + FEATURES.format(n=2), "f")
    shell.ok("%%dataflow report\nimport features\n", "i")
    shell.ok("%%dataflow report\n_double = features.doubled  # read when the cell runs\n", "h")
    shell.ok("%%dataflow report\ndef called(raw: int) -> int:\n    return _double(raw)\n", "c")
    assert shell.ok("%dataflow run called --module report --inputs raw=5") == 10
    shell.ok("%%dataflow features\ndef tripled(x: int) -> int:\n    return x * 3\n", "f")
    error = shell.fails("%dataflow run called --module report --inputs raw=5")
    assert "features changed" in str(error) and "doubled" in str(error)
    shell.ok("%%dataflow features\n" + FEATURES.format(n=2), "f")
    assert shell.ok("%dataflow run called --module report --inputs raw=5") == 10


def test_a_change_reaches_a_module_that_uses_a_module_that_uses_it(shell: Shell) -> None:
    shell.ok("%%dataflow base_m\nRATE = 2\n", "b")
    shell.ok(
        "%%dataflow middle_m\nimport base_m\n\ndef _rate() -> int:\n    return base_m.RATE\n", "m"
    )
    shell.ok(
        "%%dataflow top_m\nimport middle_m\n\ndef paid(hours: int) -> int:\n"
        "    return hours * middle_m._rate()\n",
        "t",
    )
    assert shell.ok("%dataflow run paid --module top_m --inputs hours=10") == 20
    shell.ok("%%dataflow base_m\nRATE = 3\n", "b")
    assert shell.ok("%dataflow run paid --module top_m --inputs hours=10") == 30


# -- what runs again is what read a changed value, nothing more ----------------------------------


def test_cells_sharing_an_import_do_not_run_each_other_again(nb: Notebook) -> None:
    nb.cell("limit", "LIMIT = 5\n")
    tagged = "from hamilton.function_modifiers import tag\n@tag(limit=str(LIMIT))\n"
    nb.cell("a", tagged + "def a(x: int) -> int:\n    return x\n")
    nb.cell(
        "b",
        "from hamilton.function_modifiers import tag\n@tag(owner='me')\n"
        "def b(a: int) -> int:\n    return a + 1\n",
    )
    nb.cell("limit", "LIMIT = 6\n")  # a runs again; its import of tag is the same object
    session = REGISTRY.sessions["defs"]
    assert session.graph.node("a").hamilton.tags["limit"] == "6"
    assert session.last_diff.changed == {"a"}
    assert nb.check(["b"], {"x": 1}) == {"b": 2}


def test_a_cell_reading_an_unchanged_constant_does_not_run_again(
    nb: Notebook, shell: Shell
) -> None:
    shell.ok("LOADS = []")
    nb.cell("k", "K = 1\n")
    nb.cell("consts", "PATH = 'data/sales.csv'\nLIMIT = K * 10\n")
    nb.cell("load", "LOADS.append(PATH)\nSOURCE = {'path': PATH}\n")
    nb.cell("k", "K = 2\n")  # consts runs again: PATH is the same string, LIMIT is not
    assert shell.ip.user_ns["LOADS"] == ["data/sales.csv"]


def test_values_that_cannot_be_copied_apart_are_not_cached_and_stay_right(nb: Notebook) -> None:
    nb.cell(
        "gen",
        "import typing\ndef gen(n: int) -> typing.Iterator[int]:\n"
        "    return (i for i in range(n))\n",
    )
    nb.cell("total", "def total(gen: typing.Iterator[int]) -> int:\n    return sum(gen)\n")
    assert nb.run(["total"], {"n": 4}) == {"total": 6}
    nb.cell("total", "def total(gen: typing.Iterator[int]) -> int:\n    return sum(gen) * 1\n")
    assert nb.run(["total"], {"n": 4}) == {"total": 6}  # not a used-up generator from the cache


def test_shared_and_cyclic_values_are_copied_once_and_kept(nb: Notebook) -> None:
    nb.cell(
        "tree",
        "def tree(n: int) -> dict:\n    root = {'children': []}\n"
        "    root['children'].append({'parent': root})\n    return root\n\n"
        "def size(tree: dict) -> int:\n    return len(tree['children'])\n",
    )
    assert nb.run(["size"], {"n": 1}) == {"size": 1}
    tree = nb.run(["tree"], {"n": 1})["tree"]
    assert tree["children"][0]["parent"] is tree


def test_an_input_given_to_a_run_wins_over_a_config_value_of_its_name(shell: Shell) -> None:
    shell.ok("%%dataflow conf\ndef b(a: int) -> int:\n    return a * 10\n", "c")
    assert shell.ok("%dataflow run b --module conf --config a=1") == 10
    assert shell.ok("%dataflow run b --module conf --inputs a=5") == 50
    assert shell.ok("%dataflow run b --module conf") == 10


@pytest.mark.parametrize(
    "header",
    [
        "@_bind\ndef a() -> int:",
        "def a(y: int = _bind(1)) -> int:",
        "def a() -> _bind(int):",
        "def a(y: _bind(int) = 1) -> int:",
        "def a(y: int = _bind.count) -> int:",
    ],
)
def test_a_name_bound_while_a_def_runs_belongs_to_its_cell(nb: Notebook, header: str) -> None:
    """Only a def whose header is names and constants is known to bind nothing else; one
    with a decorator, or a call or attribute in a default or annotation, is watched."""
    nb.cell(
        "c1",
        "class _Bind:\n"
        "    def __call__(self, x):\n"
        "        globals()['bound'] = globals().get('bound', 0) + 1\n"
        "        return x\n"
        "    @property\n"
        "    def count(self):\n"
        "        globals()['bound'] = globals().get('bound', 0) + 1\n"
        "        return 1\n"
        "_bind = _Bind()\n",
    )
    nb.cell("c2", f"def b() -> int:\n    return 2\n\n{header}\n    return 1\n")
    session = REGISTRY.get(nb.module)
    assert session.owner("bound") == "c2"
    nb.cell("c2", f"def b() -> int:\n    return 3\n\n{header}\n    return 1\n")
    assert session.owner("bound") == "c2"
    nb.cell("c2", "def b() -> int:\n    return 3\n")  # the cell no longer binds it
    assert session.owner("bound") is None
    assert "bound" not in sys.modules[nb.module].__dict__


A_OF_K = "def a(x: list = K) -> int:\n    return len(x)\n"


@pytest.mark.parametrize(
    "first",
    [
        "K = [1, 2]\n",  # an equal value, but another object
        "globals()['K'] = [1, 2]\n",  # bound where the analysis cannot see it
        "def _set():\n    globals()['K'] = [1, 2]\n_set()\n",
    ],
)
def test_a_def_whose_default_the_cell_binds_again_is_defined_again(
    nb: Notebook, first: str
) -> None:
    """Running the whole cell again gives the def the default the cell binds now; a function
    kept from the last run would hold the old one, changed in place since."""
    nb.cell("c1", f"{first}\n{A_OF_K}\ndef b() -> int:\n    return 1\n")
    module = sys.modules[nb.module]
    module.K.append(3)  # the old default changes in place
    nb.cell("c1", f"{first}\n{A_OF_K}\ndef b() -> int:\n    return 2\n")
    assert module.a.__defaults__[0] is module.K
    assert module.a() == 2


def test_a_decorated_def_runs_again_with_its_cell(nb: Notebook) -> None:
    """A decorator may have effects (a registry); the cell run again has them again, in order."""
    nb.cell("c1", "SEEN = []\n\ndef _register(fn):\n    SEEN.append(fn.__name__)\n    return fn\n")
    body = (
        "@_register\ndef a() -> int:\n    return 1\n\n@_register\ndef b() -> int:\n    return {}\n"
    )
    nb.cell("c2", body.format(1))
    nb.cell("c2", body.format(2))
    assert sys.modules[nb.module].SEEN == ["a", "b", "a", "b"]
