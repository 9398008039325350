// Node states: a colour (in style.css) and an icon and a word, so colour is never the only cue.
import type { PictureNode } from "./dot";

export interface State {
  key: string;
  icon: string;
  label: string;
}

export const STATES: State[] = [
  { key: "fresh", icon: "✓", label: "fresh (computed by the last run)" },
  { key: "cached", icon: "●", label: "cached" },
  { key: "stale", icon: "↻", label: "stale (code or inputs changed)" },
  { key: "running", icon: "▶", label: "running" },
  { key: "failed", icon: "✗", label: "failed" },
  { key: "input", icon: "⇢", label: "input" },
  { key: "never", icon: "○", label: "never run" },
  { key: "cell", icon: "▣", label: "collapsed cell (click to open)" },
];

const BY_KEY = new Map(STATES.map((s) => [s.key, s]));

/** The state to show: a running mark wins over the node's recorded state. */
export function stateOf(node: PictureNode | undefined, running: string | undefined, name: string): State {
  if (name.startsWith("cell:")) return BY_KEY.get("cell")!;
  if (running === "running") return BY_KEY.get("running")!;
  if (running === "done") return BY_KEY.get("fresh")!;
  const key = node === undefined ? "never" : node.state === "never run" ? "never" : node.state;
  return BY_KEY.get(key) ?? BY_KEY.get("never")!;
}
