import assert from "node:assert/strict";
import { test } from "node:test";
import { clickFor } from "../widget/canvas";
import { buildDot } from "../widget/dot";
import { SHOP } from "./pictures";

test("a click on a node selects it by name, through the id map", () => {
  const d = buildDot(SHOP, null, new Set());
  assert.deepEqual(clickFor(d, undefined, "n2"), { kind: "select", name: "total" });
});

test("a click on a cluster's label folds its cell; on a folded cell, opens it", () => {
  const open = buildDot(SHOP, null, new Set());
  assert.deepEqual(clickFor(open, "k1", undefined), { kind: "fold", cell: "report" });
  const folded = buildDot(SHOP, null, new Set(["report"]));
  assert.deepEqual(clickFor(folded, undefined, "c1"), { kind: "open", cell: "report" });
});

test("a click elsewhere, or on an id the drawing does not know, asks for nothing", () => {
  const d = buildDot(SHOP, null, new Set());
  assert.equal(clickFor(d, undefined, undefined), null);
  assert.equal(clickFor(d, undefined, "n99"), null);
  assert.equal(clickFor(d, "k9", "n0"), null);
});

test("a click on a group's label folds it; on a folded group, opens it", () => {
  const p = structuredClone(SHOP);
  for (const n of p.nodes.slice(2, 4)) n.group = "report_fn";
  const open = buildDot(p, null, new Set());
  assert.deepEqual(clickFor(open, "q0", undefined), { kind: "fold-group", group: "report_fn" });
  const folded = buildDot(p, null, new Set(), { folded: new Set(["report_fn"]) });
  assert.deepEqual(clickFor(folded, undefined, "g0"), { kind: "open-group", group: "report_fn" });
});
