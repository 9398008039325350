"""The interactive DAG widget: an anywidget over a session (the ES module is built at install)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from hamilton_nb.errors import DataflowError
from hamilton_nb.jupyter.picture import describe, details
from hamilton_nb.sessions.view import DataflowView

STATIC = Path(__file__).parent.parent / "static"
BUNDLE = STATIC / "widget.js"  # the widget's ES module (labextension/widget/widget.ts)
LOADER = STATIC / "loader.js"  # what the kernel sends instead (labextension/widget/loader.ts)
NOT_BUILT = (
    "export default { render({ el }) { el.textContent = "
    "'hamilton_nb: the widget bundle was not built; reinstall the package.'; } }"
)


def bundle_file(bundle: bytes) -> str:
    """The name the JupyterLab extension serves ``bundle`` under, by its content, so a kernel
    never loads a bundle of another version (``labextension/scripts/copy-bundle.mjs``)."""
    return f"widget-{hashlib.sha256(bundle).hexdigest()[:16]}.js"


def loader() -> str:
    """The ES module sent as ``_esm``, and so saved with the notebook: a few lines that import
    the bundle from the extension, or ask the kernel for it where the extension is not served."""
    if not (BUNDLE.exists() and LOADER.exists()):
        return NOT_BUILT
    return LOADER.read_text().replace("__HAMILTON_NB_BUNDLE__", bundle_file(BUNDLE.read_bytes()))


class DataflowWidget(anywidget.AnyWidget):
    """Shows a session's DAG and keeps it up to date.

    Responsibilities: push the graph (``describe``) after every cell run, drop or run; mark
    nodes running / done / failed during a run; answer the browser's requests (details of a
    clicked node, run a node, export the module, send the bundle where the loader found none).

    The synced traits are JSON; their shapes are the TypedDicts of ``picture`` and, in the
    browser, the ``Traits`` of ``labextension/widget/model.ts``.
    """

    _esm = loader()
    module = traitlets.Unicode("").tag(sync=True)
    graph = traitlets.Dict().tag(sync=True)  # a Picture
    running = traitlets.Dict().tag(sync=True)  # node -> "running" | "done", during a run
    selected = traitlets.Unicode("").tag(sync=True)  # the clicked node's name
    details = traitlets.Dict().tag(sync=True)  # NodeDetails | InputDetails, {} for none
    message = traitlets.Dict().tag(sync=True)  # {"kind": "info" | "error", "text", "at"}

    def __init__(self, session: DataflowView, **kwargs: Any) -> None:
        super().__init__(module=session.name, **kwargs)
        self._session = session
        self._last_push = 0.0
        self._marks: dict[str, str] = {}
        self.graph = dict(describe(session))
        session.listeners.add(self)
        self.observe(self._on_select, names="selected")
        self.on_msg(self._on_message)

    def session_changed(self, event: str, node: str | None) -> None:
        """Called by the session (see ``DataflowView.listeners``)."""
        if event == "node-started" and node is not None:
            self._running(node, "running")
        elif event == "node-finished" and node is not None:
            self._running(node, "done")
        else:
            self._marks = {}
            self.running = {}
            picture = describe(self._session)
            self.graph = dict(picture)
            if self.selected:
                states = {n["name"]: n["state"] for n in picture["nodes"]}  # just computed
                self.details = dict(details(self._session, self.selected, states))

    def _running(self, node: str, state: str) -> None:
        """Mark a node; sent to the browser at most every tenth of a second (and at the end),
        so a run of thousands of quick nodes is not thousands of messages."""
        self._marks[node] = state
        now = time.monotonic()
        if now - self._last_push >= 0.1:
            self._last_push = now
            self.running = dict(self._marks)

    def _on_select(self, change: dict[str, Any]) -> None:
        name = change["new"]
        self.details = dict(details(self._session, name)) if name else {}

    def _on_message(self, _: Any, content: dict[str, Any], buffers: Any) -> None:
        """The browser's requests (``Request`` in ``labextension/widget/model.ts``):
        ``{"action": "run", "node": name}``, ``{"action": "export", "force": bool}`` or
        ``{"action": "bundle"}``: the full ES module in place of the loader, which is then
        saved with the notebook as it was before."""
        action = content.get("action")
        try:
            if action == "bundle" and BUNDLE.exists():
                self._esm = BUNDLE.read_text()
            elif action == "run":
                node = str(content["node"])
                self._session.run(node, inputs=self._session.runs.inputs)
                self.message = {"kind": "info", "text": f"{node}: computed", "at": time.time()}
            elif action == "export":
                path = self._session.export(
                    f"{self._session.name}.py", force=bool(content.get("force"))
                )
                self.message = {"kind": "info", "text": f"exported to {path}", "at": time.time()}
        except DataflowError as e:
            self.message = {"kind": "error", "text": str(e), "at": time.time()}
            self.graph = dict(describe(self._session))
