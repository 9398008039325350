"""A FastAPI app over a session's dataflow, built in the process (``%dataflow serve``,
``hamilton-nb serve``): the endpoints ``api_spec`` describes, values and errors as
``api_values`` says, every node run through the session, so the cache answers what it has
seen. ``SessionApi`` rebuilds the app when the session's graph changes, so the next request
sees an edited cell without a restart. ``<module>_api.py`` (``api_render``) is the same app
written out."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Literal

import anyio
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, create_model

from hamilton_nb.errors import DataflowError, NodeExecutionError
from hamilton_nb.export.api_spec import NAMESPACE, Api, ApiInput, Endpoint, about, api_of
from hamilton_nb.export.api_values import failure, from_json, missing_inputs, to_json
from hamilton_nb.sessions.session import Session

Runner = Callable[[list[str], dict[str, Any]], dict[str, Any]]
"""Computes outputs from inputs; raises ``fastapi.HTTPException`` (``api_values.failure``)."""

_POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD


class NodeValue(BaseModel):
    """One node's value, as JSON."""

    name: str
    value: Any


def build_app(api: Api, run: Runner) -> FastAPI:
    """The FastAPI app of ``api``, computing with ``run``."""
    app = FastAPI(title=f"{api.module} API", description=about(api.module))

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "module": api.module, "nodes": len(api.endpoints)}

    for endpoint in api.endpoints:
        _add_node(app, api, endpoint, run)
    if api.endpoints:
        _add_run(app, api, run)
    return app


def _model(name: str, doc: str, inputs: tuple[ApiInput, ...]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for i in inputs:
        annotation = eval(i.annotation, dict(NAMESPACE))  # our own text: api_spec.type_of
        default = ... if i.required else None
        alias = None if i.attribute == i.name else i.name  # the client's name for it
        fields[i.attribute] = (annotation, Field(default, alias=alias, description=i.description))
    return create_model(name, __doc__=doc, **fields)


def _add_node(app: FastAPI, api: Api, endpoint: Endpoint, run: Runner) -> None:
    model = _model(endpoint.model, f"Inputs of ``{endpoint.node}``.", endpoint.inputs)
    node, optional = endpoint.node, not any(i.required for i in endpoint.inputs)

    def handler(body: Any = None) -> dict[str, Any]:
        given = {} if body is None else body.model_dump(by_alias=True, exclude_unset=True)
        value = run([node], from_json(given, api.kinds))[node]
        return {"name": node, "value": to_json(value)}

    parameter = inspect.Parameter(
        "body",
        _POSITIONAL,
        annotation=(model | None) if optional else model,
        default=None if optional else inspect.Parameter.empty,
    )
    handler.__signature__ = inspect.Signature([parameter])  # type: ignore[attr-defined]
    handler.__name__, handler.__doc__ = endpoint.handler, endpoint.description
    app.post(f"/nodes/{node}", response_model=NodeValue, summary=node)(handler)


def _add_run(app: FastAPI, api: Api, run: Runner) -> None:
    names = Literal.__getitem__(tuple(e.node for e in api.endpoints))
    inputs = _model("RunInputs", "Inputs of ``POST /run``: those its outputs need.", api.inputs)
    request = create_model(
        "RunRequest",
        __doc__="The nodes to compute, and their inputs.",
        outputs=(list[names], Field(min_length=1)),  # type: ignore[valid-type]
        inputs=(inputs, Field(default_factory=inputs)),
    )

    def run_many(body: Any) -> dict[str, Any]:
        given = body.inputs.model_dump(by_alias=True, exclude_unset=True)
        needed = sorted({i for o in body.outputs for i in api.required[o]})
        errors = missing_inputs(needed, given)
        if errors:
            raise RequestValidationError(errors)
        values = run(list(dict.fromkeys(body.outputs)), from_json(given, api.kinds))
        return {"values": {name: to_json(value) for name, value in values.items()}}

    parameter = inspect.Parameter("body", _POSITIONAL, annotation=request)
    signature = inspect.Signature([parameter], return_annotation=dict[str, Any])
    run_many.__signature__ = signature  # type: ignore[attr-defined]
    app.post("/run", summary="several nodes at once")(run_many)


def session_runner(session: Session, lock: AbstractContextManager[Any]) -> Runner:
    """Runs through ``session`` (so its cache answers), holding ``lock`` (the session is not
    safe to use from two threads at once), showing no progress in the notebook."""

    def run(outputs: list[str], inputs: dict[str, Any]) -> dict[str, Any]:
        with lock:
            try:
                values = session.run(outputs, inputs, progress=_NoProgress())
            except NodeExecutionError as e:
                raise failure(e.node, e.__cause__ or e) from e
            except DataflowError as e:
                raise failure(None, e) from e
        return dict(values)

    return run


class _NoProgress:
    """A request's run shows no progress bar in whatever cell the notebook runs."""

    def start(self, total: int) -> None: ...

    def node_started(self, name: str) -> None: ...

    def node_finished(self, name: str) -> None: ...

    def done(self) -> None: ...


class SessionApi:
    """An ASGI app serving a session's dataflow (as module ``name``, by default the
    session's), built again, at the next request, once the session's graph (its cells, its
    config) changed; runs hold ``lock``."""

    def __init__(
        self,
        session: Session,
        lock: AbstractContextManager[Any] | None = None,
        name: str | None = None,
    ) -> None:
        self.session = session
        self.name = name or session.name  # what the app calls the module
        self.lock = lock if lock is not None else threading.RLock()
        self._app: FastAPI | None = None
        self._run = session_runner(session, self.lock)
        session.listeners.add(self)

    def session_changed(self, event: str, node: str | None) -> None:
        if event == "graph":
            self._app = None

    def app(self) -> FastAPI:
        """The app over the session's graph as it is now: built once, holding the lock, so
        requests that come together share it, and a cell run meanwhile (which holds the lock
        to change the graph) cannot leave the app of the graph it replaced."""
        app = self._app
        if app is None:
            with self.lock:
                app = self._app
                if app is None:
                    api = api_of(self.session.graph, self.name, self.session.config)
                    app = self._app = build_app(api, self._run)
        return app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        app = self._app
        if app is None:  # the graph changed: built in a thread (it may wait for the lock)
            app = await anyio.to_thread.run_sync(self.app)
        await app(scope, receive, send)
