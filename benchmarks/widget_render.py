"""DAG widget render times: the built anywidget module in headless Chromium (Python playwright).

Pictures come from the real code: a ``DataflowSession`` (memory cache) gets N functions in 10
cells (``f_i`` depends on ``f_{i-10}``: ten chains that cross the cells; every third function
also reads an earlier ``f_j``: fan-in; the ten roots read the input ``seed``), runs them all (so
every node is fresh), and ``hamilton_nb.jupyter.picture.describe`` draws it. Two DAG shapes, because
Graphviz's time depends mostly on how many ranks the edges span: ``far`` (``f_j`` anywhere
upstream: long edges) and ``near`` (``f_j`` 1-3 ranks up). Then two changes, each described
again:

* add one node: a new cell ``c10`` defines ``extra(f_5, f_17)`` (new structure, so the DOT the
  widget builds from it changes: a new layout);
* edit one node: a function mid-cell ``c3`` gets a new body, so it and its descendants turn
  stale (same structure, same DOT: the drawing is only restyled).

The page loads ``hamilton_nb/static/widget.js`` from a local ``http.server`` and drives it with
a minimal fake anywidget model (a Map of values, a Map of listeners). Timed with
``performance.now()`` in the page, median of the repetitions, a fresh element each repetition,
after one warm-up per size (the very first render, which loads Graphviz's WebAssembly, is
reported once on its own line):

* first render: ``render({model, el})`` until the SVG with every ``g.node`` is in the DOM;
* update: ``model.set("graph", new)`` + the ``change:graph`` callbacks until the DOM shows it
  (the new node present; the stale nodes' classes set). Add and edit run in sequence on the
  same element: base -> added -> edited.

A second table adds the next painted frame (style recalc, layout and paint of the change), and
a third splits each phase into the widget's steps, found from outside the bundle: the fake
model's ``get`` calls mark where ``draw``/``restyle`` start and end, a wrapped ``innerHTML``
setter marks the SVG insertion (so the time before it is building the DOT and
``engine.layout``), and a wrapped ``getBBox`` sums any geometry reads (each a forced layout
when interleaved with writes). Those probes are only installed for the profiling repetitions,
after the timed ones.

Run as ``python benchmarks/widget_render.py [--quick] [--shape far|near|both]`` (``--quick``: 2
repetitions, no 2,000); needs Debian's ``chromium`` and a built ``widget.js``. It only prints.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, sync_playwright

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.jupyter.picture import Picture, describe

STATIC = Path(__file__).resolve().parents[1] / "hamilton_nb" / "static"
CELLS = 10
EDIT_CELL = 3
ADDED = "extra"
TARGET_N = 1000
TARGET_FIRST_MS = 1000.0
TARGET_UPDATE_MS = 300.0
TIMEOUT_MS = 120_000

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>hamilton_nb widget bench</title></head>
<body style="margin: 0"><div id="host" style="width: 1400px"></div>
<script type="module">
import widget from "/widget.js";

const loadedAt = performance.now();
const graphs = new Map();
let probe = null; // [label, time] events while profiling
let bbox = null; // getBBox totals while profiling

class FakeModel {
  constructor(values) {
    this.values = new Map(Object.entries(values));
    this.listeners = new Map();
    this.sent = [];
  }
  get(name) {
    if (probe !== null) probe.push(["get:" + name, performance.now()]);
    return this.values.get(name);
  }
  set(name, value) { this.values.set(name, value); }
  save_changes() {}
  send(content) { this.sent.push(content); }
  on(event, callback) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(callback);
  }
  off(event, callback) {
    if (callback === undefined) this.listeners.delete(event);
    else this.listeners.get(event)?.delete(callback);
  }
  fire(event) {
    for (const callback of [...(this.listeners.get(event) ?? [])]) callback();
  }
}

// after the next frame is rendered: rAF runs before style/layout/paint, the hop after it
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve(performance.now());
  channel.port2.postMessage(null);
}));

// Resolves with the time `condition` first holds, checked by a MutationObserver (a microtask
// right after the widget's synchronous DOM work, before the browser renders a frame), by
// `check()` (called right after the action) and by a slow fallback timer.
function watch(condition, what) {
  const started = performance.now();
  let done = false;
  let resolve;
  let reject;
  const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
  const stop = () => { done = true; observer.disconnect(); clearInterval(timer); };
  const check = () => {
    if (done) return;
    if (condition()) {
      const now = performance.now();
      stop();
      resolve(now);
    } else if (performance.now() - started > __TIMEOUT__) {
      stop();
      reject(new Error("timed out waiting for " + what));
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.getElementById("host"), { childList: true, subtree: true });
  const timer = setInterval(check, 50);
  return { promise, check };
}

function installProbes() {
  const html = Object.getOwnPropertyDescriptor(Element.prototype, "innerHTML");
  Object.defineProperty(Element.prototype, "innerHTML", {
    configurable: true,
    enumerable: html.enumerable,
    get() { return html.get.call(this); },
    set(value) {
      const svg = probe !== null && typeof value === "string" && value.includes("<svg");
      if (svg) probe.push(["html:start", performance.now()]);
      html.set.call(this, value);
      if (svg) probe.push(["html:end", performance.now()]);
    },
  });
  const getBBox = SVGGraphicsElement.prototype.getBBox;
  SVGGraphicsElement.prototype.getBBox = function (...args) {
    if (bbox === null) return getBBox.apply(this, args);
    const start = performance.now();
    const box = getBBox.apply(this, args);
    const took = performance.now() - start;
    if (bbox.count === 0) bbox.first = took;
    bbox.count += 1;
    bbox.total += took;
    bbox.max = Math.max(bbox.max, took);
    return box;
  };
}

async function phase(condition, what, action, profiled) {
  const watcher = watch(condition, what);
  const t0 = performance.now();
  await action();
  watcher.check();
  const dom = await watcher.promise;
  const frame = await nextFrame();
  const result = { dom: dom - t0, frame: frame - t0 };
  if (profiled) {
    result.events = probe.filter(([, t]) => t >= t0).map(([label, t]) => [label, t - t0]);
    result.bbox = bbox;
    probe = [];
    bbox = { count: 0, total: 0, first: 0, max: 0 };
  }
  return result;
}

async function run(key, expect, profiled) {
  const [base, added, edited] = graphs.get(key);
  if (profiled) {
    probe = [];
    bbox = { count: 0, total: 0, first: 0, max: 0 };
  }
  const el = document.createElement("div");
  document.getElementById("host").append(el);
  const model = new FakeModel({ graph: base, running: {}, selected: "", details: {}, message: {} });
  const count = () => el.querySelectorAll("g.node").length;
  let cleanup = null;
  try {
    const first = await phase(() => count() === expect.base, "first render", async () => {
      cleanup = widget.render({ model, el });
      if (cleanup instanceof Promise) cleanup = await cleanup;
    }, profiled);

    model.set("graph", added);
    const add = await phase(
      // element ids are generated: the added node is found by its tip, which starts with its name
      () => count() === expect.base + 1 && [...el.querySelectorAll("g.node > title")]
        .some((tip) => tip.textContent.startsWith(expect.added + ": ")),
      "the added node",
      () => model.fire("change:graph"),
      profiled,
    );

    model.set("graph", edited);
    const edit = await phase(
      () => el.querySelectorAll("g.node.hnb-state-stale").length === expect.stale,
      "the stale nodes",
      () => model.fire("change:graph"),
      profiled,
    );
    return { first, add, edit };
  } finally {
    if (typeof cleanup === "function") cleanup();
    el.remove();
    probe = null;
    bbox = null;
  }
}

window.bench = {
  loadedAt,
  store(key, pictures) { graphs.set(key, pictures); },
  run,
  installProbes,
};
window.benchReady = true;
</script></body></html>
""".replace("__TIMEOUT__", str(TIMEOUT_MS))


SHAPES = {
    "far": "every third f_i also reads an f_j from anywhere upstream (long edges)",
    "near": "every third f_i also reads an f_j 1-3 ranks up (short edges)",
}


def deps(i: int, shape: str) -> list[str]:
    """``f_i``'s parameters: ``seed`` for the ten roots, else ``f_{i-10}``, and for every third
    function also an earlier ``f_j`` (fan-in across the chains): anywhere upstream (``far``) or
    1 to 3 ranks up (``near``)."""
    if i < CELLS:
        return ["seed"]
    names = [f"f_{i - CELLS}"]
    if i % 3 == 0:
        j = (i * 7) % (i - CELLS) if shape == "far" else max(0, i - CELLS - 1 - (i * 7) % 30)
        names.append(f"f_{j}")
    return list(dict.fromkeys(names))


def function_source(i: int, shape: str, increment: int = 1) -> str:
    names = deps(i, shape)
    params = ", ".join(f"{name}: int" for name in names)
    return f"def f_{i}({params}) -> int:\n    return {' + '.join(names)} + {increment}\n"


def cell_source(n: int, shape: str, cell: int, edited: int | None = None) -> str:
    per = n // CELLS
    return "\n\n".join(
        function_source(i, shape, 2 if i == edited else 1)
        for i in range(cell * per, (cell + 1) * per)
    )


def pictures(n: int, shape: str) -> tuple[list[Picture], dict[str, int]]:
    """The base, added and edited pictures of an N-function dataflow, and what the page
    should show: node counts and the number of stale nodes after the edit."""
    session = DataflowSession(f"bench_widget_{n}", cache=NodeCache(None))
    try:
        for c in range(CELLS):
            session.apply_cell(cell_source(n, shape, c), cell_id=f"c{c}")
        session.run([f"f_{i}" for i in range(n)], inputs={"seed": 1})
        base = describe(session)
        session.apply_cell(
            f"def {ADDED}(f_5: int, f_17: int) -> int:\n    return f_5 + f_17\n", cell_id="c10"
        )
        added = describe(session)
        edited_fn = EDIT_CELL * (n // CELLS) + n // CELLS // 2
        session.apply_cell(cell_source(n, shape, EDIT_CELL, edited_fn), cell_id=f"c{EDIT_CELL}")
        edited = describe(session)
    finally:
        session.close()
    stale = sum(node["state"] == "stale" for node in edited["nodes"])
    if structure(edited) != structure(added):
        print(f"WARNING N={n}: the edit changed the structure, so it relayouts (not a restyle)")
    if stale == 0 or any(node["state"] != "fresh" for node in base["nodes"] if node["cell"]):
        print(f"WARNING N={n}: unexpected states (stale after the edit: {stale})")
    expect = {"base": len(base["nodes"]), "stale": stale, "edges": len(base["edges"])}
    return [base, added, edited], expect


def structure(picture: Picture) -> tuple[Any, ...]:
    """What the widget's DOT is built from: names, types and cells of the nodes, cells, edges."""
    nodes = [(n["name"], n["type"], n["cell"]) for n in picture["nodes"]]
    return nodes, picture["cells"], picture["edges"]


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve the bundle's directory and the bench page on 127.0.0.1 (a free port)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path in ("/", "/bench.html"):
                body = PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def median(runs: list[dict[str, Any]], phase: str, field: str) -> float:
    """Median over the repetitions of one phase's ``dom`` or ``frame`` time."""
    return float(statistics.median(r[phase][field] for r in runs))


def table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(" | ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))


def at(events: list[list[Any]], label: str, after: float = -1.0) -> float | None:
    """The time of the first event ``label`` after ``after``."""
    return next((t for name, t in events if name == label and t > after), None)


def steps(result: dict[str, Any]) -> dict[str, float]:
    """One phase split into the widget's steps, from the probe events (ms since the call).

    ``draw`` reads ``graph`` then ``selected``, builds the DOT, lays it out (``engine.layout``)
    and sets the SVG with ``innerHTML`` only when the DOT changed, then decorates it; ``update``
    (the restyle and the panel) reads ``running`` first, ``details`` after its node and edge
    loops, ``message`` last.
    """
    events = result["events"]
    selected = at(events, "get:selected") or 0.0
    html_start, html_end = at(events, "html:start"), at(events, "html:end")
    restyle = at(events, "get:running") or 0.0
    details = at(events, "get:details", restyle) or restyle
    message = at(events, "get:message", details) or details
    out = {"layout": 0.0, "svg insert": 0.0, "decorate+fit": 0.0, "getBBox": 0.0}
    if html_start is not None and html_end is not None:
        out["layout"] = html_start - selected
        out["svg insert"] = html_end - html_start
        out["decorate+fit"] = restyle - html_end
        out["getBBox"] = result["bbox"]["total"]
    out["restyle"] = details - restyle
    out["panel"] = message - details
    accounted = out["layout"] + out["svg insert"] + out["decorate+fit"] + out["restyle"]
    out["other"] = result["dom"] - accounted - out["panel"]
    out["next frame"] = result["frame"] - result["dom"]
    return out


def report(
    shape: str,
    data: dict[int, tuple[list[Picture], dict[str, int]]],
    results: dict[int, list[dict[str, Any]]],
    profiles: dict[int, list[dict[str, Any]]],
) -> None:
    """The tables of one DAG shape: times, targets, and where the time goes."""
    sizes = list(results)
    print(f"== DAG shape '{shape}': {SHAPES[shape]}")
    for n in sizes:
        pics, expect = data[n]
        print(
            f"{n:,} functions: {expect['base']} nodes (1 input), {expect['edges']} edges, "
            f"picture {len(json.dumps(pics[0])) / 1024:.0f} KB of JSON; "
            f"the edit makes {expect['stale']} nodes stale"
        )
    print()
    header = ["nodes", "first render ms", "update ms (add one node)", "update ms (edit one node)"]
    for title, field in (("until the DOM shows it", "dom"), ("until the next frame", "frame")):
        print(f"{title} (median ms)")
        rows = []
        for n in sizes:
            cells = [f"{median(results[n], p, field):.1f}" for p in ("first", "add", "edit")]
            rows.append([f"{n:,}", *cells])
        table(header, rows)
        print()

    if TARGET_N in results:
        first = median(results[TARGET_N], "first", "dom")
        add = median(results[TARGET_N], "add", "dom")
        edit = median(results[TARGET_N], "edit", "dom")
        print(f"targets at {TARGET_N:,} nodes, shape '{shape}' (DOM times):")
        for label, ms, target in (
            ("first render", first, TARGET_FIRST_MS),
            ("update (add one node)", add, TARGET_UPDATE_MS),
            ("update (edit one node)", edit, TARGET_UPDATE_MS),
        ):
            print(f"  {label} < {target:.0f} ms: {ms:.0f} ms, {verdict(ms < target)}")
        print()

    names = ["layout", "svg insert", "decorate+fit", "getBBox", "restyle", "panel", "other"]
    names.append("next frame")
    print("where the time goes (profiled repetitions, medians, ms). layout: the DOT, then")
    print("engine.layout;")
    print("decorate+fit: from the SVG's insertion to restyle (decorate, fit, applyScale), getBBox")
    print("within it; other: render()'s own DOM, draw's preamble, the await, detecting the change)")
    rows = []
    for n in sizes:
        for key, label in (("first", "first render"), ("add", "add one node"), ("edit", "edit")):
            split = [steps(r[key]) for r in profiles[n]]
            dom = statistics.median(r[key]["dom"] for r in profiles[n])
            cells = [f"{statistics.median(s[name] for s in split):.1f}" for name in names]
            rows.append([f"{n:,}", label, f"{dom:.1f}", *cells])
    table(["nodes", "phase", "DOM total", *names], rows)
    calls = profiles[sizes[-1]][0]["first"]["bbox"]
    if calls["count"]:
        print(
            f"getBBox at {sizes[-1]:,} functions (first render): {calls['count']} calls, first "
            f"{calls['first']:.1f} ms, slowest {calls['max']:.1f} ms, total {calls['total']:.1f} ms"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 repetitions, skip 2,000 nodes")
    parser.add_argument(
        "--shape", choices=[*SHAPES, "both"], default="both", help="DAG shape (default: both)"
    )
    args = parser.parse_args()
    sizes, reps = ([100, 1000], 2) if args.quick else ([100, 1000, 2000], 5)
    shapes = list(SHAPES) if args.shape == "both" else [args.shape]
    if not (STATIC / "widget.js").exists():
        sys.exit(f"no bundle at {STATIC / 'widget.js'}: build the labextension first")
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("no chromium on PATH (apt-get install chromium)")

    load_before = os.getloadavg()[0]
    data = {(shape, n): pictures(n, shape) for shape in shapes for n in sizes}
    logged: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type in ("error", "warning"):
            logged.append(f"console.{msg.type}: {msg.text}")

    with serve(STATIC) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page: Page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("console", on_console)
        page.on("pageerror", lambda error: logged.append(f"pageerror: {error}"))
        page.goto(url)
        page.wait_for_function("window.benchReady === true", timeout=TIMEOUT_MS)
        loaded = page.evaluate("window.bench.loadedAt")
        for (shape, n), (pics, _) in data.items():
            page.evaluate("([key, p]) => window.bench.store(key, p)", [f"{shape}-{n}", pics])

        def run(shape: str, n: int, profiled: bool = False) -> dict[str, Any]:
            result: dict[str, Any] = page.evaluate(
                "([key, expect, profiled]) => window.bench.run(key, expect, profiled)",
                [f"{shape}-{n}", {**data[shape, n][1], "added": ADDED}, profiled],
            )
            return result

        cold_n = TARGET_N if TARGET_N in sizes else sizes[0]
        cold = run(shapes[0], cold_n)
        results: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for key in data:
            run(*key)  # warm-up
            results[key] = [run(*key) for _ in range(reps)]
        page.evaluate("window.bench.installProbes()")
        profiles: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for key in data:
            run(*key, profiled=True)  # warm-up with the probes in place
            profiles[key] = [run(*key, profiled=True) for _ in range(reps)]
        version = browser.version
        browser.close()
    load_after = os.getloadavg()[0]

    size_kb = (STATIC / "widget.js").stat().st_size / 1024
    print(f"DAG widget in headless Chromium {version}: median of {reps} repetitions")
    print(f"page + widget.js ({size_kb:.0f} KB) loaded at {loaded:.0f} ms after navigation start")
    print(
        f"cold first render ({cold_n:,} functions, shape '{shapes[0]}', includes loading "
        f"Graphviz's WebAssembly): {cold['first']['dom']:.0f} ms "
        f"(next frame at {cold['first']['frame']:.0f} ms)"
    )
    cpus = os.cpu_count() or 1
    print(f"1-minute load average: {load_before:.2f} before, {load_after:.2f} after ({cpus} CPUs)")
    if max(load_before, load_after) > cpus / 2:
        print("  (other processes were busy: expect noisy timings)")
    print()
    for shape in shapes:
        report(
            shape,
            {n: data[shape, n] for n in sizes},
            {n: results[shape, n] for n in sizes},
            {n: profiles[shape, n] for n in sizes},
        )
    print("page errors and console errors/warnings:" if logged else "page logged no errors.")
    for line in logged:
        print(f"  {line}")


if __name__ == "__main__":
    main()
