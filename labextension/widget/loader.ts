// What the kernel sends as the widget's ES module (anywidget's `_esm`), and so what a saved
// notebook holds: a loader of a few lines. It imports the full bundle (widget.ts, ~830 KB) from
// this project's JupyterLab extension, which serves it under a name made of its content hash.
// Where that file is not served (VS Code, a page without the extension, an extension of another
// version), it asks the kernel for the bundle, which then replaces the loader in the widget's
// state (hamilton_nb/jupyter/widget.py).
import type { Model } from "./model";

/** The bundle's file name; the kernel writes it in place of this text before sending. */
const BUNDLE = "__HAMILTON_NB_BUNDLE__";
/** The extension's name (package.json), the folder Jupyter serves its files from. */
const EXTENSION = "hamilton-nb";

interface Widget {
  initialize?(context: { model: Model }): unknown;
  render(context: { model: Model; el: HTMLElement }): unknown;
}

interface PageConfig {
  fullLabextensionsUrl?: unknown;
  federated_extensions?: { name?: unknown }[];
}

/** Where the extension serves ``file``, read from the page's Jupyter config (JupyterLab and
 * Notebook 7 write it in the page); null when the page has no config or not the extension. */
export function bundleUrl(config: string | null, page: string, file: string): string | null {
  if (config === null) return null;
  let parsed: PageConfig;
  try {
    parsed = JSON.parse(config) as PageConfig;
  } catch {
    return null;
  }
  const root = parsed.fullLabextensionsUrl;
  const installed = (parsed.federated_extensions ?? []).some((e) => e.name === EXTENSION);
  if (typeof root !== "string" || root === "" || !installed) return null;
  return new URL(`${root.replace(/\/+$/, "")}/${EXTENSION}/static/${file}`, page).href;
}

/** Until the kernel sends the bundle: one request, and a line saying what it waits for. */
const fromKernel: Widget = {
  initialize({ model }) {
    model.send({ action: "bundle" });
  },
  render({ el }) {
    el.textContent = "hamilton_nb: loading the widget from the kernel (it needs the kernel running).";
  },
};

export default async (): Promise<Widget> => {
  const config = document.getElementById("jupyter-config-data")?.textContent ?? null;
  const url = bundleUrl(config, document.baseURI, BUNDLE);
  if (url === null) return fromKernel;
  try {
    return (await import(/* webpackIgnore: true */ url)).default as Widget;
  } catch (error) {
    console.debug(`hamilton_nb: no widget bundle at ${url}; asking the kernel`, error);
    return fromKernel;
  }
};
