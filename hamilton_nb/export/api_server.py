"""Serving an API app with uvicorn: in a background thread (``%dataflow serve``, started and
stopped from the notebook), or in the foreground over a module file (``hamilton-nb serve``)."""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import uvicorn

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.errors import DataflowError, ExportError
from hamilton_nb.export.api_app import SessionApi
from hamilton_nb.export.load import load_module
from hamilton_nb.sessions.session import Session

_STARTUP = 30.0  # seconds a server may take to start listening


class ServeError(ExportError):
    """An API cannot be served as asked (the port is taken, the module does not load)."""


class BackgroundServer:
    """uvicorn serving ``app`` from a daemon thread of this process, until ``stop``."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.host = host
        self._port: int | None = None
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, name="hamilton-nb serve", daemon=True
        )

    @property
    def port(self) -> int:
        """The port it listens on (the one the system chose, for port 0)."""
        return self._port if self._port is not None else int(self.server.config.port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Start listening; returns once the server accepts connections.

        Raises:
            ServeError: the port is in use, or the server did not start.
        """
        check_port_free(self.host, self.server.config.port)
        self.thread.start()
        deadline = time.monotonic() + _STARTUP
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServeError(
                    f"the server did not start on {self.host}:{self.server.config.port}"
                    " (see the messages above)."
                )
            time.sleep(0.01)
        sockets = [s for server in self.server.servers for s in server.sockets]
        self._port = int(sockets[0].getsockname()[1])

    def stop(self) -> None:
        """Stop accepting requests, finish those under way, and end the thread."""
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout=_STARTUP)


def check_port_free(host: str, port: int) -> None:
    """Raises ServeError, saying so, when ``host:port`` is taken."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as e:
            why = "is in use" if e.errno == errno.EADDRINUSE else f"cannot be used ({e})"
            raise ServeError(
                f"port {port} on {host} {why}: choose another with --port, or stop what"
                " listens there (a server of another module: %dataflow serve --stop)."
            ) from None


def session_of_file(path: Path, config: Mapping[str, Any]) -> Session:
    """A scratch session holding the Hamilton module file ``path`` (its code run as a live
    module of another name, since the file itself is importable by its own; the modules of
    its folder importable), resolved with ``config``; serve it as ``path.stem``.

    Raises:
        ServeError: the file is no module to serve, or its code fails.
    """
    if not path.stem.isidentifier():
        raise ServeError(f"{path}: '{path.stem}' is not a module name (a Python identifier).")
    if not path.is_file():
        raise ServeError(f"no such module file: {path}")
    sys.path.insert(0, str(path.resolve().parent))  # its sibling modules, as Python would
    session = Session(f"_hamilton_nb_serve_{path.stem}", None, NodeCache(None), config)
    try:
        load_module(session, path)
    except DataflowError as e:
        session.close()
        raise ServeError(f"{path}: {e}") from e
    return session


def serve_file(path: Path, host: str, port: int, config: Mapping[str, Any]) -> None:
    """Serve the module file ``path`` in the foreground, until interrupted.

    Raises:
        ServeError: the file cannot be served, or the port is taken.
    """
    session = session_of_file(path, config)
    check_port_free(host, port)
    uvicorn.run(SessionApi(session, name=path.stem), host=host, port=port, lifespan="off")
