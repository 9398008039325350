"""The cost of the HTTP layer of a dataflow's REST API, and how many requests it answers.

A small dataflow (a 200-row DataFrame built from an input, its total and a summary per group)
is exported with ``--api``; its ``<module>_api.py`` runs under ``uvicorn`` in a process of its
own, as in production. Side by side:

- one request (``POST /nodes/summary``, a Series answered as JSON) against calling the same
  Hamilton driver in the process (``dr.execute``), and ``to_json`` on its value: the
  overhead of HTTP, FastAPI, validation and serialisation;
- the live server of ``%dataflow serve`` (in this process, through the session, whose cache
  answers a repeated request) against ``session.run`` called directly;
- requests per second with 1, 4 and 16 concurrent clients on 127.0.0.1 (each client a
  thread with a kept-alive connection), bounded by a count and a time.

Run as ``python benchmarks/serve.py [--quick]``; it prints two tables.
"""

from __future__ import annotations

import argparse
import importlib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.export.api_app import SessionApi
from hamilton_nb.export.api_server import BackgroundServer
from hamilton_nb.export.api_values import to_json
from hamilton_nb.export.replay import export_session
from hamilton_nb.sessions.session import Session

CELL = '''
import numpy as np
import pandas as pd


def frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` sales in four groups."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"group": rng.integers(0, 4, rows), "amount": rng.random(rows)})


def total(frame: pd.DataFrame) -> float:
    return float(frame["amount"].sum())


def summary(frame: pd.DataFrame) -> pd.Series:
    """Takings per group."""
    return frame.groupby("group")["amount"].sum().round(3)
'''
BODY = {"rows": 200}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timings(call: Callable[[], Any], count: int) -> list[float]:
    """Seconds of each of ``count`` calls, after five to warm up."""
    for _ in range(5):
        call()
    out = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def throughput(url: str, clients: int, limit: int, seconds: float) -> tuple[int, float]:
    """(requests answered, seconds) with ``clients`` threads asking at once, until
    ``limit`` requests in all or ``seconds`` have passed."""
    done = [0] * clients
    stop_at = time.perf_counter() + seconds
    share = limit // clients

    def client(i: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while done[i] < share and time.perf_counter() < stop_at:
                answer = http.post("/nodes/summary", json=BODY)
                assert answer.status_code == 200, answer.text
                done[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done), time.perf_counter() - start


def row(name: str, times: list[float], base: float) -> str:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    return f"| {name} | {median * 1e3:.2f} | {p95 * 1e3:.2f} | {median / base:.1f}x |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    args = parser.parse_args()
    count, limit, seconds = (100, 500, 2.0) if args.quick else (400, 3000, 5.0)
    folder = Path(tempfile.mkdtemp())
    session = Session("bench_flow", None, NodeCache(None))
    session.apply_cell(CELL, "c1")
    export_session(session, folder / "bench_flow.py", "the benchmark", api=True)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench_flow_api:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=folder,
    )
    url = f"http://127.0.0.1:{port}"
    live = BackgroundServer(SessionApi(session), "127.0.0.1", 0)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        sys.path.insert(0, str(folder))
        dr = importlib.import_module("bench_flow_api").dr
        live.start()
        with httpx.Client(base_url=url) as http, httpx.Client(base_url=live.url) as local:
            direct = timings(lambda: dr.execute(["summary"], inputs=BODY), count)
            serialised = timings(lambda: to_json(dr.execute(["summary"], inputs=BODY)), count)
            over_http = timings(lambda: http.post("/nodes/summary", json=BODY), count)
            run = timings(lambda: session.run("summary", BODY), count)
            cached = timings(lambda: local.post("/nodes/summary", json=BODY), count)
        print(f"One request, {count} times (after 5 to warm up); ratio to its group's first row\n")
        print("| path | median ms | p95 ms | ratio |")
        print("| --- | --- | --- | --- |")
        base = statistics.median(direct)
        print(row("generated app: dr.execute in process", direct, base))
        print(row("generated app: dr.execute + to_json", serialised, base))
        print(row("generated app: POST over HTTP (uvicorn process)", over_http, base))
        base = statistics.median(run)
        print(row("live: session.run (cached)", run, base))
        print(row("live: POST over HTTP (%dataflow serve, cached)", cached, base))
        print(
            f"\nThroughput of the generated app under uvicorn (one worker), at most {limit}"
            f" requests or {seconds:.0f} s per row\n"
        )
        print("| clients | requests | seconds | requests/s |")
        print("| --- | --- | --- | --- |")
        for clients in (1, 4, 16):
            answered, took = throughput(url, clients, limit, seconds)
            print(f"| {clients} | {answered} | {took:.2f} | {answered / took:.0f} |")
    finally:
        live.stop()
        server.terminate()
        server.wait(timeout=30)
        session.close()


if __name__ == "__main__":
    main()
