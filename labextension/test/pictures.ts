// Pictures for the tests, shaped as hamilton_nb/jupyter/picture.py describes a session.
import type { NodeState, Picture, PictureNode } from "../widget/model";

/** A picture of ``cells`` ([id, node names] in order), ``inputs`` and ``edges`` ([from, to]);
 * every node is an int, never run unless ``states`` says otherwise. */
export function picture(
  cells: [string, string[]][],
  edges: [string, string][],
  inputs: string[] = [],
  states: Record<string, NodeState> = {}
): Picture {
  const nodes: PictureNode[] = [];
  for (const [cell, names] of cells) {
    for (const name of names) {
      const dependencies = edges.filter(([, to]) => to === name).map(([from]) => from);
      nodes.push({ name, type: "int", cell, state: states[name] ?? "never run", dependencies });
    }
  }
  for (const name of inputs) nodes.push({ name, type: "int", cell: null, state: "input" });
  return { module: "shop", nodes, edges, cells: cells.map(([id, names]) => ({ id, nodes: names })) };
}

/** Cell load: raw -> clean; cell report: clean -> total, clean -> count; rows, an input of raw. */
export const SHOP = picture(
  [
    ["load", ["raw", "clean"]],
    ["report", ["total", "count"]],
  ],
  [
    ["rows", "raw"],
    ["raw", "clean"],
    ["clean", "total"],
    ["clean", "count"],
  ],
  ["rows"]
);
