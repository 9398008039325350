// DOT for Graphviz from the picture Python sends, and the maps from the drawing's element ids
// back to what they show. The ids are generated (n0, c0, k0, e0), never names: names and cell
// ids may hold any character, so a click or a restyle finds its node through the maps, not by
// parsing ids or labels.
import { direction } from "./direction";
import { lineage } from "./lineage";
import { FONT_SIZE } from "./view";
import type { Picture, PictureCell, PictureNode } from "./model";

/** What a drawn node stands for: a node of the graph, a collapsed cell, or the nodes of one
 * decorated function folded into one (a group, named by the function). */
export type Target =
  | { kind: "node"; name: string }
  | { kind: "cell"; cell: string }
  | { kind: "group"; group: string };

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
  /** The id of each g.cluster element of an open group -> the group (its function). */
  groups: Map<string, string>;
  /** The id of each g.node element of a function config turns off -> its tip. */
  disabled: Map<string, string>;
  /** Each drawn node's name -> the element that draws it: its own, or its folded group's or
   * collapsed cell's. */
  drawnAs: Map<string, string>;
  /** The direction of the layout. */
  rankdir: Direction;
}

/** Top to bottom, or left to right. */
export type Direction = "TB" | "LR";

/** What the user chose to see: a node's lineage only, cells and decorator groups folded into
 * one node each, and the direction (null: chosen from the graph's shape, ``direction.ts``). */
export interface View {
  lineageOnly: boolean;
  collapsed: Set<string>;
  folded?: Set<string>;
  rankdir?: Direction | null;
}

/** Up to this many drawn nodes, edges run in horizontal and vertical segments, easier to
 * follow by eye; above it Graphviz's orthogonal router is too slow (1.3 s at 1,000 nodes) and
 * edges are splines. */
export const ORTHOGONAL = 150;

/** Labels longer than this are shortened in the middle; the tip and the panel show them whole. */
export const LABEL_CHARS = 28;

/** ``text`` at most ``LABEL_CHARS`` long: its start and end, with an ellipsis between. */
export function shorten(text: string, most = LABEL_CHARS): string {
  if (text.length <= most) return text;
  const end = Math.floor((most - 1) / 3);
  return `${text.slice(0, most - 1 - end)}…${text.slice(text.length - end)}`;
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
  const name = shorten(n.name);
  const type = shorten(n.type);
  const lines = n.change ? [name, type, shorten(`Δ ${n.change}`, 36)] : [name, type];
  return `${id} [id=${id} label=${quote(...lines)}${shape}]`;
}

/** How ``buildDot`` draws: the direction, and the groups (functions) folded into one node. */
export interface DrawOptions {
  rankdir?: Direction;
  folded?: Set<string>;
}

function groupLabel(members: PictureNode[]): string {
  const decorators = members.find((n) => n.origin?.decorators.length)?.origin?.decorators ?? [];
  const by = decorators.map((d) => `@${d}`).join(" ");
  return `${members[0].group}${by ? ` · ${by}` : ""}`;
}

/** DOT for the nodes in ``keep`` (all when null), each cell as a cluster, the nodes of one
 * decorated function as a cluster inside it (or, when in ``folded``, one node), the cells in
 * ``collapsed`` as one node each, inputs outside any cell. */
export function buildDot(
  p: Picture,
  keep: Set<string> | null,
  collapsed: Set<string>,
  options: DrawOptions = {}
): Drawing {
  const rankdir = options.rankdir ?? "TB";
  const folded = options.folded ?? new Set<string>();
  const nodes = new Map<string, Target>();
  const clusters = new Map<string, string>();
  const groups = new Map<string, string>();
  const edges = new Map<string, EdgeEnds>();
  const disabledTips = new Map<string, string>();
  const drawnAs = new Map<string, { id: string; target: Target }>(); // by node name
  const place = (id: string, target: Target, names: string[]) => {
    nodes.set(id, target);
    for (const name of names) drawnAs.set(name, { id, target });
  };
  const index = new Map(p.nodes.map((n, at) => [n.name, at]));
  const shown = (name: string) => keep === null || keep.has(name);
  const body: string[] = [];
  let groupCount = 0;
  const drawGroup = (members: number[]) => {
    const g = groupCount++;
    const nodesOf = members.map((at) => p.nodes[at]);
    const group = nodesOf[0].group as string;
    if (folded.has(group)) {
      place(`g${g}`, { kind: "group", group }, nodesOf.map((n) => n.name));
      body.push(`g${g} [id=g${g} label=${quote(shorten(groupLabel(nodesOf), 36), `${members.length} nodes`)}]`);
      return;
    }
    groups.set(`q${g}`, group);
    body.push(`subgraph cluster_g${g} {`);
    body.push(`id=q${g} label=${quote(groupLabel(nodesOf))} style="rounded,dotted" fontsize=${FONT_SIZE} fontname=Helvetica`);
    for (const at of members) {
      place(`n${at}`, { kind: "node", name: p.nodes[at].name }, [p.nodes[at].name]);
      body.push(nodeLine(`n${at}`, p.nodes[at]));
    }
    body.push("}");
  };
  p.cells.forEach((cell, i) => {
    if (collapsed.has(cell.id)) {
      place(`c${i}`, { kind: "cell", cell: cell.id }, cell.nodes);
      body.push(`c${i} [id=c${i} label=${quote(cellName(cell), `${cell.nodes.length} nodes`)}]`);
      return;
    }
    const members = cell.nodes.flatMap((name) => (shown(name) ? (index.get(name) ?? []) : []));
    const disabled = (p.disabled ?? []).filter((d) => d.cell === cell.id && keep === null);
    if (members.length === 0 && disabled.length === 0) return;
    clusters.set(`k${i}`, cell.id);
    body.push(`subgraph cluster_${i} {`);
    body.push(`id=k${i} label=${quote(cellName(cell))} style=dashed fontsize=${FONT_SIZE} fontname=Helvetica`);
    // the nodes of one function, in the cell's order; a group of one is drawn as a node
    const byGroup = new Map<string, number[]>();
    for (const at of members) {
      const group = p.nodes[at].group;
      if (group) byGroup.set(group, [...(byGroup.get(group) ?? []), at]);
    }
    const done = new Set<string>();
    for (const at of members) {
      const group = p.nodes[at].group;
      if (group && (byGroup.get(group)?.length ?? 0) > 1) {
        if (!done.has(group)) drawGroup(byGroup.get(group) as number[]);
        done.add(group);
        continue;
      }
      place(`n${at}`, { kind: "node", name: p.nodes[at].name }, [p.nodes[at].name]);
      body.push(nodeLine(`n${at}`, p.nodes[at]));
    }
    for (const d of disabled) {
      const id = `d${(p.disabled ?? []).indexOf(d)}`;
      disabledTips.set(id, `${d.function}: disabled by config (${d.condition})`);
      const label = quote(shorten(d.function), "disabled by config", shorten(`(${d.condition})`));
      body.push(`${id} [id=${id} label=${label} style="rounded,dashed" fontcolor=gray40 color=gray60]`);
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
    `graph [nodesep=0.25 rankdir=${rankdir} ranksep=0.4${nodes.size <= ORTHOGONAL ? " splines=ortho" : ""}]`,
    `node [fontname=Helvetica fontsize=${FONT_SIZE} shape=box style="rounded,filled"]`,
  ];
  if (nodes.size > LARGE) head.push("graph [mclimit=0.2 nslimit=2 nslimit1=2]");
  return { dot: [...head, ...body, "}"].join("\n"), nodes, clusters, edges, groups, disabled: disabledTips, rankdir,
    drawnAs: new Map([...drawnAs].map(([name, at]) => [name, at.id])) };
}

/** The drawing for the user's view: with ``selected``'s lineage only when asked for, in the
 * direction the user chose or, if none, the one the graph's shape suits. */
export function drawingFor(p: Picture, view: View, selected: string): Drawing {
  const keep = view.lineageOnly && selected !== "" ? lineage(p, selected) : null;
  const rankdir = view.rankdir ?? direction(p, keep);
  return buildDot(p, keep, view.collapsed, { rankdir, folded: view.folded });
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
  if (target.kind === "group") return `${target.group} (folded)`;
  return target.kind === "node" ? target.name : `cell ${target.cell}`;
}
