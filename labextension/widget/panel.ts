// The side panel: a clicked node's signature, docstring, source, cost and value preview.
// Everything from the data is set as text (textContent), never as markup; an object's own
// HTML goes into a sandboxed frame that runs no script.
import { add } from "./dom";
import type { Details, NodeDetails, PictureNode, Preview } from "./model";

function seconds(s: number | null | undefined): string {
  return s === null || s === undefined ? "–" : s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`;
}

function bytes(b: number | null | undefined): string {
  if (b === null || b === undefined) return "–";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  let v = b;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function table(parent: HTMLElement, header: string[], rows: string[][]): void {
  const t = add(parent, "table", "hnb-table");
  const head = add(t, "tr", "");
  for (const h of header) add(head, "th", "", h);
  for (const row of rows) {
    const tr = add(t, "tr", "");
    for (const cell of row) add(tr, "td", "", cell);
  }
}

function preview(parent: HTMLElement, p: Preview | null): void {
  if (p === null) {
    add(parent, "div", "hnb-muted", "no cached value (run the node to see it)");
    return;
  }
  switch (p.kind) {
    case "dataframe":
      add(parent, "div", "hnb-muted", `DataFrame ${p.shape[0]} rows × ${p.shape[1]} columns`);
      table(parent, ["", ...p.columns.map((c, i) => `${c} (${p.dtypes[i]})`)],
        p.rows.map((r, i) => [p.index[i], ...r]));
      if (p.truncated) add(parent, "div", "hnb-muted", "first rows and columns only");
      return;
    case "spark":
      add(parent, "div", "hnb-muted", `Spark DataFrame, ${p.width} columns (rows not counted)`);
      table(parent, p.columns.map((c, i) => `${c} (${p.dtypes[i]})`), p.rows);
      if (p.truncated) add(parent, "div", "hnb-muted", "first rows and columns only");
      return;
    case "series":
      add(parent, "div", "hnb-muted", `Series ${p.name}: ${p.length} values (${p.dtype})`);
      table(parent, ["", "value"], p.values.map((v, i) => [p.index[i], v]));
      return;
    case "collection": {
      add(parent, "div", "hnb-muted", `${p.type} of ${p.length}`);
      const list = add(parent, "ul", "hnb-list");
      for (const item of p.items) add(list, "li", "", item);
      return;
    }
    case "image":
      add(parent, "img", "hnb-image").src = `data:${p.mime};base64,${p.data}`;
      return;
    case "html": {
      const frame = add(parent, "iframe", "hnb-frame");
      frame.setAttribute("sandbox", "");
      frame.srcdoc = p.html;
      return;
    }
    case "array":
      add(parent, "pre", "hnb-pre", `${p.dtype} ${p.text}`.trim());
      return;
    default:
      add(parent, "pre", "hnb-pre", `${p.type} ${p.text}`.trim());
  }
}

function facts(panel: HTMLElement, node: PictureNode, cell: string | undefined): void {
  const rows = add(panel, "table", "hnb-facts");
  const fact = (k: string, v: string) => {
    const row = add(rows, "tr", "");
    add(row, "th", "", k);
    add(row, "td", "", v);
  };
  fact("cell", `${cell ?? node.cell}, line ${node.line ?? "?"}`);
  fact("state", node.state);
  fact("depends on", (node.dependencies ?? []).join(", ") || "nothing");
  fact("last duration", seconds(node.duration));
  fact("size", bytes(node.size));
  if (node.change) fact("last run changed it", node.change);
}

/** The event this package's JupyterLab extension answers by scrolling the notebook to a cell
 * (labextension/src/index.ts); the extension marks the page when it is there. */
export const GO_TO_CELL = "hamilton-nb:go-to-cell";

function canGoToCell(): boolean {
  return document.body.dataset.hamiltonNb === "lab";
}

function goToCell(from: HTMLElement, cell: string): void {
  from.dispatchEvent(new CustomEvent(GO_TO_CELL, { detail: { cell }, bubbles: true, composed: true }));
}

export function renderPanel(
  panel: HTMLElement,
  details: Details,
  node: PictureNode | undefined,
  run: (name: string) => void,
  cell?: string
): void {
  panel.replaceChildren();
  if (!details.name || node === undefined) {
    add(panel, "div", "hnb-muted", "Click a node to see its code and its value.");
    return;
  }
  add(panel, "h3", "hnb-name", node.name);
  if (node.cell === null) {
    add(panel, "div", "hnb-muted", `input (${node.type}): given with --inputs`);
    return;
  }
  // details arrive after the selection: until then they may be another node's, or an input's
  const d: Partial<NodeDetails> = "source" in details ? details : {};
  if (node.origin) add(panel, "p", "hnb-origin", node.origin.text);
  add(panel, "code", "hnb-signature", d.signature || "");
  if (d.doc) add(panel, "p", "hnb-doc", d.doc);
  facts(panel, node, cell);
  if (node.cell !== null && canGoToCell()) {
    const go = add(panel, "button", "hnb-button hnb-go", "go to cell");
    go.addEventListener("click", () => goToCell(panel, node.cell as string));
  }
  const cost = d.cost;
  if (cost) {
    const n = cost.stale.length;
    const nodes = `${n} cached node${n === 1 ? "" : "s"}`;
    const redo = `${seconds(cost.seconds)} of compute to redo`;
    add(panel, "p", "hnb-cost", `Editing ${node.name} would make ${nodes} stale (${redo}).`);
  }
  const button = add(panel, "button", "hnb-button hnb-run", `run ${node.name}`);
  button.addEventListener("click", () => run(node.name));
  add(panel, "h4", "", "value");
  preview(panel, d.preview ?? null);
  add(panel, "h4", "", "source");
  source(add(panel, "pre", "hnb-pre"), d.source || "", node.origin?.source_line ?? null);
}

/** The function's source, the line that makes the node (``line``, 1-based) marked. */
function source(pre: HTMLElement, text: string, line: number | null): void {
  if (line === null) {
    pre.textContent = text;
    return;
  }
  const lines = text.split("\n");
  pre.append(lines.slice(0, line - 1).map((l) => `${l}\n`).join(""));
  add(pre, "span", "hnb-source-line", lines[line - 1] ?? "");
  pre.append(lines.slice(line).map((l) => `\n${l}`).join(""));
}
