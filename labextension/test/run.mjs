// `jlpm test`: bundles each test/*.test.ts with esbuild into a temporary directory (the widget's
// imports name no file extension, which Node's own loader refuses) and runs the bundles with
// Node's built-in test runner. Exits non-zero when a test fails. Type-checking is tsc's job
// (tsconfig.test.json), run before this by the `test` script.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tests = readdirSync(here).filter((f) => f.endsWith(".test.ts")).map((f) => join(here, f));
const out = mkdtempSync(join(tmpdir(), "hnb-widget-tests-"));
try {
  await build({
    entryPoints: tests,
    bundle: true,
    platform: "node",
    format: "esm",
    outdir: out,
    outExtension: { ".js": ".mjs" },
    loader: { ".css": "text" },
    logLevel: "warning",
  });
  const bundles = readdirSync(out).map((f) => join(out, f));
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...bundles], { stdio: "inherit" });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
