import assert from "node:assert/strict";
import { test } from "node:test";
import type { Target } from "../widget/dot";
import type { NodeState, PictureNode } from "../widget/model";
import { STATES, stateOf } from "../widget/states";

const TOTAL: Target = { kind: "node", name: "total" };
const node = (state: NodeState): PictureNode => ({ name: "total", type: "int", cell: "c", state });

test("a node shows its recorded state, 'never run' as never", () => {
  const cases: [NodeState, string][] = [
    ["fresh", "fresh"],
    ["cached", "cached"],
    ["stale", "stale"],
    ["failed", "failed"],
    ["input", "input"],
    ["never run", "never"],
    ["not cached (parallel block)", "block"],
  ];
  for (const [recorded, shown] of cases) assert.equal(stateOf(TOTAL, node(recorded), undefined).key, shown);
});

test("a run's marks win over the recorded state: running, then fresh when done", () => {
  assert.equal(stateOf(TOTAL, node("stale"), "running").key, "running");
  assert.equal(stateOf(TOTAL, node("failed"), "done").key, "fresh");
});

test("a node the picture does not know, or a state it does not name, shows as never run", () => {
  assert.equal(stateOf(TOTAL, undefined, undefined).key, "never");
  assert.equal(stateOf(TOTAL, { ...node("fresh"), state: "odd" as NodeState }, undefined).key, "never");
});

test("a collapsed cell shows as a cell, whatever the marks", () => {
  assert.equal(stateOf({ kind: "cell", cell: "c" }, undefined, "running").key, "cell");
});

test("the legend lists every state once, each with an icon and a word", () => {
  const legend = ["fresh", "cached", "stale", "running", "failed", "input", "never", "block", "cell", "group"];
  assert.deepEqual(STATES.map((s) => s.key), legend);
  for (const s of STATES) assert.ok(s.icon !== "" && s.label !== "");
});
