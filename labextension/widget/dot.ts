// The graph as Python describes it, and DOT for the views Python does not draw: a node's
// lineage only, or cells collapsed into one node each.

export interface PictureNode {
  name: string;
  type: string;
  cell: string | null;
  state: string;
  line?: number | null;
  dependencies?: string[];
  duration?: number | null;
  size?: number | null;
}

export interface Picture {
  module: string;
  nodes: PictureNode[];
  edges: [string, string][];
  cells: { id: string; nodes: string[] }[];
  dot: string;
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Names upstream and downstream of ``name``, and itself. */
export function lineage(p: Picture, name: string): Set<string> {
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const [from, to] of p.edges) {
    (up.get(to) ?? up.set(to, []).get(to)!).push(from);
    (down.get(from) ?? down.set(from, []).get(from)!).push(to);
  }
  const seen = new Set<string>([name]);
  for (const links of [up, down]) {
    const todo = [name];
    while (todo.length > 0) {
      for (const next of links.get(todo.pop()!) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          todo.push(next);
        }
      }
    }
  }
  return seen;
}

/** DOT for the nodes in ``keep`` (all when null), with the cells in ``collapsed`` as one node. */
export function buildDot(p: Picture, keep: Set<string> | null, collapsed: Set<string>): string {
  const shown = (n: PictureNode) => keep === null || keep.has(n.name);
  const owner = new Map<string, string>();
  for (const n of p.nodes) {
    if (n.cell !== null && collapsed.has(n.cell)) owner.set(n.name, `cell:${n.cell}`);
  }
  const lines = [
    "digraph dataflow {",
    'graph [nodesep=0.25 rankdir=TB ranksep=0.4]',
    'node [fontname=Helvetica fontsize=11 shape=box style="rounded,filled"]',
  ];
  p.cells.forEach((cell, index) => {
    if (collapsed.has(cell.id)) {
      const id = `cell:${cell.id}`;
      lines.push(`${quote(id)} [id=${quote("node-" + id)} label=${quote(`cell ${cell.id}\n${cell.nodes.length} nodes`)}]`);
      return;
    }
    const members = p.nodes.filter((n) => n.cell === cell.id && shown(n));
    if (members.length === 0) return;
    lines.push(`subgraph cluster_${index} {`, `label=${quote("cell " + cell.id)} style=dashed fontsize=10`);
    for (const n of members) {
      lines.push(`${quote(n.name)} [id=${quote("node-" + n.name)} label=${quote(`${n.name}\n${n.type}`)}]`);
    }
    lines.push("}");
  });
  for (const n of p.nodes) {
    if (n.cell === null && shown(n)) {
      lines.push(`${quote(n.name)} [id=${quote("node-" + n.name)} label=${quote(`${n.name}\n${n.type}`)} shape=ellipse]`);
    }
  }
  const drawn = new Set<string>();
  for (const [from, to] of p.edges) {
    if (keep !== null && !(keep.has(from) && keep.has(to))) continue;
    const a = owner.get(from) ?? from;
    const b = owner.get(to) ?? to;
    const id = `edge-${a}-${b}`;
    if (a === b || drawn.has(id)) continue;
    drawn.add(id);
    lines.push(`${quote(a)} -> ${quote(b)} [id=${quote(id)}]`);
  }
  lines.push("}");
  return lines.join("\n");
}
