"""Invariants under random cell histories: incremental equals from scratch equals Hamilton."""

from __future__ import annotations

import inspect
import itertools
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from hamilton import driver
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from hamilton_nb.cache.keys import Lineage, lineage_of
from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.errors import DataflowError
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.graph.walks import post_order
from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.jupyter.picture import describe
from tests.hamilton_parity import assert_matches_hamilton, assert_wiring_matches_hamilton

NAMES = ["a", "b", "c", "d", "e", "f"]
CELLS = ["c0", "c1", "c2", "c3"]
_modules = itertools.count()


@st.composite
def function_source(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(NAMES))
    params = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
    types = st.sampled_from(["int", "int", "int", "float"])
    args = ", ".join(f"{p}: {draw(types)}" for p in params)
    body = draw(
        st.sampled_from(["return 1", "return 2", "return K", "return _h()", "x = 1\n    return x"])
    )
    return f"def {name}({args}) -> {draw(types)}:\n    {body}\n"


@st.composite
def cell_source(draw: st.DrawFn) -> str:
    parts = draw(st.lists(function_source(), min_size=1, max_size=3))
    if draw(st.booleans()):
        parts.append(f"K = {draw(st.integers(0, 2))}\n")
    if draw(st.integers(0, 4)) == 0:
        parts.append(f"def _h():\n    return {draw(st.integers(0, 2))}\n")
    failure = draw(st.sampled_from([None] * 12 + ["raise ValueError('no')\n", "def (:\n"]))
    if failure:
        parts.insert(draw(st.integers(0, len(parts))), failure)
    return "".join(parts)


EDITS = {
    0: lambda src: "# a comment that moves everything down\n" + src,
    1: lambda src: src.replace("return 1", "return 2", 1),
    2: lambda src: "def g(a: int) -> int:\n    return a\n" + src,
    3: lambda src: src.replace("x = 1\n", "x = 1\n    x = x + 1\n", 1),
}

steps = st.lists(
    st.tuples(
        st.sampled_from(CELLS),
        st.one_of(cell_source(), st.just(""), st.sampled_from(sorted(EDITS))),
    ),
    min_size=4,
    max_size=15,
)


def _observable(s: DataflowSession) -> tuple[object, ...]:
    ns = s.module.__dict__
    return (
        s.graph.structure(),
        {n: spec.fingerprint for n, spec in s.graph.nodes().items()},
        _lineages(s),
        {k: id(v) for k, v in ns.items()},
        {k: r.source for k, r in s.cells.items()},
    )


def _lineages(s: DataflowSession) -> dict[str, object]:
    """Each node's lineage: the code keys and inputs the cache keys are made of."""
    return {n: s.graph.lineage(n) for n in s.graph.nodes()}


def _assert_functions_report_their_current_source(s: DataflowSession) -> None:
    """Functions kept from an earlier run of their cell point at the cell's current lines."""
    for record in s.cells.values():
        for d in record.analysis.definitions:
            fn = s.module.__dict__.get(d.name)
            if d.kind in ("function", "helper") and record.analysis.definition(d.name) is d:
                assert fn.__code__.co_firstlineno == d.line, d.name
                assert inspect.getsource(fn).rstrip() == d.source.rstrip(), d.name


def _from_scratch(cells: dict[str, str]) -> DataflowSession:
    scratch = DataflowSession(f"scratch_{next(_modules)}")
    for cid, source in cells.items():
        scratch.apply_cell(source, cid)
    return scratch


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps)
def test_incremental_graph_equals_scratch_and_hamilton_after_any_history(
    history: list[tuple[str, str | int]],
) -> None:
    live = DataflowSession(f"live_{next(_modules)}")
    accepted: dict[str, str] = {}
    try:
        for cid, step in history:
            if isinstance(step, int):  # edit what the cell holds now, keeping the rest of it
                if cid not in accepted:
                    continue
                source = EDITS[step](accepted[cid])
            else:
                source = step
            before = _observable(live)
            functions = {id(v) for v in live.module.__dict__.values() if inspect.isfunction(v)}
            try:
                live.apply_cell(source, cid)
            except DataflowError as e:
                event(f"rejected: {type(e).__name__}")
                assert _observable(live) == before, "a rejected cell changed something"
                continue
            event(f"accepted, graph of {min(len(live.graph), 3)}+ nodes")
            kept = functions & {id(v) for v in live.module.__dict__.values()}
            if kept and isinstance(step, int):
                event("an edit kept unchanged functions")
            accepted[cid] = source
            accepted = {c: accepted[c] for c in live.cells}  # empty cells are forgotten
            scratch = _from_scratch(accepted)
            try:
                assert scratch.graph.structure() == live.graph.structure()
                assert {n: s.fingerprint for n, s in scratch.graph.nodes().items()} == {
                    n: s.fingerprint for n, s in live.graph.nodes().items()
                }
                assert _lineages(scratch) == _lineages(live)
            finally:
                scratch.close()
            assert_matches_hamilton(live)
            assert_wiring_matches_hamilton(live)
            _assert_functions_report_their_current_source(live)
    finally:
        live.close()
        assert live.name not in sys.modules


# -- lineages are worked out when asked, and equal an eager rebuild -------------------------


def _eager_lineages(graph: DataflowGraph) -> dict[str, Lineage]:
    """Every node's lineage worked out from nothing, producers first, as if no lineage had
    ever been kept."""
    nodes = graph.nodes()
    lineages: dict[str, Lineage] = {}
    order = post_order(sorted(nodes), lambda n: [d for d in graph.dependencies(n) if d in nodes])
    for name in order:
        lineages[name] = lineage_of(nodes[name], lineages)  # type: ignore[index]
    return lineages


lazy_steps = st.lists(
    st.tuples(
        st.sampled_from(CELLS),
        st.one_of(cell_source(), st.just(""), st.sampled_from(sorted(EDITS))),
        # lineages asked for after the step: a few, or all (what a run or the widget asks)
        st.one_of(st.lists(st.sampled_from(NAMES), max_size=3), st.just(NAMES)),
    ),
    min_size=2,
    max_size=12,
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(lazy_steps)
@example(  # an edit upstream of lineages held two levels down
    [
        ("c0", "def a() -> int:\n    return 1\n", []),
        ("c1", "def b(a: int) -> int:\n    return a\n", []),
        ("c2", "def c(b: int) -> int:\n    return b\n", ["c"]),
        ("c0", 1, ["c"]),
    ]
)
@example(  # a node comes where an input was, then goes again
    [
        (
            "c1",
            "def b(a: int) -> int:\n    return a\n\ndef c(b: int) -> int:\n    return b\n",
            NAMES,
        ),
        ("c0", "def a() -> int:\n    return 1\n", ["c"]),
        ("c0", "", ["c"]),
    ]
)
@example(  # a node's parameters change under lineages held downstream
    [
        ("c0", "def a() -> int:\n    return 1\n\ndef e() -> int:\n    return 1\n", []),
        ("c1", "def b(a: int) -> int:\n    return a\n", []),
        ("c2", "def c(b: int) -> int:\n    return b\n", NAMES),
        ("c1", "def b(e: int) -> int:\n    return e\n", ["c"]),
    ]
)
def test_lineages_asked_for_at_any_time_equal_an_eager_rebuild(
    history: list[tuple[str, str | int, list[str]]],
) -> None:
    """Whatever was asked before (some lineages kept, some forgotten by later edits), a lineage
    asked for equals the one worked out from nothing."""
    live = DataflowSession(f"lazy_{next(_modules)}")
    accepted: dict[str, str] = {}
    try:
        for cid, step, asked in history:
            source = EDITS[step](accepted.get(cid, "")) if isinstance(step, int) else step
            try:
                live.apply_cell(source, cid)
                accepted[cid] = source
            except DataflowError:
                pass
            eager = _eager_lineages(live.graph)
            for name in asked:
                assert live.graph.lineage(name) == eager.get(name), name
        assert _lineages(live) == _eager_lineages(live.graph)
    finally:
        live.close()


# -- the cache is never wrong ------------------------------------------------------------------

CACHE_CELLS = {
    "consts": "K = {k}\n\ndef _h():\n    return {h}\n",
    "first": "def a(x: int) -> int:\n    return x + {a}\n\n"
    "def b(a: int) -> int:\n    return a * {b} + _h()\n",
    "second": "def c(a: int, b: int) -> int:\n    return a - b + K\n\n"
    "def d(c: int, x: int) -> int:\n    return c * {d} - x\n",
}
PARAMS = {"k": "consts", "h": "consts", "a": "first", "b": "first", "d": "second"}
cache_steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(sorted(PARAMS)), st.integers(0, 3)),
        st.tuples(st.just("x"), st.integers(0, 3)),
        st.tuples(st.just("restart"), st.just(0)),
        st.tuples(st.sampled_from(["override a", "override b"]), st.integers(-1, 3)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cache_steps, st.sampled_from([["d"], ["b", "d"], ["a", "c"]]))
def test_cached_runs_always_equal_an_uncached_run_from_scratch(
    history: list[tuple[str, int]], targets: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        params = dict.fromkeys(PARAMS, 1)
        x = 1
        overrides: dict[str, int] = {}  # -1 takes a node's override away
        live = _cached_session(Path(directory), params)
        try:
            for what, value in history:
                if what == "restart":  # a new kernel: empty memory, same disk cache
                    live.cache.flush()
                    live.close()
                    live = _cached_session(Path(directory), params)
                elif what == "x":
                    x = value
                elif what.startswith("override"):
                    node = what.split()[1]
                    if value < 0:
                        overrides.pop(node, None)
                    else:
                        overrides[node] = value
                else:
                    params[what] = value
                    cell = PARAMS[what]
                    live.apply_cell(CACHE_CELLS[cell].format(**params), cell)
                got = live.run(targets, inputs={"x": x}, overrides=overrides)
                expected = (
                    driver.Builder()
                    .with_modules(live.module)
                    .build()
                    .execute(targets, inputs={"x": x}, overrides=overrides)
                )
                assert got == expected
        finally:
            live.close()


def _cached_session(directory: Path | None, params: dict[str, int]) -> DataflowSession:
    s = DataflowSession(f"cached_{next(_modules)}", cache=NodeCache(directory))
    for cell, source in CACHE_CELLS.items():
        s.apply_cell(source.format(**params), cell)
    return s


# -- a lazy session shows what an eager one shows --------------------------------------------

twin_steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(sorted(PARAMS)), st.integers(0, 3)),
        st.tuples(st.sampled_from(["run d", "run b", "run a c", "x", "drop c"]), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(twin_steps)
def test_a_session_working_lineages_out_late_shows_what_an_eager_one_shows(
    history: list[tuple[str, int]],
) -> None:
    """Two sessions given the same edits and runs; one has every lineage worked out after each
    change (as lineages were kept before they were worked out when asked): the stale sets of
    edits, run results, states, status, the widget's picture and cache keys are the same."""
    params = dict.fromkeys(PARAMS, 1)
    lazy = _cached_session(None, params)
    eager = _cached_session(None, params)
    try:
        for what, value in history:
            if what in PARAMS:
                params[what] = value
            assert _twin_step(lazy, what, params) == _twin_step(eager, what, params)
            for name in eager.graph.nodes():
                eager.graph.lineage(name)
            assert lazy.states() == eager.states()
            assert _untimed(lazy.status()) == _untimed(eager.status())
            assert _picture(lazy) == _picture(eager)
            lazy_keys = lazy.runs.keys(lazy.graph)
            eager_keys = eager.runs.keys(eager.graph)
            for name in [*eager.graph.nodes(), *eager.graph.inputs()]:
                assert lazy_keys(name) == eager_keys(name), name
            assert _lineages(lazy) == _eager_lineages(lazy.graph)
    finally:
        lazy.close()
        eager.close()


def _twin_step(s: DataflowSession, what: str, params: dict[str, int]) -> object:
    """One step of the twin test: an edit, a drop or a run; what it did."""
    if what in PARAMS:
        cell = PARAMS[what]
        return s.apply_cell(CACHE_CELLS[cell].format(**params), cell).diff
    if what == "drop c":
        return s.drop("c") if "c" in s.graph else None
    x = 3 if what == "x" else 2
    targets = [t for t in (["d"] if what == "x" else what.split()[1:]) if t in s.graph]
    try:
        return s.run(targets or ["b"], inputs={"x": x})
    except DataflowError as e:  # d without c: c is an input nobody gave
        return e.message


def _untimed(rows: list[Any]) -> list[Any]:
    return [replace(r, duration=None) for r in rows]


def _picture(s: DataflowSession) -> object:
    """The widget's picture, less the module's name and the durations of nodes."""
    picture = describe(s)
    return [{**n, "duration": None} for n in picture["nodes"]], picture["edges"], picture["cells"]
