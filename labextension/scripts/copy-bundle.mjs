// Puts the widget's bundle into the built JupyterLab extension, named by its content hash, so
// that Jupyter serves it to the loader (widget/loader.ts) and a kernel of another version finds
// no file instead of the wrong one. The name is the one hamilton_nb/jupyter/widget.py gives it
// (`bundle_file`): change both together. Older copies are removed.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "hamilton_nb");
const bundle = readFileSync(join(root, "static", "widget.js"));
const name = `widget-${createHash("sha256").update(bundle).digest("hex").slice(0, 16)}.js`;
const target = join(root, "labextension", "static");
mkdirSync(target, { recursive: true });
for (const old of readdirSync(target).filter((f) => /^widget-[0-9a-f]+\.js$/.test(f))) {
  rmSync(join(target, old));
}
writeFileSync(join(target, name), bundle);
console.log(`widget bundle served by the extension as static/${name}`);
