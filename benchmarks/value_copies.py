"""What keeping the cache apart from nodes costs: ``private_copy`` of typical node values.

The cache copies a node's value when it returns and a cached value when it hands it out, so a
node that changes its input in place (``clf.fit(X)``, ``df.loc[...] = ...``) cannot change what
the cache holds. Per value (median of the repetitions, in ms): ``private_copy``, against what
the disk cache pays for the same value anyway (``pickle.dumps``), and against ``copy.deepcopy``
(the copy one would write without knowing the types). Then one scenario: a 4-node pandas chain
over 1M rows, its last node edited and run again (its input comes from the memory cache and is
copied), ours against a plain Hamilton driver executing the same node with that input given.

Run as ``python benchmarks/value_copies.py [--quick]``; it only prints (and always exits 0).
"""

from __future__ import annotations

import argparse
import copy
import gc
import pickle
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hamilton import driver

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.cache.values import private_copy
from hamilton_nb.jupyter.dataflow import DataflowSession

ROWS = 1_000_000


def values() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(ROWS, 8)), columns=[f"c{i}" for i in range(8)])
    found: dict[str, Any] = {
        "DataFrame 1M x 8 float": frame,
        "DataFrame 200k rows, strings": pd.DataFrame(
            {"name": [f"user-{i}" for i in range(200_000)], "n": np.arange(200_000)}
        ),
        "ndarray 8M float64": rng.normal(size=8_000_000),
        "dict of 100k ints": {f"k{i}": i for i in range(100_000)},
        "list of 1M ints": list(range(ROWS)),
    }
    try:
        from sklearn.linear_model import LinearRegression

        found["fitted LinearRegression"] = LinearRegression().fit(frame.iloc[:1000], range(1000))
    except ImportError:
        pass
    try:
        import polars as pl

        found["polars 1M x 8 float"] = pl.from_pandas(frame)
    except ImportError:
        pass
    return found


def median_ms(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


CHAIN = """
import numpy as np
import pandas as pd

def raw(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.normal(size=(rows, 8)), columns=[f"c{i}" for i in range(8)])

def scaled(raw: pd.DataFrame) -> pd.DataFrame:
    return raw * 2

def shifted(scaled: pd.DataFrame) -> pd.DataFrame:
    return scaled + 1
"""
LAST = "def total(shifted: pd.DataFrame) -> float:\n    return float(shifted['c0'].sum()) + {n}\n"


def scenario(repeats: int) -> tuple[float, float]:
    """(ours, plain) ms for: edit ``total``, run it (its input from the memory cache)."""
    with tempfile.TemporaryDirectory() as directory:
        session = DataflowSession("copies_bench", cache=NodeCache(Path(directory)))
        try:
            session.apply_cell(CHAIN, "chain")
            session.apply_cell(LAST.format(n=0), "last")
            session.run("total", inputs={"rows": ROWS})
            shifted = session.run("shifted", inputs={"rows": ROWS})
            counter = iter(range(1, 10_000))

            def ours() -> None:
                session.apply_cell(LAST.format(n=next(counter)), "last")
                session.run("total", inputs={"rows": ROWS})

            module = types.ModuleType("copies_plain")
            sys.modules[module.__name__] = module  # Hamilton finds functions by their module
            exec(CHAIN + LAST.format(n=0), module.__dict__)
            dr = driver.Builder().with_modules(module).build()

            def plain() -> None:
                dr.execute(["total"], overrides={"shifted": shifted}, inputs={"rows": ROWS})

            return median_ms(ours, repeats), median_ms(plain, repeats)
        finally:
            session.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    repeats = 3 if parser.parse_args().quick else 9
    print(f"{'value':32} {'copy ms':>9} {'pickle ms':>10} {'deepcopy ms':>12} {'copy/pickle':>12}")
    for name, value in values().items():
        ours = median_ms(lambda v=value: private_copy(v), repeats)
        dumps = median_ms(lambda v=value: pickle.dumps(v, protocol=5), repeats)
        deep = median_ms(lambda v=value: copy.deepcopy(v), repeats)
        print(f"{name:32} {ours:9.2f} {dumps:10.2f} {deep:12.2f} {ours / dumps:12.3f}")
    ours, plain = scenario(repeats)
    print()
    print(f"{'scenario':48} {'ours ms':>9} {'plain ms':>9} {'ratio':>7}")
    print(f"{'edit the last of 4 nodes over 1M rows, run it':48} {ours:9.1f} {plain:9.1f}", end="")
    print(f" {ours / plain:7.2f}")


if __name__ == "__main__":
    main()
