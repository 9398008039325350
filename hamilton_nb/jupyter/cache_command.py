"""``%dataflow cache``: the options that set up the cache every module shares (where, and how
much memory and disk it may use), and what it says of the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.core.error import UsageError

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.registry import REGISTRY


def configure_cache(args: Any) -> str:
    """Apply ``%dataflow cache`` options to the shared cache; describe the result."""
    cache = REGISTRY.cache
    if args.clear:
        cache.clear()
    if args.dir or args.off or args.max_memory:
        directory = None if args.off else Path(args.dir) if args.dir else cache.directory
        cap = parse_size(args.max_memory) if args.max_memory else cache.memory.cap
        REGISTRY.set_cache(NodeCache(directory, cap))
        cache = REGISTRY.cache
    where = f"disk {cache.directory}" if cache.directory else "disk off (memory only)"
    used, total = cache.memory.used / 2**20, cache.memory.cap / 2**20
    return f"cache: memory {used:.1f} of {total:.0f} MiB; {where}"


def parse_size(text: str) -> int:
    """``"512MB"`` -> bytes (KB, MB, GB; binary multiples)."""
    units = {"KB": 2**10, "MB": 2**20, "GB": 2**30, "B": 1}
    upper = text.strip().upper()
    for unit, factor in units.items():
        if upper.endswith(unit):
            try:
                return int(float(upper[: -len(unit)]) * factor)
            except ValueError:
                break
    raise UsageError(f"--max-memory {text}: expected a size such as 512MB or 2GB")
