// What the kernel and the browser exchange: the widget's synced traits and the messages the
// browser sends. The picture's fields mirror the TypedDicts in hamilton_nb/jupyter/picture.py;
// change both together.

/** A node's recorded state, as ``DataflowSession.states()`` names it. */
export type NodeState =
  | "fresh"
  | "cached"
  | "stale"
  | "failed"
  | "input"
  | "never run"
  | "not cached (parallel block)";

export interface PictureNode {
  name: string;
  type: string;
  /** The defining cell; null for an input (given with --inputs). */
  cell: string | null;
  state: NodeState;
  line?: number | null;
  dependencies?: string[];
  duration?: number | null;
  size?: number | null;
  /** The gist of how the latest run changed its value (rows 9 → 5); absent when unchanged. */
  change?: string | null;
  /** The decorated function it comes from, when that function makes more nodes than this
   * one: the drawing groups them under it. */
  group?: string | null;
  /** What produced it, when it is not simply a function of its own name. */
  origin?: Origin | null;
}

/** Which function and decorator produced a node, said as a sentence, and where. */
export interface Origin {
  function: string;
  /** The function's Hamilton decorators, outermost first (``extract_columns``, ...). */
  decorators: string[];
  /** "column `usage_m1` extracted from `customers` by @extract_columns" */
  text: string;
  /** The line of the function's source (1-based, decorators included) that makes the node. */
  source_line: number | null;
}

/** A function of a cell that makes no node under the current config (``@config.when``). */
export interface DisabledFunction {
  function: string;
  cell: string;
  /** "score=fitted" */
  condition: string;
}

export interface PictureCell {
  id: string;
  /** Its nodes, in the order the cell defines them. */
  nodes: string[];
  /** How the user knows the cell: "In [3] · raw, clean +2". */
  label?: string;
}

/** The structure and states of the graph: nodes in cell order, then inputs. */
export interface Picture {
  module: string;
  nodes: PictureNode[];
  /** [from, to]: ``to`` depends on ``from``. */
  edges: [string, string][];
  cells: PictureCell[];
  disabled?: DisabledFunction[];
}

// The value previews of hamilton_nb/jupyter/preview.py, one shape per kind.
export interface DataFramePreview {
  kind: "dataframe";
  shape: [number, number];
  columns: string[];
  dtypes: string[];
  index: string[];
  rows: string[][];
  truncated: boolean;
}
/** A Spark DataFrame: its schema and first rows (``limit``); never counted. */
export interface SparkPreview {
  kind: "spark";
  columns: string[];
  dtypes: string[];
  width: number;
  rows: string[][];
  truncated: boolean;
}
export interface SeriesPreview {
  kind: "series";
  name: string;
  dtype: string;
  length: number;
  index: string[];
  values: string[];
}
export interface CollectionPreview { kind: "collection"; type: string; length: number; items: string[] }
export interface ImagePreview { kind: "image"; mime: string; data: string }
export interface HtmlPreview { kind: "html"; type: string; html: string }
export interface ArrayPreview { kind: "array"; shape: number[]; dtype: string; text: string }
export interface TextPreview { kind: "scalar" | "repr"; type: string; text: string }
export type Preview =
  | DataFramePreview
  | SparkPreview
  | SeriesPreview
  | CollectionPreview
  | ImagePreview
  | HtmlPreview
  | ArrayPreview
  | TextPreview;

export interface EditCost {
  node: string;
  /** The cached nodes an edit would turn stale: the node and its descendants. */
  stale: string[];
  seconds: number;
}

export interface NodeDetails {
  name: string;
  signature: string;
  doc: string;
  source: string;
  cost: EditCost;
  preview: Preview | null;
}

export interface InputDetails {
  name: string;
  input: true;
}

/** The side panel's content for the selected node; empty when nothing is selected. */
export type Details = NodeDetails | InputDetails | Record<string, never>;

export interface Message {
  kind?: "info" | "error";
  text?: string;
  /** When it was set (seconds): the same text twice is still a change. */
  at?: number;
}

/** Per node, during a run: marks sent while the run goes, cleared when it ends. */
export type RunMarks = Record<string, "running" | "done">;

/** The traits DataflowWidget (hamilton_nb/jupyter/widget.py) syncs. */
export interface Traits {
  module: string;
  graph: Picture;
  running: RunMarks;
  selected: string;
  details: Details;
  message: Message;
}

/** What the browser asks the kernel to do (``bundle``: the loader, loader.ts, asks for the
 * widget's full ES module). */
export type Request =
  | { action: "run"; node: string }
  | { action: "export"; force?: boolean }
  | { action: "bundle" };

/** The part of anywidget's model the widget uses, typed by our traits and requests. */
export interface Model {
  get<K extends keyof Traits>(name: K): Traits[K];
  set<K extends keyof Traits>(name: K, value: Traits[K]): void;
  save_changes(): void;
  send(content: Request): void;
  on(event: `change:${keyof Traits}`, callback: () => void): void;
  off(event: `change:${keyof Traits}`, callback?: () => void): void;
}
