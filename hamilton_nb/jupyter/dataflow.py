"""``DataflowSession``: the session users get from ``hamilton_nb.session(...)``, with the
features that live above the core (export, the widget, loading a module file)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from hamilton_nb.export.load import load_module
from hamilton_nb.export.replay import ExportResult, export_session
from hamilton_nb.sessions.session import Session

if TYPE_CHECKING:
    from hamilton_nb.jupyter.widget import DataflowWidget


P = ParamSpec("P")
R = TypeVar("R")
_LOCK = threading.RLock()


def _locked(method: Callable[P, R]) -> Callable[P, R]:
    """``method`` holding the sessions' lock while it runs."""

    @functools.wraps(method)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        with _LOCK:
            return method(*args, **kwargs)

    return locked


class DataflowSession(Session):
    """A ``Session`` (cells, graph, runs, cache) plus what users reach from it in a notebook:
    ``export``, ``widget`` and ``load``. Each is one call into its own layer.

    A module served by ``%dataflow serve`` is used from the server's thread too: cells, runs,
    drops and resets hold ``lock`` (one for every session, since a cell makes the modules
    that read it follow)."""

    lock = _LOCK
    apply_cell = _locked(Session.apply_cell)
    run = _locked(Session.run)
    drop = _locked(Session.drop)
    reset = _locked(Session.reset)

    def export(
        self,
        path: str | Path,
        *,
        force: bool = False,
        tests: bool = False,
        run: bool = False,
        source: str = "a notebook",
        api: bool = False,
    ) -> Path:
        """Write the module's cells as a plain Hamilton module (see ``hamilton_nb.export``);
        with ``tests``, also ``test_<module>.py`` checking the values computed so far (with
        ``run``, the nodes without a value run first, with the latest run's inputs); with
        ``api``, also ``<stem>_api.py``, a FastAPI app serving the module.

        Raises:
            ExportError: the module cannot be exported as it is (or nothing was computed
                yet, with ``tests``).
            OverwriteRefusedError: ``path`` exists and was not written by hamilton_nb (or
                was edited since); pass ``force=True`` to replace it.
        """
        return self.export_all(path, force=force, tests=tests, run=run, source=source, api=api).path

    def export_all(
        self,
        path: str | Path,
        *,
        force: bool = False,
        tests: bool = False,
        run: bool = False,
        source: str = "a notebook",
        api: bool = False,
    ) -> ExportResult:
        """``export``, telling also which nodes got no test (``ExportResult.untested``)."""
        return export_session(self, Path(path), source, force=force, tests=tests, run=run, api=api)

    def widget(self) -> DataflowWidget:
        """The interactive DAG widget of this module (it stays up to date)."""
        # imported here: anywidget and ipywidgets take a sixth of a second to import, which
        # a session that never shows its graph (a CLI export, a script) should not pay
        from hamilton_nb.jupyter.widget import DataflowWidget

        return DataflowWidget(self)

    def load(self, path: str | Path) -> list[str]:
        """Load a Hamilton module file for editing, one pseudo-cell per function group."""
        return load_module(self, Path(path))
