"""Regression tests for an exported module: the values the notebook computed, as expectations."""

from __future__ import annotations

import ast
import os
import pickle
import sys
from pathlib import Path
from typing import Any

from hamilton_nb.cache import values
from hamilton_nb.cache.keys import Keys
from hamilton_nb.errors import ExportError
from hamilton_nb.export.files import format_code, generated
from hamilton_nb.export.regression_template import (
    ASYNC_RUN,
    COMPARE,
    HEADER,
    SPARK,
    SPARK_SCHEMAS,
    SYNC_RUN,
)
from hamilton_nb.run.hamilton import is_async
from hamilton_nb.sessions.view import SessionView

INLINE = 200  # characters of repr: larger expectations go to the data folder


def cases(session: SessionView) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(inputs, config, expected values by node) from the latest runs and the cache.

    Raises:
        ExportError: nothing has been computed yet.
    """
    runs = session.runs
    config = runs.config or dict(session.config)
    graph = session.graph_for(config)
    keys = Keys.for_values(graph, runs.inputs)  # what the generated test will give
    expected: dict[str, Any] = {}
    for name in graph.nodes():
        key = keys(name)
        if key is not None:
            found, value = session.cache.get(key)
            if found:
                expected[name] = value
    if not expected:
        raise ExportError(
            f"no computed values for '{session.name}' yet: run its nodes first"
            " (%dataflow run ...), then export with --tests."
        )
    return dict(runs.inputs), config, expected


def untested(session: SessionView) -> dict[str, str]:
    """The nodes that would get no test, with their state (stale, never run, failed, not
    cached): only a value the cache holds for the latest run's inputs is an expectation."""
    runs = session.runs
    graph = session.graph_for(runs.config or dict(session.config))
    keys = Keys.for_values(graph, runs.inputs)
    states = session.states()
    return {
        name: states.get(name, "never run")
        for name in graph.nodes()
        if (key := keys(name)) is None or not session.cache.contains(key)
    }


def test_files(
    session: SessionView, module_path: Path, workdir: Path, source: str
) -> tuple[dict[Path, str], dict[Path, bytes], dict[str, str], list[str]]:
    """The files of ``test_<module>.py`` and its data folder beside the exported module, not
    written: (text files, data files) by path, the nodes left out because their value
    cannot be stored (a lock, a generator), with why, and the Spark DataFrame nodes, whose
    schema is tested, not their rows (collecting them would run a job over all their data).

    Args:
        session: the session whose cached values are the expectations.
        module_path: the exported module.
        workdir: the directory the notebook ran in (relative input paths start there).
        source: the notebook's name, for the header.

    Raises:
        ExportError: nothing has been computed yet, or an input cannot be stored.
    """
    inputs, config, expected = cases(session)
    module = module_path.stem
    folder = module_path.parent / f"test_{module}_data"
    data: dict[Path, bytes] = {}
    inline, stored, unstorable, schemas = {}, {}, {}, {}
    for node, value in expected.items():
        if values.memory_only(value):  # Spark's: a plan or a handle, not data
            if (schema := _spark_schema(value)) is None:
                unstorable[node] = f"a Spark {type(value).__name__}: a handle, not data"
            else:
                schemas[node] = schema
            continue
        text = repr(value)
        if len(text) <= INLINE and _literal(text, value):
            inline[node] = text
            continue
        try:
            kind, payload = values.dumps(value)  # Parquet for a frame that round-trips exactly
        except Exception as e:
            unstorable[node] = f"its value cannot be stored: {type(e).__name__}: {e}"
            continue
        stored[node] = f"{node}.{'parquet' if kind == values.PARQUET else 'pkl'}"
        data[folder / stored[node]] = payload
    sessions = _spark_sessions(inputs)
    small = {k: v for k, v in inputs.items() if _literal(repr(v), v)}
    rest = {k: v for k, v in inputs.items() if k not in small and k not in sessions}
    try:
        data[folder / "inputs.pkl"] = pickle.dumps(rest, protocol=5)
    except Exception as e:
        raise ExportError(
            f"--tests: the inputs {', '.join(sorted(rest))} cannot be stored for the tests"
            f" ({type(e).__name__}: {e}). Nothing was exported."
        ) from e
    graph = session.graph_for(config)
    asynchronous = any(is_async(spec.hamilton) for spec in graph.nodes().values())
    spark = bool(sessions) or any(values.memory_only(v) for v in expected.values())
    nodes = "[*EXPECTED, *STORED, *SCHEMAS]" if schemas else "[*EXPECTED, *STORED]"
    hamilton, run, helper = (
        p.format(module=module, nodes=nodes) for p in (ASYNC_RUN if asynchronous else SYNC_RUN)
    )
    if spark:
        helper += SPARK.format(names=sessions)
    if schemas:
        helper += SPARK_SCHEMAS.format(schemas=schemas)
    code = (
        HEADER.format(
            module=module,
            hamilton=hamilton,
            run=run,
            helper=helper,
            sessions=", **_spark()" if spark else "",
            data=folder.name,
            workdir=_relative(workdir, module_path.parent),
            inputs=repr(small),
            config=repr(config),
            inline="{" + ", ".join(f"{k!r}: {v}" for k, v in inline.items()) + "}",
            stored=repr(stored),
        )
        + COMPARE
    )
    path = module_path.parent / f"test_{module}.py"
    return {path: generated(format_code(code), source)}, data, unstorable, sorted(schemas)


def _spark_schema(value: Any) -> str | None:
    """A Spark DataFrame's schema (Spark works it out from the plan: no job), or None for
    another Spark object."""
    spark = sys.modules.get("pyspark.sql")
    if spark is not None and isinstance(value, spark.DataFrame):
        return str(value.schema.simpleString())
    return None


def _spark_sessions(inputs: dict[str, Any]) -> list[str]:
    """The inputs that are a SparkSession: the tests give one of their own (``local[2]``).

    Raises:
        ExportError: another Spark object (a DataFrame) is an input: the tests cannot rebuild it.
    """
    spark = sys.modules.get("pyspark.sql")
    if spark is None:
        return []
    given = {k: v for k, v in inputs.items() if values.memory_only(v)}
    sessions = [k for k, v in given.items() if isinstance(v, spark.SparkSession)]
    others = sorted(k for k in given if k not in sessions)
    if others:
        raise ExportError(
            f"--tests: the input{'s' if len(others) > 1 else ''} {', '.join(others)} cannot be"
            " stored for the tests: a Spark DataFrame is a plan in this Spark application, not"
            " its rows. Read it in a node instead (from a path given as an input), run, then"
            " export again. Nothing was exported."
        )
    return sorted(sessions)


def _literal(text: str, value: Any) -> bool:
    try:
        return bool(ast.literal_eval(text) == value) and type(ast.literal_eval(text)) is type(value)
    except (ValueError, SyntaxError, TypeError):
        return False


def _relative(target: Path, start: Path) -> str:
    return os.path.relpath(target.resolve(), start.resolve())
