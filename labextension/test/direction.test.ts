import assert from "node:assert/strict";
import { test } from "node:test";
import { direction, moveSelection, shape } from "../widget/direction";
import { openingNodes } from "../widget/focus";
import { SHOP, picture } from "./pictures";

const chain = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);
const deep = picture([["c", chain(30)]], chain(29).map((f, i) => [f, `f${i + 1}`] as [string, string]));
const wide = picture([["c", ["root", ...chain(30)]]], chain(30).map((f) => ["root", f] as [string, string]));

test("the graph's shape is its number of ranks and its widest rank", () => {
  assert.deepEqual(shape(SHOP, null), { depth: 4, breadth: 2 }); // rows, raw, clean, total+count
  assert.deepEqual(shape(deep, null), { depth: 30, breadth: 1 });
  assert.deepEqual(shape(wide, null), { depth: 2, breadth: 30 });
});

test("deep graphs are laid out top to bottom, wide shallow ones left to right", () => {
  assert.equal(direction(deep, null), "TB");
  assert.equal(direction(wide, null), "LR");
});

test("arrow keys follow edges in the layout's direction, and move across siblings", () => {
  const names = SHOP.nodes.map((n) => n.name);
  assert.equal(moveSelection(SHOP, "raw", "ArrowDown", "TB", names), "clean");
  assert.equal(moveSelection(SHOP, "clean", "ArrowUp", "TB", names), "raw");
  assert.equal(moveSelection(SHOP, "clean", "ArrowRight", "LR", names), "total");
  assert.equal(moveSelection(SHOP, "total", "ArrowRight", "TB", names), "count");
  assert.equal(moveSelection(SHOP, "count", "ArrowRight", "TB", names), "total"); // wraps
  assert.equal(moveSelection(SHOP, "total", "ArrowDown", "TB", names), "total"); // a leaf stays
  assert.equal(moveSelection(SHOP, "", "ArrowDown", "TB", names), "raw"); // nothing selected
});

test("the first view opens on the selection, else on what just changed, else the last cell", () => {
  assert.deepEqual(openingNodes(null, SHOP, "clean"), ["clean"]);
  assert.deepEqual(openingNodes(null, SHOP, ""), ["total", "count"]);
  const added = picture([["load", ["raw", "clean"]], ["report", ["total", "count", "mean"]]], [], ["rows"]);
  assert.deepEqual(openingNodes(SHOP, added, ""), ["mean"]);
  const edited = structuredClone(SHOP);
  edited.nodes[1].state = "stale";
  assert.deepEqual(openingNodes(SHOP, edited, ""), ["clean"]);
});
