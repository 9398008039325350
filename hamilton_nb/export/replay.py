"""Exporting: a live session, or a saved notebook replayed into a scratch session, written as
a module (and its regression tests)."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.errors import DataflowError, ExportError
from hamilton_nb.export.api_render import api_path, render_api
from hamilton_nb.export.files import check_writable, write_all
from hamilton_nb.export.notebook import DataflowCell, LineMagic, SavedNotebook, read_notebook
from hamilton_nb.export.regression import test_files, untested
from hamilton_nb.export.render import render
from hamilton_nb.run.runbook import NOT_CACHED
from hamilton_nb.sessions.livemodule import module_name_problem
from hamilton_nb.sessions.session import Session
from hamilton_nb.sessions.view import SessionView

_scratch = itertools.count()


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    module: str
    path: Path
    tests_path: Path | None = None
    untested: Mapping[str, str] = field(default_factory=dict)  # node -> its state: no test
    api_path: Path | None = None
    runnable: bool = True  # some of the untested nodes would get a test once run (--run)
    schema_only: tuple[str, ...] = ()  # Spark DataFrames: their schema is tested, not their rows

    def report(self) -> str:
        """What to tell the user: where the module went, and the nodes left without a test."""
        lines = [f"{self.module}: exported to {self.path}"]
        if self.api_path is not None:
            lines.append(f"{self.module}: its REST API in {self.api_path} (FastAPI app `app`)")
        if self.schema_only:
            lines.append(
                f"{self.module}: only the schema of the Spark DataFrames"
                f" {', '.join(self.schema_only)} is tested, not their rows (a lazy plan:"
                " collecting it would run a job over all its data); what is computed from them"
                " is tested."
            )
        if self.tests_path is not None and self.untested:
            listed = ", ".join(f"{n} ({why})" for n, why in sorted(self.untested.items()))
            lines.append(
                f"{self.module}: no test for {len(self.untested)} node"
                f"{'s' if len(self.untested) > 1 else ''}: {listed}."
                + (" Export with --tests --run to run them first." if self.runnable else "")
            )
        return "\n".join(lines)


def export_session(
    session: SessionView,
    path: Path,
    source: str,
    *,
    force: bool = False,
    tests: bool = False,
    run: bool = False,
    name: str | None = None,
    workdir: Path | None = None,
    root: Path | None = None,
    api: bool = False,
) -> ExportResult:
    """Write the session's module to ``path`` (and, with ``tests``, its regression tests,
    from the values the session computed; relative inputs start from ``workdir``, by default
    the working directory; with ``run``, the nodes without a cached value run first; with
    ``api``, ``<stem>_api.py``, a FastAPI app serving it). With ``root``, every file written
    must lie inside it, symlinks followed."""
    texts = {path: render(session, source, name)}
    if api:
        texts[api_path(path)] = render_api(session, path.stem, source)
    data: dict[Path, bytes] = {}
    tests_path, missing, not_run = None, {}, {}
    schemas: list[str] = []
    if tests:
        if run:
            _run_untested(session)
        test_texts, data, unstorable, schemas = test_files(
            session, path, workdir or Path.cwd(), source
        )
        texts.update(test_texts)
        not_run = untested(session)
        tests_path, missing = next(iter(test_texts)), {**not_run, **unstorable}
    write_all(texts, data, force, root)  # all checked first: a refused export writes nothing
    return ExportResult(
        name or session.name,
        path,
        tests_path,
        missing,
        api_path(path) if api else None,
        runnable=bool(tests and not_run),
        schema_only=tuple(schemas),
    )


def _run_untested(session: SessionView) -> None:
    """Run, with the latest run's inputs, the nodes that have no cached value yet.

    Raises:
        ExportError: one of them failed (nothing was exported).
    """
    todo = [n for n, state in untested(session).items() if state != NOT_CACHED]
    if not todo:
        return
    try:
        session.run(todo, inputs=dict(session.runs.inputs))
    except DataflowError as e:
        raise ExportError(f"--run: {str(e).rstrip('.')}. Nothing was exported.") from e


def session_from_notebook(
    saved: SavedNotebook, module: str, cache: NodeCache | None = None
) -> Session:
    """A scratch session holding the notebook's cells of ``module`` (their code runs, as it
    does in the notebook, so what cannot be defined is found here). The cells of the notebook's
    other dataflow modules run too, in notebook order, each in a scratch session importable by
    its module's name while this runs: a cell may import another dataflow of the notebook (a
    cell of theirs that fails changes nothing, as in the kernel).

    Raises:
        ExportError: a cell is rejected (it names the cell and the line).
    """
    sessions: dict[str, Session] = {}
    aliases: dict[str, object] = {}
    replayed = False
    try:
        for step in saved.steps:
            session = sessions.get(step.module)
            if session is None:
                session = sessions[step.module] = Session(
                    f"_hamilton_nb_export_{next(_scratch)}",
                    _SavedImports(saved),
                    cache or NodeCache(None),
                )
                if step.module not in sys.modules:
                    sys.modules[step.module] = aliases[step.module] = session.module
            try:
                _replay(saved, step, session)
            except ExportError:
                if step.module == module:
                    raise
                # another module's failing cell leaves that module as it was, as in the kernel
        replayed = True
    finally:
        for name, alias in aliases.items():
            if sys.modules.get(name) is alias:
                del sys.modules[name]
        for name, s in sessions.items():
            if name != module or not replayed:
                s.close()
    if module not in sessions:
        raise ExportError(f"{saved.path.name} has no %%dataflow cells for '{module}'.")
    return sessions[module]


def _replay(saved: SavedNotebook, step: DataflowCell | LineMagic, session: Session) -> None:
    """Apply one step of the notebook to its module's scratch session.

    Raises:
        ExportError: the step is rejected (it names the cell and the line).
    """
    try:
        if isinstance(step, DataflowCell):
            session.apply_cell(step.body, step.id, line_offset=1)
        elif step.command == "reset":
            session.reset()
        elif step.node is not None:
            session.drop(step.node)
    except DataflowError as e:
        raise ExportError(
            f"{saved.path.name}, cell {step.index + 1}: {str(e).rstrip('.')}. Nothing was exported."
        ) from e


def export_notebook(
    notebook: Path,
    output: Path | None = None,
    module: str | None = None,
    *,
    force: bool = False,
    tests: bool = False,
    run: bool = False,
    root: Path | None = None,
    api: bool = False,
) -> ExportResult:
    """Export a saved notebook's dataflow cells of ``module`` to a Hamilton module. This
    runs the notebook's code: its dataflow cells are replayed, as a kernel would run them.

    Args:
        notebook: the ``.ipynb`` file.
        output: where to write (default: ``<module>.py`` beside the notebook).
        module: which dataflow (default: the notebook's only one).
        force: replace a file hamilton_nb did not write, or one edited since.
        tests: also write regression tests, from the values the notebook's kernel computed
            (found in the disk cache beside the notebook, where the kernel keeps it).
        run: with ``tests``, first run the nodes without a value, with the inputs of the
            kernel's latest run.
        root: when given, every file written (followed through symlinks) must lie in it.
        api: also write ``<stem>_api.py``, a FastAPI app serving the module.

    Raises:
        ExportError: the notebook has no such dataflow, a cell is broken, or a file cannot
            be written there.
        OutsideRootError: a file to write lies outside ``root``.
        OverwriteRefusedError: ``output`` exists and is not ours to replace.
    """
    saved = read_notebook(notebook)
    name = _pick_module(saved, module)
    path = output if output is not None else notebook.parent / f"{name}.py"
    check_writable(path, root)  # before running any of the notebook's code
    target = str(path.resolve())
    for problem in (module_name_problem(name, target), module_name_problem(path.stem, target)):
        if problem is not None:
            raise ExportError(f"{problem} Nothing was exported.")
    cache = NodeCache(notebook.parent / ".hamilton_nb" / "cache") if tests else NodeCache(None)
    session = session_from_notebook(saved, name, cache)
    try:
        if tests:  # the values the notebook's kernel computed, from its disk cache
            context = cache.recall(name)
            if context is None:
                why = "".join(f" ({notice})" for notice in cache.take_notices())
                raise ExportError(
                    f"--tests: no run of '{name}' is recorded in"
                    f" {notebook.parent / '.hamilton_nb' / 'cache'}{why}; run its nodes in the"
                    " notebook (%dataflow run ...) first."
                )
            session.runs.restore(context["inputs"], context["config"])
        return export_session(
            session,
            path,
            notebook.name,
            force=force,
            tests=tests,
            run=run,
            name=name,
            workdir=notebook.parent,
            root=root,
            api=api,
        )
    finally:
        session.close()


def _pick_module(saved: SavedNotebook, module: str | None) -> str:
    modules = saved.modules
    if module is not None:
        if module not in modules:
            raise ExportError(
                f"{saved.path.name} has no %%dataflow cells for '{module}'"
                f" (it has: {', '.join(modules) or 'none'})."
            )
        return module
    if len(modules) != 1:
        raise ExportError(
            f"{saved.path.name} has {'no' if not modules else 'several'} dataflow modules"
            f"{': ' + ', '.join(modules) if modules else ''}; say which with --module."
        )
    return modules[0]


class _SavedImports:
    """The notebook as export sees it: names bound by the imports of its ordinary cells."""

    def __init__(self, saved: SavedNotebook) -> None:
        self.saved = saved

    def lookup(self, name: str) -> tuple[bool, Any]:
        statement = self.saved.imports.get(name)
        if statement is None:
            return False, None
        namespace: dict[str, Any] = {}
        try:
            exec(statement, namespace)
        except Exception:
            return False, None
        return True, namespace[name]

    def import_statement(self, name: str) -> str | None:
        return self.saved.imports.get(name)
