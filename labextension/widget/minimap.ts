// The minimap: the whole drawing in small (each node a box, the selection and search matches
// marked) with the part in view outlined; a click or a drag on it moves the view there. Shown
// only while the drawing does not fit the canvas.
import { Box, Layout } from "./geometry";

const WIDTH = 180;
const HEIGHT = 120;

/** Where on the minimap (px) a point of the drawing (units) is: the drawing scaled to fit. */
export function minimapScale(layout: { width: number; height: number }): number {
  return Math.min(WIDTH / Math.max(layout.width, 1), HEIGHT / Math.max(layout.height, 1));
}

export class Minimap {
  readonly element: HTMLCanvasElement;
  private layout: Layout = { width: 0, height: 0, boxes: new Map() };
  private shown: Box = { x: 0, y: 0, width: 0, height: 0 };
  private marked = new Map<string, string>(); // node id -> colour

  /** ``navigate`` gets the point of the drawing (units) the user moved the view's middle to. */
  constructor(navigate: (x: number, y: number) => void) {
    this.element = document.createElement("canvas");
    this.element.className = "hnb-minimap";
    this.element.width = WIDTH;
    this.element.height = HEIGHT;
    this.element.title = "the whole graph: click or drag to move the view";
    const to = (event: MouseEvent) => {
      const k = minimapScale(this.layout);
      const r = this.element.getBoundingClientRect();
      navigate((event.clientX - r.left) / k, (event.clientY - r.top) / k);
    };
    this.element.addEventListener("mousedown", (event) => {
      event.preventDefault();
      to(event);
      const move = (e: MouseEvent) => to(e);
      const up = () => {
        window.removeEventListener("mousemove", move);
        window.removeEventListener("mouseup", up);
      };
      window.addEventListener("mousemove", move);
      window.addEventListener("mouseup", up);
    });
  }

  /** A new layout, the part in view, and nodes to mark (id -> colour). */
  update(layout: Layout, shown: Box, visible: boolean, marked?: Map<string, string>): void {
    this.layout = layout;
    this.shown = shown;
    if (marked !== undefined) this.marked = marked;
    this.element.style.display = visible ? "block" : "none";
    if (visible) this.paint();
  }

  private paint(): void {
    const c = this.element.getContext("2d");
    if (c === null) return;
    const k = minimapScale(this.layout);
    c.clearRect(0, 0, WIDTH, HEIGHT);
    c.fillStyle = "#fff";
    c.fillRect(0, 0, this.layout.width * k, this.layout.height * k);
    for (const [id, b] of this.layout.boxes) {
      c.fillStyle = this.marked.get(id) ?? "#9aa7b8";
      c.fillRect(b.x * k, b.y * k, Math.max(b.width * k, 1.5), Math.max(b.height * k, 1.5));
    }
    c.strokeStyle = "#d35400";
    c.lineWidth = 1.5;
    const s = this.shown;
    c.strokeRect(s.x * k, s.y * k, s.width * k, s.height * k);
  }
}
