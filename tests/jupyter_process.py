"""A real Jupyter server (or JupyterLab) in a child process, and notebooks to give it."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import requests
from nbformat.sign import NotebookNotary
from nbformat.v4 import new_code_cell, new_notebook

DATAFLOW_CELLS = [
    "%load_ext hamilton_nb",
    "%%dataflow\ndef base(x: int) -> int:\n    return x + 1",
    "%%dataflow\ndef doubled(base: int) -> int:\n    return base * 2",
]


def write_notebook(path: Path, cells: list[str] = DATAFLOW_CELLS, trusted: bool = True) -> Path:
    """A fresh notebook of code cells (with cell ids) at ``path``; ``trusted``: signed by this
    user's notary, as Jupyter signs the notebooks it saves for them (an unsigned one is what
    a download gives)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    if trusted:
        NotebookNotary().sign(nb)
    nbformat.write(nb, path)
    return path


@dataclass
class JupyterProcess:
    """A running ``jupyter server`` / ``jupyter lab``, token-authenticated, on 127.0.0.1."""

    url: str  # ends with "/"
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path

    def post(self, route: str, json: object, token: bool = True) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"} if token else {}
        return requests.post(self.url + route, json=json, headers=headers, timeout=120)

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down), by its PID; kill it if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_jupyter(
    app: str, root: Path, state: Path, *options: str, timeout: float = 90
) -> JupyterProcess:
    """Start ``python -m <app>`` (``jupyter_server`` or ``jupyterlab``) serving ``root``; its
    config, runtime files and log go under ``state``, so no user configuration leaks in.
    Returns once the server answers."""
    state.mkdir(parents=True, exist_ok=True)
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
    }
    log = state / f"{app}.log"
    command = [
        sys.executable,
        "-m",
        app,
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        *options,
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    server = JupyterProcess(f"http://127.0.0.1:{port}/", token, root, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{app} exited with {process.returncode}:\n{log.read_text()}")
        try:
            status = requests.get(f"{server.url}api/status?token={token}", timeout=5)
            if status.ok:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"{app} did not answer within {timeout} s:\n{log.read_text()}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
