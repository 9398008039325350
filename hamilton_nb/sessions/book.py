"""The cells a session accepted, in notebook order, and which cell owns which name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from hamilton_nb.analysis.cells import CellAnalysis, Definition
from hamilton_nb.errors import DuplicateNodeError, Location
from hamilton_nb.ids import CellId, NodeName
from hamilton_nb.sessions.records import CellRecord


class CellBook:
    """Accepted cells and name ownership.

    Responsibilities: keep the records of accepted cells in notebook order; know which cell
    owns each module-level name and refuse a name another cell owns; tell which cells a cell
    run replaces; keep the notebook names (and their import statements) cells borrowed.
    """

    def __init__(self) -> None:
        self.cells: dict[CellId, CellRecord] = {}
        self.owners: dict[str, CellId] = {}
        self.borrowed: dict[str, str | None] = {}
        self.prompts: dict[CellId, str] = {}  # the prompt (In[3]) a cell last ran under
        self._anonymous = 0

    def anonymous_label(self) -> str:
        """A new label for a cell that came without an id or a label (counts up)."""
        self._anonymous += 1
        return f"anonymous-{self._anonymous}"

    def replaced_by(
        self, cid: CellId, analysis: CellAnalysis, anonymous: bool
    ) -> tuple[CellId, ...]:
        """The cells a run of ``cid`` replaces: itself, and for a cell without a frontend id,
        the earlier cells owning names it defines again."""
        replaced = [cid] if cid in self.cells else []
        if anonymous:
            owners = {self.owners[n] for n in analysis.names if n in self.owners}
            replaced += [c for c in self.cells if c in owners and c != cid]
        return tuple(replaced)

    def check_ownership(
        self,
        cell: CellId,
        analysis: CellAnalysis,
        replaced: tuple[CellId, ...],
        names: Iterable[str],
    ) -> None:
        """Refuse names owned by a cell this run does not replace.

        Raises:
            DuplicateNodeError: at the first such name, in name order.
        """
        for name in sorted(names):
            owner = self.owners.get(name)
            if owner is not None and owner not in replaced:
                d = analysis.definition(name)
                other = self.cells[owner].analysis.definition(name)
                raise DuplicateNodeError(
                    f"'{name}' is already defined in cell {owner}"
                    f"{f' (line {other.line})' if other else ''}. Edit that cell, or run"
                    f" `%dataflow drop {name}` first.",
                    Location(cell, d.line if d else None, first_line(d)),
                )

    def previous(self, replaced: tuple[CellId, ...]) -> tuple[set[str], set[str]]:
        """(names, imports) the replaced cells owned."""
        names: set[str] = set()
        imports: set[str] = set()
        for cid in replaced:
            names |= self.cells[cid].names
            imports |= self.cells[cid].imports
        return names, imports

    def imports_kept(self, replaced: tuple[CellId, ...]) -> set[str]:
        """Imports of the cells that stay: a replaced cell's import they share stays bound."""
        return {n for r in self.cells.values() if r.id not in replaced for n in r.imports}

    def commit(
        self,
        record: CellRecord,
        replaced: tuple[CellId, ...],
        borrowed: Mapping[str, str | None],
    ) -> None:
        """Put ``record`` where the first replaced cell was (or last), drop the replaced cells
        and hand their names over (mutates the book)."""
        self.borrowed.update(borrowed)
        for cid in replaced:
            for name in self.cells[cid].names:
                if self.owners.get(name) == cid:
                    del self.owners[name]
        for name in record.names:
            self.owners[name] = record.id
        position = next((cid for cid in self.cells if cid in replaced), None)
        keep = bool(record.names or record.imports)
        cells: dict[CellId, CellRecord] = {}
        for cid, old in self.cells.items():
            if cid == position and keep:
                cells[record.id] = record
            if cid not in replaced:
                cells[cid] = old
        if position is None and keep:
            cells[record.id] = record
        self.cells = cells

    def renode(self, nodes: Mapping[CellId, Mapping[str, tuple[NodeName, ...]]]) -> None:
        """Set each cell's nodes per function, as resolved again under another config
        (mutates the book)."""
        self.cells = {cid: replace(r, nodes=dict(nodes[cid])) for cid, r in self.cells.items()}

    def drop_function(self, record: CellRecord, fn: str) -> None:
        """Forget that ``record``'s cell defines function ``fn`` (mutates the book)."""
        self.owners.pop(fn, None)
        self.cells = dict(self.cells)  # a new dict whenever the cells change: a sign of change
        self.cells[record.id] = replace(
            record,
            names=record.names - {fn},
            functions=tuple(f for f in record.functions if f != fn),
            nodes={f: n for f, n in record.nodes.items() if f != fn},
        )

    def clear(self) -> None:
        """Forget every cell (mutates the book; anonymous labels keep counting)."""
        self.cells = {}
        self.owners.clear()
        self.borrowed.clear()


def first_line(d: Definition | None) -> str | None:
    """The first source line of a definition, for error messages."""
    return d.source.splitlines()[0] if d and d.source else None
