"""Invariants under random cell histories: incremental equals from scratch equals Hamilton."""

from __future__ import annotations

import inspect
import itertools
import sys
import tempfile
from pathlib import Path

from hamilton import driver
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.errors import DataflowError
from hamilton_nb.jupyter.dataflow import DataflowSession
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


def _cached_session(directory: Path, params: dict[str, int]) -> DataflowSession:
    s = DataflowSession(f"cached_{next(_modules)}", cache=NodeCache(directory))
    for cell, source in CACHE_CELLS.items():
        s.apply_cell(source.format(**params), cell)
    return s
