import assert from "node:assert/strict";
import { test } from "node:test";
import { boxOfPairs, numbers, translation, union } from "../widget/geometry";

test("a node's box is read from its path or polygon, without the browser's layout", () => {
  assert.deepEqual(numbers("M46.5,-36C46.5,-36 12,-36 12,-36 6,-36 0,-30 0,-24"), [46.5, -36, 46.5, -36, 12, -36, 12, -36, 6, -36, 0, -30, 0, -24]);
  assert.deepEqual(boxOfPairs(numbers("54,-36 0,-36 0,0 54,0 54,-36")), { x: 0, y: -36, width: 54, height: 36 });
  assert.equal(boxOfPairs([]), null);
});

test("Graphviz's shift of its top group puts y-up coordinates in the drawing", () => {
  assert.deepEqual(translation("scale(1 1) rotate(0) translate(4 256)"), [4, 256]);
  assert.deepEqual(translation("translate(4,100.5)"), [4, 100.5]);
  assert.deepEqual(translation(null), [0, 0]);
});

test("the box around boxes holds all of them", () => {
  const a = { x: 0, y: 0, width: 10, height: 10 };
  const b = { x: 20, y: -5, width: 5, height: 5 };
  assert.deepEqual(union([a, b]), { x: 0, y: -5, width: 25, height: 15 });
  assert.equal(union([]), null);
});
