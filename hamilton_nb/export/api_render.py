"""The text of ``<module>_api.py``: the API app ``api_app`` builds in the process, written out
as plain FastAPI code over the exported module (request models declared as classes, one
driver built at start-up, ``api_values``' helpers copied in), so it needs Hamilton and
FastAPI but not hamilton_nb."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hamilton_nb.errors import ExportError
from hamilton_nb.export.api_spec import Api, ApiInput, Endpoint, about, api_of
from hamilton_nb.export.files import format_code, generated
from hamilton_nb.sessions.view import SessionView

_MARKER = "# --- copied into <module>_api.py from here ---\n"

_HEADER = '''"""A REST API over the Hamilton dataflow ``{module}``.

{about}

Serve it with ``uvicorn {module}_api:app --port 8000``: it needs Hamilton, FastAPI
and uvicorn (and what ``{module}`` imports); ``/docs`` shows every endpoint with its
request model.
"""

import base64
import dataclasses
import datetime
import decimal
import enum
import math
from typing import Any, Literal

from fastapi import FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from hamilton.data_quality.base import DataValidationError
{hamilton_imports}
from pydantic import BaseModel, Field

import {module}

CONFIG: dict[str, Any] = {config}
INPUT_KINDS = {kinds}  # the inputs built from their JSON (see from_json)
REQUIRED = {required}  # node -> the inputs a run of it needs

{driver}

class NodeValue(BaseModel):
    """One node's value, as JSON."""

    name: str
    value: Any


@app.get("/health")
def health() -> dict[str, Any]:
    return {{"status": "ok", "module": "{module}", "nodes": {count}}}
'''

_NODE = '''

class {model}(BaseModel):
    """Inputs of ``{node}``."""
{fields}

@app.post("/nodes/{node}", response_model=NodeValue, summary="{node}")
{async_}def {handler}(body: {body}) -> dict[str, Any]:
    """{doc}"""
    given = {given}
    values = {await_}compute(["{node}"], given)
    return {{"name": "{node}", "value": to_json(values["{node}"])}}
'''

_RUN = '''

class RunInputs(BaseModel):
    """Inputs of ``POST /run``: those its outputs need."""
{fields}

class RunRequest(BaseModel):
    """The nodes to compute, and their inputs."""

    outputs: list[Literal[{names}]] = Field(min_length=1)
    inputs: RunInputs = Field(default_factory=RunInputs)


@app.post("/run", summary="several nodes at once")
{async_}def run_many(body: RunRequest) -> dict[str, Any]:
    given = body.inputs.model_dump(by_alias=True, exclude_unset=True)
    needed = sorted({{i for o in body.outputs for i in REQUIRED[o]}})
    errors = missing_inputs(needed, given)
    if errors:
        raise RequestValidationError(errors)
    values = {await_}compute(list(dict.fromkeys(body.outputs)), given)
    return {{"values": {{name: to_json(value) for name, value in values.items()}}}}
'''

_DYNAMIC = "\n    .enable_dynamic_execution(allow_experimental_mode=True)  # Parallelizable[] nodes"
_SYNC_IMPORTS = "from hamilton import driver, lifecycle"
_SYNC_DRIVER = '''

class NodeFailed(lifecycle.NodeExecutionHook):
    """Marks an error with the node that raised it, so the answer can name the node."""

    def run_before_node_execution(self, **kwargs: Any) -> None:
        pass

    def run_after_node_execution(
        self, *, node_name: str, error: Exception | None, **kwargs: Any
    ) -> None:
        if error is not None and not hasattr(error, "hamilton_node"):
            error.hamilton_node = node_name


dr = (
    driver.Builder(){dynamic}
    .with_modules({module})
    .with_config(CONFIG)
    .with_adapters(NodeFailed())
    .build()
)
# the app's description in /docs: the second paragraph of the docstring above
app = FastAPI(title="{module} API", description=__doc__.split("\\n\\n")[1])


def compute(outputs: list[str], inputs: dict[str, Any]) -> dict[str, Any]:
    """The values of ``outputs``; a failure becomes an answer (see ``failure``)."""
    try:
        return dr.execute(outputs, inputs=from_json(inputs, INPUT_KINDS))
    except Exception as error:
        raise failure(getattr(error, "hamilton_node", None), error) from error
'''

_ASYNC_IMPORTS = """from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from hamilton import async_driver
from hamilton.lifecycle.base import BasePostNodeExecuteAsync"""
_ASYNC_DRIVER = '''

class NodeFailed(BasePostNodeExecuteAsync):
    """Marks an error with the node that raised it, so the answer can name the node."""

    async def post_node_execute(
        self, *, node_: Any, error: Exception | None, **kwargs: Any
    ) -> None:
        if error is not None and not hasattr(error, "hamilton_node"):
            error.hamilton_node = node_.name


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Builds the driver as the app starts: ``{module}`` has async def nodes, so it is
    Hamilton's async driver (each node a task on the server's event loop; sync nodes
    run on the loop too)."""
    builder = async_driver.Builder().with_modules({module}).with_config(CONFIG)
    app.state.driver = await builder.with_adapters(NodeFailed()).build()
    yield


# the app's description in /docs: the second paragraph of the docstring above
app = FastAPI(
    title="{module} API", description=__doc__.split("\\n\\n")[1], lifespan=lifespan
)


async def compute(outputs: list[str], inputs: dict[str, Any]) -> dict[str, Any]:
    """The values of ``outputs``; a failure becomes an answer (see ``failure``)."""
    try:
        return await app.state.driver.execute(outputs, inputs=from_json(inputs, INPUT_KINDS))
    except Exception as error:
        raise failure(getattr(error, "hamilton_node", None), error) from error
'''


def api_path(module_path: Path) -> Path:
    """Where ``export --api`` writes the API of the module written to ``module_path``."""
    return module_path.with_name(f"{module_path.stem}_api.py")


def render_api(session: SessionView, module: str, source: str) -> str:
    """The text of ``<module>_api.py`` for the session's graph and config (deterministic).

    Raises:
        ExportError: the config cannot be written as Python literals, no node can be
            served, or the dataflow has both async def and ``Parallelizable[]`` nodes.
    """
    config = dict(session.config)
    if not _literal(config):
        raise ExportError(
            f"--api: the config of '{session.name}' ({config!r:.200}) cannot be written as"
            " Python literals in the API file; configure it with plain values."
        )
    api = api_of(session.graph, module, config)
    if not api.endpoints:
        raise ExportError(
            f"--api: '{session.name}' has no node a client could ask for; nothing to serve."
        )
    if api.asynchronous and api.dynamic:
        raise ExportError(
            f"--api: '{session.name}' has both async def nodes and Parallelizable[] nodes, and"
            " Hamilton's async driver has no dynamic execution, so no one driver could serve"
            " them all; make the async nodes plain defs, or export without --api."
        )
    return api_text(api, config, source)


def api_text(api: Api, config: Mapping[str, Any], source: str) -> str:
    """``api`` as the formatted text of a FastAPI app module, marked as generated."""
    module, asynchronous = api.module, api.asynchronous
    imports, driver = (
        (_ASYNC_IMPORTS, _ASYNC_DRIVER) if asynchronous else (_SYNC_IMPORTS, _SYNC_DRIVER)
    )
    words = {"async_": "async " if asynchronous else "", "await_": "await " if asynchronous else ""}
    parts = [
        _HEADER.format(
            module=module,
            about=about(module),
            hamilton_imports=imports,
            driver=driver.format(module=module, dynamic=_DYNAMIC if api.dynamic else ""),
            config=repr(dict(config)),
            kinds=repr(api.kinds),
            required=repr(dict(api.required)),
            count=len(api.endpoints),
        )
    ]
    parts += [_node(e, words) for e in api.endpoints]
    if api.endpoints:
        names = ", ".join(repr(e.node) for e in api.endpoints)
        parts.append(_RUN.format(fields=_fields(api.inputs), names=names, **words))
    parts.append("\n\n" + helpers())
    text = format_code("".join(parts))
    if module in _names_bound_besides_the_import(text, module):
        raise ExportError(
            f"--api: the API file names something else '{module}' too (an import, a helper,"
            f" an endpoint), so it could not import the module; export it under another name."
        )
    return generated(text, source)


def _names_bound_besides_the_import(text: str, module: str) -> set[str]:
    """The top-level names the API file binds, but for its ``import <module>``."""
    names: set[str] = set()
    for stmt in ast.parse(text).body:
        if isinstance(stmt, ast.ImportFrom):
            names |= {a.asname or a.name for a in stmt.names}
        elif isinstance(stmt, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != module}
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def helpers() -> str:
    """The code of ``api_values`` below its marker, as the generated file carries it."""
    text = Path(__file__).with_name("api_values.py").read_text(encoding="utf-8")
    return text[text.index(_MARKER) + len(_MARKER) :].lstrip("\n")


def _node(endpoint: Endpoint, words: Mapping[str, str]) -> str:
    """``endpoint``'s request model and function (``async``, awaiting, when ``words`` say)."""
    optional = not any(i.required for i in endpoint.inputs)
    return _NODE.format(
        **words,
        model=endpoint.model,
        node=endpoint.node,
        handler=endpoint.handler,
        fields=_fields(endpoint.inputs),
        body=f"{endpoint.model} | None = None" if optional else endpoint.model,
        given=(
            "{} if body is None else body.model_dump(by_alias=True, exclude_unset=True)"
            if optional
            else "body.model_dump(by_alias=True, exclude_unset=True)"
        ),
        doc=_docstring(endpoint.description),
    )


def _fields(inputs: tuple[ApiInput, ...]) -> str:
    if not inputs:
        return ""
    lines = [""]
    for i in inputs:
        default = "" if i.required else "None, "
        alias = "" if i.attribute == i.name else f"alias={i.name!r}, "  # the client's name
        about = f"description={i.description!r}"
        lines.append(f"    {i.attribute}: {i.annotation} = Field({default}{alias}{about})")
    return "\n".join(lines) + "\n"


def _docstring(text: str) -> str:
    """``text`` safe between triple double quotes."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return text[:-1] + '\\"' if text.endswith('"') else text


def _literal(value: Any) -> bool:
    try:
        return bool(ast.literal_eval(repr(value)) == value)
    except (ValueError, SyntaxError, TypeError):
        return False
