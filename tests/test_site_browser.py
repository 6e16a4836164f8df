"""The graph playground of site/ in a real headless Chromium, served from 127.0.0.1 only.

Expected numbers come from the package running here in CPython (the page runs the
same package in Pyodide) and, for error lines, from the `tinygrad-edu` command itself.
"""

import subprocess
import sys
import time

import pytest

from site_support import SiteServer, chromium, ensure_site, wait_for
from tinygrad_edu import Value
from tinygrad_edu.draw import format_number
from tinygrad_edu.engine import topological_order
from tinygrad_edu.formula import parse
from tinygrad_edu.trace import trace_backward

START = {"x": 0.5, "w": -3.0, "b": 2.0}          # the page's values when the URL gives none


# Every test here starts from a browser that loaded Python in WebAssembly (seconds).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    site = ensure_site()
    served = SiteServer(site)
    yield served
    served.close()


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    """One browser, the playground opened once (cold); the tests below go on from there."""
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    started = time.monotonic()
    driver.get(server.origin + "/index.html")
    wait_for(driver, "return document.body.dataset.state !== 'loading'", timeout=90)
    driver.cold_start = time.monotonic() - started
    yield driver
    driver.quit()


def expected_graph(text, values):
    """The package's own graph for a formula: {node id: (data text, grad text)} and edge labels."""
    leaves = {name: Value(v, label=name) for name, v in values.items()}
    root = parse(text).evaluate(leaves)
    root.label = "f"                               # as the page (and the CLI) name the output
    root.backward()
    order = topological_order(root)
    nodes = {f"v{i}": (format_number(n.data), None if not n.requires_grad else format_number(n.grad))
             for i, n in enumerate(order)}
    edges = sorted(format_number(p) for n in order if not n.is_leaf for p in n.local_grads()
                   if p is not None)             # an edge from a constant carries no number
    return root, nodes, edges


def shown_graph(driver):
    """What the page's picture says: {node id: text of its box} and the edge labels."""
    return driver.execute_script("""
        var svg = document.querySelector('#graph svg'), nodes = {}, edges = [];
        svg.querySelectorAll('g.node.value').forEach(function (g) {
            nodes[g.id] = Array.from(g.querySelectorAll('text')).map(t => t.textContent).join(' ');
        });
        svg.querySelectorAll('g.edge text').forEach(function (t) {   // 1st/2nd mark operand order
            if (!/^(1st|2nd)$/.test(t.textContent)) edges.push(t.textContent); });
        return [nodes, edges.sort()];""")


def draws(driver):
    return int(driver.execute_script("return document.getElementById('graph').dataset.draws || 0"))


def wait_redraw(driver, before):
    wait_for(driver, "return +document.getElementById('graph').dataset.draws > arguments[0]"
                     " && document.body.dataset.state === 'ready'", 30, 0.02, before)


def type_formula(driver, text):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    box = driver.find_element(By.ID, "formula")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text)


def assert_matches_package(driver, text, values):
    _, nodes, edges = expected_graph(text, values)
    shown, shown_edges = shown_graph(driver)
    assert set(shown) == set(nodes)
    for node_id, (data, grad) in nodes.items():
        assert f"data {data}" in shown[node_id], (node_id, shown[node_id])
        if grad is not None:
            assert f"grad {grad}" in shown[node_id], (node_id, shown[node_id])
    assert shown_edges == edges                      # every edge's local derivative


def cli_error(*args):
    """The error line the `tinygrad-edu` command prints (exit code 2)."""
    done = subprocess.run([sys.executable, "-m", "tinygrad_edu", *args], capture_output=True,
                          text=True)
    assert done.returncode == 2
    return done.stderr.strip()


# ---------------------------------------------------------------------------
def test_cold_start_draws_a_graph_with_nothing_but_the_local_server(page, server):
    assert page.execute_script("return document.body.dataset.state") == "ready", \
        page.find_element("id", "status").text
    assert page.cold_start < 60, f"first graph after {page.cold_start:.1f} s"
    resources = page.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources, "the page loaded no resources?"
    outside = [url for url in resources if not url.startswith(server.origin)]
    assert outside == [], f"fetched from outside the site: {outside}"
    assert any(p.endswith("pyodide.asm.wasm") for p in server.requested)
    assert_matches_package(page, "tanh(x*w + b)", START)


def test_typing_a_formula_draws_the_packages_gradients(page):
    before = draws(page)
    type_formula(page, "tanh(x*w + b)")
    wait_redraw(page, before)
    assert page.find_element("id", "formula").get_attribute("value") == "tanh(x*w + b)"
    assert_matches_package(page, "tanh(x*w + b)", START)
    # The table: autodiff next to central differences, both from the package.
    root, _, _ = expected_graph("tanh(x*w + b)", START)
    leaves = {n.label: n for n in topological_order(root) if n.is_leaf}
    for name in START:
        row = page.find_element("css selector", f'#table tr[data-name="{name}"]').text
        assert format_number(leaves[name].grad) in row and "✓" in row, row
    assert "formula=tanh" in page.current_url and "w=-3" in page.current_url


def test_a_slider_change_redraws_with_new_gradients(page):
    before = draws(page)
    page.execute_script("var s = document.getElementById('slider-w'); s.value = '1.5';"
                        "s.dispatchEvent(new Event('input'));")
    wait_redraw(page, before)
    assert_matches_package(page, "tanh(x*w + b)", {**START, "w": 1.5})
    assert "w=1.5" in page.current_url


def test_a_bad_formula_shows_the_cli_error_and_the_page_recovers(page):
    for bad in ("x ^ 2", "foo(x)"):
        type_formula(page, bad)
        wait_for(page, "return document.body.dataset.state === 'error'", 20)
        shown = page.find_element("id", "status").text
        assert shown == cli_error("grad", bad, "x=0.5"), shown
    before = draws(page)
    type_formula(page, "x*x")
    wait_redraw(page, before)
    assert_matches_package(page, "x*x", {"x": 0.5})


def test_the_player_steps_with_the_arrow_keys(page):
    from selenium.webdriver.common.keys import Keys
    before = draws(page)
    type_formula(page, "tanh(x*w + b)")
    wait_redraw(page, before)
    player = page.find_element("id", "player")
    wait_for(page, "return document.getElementById('player').dataset.frame === '0'"
                   " && document.querySelector('.tge-caption').textContent.startsWith('Start')", 20)
    root, _, _ = expected_graph("tanh(x*w + b)", {**START, "w": 1.5})
    trace = trace_backward(root)
    position = {node: i for i, node in enumerate(trace.order)}
    player.click()
    for frame in range(1, len(trace) + 1):
        player.send_keys(Keys.ARROW_RIGHT)
        assert player.get_attribute("data-frame") == str(frame)
        caption = page.find_element("css selector", "#player .tge-caption").text
        assert caption == trace.caption(frame)
        current = page.execute_script(
            "return document.querySelector('#player .tge-frame g.value.current').id")
        assert current == f"v{position[trace[frame - 1].node]}"
    player.send_keys(Keys.ARROW_RIGHT)                     # past the end: stays on the last
    assert player.get_attribute("data-frame") == str(len(trace))
    player.send_keys(Keys.ARROW_LEFT)
    assert player.get_attribute("data-frame") == str(len(trace) - 1)


def test_a_shared_link_reproduces_formula_and_values(page, server):
    page.get(server.origin + "/index.html?formula=x*y%20%2B%20sin(x)&x=2&y=-1.25")
    wait_for(page, "return document.body.dataset.state === 'ready'", 60)
    assert page.find_element("id", "formula").get_attribute("value") == "x*y + sin(x)"
    assert_matches_package(page, "x*y + sin(x)", {"x": 2.0, "y": -1.25})
    assert page.find_element("id", "slider-y").get_attribute("value") == "-1.25"


def test_a_phone_sized_window_stacks_the_page_without_sideways_scrolling(page, server):
    page.set_window_size(390, 844)
    try:
        page.get(server.origin + "/index.html")
        wait_for(page, "return document.body.dataset.state === 'ready'", 60)
        wide, view = page.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide <= view, f"page is {wide}px wide in a {view}px window"
        # top to bottom on a narrow screen: the output sits below every input
        output_top, input_bottom = page.execute_script(
            "var svg = document.querySelector('#graph svg');"
            "var inputs = Array.from(svg.querySelectorAll('g.value.input'))"
            "  .map(g => g.getBoundingClientRect().bottom);"
            "return [svg.querySelector('g.value.output').getBoundingClientRect().top,"
            "        Math.max.apply(null, inputs)];")
        assert output_top > input_bottom
    finally:
        page.set_window_size(1400, 1000)


def test_dark_mode_follows_the_system_setting(page, server):
    page.execute_cdp_cmd("Emulation.setEmulatedMedia",
                         {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        page.get(server.origin + "/index.html")
        wait_for(page, "return document.body.dataset.state === 'ready'", 60)
        background = page.execute_script("return getComputedStyle(document.body).backgroundColor")
        red, green, blue = [int(c) for c in background[background.index("(") + 1:-1].split(",")[:3]]
        assert max(red, green, blue) < 60, background
        assert "invert" in page.execute_script(
            "return getComputedStyle(document.querySelector('#graph svg')).filter")
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_a_long_formula_draws_and_the_player_explains_its_limit(page, server):
    page.get(server.origin + "/index.html")
    wait_for(page, "return document.body.dataset.state === 'ready'", 60)
    text = "x" + "*1.01+x" * 40                        # 161 Values, 80 backward steps
    before = draws(page)
    started = time.monotonic()
    type_formula(page, text)
    wait_redraw(page, before)
    wait_for(page, "var note = document.querySelector('#player .hint');"
                   "return note !== null && note.textContent !== ''", 30)
    assert time.monotonic() - started < 30
    assert "steps through up to" in page.find_element("css selector", "#player .hint").text
    assert_matches_package(page, text, {"x": 0.5})
