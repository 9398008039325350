"""The disk cache's cap: how large the folder may grow (``default_cap``), what it holds
(``scan``), and which files go when it holds more (``least_recent``).

A file's modification time says when it was last used: written, or read (``mark_used``, to
the nanosecond: the time a kernel gives a new file may lag by milliseconds), so the order
survives a restart and is shared by every kernel using the folder. Small entries share a pack
file (``stores.DiskStore``): a pack is one unit here, used when any of its entries is, and
evicted whole, all its entries with it, when it is the least recently used. An evicted entry
is a miss, computed again; it can never be read as another value (packs are never rewritten,
an object's file only ever holds its key's value, and every entry is checked when read).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MOST = 10 << 30  # the default cap is at most this, whatever the space free
EVICTABLE = ("objects", "packs")  # run records and temporary files are counted, never evicted


def mark_used(path: Path) -> None:
    """Set ``path``'s modification time to now, to the nanosecond.

    Raises:
        OSError: the file is gone, or its time cannot be set.
    """
    now = time.time_ns()
    os.utime(path, ns=(now, now))


@dataclass(frozen=True)
class Entry:
    """A file of the cache that may be evicted."""

    path: Path
    size: int
    used: int  # nanoseconds: its modification time, the last write or read


def default_cap(root: Path) -> int:
    """A tenth of the space free now on the filesystem that holds (or will hold) ``root``,
    at most ``DEFAULT_MOST``."""
    where = root
    while not where.exists() and where.parent != where:
        where = where.parent
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return DEFAULT_MOST
    return min(free // 10, DEFAULT_MOST)


def scan(root: Path) -> tuple[list[Entry], int]:
    """(the files that may be evicted, the bytes of every file under ``root``). Files that
    vanish while it looks (another kernel evicting) are left out."""
    entries: list[Entry] = []
    total = 0
    for folder, _, names in os.walk(root):
        parts = Path(folder).relative_to(root).parts
        evictable = bool(parts) and parts[0] in EVICTABLE
        for name in names:
            path = Path(folder, name)
            try:
                stat = path.stat()
            except OSError:
                continue
            total += stat.st_size
            if evictable and not name.startswith("."):  # ".name....tmp": a write under way
                entries.append(Entry(path, stat.st_size, stat.st_mtime_ns))
    return entries, total


def least_recent(entries: Iterable[Entry], total: int, cap: int) -> list[Entry]:
    """The entries to remove, least recently used first, so that ``total`` bytes come down
    to ``cap`` at most (or as far as removing every entry brings them)."""
    chosen = []
    for entry in sorted(entries, key=lambda e: (e.used, str(e.path))):
        if total <= cap:
            break
        chosen.append(entry)
        total -= entry.size
    return chosen
