// A node's lineage: what it depends on and what depends on it, walked over the picture's edges.
import type { Picture } from "./model";

function adjacency(edges: [string, string][], key: 0 | 1): Map<string, string[]> {
  const links = new Map<string, string[]>();
  for (const edge of edges) {
    const from = edge[key];
    const to = edge[1 - key];
    const list = links.get(from);
    if (list === undefined) links.set(from, [to]);
    else list.push(to);
  }
  return links;
}

/** Names upstream and downstream of ``name``, and itself. */
export function lineage(p: Picture, name: string): Set<string> {
  const seen = new Set<string>([name]);
  // upstream by the reversed edges, downstream by the edges; ``seen`` is shared, which is
  // safe in a DAG: nothing is both strictly upstream and strictly downstream of ``name``
  for (const links of [adjacency(p.edges, 1), adjacency(p.edges, 0)]) {
    const todo = [name];
    for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
      for (const linked of links.get(next) ?? []) {
        if (!seen.has(linked)) {
          seen.add(linked);
          todo.push(linked);
        }
      }
    }
  }
  return seen;
}
