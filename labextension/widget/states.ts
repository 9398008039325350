// Node states: a colour (in style.css) and an icon and a word, so colour is never the only cue.
import type { Target } from "./dot";
import type { NodeState, PictureNode, RunMarks } from "./model";

export type StateKey =
  | "fresh"
  | "cached"
  | "stale"
  | "running"
  | "failed"
  | "input"
  | "never"
  | "block"
  | "cell"
  | "group";

export interface State {
  /** The CSS class is ``hnb-state-<key>``. */
  key: StateKey;
  icon: string;
  label: string;
}

// in the legend's order
const BY_KEY: Record<StateKey, State> = {
  fresh: { key: "fresh", icon: "✓", label: "fresh (computed by the last run)" },
  cached: { key: "cached", icon: "●", label: "cached" },
  stale: { key: "stale", icon: "↻", label: "stale (code or inputs changed)" },
  running: { key: "running", icon: "▶", label: "running" },
  failed: { key: "failed", icon: "✗", label: "failed" },
  input: { key: "input", icon: "⇢", label: "input" },
  never: { key: "never", icon: "○", label: "never run" },
  block: { key: "block", icon: "∥", label: "not cached (parallel block: runs per item)" },
  cell: { key: "cell", icon: "▣", label: "collapsed cell (click to open)" },
  group: { key: "group", icon: "▤", label: "folded decorator group (click to open)" },
};

export const STATES: readonly State[] = Object.values(BY_KEY);

const RECORDED: Record<NodeState, StateKey> = {
  fresh: "fresh",
  cached: "cached",
  stale: "stale",
  failed: "failed",
  input: "input",
  "never run": "never",
  "not cached (parallel block)": "block",
};

/** The state to show for a drawn node: a running mark wins over the node's recorded state;
 * a node the picture does not know, or a state it does not name, shows as never run. */
export function stateOf(
  target: Target,
  node: PictureNode | undefined,
  mark: RunMarks[string] | undefined
): State {
  if (target.kind === "cell") return BY_KEY.cell;
  if (target.kind === "group") return BY_KEY.group;
  if (mark === "running") return BY_KEY.running;
  if (mark === "done") return BY_KEY.fresh;
  // the picture is JSON from the kernel: a state this file does not know is not a crash
  const key: StateKey | undefined = node === undefined ? undefined : RECORDED[node.state];
  return BY_KEY[key ?? "never"];
}
