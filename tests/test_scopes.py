"""Scopes: what a cell's code reads from the module, construct by construct, and export of the
code Hamilton accepts (everyday idioms, and Hamilton's own test modules)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
from hamilton import driver

import hamilton_nb
from hamilton_nb.analysis.cells import CellAnalysis, ChunkCache, analyse, first_line
from tests.conftest import Shell

EXPORT_CORPUS = Path(__file__).parent / "exportcorpus"


def _cell(source: str) -> CellAnalysis:
    return analyse(source, "c")


def _reads(source: str, name: str) -> tuple[set[str], set[str]]:
    """(reads, eager) of the definition of ``name``."""
    d = _cell(source).definition(name)
    assert d is not None
    return set(d.reads), set(d.eager)


# ---- the analysis, construct by construct ----------------------------------------------------


def test_a_lambda_parameter_is_not_a_module_read() -> None:
    src = "def f(df):\n    return df.apply(lambda row: row['a'] * K, axis=1)\n"
    assert _reads(src, "f") == ({"K"}, set())
    assert _cell(src).free_names == {"K"}


def test_comprehension_variables_are_not_module_reads_at_any_depth() -> None:
    src = (
        "def f(xs):\n"
        "    a = [x for x in xs if x > LOW]\n"
        "    b = {k: v for k, v in zip(a, a)}\n"
        "    c = {y for row in [[1]] for y in row}\n"
        "    d = sum(z * SCALE for z in xs)\n"
        "    e = [[i * j for j in range(i)] for i in xs]\n"
        "    return a, b, c, d, e\n"
    )
    reads, _ = _reads(src, "f")
    assert reads == {"LOW", "zip", "sum", "SCALE", "range"}
    assert _cell(src).free_names == {"LOW", "SCALE"}


def test_a_module_level_comprehension_reads_its_iterable_not_its_variable() -> None:
    src = "squares = [i * i for i in range(N) if i != SKIP]\n"
    assert _reads(src, "squares") == ({"range", "N", "SKIP"}, {"range", "N", "SKIP"})


def test_nested_functions_parameters_and_enclosing_locals_are_not_module_reads() -> None:
    src = (
        "def f(v, factor=2):\n"
        "    base = 1\n"
        "    def times(w):\n"
        "        return w * factor + base + OFFSET\n"
        "    def twice(w):\n"
        "        return times(times(w))\n"
        "    return twice(v)\n"
    )
    assert _reads(src, "f") == ({"OFFSET"}, set())


def test_a_local_import_is_not_a_module_read() -> None:
    src = "def f(x):\n    import math\n    from os import path as p\n    return math.sqrt(x), p\n"
    assert _reads(src, "f") == (set(), set())


def test_self_and_method_locals_are_not_reads_but_a_method_does_not_see_its_class_body() -> None:
    src = (
        "class Stats:\n"
        "    unit = 'kg'\n"
        "    label = unit + SUFFIX\n"
        "    def mean(self):\n"
        "        total = sum(self.values)\n"
        "        return total / len(self.values), unit\n"
    )
    reads, eager = _reads(src, "Stats")
    # ``unit`` in ``mean`` is the module's ``unit``: a class body is no enclosing scope
    assert reads == eager == {"SUFFIX", "sum", "len", "unit"}


def test_a_class_body_name_read_before_it_is_bound_is_the_modules() -> None:
    assert _reads("class A:\n    x = x + 1\n", "A")[0] == {"x"}
    assert _reads("class A:\n    x = 1\n    y = x + 1\n", "A")[0] == set()
    setter = (
        "class A:\n    @property\n    def v(self):\n        return 1\n"
        "    @v.setter\n    def v(self, value):\n        pass\n"
    )
    assert _reads(setter, "A")[0] == {"property"}


def test_a_comprehension_in_a_class_body_does_not_see_the_class_names() -> None:
    src = "class A:\n    a = [1]\n    b = [x for x in a]\n    c = [a for _ in range(2)]\n"
    assert _reads(src, "A")[0] == {"a", "range"}  # ``c`` reads the module's ``a``


def test_a_class_in_a_function_sees_the_functions_locals() -> None:
    src = "def f():\n    q = 1\n    class D:\n        r = q + S\n    return D\n"
    assert _reads(src, "f") == ({"S"}, set())


def test_global_assigned_in_a_function_is_a_module_binding_nonlocal_is_not() -> None:
    src = (
        "def remember(v):\n    global LAST\n    LAST = v\n    return v\n\n\n"
        "def counter():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n"
        "        return n\n    return inc\n\n\n"
        "def last():\n    return LAST\n"
    )
    cell = _cell(src)
    assert "LAST" in cell.binds and "n" not in cell.binds
    assert cell.free_names == set()
    assert _reads(src, "counter") == (set(), set())
    assert _reads(src, "last") == ({"LAST"}, set())
    # a name declared global and only read is a read of the module
    assert _cell("def f():\n    global G\n    return G\n").free_names == {"G"}


def test_decorators_defaults_and_annotations_are_read_when_the_def_runs() -> None:
    src = (
        "@check(lambda v: v > LIMIT)\n"
        "def f(x: In = DEFAULT, *, y: int = [d for d in DAYS][0]) -> Out:\n"
        "    return x + BODY\n"
    )
    reads, eager = _reads(src, "f")
    assert eager == {"check", "LIMIT", "In", "DEFAULT", "int", "DAYS", "Out"}
    assert reads == eager | {"BODY"}


def test_match_captures_are_locals_and_class_patterns_are_reads() -> None:
    src = (
        "def f(value):\n"
        "    match value:\n"
        "        case Point(x=px, y=0):\n"
        "            return px\n"
        "        case [first, *rest]:\n"
        "            return first, rest\n"
        "        case {'k': kv, **others}:\n"
        "            return kv, others\n"
        "        case str() as text:\n"
        "            return text\n"
    )
    assert _reads(src, "f") == ({"Point", "str"}, set())
    top = "match VALUE:\n    case [a, b]:\n        total = a + b\n"
    cell = _cell(top)
    assert cell.free_names == {"VALUE"} and {"a", "b", "total"} <= cell.binds


def test_a_walrus_in_a_comprehension_binds_in_the_enclosing_function_or_the_module() -> None:
    src = "def f(xs):\n    kept = [y for x in xs if (y := x * RATE) > 0]\n    return kept, y\n"
    assert _reads(src, "f") == ({"RATE"}, set())
    cell = _cell("firsts = [last := x for x in XS]\n\n\ndef g():\n    return last\n")
    assert "last" in cell.binds and cell.free_names == {"XS"}


def test_del_and_except_as_names_are_locals() -> None:
    src = (
        "def f(x):\n    tmp = x\n    del tmp\n    try:\n        return int(x)\n"
        "    except ValueError as e:\n        return str(e)\n"
    )
    assert _reads(src, "f") == ({"int", "ValueError", "str"}, set())
    top = "try:\n    import yaml\nexcept ImportError as missing:\n    reason = str(missing)\n"
    assert _cell(top).free_names == set()


def test_builtins_stay_in_reads_but_not_in_free_names() -> None:
    src = "def f(x):\n    return len(x) + MISSING\n"
    assert "len" in _reads(src, "f")[0]
    assert _cell(src).free_names == {"MISSING"}


def test_an_undefined_global_is_still_found_in_every_kind_of_scope() -> None:
    srcs = {
        "def f(df):\n    return df.apply(lambda row: row + UNDEFINED)\n",
        "def f(xs):\n    return [[UNDEFINED for _ in x] for x in xs]\n",
        "def f():\n    def g():\n        return UNDEFINED\n    return g\n",
        "class A:\n    def m(self):\n        return UNDEFINED\n",
        "def f(x):\n    match x:\n        case UNDEFINED.attr:\n            return 1\n",
    }
    for src in srcs:
        assert _cell(src).free_names == {"UNDEFINED"}, src


def test_the_chunk_cache_gives_the_same_analysis_for_the_same_text() -> None:
    cache: ChunkCache = {}
    src = "def f(df):\n    return df.apply(lambda row: row * K)\n\n\nX = [i for i in Y]\n"
    first = analyse(src, "c", cache=cache)
    assert len(cache) == 2
    again = analyse("Z = 1\n\n\n" + src, "c", cache=cache)
    assert len(cache) == 3
    assert again.free_names == first.free_names == {"K", "Y"}
    f, f_again = first.definition("f"), again.definition("f")
    assert f is not None and f_again is not None
    assert replace(f_again, line=f.line, end_line=f.end_line) == f


# ---- export of everyday idioms, through a real shell -----------------------------------------

IDIOMS = [
    "import pandas as pd\n\n\n"
    "def frame(n: int) -> pd.DataFrame:\n"
    "    return pd.DataFrame({'a': range(n), 'b': [i * 0.5 for i in range(n)]})\n\n\n"
    "def doubled(frame: pd.DataFrame) -> pd.Series:\n"
    "    return frame.apply(lambda row: row['a'] * 2, axis=1)\n",
    #
    "def areas(frame: pd.DataFrame) -> list[float]:\n"
    "    import math\n\n"
    "    return [math.pi * r**2 for r in frame['b']]\n",
    #
    "OFFSET = 1.0\n\n\n"
    "def scaled(doubled: pd.Series, factor: float = 3.0) -> pd.Series:\n"
    "    def times(v: float) -> float:\n"
    "        return v * factor\n\n"
    "    def shifted(v: float) -> float:\n"
    "        return times(v) + OFFSET\n\n"
    "    return doubled.map(shifted)\n",
    #
    "class Stats:\n"
    "    def __init__(self, values: pd.Series) -> None:\n"
    "        self.values = list(values)\n\n"
    "    def mean(self) -> float:\n"
    "        return sum(self.values) / len(self.values)\n\n"
    "    def spread(self) -> float:\n"
    "        m = self.mean()\n"
    "        return max(abs(v - m) for v in self.values)\n\n\n"
    "def stats(scaled: pd.Series) -> dict:\n"
    "    s = Stats(scaled)\n"
    "    return {'mean': s.mean(), 'spread': s.spread()}\n",
    #
    "def pairs(frame: pd.DataFrame) -> list:\n"
    "    nested = [[(i, j) for j in range(i)] for i in frame['a']]\n"
    "    by_sum = {k: sorted({p for row in nested for p in row if sum(p) == k}) for k in (2, 3)}\n"
    "    return [p for row in nested for p in row if (t := sum(p)) % 2 == 0 and t > 0] + [\n"
    "        by_sum\n"
    "    ]\n",
    #
    "def _remember(value: float) -> float:\n"
    "    global LAST\n"
    "    LAST = value\n"
    "    return value\n\n\n"
    "def last_mean(stats: dict) -> float:\n"
    "    _remember(stats['mean'])\n"
    "    return LAST\n",
    #
    "def labels(frame: pd.DataFrame) -> list[str]:\n"
    "    out = []\n"
    "    for value in frame['b']:\n"
    "        try:\n"
    "            out.append(str(int(value)) if value == int(value) else 'part')\n"
    "        except ValueError as e:\n"
    "            out.append(str(e))\n"
    "        match value:\n"
    "            case 0.0:\n"
    "                out.append('zero')\n"
    "            case float(x) if x > 1:\n"
    "                out.append(f'big {x}')\n"
    "    return out\n",
]
IDIOM_NODES = ["frame", "doubled", "areas", "scaled", "stats", "pairs", "last_mean", "labels"]


def _import(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _ruff(path: Path) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", str(path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, pd.Series | pd.DataFrame):
        return bool(a.equals(b))
    return bool(a == b)


def test_everyday_idioms_export_pass_ruff_and_compute_what_the_notebook_did(
    shell: Shell, tmp_path: Path
) -> None:
    for i, cell in enumerate(IDIOMS):
        shell.ok(f"%%dataflow idioms\n{cell}", f"c{i}")
    ours = hamilton_nb.session("idioms").run(IDIOM_NODES, inputs={"n": 6})
    shell.ok("%dataflow export idioms_out.py --module idioms")
    path = tmp_path / "idioms_out.py"
    _ruff(path)
    exported = driver.Builder().with_modules(_import(path, "idioms_out")).build()
    theirs = exported.execute(IDIOM_NODES, inputs={"n": 6})
    for node in IDIOM_NODES:
        assert _equal(theirs[node], ours[node]), node
    assert theirs["doubled"].tolist() == [0, 2, 4, 6, 8, 10]


def test_export_still_refuses_a_module_that_uses_an_undefined_global(shell: Shell) -> None:
    shell.ok(
        "%%dataflow broken\ndef f(xs: list) -> list:\n"
        "    return [[UNDEFINED for _ in x] for x in xs]\n",
        "c1",
    )
    error = shell.fails("%dataflow export broken_out.py --module broken")
    assert "would use UNDEFINED without defining or importing it" in str(error)
    assert not Path("broken_out.py").exists()


# ---- Hamilton's own test modules -------------------------------------------------------------
# tests/exportcorpus holds every tests/resources/*.py of Hamilton that
# ``driver.Builder().with_modules(m).build()`` accepts, but for these, left out:
# - bad_functions, cyclic_functions, dummy_functions, typing_vs_not_typing: each imports
#   ``tests.resources.only_import_me`` through Hamilton's own test package, not installed here;
# - only_import_me, incompatible_input_types, mismatched_types: Hamilton refuses them (on
#   purpose: a missing return type, clashing input types);
# - dynamic_config: Hamilton refuses it without its power-user-mode config.
CORPUS = sorted(p.stem for p in EXPORT_CORPUS.glob("*.py") if p.stem != "conftest")


def _split(text: str) -> list[str]:
    """The module as cells: its leading imports in the first, then one top-level statement
    per cell."""
    tree = ast.parse(text)
    lines = text.splitlines()
    body = tree.body
    lead = 0
    while lead < len(body) and isinstance(body[lead], ast.Import | ast.ImportFrom | ast.Expr):
        lead += 1
    cells = []
    if lead:
        cells.append("\n".join(lines[: body[lead - 1].end_lineno]))
    for stmt in body[lead:]:
        cells.append("\n".join(lines[first_line(stmt) - 1 : stmt.end_lineno]))
    return cells


def _nodes(module: ModuleType) -> dict[str, str]:
    dr = driver.Builder().with_modules(module).build()
    return {
        v.name: repr(v.type).replace(module.__name__, "<module>")
        for v in dr.list_available_variables()
    }


@pytest.mark.parametrize("name", CORPUS)
def test_hamiltons_test_modules_export_to_the_same_graph(
    shell: Shell, tmp_path: Path, name: str
) -> None:
    source = EXPORT_CORPUS / f"{name}.py"
    assert source.read_text().startswith(f"# from apache/hamilton tests/resources/{name}.py")
    live = f"hres_{name}"
    for i, cell in enumerate(_split(source.read_text())):
        shell.ok(f"%%dataflow {live}\n{cell}", f"c{i}")
    shell.ok(f"%dataflow export {live}_out.py --module {live}")
    exported = _import(tmp_path / f"{live}_out.py", f"{live}_out")
    original = _import(source, f"{live}_original")
    assert _nodes(exported) == _nodes(original)
