"""Cached runs: hamilton_nb's node cache against Hamilton's own cache, on a 1,000-node chain.

The dataflow is a chain of cheap nodes, ``f0() -> 0`` and ``f_i(f_{i-1}) -> f_{i-1} + 1``, in
10 cells of 100 functions (``c0`` .. ``c9``). Scenarios (median of the repetitions, in ms):

* (a) cold run, empty cache: ours ``DataflowSession.run("f999")`` (new session, new disk cache)
  against a plain ``Driver.execute`` (no cache), the two interleaved (one of each per repetition,
  alternating which goes first) so that both see the same state of the machine. Its ratio is
  the median of the repetitions' ratios (ours / plain, one pair at a time): a machine that
  changes speed during the benchmark moves both of a pair, where a ratio of two medians can
  pair a fast plain run with a slow one of ours. Three times the repetitions of the others:
  one costs ~0.1 s. Informational: ours with ``cache.flush()``, and Hamilton's ``with_cache``
  driver on an empty cache.
* (b) edit ``f500`` (a new increment each repetition: no variant is cached before), run
  ``f999`` (500 nodes recompute): ours ``apply_cell`` + ``run``, against Hamilton's cache
  (file rewritten, ``importlib.reload``, ``with_cache(path)`` build, ``execute``; and alone).
* (c) warm re-run, nothing changed: ours ``run`` against Hamilton's ``execute``, cache warm.

Every timing starts after a ``gc.collect()``: a full collection of this process's heap takes
~40 ms and would otherwise land inside some repetitions and not others. Run as
``python benchmarks/cache_runs.py [--quick]``; it only prints (and always exits 0).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from hamilton import driver

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession

sys.setrecursionlimit(10_000)  # Hamilton's execution of a 1,000-node chain recurses
sys.dont_write_bytecode = True  # the rewritten module must never come from a stale .pyc

N, CELLS, EDITED, TARGET = 1000, 10, 500, "f999"
PER = N // CELLS
EDIT_CELL = EDITED // PER
MAX_COLD_VS_PLAIN, MIN_EDIT_SPEEDUP, MIN_WARM_SPEEDUP = 1.3, 30.0, 40.0


def cells(increment: int = 1) -> list[str]:
    """The 10 cells; ``f500`` adds ``increment`` instead of 1."""

    def fn(i: int) -> str:
        if i == 0:
            return "def f0() -> int:\n    return 0\n"
        inc = increment if i == EDITED else 1
        return f"def f{i}(f{i - 1}: int) -> int:\n    return f{i - 1} + {inc}\n"

    return ["\n\n".join(fn(i) for i in range(c * PER, (c + 1) * PER)) for c in range(CELLS)]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(milliseconds, result) of one call, after a full garbage collection."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def check(label: str, got: Any, want: Any) -> None:
    if got != want:
        print(f"WARNING {label}: got {got!r}, expected {want!r}")


def computed(session: DataflowSession) -> int:
    return len(session.last_run.computed) if session.last_run else -1


def new_session(name: str, cache_dir: Path) -> DataflowSession:
    session = DataflowSession(name, cache=NodeCache(cache_dir))
    for c, src in enumerate(cells()):
        session.apply_cell(src, cell_id=f"c{c}")
    return session


def plain_driver() -> driver.Driver:
    """A driver without cache over the same functions, warmed up."""
    plain_mod = types.ModuleType("bench_cache_plain")
    exec(compile("\n\n".join(cells()), "<bench_cache_plain>", "exec"), plain_mod.__dict__)
    sys.modules[plain_mod.__name__] = plain_mod  # Hamilton finds functions via inspect.getmodule
    plain = driver.Builder().with_modules(plain_mod).build()
    plain.execute([TARGET])  # warm-up
    return plain


def bench_cold(reps: int, tmp: Path) -> dict[str, list[float]]:
    """(a): ours on a new session and disk cache, and the plain execute, interleaved."""
    plain = plain_driver()
    t: dict[str, list[float]] = {"cold": [], "cold_flush": [], "plain": []}

    def ours(rep: int) -> None:
        session = new_session(f"bench_cache_cold_{rep}", tmp / f"ours_cold_{rep}")
        gc.collect()
        start = time.perf_counter()
        value = session.run(TARGET)
        ran = time.perf_counter()
        session.cache.flush()
        t["cold"].append((ran - start) * 1000)
        t["cold_flush"].append((time.perf_counter() - start) * 1000)
        check("ours cold", (value, computed(session)), (N - 1, N))
        session.close()

    def hamilton(rep: int) -> None:
        ms, out = timed(partial(plain.execute, [TARGET]))
        t["plain"].append(ms)
        check("plain execute", out[TARGET], N - 1)

    for rep in range(reps):
        for run in (ours, hamilton) if rep % 2 == 0 else (hamilton, ours):
            run(rep)
    return t


def bench_ours(reps: int, tmp: Path) -> dict[str, list[float]]:
    t: dict[str, list[float]] = {"edit": [], "warm": []}
    session = new_session("bench_cache_edit", tmp / "ours_edit")
    session.run(TARGET)
    session.cache.flush()
    for rep in range(reps):
        inc, src = rep + 2, cells(rep + 2)[EDIT_CELL]

        def edit_run(s: DataflowSession = session, src: str = src) -> Any:
            s.apply_cell(src, cell_id=f"c{EDIT_CELL}")
            return s.run(TARGET)

        ms, value = timed(edit_run)
        t["edit"].append(ms)
        check("ours edit", (value, computed(session)), (N - 2 + inc, N - EDITED))
        session.cache.flush()  # the writer must not compete with the next measurement
    for _ in range(reps):
        t["warm"].append(timed(lambda: session.run(TARGET))[0])
        check("ours warm computed", computed(session), 0)
    session.close()
    return t


def cache_events(dr: driver.Driver) -> tuple[int, int]:
    """(executed, loaded): nodes Hamilton's cache ran and took from its store in the last run."""
    logs = dr.cache.logs(run_id=dr.cache.last_run_id, level="info")
    kinds = [{e.event_type.value for e in events} for events in logs.values()]
    return sum("execute_node" in k for k in kinds), sum("get_result" in k for k in kinds)


def bench_hamilton(reps: int, tmp: Path) -> dict[str, list[float]]:
    t: dict[str, list[float]] = {"cold": [], "edit": [], "edit_exec": [], "warm": []}
    mod_file = tmp / "hamilton_module" / "bench_cache_hmod.py"
    mod_file.parent.mkdir()
    stamp = time.time_ns()

    def write(increment: int) -> None:  # a new mtime each time: linecache must see the source
        mod_file.write_text("\n\n".join(cells(increment)))
        os.utime(mod_file, ns=(stamp + increment * 10**9,) * 2)

    write(1)
    sys.path.insert(0, str(mod_file.parent))
    mod = importlib.import_module(mod_file.stem)
    edit_dir = tmp / "hamilton_edit"

    def cached_driver(cache_dir: Path = edit_dir) -> driver.Driver:
        return driver.Builder().with_modules(mod).with_cache(path=cache_dir).build()

    for rep in range(reps):
        dr = cached_driver(tmp / f"hamilton_cold_{rep}")
        ms, out = timed(partial(dr.execute, [TARGET]))
        t["cold"].append(ms)
        check("Hamilton cache cold", (out[TARGET], cache_events(dr)), (N - 1, (N, 0)))
    cached_driver().execute([TARGET])
    for rep in range(reps):
        write(rep + 2)
        build_ms, dr = timed(lambda: (importlib.reload(mod), cached_driver())[1])
        ms, out = timed(partial(dr.execute, [TARGET]))
        t["edit"].append(build_ms + ms)
        t["edit_exec"].append(ms)
        got = (out[TARGET], cache_events(dr))
        check("Hamilton cache edit", got, (N + rep, (N - EDITED, EDITED)))
    for _ in range(reps):
        t["warm"].append(timed(partial(dr.execute, [TARGET]))[0])
        check("Hamilton cache warm (executed, loaded)", cache_events(dr), (0, N))
    sys.path.remove(str(mod_file.parent))
    sys.modules.pop(mod_file.stem, None)
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of 7")
    reps = 3 if parser.parse_args().quick else 7
    with tempfile.TemporaryDirectory(prefix="bench_cache_") as tmp:
        cold_t = bench_cold(3 * reps, Path(tmp))
        ours_t, ham_t = bench_ours(reps, Path(tmp)), bench_hamilton(reps, Path(tmp))
    ours = {k: statistics.median(v) for k, v in ours_t.items()}
    ham = {k: statistics.median(v) for k, v in ham_t.items()}
    ours |= {k: statistics.median(cold_t[k]) for k in ("cold", "cold_flush")}
    ham["plain"] = statistics.median(cold_t["plain"])
    paired = {
        k: statistics.median(a / b for a, b in zip(cold_t[k], cold_t["plain"], strict=True))
        for k in ("cold", "cold_flush")
    }

    print(f"cached runs, {N:,}-node chain, median of {reps} repetitions ((a): {3 * reps}) (ms)")
    rows = [  # scenario, ours, Hamilton's, what Hamilton's is (ratio: speed-up, or ours/plain)
        ("(a) cold", "cold", "plain", "plain Driver.execute"),
        ("(a) cold + flush", "cold_flush", "plain", "plain Driver.execute (info)"),
        ("(a) cold (info)", "cold", "cold", "with_cache execute, empty"),
        ("(b) edit f500", "edit", "edit", "reload + build + execute"),
        ("(b) edit f500", "edit", "edit_exec", "with_cache execute alone"),
        ("(c) warm", "warm", "warm", "with_cache execute, warm"),
    ]
    table = [("scenario", "ours ms", "Hamilton ms", "Hamilton measured as", "ratio")]
    for name, us, them, what in rows:
        a, b = ours[us], ham[them]
        ratio = f"{paired[us]:.2f}x ours/plain" if them == "plain" else f"{b / a:.1f}x faster"
        table.append((name, f"{a:.2f}", f"{b:.1f}", what, ratio))
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    for r in table:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())

    pairs = sorted(a / b for a, b in zip(cold_t["cold"], cold_t["plain"], strict=True))
    print(
        f"(a) the {len(pairs)} paired ratios: min {pairs[0]:.2f}, quartiles"
        f" {pairs[len(pairs) // 4]:.2f} / {paired['cold']:.2f} / {pairs[3 * len(pairs) // 4]:.2f},"
        f" max {pairs[-1]:.2f}; ratio of the medians {ours['cold'] / ham['plain']:.2f}"
    )
    cold, edit = paired["cold"], ham["edit"] / ours["edit"]
    warm = ham["warm"] / ours["warm"]
    for label, got, goal, met in [
        ("(a) cold", cold, f"<= {MAX_COLD_VS_PLAIN}x plain execute", cold <= MAX_COLD_VS_PLAIN),
        ("(b) edit", edit, f">= {MIN_EDIT_SPEEDUP:g}x faster", edit >= MIN_EDIT_SPEEDUP),
        ("(c) warm", warm, f">= {MIN_WARM_SPEEDUP:g}x faster", warm >= MIN_WARM_SPEEDUP),
    ]:
        print(f"target {label} {goal}: got {got:.2f}x, {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
