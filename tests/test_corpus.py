"""Hamilton's own examples, split into cells as a data scientist writes them, run in a notebook:
every value equals a plain Hamilton driver's on the original module, an edit recomputes exactly
what it changed and what depends on it, a restarted kernel reads the right values from the disk
cache, and the graph is Hamilton's. The examples live in tests/corpus/."""

from __future__ import annotations

import copy
import itertools
import sys
import types
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hamilton import driver

import hamilton_nb
from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell
from tests.corpus import Case, Cell, Edit, cases
from tests.hamilton_parity import assert_matches_hamilton
from tests.values_equal import assert_values_equal

CASES = cases()
_plain_modules = itertools.count()


def _params(phase: str) -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.name,
            marks=[pytest.mark.xfail(strict=True, reason=case.xfail[phase])]
            if phase in case.xfail
            else [],
        )
        for case in CASES
    ]


def _edit_params(phase: str) -> list[Any]:
    """(case, edit index) pairs; the phase of edit i in ``XFAIL`` is "edit i" or "exact i"."""
    return [
        pytest.param(
            case,
            i,
            id=f"{case.name}-{edit.what}",
            marks=[pytest.mark.xfail(strict=True, reason=case.xfail[f"{phase} {i}"])]
            if f"{phase} {i}" in case.xfail
            else [],
        )
        for case in CASES
        for i, edit in enumerate(case.edits)
    ]


# -- the notebook side -------------------------------------------------------------------------


def _start(case: Case, shell: Shell, cells: list[Cell]) -> DataflowSession:
    """A notebook where the case's cells ran in order (the session configured first)."""
    for name, text in case.files.items():
        Path(name).write_text(text)
    hamilton_nb.session(case.module).configure(case.config)
    for i, cell in enumerate(cells):
        _run_cell(shell, cell, i)
    return hamilton_nb.session(case.module)


def _run_cell(shell: Shell, cell: Cell, index: int) -> None:
    shell.ok(f"%%dataflow {cell.module} --quiet\n{cell.source}", f"{cell.module}:{index}")


def _targets(case: Case, session: DataflowSession) -> list[str]:
    return case.targets if case.targets is not None else sorted(session.graph.nodes())


def _run_all(case: Case, shell: Shell, session: DataflowSession) -> dict[str, Any]:
    """``%dataflow run`` every node, the inputs passed as notebook variables."""
    for k, v in copy.deepcopy(case.inputs).items():
        shell.ip.user_ns[f"_corpus_{k}"] = v
    inputs = " ".join(f"{k}=_corpus_{k}" for k in case.inputs)
    targets = _targets(case, session)
    line = f"%dataflow run {' '.join(targets)} --module {case.module}"
    values = shell.ok(line + (f" --inputs {inputs}" if inputs else ""))
    return values if len(targets) > 1 else {targets[0]: values}


# -- the plain Hamilton side -------------------------------------------------------------------


@contextmanager
def _imported(texts: dict[str, str]) -> Iterator[types.ModuleType]:
    """The modules' texts imported as fresh modules (dependencies first, each under its own
    name while the next ones import): yields the last one. ``sys.modules`` is restored after."""
    saved = {name: sys.modules.get(name) for name in texts}
    module = None
    try:
        for name, text in texts.items():
            module = types.ModuleType(name)
            module.__file__ = f"<plain {name} {next(_plain_modules)}>"
            sys.modules[name] = module
            exec(compile(text, module.__file__, "exec"), module.__dict__)
        assert module is not None
        yield module
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


def _plain_driver(case: Case, module: types.ModuleType) -> driver.Driver:
    builder = driver.Builder().with_modules(module).with_config(case.config)
    if case.dynamic:
        builder = builder.enable_dynamic_execution(allow_experimental_mode=True)
    return builder.build()


def _plain_run(case: Case, texts: dict[str, str], targets: list[str]) -> dict[str, Any]:
    with _imported(texts) as module:
        result: dict[str, Any] = _plain_driver(case, module).execute(
            targets, inputs=copy.deepcopy(case.inputs)
        )
        return result


def _texts(case: Case, cells: list[Cell]) -> dict[str, str]:
    """Each module's text made of its cells' current texts, in the originals' order."""
    return {m: "\n\n".join(c.source for c in cells if c.module == m) for m in case.originals}


def _assert_same_values(case: Case, ours: dict[str, Any], texts: dict[str, str]) -> None:
    """Our values equal a plain driver's run of the same nodes. A node that a later node
    changes in place (``some_data.loc[-1] = ...``, ``clf.fit(X, y)``) has, in that run, the
    changed object; ours is what the node returned (the cache keeps its own copy), which is
    Hamilton's value when the node is asked for alone."""
    theirs = _plain_run(case, texts, list(ours))
    assert ours.keys() == theirs.keys()
    for name in sorted(theirs.keys() - case.unseeded.keys()):
        try:
            assert_values_equal(ours[name], theirs[name], name)
        except AssertionError:
            alone = _plain_run(case, texts, [name])[name]
            assert_values_equal(ours[name], alone, name)


def _affected(case: Case, texts: dict[str, str], edit: Edit, targets: list[str]) -> set[str]:
    """The edited nodes and their descendants, among the nodes a run of ``targets`` needs,
    from Hamilton's graph of the edited module."""
    with _imported(texts) as module:
        nodes = _plain_driver(case, module).graph.nodes
    needed = _closure(targets, lambda n: (d.name for d in nodes[n].dependencies))
    down = _closure(edit.nodes, lambda n: (d.name for d in nodes[n].depended_on_by))
    return {n for n in needed & down if not nodes[n].user_defined}


def _closure(start: Iterable[str], step: Any) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(step(n))
    return seen


# -- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _params("values"))
def test_cells_compute_what_hamilton_computes_from_the_original(case: Case, shell: Shell) -> None:
    session = _start(case, shell, case.cells)
    _assert_same_values(case, _run_all(case, shell, session), case.originals)


@pytest.mark.parametrize("case", _params("graph"))
def test_cells_give_hamiltons_graph(case: Case, shell: Shell) -> None:
    session = _start(case, shell, case.cells)
    assert_matches_hamilton(session)
    with _imported(case.originals) as original:
        theirs = set(_plain_driver(case, original).graph.nodes)
    assert set(session.graph.nodes()) | set(session.graph.inputs()) | set(case.config) == theirs


def _edit(case: Case, index: int, shell: Shell) -> tuple[set[str], set[str]]:
    """Run every node, make edit ``index``, run every node again: (what the second run
    computed, what Hamilton's graph says changed), once the values are checked."""
    edit = case.edits[index]
    session = _start(case, shell, case.cells)
    _run_all(case, shell, session)
    cells = case.edited([edit])
    _run_cell(shell, cells[edit.cell], edit.cell)
    ours = _run_all(case, shell, session)
    texts, targets = _texts(case, cells), _targets(case, session)
    _assert_same_values(case, ours, texts)
    assert session.last_run is not None
    return set(session.last_run.computed), _affected(case, texts, edit, targets)


@pytest.mark.parametrize(("case", "index"), _edit_params("edit"))
def test_an_edit_gives_hamiltons_values_and_recomputes_what_it_changed(
    case: Case, index: int, shell: Shell
) -> None:
    computed, affected = _edit(case, index, shell)
    assert affected <= computed, f"not recomputed: {sorted(affected - computed)}"


@pytest.mark.parametrize(("case", "index"), _edit_params("exact"))
def test_an_edit_recomputes_nothing_but_what_it_changed(
    case: Case, index: int, shell: Shell
) -> None:
    computed, affected = _edit(case, index, shell)
    assert computed == affected, f"recomputed though unchanged: {sorted(computed - affected)}"


@pytest.mark.parametrize("case", _params("restart"))
def test_a_restarted_kernel_reads_hamiltons_values_from_the_disk_cache(
    case: Case, shell: Shell, tmp_path: Path
) -> None:
    session = _start(case, shell, case.cells)
    _run_all(case, shell, session)
    memory_only = set(session.last_run.not_stored) if session.last_run else set()
    cells = case.edited(case.edits)
    for edit in case.edits:
        _run_cell(shell, cells[edit.cell], edit.cell)
        _run_all(case, shell, session)
        memory_only |= set(session.last_run.not_stored) if session.last_run else set()
    # a new kernel: no session, no module, an empty namespace, the same cache directory
    for s in list(REGISTRY.sessions.values()):
        s.close()
    REGISTRY.sessions.clear()
    REGISTRY.set_cache(NodeCache(tmp_path / ".hamilton_nb" / "cache"))
    shell.ip.reset(new_session=False)
    session = _start(case, shell, cells)
    ours = _run_all(case, shell, session)
    assert session.last_run is not None
    assert set(session.last_run.computed) <= memory_only
    _assert_same_values(case, ours, _texts(case, cells))
