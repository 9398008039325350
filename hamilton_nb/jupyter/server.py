"""jupyter_server extension: the authenticated export endpoint behind JupyterLab's button.

``POST <base_url>/hamilton-nb/export`` with ``{"path": "<notebook, relative to the server
root>", "module": null, "force": false, "tests": false, "run": false, "api": false, "trust":
false}`` answers ``200 {"path", "module", "tests_path", "untested", "api_path"}`` (paths
relative to the root; ``untested``: the nodes that got no test, with their state; ``"run":
true`` runs them first; ``"api": true`` also writes ``<module>_api.py``, a FastAPI app);
409 when the target exists and is not ours to replace (retry with ``"force": true``); 400 for
a broken cell or a bad request; 403 for a file outside the root, and ``403 {"untrusted":
true}`` for a notebook that is not trusted (not signed by this user, as Jupyter signs the
notebooks it saves; retry with ``"trust": true`` once the user agrees to run its code); 404
for a missing notebook.

Export runs the notebook's code: it replays the ``%%dataflow`` cells, to find the broken ones
and to build the module. It does so in a child Python process (this module run with ``-m``),
so a cell's code cannot block, crash or stay loaded in the server. The child works in the
notebook's folder, as a kernel would, but imports hamilton_nb and its dependencies from the
installation only: Python's safe-path mode keeps the folder off the front of ``sys.path``, and
the folder is searched last, for the notebook's own modules. Only the last part of what the
child prints is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp

TIMEOUT = 300.0  # seconds an export may take before its process is killed
REPLY_LIMIT = 4 << 20  # bytes of the child's reply kept (it is one line of JSON)
LOG_LIMIT = 64 << 10  # bytes kept of what the notebook's code prints (the last ones)


class ExportHandler(APIHandler):
    """Checks the request and the paths, runs the export in a child process, replies JSON."""

    auth_resource = "contents"  # an export writes a file, as a contents save does

    def initialize(self, root: Path) -> None:
        self.root = root

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        try:
            request = _parse(self.request.body)
            notebook = _inside_root(self.root, request["path"])
            if not request["trust"]:
                _check_trusted(self.contents_manager, notebook, request["path"])
            status, reply = await _export_in_child(self.root, notebook, request)
        except _Refused as e:
            status, reply = e.status, {"message": e.message, **e.extra}
        if status >= 500:
            self.log.error("hamilton_nb export of %s failed: %s", self.request.body, reply)
        self.set_status(status)
        self.finish(json.dumps(reply))


class _Refused(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def _parse(body: bytes) -> dict[str, Any]:
    """The request's fields, checked; raises ``_Refused(400)``."""
    try:
        request = json.loads(body or b"null")
    except ValueError as e:
        raise _Refused(400, f"the request body is not JSON: {e}") from e
    if not isinstance(request, dict) or not isinstance(request.get("path"), str):
        raise _Refused(400, 'expected a JSON object with "path": the notebook to export.')
    if "\0" in request["path"]:
        raise _Refused(400, '"path" holds a NUL character: no file has such a name.')
    module = request.get("module")
    if module is not None and not (isinstance(module, str) and module.isidentifier()):
        raise _Refused(400, f'"module" must be null or a Python identifier, not {module!r}.')
    flags = ("force", "tests", "run", "api", "trust")
    for flag in flags:
        if not isinstance(request.get(flag, False), bool):
            raise _Refused(400, f'"{flag}" must be true or false.')
    return {"path": request["path"], "module": module} | {
        flag: request.get(flag, False) for flag in flags
    }


def _inside_root(root: Path, path: str) -> Path:
    """The notebook ``path`` names, resolved; raises ``_Refused`` (403, 404) unless it is a
    file inside ``root`` (also after following symlinks)."""
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        raise _Refused(403, f"{path}: give the notebook's path relative to the server root.")
    try:
        notebook = (root / path).resolve()
    except (OSError, ValueError) as e:
        raise _Refused(400, f"{path}: not a path a notebook can have ({e}).") from e
    if not notebook.is_relative_to(root):
        raise _Refused(403, f"{path} is outside the server root.")
    if not notebook.is_file():
        raise _Refused(404, f"{path}: no such notebook.")
    return notebook


def _check_trusted(contents: Any, notebook: Path, path: str) -> None:
    """Refuse (403, ``untrusted``) a notebook whose signature this user's notary does not
    know: one Jupyter did not save for this user, so its code is not known to be theirs."""
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = getattr(contents, "notary", None) or NotebookNotary()
    try:
        trusted = notary.check_signature(nbformat.read(notebook, as_version=4))
    except Exception as e:
        raise _Refused(400, f"cannot read {path} as a notebook: {e}") from e
    if not trusted:
        raise _Refused(
            403,
            f"{path} is not trusted, and export runs its code (it replays the notebook's"
            " %%dataflow cells). Export it only if you trust that code.",
            untrusted=True,
        )


async def _export_in_child(
    root: Path, notebook: Path, request: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Run ``_export`` in a child Python process; its status and reply."""
    job = json.dumps({**request, "root": str(root), "notebook": str(notebook)}).encode()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-P",  # safe path: the notebook's folder is not put first on sys.path
        "-m",
        __name__,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=notebook.parent,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        child.stdin.write(job)
        await child.stdin.drain()
    child.stdin.close()
    try:
        out, err, _ = await asyncio.wait_for(
            asyncio.gather(
                _tail(child.stdout, REPLY_LIMIT), _tail(child.stderr, LOG_LIMIT), child.wait()
            ),
            TIMEOUT,
        )
    except TimeoutError:
        child.kill()
        await child.wait()
        return 504, {"message": f"the export took longer than {TIMEOUT:.0f} s and was stopped."}
    try:
        status, reply = json.loads(out.decode().strip().splitlines()[-1])
        return int(status), dict(reply)
    except (ValueError, IndexError, TypeError):
        why = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return 500, {"message": f"the export stopped unexpectedly: {why[0]}"}


async def _tail(stream: asyncio.StreamReader, keep: int) -> bytes:
    """Read ``stream`` to its end, keeping only its last ``keep`` bytes: a cell that prints
    without end costs the server no memory."""
    kept = bytearray()
    while chunk := await stream.read(1 << 16):
        kept += chunk
        if len(kept) > keep:
            del kept[: len(kept) - keep]
    return bytes(kept)


def _export(job: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """In the child process: export the notebook; the HTTP status and the reply."""
    from hamilton_nb.errors import ExportError, OutsideRootError, OverwriteRefusedError
    from hamilton_nb.export.replay import export_notebook

    root, notebook = Path(job["root"]), Path(job["notebook"])
    try:
        result = export_notebook(
            notebook,
            None,
            job["module"],
            force=job["force"],
            tests=job["tests"],
            run=job["run"],
            root=root,
            api=job["api"],
        )
    except OverwriteRefusedError as e:
        return 409, {"message": str(e), "path": _relative(root, e.path)}
    except OutsideRootError as e:
        return 403, {"message": f"{e} Nothing was exported."}
    except ExportError as e:
        return 400, {"message": str(e)}
    return 200, {
        "path": _relative(root, result.path),
        "module": result.module,
        "tests_path": _relative(root, result.tests_path),
        "untested": dict(result.untested),
        "api_path": _relative(root, result.api_path),
    }


def _relative(root: Path, path: Path | None) -> str | None:
    return None if path is None else path.absolute().relative_to(root).as_posix()


def _load_jupyter_server_extension(serverapp: ServerApp) -> None:
    """Register the export route (jupyter_server calls this at start-up)."""
    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], "hamilton-nb", "export")
    root = Path(serverapp.root_dir).expanduser().resolve()
    web_app.add_handlers(".*$", [(route, ExportHandler, {"root": root})])


def _main() -> None:
    """The child process: a job as JSON on stdin, ``[status, reply]`` as JSON on stdout.
    What the notebook's code prints, from Python or not, goes to stderr."""
    import hamilton_nb.export.replay  # noqa: F401  (from the installation, before the folder)

    job = json.load(sys.stdin)
    sys.path.append(str(Path(job["notebook"]).parent))  # the notebook's own modules, last
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    with contextlib.redirect_stdout(sys.stderr):
        status, reply = _export(job)
    with os.fdopen(reply_fd, "w") as out:
        out.write(json.dumps([status, reply]) + "\n")


if __name__ == "__main__":
    _main()
