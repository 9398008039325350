// The hamilton_nb DAG widget (anywidget ES module). The kernel sends a picture of the graph; the
// browser builds its DOT (dot.ts), Graphviz lays it out (canvas.ts), node states restyle the
// drawing without a new layout (restyle.ts), a side panel shows a node's details (panel.ts).
import { clicked, layoutEngine, paint } from "./canvas";
import { Drawing, View, drawingFor, elementOf } from "./dot";
import { lineage } from "./lineage";
import type { Model, PictureNode } from "./model";
import { renderPanel } from "./panel";
import { restyle } from "./restyle";
import { Frame, buildFrame, showMessage } from "./toolbar";
import { Zoom } from "./view";

/** One widget on the page. Responsibilities: draw the model's graph in the user's view,
 * restyle it as states change, and turn clicks into a selection, a view change or a request. */
class DagWidget {
  readonly zoom: Zoom;
  private readonly view: View = { lineageOnly: false, collapsed: new Set() };
  private drawing: Drawing | null = null; // what the canvas shows

  constructor(
    private readonly model: Model,
    private readonly frame: Frame
  ) {
    this.zoom = new Zoom(frame.canvas);
  }

  async draw(): Promise<void> {
    const p = this.model.get("graph");
    this.frame.title.textContent = `${p.module}: ${p.nodes.filter((n) => n.cell !== null).length} nodes`;
    const next = drawingFor(p, this.view, this.model.get("selected"));
    // a new layout only when the structure or the view changed; states alone are a restyle
    if (this.drawing === null || next.dot !== this.drawing.dot) {
      const engine = await layoutEngine();
      paint(this.frame.canvas, next, engine); // from here to the restyle's end in one go
      this.drawing = next;
      this.zoom.drawn();
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
  }

  click(target: EventTarget | null): void {
    const click = this.drawing === null ? null : clicked(target, this.drawing);
    if (click === null) return;
    if (click.kind === "select") {
      this.model.set("selected", click.name); // change:selected draws
      this.model.save_changes();
      return;
    }
    if (click.kind === "open") this.view.collapsed.delete(click.cell);
    else this.view.collapsed.add(click.cell);
    void this.draw();
  }

  /** Marks the matches and scrolls the first one into view. */
  search(): void {
    this.update();
    const query = this.frame.search.value;
    const hit = query === "" ? undefined : this.model.get("graph").nodes.find((n) => n.name.includes(query));
    const id = hit === undefined || this.drawing === null ? undefined : elementOf(this.drawing, hit.name);
    if (id !== undefined) this.zoom.centre(id);
  }

  toggleLineage(): void {
    this.view.lineageOnly = !this.view.lineageOnly;
    this.frame.lineage.classList.toggle("hnb-on", this.view.lineageOnly);
    void this.draw();
  }
}

function render({ model, el }: { model: Model; el: HTMLElement }): () => void {
  const frame = buildFrame();
  el.append(frame.root); // in the page first: the first drawing is fitted to the canvas's width
  const widget = new DagWidget(model, frame);
  frame.canvas.addEventListener("click", (event) => widget.click(event.target));
  frame.search.addEventListener("input", () => widget.search());
  frame.zoomIn.addEventListener("click", () => widget.zoom.step(1));
  frame.zoomOut.addEventListener("click", () => widget.zoom.step(-1));
  frame.fit.addEventListener("click", () => widget.zoom.fitWidth());
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
