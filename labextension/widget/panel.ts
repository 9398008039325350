// The side panel: a clicked node's signature, docstring, source, cost and value preview.
// Everything from the data is set as text (textContent), never as markup; an object's own
// HTML goes into a sandboxed frame that runs no script.
import type { PictureNode } from "./dot";

function add(parent: HTMLElement, tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  parent.append(e);
  return e;
}

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

function preview(parent: HTMLElement, p: any): void {
  if (p === null || p === undefined) {
    add(parent, "div", "hnb-muted", "no cached value (run the node to see it)");
    return;
  }
  if (p.kind === "dataframe") {
    add(parent, "div", "hnb-muted", `DataFrame ${p.shape[0]} rows × ${p.shape[1]} columns`);
    table(parent, ["", ...p.columns.map((c: string, i: number) => `${c} (${p.dtypes[i]})`)],
      p.rows.map((r: string[], i: number) => [p.index[i], ...r]));
    if (p.truncated) add(parent, "div", "hnb-muted", "first rows and columns only");
  } else if (p.kind === "series") {
    add(parent, "div", "hnb-muted", `Series ${p.name}: ${p.length} values (${p.dtype})`);
    table(parent, ["", "value"], p.values.map((v: string, i: number) => [p.index[i], v]));
  } else if (p.kind === "collection") {
    add(parent, "div", "hnb-muted", `${p.type} of ${p.length}`);
    const list = add(parent, "ul", "hnb-list");
    for (const item of p.items) add(list, "li", "", item);
  } else if (p.kind === "image") {
    const img = add(parent, "img", "hnb-image") as HTMLImageElement;
    img.src = `data:${p.mime};base64,${p.data}`;
  } else if (p.kind === "html") {
    const frame = add(parent, "iframe", "hnb-frame") as HTMLIFrameElement;
    frame.setAttribute("sandbox", "");
    frame.srcdoc = p.html;
  } else {
    add(parent, "pre", "hnb-pre", `${p.type ?? p.dtype ?? ""} ${p.text ?? ""}`.trim());
  }
}

export function renderPanel(
  panel: HTMLElement,
  details: any,
  node: PictureNode | undefined,
  run: (name: string) => void
): void {
  panel.replaceChildren();
  if (!details || !details.name || node === undefined) {
    add(panel, "div", "hnb-muted", "Click a node to see its code and its value.");
    return;
  }
  add(panel, "h3", "hnb-name", node.name);
  if (node.cell === null) {
    add(panel, "div", "hnb-muted", `input (${node.type}): given with --inputs`);
    return;
  }
  add(panel, "code", "hnb-signature", details.signature || "");
  if (details.doc) add(panel, "p", "hnb-doc", details.doc);
  const facts = add(panel, "table", "hnb-facts");
  const fact = (k: string, v: string) => {
    const row = add(facts, "tr", "");
    add(row, "th", "", k);
    add(row, "td", "", v);
  };
  fact("cell", `${node.cell}, line ${node.line ?? "?"}`);
  fact("state", node.state);
  fact("depends on", (node.dependencies ?? []).join(", ") || "nothing");
  fact("last duration", seconds(node.duration));
  fact("size", bytes(node.size));
  const cost = details.cost;
  if (cost) {
    add(panel, "p", "hnb-cost",
      `Editing ${node.name} would make ${cost.stale.length} cached node${cost.stale.length === 1 ? "" : "s"} stale (${seconds(cost.seconds)} of compute to redo).`);
  }
  const button = add(panel, "button", "hnb-button hnb-run", `run ${node.name}`);
  button.addEventListener("click", () => run(node.name));
  add(panel, "h4", "", "value");
  preview(panel, details.preview);
  add(panel, "h4", "", "source");
  add(panel, "pre", "hnb-pre", details.source || "");
}
