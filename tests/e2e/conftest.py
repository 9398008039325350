"""A real JupyterLab (one per test module) and Debian's chromium driven by playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.jupyter_process import JupyterProcess, start_jupyter

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SLOW = 60_000  # ms: a cold JupyterLab shows a notebook in ~5 s, a kernel is idle in ~5 s more


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterProcess]:
    base = tmp_path_factory.mktemp("lab")
    (base / "root").mkdir()
    # no "Would you like to get notified about official Jupyter news?" toast
    notification = base / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    running = start_jupyter(
        "jupyterlab",
        base / "root",
        base / "state",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={base / 'settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("no chromium on PATH: scripts/test.sh installs Debian's")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def open_notebook(page: Page, lab: JupyterProcess, path: str) -> None:
    """Open ``path`` in a fresh workspace and wait until its kernel is idle (before that,
    JupyterLab drops what it is sent)."""
    page.goto(f"{lab.url}lab/tree/{path}?token={lab.token}&reset")
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=SLOW)
