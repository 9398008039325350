"""hamilton_nb: live Hamilton dataflows in Jupyter notebooks."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hamilton_nb.jupyter.dataflow import DataflowSession

__version__ = "0.1.0"


def session(name: str = "dataflow") -> DataflowSession:
    """The session of live module ``name`` (created on first use)."""
    from hamilton_nb.jupyter.registry import REGISTRY

    return REGISTRY.get(name)


def session_names() -> list[str]:
    """The module names of every live session, in creation order."""
    from hamilton_nb.jupyter.registry import REGISTRY

    return list(REGISTRY.sessions)


def __getattr__(name: str) -> Any:
    """``hamilton_nb.engines`` (``hamilton_nb.engines.stop("dask")``), imported when first used."""
    if name == "engines":
        return importlib.import_module("hamilton_nb.run.engines")
    raise AttributeError(f"module 'hamilton_nb' has no attribute '{name}'")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext hamilton_nb``: register the ``%%dataflow`` and ``%dataflow`` magics."""
    from hamilton_nb.jupyter.magics import load_ipython_extension as load
    from hamilton_nb.run.spark import default_worker_python

    load(ipython)
    default_worker_python()  # before the notebook starts Spark: its workers run this Python


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext hamilton_nb``."""
    from hamilton_nb.jupyter.magics import unload_ipython_extension as unload

    unload(ipython)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """jupyter_server discovery: the export endpoint lives in ``hamilton_nb.jupyter.server``."""
    return [{"module": "hamilton_nb.jupyter.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """JupyterLab discovery (for ``jupyter labextension develop``): the built front-end."""
    return [{"src": "labextension", "dest": "hamilton-nb"}]
