"""The notebook and the kernel agree on which %%dataflow cells exist: deleting one in
JupyterLab takes its functions out of the module (the widget drops its nodes), and an undo
brings them back."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, SLOW
from tests.e2e.test_widget import LOAD, REPORT, edit_and_run, run_notebook
from tests.jupyter_process import JupyterProcess

RUN = "%dataflow run total count --module shop --inputs rows=5"
CELLS = [
    "%load_ext hamilton_nb\nimport pandas as pd",
    LOAD,
    REPORT,
    "%dataflow show --module shop",
]


def command(page: Page, name: str, index: int) -> None:
    page.evaluate(
        """([name, index]) => {
            const panel = window.jupyterapp.shell.currentWidget;
            panel.content.activeCellIndex = index;
            return window.jupyterapp.commands.execute(name);
        }""",
        [name, index],
    )


def test_a_deleted_dataflow_cell_leaves_the_graph_and_an_undo_brings_it_back(
    page: Page, lab: JupyterProcess
) -> None:
    run_notebook(page, lab, "cells.ipynb", CELLS)
    nodes = page.locator(".hnb-canvas g.node")
    expect(nodes).to_have_count(5, timeout=SLOW)  # raw, clean, total, count and the input rows

    command(page, "notebook:delete-cell", 2)  # the cell that defines total and count
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(3)
    expect(nodes).to_have_count(3, timeout=SLOW)  # raw, clean, rows
    toast = page.locator(".jp-toast-message", has_text="deleted cell: shop: -2 removed")
    expect(toast).to_have_count(1, timeout=SLOW)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".hnb-root").screenshot(path=ARTIFACTS / "cells-1-deleted.png")

    command(page, "notebook:undo-cell-action", 1)
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(4)
    expect(nodes).to_have_count(5, timeout=SLOW)
    page.locator(".hnb-root").screenshot(path=ARTIFACTS / "cells-2-undone.png")


def test_deleting_other_cells_leaves_the_graph_alone(page: Page, lab: JupyterProcess) -> None:
    run_notebook(page, lab, "others.ipynb", [*CELLS, "1 + 1"])
    nodes = page.locator(".hnb-canvas g.node")
    expect(nodes).to_have_count(5, timeout=SLOW)
    command(page, "notebook:delete-cell", 4)
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(4)
    command(page, "notebook:move-cell-up", 2)  # a move is no deletion
    page.wait_for_timeout(1000)  # what the kernel would have been told has arrived
    expect(nodes).to_have_count(5)


def test_each_dataflow_cell_shows_the_states_of_its_nodes(page: Page, lab: JupyterProcess) -> None:
    run_notebook(page, lab, "badges.ipynb", [*CELLS, RUN])
    cells = page.locator(".jp-Notebook .jp-Cell")
    load, report = cells.nth(1).locator(".hnb-cell-badge"), cells.nth(2).locator(".hnb-cell-badge")
    expect(report).to_have_text("✓ 2 fresh", timeout=SLOW)
    expect(load).to_have_text("✓ 2 fresh")
    expect(cells.nth(0).locator(".hnb-cell-badge")).to_have_count(0)  # not a dataflow cell

    # edit the first dataflow cell and run it: what depends on its edited node is stale
    edit_and_run(page, 1, LOAD.replace("raw.n > 0", "raw.n > 1"))
    expect(report).to_have_text("↻ 2 stale", timeout=SLOW)
    expect(load).to_have_text("↻ 1 stale · ✓ 1 fresh")
    assert report.get_attribute("data-worst") == "stale"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "cells-3-badges.png")


def test_go_to_cell_in_the_widget_scrolls_the_notebook_to_the_node_s_cell(
    page: Page, lab: JupyterProcess
) -> None:
    run_notebook(page, lab, "goto.ipynb", [*CELLS, *[f"x{i} = {i}" for i in range(30)]])
    expect(page.locator(".hnb-canvas g.node")).to_have_count(5, timeout=SLOW)
    command(page, "notebook:move-cursor-down", 33)  # the last cell: the widget's cell is above
    page.locator(".hnb-canvas g.node", has_text="total").click()
    go = page.locator(".hnb-panel").get_by_role("button", name="go to cell")
    go.click()
    active = "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
    page.wait_for_function(f"({active})() === 2", timeout=SLOW)
    expect(page.locator(".jp-Notebook .jp-Cell").nth(2)).to_be_in_viewport()
    page.screenshot(path=ARTIFACTS / "cells-4-go-to-cell.png")
