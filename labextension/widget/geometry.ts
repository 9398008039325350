// Where Graphviz put each node, read from the SVG's attributes (its path, polygon or ellipse),
// never from the browser's layout: reading boxes of 1,000 nodes with getBBox forces a layout.
// Coordinates are Graphviz's units (points), from the drawing's top-left corner.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Every number in an attribute (a path's ``d``, a polygon's ``points``). */
export function numbers(text: string | null): number[] {
  return (text ?? "").match(/-?\d*\.?\d+(?:e-?\d+)?/gi)?.map(Number) ?? [];
}

/** The box around x,y pairs; null for none. */
export function boxOfPairs(values: number[]): Box | null {
  if (values.length < 2) return null;
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i + 1 < values.length; i += 2) {
    left = Math.min(left, values[i]);
    right = Math.max(right, values[i]);
    top = Math.min(top, values[i + 1]);
    bottom = Math.max(bottom, values[i + 1]);
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The shift of Graphviz's top group (``translate(4 256)``): its coordinates have y upwards
 * from the bottom, so the shift puts them in the drawing. */
export function translation(transform: string | null): [number, number] {
  const m = /translate\(\s*(-?[\d.]+)[\s,]+(-?[\d.]+)\s*\)/.exec(transform ?? "");
  return m === null ? [0, 0] : [Number(m[1]), Number(m[2])];
}

/** The box around several boxes; null for none. */
export function union(boxes: Iterable<Box>): Box | null {
  const corners: number[] = [];
  for (const b of boxes) corners.push(b.x, b.y, b.x + b.width, b.y + b.height);
  return boxOfPairs(corners);
}

function shapeBox(g: Element): Box | null {
  for (const shape of g.children) {
    if (shape.tagName === "ellipse") {
      const [cx, cy, rx, ry] = ["cx", "cy", "rx", "ry"].map((a) => Number(shape.getAttribute(a) ?? 0));
      return { x: cx - rx, y: cy - ry, width: 2 * rx, height: 2 * ry };
    }
    if (shape.tagName === "path" || shape.tagName === "polygon") {
      return boxOfPairs(numbers(shape.getAttribute("d") ?? shape.getAttribute("points")));
    }
  }
  return null;
}

/** The size of the drawing (units) and each drawn node's box, by its element's id. */
export interface Layout {
  width: number;
  height: number;
  boxes: Map<string, Box>;
}

export function readLayout(svg: SVGSVGElement): Layout {
  const viewBox = numbers(svg.getAttribute("viewBox"));
  const [dx, dy] = translation(svg.querySelector("g.graph")?.getAttribute("transform") ?? null);
  const boxes = new Map<string, Box>();
  svg.querySelectorAll("g.node").forEach((g) => {
    const b = shapeBox(g);
    if (b !== null) boxes.set(g.id, { ...b, x: b.x + dx, y: b.y + dy });
  });
  return { width: viewBox[2] ?? 0, height: viewBox[3] ?? 0, boxes };
}
