// Zoom, fit and centre: the canvas scrolls (that is the pan), the SVG is sized to the scale.
// Labels are never drawn too small to read: the first view fits the drawing only when its
// labels stay legible, else it opens, readable, on the nodes that matter now; below the
// legible size (the user zoomed out, or fitted) the labels are hidden, names stay in the tips.
import { Box, Layout, union } from "./geometry";

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 4;
const STEP = 1.25;
/** Graphviz draws in points: 4/3 CSS pixels each at scale 1. */
export const PX_PER_UNIT = 4 / 3;
/** The label font size in the drawing (units; dot.ts gives it to Graphviz). */
export const FONT_SIZE = 11;
/** Below this on-screen size (CSS px) labels are hidden. */
export const LEGIBLE_PX = 11;
/** The size labels open at when the whole drawing cannot be legible at once. */
export const READABLE_PX = 12;

/** The scale one zoom step in (+1) or out (-1) from ``scale``, within the limits. */
export function zoomed(scale: number, direction: 1 | -1): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, direction > 0 ? scale * STEP : scale / STEP));
}

/** On-screen size (CSS px) of a label at ``scale``. */
export function labelPx(scale: number): number {
  return FONT_SIZE * PX_PER_UNIT * scale;
}

/** The scale at which labels are ``px`` pixels on screen. */
export function scaleFor(px: number): number {
  return px / (FONT_SIZE * PX_PER_UNIT);
}

/** The scale that shows a drawing ``width`` x ``height`` (units) whole in a canvas of
 * ``room`` (px); never enlarged. */
export function fitScale(room: { width: number; height: number }, width: number, height = 0): number {
  const across = room.width / Math.max(width * PX_PER_UNIT, 1);
  const down = room.height > 0 && height > 0 ? room.height / (height * PX_PER_UNIT) : Infinity;
  return Math.min(1, across, down);
}

/** The first view's scale: the fit when labels stay legible at it, else readable labels. */
export function openingScale(fit: number): number {
  return labelPx(fit) >= LEGIBLE_PX ? fit : scaleFor(READABLE_PX);
}

/** Scroll offsets (px) that put the middle of ``box`` (units) in the middle of a canvas of
 * ``room`` at ``scale``. */
export function centring(box: Box, room: { width: number; height: number }, scale: number): { left: number; top: number } {
  const k = PX_PER_UNIT * scale;
  return {
    left: (box.x + box.width / 2) * k - room.width / 2,
    top: (box.y + box.height / 2) * k - room.height / 2,
  };
}

/** The part of the drawing (units) a canvas scrolled to ``left``, ``top`` shows. */
export function shownPart(left: number, top: number, room: { width: number; height: number }, scale: number): Box {
  const k = PX_PER_UNIT * scale;
  return { x: left / k, y: top / k, width: room.width / k, height: room.height / k };
}

/** The canvas's scale and scroll. Until the user zooms, each new layout opens as the first
 * view does; afterwards later layouts keep the user's zoom. The canvas's size is measured
 * before a new drawing goes in and its scroll is known from what this class set or the
 * scroll events read, so nothing here makes the browser lay out a drawing it just changed. */
export class Zoom {
  scale = 1;
  layout: Layout = { width: 0, height: 0, boxes: new Map() };
  private chosen = false; // the user zoomed or fitted
  private room = { width: 0, height: 0 };
  private left = 0;
  private top = 0;

  constructor(
    private readonly canvas: HTMLElement,
    private readonly changed: () => void
  ) {}

  /** The canvas's size, read while its layout is clean (before a new drawing goes in). */
  measure(): void {
    this.room = { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
  }

  /** The user scrolled. */
  scrolled(): void {
    this.left = this.canvas.scrollLeft;
    this.top = this.canvas.scrollTop;
    this.changed();
  }

  /** After a new layout: open on the boxes of ``focus`` (units) unless the user chose a zoom,
   * then keep it. */
  drawn(layout: Layout, focus: Box[]): void {
    this.layout = layout;
    if (!this.chosen && this.room.width > 0) {
      this.scale = openingScale(fitScale(this.room, layout.width, layout.height));
      this.apply();
      this.show(focus, true); // the new drawing is laid out once, in the next frame, not here
      return;
    }
    this.apply(); // the browser keeps (and clamps) the scroll
    this.changed();
  }

  /** Whether the whole drawing is in view. */
  whole(): boolean {
    const k = PX_PER_UNIT * this.scale;
    return this.layout.width * k <= this.room.width + 1 && this.layout.height * k <= this.room.height + 1;
  }

  step(direction: 1 | -1): void {
    this.measure();
    const middle = this.shown();
    this.chosen = true;
    this.scale = zoomed(this.scale, direction);
    this.apply();
    this.centreOn(middle);
  }

  /** The whole drawing in view (labels hidden if that makes them too small). */
  fit(): void {
    this.measure();
    this.chosen = true;
    this.scale = fitScale(this.room, this.layout.width, this.layout.height);
    this.apply();
    this.scrollTo(0, 0);
  }

  /** Scrolls so that ``box`` (units) is in the middle of the canvas. */
  centreOn(box: Box): void {
    const by = centring(box, this.room, this.scale);
    this.scrollTo(by.left, by.top);
  }

  /** Scrolls to ``left``, ``top`` (px); for a new drawing, in the next frame: setting a scroll
   * makes the browser lay the whole drawing out at once. */
  private scrollTo(left: number, top: number, later = false): void {
    const k = PX_PER_UNIT * this.scale;
    // clamped as the browser will, so the minimap is right without reading it back
    this.left = Math.max(0, Math.min(left, this.layout.width * k - this.room.width));
    this.top = Math.max(0, Math.min(top, this.layout.height * k - this.room.height));
    const write = () => {
      this.canvas.scrollLeft = this.left;
      this.canvas.scrollTop = this.top;
    };
    if (later) requestAnimationFrame(write);
    else write();
    this.changed();
  }

  /** Centres the boxes, or the first of them when all do not fit; none: the top left. */
  private show(boxes: Box[], later: boolean): void {
    const all = union(boxes);
    const room = shownPart(0, 0, this.room, this.scale);
    const box = all === null ? null : all.width <= room.width && all.height <= room.height ? all : boxes[0];
    const by = box === null ? { left: 0, top: 0 } : centring(box, this.room, this.scale);
    this.scrollTo(by.left, by.top, later);
  }

  /** Scrolls the drawn node ``id`` to the middle, when it is not in view. */
  reveal(id: string): void {
    const box = this.layout.boxes.get(id);
    if (box === undefined) return;
    const shown = this.shown();
    const inside =
      box.x >= shown.x && box.y >= shown.y && box.x + box.width <= shown.x + shown.width &&
      box.y + box.height <= shown.y + shown.height;
    if (!inside) this.centreOn(box);
  }

  /** The part of the drawing in view (units). */
  shown(): Box {
    return shownPart(this.left, this.top, this.room, this.scale);
  }

  private apply(): void {
    const svg = this.canvas.querySelector("svg");
    if (svg === null) return;
    const k = PX_PER_UNIT * this.scale;
    svg.style.width = `${this.layout.width * k}px`;
    svg.style.height = `${this.layout.height * k}px`;
    this.canvas.classList.toggle("hnb-small", labelPx(this.scale) < LEGIBLE_PX);
  }
}
