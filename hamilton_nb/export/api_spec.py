"""What a REST API over a session's dataflow offers: one endpoint per node a client may ask
for, each with the inputs its JSON body holds (required and optional, typed from Hamilton's
types). Both the app built in the process and the ``<module>_api.py`` export writes are made
from this record, so they offer the same endpoints."""

from __future__ import annotations

import datetime
import keyword
import re
import textwrap
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hamilton.node import DependencyType

from hamilton_nb.graph.graph import DataflowGraph
from hamilton_nb.run import blocks
from hamilton_nb.run.hamilton import is_async

_ANY_NOTE = "any JSON value, given to the dataflow as it is"
_KINDS = {  # Hamilton type's package and name -> (annotation, kind, what the JSON is)
    ("pandas", "DataFrame"): (
        "list[dict[str, Any]]",
        "frame",
        "a DataFrame: a list of records, one object per row",
    ),
    ("pandas", "Series"): (
        "list[Any] | dict[str, Any]",
        "series",
        "a Series: a list, or a mapping of index to value",
    ),
    ("numpy", "ndarray"): ("list[Any]", "array", "a numpy array: a list (of lists)"),
}
_SCALARS: dict[Any, str] = {
    int: "int",
    float: "float",
    str: "str",
    bool: "bool",
    typing.Any: "Any",
    datetime.date: "datetime.date",
    datetime.datetime: "datetime.datetime",
    datetime.time: "datetime.time",
}
NAMESPACE = {"Any": Any, "datetime": datetime}  # what evaluates an annotation's text
# Names a request model's attribute cannot take: pydantic's BaseModel has them (a field
# would shadow it: a warning, or an error for ``model_config``; any ``model_*`` name is
# protected by pydantic before 2.10), and what the class body of the generated file reads
# after its first field (a field ``datetime`` would hide the module from the next one).
_BASE_MODEL = frozenset(
    {
        *("construct", "copy", "dict", "from_orm", "json", "parse_file", "parse_obj"),
        *("parse_raw", "schema", "schema_json", "update_forward_refs", "validate"),
    }
)
_CLASS_BODY = frozenset({"Field", *NAMESPACE, "int", "float", "str", "bool", "list", "dict"})

_ABOUT = (
    "``POST /nodes/<name>`` computes one node of ``{module}`` from the inputs in its JSON body"
    ' and answers ``{{"name": ..., "value": ...}}``; ``POST /run`` computes several'
    ' (``{{"outputs": [...], "inputs": {{...}}}}``); ``GET /health`` says the app is up.'
    " Errors: 422 for a missing or ill-typed input (naming it), 400 when a node's data fails"
    " a validation (``@check_output``), 500 when a node raises; each names the node and the"
    " error, never with a traceback."
)


def about(module: str) -> str:
    """What the app says of itself (the OpenAPI description), wrapped as a docstring is."""
    return textwrap.fill(_ABOUT.format(module=module), 88, break_on_hyphens=False)


@dataclass(frozen=True)
class ApiInput:
    """One input of an endpoint's request model.

    Attributes:
        name: the input's name (a field of the JSON body).
        attribute: the request model's attribute that holds it: ``name``, but for names
            pydantic forbids or that would shadow something (``json``, ``model_name``,
            ``_x``): then ``input_<name>``, with ``name`` as its alias.
        annotation: its pydantic type, as Python source (evaluated with ``NAMESPACE``).
        kind: how the JSON becomes the value: ``frame``, ``series``, ``array`` or None (as is).
        required: whether a request must give it (else the function's default applies).
        description: what the JSON holds, for the OpenAPI document.
    """

    name: str
    attribute: str
    annotation: str
    kind: str | None
    required: bool
    description: str


@dataclass(frozen=True)
class Endpoint:
    """``POST /nodes/<name>``: one node, its docstring, its request model and its inputs."""

    node: str
    doc: str
    model: str  # the request model's class name (unique in the API)
    handler: str  # the endpoint function's name (unique in the API)
    inputs: tuple[ApiInput, ...]

    @property
    def description(self) -> str:
        """What ``/docs`` says of it: the node's docstring, or that it gives the value."""
        return self.doc or f"The value of ``{self.node}``."


@dataclass(frozen=True)
class Api:
    """Every endpoint of a dataflow's API, and what ``POST /run`` takes."""

    module: str
    endpoints: tuple[Endpoint, ...]
    inputs: tuple[ApiInput, ...]  # every input of every node, all optional (``POST /run``)
    required: Mapping[str, tuple[str, ...]]  # node -> the inputs a run of it needs
    asynchronous: bool = False  # some node is an ``async def``: Hamilton's async driver runs it
    dynamic: bool = False  # some node is a ``Parallelizable[]``: Hamilton's dynamic execution

    @property
    def kinds(self) -> dict[str, str]:
        """The inputs built from their JSON (``api_values.from_json``), with how."""
        return {i.name: i.kind for i in self.inputs if i.kind is not None}


def api_of(graph: DataflowGraph, module: str, config: Mapping[str, Any]) -> Api:
    """The API of ``graph`` (resolved with ``config``; inputs that ``config`` gives are not
    asked for): one endpoint per node, but those that run once per item of a
    ``Parallelizable[]`` node, which have no one value, in name order."""
    in_blocks = blocks.block_nodes(graph)
    per_item = blocks.per_item(graph, in_blocks)
    inputs = {n: graph.input_type(n) for n in sorted(graph.input_names()) if n not in config}
    attributes = _attributes(list(inputs))
    fields = {n: _field(n, attributes[n], t, required=False) for n, t in inputs.items()}
    models: set[str] = set()
    handlers: set[str] = set()
    endpoints = []
    required_of: dict[str, tuple[str, ...]] = {}
    for name in sorted(graph.nodes()):
        if name in per_item:
            continue
        required = _required_inputs(graph, name, set(inputs))
        required_of[name] = tuple(sorted(required))
        upstream = sorted(graph.ancestors([name]) & inputs.keys())
        spec = graph.nodes()[name]
        endpoints.append(
            Endpoint(
                node=name,
                doc=(spec.hamilton.documentation or "").strip(),
                model=_unique(_camel(name) + "Inputs", models),
                handler=_unique("node_" + _identifier(name), handlers),
                inputs=tuple(_field(n, attributes[n], inputs[n], n in required) for n in upstream),
            )
        )
    asynchronous = any(is_async(spec.hamilton) for spec in graph.nodes().values())
    return Api(
        module,
        tuple(endpoints),
        tuple(fields.values()),
        required_of,
        asynchronous,
        dynamic=bool(in_blocks),
    )


def _required_inputs(graph: DataflowGraph, name: str, inputs: set[str]) -> set[str]:
    """The inputs a run of ``name`` cannot do without: those some node it computes takes as
    a required parameter (an input only ever given to optional parameters has a default)."""
    required = set()
    for node in {name} | (graph.ancestors([name]) - inputs):
        spec = graph.node(node)
        if spec is None:
            continue
        for dep, (_, how) in spec.hamilton.input_types.items():
            if dep in inputs and how == DependencyType.REQUIRED:
                required.add(dep)
    return required


def _field(name: str, attribute: str, hamilton_type: Any, required: bool) -> ApiInput:
    annotation, kind, description = type_of(hamilton_type)
    if not required:
        annotation = annotation if annotation == "Any" else f"{annotation} | None"
        description += " (optional)"
    return ApiInput(name, attribute, annotation, kind, required, description)


def _attributes(names: list[str]) -> dict[str, str]:
    """The request models' attribute for each input: its name when a model may have it,
    else ``input_<name>`` (leading underscores dropped; more ``_`` while taken). One for
    each input across the API, so a model holding several has them all distinct."""
    attributes = {n: n for n in names if _allowed(n)}
    taken = set(attributes)
    for name in names:
        if name not in attributes:
            candidate = "input_" + name.lstrip("_")
            while candidate in taken:
                candidate += "_"
            attributes[name] = candidate
            taken.add(candidate)
    return attributes


def _allowed(attribute: str) -> bool:
    return not (
        attribute.startswith(("_", "model_"))
        or attribute in _BASE_MODEL
        or attribute in _CLASS_BODY
        or keyword.iskeyword(attribute)
    )


def type_of(hamilton_type: Any) -> tuple[str, str | None, str]:
    """(pydantic annotation as source, kind, description) for a Hamilton type: int, float,
    str, bool, dates and times, and lists and dicts of them, as they are; a DataFrame as a
    list of records, a Series as a list or mapping, a numpy array as a list; anything else
    as any JSON value."""
    package = str(getattr(hamilton_type, "__module__", "")).split(".")[0]
    known = _KINDS.get((package, _name(hamilton_type)))
    if known is not None:
        return known
    text = _annotation(hamilton_type)
    if text is None or text == "Any":
        return "Any", None, _ANY_NOTE
    return text, None, text.replace("datetime.", "")


def _annotation(tp: Any) -> str | None:
    """``tp`` as pydantic annotation source, when JSON can carry it; else None."""
    if tp in _SCALARS:
        return _SCALARS[tp]
    if tp is dict:
        return "dict[str, Any]"
    if tp is list:
        return "list[Any]"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        parts = [_annotation(a) for a in args if a is not type(None)]
        if None in parts:
            return None
        none = ["None"] if type(None) in args else []
        return " | ".join([*typing.cast(list[str], parts), *none])
    inner = [_annotation(a) for a in args]
    if origin is list and len(inner) == 1 and inner[0] is not None:
        return f"list[{inner[0]}]"
    if origin is dict and len(inner) == 2 and inner[0] == "str" and inner[1] is not None:
        return f"dict[str, {inner[1]}]"
    return None


def _name(tp: Any) -> str:
    return str(getattr(tp, "__name__", ""))


def _identifier(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in _identifier(name).split("_") if p) or "Node"


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name2``, ``name3``... when taken (``a_b`` and ``a__b``: one class
    name; ``a.b`` and ``a_b``: one function name)."""
    candidate, i = name, 1
    while candidate in taken or candidate in ("NodeValue", "RunInputs", "RunRequest"):
        i += 1
        candidate = f"{name}{i}"
    taken.add(candidate)
    return candidate
