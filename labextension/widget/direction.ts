// The graph's shape (how many ranks deep, how many nodes across), the layout direction that
// suits it, and moving the selection along edges with the arrow keys.
import type { Direction } from "./dot";
import type { Picture } from "./model";

// The rough size of a node and of the gap between ranks in each direction (points), enough
// to tell which direction gives a drawing closer to the canvas's shape.
const NODE_WIDTH = 120;
const NODE_HEIGHT = 36;
const RANK_GAP = 30;
/** Width over height of the canvas the drawing is shown in. */
export const CANVAS_ASPECT = 1.7;

/** Ranks (the longest path to each node, from 0) of the nodes in ``keep`` (all when null). */
export function ranks(p: Picture, keep: Set<string> | null): Map<string, number> {
  const shown = (name: string) => keep === null || keep.has(name);
  const rank = new Map<string, number>();
  const parents = new Map<string, string[]>();
  for (const [from, to] of p.edges) {
    if (shown(from) && shown(to)) parents.set(to, [...(parents.get(to) ?? []), from]);
  }
  const visit = (name: string): number => {
    const known = rank.get(name);
    if (known !== undefined) return known;
    rank.set(name, 0); // a cycle (never in a DAG) ends here
    let r = 0;
    // iterative enough for real graphs; a deep chain recurses once per rank
    for (const parent of parents.get(name) ?? []) r = Math.max(r, visit(parent) + 1);
    rank.set(name, r);
    return r;
  };
  for (const n of p.nodes) if (shown(n.name)) visit(n.name);
  return rank;
}

/** How many ranks deep and how many nodes the widest rank holds. */
export function shape(p: Picture, keep: Set<string> | null): { depth: number; breadth: number } {
  const perRank = new Map<number, number>();
  for (const r of ranks(p, keep).values()) perRank.set(r, (perRank.get(r) ?? 0) + 1);
  return { depth: perRank.size, breadth: Math.max(0, ...perRank.values()) };
}

/** Top to bottom for deep graphs, left to right for wide shallow ones: the direction whose
 * drawing is closer in shape to the canvas. */
export function direction(p: Picture, keep: Set<string> | null, aspect = CANVAS_ASPECT): Direction {
  const { depth, breadth } = shape(p, keep);
  if (depth === 0) return "TB";
  const down = (breadth * NODE_WIDTH) / (depth * (NODE_HEIGHT + RANK_GAP));
  const across = (depth * (NODE_WIDTH + RANK_GAP)) / (breadth * NODE_HEIGHT);
  const off = (ratio: number) => Math.abs(Math.log(ratio / aspect));
  return off(across) < off(down) ? "LR" : "TB";
}

export type Arrow = "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight";

/** The node an arrow key selects from ``selected``: along the edges (down or right in the
 * layout's direction: a node that depends on it; up or left: one it depends on), across them
 * (the next sibling: another node depending on the same parent); ``names`` are the drawn
 * nodes. With nothing selected, the first drawn node. */
export function moveSelection(
  p: Picture,
  selected: string,
  arrow: Arrow,
  rankdir: Direction,
  names: string[]
): string {
  const drawn = new Set(names);
  if (!drawn.has(selected)) return names[0] ?? "";
  const forward = rankdir === "TB" ? "ArrowDown" : "ArrowRight";
  const backward = rankdir === "TB" ? "ArrowUp" : "ArrowLeft";
  const children = p.edges.filter(([from, to]) => from === selected && drawn.has(to)).map(([, to]) => to);
  const parents = p.edges.filter(([from, to]) => to === selected && drawn.has(from)).map(([from]) => from);
  if (arrow === forward) return children[0] ?? selected;
  if (arrow === backward) return parents[0] ?? selected;
  // across: the siblings under the first parent (or the roots), in order
  const siblings =
    parents.length > 0
      ? p.edges.filter(([from, to]) => from === parents[0] && drawn.has(to)).map(([, to]) => to)
      : names.filter((n) => !p.edges.some(([from, to]) => to === n && drawn.has(from)));
  const at = siblings.indexOf(selected);
  const by = arrow === (rankdir === "TB" ? "ArrowRight" : "ArrowDown") ? 1 : -1;
  return siblings[(at + by + siblings.length) % siblings.length] ?? selected;
}
