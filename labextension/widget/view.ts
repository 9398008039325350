// Zoom, fit and centre: the canvas scrolls (that is the pan), the SVG scales from its corner.

export const MIN_SCALE = 0.1;
export const MAX_SCALE = 4;
const STEP = 1.25;

/** The scale one zoom step in (+1) or out (-1) from ``scale``, within the limits. */
export function zoomed(scale: number, direction: 1 | -1): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, direction > 0 ? scale * STEP : scale / STEP));
}

/** The scale that shows a drawing ``width`` wide in a canvas ``room`` wide; never enlarged. */
export function fitScale(room: number, width: number): number {
  return Math.min(1, room / Math.max(width, 1));
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** How far to scroll so ``box`` sits in the middle of ``area`` (both in page coordinates). */
export function centring(box: Box, area: Box): { left: number; top: number } {
  return {
    left: box.left - area.left - area.width / 2 + box.width / 2,
    top: box.top - area.top - area.height / 2 + box.height / 2,
  };
}

/** The canvas's scale; the first drawing is fitted to the canvas's width, later ones keep the
 * user's zoom. */
export class Zoom {
  private scale = 1;
  private fitted = false;

  constructor(private readonly canvas: HTMLElement) {}

  /** After a new drawing: fit the first one, then show it at the current scale. */
  drawn(): void {
    if (!this.fitted) {
      this.fitted = true;
      this.fit();
    }
    this.apply();
  }

  step(direction: 1 | -1): void {
    this.scale = zoomed(this.scale, direction);
    this.apply();
  }

  /** The whole width in view, when the drawing is wider than the canvas. */
  fitWidth(): void {
    this.fit();
    this.apply();
  }

  /** Scrolls the element with ``id`` (a drawn node) to the middle of the canvas. */
  centre(id: string): void {
    const g = this.canvas.querySelector(`g#${CSS.escape(id)}`);
    if (g === null) return;
    const by = centring(g.getBoundingClientRect(), this.canvas.getBoundingClientRect());
    this.canvas.scrollLeft += by.left;
    this.canvas.scrollTop += by.top;
  }

  private fit(): void {
    const svg = this.canvas.querySelector("svg");
    // not yet in the page (no width): keep the scale, the fit button can do it later
    if (svg === null || this.canvas.clientWidth === 0) return;
    const width = svg.viewBox.baseVal.width || Number.parseFloat(svg.getAttribute("width") || "1");
    this.scale = fitScale(this.canvas.clientWidth, width);
  }

  private apply(): void {
    const svg = this.canvas.querySelector("svg");
    if (svg === null) return;
    svg.style.transformOrigin = "0 0";
    svg.style.transform = `scale(${this.scale})`;
  }
}
