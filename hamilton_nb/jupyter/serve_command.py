"""``%dataflow serve``: a live module as a REST API, served from a thread of the kernel (see
``export.api_app``), following every later cell; ``--stop`` ends it.

The servers running, by module name, are this module's table (``SERVERS``): like the
engines a kernel starts, they live as long as the kernel, or until stopped."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from hamilton_nb.errors import ExportError
from hamilton_nb.jupyter.dataflow import DataflowSession

SERVERS: dict[str, Any] = {}  # module name -> its export.api_server.BackgroundServer


def serve(session: DataflowSession, args: Any) -> str:
    """Start (or, with ``--stop``, stop) serving ``session``'s module; what to tell the user.

    Raises:
        UsageError: FastAPI or uvicorn is missing, the module is served already, or the
            port is taken.
    """
    name = session.name
    if args.stop:
        server = SERVERS.pop(name, None)
        if server is None:
            return f"{name}: not served"
        server.stop()
        return f"{name}: stopped serving {server.url}"
    running = SERVERS.get(name)
    if running is not None:
        raise UsageError(
            f"{name} is served already, on {running.url}; stop it first:"
            f" %dataflow serve --stop --module {name}"
        )
    try:
        from hamilton_nb.export.api_app import SessionApi
        from hamilton_nb.export.api_server import BackgroundServer
    except ImportError as e:
        raise UsageError(
            f"serving needs FastAPI and uvicorn ({e.name} is missing):"
            ' pip install "hamilton_nb[serve]"'
        ) from None
    port = 8000 if args.port is None else args.port
    server = BackgroundServer(SessionApi(session, session.lock), args.host, port)
    try:
        server.start()
    except ExportError as e:
        raise UsageError(f"{name}: {e}") from None
    SERVERS[name] = server
    return (
        f"{name}: serving on {server.url} (endpoints: {server.url}/docs); it follows every"
        f" cell you run. Stop: %dataflow serve --stop --module {name}"
    )
