// Which nodes the first view opens on when the whole graph cannot be shown legibly: the
// selected node, else what just changed (new nodes, nodes turned stale, values the last run
// changed), else the stale nodes, else the last cell's nodes.
import type { Picture } from "./model";

export function openingNodes(previous: Picture | null, next: Picture, selected: string): string[] {
  if (selected !== "" && next.nodes.some((n) => n.name === selected)) return [selected];
  if (previous !== null) {
    const before = new Map(previous.nodes.map((n) => [n.name, n]));
    const news = next.nodes.filter((n) => {
      const old = before.get(n.name);
      return old === undefined || (n.state !== old.state && n.state === "stale") || (n.change && !old.change);
    });
    if (news.length > 0) return news.map((n) => n.name);
  }
  const changed = next.nodes.filter((n) => n.change);
  if (changed.length > 0) return changed.map((n) => n.name);
  const stale = next.nodes.filter((n) => n.state === "stale");
  if (stale.length > 0) return stale.map((n) => n.name);
  return next.cells.at(-1)?.nodes ?? [];
}
