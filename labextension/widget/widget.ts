// The hamilton_nb DAG widget (anywidget ES module): Graphviz (WebAssembly) lays the graph out,
// node states restyle the drawing without a new layout, a side panel shows a node's details.
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { buildDot, lineage, Picture, PictureNode } from "./dot";
import { renderPanel } from "./panel";
import { STATES, stateOf } from "./states";
import css from "./style.css";

interface Model {
  get(name: string): any;
  set(name: string, value: any): void;
  save_changes(): void;
  send(content: any): void;
  on(event: string, callback: () => void): void;
  off(event: string, callback?: () => void): void;
}

let graphviz: Promise<Graphviz> | null = null;
function layoutEngine(): Promise<Graphviz> {
  if (graphviz === null) graphviz = Graphviz.load();
  return graphviz;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function setIfChanged(e: Element, attribute: string, value: string): void {
  if (e.getAttribute(attribute) !== value) e.setAttribute(attribute, value);
}

function render({ model, el }: { model: Model; el: HTMLElement }): () => void {
  const root = element("div", "hnb-root");
  const style = element("style", "");
  style.textContent = css;
  const bar = element("div", "hnb-bar");
  const search = element("input", "hnb-search");
  search.placeholder = "search a node";
  const zoomOut = element("button", "hnb-button", "−");
  const zoomIn = element("button", "hnb-button", "+");
  const fit = element("button", "hnb-button", "fit");
  const lineageButton = element("button", "hnb-button", "lineage only");
  const exportButton = element("button", "hnb-button hnb-export", "Export");
  const title = element("span", "hnb-title");
  bar.append(title, search, zoomOut, zoomIn, fit, lineageButton, exportButton);
  const legend = element("div", "hnb-legend");
  for (const s of STATES) {
    const item = element("span", `hnb-legend-item hnb-state-${s.key}`);
    item.append(element("span", "hnb-swatch", s.icon), document.createTextNode(s.label));
    legend.append(item);
  }
  const message = element("div", "hnb-message");
  const body = element("div", "hnb-body");
  const canvas = element("div", "hnb-canvas");
  const panel = element("div", "hnb-panel");
  body.append(canvas, panel);
  root.append(style, bar, legend, message, body);
  el.append(root);

  let scale = 1;
  let fitted = false;
  let lineageOnly = false;
  const collapsed = new Set<string>();
  let drawn = "";

  const picture = (): Picture => model.get("graph") as Picture;

  async function draw(): Promise<void> {
    const p = picture();
    title.textContent = `${p.module}: ${p.nodes.filter((n) => n.cell !== null).length} nodes`;
    const selected = model.get("selected") as string;
    const focus = lineageOnly && selected ? lineage(p, selected) : null;
    const dot = focus === null && collapsed.size === 0 ? p.dot : buildDot(p, focus, collapsed);
    if (dot !== drawn) {
      const engine = await layoutEngine();
      canvas.innerHTML = engine.layout(dot, "svg", "dot");
      drawn = dot;
      decorate();
      if (!fitted) {
        fitted = true;  // first drawing: the whole graph in view when it is wider than the canvas
        fitWidth();
      }
      applyScale();
    }
    restyle();
  }

  function nodeElements(): NodeListOf<SVGGElement> {
    return canvas.querySelectorAll("g.node");
  }

  function nameOf(g: Element): string {
    return (g.id || "").replace(/^node-/, "");
  }

  function decorate(): void {
    // a text cue for the state, beside the colour: an icon before the node's name (a tspan,
    // so no geometry is read: reading boxes of 1,000 nodes costs a forced layout)
    nodeElements().forEach((g) => {
      const label = g.querySelector("text");
      if (label !== null) {
        const icon = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
        icon.setAttribute("class", "hnb-icon");
        label.insertBefore(icon, label.firstChild);
      }
      g.addEventListener("click", () => {
        const name = nameOf(g);
        if (name.startsWith("cell:")) {
          collapsed.delete(name.slice(5));
          void draw();
          return;
        }
        model.set("selected", name);
        model.save_changes();
      });
    });
    canvas.querySelectorAll("g.cluster").forEach((g) => {
      const label = g.querySelector("text");
      if (label === null) return;
      label.classList.add("hnb-cluster-label");
      label.addEventListener("click", () => {
        collapsed.add((label.textContent || "").replace(/^cell /, ""));
        void draw();
      });
    });
  }

  function restyle(): void {
    const p = picture();
    const running = model.get("running") as Record<string, string>;
    const selected = model.get("selected") as string;
    const byName = new Map<string, PictureNode>(p.nodes.map((n) => [n.name, n]));
    const related = selected ? lineage(p, selected) : null;
    nodeElements().forEach((g) => {
      const name = nameOf(g);
      const node = byName.get(name);
      const state = stateOf(node, running[name], name);
      // write only what changed: every write makes the browser lay the label out again
      const classes = [`node hnb-state-${state.key}`];
      if (name === selected) classes.push("hnb-selected");
      if (related !== null && !related.has(name)) classes.push("hnb-dim");
      if (search.value !== "" && name.includes(search.value)) classes.push("hnb-match");
      setIfChanged(g, "class", classes.join(" "));
      const icon = g.querySelector("tspan.hnb-icon");
      if (icon !== null && icon.textContent !== `${state.icon} `) icon.textContent = `${state.icon} `;
      const tip = g.querySelector("title");
      const tipText = `${name}: ${state.label}`;
      if (tip !== null && tip.textContent !== tipText) tip.textContent = tipText;
    });
    canvas.querySelectorAll("g.edge").forEach((g) => {
      const [from, to] = (g.id || "").replace(/^edge-/, "").split("-");
      const dim = related !== null && !(related.has(from) && related.has(to));
      setIfChanged(g, "class", dim ? "edge hnb-dim" : "edge");
    });
    renderPanel(panel, model.get("details"), byName.get(selected), (node) =>
      model.send({ action: "run", node })
    );
    const m = model.get("message") as { kind?: string; text?: string };
    message.textContent = m && m.text ? m.text : "";
    message.className = `hnb-message ${m && m.kind === "error" ? "hnb-error" : ""}`;
  }

  function applyScale(): void {
    const svg = canvas.querySelector("svg");
    if (svg === null) return;
    svg.style.transformOrigin = "0 0";
    svg.style.transform = `scale(${scale})`;
  }

  function centre(name: string): void {
    const g = canvas.querySelector(`g#node-${CSS.escape(name)}`) as SVGGElement | null;
    if (g === null) return;
    const box = g.getBoundingClientRect();
    const area = canvas.getBoundingClientRect();
    canvas.scrollLeft += box.left - area.left - area.width / 2 + box.width / 2;
    canvas.scrollTop += box.top - area.top - area.height / 2 + box.height / 2;
  }

  search.addEventListener("input", () => {
    restyle();
    const hit = picture().nodes.find((n) => search.value !== "" && n.name.includes(search.value));
    if (hit) centre(hit.name);
  });
  zoomIn.addEventListener("click", () => {
    scale = Math.min(4, scale * 1.25);
    applyScale();
  });
  zoomOut.addEventListener("click", () => {
    scale = Math.max(0.1, scale / 1.25);
    applyScale();
  });
  function fitWidth(): void {
    const svg = canvas.querySelector("svg");
    if (svg === null || canvas.clientWidth === 0) return;
    const width = svg.viewBox.baseVal.width || Number.parseFloat(svg.getAttribute("width") || "1");
    scale = Math.min(1, canvas.clientWidth / Math.max(width, 1));
  }
  fit.addEventListener("click", () => {
    fitWidth();
    applyScale();
  });
  lineageButton.addEventListener("click", () => {
    lineageOnly = !lineageOnly;
    lineageButton.classList.toggle("hnb-on", lineageOnly);
    void draw();
  });
  exportButton.addEventListener("click", () => model.send({ action: "export" }));

  const onGraph = () => void draw();
  const onState = () => restyle();
  model.on("change:graph", onGraph);
  model.on("change:selected", onGraph);
  model.on("change:running", onState);
  model.on("change:details", onState);
  model.on("change:message", onState);
  void draw();
  return () => {
    model.off("change:graph", onGraph);
    model.off("change:selected", onGraph);
    model.off("change:running", onState);
    model.off("change:details", onState);
    model.off("change:message", onState);
  };
}

export default { render };
