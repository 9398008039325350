"""The process-wide table of sessions, one per live module name.

This is the one piece of global state: ``import hamilton_nb; hamilton_nb.session("sales")``
must find the session a ``%%dataflow sales`` cell created, as ``import sales`` finds its module.
"""

from __future__ import annotations

from hamilton_nb.sessions import DataflowSession, Notebook


class Registry:
    """Sessions by module name, and the notebook they borrow names from."""

    def __init__(self) -> None:
        self.sessions: dict[str, DataflowSession] = {}
        self.notebook: Notebook | None = None

    def get(self, name: str) -> DataflowSession:
        """The session of module ``name``, created (with its module) on first use."""
        if name not in self.sessions:
            self.sessions[name] = DataflowSession(name, self.notebook)
        return self.sessions[name]

    def attach(self, notebook: Notebook | None) -> None:
        """Let every session, present and future, resolve names against ``notebook``."""
        self.notebook = notebook
        for s in self.sessions.values():
            s.notebook = notebook


REGISTRY = Registry()
