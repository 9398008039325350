"""What the features above the session (export, the widget) may use of one: a protocol, so
they depend on these few members and not on the session class."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.ids import CellId
from hamilton_nb.run.runbook import RunBook
from hamilton_nb.sessions.records import CellRecord, CellResult


class SessionView(Protocol):
    """A live module's session, as export and the widget see it."""

    name: str
    cache: NodeCache

    @property
    def module(self) -> Any: ...

    @property
    def graph(self) -> DataflowGraph: ...

    @property
    def config(self) -> Mapping[str, Any]: ...

    @property
    def runs(self) -> RunBook: ...

    @property
    def cells(self) -> Mapping[CellId, CellRecord]: ...

    @property
    def cell_prompts(self) -> Mapping[CellId, str]: ...

    def graph_for(self, config: Mapping[str, Any]) -> DataflowGraph: ...

    def notebook_imports(self) -> dict[str, str]: ...

    def states(self) -> dict[str, str]: ...

    def cached_value(self, node: str) -> tuple[bool, Any]: ...

    def apply_cell(
        self,
        source: str,
        cell_id: str | None = None,
        *,
        label: str | None = None,
        line_offset: int = 0,
    ) -> CellResult: ...

    def run(self, nodes: str | Sequence[str], inputs: Mapping[str, Any] | None = None) -> Any: ...


class DataflowView(SessionView, Protocol):
    """A session as the DAG widget sees it: it also listens, and exports."""

    @property
    def listeners(self) -> Any: ...  # a set of ``records.Listener``

    def export(self, path: str | Path, *, force: bool = False) -> Path: ...
