import assert from "node:assert/strict";
import { test } from "node:test";
import { bundleUrl } from "../widget/loader";

const FILE = "widget-0123456789abcdef.js";
const lab = (extensions: string[], root = "/lab/extensions") =>
  JSON.stringify({ fullLabextensionsUrl: root, federated_extensions: extensions.map((name) => ({ name })) });

test("in JupyterLab with the extension, the bundle is the extension's static file", () => {
  assert.equal(
    bundleUrl(lab(["anywidget", "hamilton-nb"]), "http://127.0.0.1:8888/lab/tree/a.ipynb", FILE),
    `http://127.0.0.1:8888/lab/extensions/hamilton-nb/static/${FILE}`
  );
});

test("a server's base URL is kept, with or without a trailing slash", () => {
  const page = "https://hub.example/user/ann/lab/tree/a.ipynb";
  const want = `https://hub.example/user/ann/lab/extensions/hamilton-nb/static/${FILE}`;
  assert.equal(bundleUrl(lab(["hamilton-nb"], "/user/ann/lab/extensions"), page, FILE), want);
  assert.equal(bundleUrl(lab(["hamilton-nb"], "/user/ann/lab/extensions/"), page, FILE), want);
});

test("without the extension, a Jupyter config or a readable one, there is no URL", () => {
  const page = "http://127.0.0.1:8888/lab";
  assert.equal(bundleUrl(lab(["anywidget"]), page, FILE), null);
  assert.equal(bundleUrl(null, page, FILE), null); // VS Code: no Jupyter page config
  assert.equal(bundleUrl("{not json", page, FILE), null);
  assert.equal(bundleUrl(JSON.stringify({ federated_extensions: [{ name: "hamilton-nb" }] }), page, FILE), null);
});
