import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_SCALE, MIN_SCALE, centring, fitScale, zoomed } from "../widget/view";

test("zooming steps by a quarter and stops at the limits", () => {
  assert.equal(zoomed(1, 1), 1.25);
  assert.equal(zoomed(1.25, -1), 1);
  assert.equal(zoomed(MAX_SCALE, 1), MAX_SCALE);
  assert.equal(zoomed(MIN_SCALE, -1), MIN_SCALE);
});

test("fitting shrinks a wide drawing to the canvas and never enlarges a narrow one", () => {
  assert.equal(fitScale(500, 1000), 0.5);
  assert.equal(fitScale(1000, 500), 1);
  assert.equal(fitScale(500, 0), 1);
});

test("centring scrolls by the box's distance from the canvas's middle", () => {
  const area = { left: 100, top: 50, width: 400, height: 200 };
  assert.deepEqual(centring({ left: 290, top: 140, width: 20, height: 20 }, area), { left: 0, top: 0 });
  assert.deepEqual(centring({ left: 690, top: 40, width: 20, height: 20 }, area), { left: 400, top: -100 });
});
