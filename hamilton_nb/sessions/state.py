"""Everything one live module's session holds, in one place, for the steps that change it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hamilton_nb.analysis.cells import ChunkCache
from hamilton_nb.graph.code_index import CodeIndex
from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.graph.model import GraphDiff
from hamilton_nb.run.hamilton import wired_nodes
from hamilton_nb.run.runbook import RunBook
from hamilton_nb.sessions.book import CellBook
from hamilton_nb.sessions.livemodule import LiveModule
from hamilton_nb.sessions.records import Notebook
from hamilton_nb.sessions.resolve import Resolver


@dataclass
class ModuleState:
    """The state of one live module: changed only by a cell transaction, ``drop`` and ``reset``
    (each leaves it consistent, or as it was when it raises).

    Attributes:
        live: the module object and its namespace.
        config: the Hamilton config the graph is resolved with.
        graph: the incremental graph under ``config``.
        index: each module-level name's code digest and what it reads.
        book: accepted cells and who owns which name.
        resolver: functions to nodes (and graphs for other configs).
        runs: what runs did, for node states.
        chunks: analysed chunks of code, by text, reused across cell runs.
        notebook: where borrowed names come from (None outside a notebook).
        last_diff: what the latest change did.
    """

    live: LiveModule
    config: dict[str, Any]
    notebook: Notebook | None = None
    graph: DataflowGraph = field(default_factory=lambda: wired_graph())
    index: CodeIndex = field(default_factory=CodeIndex)
    book: CellBook = field(default_factory=CellBook)
    runs: RunBook = field(default_factory=RunBook)
    chunks: ChunkCache = field(default_factory=dict)
    last_diff: GraphDiff = field(default_factory=GraphDiff)
    resolver: Resolver = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.live.namespace, self.live.owns_code)


def wired_graph() -> DataflowGraph:
    """An empty graph whose Hamilton nodes are kept wired change by change, so that a run
    after many cell runs finds them ready (built at once, they would cost the first run)."""
    graph = DataflowGraph()
    wired_nodes(graph)
    return graph
