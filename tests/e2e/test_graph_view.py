"""The DAG widget at 38 and at 300 nodes, in a real JupyterLab: legible labels in the first
view, a minimap that moves the view, decorator groups that fold, and a panel that says which
decorated function produced a node."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SLOW, open_notebook
from tests.e2e.test_widget import node, run_all, run_notebook, shot
from tests.jupyter_process import JupyterProcess

EXAMPLE = Path(__file__).resolve().parents[2] / "notebooks" / "iterate_at_scale.ipynb"

# the on-screen size (CSS px) of each node and cluster label drawn in the canvas's visible
# part: its computed font size (SVG units) times the SVG's current scale to the screen
LABEL_SIZES = """() => {
    const canvas = document.querySelector('.hnb-canvas');
    const view = canvas.getBoundingClientRect();
    const sizes = [];
    for (const text of canvas.querySelectorAll('g.node text, g.cluster text')) {
        if (getComputedStyle(text).display === 'none') continue;
        const box = text.getBoundingClientRect();
        const inView = box.right > view.left && box.left < view.right
            && box.bottom > view.top && box.top < view.bottom;
        if (!inView || box.width === 0) continue;
        const px = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
        sizes.push({px, height: box.height});
    }
    return sizes;
}"""


def _scroll(page: Page) -> tuple[float, float]:
    return page.locator(".hnb-canvas").evaluate("c => [c.scrollLeft, c.scrollTop]")


def assert_labels_legible(page: Page, at_least: int) -> None:
    sizes = page.evaluate(LABEL_SIZES)
    assert len(sizes) >= at_least, sizes  # labels are drawn, not hidden
    assert min(s["px"] for s in sizes) >= 11, sizes
    assert min(s["height"] for s in sizes) >= 11, sizes  # the box on screen agrees


def assert_minimap_moves_the_view(page: Page) -> None:
    minimap = page.locator(".hnb-minimap")
    expect(minimap).to_be_visible()
    box = minimap.bounding_box()
    assert box is not None
    before = _scroll(page)
    minimap.click(position={"x": box["width"] - 4, "y": box["height"] - 4})  # bottom right
    clicked = _scroll(page)
    assert clicked != before, (before, clicked)
    # a drag from the top left corner moves the view with the pointer
    page.mouse.move(box["x"] + 4, box["y"] + 4)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    page.mouse.up()
    dragged = _scroll(page)
    assert dragged != clicked and dragged[0] < clicked[0] + 1, (clicked, dragged)


def test_the_38_node_example_opens_legible_with_a_minimap_groups_and_origins(
    page: Page, lab: JupyterProcess
) -> None:
    shutil.copy(EXAMPLE, lab.root / "iterate_at_scale.ipynb")
    open_notebook(page, lab, "iterate_at_scale.ipynb")
    run_all(page)
    expect(node(page, "scorecard")).to_have_count(1, timeout=SLOW)
    expect(page.locator(".hnb-title")).to_contain_text("churn: 3", timeout=SLOW)
    page.locator(".hnb-root").scroll_into_view_if_needed()
    assert_labels_legible(page, at_least=5)
    shot(page, "38-first-view")
    assert_minimap_moves_the_view(page)
    shot(page, "38-minimap-moved")

    # the notebook ends under --config score="fitted": the rule is drawn, greyed, as off
    off = page.locator(".hnb-canvas g.node", has_text="risk_score__rules")
    expect(off).to_contain_text(re.compile(r"disabled by config\s*\(score!=fitted\)"))
    tip = "risk_score__rules: disabled by config (score!=fitted)"
    expect(off.locator("title")).to_have_text(tip)

    # a column of @extract_columns: the panel says what produced it, its line marked
    node(page, "usage_m1").click()
    panel = page.locator(".hnb-panel")
    expect(panel.locator(".hnb-origin")).to_have_text(
        "column `usage_m1` extracted from `customers` by @extract_columns", timeout=SLOW
    )
    expect(panel.locator(".hnb-source-line")).to_contain_text('"usage_m1"')
    shot(page, "38-extracted-column")

    # the group folds into one node and opens again
    labels = page.locator(".hnb-canvas g.cluster text.hnb-cluster-label")
    label = labels.filter(has_text="@extract_columns")
    label.click()
    folded = page.locator(".hnb-canvas g.node.hnb-state-group")
    expect(folded).to_have_count(1)
    expect(folded).to_contain_text("9 nodes")
    expect(node(page, "usage_m1")).to_have_count(0)
    shot(page, "38-group-folded")
    folded.click()
    expect(node(page, "usage_m1")).to_have_count(1)
    expect(folded).to_have_count(0)

    # hover names the node in full; the keyboard moves along edges and to the search
    node(page, "usage_m1").hover()
    expect(page.locator(".hnb-card")).to_contain_text("usage_m1: pandas.Series")
    page.keyboard.press("ArrowUp")  # top-down: up is what it depends on
    expect(panel.locator(".hnb-name")).to_have_text("customers")
    page.keyboard.press("Enter")
    expect(panel).to_be_focused()
    page.locator(".hnb-canvas").focus()
    page.keyboard.press("/")
    expect(page.locator(".hnb-search")).to_be_focused()


def flow(n: int, cells: int) -> list[str]:
    """``n`` functions in ``cells`` cells: ten chains that cross the cells, every third also
    reading an earlier one, and one ``@extract_columns`` group at the top."""
    per = n // cells
    sources = []
    for c in range(cells):
        body = ["%%dataflow big"]
        if c == 0:
            body += [
                "from hamilton.function_modifiers import extract_columns",
                '@extract_columns("x1", "x2", "x3", "x4")',
                "def frame(seed: int) -> pd.DataFrame:",
                "    return pd.DataFrame({k: [seed] for k in ('x1', 'x2', 'x3', 'x4')})",
            ]
        for i in range(c * per, (c + 1) * per):
            args = [f"f_{i - 10}: int"] if i >= 10 else [f"x{i % 4 + 1}: pd.Series"]
            if i % 3 == 0 and i >= 20:
                args.append(f"f_{i - 17}: int")
            body.append(f"def f_{i}({', '.join(args)}) -> int:\n    return 1")
        sources.append("\n\n".join(body))
    return sources


def test_a_300_node_flow_opens_legible_and_its_minimap_moves_the_view(
    page: Page, lab: JupyterProcess
) -> None:
    cells = ["%load_ext hamilton_nb\nimport pandas as pd", *flow(300, 10)]
    cells.append("%dataflow show --module big")
    run_notebook(page, lab, "big.ipynb", cells)
    expect(page.locator(".hnb-title")).to_have_text("big: 305 nodes", timeout=SLOW)
    page.locator(".hnb-root").scroll_into_view_if_needed()
    expect(page.locator(".hnb-minimap")).to_be_visible()
    assert_labels_legible(page, at_least=5)
    shot(page, "300-first-view")
    assert_minimap_moves_the_view(page)
    shot(page, "300-minimap-moved")
    # fit is one click away: the whole graph, its labels hidden rather than drawn too small
    page.locator(".hnb-bar").get_by_role("button", name="fit").click()
    expect(page.locator(".hnb-minimap")).to_be_hidden()
    assert page.evaluate(LABEL_SIZES) == []
    expect(page.locator(".hnb-hint")).to_contain_text("labels hidden")
    shot(page, "300-fit")
    # the direction, chosen from the graph's shape, turns on the toolbar: a new layout
    turn = page.locator(".hnb-bar .hnb-direction")
    expect(turn).to_have_text("⇅ top-down")
    turn.click()
    expect(turn).to_have_text("⇄ left-right")
    expect(page.locator(".hnb-canvas svg")).to_be_attached()
    shot(page, "300-left-right")
