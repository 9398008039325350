// The widget's frame: the tool bar, the legend of states, the message line, the canvas and
// the side panel. Only elements here; what the buttons do is wired in widget.ts.
import { add, element } from "./dom";
import type { Message } from "./model";
import { STATES } from "./states";
import css from "./style.css";

export interface Frame {
  root: HTMLDivElement;
  title: HTMLSpanElement;
  search: HTMLInputElement;
  zoomOut: HTMLButtonElement;
  zoomIn: HTMLButtonElement;
  fit: HTMLButtonElement;
  direction: HTMLButtonElement;
  lineage: HTMLButtonElement;
  export: HTMLButtonElement;
  message: HTMLDivElement;
  stage: HTMLDivElement;
  canvas: HTMLDivElement;
  hint: HTMLDivElement;
  card: HTMLDivElement;
  panel: HTMLDivElement;
}

function legend(): HTMLDivElement {
  const legend = element("div", "hnb-legend");
  for (const s of STATES) {
    const item = add(legend, "span", `hnb-legend-item hnb-state-${s.key}`);
    item.append(element("span", "hnb-swatch", s.icon), document.createTextNode(s.label));
  }
  const changed = add(legend, "span", "hnb-legend-item hnb-legend-changed");
  changed.append(element("span", "hnb-swatch", "Δ"), document.createTextNode("value changed by the last run"));
  return legend;
}

export function buildFrame(): Frame {
  const root = element("div", "hnb-root");
  add(root, "style", "").textContent = css;
  const bar = add(root, "div", "hnb-bar");
  const title = add(bar, "span", "hnb-title");
  const search = add(bar, "input", "hnb-search");
  search.placeholder = "search a node ( / )";
  const zoomOut = add(bar, "button", "hnb-button", "−");
  const zoomIn = add(bar, "button", "hnb-button", "+");
  const fit = add(bar, "button", "hnb-button", "fit");
  fit.title = "the whole graph in view";
  const direction = add(bar, "button", "hnb-button hnb-direction", "⇅");
  const lineage = add(bar, "button", "hnb-button", "lineage only");
  const exportButton = add(bar, "button", "hnb-button hnb-export", "Export");
  root.append(legend());
  const message = add(root, "div", "hnb-message");
  const body = add(root, "div", "hnb-body");
  const stage = add(body, "div", "hnb-stage");
  const canvas = add(stage, "div", "hnb-canvas");
  canvas.tabIndex = 0; // arrow keys move the selection, Enter opens it, / searches
  const hint = add(stage, "div", "hnb-hint");
  const card = add(stage, "div", "hnb-card");
  card.style.display = "none";
  const panel = add(body, "div", "hnb-panel");
  panel.tabIndex = -1;
  return {
    root, title, search, zoomOut, zoomIn, fit, direction, lineage, export: exportButton, message,
    stage, canvas, hint, card, panel,
  };
}

/** The kernel's last word (an export's path, a run's failure), red when it is an error. */
export function showMessage(line: HTMLElement, m: Message): void {
  line.textContent = m.text ?? "";
  line.className = `hnb-message ${m.kind === "error" ? "hnb-error" : ""}`;
}
