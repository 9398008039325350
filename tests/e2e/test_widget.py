"""The DAG widget in a real JupyterLab, in Debian's chromium: render, click, edit, run."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import ARTIFACTS, SLOW, open_notebook
from tests.jupyter_process import JupyterProcess, write_notebook

HOSTILE = "<img src=x onerror=document.title='pwned'>"
LOAD = (
    "%%dataflow shop\n"
    "def raw(rows: int) -> pd.DataFrame:\n"
    '    """The raw extract."""\n'
    f"    return pd.DataFrame({{'n': range(rows), 'note': [{HOSTILE!r}] * rows}})\n\n"
    "def clean(raw: pd.DataFrame) -> pd.DataFrame:\n"
    "    return raw[raw.n > 0]\n"
)
REPORT = (
    "%%dataflow shop\n"
    "def total(clean: pd.DataFrame) -> int:\n    return int(clean.n.sum())\n\n"
    "def count(clean: pd.DataFrame) -> int:\n    return len(clean)\n"
)
CELLS = [
    "%load_ext hamilton_nb\nimport pandas as pd",
    LOAD,
    REPORT,
    "%dataflow show --module shop",
    "%dataflow run total count --module shop --inputs rows=5",
]


def run_all(page: Page) -> None:
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")


def run_notebook(page: Page, lab: JupyterProcess, path: str, cells: list[str]) -> None:
    """Write a notebook of ``cells`` at ``path``, open it, and run all its cells."""
    write_notebook(lab.root / path, cells)
    open_notebook(page, lab, path)
    run_all(page)


def edit_and_run(page: Page, index: int, source: str) -> None:
    """Give cell ``index`` a new source and run it, as a user typing in it would."""
    page.evaluate(
        """([index, source]) => {
            const panel = window.jupyterapp.shell.currentWidget;
            panel.content.activeCellIndex = index;
            panel.content.widgets[index].model.sharedModel.setSource(source);
            return window.jupyterapp.commands.execute('notebook:run-cell');
        }""",
        [index, source],
    )


def node(page: Page, name: str) -> Locator:
    """The drawn node ``name``: element ids are generated, and its tip starts with its name."""
    tip = page.locator("title", has_text=re.compile(rf"^{re.escape(name)}: "))
    return page.locator(".hnb-canvas g.node", has=tip)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"widget-{name}.png", animations="disabled", full_page=True)
    # the notebook scrolls inside the page, so the page's picture cuts the widget off
    widget = page.locator(".hnb-root")
    widget.screenshot(path=ARTIFACTS / f"widget-{name}-alone.png", animations="disabled")


def test_the_widget_renders_previews_safely_and_follows_edits_and_runs(
    page: Page, lab: JupyterProcess
) -> None:
    run_notebook(page, lab, "widget.ipynb", CELLS)

    nodes = page.locator(".hnb-canvas g.node")
    expect(nodes).to_have_count(5, timeout=SLOW)  # raw, clean, total, count and the input rows
    expect(node(page, "total")).to_have_class("node hnb-state-fresh", timeout=SLOW)
    expect(node(page, "rows")).to_have_class("node hnb-state-input")
    expect(page.locator(".hnb-legend")).to_contain_text("stale")
    shot(page, "1-rendered")

    node(page, "raw").click()
    panel = page.locator(".hnb-panel")
    expect(panel.locator(".hnb-doc")).to_have_text("The raw extract.", timeout=SLOW)
    expect(panel.locator("table.hnb-table")).to_contain_text(HOSTILE)  # shown as text
    assert panel.locator("table.hnb-table img").count() == 0
    expect(panel.locator(".hnb-cost")).to_contain_text("4 cached nodes stale")
    assert page.title() != "pwned"
    shot(page, "2-clicked")

    # edit the first dataflow cell and run it again: it and its descendants turn stale
    edit_and_run(page, 1, LOAD.replace("raw.n > 0", "raw.n > 1"))
    expect(node(page, "clean")).to_have_class("node hnb-state-stale", timeout=SLOW)
    expect(node(page, "total")).to_have_class("node hnb-state-stale")
    expect(node(page, "raw")).to_have_class("node hnb-state-fresh hnb-selected")
    shot(page, "3-edited")

    # run from the widget: the panel's button computes the selected node's lineage; the nodes
    # whose value changed are outlined, with the gist of the change
    node(page, "total").click()
    panel.get_by_role("button", name="run total").click()
    changed = "node hnb-state-fresh hnb-changed"
    expect(node(page, "total")).to_have_class(f"{changed} hnb-selected", timeout=SLOW)
    expect(node(page, "clean")).to_have_class(changed)
    expect(node(page, "total")).to_contain_text("Δ 10 → 9")  # rows 1..4, then 2..4
    expect(node(page, "clean")).to_contain_text("Δ rows 4 → 3")
    expect(node(page, "raw")).not_to_contain_text("Δ")  # not computed again
    expect(node(page, "count")).to_have_class("node hnb-state-stale hnb-dim")  # not its lineage
    expect(panel).to_contain_text("last run changed it10 → 9")
    shot(page, "4-ran")

    # views: the selected node's lineage only; a cell folded by its label, opened by a click
    lineage = page.locator(".hnb-bar").get_by_role("button", name="lineage only")
    lineage.click()
    expect(nodes).to_have_count(4)  # count is not in total's lineage
    lineage.click()
    expect(nodes).to_have_count(5)
    label = page.locator(".hnb-canvas g.cluster text.hnb-cluster-label").first
    label.click(position={"x": 3, "y": 5})  # its left end: the input's edge crosses its middle
    folded = page.locator(".hnb-canvas g.node.hnb-state-cell")
    expect(folded).to_have_count(1)
    expect(nodes).to_have_count(4)  # raw and clean in one
    shot(page, "5-folded")
    folded.click()
    expect(nodes).to_have_count(5)
    expect(node(page, "clean")).to_have_class(changed)


BUNDLE = re.compile(r"/lab/extensions/hamilton-nb/static/widget-[0-9a-f]{16}\.js$")


def asks_for_the_bundle(page: Page) -> list[str]:
    """The frames the page will send the kernel that ask it for the widget's bundle."""
    asked: list[str] = []

    def sent(frame: str | bytes) -> None:
        if '"bundle"' in str(frame):
            asked.append(str(frame))

    page.on("websocket", lambda ws: ws.on("framesent", sent))
    return asked


def test_the_widget_imports_its_bundle_from_the_lab_extension(
    page: Page, lab: JupyterProcess
) -> None:
    write_notebook(lab.root / "served.ipynb", CELLS[:4])
    asked = asks_for_the_bundle(page)
    with page.expect_response(BUNDLE, timeout=SLOW) as served:
        open_notebook(page, lab, "served.ipynb")
        run_all(page)
    assert served.value.ok
    expect(page.locator(".hnb-canvas g.node")).to_have_count(5, timeout=SLOW)
    assert asked == []  # the kernel was not asked


def test_without_the_extension_s_bundle_the_kernel_sends_it(
    page: Page, lab: JupyterProcess
) -> None:
    # as where the extension is absent or of another version: the request for the file fails
    page.route(BUNDLE, lambda route: route.abort())
    asked = asks_for_the_bundle(page)
    write_notebook(lab.root / "unserved.ipynb", CELLS[:4])
    open_notebook(page, lab, "unserved.ipynb")
    run_all(page)
    expect(page.locator(".hnb-canvas g.node")).to_have_count(5, timeout=SLOW)
    assert len(asked) == 1
    shot(page, "6-from-the-kernel")
