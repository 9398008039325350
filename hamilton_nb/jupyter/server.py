"""jupyter_server extension: the authenticated export endpoint behind JupyterLab's button.

``POST <base_url>/hamilton-nb/export`` with ``{"path": "<notebook, relative to the server
root>", "module": null, "force": false, "tests": false, "run": false}`` answers ``200 {"path",
"module", "tests_path", "untested"}`` (paths relative to the root; ``untested``: the nodes that
got no test, with their state; ``"run": true`` runs them first); 409 when the target exists
and is not ours to replace (retry with ``"force": true``); 400 for a broken cell or a bad
request; 403 for a path outside the root; 404 for a missing notebook.

The export itself runs in a child Python process (this module run with ``-m``): it executes the
notebook's ``%%dataflow`` cells to find the broken ones, and a cell's code must not block, crash
or stay loaded in the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
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
            status, reply = await _export_in_child(self.root, notebook, request)
        except _Refused as e:
            status, reply = e.status, {"message": e.message}
        if status >= 500:
            self.log.error("hamilton_nb export of %s failed: %s", self.request.body, reply)
        self.set_status(status)
        self.finish(json.dumps(reply))


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _parse(body: bytes) -> dict[str, Any]:
    """The request's fields, checked; raises ``_Refused(400)``."""
    try:
        request = json.loads(body or b"null")
    except ValueError as e:
        raise _Refused(400, f"the request body is not JSON: {e}") from e
    if not isinstance(request, dict) or not isinstance(request.get("path"), str):
        raise _Refused(400, 'expected a JSON object with "path": the notebook to export.')
    module = request.get("module")
    if module is not None and not (isinstance(module, str) and module.isidentifier()):
        raise _Refused(400, f'"module" must be null or a Python identifier, not {module!r}.')
    for flag in ("force", "tests", "run"):
        if not isinstance(request.get(flag, False), bool):
            raise _Refused(400, f'"{flag}" must be true or false.')
    return {
        "path": request["path"],
        "module": module,
        "force": request.get("force", False),
        "tests": request.get("tests", False),
        "run": request.get("run", False),
    }


def _inside_root(root: Path, path: str) -> Path:
    """The notebook ``path`` names, resolved; raises ``_Refused`` (403, 404) unless it is a
    file inside ``root`` (also after following symlinks)."""
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        raise _Refused(403, f"{path}: give the notebook's path relative to the server root.")
    notebook = (root / path).resolve()
    if not notebook.is_relative_to(root):
        raise _Refused(403, f"{path} is outside the server root.")
    if not notebook.is_file():
        raise _Refused(404, f"{path}: no such notebook.")
    return notebook


async def _export_in_child(
    root: Path, notebook: Path, request: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Run ``_export`` in a child Python process; its status and reply."""
    job = json.dumps({**request, "root": str(root), "notebook": str(notebook)}).encode()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        __name__,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=notebook.parent,
    )
    try:
        out, err = await asyncio.wait_for(child.communicate(job), TIMEOUT)
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


def _export(job: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """In the child process: export the notebook; the HTTP status and the reply."""
    from hamilton_nb.errors import ExportError, OverwriteRefusedError
    from hamilton_nb.export.replay import export_notebook

    root, notebook = Path(job["root"]), Path(job["notebook"])
    try:
        target = _target(notebook, job["module"])
        if target is not None and not target.resolve().is_relative_to(root):
            return 403, {"message": f"{target.name} links outside the server root."}
        result = export_notebook(
            notebook,
            target,
            job["module"],
            force=job["force"],
            tests=job["tests"],
            run=job["run"],
        )
    except OverwriteRefusedError as e:
        return 409, {"message": str(e), "path": _relative(root, target)}
    except ExportError as e:
        return 400, {"message": str(e)}
    return 200, {
        "path": _relative(root, result.path),
        "module": result.module,
        "tests_path": _relative(root, result.tests_path),
        "untested": dict(result.untested),
    }


def _target(notebook: Path, module: str | None) -> Path | None:
    """Where the module will be written (``<module>.py`` beside the notebook), when known
    before exporting: the module is given, or the notebook has only one."""
    if module is None:
        from hamilton_nb.export.notebook import read_notebook

        modules = read_notebook(notebook).modules
        if len(modules) != 1:
            return None  # export says which modules there are
        module = modules[0]
    return notebook.parent / f"{module}.py"


def _relative(root: Path, path: Path | None) -> str | None:
    return None if path is None else path.absolute().relative_to(root).as_posix()


def _load_jupyter_server_extension(serverapp: ServerApp) -> None:
    """Register the export route (jupyter_server calls this at start-up)."""
    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], "hamilton-nb", "export")
    root = Path(serverapp.root_dir).expanduser().resolve()
    # jupyter_server overrides add_handlers (to check authorization) without annotations
    web_app.add_handlers(".*$", [(route, ExportHandler, {"root": root})])  # type: ignore[no-untyped-call]


def _main() -> None:
    """The child process: a job as JSON on stdin, ``[status, reply]`` as JSON on stdout.
    What the notebook's code prints goes to stderr."""
    job = json.load(sys.stdin)
    with contextlib.redirect_stdout(sys.stderr):
        status, reply = _export(job)
    print(json.dumps([status, reply]))


if __name__ == "__main__":
    _main()
