// Node states, the selection, its lineage and search matches shown on a drawing without a new
// layout: classes, icons and tips change, the geometry does not.
import { Drawing, EdgeEnds, Target, targetLabel } from "./dot";
import { setIfChanged, setTextIfChanged } from "./dom";
import type { PictureNode, RunMarks } from "./model";
import { State, stateOf } from "./states";

/** What the user points at: the selected node, its lineage (null: nothing selected), the search. */
export interface Focus {
  selected: string;
  related: Set<string> | null;
  query: string;
}

// A collapsed cell is never part of a lineage: it dims whenever a node is selected.
function inLineage(target: Target, focus: Focus): boolean {
  return focus.related === null || (target.kind === "node" && focus.related.has(target.name));
}

/** The class attribute of a drawn node. */
export function nodeClass(target: Target, state: State, focus: Focus, changed = false): string {
  const classes = [`node hnb-state-${state.key}`];
  if (changed) classes.push("hnb-changed");
  const name = target.kind === "node" ? target.name : null;
  if (name !== null && name === focus.selected) classes.push("hnb-selected");
  if (!inLineage(target, focus)) classes.push("hnb-dim");
  if (name !== null && focus.query !== "" && name.includes(focus.query)) classes.push("hnb-match");
  return classes.join(" ");
}

/** The class attribute of a drawn edge: dim unless both its ends are in the lineage. */
export function edgeClass(ends: EdgeEnds, focus: Focus): string {
  return inLineage(ends.from, focus) && inLineage(ends.to, focus) ? "edge" : "edge hnb-dim";
}

/** Restyles every node and edge of ``drawing`` in ``canvas``; writes only what changed, as
 * every write makes the browser lay the SVG's text out again. */
export function restyle(
  canvas: HTMLElement,
  drawing: Drawing,
  nodes: Map<string, PictureNode>,
  marks: RunMarks,
  focus: Focus
): void {
  canvas.querySelectorAll("g.node").forEach((g) => {
    const target = drawing.nodes.get(g.id);
    if (target === undefined) return;
    const node = target.kind === "node" ? nodes.get(target.name) : undefined;
    // own keys only: a node may be called ``constructor``
    const mark = target.kind === "node" && Object.hasOwn(marks, target.name) ? marks[target.name] : undefined;
    const state = stateOf(target, node, mark);
    const change = node?.change ? `; value changed: ${node.change}` : "";
    setIfChanged(g, "class", nodeClass(target, state, focus, Boolean(node?.change)));
    setTextIfChanged(g.querySelector("tspan.hnb-icon"), `${state.icon} `);
    setTextIfChanged(g.querySelector("title"), `${targetLabel(target)}: ${state.label}${change}`);
  });
  canvas.querySelectorAll("g.edge").forEach((g) => {
    const ends = drawing.edges.get(g.id);
    if (ends !== undefined) setIfChanged(g, "class", edgeClass(ends, focus));
  });
}
