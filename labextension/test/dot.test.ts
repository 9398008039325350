import assert from "node:assert/strict";
import { test } from "node:test";
import { Drawing, LABEL_CHARS, LARGE, ORTHOGONAL, buildDot, drawingFor, elementOf, quote, shorten, targetLabel } from "../widget/dot";
import { SHOP, picture } from "./pictures";

const ALL = { lineageOnly: false, collapsed: new Set<string>() };
const lines = (dot: string) => dot.split("\n");
const node = (name: string) => ({ kind: "node", name });
const names = (d: Drawing) => [...d.nodes.values()].map(targetLabel);

test("the full view draws each cell as a cluster with an id, inputs outside as ellipses", () => {
  const d = buildDot(SHOP, null, new Set());
  assert.deepEqual(lines(d.dot), [
    "digraph dataflow {",
    "graph [nodesep=0.25 rankdir=TB ranksep=0.4 splines=ortho]",
    'node [fontname=Helvetica fontsize=11 shape=box style="rounded,filled"]',
    "subgraph cluster_0 {",
    'id=k0 label="cell load" style=dashed fontsize=11 fontname=Helvetica',
    'n0 [id=n0 label="raw\\nint"]',
    'n1 [id=n1 label="clean\\nint"]',
    "}",
    "subgraph cluster_1 {",
    'id=k1 label="cell report" style=dashed fontsize=11 fontname=Helvetica',
    'n2 [id=n2 label="total\\nint"]',
    'n3 [id=n3 label="count\\nint"]',
    "}",
    'n4 [id=n4 label="rows\\nint" shape=ellipse]',
    "n4 -> n0 [id=e0]",
    "n0 -> n1 [id=e1]",
    "n1 -> n2 [id=e2]",
    "n1 -> n3 [id=e3]",
    "}",
  ]);
});

test("the id maps give back each element's node, cell or ends", () => {
  const d = buildDot(SHOP, null, new Set());
  assert.deepEqual([...d.nodes], [
    ["n0", { kind: "node", name: "raw" }],
    ["n1", { kind: "node", name: "clean" }],
    ["n2", { kind: "node", name: "total" }],
    ["n3", { kind: "node", name: "count" }],
    ["n4", { kind: "node", name: "rows" }],
  ]);
  assert.deepEqual([...d.clusters], [["k0", "load"], ["k1", "report"]]);
  assert.deepEqual(d.edges.get("e2"), { from: node("clean"), to: node("total") });
  assert.equal(elementOf(d, "total"), "n2");
  assert.equal(elementOf(d, "gone"), undefined);
});

test("hyphenated names and cell ids stay whole: no id is made from a name", () => {
  const p = picture([["cell-a-1", ["x-y", "y-z"]]], [["x-y", "y-z"]], ["in-put"]);
  const d = buildDot(p, null, new Set(["nothing"]));
  assert.deepEqual(names(d), ["x-y", "y-z", "in-put"]);
  assert.deepEqual([...d.clusters.values()], ["cell-a-1"]);
  assert.deepEqual(d.edges.get("e0"), { from: node("x-y"), to: node("y-z") });
  const folded = buildDot(p, null, new Set(["cell-a-1"]));
  assert.deepEqual(folded.nodes.get("c0"), { kind: "cell", cell: "cell-a-1" });
  const ids = [...d.nodes.keys(), ...d.clusters.keys(), ...d.edges.keys()];
  for (const id of ids) assert.match(id, /^[nkce]\d+$/);
});

test("quotes and backslashes in names and types are escaped for DOT", () => {
  assert.equal(quote('say "hi"'), '"say \\"hi\\""');
  assert.equal(quote("a\\b"), '"a\\\\b"');
  assert.equal(quote('\\"'), '"\\\\\\""'); // a backslash then a quote: neither ends the string
  assert.equal(quote("name", "type"), '"name\\ntype"'); // Graphviz's line break
  assert.equal(quote("a\\", "n"), '"a\\\\\\nn"'); // a name ending in a backslash keeps it
  const p = picture([["c", ['odd"name\\']]], []);
  p.nodes[0].type = 'Literal["a\\N"]';
  const line = 'n0 [id=n0 label="odd\\"name\\\\\\nLiteral[\\"a\\\\N\\"]"]';
  assert.ok(buildDot(p, null, new Set()).dot.includes(line));
});

test("the lineage-only view keeps the selected node's lineage and the cells that hold it", () => {
  const d = drawingFor(SHOP, { lineageOnly: true, collapsed: new Set() }, "total");
  assert.deepEqual(names(d), ["raw", "clean", "total", "rows"]);
  assert.deepEqual([...d.clusters.values()], ["load", "report"]);
  assert.equal(d.edges.size, 3); // not clean -> count
  const alone = picture([["c1", ["a"]], ["c2", ["b"]]], []);
  const a = drawingFor(alone, { lineageOnly: true, collapsed: new Set() }, "a");
  assert.deepEqual([...a.clusters.values()], ["c1"]);
});

test("the lineage-only view with nothing selected, or the full view, draws everything", () => {
  const full = buildDot(SHOP, null, new Set()).dot;
  assert.equal(drawingFor(SHOP, { lineageOnly: true, collapsed: new Set() }, "").dot, full);
  assert.equal(drawingFor(SHOP, ALL, "total").dot, full);
});

test("a collapsed cell is one node; its edges join once, none inside it", () => {
  const d = buildDot(SHOP, null, new Set(["report"]));
  assert.ok(d.dot.includes('c1 [id=c1 label="cell report\\n2 nodes"]'));
  assert.deepEqual([...d.clusters.values()], ["load"]);
  assert.equal(elementOf(d, "total"), undefined);
  const toCell = [...d.edges.values()].filter((e) => e.to.kind === "cell");
  assert.deepEqual(toCell, [{ from: node("clean"), to: { kind: "cell", cell: "report" } }]);
  const inside = buildDot(SHOP, null, new Set(["load"]));
  assert.deepEqual([...inside.edges.values()].map((e) => [e.from, e.to].map((t) => t.kind)), [
    ["node", "cell"], // rows -> load
    ["cell", "node"],
    ["cell", "node"],
  ]);
});

test("the collapsed and lineage-only views combine", () => {
  const d = drawingFor(SHOP, { lineageOnly: true, collapsed: new Set(["load"]) }, "total");
  assert.deepEqual([...d.nodes.values()], [
    { kind: "cell", cell: "load" },
    { kind: "node", name: "total" },
    { kind: "node", name: "rows" },
  ]);
  assert.deepEqual([...d.edges.keys()], ["e0", "e1"]); // rows -> load -> total, not -> count
});

test("the DOT does not change with states, so a run restyles without a new layout", () => {
  const ran = structuredClone(SHOP);
  for (const n of ran.nodes) if (n.cell !== null) n.state = "fresh";
  assert.equal(buildDot(ran, null, new Set()).dot, buildDot(SHOP, null, new Set()).dot);
});

test("cells are named by the label the kernel gives (prompt and functions), else by their id", () => {
  const named = structuredClone(SHOP);
  named.cells[0].label = "In [3] · raw, clean";
  const d = lines(buildDot(named, null, new Set()).dot);
  assert.ok(d.includes('id=k0 label="In [3] · raw, clean" style=dashed fontsize=11 fontname=Helvetica'));
  assert.ok(d.includes('id=k1 label="cell report" style=dashed fontsize=11 fontname=Helvetica'));
  const folded = lines(buildDot(named, null, new Set(["load"])).dot);
  assert.ok(folded.includes('c0 [id=c0 label="In [3] · raw, clean\\n2 nodes"]'), folded.join("\n"));
});

test("a node whose value the latest run changed shows the gist on a third line", () => {
  const ran = structuredClone(SHOP);
  ran.nodes[1].change = 'rows 9 → 5; "a" dropped';
  const d = lines(buildDot(ran, null, new Set()).dot);
  assert.ok(d.includes('n1 [id=n1 label="clean\\nint\\nΔ rows 9 → 5; \\"a\\" dropped"]'), d.join("\n"));
  assert.ok(d.includes('n0 [id=n0 label="raw\\nint"]')); // unchanged: two lines, as before
});

test("a small graph's edges are orthogonal, a big one's splines (the router's time)", () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `f_${i}`);
  assert.ok(buildDot(picture([["c", names(ORTHOGONAL)]], []), null, new Set()).dot.includes("splines=ortho"));
  assert.ok(!buildDot(picture([["c", names(ORTHOGONAL + 1)]], []), null, new Set()).dot.includes("splines"));
});

test("a big graph gets fewer layout passes so that it lays out in time", () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `f_${i}`);
  const big = buildDot(picture([["c", names(LARGE + 1)]], []), null, new Set()).dot;
  const small = buildDot(picture([["c", names(LARGE)]], []), null, new Set()).dot;
  assert.ok(big.includes("graph [mclimit=0.2 nslimit=2 nslimit1=2]"));
  assert.ok(!small.includes("mclimit"));
});

test("cell ids and names with a trailing backslash, a quote or a line break stay inside their strings", () => {
  assert.equal(quote("cell a\\"), '"cell a\\\\"'); // not \" : the string still ends
  assert.equal(quote("two\nlines"), '"two\\nlines"'); // Graphviz's line break, not a raw one
  assert.equal(quote("cr\r\nlf\r"), '"cr\\nlf\\n"');
  const p = picture([["a\\", ["x"]], ['q"', ["y\\"]], ["two\nlines", ["z"]]], []);
  const d = buildDot(p, null, new Set());
  assert.ok(d.dot.includes('id=k0 label="cell a\\\\" '));
  assert.ok(d.dot.includes('id=k1 label="cell q\\"" '));
  assert.ok(d.dot.includes('id=k2 label="cell two\\nlines" '));
  assert.ok(d.dot.includes('n1 [id=n1 label="y\\\\\\nint"]'));
  assert.ok(!/[\r]/.test(d.dot) && d.dot.split("\n").every((l) => !l.includes("cell two\n")));
  assert.deepEqual([...d.clusters.values()], ["a\\", 'q"', "two\nlines"]);
  const folded = buildDot(p, null, new Set(["a\\"]));
  assert.ok(folded.dot.includes('c0 [id=c0 label="cell a\\\\\\n1 nodes"]'));
});

/** customers and its columns a, b (one group), then total of a; inputs n. */
function extracted(): ReturnType<typeof picture> {
  const p = picture([["load", ["customers", "a", "b"]], ["report", ["total"]]], [
    ["n", "customers"], ["customers", "a"], ["customers", "b"], ["a", "total"],
  ], ["n"]);
  for (const n of p.nodes.slice(0, 3)) {
    n.group = "customers";
    n.origin = { function: "customers", decorators: ["extract_columns"], text: "", source_line: null };
  }
  return p;
}

test("the nodes of one decorated function are a cluster inside their cell, named by it", () => {
  const d = buildDot(extracted(), null, new Set());
  const dot = lines(d.dot);
  assert.ok(dot.includes('id=q0 label="customers · @extract_columns" style="rounded,dotted" fontsize=11 fontname=Helvetica'), d.dot);
  assert.deepEqual([...d.groups], [["q0", "customers"]]);
  assert.ok(dot.indexOf("subgraph cluster_g0 {") > dot.indexOf("subgraph cluster_0 {"));
});

test("a folded group is one node; edges to its nodes join it once", () => {
  const d = buildDot(extracted(), null, new Set(), { folded: new Set(["customers"]) });
  assert.deepEqual(d.nodes.get("g0"), { kind: "group", group: "customers" });
  assert.ok(d.dot.includes('g0 [id=g0 label="customers · @extract_columns\\n3 nodes"]'));
  assert.equal(elementOf(d, "a"), undefined);
  assert.equal(d.drawnAs.get("a"), "g0"); // the first view can still open on it
  assert.deepEqual([...d.edges.values()].map((e) => [targetLabel(e.from), targetLabel(e.to)]), [
    ["n", "customers (folded)"],
    ["customers (folded)", "total"],
  ]);
});

test("long names and types are shortened in the middle; short ones are kept", () => {
  assert.equal(shorten("short_name"), "short_name");
  const long = "a_very_long_node_name_that_goes_on_and_on";
  assert.equal(shorten(long).length, LABEL_CHARS);
  assert.equal(shorten(long), "a_very_long_node_n…on_and_on");
});

test("the direction is the view's, else the one the graph's shape suits", () => {
  assert.ok(buildDot(SHOP, null, new Set(), { rankdir: "LR" }).dot.includes("rankdir=LR"));
  assert.equal(drawingFor(SHOP, { ...ALL, rankdir: "LR" }, "").rankdir, "LR");
});

test("a function that config turns off is drawn greyed in its cell, with the condition", () => {
  const p = extracted();
  p.disabled = [{ function: "total__fitted", cell: "report", condition: "score=fitted" }];
  const d = buildDot(p, null, new Set());
  assert.ok(d.dot.includes('d0 [id=d0 label="total__fitted\\ndisabled by config\\n(score=fitted)" style="rounded,dashed"'), d.dot);
});
