"""The disk cache's round trip: what writing values and reading them back after a restart cost.

Every entry carries a MAC made with the user's secret (``cache.trust``), computed when it is
written and checked when it is read (and, for packs, when the cache opens). Two workloads, each
in a new folder per repetition (median, in ms):

* 1,000 small values (a dict each, packed together), the shape of a big graph of scalars;
* 10 arrays of 16 MiB (a file each), the shape of a few large frames.

"write" is ``put_many`` then ``flush`` (serialise, sign, write); "read" is a new ``NodeCache``
over the folder (a restarted kernel) getting every value (open, check, load). Run as
``python benchmarks/cache_disk.py [--quick]``; it only prints (and always exits 0).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from hamilton_nb.cache.node_cache import NodeCache

WORKLOADS: dict[str, tuple[int, int]] = {  # name: (small values, 16 MiB arrays)
    "1,000 small dicts": (1000, 0),
    "10 arrays of 16 MiB": (0, 10),
}


def items(small: int, big: int) -> list[tuple[str, Any, int]]:
    made: list[tuple[str, Any, int]] = [
        (f"s{i:023d}", {"i": i, "items": list(range(20))}, 100) for i in range(small)
    ]
    for i in range(big):
        made.append((f"b{i:023d}", np.full(2**21, float(i)), 2**24))
    return made


def round_trip(folder: Path, values: list[tuple[str, Any, int]]) -> tuple[float, float]:
    """(ms to write, ms to read back in a new cache)."""
    writer = NodeCache(folder, memory_cap=1 << 20)  # the values are read back from disk
    gc.collect()
    start = time.perf_counter()
    writer.put_many(values)
    writer.flush()
    wrote = time.perf_counter() - start
    reader = NodeCache(folder, memory_cap=1 << 20)
    gc.collect()
    start = time.perf_counter()
    found = all(reader.get(key)[0] for key, _, _ in values)
    read = time.perf_counter() - start
    if not found:
        print("WARNING: a value was not read back")
    return wrote * 1000, read * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of 7")
    reps = 3 if parser.parse_args().quick else 7
    print(f"disk cache round trip, median of {reps} repetitions (ms)")
    table = [("workload", "write ms", "read ms")]
    for name, shape in WORKLOADS.items():
        values = items(*shape)
        times = []
        for _ in range(reps):
            with tempfile.TemporaryDirectory(prefix="bench_disk_") as tmp:
                times.append(round_trip(Path(tmp), values))
        write = statistics.median(t[0] for t in times)
        read = statistics.median(t[1] for t in times)
        table.append((name, f"{write:.1f}", f"{read:.1f}"))
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    for r in table:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
