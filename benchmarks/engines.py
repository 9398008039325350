"""Engines: the same notebook dataflow run locally and on threads, processes, Dask and Ray.

Two graphs, defined as ``%%dataflow`` cells of a live module:

* wide work: 16 independent CPU-bound nodes of about 0.5 s each (SHA-256 over a buffer, which
  releases the GIL while it hashes, so threads can run in parallel too) and a ``join`` of them;
* 1,000 trivial nodes (independent, each returns its input plus a constant), all requested:
  what each engine costs per node when the work is nothing.

Each scenario runs with a new ``seed`` input, so every node computes (the cache never answers),
on each engine with ``--workers`` set to the machine's cores. Engines are started before the
timings (their start-up is reported on its own). Wall time, median of the repetitions; the
ratio is local's time over the engine's (above 1: faster than local). "engine alone" hands the
same 1,000 trivial calls to the engine directly, without Hamilton or hamilton_nb: the floor
under each engine's per-node cost. Run as
``python benchmarks/engines.py [--repeat N]``; it only prints (and always exits 0). Needs the
``dask`` and ``ray`` extras.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.run.engines import ENGINES, close_all, engine

WIDE, TRIVIAL = 16, 1000
MIN_SPEEDUP = 1.7  # threads, processes and dask on 2 cores, for the wide work

WORK_CELL = """
import hashlib

ROUNDS = {rounds}

def _burn(seed):
    block = bytes(1 << 20)
    h = hashlib.sha256(str(seed).encode())
    for _ in range(ROUNDS):
        h.update(block)
    return h.hexdigest()
"""


def work_cells(rounds: int) -> list[str]:
    nodes = "\n".join(
        f"def work_{i}(seed: int) -> str:\n    return _burn(seed + {i})\n" for i in range(WIDE)
    )
    join_args = ", ".join(f"work_{i}: str" for i in range(WIDE))
    join_body = " + ".join(f"work_{i}[:4]" for i in range(WIDE))
    join = f"def join({join_args}) -> str:\n    return {join_body}\n"
    return [WORK_CELL.format(rounds=rounds), nodes, join]


def trivial_cells() -> list[str]:
    return [
        "\n".join(f"def t_{i}(seed: int) -> int:\n    return seed + {i}\n" for i in range(TRIVIAL))
    ]


def session(name: str, cells: list[str], cache: Path) -> DataflowSession:
    s = DataflowSession(name, cache=NodeCache(cache))
    for i, source in enumerate(cells):
        s.apply_cell(source, f"c{i}")
    return s


def calibrate() -> int:
    """SHA-256 rounds over 1 MiB that take about 0.5 s here."""
    import hashlib

    block, h = bytes(1 << 20), hashlib.sha256()
    started = time.perf_counter()
    for _ in range(50):
        h.update(block)
    return max(1, round(50 * 0.5 / (time.perf_counter() - started)))


def timed_runs(
    s: DataflowSession, targets: list[str], name: str, reps: int, seed: int
) -> list[float]:
    workers = None if name == "local" else os.cpu_count()
    times = []
    for r in range(reps):
        started = time.perf_counter()
        s.run(targets, inputs={"seed": seed + r}, engine=name, workers=workers)
        times.append(time.perf_counter() - started)
        report = s.last_run
        if report is None or len(report.computed) != len(targets):  # the cache must not answer
            print(f"WARNING {name}: computed {report and len(report.computed)} of {len(targets)}")
    return times


def _inc(x: int) -> int:
    return x + 1


def alone(name: str, cores: int) -> float:
    """Seconds for the engine itself to run 1,000 trivial calls (no Hamilton, no hamilton_nb):
    the floor each engine's per-node cost sits on."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
    from multiprocessing import get_context

    started = time.perf_counter()
    if name == "local":
        [_inc(i) for i in range(TRIVIAL)]
    elif name in ("threads", "processes"):
        pool: Any = (
            ThreadPoolExecutor(cores)
            if name == "threads"
            else ProcessPoolExecutor(cores, get_context("spawn"))
        )
        with pool:
            pool.submit(_inc, 0).result()  # workers up before the clock restarts
            started = time.perf_counter()
            [f.result() for f in [pool.submit(_inc, i) for i in range(TRIVIAL)]]
    elif name == "dask":
        client = engine("dask", cores).client  # type: ignore[attr-defined]
        client.gather(client.map(_inc, range(TRIVIAL), pure=False))
    else:
        import ray

        remote = ray.remote(_inc)
        ray.get([remote.remote(i) for i in range(TRIVIAL)])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    reps = parser.parse_args().repeat
    cores = os.cpu_count() or 1
    rounds = calibrate()
    tmp = Path(tempfile.mkdtemp())
    wide = session("bench_wide", work_cells(rounds), tmp / "wide")
    trivial = session("bench_trivial", trivial_cells(), tmp / "trivial")
    wide_targets = ["join", *[f"work_{i}" for i in range(WIDE)]]
    trivial_targets = [f"t_{i}" for i in range(TRIVIAL)]

    startup: dict[str, float] = {}
    for i, name in enumerate(ENGINES):  # start each engine and run one node on it
        started = time.perf_counter()
        workers = None if name == "local" else cores
        trivial.run("t_0", inputs={"seed": -1 - i}, engine=name, workers=workers)
        startup[name] = time.perf_counter() - started

    rows = []
    seed = 0
    local_wide = local_trivial = 0.0
    for name in ENGINES:
        seed += 1000
        w = statistics.median(timed_runs(wide, wide_targets, name, reps, seed))
        seed += 1000
        t = statistics.median(timed_runs(trivial, trivial_targets, name, reps, seed))
        if name == "local":
            local_wide, local_trivial = w, t
        floor = statistics.median(alone(name, cores) for _ in range(reps))
        rows.append((name, startup[name], w, local_wide / w, t, t / local_trivial, floor))
    close_all()

    print(
        f"engines on {cores} cores; wide: {WIDE} nodes of ~0.5 s + join; trivial: {TRIVIAL:,}"
        f" nodes; median of {reps} (s)"
    )
    header = (
        "engine",
        "start s",
        "wide s",
        "wide vs local",
        "trivial s",
        "per node us",
        "vs local",
        "engine alone s",
        "per node us",
    )
    table = [header] + [
        (
            n,
            f"{s:.2f}",
            f"{w:.2f}",
            f"{wr:.2f}x faster",
            f"{t:.3f}",
            f"{t / TRIVIAL * 1e6:.0f}",
            f"{tr:.1f}x slower",
            f"{f:.3f}",
            f"{f / TRIVIAL * 1e6:.0f}",
        )
        for n, s, w, wr, t, tr, f in rows
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(
        "engine alone: the same 1,000 trivial calls handed to the engine directly (a loop,"
        " ThreadPoolExecutor / ProcessPoolExecutor.submit, Client.map, ray.remote): its own floor"
    )
    for n, _, _, wr, *_ in rows:
        if n in ("threads", "processes", "dask"):
            met = "met" if wr >= MIN_SPEEDUP else "NOT met"
            print(f"target {n} wide >= {MIN_SPEEDUP}x faster than local: got {wr:.2f}x, {met}")


if __name__ == "__main__":  # worker processes import this file again: run only once
    main()
