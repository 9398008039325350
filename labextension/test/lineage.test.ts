import assert from "node:assert/strict";
import { test } from "node:test";
import { lineage } from "../widget/lineage";
import { SHOP, picture } from "./pictures";

const sorted = (names: Set<string>) => [...names].sort();

test("a node's lineage is itself, what it depends on and what depends on it", () => {
  assert.deepEqual(sorted(lineage(SHOP, "clean")), ["clean", "count", "raw", "rows", "total"]);
});

test("a lineage leaves out the other branches of a shared ancestor", () => {
  assert.deepEqual(sorted(lineage(SHOP, "total")), ["clean", "raw", "rows", "total"]);
});

test("a lineage walks through diamonds once and stops at the graph's ends", () => {
  const diamond = picture([["c", ["a", "b", "c", "d"]]], [["a", "b"], ["a", "c"], ["b", "d"], ["c", "d"]]);
  assert.deepEqual(sorted(lineage(diamond, "b")), ["a", "b", "d"]);
  assert.deepEqual(sorted(lineage(diamond, "a")), ["a", "b", "c", "d"]);
});

test("hyphenated names are walked as whole names", () => {
  const p = picture([["cell-1", ["a-b", "b-c", "b"]]], [["a-b", "b-c"]]);
  assert.deepEqual(sorted(lineage(p, "b-c")), ["a-b", "b-c"]);
  assert.deepEqual(sorted(lineage(p, "b")), ["b"]);
});

test("a name the picture does not know is its own lineage", () => {
  assert.deepEqual(sorted(lineage(SHOP, "gone")), ["gone"]);
});
