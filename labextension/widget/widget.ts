// The hamilton_nb DAG widget (anywidget ES module). The kernel sends a picture of the graph; the
// browser builds its DOT (dot.ts), Graphviz lays it out (canvas.ts), node states restyle the
// drawing without a new layout (restyle.ts), a side panel shows a node's details (panel.ts).
import { clicked, layoutEngine, paint } from "./canvas";
import { Arrow, moveSelection } from "./direction";
import { Drawing, View, drawingFor, elementOf } from "./dot";
import { openingNodes } from "./focus";
import { Box, readLayout } from "./geometry";
import { lineage } from "./lineage";
import { Minimap } from "./minimap";
import type { Model, Picture, PictureNode } from "./model";
import { renderPanel } from "./panel";
import { restyle } from "./restyle";
import { Frame, buildFrame, showMessage } from "./toolbar";
import { LEGIBLE_PX, Zoom, labelPx } from "./view";

const ARROWS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"]);

/** One widget on the page. Responsibilities: draw the model's graph in the user's view,
 * restyle it as states change, and turn clicks and keys into a selection, a view change or a
 * request. */
class DagWidget {
  readonly zoom: Zoom;
  readonly minimap: Minimap;
  private readonly view: View = { lineageOnly: false, collapsed: new Set(), folded: new Set(), rankdir: null };
  private drawing: Drawing | null = null; // what the canvas shows
  private drawn: Picture | null = null; // the picture of the latest layout

  constructor(
    private readonly model: Model,
    private readonly frame: Frame
  ) {
    this.zoom = new Zoom(frame.canvas, () => this.mapChanged());
    this.minimap = new Minimap((x, y) => this.zoom.centreOn({ x, y, width: 0, height: 0 }));
    frame.stage.append(this.minimap.element);
  }

  async draw(): Promise<void> {
    const p = this.model.get("graph");
    this.frame.title.textContent = `${p.module}: ${p.nodes.filter((n) => n.cell !== null).length} nodes`;
    const next = drawingFor(p, this.view, this.model.get("selected"));
    // a new layout only when the structure or the view changed; states alone are a restyle
    if (this.drawing === null || next.dot !== this.drawing.dot) {
      const engine = await layoutEngine();
      this.zoom.measure(); // before the new drawing makes the canvas's layout dirty
      paint(this.frame.canvas, next, engine); // from here to the restyle's end in one go
      this.drawing = next;
      const svg = this.frame.canvas.querySelector("svg");
      const layout = svg === null ? { width: 0, height: 0, boxes: new Map<string, Box>() } : readLayout(svg);
      const focus = openingNodes(this.drawn, p, this.model.get("selected"))
        .flatMap((name) => layout.boxes.get(next.drawnAs.get(name) ?? "") ?? []);
      this.drawn = p;
      this.zoom.drawn(layout, focus);
      const vertical = next.rankdir === "TB";
      this.frame.direction.textContent = vertical ? "⇅ top-down" : "⇄ left-right";
      this.frame.direction.title = `laid out ${vertical ? "top to bottom" : "left to right"}: click to turn`;
    }
    this.update();
  }

  /** States, selection, search, panel and message; no new layout. (benchmarks/widget_render.py
   * times this from its read of ``running`` to that of ``details``.) */
  update(): void {
    const marks = this.model.get("running");
    const p = this.model.get("graph");
    const selected = this.model.get("selected");
    const nodes = new Map<string, PictureNode>(p.nodes.map((n) => [n.name, n]));
    const related = selected ? lineage(p, selected) : null;
    const focus = { selected, related, query: this.frame.search.value };
    if (this.drawing !== null) restyle(this.frame.canvas, this.drawing, nodes, marks, focus);
    const run = (node: string) => this.model.send({ action: "run", node });
    const node = nodes.get(selected);
    const cell = p.cells.find((c) => c.id === node?.cell)?.label;
    renderPanel(this.frame.panel, this.model.get("details"), node, run, cell);
    showMessage(this.frame.message, this.model.get("message"));
    this.mapChanged();
  }

  /** The minimap and the hint follow the view: the part shown, the selection, the matches. */
  mapChanged(): void {
    const marked = new Map<string, string>();
    const d = this.drawing;
    const query = this.frame.search.value;
    if (d !== null) {
      for (const [id, t] of d.nodes) {
        if (t.kind !== "node") continue;
        if (t.name === this.model.get("selected")) marked.set(id, "#d35400");
        else if (query !== "" && t.name.includes(query)) marked.set(id, "#8e44ad");
      }
    }
    const whole = this.zoom.whole();
    this.minimap.update(this.zoom.layout, this.zoom.shown(), !whole, marked);
    const small = labelPx(this.zoom.scale) < LEGIBLE_PX;
    this.frame.hint.textContent = small
      ? "labels hidden at this zoom: zoom in (+) or hover a node"
      : whole
        ? ""
        : "part of the graph: drag the map to move, or fit";
    this.frame.hint.style.display = this.frame.hint.textContent === "" ? "none" : "block";
  }

  select(name: string): void {
    this.model.set("selected", name); // change:selected draws
    this.model.save_changes();
  }

  click(target: EventTarget | null): void {
    const click = this.drawing === null ? null : clicked(target, this.drawing);
    if (click === null) return;
    const folded = this.view.folded as Set<string>;
    if (click.kind === "select") return this.select(click.name);
    if (click.kind === "open") this.view.collapsed.delete(click.cell);
    else if (click.kind === "fold") this.view.collapsed.add(click.cell);
    else if (click.kind === "open-group") folded.delete(click.group);
    else folded.add(click.group);
    void this.draw();
  }

  /** Arrow keys move the selection along edges, Enter opens its panel, / searches. */
  key(event: KeyboardEvent): void {
    if (event.key === "/") {
      event.preventDefault();
      this.frame.search.focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      this.frame.panel.focus();
      this.frame.panel.scrollIntoView({ block: "nearest" });
    } else if (ARROWS.has(event.key) && this.drawing !== null) {
      event.preventDefault();
      const names = [...this.drawing.nodes.values()].flatMap((t) => (t.kind === "node" ? [t.name] : []));
      const p = this.model.get("graph");
      const next = moveSelection(p, this.model.get("selected"), event.key as Arrow, this.drawing.rankdir, names);
      if (next === "" || next === this.model.get("selected")) return;
      this.select(next);
      const id = elementOf(this.drawing, next);
      if (id !== undefined) this.zoom.reveal(id);
    }
  }

  /** The full name, type and state of the node under the pointer (labels may be shortened). */
  hover(event: MouseEvent): void {
    const g = event.target instanceof Element ? event.target.closest("g.node") : null;
    const target = g === null || this.drawing === null ? undefined : this.drawing.nodes.get(g.id);
    const card = this.frame.card;
    if (target === undefined || target.kind !== "node") {
      card.style.display = "none";
      return;
    }
    const n = this.model.get("graph").nodes.find((x) => x.name === target.name);
    card.replaceChildren();
    const name = document.createElement("b");
    name.textContent = target.name;
    card.append(name, document.createTextNode(`: ${n?.type ?? ""} · ${n?.state ?? ""}`));
    if (n?.origin) card.append(document.createElement("br"), document.createTextNode(n.origin.text));
    const stage = this.frame.stage.getBoundingClientRect();
    card.style.left = `${event.clientX - stage.left + 12}px`;
    card.style.top = `${event.clientY - stage.top + 14}px`;
    card.style.display = "block";
  }

  search(): void {
    this.update();
    const query = this.frame.search.value;
    const hit = query === "" ? undefined : this.model.get("graph").nodes.find((n) => n.name.includes(query));
    const id = hit === undefined || this.drawing === null ? undefined : elementOf(this.drawing, hit.name);
    if (id !== undefined) this.zoom.reveal(id);
  }

  toggleLineage(): void {
    this.view.lineageOnly = !this.view.lineageOnly;
    this.frame.lineage.classList.toggle("hnb-on", this.view.lineageOnly);
    void this.draw();
  }

  turn(): void {
    this.view.rankdir = this.drawing?.rankdir === "TB" ? "LR" : "TB";
    void this.draw();
  }
}

function render({ model, el }: { model: Model; el: HTMLElement }): () => void {
  const frame = buildFrame();
  el.append(frame.root); // in the page first: the first view is chosen for the canvas's size
  const widget = new DagWidget(model, frame);
  frame.canvas.addEventListener("click", (event) => {
    frame.canvas.focus({ preventScroll: true });
    widget.click(event.target);
  });
  frame.canvas.addEventListener("keydown", (event) => widget.key(event));
  frame.canvas.addEventListener("mousemove", (event) => widget.hover(event));
  frame.canvas.addEventListener("mouseleave", () => (frame.card.style.display = "none"));
  let pending = false;
  frame.canvas.addEventListener("scroll", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      widget.zoom.scrolled();
    });
  });
  frame.search.addEventListener("input", () => widget.search());
  frame.zoomIn.addEventListener("click", () => widget.zoom.step(1));
  frame.zoomOut.addEventListener("click", () => widget.zoom.step(-1));
  frame.fit.addEventListener("click", () => widget.zoom.fit());
  frame.direction.addEventListener("click", () => widget.turn());
  frame.lineage.addEventListener("click", () => widget.toggleLineage());
  frame.export.addEventListener("click", () => model.send({ action: "export" }));

  // the selection can change the view (lineage only), so it draws; the rest only restyles
  const onDraw = () => void widget.draw();
  const onUpdate = () => widget.update();
  const events = [
    ["change:graph", onDraw],
    ["change:selected", onDraw],
    ["change:running", onUpdate],
    ["change:details", onUpdate],
    ["change:message", onUpdate],
  ] as const;
  for (const [event, callback] of events) model.on(event, callback);
  void widget.draw();
  return () => {
    for (const [event, callback] of events) model.off(event, callback);
  };
}

export default { render };
