// DOT for Graphviz from the picture Python sends, and the maps from the drawing's element ids
// back to what they show. The ids are generated (n0, c0, k0, e0), never names: names and cell
// ids may hold any character, so a click or a restyle finds its node through the maps, not by
// parsing ids or labels.
import { lineage } from "./lineage";
import type { Picture, PictureCell, PictureNode } from "./model";

/** What a drawn node stands for: a node of the graph, or a collapsed cell. */
export type Target = { kind: "node"; name: string } | { kind: "cell"; cell: string };

export interface EdgeEnds {
  from: Target;
  to: Target;
}

export interface Drawing {
  dot: string;
  /** The id of each g.node element -> what it draws. */
  nodes: Map<string, Target>;
  /** The id of each g.cluster element (an open cell) -> the cell's id. */
  clusters: Map<string, string>;
  /** The id of each g.edge element -> the ends it joins. */
  edges: Map<string, EdgeEnds>;
}

/** What the user chose to see: a node's lineage only, and cells folded into one node each. */
export interface View {
  lineageOnly: boolean;
  collapsed: Set<string>;
}

/** Above this many drawn nodes, Graphviz makes fewer crossing-reduction and network-simplex
 * passes, so a 1,000-node graph lays out in about a second. */
export const LARGE = 300;

/** A DOT string literal of ``lines``, joined by Graphviz's line break. Every name, type and
 * cell id reaches DOT through here. Graphviz reads ``\`` as an escape (``\N`` is the node's
 * name; an odd one before the closing quote is a syntax error), so backslashes are doubled,
 * then quotes escaped, and a line break inside a line (``\n``, ``\r``) becomes Graphviz's own. */
export function quote(...lines: string[]): string {
  const escaped = lines.map((line) =>
    line.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, "\\n")
  );
  return `"${escaped.join("\\n")}"`;
}

/** How a cell is named on the drawing: as the user knows it (its prompt and first functions,
 * made by the kernel), or by its id from a kernel that does not say. */
function cellName(cell: PictureCell): string {
  return cell.label ?? `cell ${cell.id}`;
}

/** A node's DOT line: its name and type, and, when the latest run changed its value, a third
 * line with the gist of the change (restyle.ts outlines such nodes). */
function nodeLine(id: string, n: PictureNode, shape = ""): string {
  const lines = n.change ? [n.name, n.type, `Δ ${n.change}`] : [n.name, n.type];
  return `${id} [id=${id} label=${quote(...lines)}${shape}]`;
}

/** DOT for the nodes in ``keep`` (all when null), each cell as a cluster, the cells in
 * ``collapsed`` as one node each, inputs outside any cell. */
export function buildDot(p: Picture, keep: Set<string> | null, collapsed: Set<string>): Drawing {
  const nodes = new Map<string, Target>();
  const clusters = new Map<string, string>();
  const edges = new Map<string, EdgeEnds>();
  const drawnAs = new Map<string, { id: string; target: Target }>(); // by node name
  const place = (id: string, target: Target, names: string[]) => {
    nodes.set(id, target);
    for (const name of names) drawnAs.set(name, { id, target });
  };
  const index = new Map(p.nodes.map((n, at) => [n.name, at]));
  const shown = (name: string) => keep === null || keep.has(name);
  const body: string[] = [];
  p.cells.forEach((cell, i) => {
    if (collapsed.has(cell.id)) {
      place(`c${i}`, { kind: "cell", cell: cell.id }, cell.nodes);
      body.push(`c${i} [id=c${i} label=${quote(cellName(cell), `${cell.nodes.length} nodes`)}]`);
      return;
    }
    const members = cell.nodes.flatMap((name) => (shown(name) ? (index.get(name) ?? []) : []));
    if (members.length === 0) return;
    clusters.set(`k${i}`, cell.id);
    body.push(`subgraph cluster_${i} {`);
    body.push(`id=k${i} label=${quote(cellName(cell))} style=dashed fontsize=10 fontname=Helvetica`);
    for (const at of members) {
      place(`n${at}`, { kind: "node", name: p.nodes[at].name }, [p.nodes[at].name]);
      body.push(nodeLine(`n${at}`, p.nodes[at]));
    }
    body.push("}");
  });
  p.nodes.forEach((n, at) => {
    if (n.cell !== null || !shown(n.name)) return;
    place(`n${at}`, { kind: "node", name: n.name }, [n.name]);
    body.push(nodeLine(`n${at}`, n, " shape=ellipse"));
  });
  const joined = new Set<string>();
  for (const [from, to] of p.edges) {
    const a = shown(from) ? drawnAs.get(from) : undefined;
    const b = shown(to) ? drawnAs.get(to) : undefined;
    // inside one collapsed cell, or twice between the same two: one arrow or none
    if (a === undefined || b === undefined || a.id === b.id || joined.has(`${a.id} ${b.id}`)) continue;
    joined.add(`${a.id} ${b.id}`);
    const id = `e${edges.size}`;
    edges.set(id, { from: a.target, to: b.target });
    body.push(`${a.id} -> ${b.id} [id=${id}]`);
  }
  const head = [
    "digraph dataflow {",
    "graph [nodesep=0.25 rankdir=TB ranksep=0.4]",
    'node [fontname=Helvetica fontsize=11 shape=box style="rounded,filled"]',
  ];
  if (nodes.size > LARGE) head.push("graph [mclimit=0.2 nslimit=2 nslimit1=2]");
  return { dot: [...head, ...body, "}"].join("\n"), nodes, clusters, edges };
}

/** The drawing for the user's view: with ``selected``'s lineage only when asked for. */
export function drawingFor(p: Picture, view: View, selected: string): Drawing {
  const keep = view.lineageOnly && selected !== "" ? lineage(p, selected) : null;
  return buildDot(p, keep, view.collapsed);
}

/** The element that draws node ``name``, if it is drawn on its own. */
export function elementOf(drawing: Drawing, name: string): string | undefined {
  for (const [id, target] of drawing.nodes) {
    if (target.kind === "node" && target.name === name) return id;
  }
  return undefined;
}

/** How a drawn node is named to the user: a node by its name, a collapsed cell as "cell <id>". */
export function targetLabel(target: Target): string {
  return target.kind === "node" ? target.name : `cell ${target.cell}`;
}
