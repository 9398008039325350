"""Async nodes: independent ``async def`` nodes wait together, in hamilton_nb as in Hamilton's
own async driver.

Two graphs, defined as ``%%dataflow`` cells of a live module:

* waits: 10 independent async nodes that each ``await asyncio.sleep(0.2)`` and a sync ``join``
  of them (one after the other, they would take 2 s);
* trivial: 1,000 independent async nodes that return their input plus a constant: what each
  async node costs when the work is nothing.

Each is run, with a new ``seed`` input every time (the cache never answers), by

* hamilton_nb's ``session.run`` with no event loop running (``asyncio.run`` in the caller),
* the same from inside a running event loop, as in a Jupyter kernel (the run's loop on a helper
  thread),
* Hamilton's ``async_driver.Builder()`` driver over the same live module, built and run with
  ``asyncio.run`` (the same nodes requested, the same inputs),

and, for the waits, a warm hamilton_nb run (every value from the cache) and the same 10 nodes
written as sync ``def``s with ``time.sleep(0.2)`` (what they cost when they cannot wait
together). The disk writes behind each run finish, and a full garbage collection runs, before
the next starts (a collection during a run costs what the heap holds, and made the timings swing
threefold). Wall time, median of the repetitions; the last column is the time over Hamilton's
async driver's (which builds its graph from the module in each run, as a script does). Run as
``python benchmarks/async_nodes.py [--repeat N]``; it only prints.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hamilton import async_driver

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession

WAITS, SLEEP, TRIVIAL = 10, 0.2, 1000


def waits_cell(kind: str) -> str:
    """``kind``: "async" (``await asyncio.sleep``) or "sync" (``time.sleep``)."""
    lines = ["import asyncio, time\n"]
    for i in range(WAITS):
        if kind == "async":
            lines.append(
                f"async def w_{i}(seed: int) -> int:\n"
                f"    await asyncio.sleep({SLEEP})\n    return seed + {i}\n"
            )
        else:
            lines.append(
                f"def w_{i}(seed: int) -> int:\n    time.sleep({SLEEP})\n    return seed + {i}\n"
            )
    args = ", ".join(f"w_{i}: int" for i in range(WAITS))
    lines.append(
        f"def join({args}) -> int:\n    return {' + '.join(f'w_{i}' for i in range(WAITS))}\n"
    )
    return "\n".join(lines)


def trivial_cell() -> str:
    return "\n".join(
        f"async def t_{i}(seed: int) -> int:\n    return seed + {i}\n" for i in range(TRIVIAL)
    )


def session(name: str, cell: str, cache: Path) -> DataflowSession:
    s = DataflowSession(name, cache=NodeCache(cache))
    s.apply_cell(cell, "c0")
    return s


def hamiltons(s: DataflowSession, targets: list[str], seed: int) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        dr = await async_driver.Builder().with_modules(s.module).build()
        result: dict[str, Any] = await dr.execute(targets, inputs={"seed": seed})
        return result

    return asyncio.run(run())


def in_a_loop(s: DataflowSession, targets: list[str], seed: int) -> dict[str, Any]:
    async def cell() -> dict[str, Any]:  # a notebook cell: a loop runs while session.run does
        result: dict[str, Any] = s.run(targets, inputs={"seed": seed})
        return result

    return asyncio.run(cell())


def no_loop(s: DataflowSession, targets: list[str], seed: int) -> dict[str, Any]:
    result: dict[str, Any] = s.run(targets, inputs={"seed": seed})
    return result


def median_time(
    run: Callable[[DataflowSession, list[str], int], Any],
    s: DataflowSession,
    targets: list[str],
    seeds: list[int],
    check: Any = None,
) -> float:
    times = []
    for seed in seeds:
        gc.collect()  # a full collection, whose cost is the heap's, not the run's, kept out
        started = time.perf_counter()
        values = run(s, targets, seed)
        times.append(time.perf_counter() - started)
        s.cache.flush()  # the disk writes behind a run, done before the next one starts
        if check is not None and values != check(seed):
            print(f"WARNING {run.__name__}: values differ from Hamilton's for seed {seed}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    reps = parser.parse_args().repeat
    tmp = Path(tempfile.mkdtemp())
    waits = session("bench_async_waits", waits_cell("async"), tmp / "waits")
    sync_waits = session("bench_sync_waits", waits_cell("sync"), tmp / "sync")
    trivial = session("bench_async_trivial", trivial_cell(), tmp / "trivial")
    wait_targets = ["join", *[f"w_{i}" for i in range(WAITS)]]
    trivial_targets = [f"t_{i}" for i in range(TRIVIAL)]
    no_loop(trivial, ["t_0"], -1)  # imports and first-run costs out of the timings

    rows: list[tuple[str, str, float]] = []
    for graph, s, targets, base in (
        ("waits", waits, wait_targets, 0),
        ("trivial", trivial, trivial_targets, 10_000),
    ):

        def expected(seed: int, s: DataflowSession = s, targets: list[str] = targets) -> Any:
            return hamiltons(s, targets, seed)

        theirs = median_time(hamiltons, s, targets, [base + 100 + r for r in range(reps)])
        rows.append((graph, "Hamilton async_driver, asyncio.run", theirs))
        seeds = [base + 200 + r for r in range(reps)]
        rows.append(
            (
                graph,
                "hamilton_nb, no loop running",
                median_time(no_loop, s, targets, seeds, expected),
            )
        )
        seeds = [base + 300 + r for r in range(reps)]
        rows.append(
            (
                graph,
                "hamilton_nb, in a running loop",
                median_time(in_a_loop, s, targets, seeds, expected),
            )
        )
        if graph == "waits":
            warm = median_time(no_loop, s, targets, [base + 300] * reps)
            rows.append((graph, "hamilton_nb, warm (all cached)", warm))
            seeds = [base + 400 + r for r in range(reps)]
            rows.append(
                (
                    graph,
                    "hamilton_nb, sync def + time.sleep",
                    median_time(no_loop, sync_waits, targets, seeds),
                )
            )

    print(
        f"async nodes; waits: {WAITS} independent nodes awaiting asyncio.sleep({SLEEP}) + a sync"
        f" join (one after the other: {WAITS * SLEEP:.1f} s); trivial: {TRIVIAL:,} async nodes;"
        f" median of {reps} runs, each with a new input (s)"
    )
    reference = {g: t for g, name, t in rows if name.startswith("Hamilton")}
    header = ("graph", "run", "wall s", "per node us", "vs Hamilton async_driver")
    nodes = {"waits": WAITS + 1, "trivial": TRIVIAL}
    table = [header] + [
        (g, name, f"{t:.3f}", f"{t / nodes[g] * 1e6:,.0f}", f"{t / reference[g]:.2f}x")
        for g, name, t in rows
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    cold = [
        t
        for g, name, t in rows
        if g == "waits" and "hamilton_nb, " in name and "warm" not in name and "sync" not in name
    ]
    met = "met" if max(cold) < WAITS * SLEEP / 2 else "NOT met"
    print(
        f"target: the {WAITS} waits well under {WAITS * SLEEP:.0f} s: got {max(cold):.2f} s, {met}"
    )


if __name__ == "__main__":
    main()
