import assert from "node:assert/strict";
import { test } from "node:test";
import {
  LEGIBLE_PX, MAX_SCALE, MIN_SCALE, READABLE_PX, centring, fitScale, labelPx, openingScale, shownPart, zoomed,
} from "../widget/view";

test("zooming steps by a quarter and stops at the limits", () => {
  assert.equal(zoomed(1, 1), 1.25);
  assert.equal(zoomed(1.25, -1), 1);
  assert.equal(zoomed(MAX_SCALE, 1), MAX_SCALE);
  assert.equal(zoomed(MIN_SCALE, -1), MIN_SCALE);
});

test("fitting shrinks a drawing (points) to the canvas (pixels) both ways, never enlarges it", () => {
  assert.equal(fitScale({ width: 400, height: 1000 }, 600), 0.5); // 600 pt = 800 px
  assert.equal(fitScale({ width: 400, height: 200 }, 150, 300), 0.5); // 400 px tall in 200
  assert.equal(fitScale({ width: 1000, height: 1000 }, 300, 300), 1);
  assert.equal(fitScale({ width: 500, height: 0 }, 0), 1);
});

test("the first view fits only when labels stay legible, else opens with readable labels", () => {
  assert.equal(openingScale(0.9), 0.9); // 13.2 px labels
  const small = openingScale(0.3); // a fit would draw 4.4 px labels
  assert.ok(Math.abs(labelPx(small) - READABLE_PX) < 1e-9);
  assert.ok(labelPx(openingScale(0.76)) >= LEGIBLE_PX);
});

test("centring scrolls so the box's middle is the canvas's middle, at the scale", () => {
  const room = { width: 400, height: 200 };
  assert.deepEqual(centring({ x: 150, y: 75, width: 0, height: 0 }, room, 1), { left: 0, top: 0 });
  assert.deepEqual(centring({ x: 300, y: 150, width: 0, height: 0 }, room, 1), { left: 200, top: 100 });
  assert.deepEqual(centring({ x: 300, y: 150, width: 0, height: 0 }, room, 0.5), { left: 0, top: 0 });
  assert.deepEqual(shownPart(200, 100, room, 1), { x: 150, y: 75, width: 300, height: 150 });
});
