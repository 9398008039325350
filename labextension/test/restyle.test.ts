import assert from "node:assert/strict";
import { test } from "node:test";
import type { Target } from "../widget/dot";
import { edgeClass, nodeClass } from "../widget/restyle";
import { STATES } from "../widget/states";

const FRESH = STATES.find((s) => s.key === "fresh")!;
const CELL = STATES.find((s) => s.key === "cell")!;
const node = (name: string): Target => ({ kind: "node", name });
const cell: Target = { kind: "cell", cell: "load" };
const none = { selected: "", related: null, query: "" };
const onTotal = { selected: "total", related: new Set(["total", "clean"]), query: "" };

test("a node's class names its state; nothing else when nothing is selected or searched", () => {
  assert.equal(nodeClass(node("total"), FRESH, none), "node hnb-state-fresh");
  assert.equal(nodeClass(node("total"), FRESH, none, true), "node hnb-state-fresh hnb-changed");
  assert.equal(nodeClass(cell, CELL, none), "node hnb-state-cell");
});

test("the selected node is marked, its lineage is not dimmed, the rest is", () => {
  assert.equal(nodeClass(node("total"), FRESH, onTotal), "node hnb-state-fresh hnb-selected");
  assert.equal(nodeClass(node("clean"), FRESH, onTotal), "node hnb-state-fresh");
  assert.equal(nodeClass(node("count"), FRESH, onTotal), "node hnb-state-fresh hnb-dim");
  assert.equal(nodeClass(cell, CELL, onTotal), "node hnb-state-cell hnb-dim");
});

test("a search marks the nodes whose name holds it", () => {
  const search = { ...none, query: "ot" };
  assert.equal(nodeClass(node("total"), FRESH, search), "node hnb-state-fresh hnb-match");
  assert.equal(nodeClass(node("count"), FRESH, search), "node hnb-state-fresh");
});

test("an edge dims unless both its ends are in the lineage", () => {
  assert.equal(edgeClass({ from: node("clean"), to: node("total") }, onTotal), "edge");
  assert.equal(edgeClass({ from: node("clean"), to: node("count") }, onTotal), "edge hnb-dim");
  assert.equal(edgeClass({ from: cell, to: node("total") }, onTotal), "edge hnb-dim");
  assert.equal(edgeClass({ from: node("clean"), to: node("count") }, none), "edge");
});
