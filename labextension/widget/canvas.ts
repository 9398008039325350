// The drawing on the canvas: Graphviz (WebAssembly) lays the DOT out as SVG, then the SVG gets
// what Graphviz cannot give it (state icons, clickable cluster labels, edge tips by name), and
// clicks on it are read back through the drawing's id maps.
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { Drawing, targetLabel } from "./dot";

let graphviz: Promise<Graphviz> | null = null;

/** Graphviz, loaded once per page: its WebAssembly takes a few hundred milliseconds. */
export function layoutEngine(): Promise<Graphviz> {
  if (graphviz === null) graphviz = Graphviz.load();
  return graphviz;
}

/** Lays ``drawing`` out and puts it in ``canvas`` in place of what was there. Synchronous, so
 * the caller can restyle it before the browser shows a frame or a MutationObserver sees it. */
export function paint(canvas: HTMLElement, drawing: Drawing, engine: Graphviz): void {
  canvas.innerHTML = layout(drawing.dot, engine);
  decorate(canvas, drawing);
}

/** The SVG of ``dot``; if Graphviz's orthogonal router fails on it, with spline edges. */
function layout(dot: string, engine: Graphviz): string {
  try {
    return engine.layout(dot, "svg", "dot");
  } catch (error) {
    if (!dot.includes(" splines=ortho")) throw error;
    return engine.layout(dot.replace(" splines=ortho", ""), "svg", "dot");
  }
}

function decorate(canvas: HTMLElement, drawing: Drawing): void {
  // a text cue for the state, beside the colour: an icon before the node's name (a tspan, so
  // no geometry is read: reading boxes of 1,000 nodes costs a forced layout); restyle fills it
  canvas.querySelectorAll("g.node").forEach((g) => {
    const label = g.querySelector("text");
    if (label === null) return;
    const icon = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
    icon.setAttribute("class", "hnb-icon");
    label.insertBefore(icon, label.firstChild);
  });
  for (const [id, tip] of drawing.disabled) {
    const title = canvas.querySelector(`g#${id} title`);
    if (title !== null) title.textContent = tip;
  }
  canvas.querySelectorAll("g.cluster text").forEach((label) => label.classList.add("hnb-cluster-label"));
  // Graphviz titles an edge by the DOT names of its ends, which are ids: the tip shows names
  canvas.querySelectorAll("g.edge").forEach((g) => {
    const ends = drawing.edges.get(g.id);
    const tip = g.querySelector("title");
    if (ends === undefined || tip === null) return;
    tip.textContent = `${targetLabel(ends.from)}->${targetLabel(ends.to)}`;
  });
}

/** What a click on the canvas asks for: select a node, open a collapsed cell or a folded group,
 * or fold a cell or a group (a click on its cluster's label). */
export type Click =
  | { kind: "select"; name: string }
  | { kind: "open"; cell: string }
  | { kind: "fold"; cell: string }
  | { kind: "open-group"; group: string }
  | { kind: "fold-group"; group: string };

/** What a click asks for, from the ids of the cluster whose label was clicked and of the node
 * clicked (either may be missing). */
export function clickFor(
  drawing: Drawing,
  clusterId: string | undefined,
  nodeId: string | undefined
): Click | null {
  if (clusterId !== undefined) {
    const cell = drawing.clusters.get(clusterId);
    const group = drawing.groups.get(clusterId);
    if (group !== undefined) return { kind: "fold-group", group };
    return cell === undefined ? null : { kind: "fold", cell };
  }
  const node = nodeId === undefined ? undefined : drawing.nodes.get(nodeId);
  if (node === undefined) return null;
  if (node.kind === "group") return { kind: "open-group", group: node.group };
  return node.kind === "node" ? { kind: "select", name: node.name } : { kind: "open", cell: node.cell };
}

export function clicked(target: EventTarget | null, drawing: Drawing): Click | null {
  if (!(target instanceof Element)) return null;
  const cluster = target.closest("text.hnb-cluster-label")?.closest("g.cluster");
  return clickFor(drawing, cluster?.id, target.closest("g.node")?.id);
}
