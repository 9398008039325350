"""Edit latency: re-run one edited cell of a dataflow, against Hamilton's own tools.

Scenario: a module of N functions in cells of 100 functions (10 cells of N/10 below 1,000)
has been applied once; then one function in cell ``c3`` gets a new body (``+ 1`` <-> ``+ 2``)
and that cell is re-run. Function ``f_i`` depends on ``f_{i-10}``: ten interleaved chains
that cross every cell, so the edited function has about N/10 - 35 descendants.

Compared (median over the repetitions, in ms; the contenders take turns, one repetition
each, so a busy machine slows them alike):

* ours: ``DataflowSession.apply_cell(<edited cell>, cell_id="c3")``;
* ours through ``%%dataflow``: the same edit as a notebook makes it, ``shell.run_cell`` of the
  cell with its magic line and the frontend's cell id, in a real ``InteractiveShell``;
* ``%%cell_to_module``: Hamilton's notebook magic re-running all N functions in the same shell
  (no ``--display``/``--execute``, so no graphviz and nothing printed);
* ``Builder.build``: ``driver.Builder().with_modules(module).build()`` on a plain module.

The speed-up against ``%%cell_to_module`` compares the two magics repetition by repetition:
the median ratio, and the smallest.

Run as ``python benchmarks/edit_latency.py [--quick]``; it only prints a table.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import statistics
import sys
import time
import types
from collections.abc import Callable

from hamilton import driver
from IPython.core.interactiveshell import InteractiveShell

from hamilton_nb.jupyter.dataflow import DataflowSession

CHAINS = 10
CELL_SIZE = 100  # functions per cell (fewer for N below 1,000: ten cells)
EDIT_CELL = 3
TARGET_N = 1000
TARGET_VS_MAGIC = 20.0
TARGET_VS_BUILD = 5.0
TARGET_MAGIC_MS = 4.0  # through %%dataflow, at TARGET_N nodes
TARGET_MAGIC_VS_MAGIC = 25.0  # %%cell_to_module / %%dataflow, in every repetition
BIG_N = 5000
TARGET_BIG_FACTOR = 3.0  # %%dataflow at BIG_N nodes, at most this times TARGET_N's


def function_source(i: int, increment: int = 1) -> str:
    """``f_i``: a root for the first ten, else ``f_{i-10} + increment``."""
    if i < CHAINS:
        return f"def f_{i}() -> int:\n    return {i}\n"
    return f"def f_{i}(f_{i - CHAINS}: int) -> int:\n    return f_{i - CHAINS} + {increment}\n"


def per_cell(n: int) -> int:
    return min(CELL_SIZE, n // 10)


def cell_sources(n: int, edited: int | None = None, increment: int = 1) -> list[str]:
    """The cells; ``edited`` (if given) gets ``+ increment`` instead of ``+ 1``."""
    per = per_cell(n)
    return [
        "\n\n".join(
            function_source(i, increment if i == edited else 1)
            for i in range(c * per, (c + 1) * per)
        )
        for c in range(n // per)
    ]


def edited_function(n: int) -> int:
    """The function that gets edited: mid-cell ``c3`` (never a root)."""
    return EDIT_CELL * per_cell(n) + per_cell(n) // 2


Step = Callable[[int], object]


def interleaved(steps: dict[str, Step], reps: int) -> dict[str, list[float]]:
    """Wall times in ms of ``steps``, taking turns: repetition ``rep`` of each, then the next.
    Garbage is collected before each, so none pays for what another left behind."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for rep in range(reps):
        for name, step in steps.items():
            gc.collect()
            start = time.perf_counter()
            step(rep)
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def ours(n: int) -> Step:
    """Apply all cells once; the step re-runs the edited cell ``c3`` (body alternating)."""
    session = DataflowSession(f"bench_edit_{n}")
    for c, src in enumerate(cell_sources(n)):
        session.apply_cell(src, cell_id=f"c{c}")
    variants = [cell_sources(n, edited_function(n), inc)[EDIT_CELL] for inc in (2, 1)]
    check = session.apply_cell(variants[0], cell_id=f"c{EDIT_CELL}").diff
    session.apply_cell(variants[1], cell_id=f"c{EDIT_CELL}")
    if len(check.changed) != 1 or check.added or check.removed:
        print(
            f"WARNING N={n}: edit reported changed={len(check.changed)} "
            f"added={len(check.added)} removed={len(check.removed)} (expected exactly 1 changed)"
        )
    return lambda rep: session.apply_cell(variants[rep % 2], f"c{EDIT_CELL}")


def _run(shell: InteractiveShell, cell: str, cell_id: str | None = None) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        result = shell.run_cell(cell, cell_id=cell_id)
    if not result.success:
        raise RuntimeError(f"{cell.splitlines()[0]} failed: {result.error_in_exec!r}")
    if out.getvalue().strip():
        print(f"note: {cell.splitlines()[0]} printed: {out.getvalue().strip()[:200]!r}")


def ours_magic(shell: InteractiveShell, n: int) -> Step:
    """Run all cells through ``%%dataflow`` once; the step re-runs the edited cell ``c3``."""
    magic = f"%%dataflow bench_magic_edit_{n} -q\n"
    for c, src in enumerate(cell_sources(n)):
        _run(shell, magic + src, f"c{c}")
    variants = [magic + cell_sources(n, edited_function(n), inc)[EDIT_CELL] for inc in (2, 1)]
    _run(shell, variants[1], f"c{EDIT_CELL}")
    return lambda rep: _run(shell, variants[rep % 2], f"c{EDIT_CELL}")


def cell_to_module(shell: InteractiveShell, n: int) -> Step:
    """Hamilton's ``%%cell_to_module`` re-running the whole module (edited body alternating)."""
    cells = [
        f"%%cell_to_module -m bench_magic_{n}\n"
        + "\n\n".join(cell_sources(n, edited_function(n), inc))
        for inc in (2, 1)
    ]
    _run(shell, cells[1])  # first definition of the module
    return lambda rep: _run(shell, cells[rep % 2])


def build(n: int) -> Step:
    """A full ``Builder().with_modules(module).build()`` of the same N functions."""
    name = f"bench_build_{n}"
    module = types.ModuleType(name)
    exec(compile("\n\n".join(cell_sources(n)), f"<{name}>", "exec"), module.__dict__)
    sys.modules[name] = module
    return lambda _: driver.Builder().with_modules(module).build()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 100, 1000 and fewer repetitions")
    parser.add_argument("--reps", type=int, help="repetitions (default: 15, 5 with --quick)")
    args = parser.parse_args()
    sizes, reps = ([100, 1000], 5) if args.quick else ([100, 1000, BIG_N], 15)
    reps = args.reps or reps
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "hamilton.plugins.jupyter_magic")
    shell.run_line_magic("load_ext", "hamilton_nb")

    header = ["nodes", "ours ms", "%%dataflow ms", "cell_to_module ms", "Builder.build ms"]
    header += ["cell_to_module / %%dataflow (min)", "build / ours"]
    print(f"edit latency, median of {reps} repetitions (one edited function in cell c{EDIT_CELL})")
    print(" | ".join(header))
    found: dict[int, dict[str, float]] = {}
    for n in sizes:
        steps = {
            "ours": ours(n),
            "magic": ours_magic(shell, n),
            "cell_to_module": cell_to_module(shell, n),
            "build": build(n),
        }
        for step in steps.values():  # warm-up
            step(1)
        times = interleaved(steps, reps)
        ratios = [h / m for h, m in zip(times["cell_to_module"], times["magic"], strict=True)]
        med = {name: statistics.median(ts) for name, ts in times.items()}
        found[n] = {**med, "vs_magic": statistics.median(ratios), "vs_magic_min": min(ratios)}
        cols = [f"{n:,}", f"{med['ours']:.2f}", f"{med['magic']:.2f}"]
        cols += [f"{med['cell_to_module']:.1f}", f"{med['build']:.1f}"]
        cols += [f"{found[n]['vs_magic']:.0f}x ({min(ratios):.0f}x)"]
        cols += [f"{med['build'] / med['ours']:.1f}x"]
        print(" | ".join(c.rjust(len(h)) for c, h in zip(cols, header, strict=True)))
    _report_targets(found)


def _report_targets(found: dict[int, dict[str, float]]) -> None:
    at = found[TARGET_N]
    vs_magic, vs_build = at["cell_to_module"] / at["ours"], at["build"] / at["ours"]
    met = "MET" if vs_magic >= TARGET_VS_MAGIC and vs_build >= TARGET_VS_BUILD else "NOT MET"
    print(
        f"targets at {TARGET_N:,} nodes: >= {TARGET_VS_MAGIC:.0f}x vs cell_to_module "
        f"(got {vs_magic:.1f}x), >= {TARGET_VS_BUILD:.0f}x vs Builder.build "
        f"(got {vs_build:.1f}x): {met}"
    )
    ok = at["magic"] <= TARGET_MAGIC_MS and at["vs_magic_min"] >= TARGET_MAGIC_VS_MAGIC
    print(
        f"through %%dataflow at {TARGET_N:,} nodes: <= {TARGET_MAGIC_MS:.0f} ms (got"
        f" {at['magic']:.2f} ms), >= {TARGET_MAGIC_VS_MAGIC:.0f}x cell_to_module in every"
        f" repetition (smallest {at['vs_magic_min']:.1f}x): {'MET' if ok else 'NOT MET'}"
    )
    if BIG_N in found:
        factor = found[BIG_N]["magic"] / at["magic"]
        met = "MET" if factor <= TARGET_BIG_FACTOR else "NOT MET"
        print(
            f"through %%dataflow at {BIG_N:,} nodes: <= {TARGET_BIG_FACTOR:.0f}x the"
            f" {TARGET_N:,}-node figure (got {factor:.1f}x): {met}"
        )


if __name__ == "__main__":
    main()
