"""What the JupyterLab extension tells the kernel about the notebook itself: a ``%%dataflow``
cell was deleted (its functions leave their module, as if it had been run empty), or that
deletion was undone (the cell's last accepted code comes back); and what the notebook asks of
the kernel: the state of each cell's nodes, for a badge on the cell. The extension calls these
through a silent execution; each prints one line per cell, which the extension shows the user
(``DONE`` / ``REFUSED`` start them: see ``labextension/src/cells.ts``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from hamilton_nb.errors import DataflowError
from hamilton_nb.ids import CellId
from hamilton_nb.jupyter.registry import REGISTRY
from hamilton_nb.run.runbook import CACHED, FAILED, FRESH, NEVER, NOT_CACHED, STALE

DONE, REFUSED = "hamilton_nb: ", "hamilton_nb refused: "
# cell id -> (module, the cell's body, lines above it): what an undo brings back
_DELETED: dict[str, tuple[str, str, int]] = {}


def delete_cells(cell_ids: Iterable[str]) -> None:
    """The notebook deleted these cells: each module drops what they defined. A deletion the
    module refuses (another cell's code reads what it defines, when it runs) leaves the module
    as it was, and says so."""
    for cid in cell_ids:
        for session in list(REGISTRY.sessions.values()):
            record = session.cells.get(CellId(cid))
            if record is None:
                continue
            try:
                result = session.apply_cell("", cid, line_offset=record.line_offset)
            except DataflowError as e:
                print(f"{REFUSED}the deleted cell's names stay in module {session.name}: {e}")
                continue
            _DELETED[cid] = (session.name, record.source, record.line_offset)
            print(f"{DONE}deleted cell: {result.summary()}")


def restore_cells(cell_ids: Iterable[str]) -> None:
    """The notebook brought deleted cells back (an undo): their code is applied again."""
    for cid in cell_ids:
        deleted = _DELETED.pop(cid, None)
        if deleted is None:
            continue
        module, source, line_offset = deleted
        try:
            result = REGISTRY.get(module).apply_cell(source, cid, line_offset=line_offset)
        except DataflowError as e:
            print(f"{REFUSED}the restored cell could not be applied to module {module}: {e}")
            continue
        print(f"{DONE}restored cell: {result.summary()}")


STATES = "hamilton_nb states: "
_WORST_FIRST = (FAILED, STALE, NEVER, NOT_CACHED, FRESH, CACHED)


def cell_states() -> None:
    """Print, after ``STATES``, a JSON object: for each ``%%dataflow`` cell of every module
    (by cell id), how many of its nodes are in each state, worst first (failed, stale, never
    run, ...: the extension shows them in this order), for the badge on the cell."""
    found: dict[str, dict[str, int]] = {}
    for session in REGISTRY.sessions.values():
        states = session.states()
        for cid, record in session.cells.items():
            counts = Counter(states.get(n, NEVER) for n in record.node_names)
            found[cid] = {s: counts[s] for s in _WORST_FIRST if counts[s]}
    print(STATES + json.dumps(found))
