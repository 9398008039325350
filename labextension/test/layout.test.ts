// The DOT through the real Graphviz (the WebAssembly build the widget loads): the SVG must carry
// the ids the maps name, and names must come out as written, whatever their characters.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { buildDot } from "../widget/dot";
import { SHOP, picture } from "./pictures";

const layout = async (dot: string) => (await Graphviz.load()).layout(dot, "svg", "dot");

/** [id, class] of every group Graphviz drew for a node, cluster or edge. */
function groups(svg: string): [string, string][] {
  return [...svg.matchAll(/<g id="([^"]+)" class="(node|cluster|edge)">/g)].map((m) => [m[1], m[2]]);
}

function unescapeXml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The text lines of the group with ``id``. */
function texts(svg: string, id: string): string[] {
  const group = svg.slice(svg.indexOf(`<g id="${id}"`), svg.indexOf("</g>", svg.indexOf(`<g id="${id}"`)));
  return [...group.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescapeXml(m[1]));
}

test("Graphviz gives each node, cluster and edge the id its map names", async () => {
  const d = buildDot(SHOP, null, new Set());
  const drawn = groups(await layout(d.dot));
  const expected = [
    ...[...d.clusters.keys()].map((id) => [id, "cluster"]),
    ...[...d.nodes.keys()].map((id) => [id, "node"]),
    ...[...d.edges.keys()].map((id) => [id, "edge"]),
  ];
  assert.deepEqual(drawn.slice().sort(), expected.sort());
});

test("names with quotes, backslashes, hyphens and markup are drawn as written", async () => {
  const odd = ['say "hi"', "back\\slash", "a-b", "<b>x</b>", "\\N"];
  const p = picture([["cell-1", odd]], [["a-b", "<b>x</b>"]]);
  const d = buildDot(p, null, new Set());
  const svg = await layout(d.dot);
  odd.forEach((name, i) => assert.deepEqual(texts(svg, `n${i}`), [name, "int"]));
  assert.deepEqual(texts(svg, "k0"), ["cell cell-1"]);
  assert.deepEqual(groups(svg).filter(([, kind]) => kind === "edge"), [["e0", "edge"]]);
});

test("a collapsed cell is drawn as one node with its id", async () => {
  const svg = await layout(buildDot(SHOP, null, new Set(["load"])).dot);
  assert.deepEqual(texts(svg, "c0"), ["cell load", "2 nodes"]);
});

test("cell ids ending with a backslash, or holding quotes and line breaks, are drawn", async () => {
  const ids = ["ends\\", 'say "x"', "two\nlines", "cr\rhere"];
  const p = picture(ids.map((id, i) => [id, [`f${i}\\`]]), [["f0\\", "f1\\"]]);
  const svg = await layout(buildDot(p, null, new Set()).dot);
  assert.deepEqual(texts(svg, "k0"), ["cell ends\\"]);
  assert.deepEqual(texts(svg, "k1"), ['cell say "x"']);
  assert.deepEqual(texts(svg, "k2"), ["cell two", "lines"]);
  assert.deepEqual(texts(svg, "k3"), ["cell cr", "here"]);
  assert.deepEqual(texts(svg, "n0"), ["f0\\", "int"]);
  const folded = await layout(buildDot(p, null, new Set(["ends\\"])).dot);
  assert.deepEqual(texts(folded, "c0"), ["cell ends\\", "1 nodes"]);
});
