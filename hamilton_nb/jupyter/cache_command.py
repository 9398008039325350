"""``%dataflow cache``: the options that set up the cache every module shares (where, and how
much memory and disk it may use), and what it says of the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.core.error import UsageError

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.registry import REGISTRY


def configure_cache(args: Any) -> str:
    """Apply ``%dataflow cache`` options to the shared cache; describe the result. A disk cap
    not given is kept, unless the folder moves (then it is the new folder's default)."""
    cache = REGISTRY.cache
    if args.clear:
        cache.clear()
    if args.dir or args.off or args.max_memory or args.max_disk:
        directory = None if args.off else Path(args.dir) if args.dir else cache.directory
        memory_cap = parse_size(args.max_memory, "--max-memory") or cache.memory.cap
        disk_cap = parse_size(args.max_disk, "--max-disk")
        if disk_cap is None and cache.disk is not None and directory == cache.directory:
            disk_cap = cache.disk.cap
        REGISTRY.set_cache(NodeCache(directory, memory_cap, disk_cap))
        cache = REGISTRY.cache
        cache.sweep()  # a smaller cap applies now, not after the next run
    used, total = cache.memory.used / 2**20, cache.memory.cap / 2**20
    where = "disk off (memory only)"
    if cache.disk is not None:
        on_disk, cap = _size(cache.disk.size()), _size(cache.disk.cap)
        where = f"disk {on_disk} of {cap} in {cache.directory}"
    return f"cache: memory {used:.1f} of {total:.0f} MiB; {where}"


def _size(count: int) -> str:
    """Bytes in MiB, or in GiB from one GiB on."""
    return f"{count / 2**30:.1f} GiB" if count >= 2**30 else f"{count / 2**20:.1f} MiB"


_UNITS = {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}


def parse_size(text: str | None, option: str) -> int | None:
    """``"512MB"`` -> bytes; None -> None. Units: B, KB, MB, GB, TB, each a power of 1024,
    also spelled KiB, MiB, GiB, TiB; any case.

    Raises:
        UsageError: not a positive number followed by one of those units; names ``option``.
    """
    if text is None:
        return None
    upper = text.strip().upper().replace("IB", "B")
    number, unit = upper.rstrip("KMGTB"), upper[len(upper.rstrip("KMGTB")) :]
    try:
        size = float(number) * _UNITS[unit]
    except (ValueError, KeyError):
        size = 0.0
    if not 1 <= size < 2**63:  # also NaN
        raise UsageError(
            f"{option} {text}: expected a size such as 512MB, 2GB or 1.5GiB"
            " (units B, KB, MB, GB, TB or KiB, MiB, GiB, TiB: powers of 1024)"
        )
    return int(size)
