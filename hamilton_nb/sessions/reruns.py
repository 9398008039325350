"""Which other cells must run again when a cell changes names.

A definition holds what it read when it ran: a decorator keeps the helper function and the
constants passed to it, a constant keeps the value its expression had, ``@mutate`` changes its
target function object. When one of those names changes, the cells that read it at definition
run again (as a reactive notebook re-runs dependent cells), so no definition keeps an old value.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping

from hamilton_nb.analysis.cells import CellAnalysis
from hamilton_nb.graph.code_index import Code, CodeIndex
from hamilton_nb.ids import CellId
from hamilton_nb.sessions.book import CellBook


def mutated_by(analysis: CellAnalysis) -> set[str]:
    """The functions a cell's ``@mutate`` decorators change."""
    return {t for t, _ in analysis.mutations}


def target_cells(
    book: CellBook, analyses: Iterable[CellAnalysis], skip: Iterable[CellId]
) -> list[CellId]:
    """The cells (in notebook order, less ``skip``) owning functions that the ``@mutate``s of
    ``analyses`` change: a cell with ``@mutate`` needs its targets defined afresh first, or
    its mutation would be applied twice, or stay applied once the decorator is gone."""
    targets: set[str] = set()
    for analysis in analyses:
        targets |= mutated_by(analysis)
    cells = {book.owners[t] for t in targets if t in book.owners} - set(skip)
    return [c for c in book.cells if c in cells]


def changed_names(
    index: CodeIndex,
    codes: Mapping[str, Code],
    gone: set[str],
    rebound: set[str],
    anew: bool,
    book: CellBook,
) -> set[str]:
    """Names whose value one execution of a cell changed, and every name reading them.

    Args:
        index: the code index before this change.
        codes, gone: what the cell binds now, and the names it no longer binds.
        rebound: the names whose values its execution changed (or removed).
        anew: the cell ran again for another cell's change: everything it bound again counts
            (a constant's value may differ with the same code). Otherwise what its code
            changed counts, and the ``@mutate`` targets it bound again (they lost their
            mutations).
        book: the accepted cells (for what their ``@mutate``s change).
    """
    staged = index.stage(codes, gone)
    changed = staged.changed_names()
    changed |= rebound if anew else rebound & set(mutations(book))
    return changed | staged.affected(changed)


def mutations(book: CellBook) -> dict[str, set[str]]:
    """Every function some accepted ``@mutate`` changes -> the names of its mutators (worked
    out once per change of the book's cells)."""
    cells = book.cells
    found = _MUTATIONS.get(book)
    if found is None or found[0] is not cells:
        table: dict[str, set[str]] = {}
        for record in cells.values():
            for target, mutator in record.analysis.mutations:
                table.setdefault(target, set()).add(mutator)
        found = _MUTATIONS[book] = (cells, table)
    return found[1]


_MUTATIONS: weakref.WeakKeyDictionary[CellBook, tuple[object, dict[str, set[str]]]] = (
    weakref.WeakKeyDictionary()
)


def readers(
    book: CellBook, changed: set[str], current: Mapping[CellId, CellAnalysis], skip: set[CellId]
) -> list[CellId]:
    """Cells (in notebook order, then new ones) with a definition that read one of ``changed``
    when it ran. ``current``: analyses newer than the book's (the user's cell)."""
    if not changed:
        return []
    found = []
    cells = {cid: r.analysis for cid, r in book.cells.items()}
    cells.update(current)
    for cid, analysis in cells.items():
        if cid not in skip and not analysis.eager_reads.isdisjoint(changed):
            found.append(cid)
    return found
