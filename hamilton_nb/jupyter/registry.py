"""The process-wide table of sessions, one per live module name.

``import hamilton_nb; hamilton_nb.session("sales")`` must find the session a ``%%dataflow sales``
cell created, as ``import sales`` finds its module: so the sessions live in one process-wide
table. The other process-wide state, each where its resource lives: the engines started
(``run.engines``: a pool or a cluster per kernel), the caches to flush at exit
(``cache.node_cache``), the modules whose functions travel by value (``run.remote``) and the
extension's magics (``jupyter.magics``).
"""

from __future__ import annotations

from collections.abc import Callable

from hamilton_nb.cache.node_cache import NodeCache, default_cache_dir
from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.run.execute import Progress
from hamilton_nb.sessions.records import Notebook


class Registry:
    """Sessions by module name, the notebook they borrow names from, and the cache they share
    (keys are content hashes, so one cache serves every module)."""

    def __init__(self) -> None:
        self.sessions: dict[str, DataflowSession] = {}
        self.current: str | None = None  # the module used last, by a cell or --module
        self.notebook: Notebook | None = None
        self.progress: Callable[[], Progress] | None = None
        self._cache: NodeCache | None = None

    @property
    def cache(self) -> NodeCache:
        """The shared cache (created on first use, on disk under the working directory)."""
        if self._cache is None:
            self._cache = NodeCache(default_cache_dir())
        return self._cache

    def set_cache(self, cache: NodeCache) -> None:
        """Use ``cache`` from now on, in every session."""
        if self._cache is not None:
            self._cache.flush()
        self._cache = cache
        for s in self.sessions.values():
            s.cache = cache

    def get(self, name: str) -> DataflowSession:
        """The session of module ``name``, created (with its module) on first use."""
        if name not in self.sessions:
            s = DataflowSession(name, self.notebook, self.cache)
            s.progress = self.progress
            self.sessions[name] = s
        return self.sessions[name]

    def attach(
        self, notebook: Notebook | None, progress: Callable[[], Progress] | None = None
    ) -> None:
        """Let every session, present and future, use ``notebook`` and show ``progress``."""
        self.notebook = notebook
        self.progress = progress
        for s in self.sessions.values():
            s.notebook = notebook
            s.progress = progress


REGISTRY = Registry()
