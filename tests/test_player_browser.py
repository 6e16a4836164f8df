"""The step-through player in a real headless browser (Debian chromium + chromedriver)."""

import os

import pytest

from site_support import chromium
from tinygrad_edu.diagrams import chain_rule
from tinygrad_edu.trace import trace_backward


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium; a missing browser skips locally and fails under CI=true."""
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"), width=1400, height=900)
    yield driver
    driver.quit()


def visible_frame(driver):
    from selenium.webdriver.common.by import By
    shown = [f for f in driver.find_elements(By.CSS_SELECTOR, ".tge-frame") if f.is_displayed()]
    assert len(shown) == 1, f"{len(shown)} frames visible"
    return shown[0]


def current_node(frame):
    from selenium.webdriver.common.by import By
    nodes = frame.find_elements(By.CSS_SELECTOR, "g.value.current")
    return nodes[0].get_attribute("id") if nodes else None


def test_next_button_changes_frame_and_highlighted_node(browser, tmp_path):
    from selenium.webdriver.common.by import By
    trace = trace_backward(chain_rule())
    path = trace.player().save(tmp_path / "player.html")
    browser.get("file://" + os.path.abspath(path))

    frame = visible_frame(browser)
    assert frame.get_attribute("data-frame") == "0" and current_node(frame) is None
    assert browser.find_element(By.CSS_SELECTOR, ".tge-prev").get_attribute("disabled")
    seen = []
    for expected in range(1, 4):
        browser.find_element(By.CSS_SELECTOR, ".tge-next").click()
        frame = visible_frame(browser)
        assert frame.get_attribute("data-frame") == str(expected)
        node = current_node(frame)
        step = trace[expected - 1]
        assert node == f"v{trace.order.index(step.node)}"        # the step's own node
        assert step.name in frame.find_element(By.CSS_SELECTOR, ".tge-caption").text
        seen.append(node)
    assert len(set(seen)) == 3                                   # L, d, e: it moved each time
    assert browser.find_element(By.CSS_SELECTOR, ".tge-next").get_attribute("disabled")
    assert "frame 4 / 4" in browser.find_element(By.CSS_SELECTOR, ".tge-count").text

    # The slider jumps straight to a frame; previous goes back one.
    browser.execute_script(
        "var s = document.querySelector('.tge-slider'); s.value = 1;"
        "s.dispatchEvent(new Event('input'));")
    assert visible_frame(browser).get_attribute("data-frame") == "1"
    browser.find_element(By.CSS_SELECTOR, ".tge-prev").click()
    assert visible_frame(browser).get_attribute("data-frame") == "0"
    shot = os.environ.get("TGE_SCREENSHOT")          # for looking at the page by eye
    if shot:
        browser.find_element(By.CSS_SELECTOR, ".tge-next").click()
        browser.find_element(By.CSS_SELECTOR, ".tge-next").click()
        browser.save_screenshot(shot)


def test_a_wide_picture_scrolls_to_keep_the_current_node_in_view(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from tinygrad_edu import Value
    x = Value(0.3, label="x")
    y = x
    for _ in range(12):                      # a long chain: far wider than the 1400-px window
        y = (y * 1.1).tanh()
    trace = trace_backward(y)
    browser.get("file://" + os.path.abspath(trace.player().save(tmp_path / "wide.html")))

    def node_in_view(selector):
        return browser.execute_script(
            "var f = Array.from(document.querySelectorAll('.tge-frame'))"
            "  .filter(function (e) { return e.offsetParent !== null; })[0];"
            "var n = f.querySelector(arguments[0]);"
            "var a = n.getBoundingClientRect(), b = f.getBoundingClientRect();"
            "return [f.scrollWidth > f.clientWidth, a.left >= b.left && a.right <= b.right];",
            selector)

    wide, visible = node_in_view("g.value.output")          # start: the output, far right
    assert wide and visible
    for _ in range(len(trace) // 2):
        browser.find_element(By.CSS_SELECTOR, ".tge-next").click()
    wide, visible = node_in_view("g.value.current")          # midway: the node being processed
    assert wide and visible


def test_a_slightly_wide_picture_shrinks_to_fit_and_keeps_its_inputs_in_view(browser, tmp_path):
    """A frame a little wider than the page is scaled to fit (never below 3/4): no scrolling,
    so the inputs' labels on the left are never pushed out of view."""
    from selenium.webdriver.common.by import By
    trace = trace_backward(chain_rule())
    browser.get("file://" + os.path.abspath(trace.player().save(tmp_path / "narrow.html")))
    natural = browser.execute_script(
        "return document.querySelector('.tge-frame.tge-on svg').width.baseVal.value")
    browser.execute_script("document.querySelector('.tge-player').style.width = arguments[0] + 'px'",
                           natural * 0.9)
    for _ in range(3):
        browser.find_element(By.CSS_SELECTOR, ".tge-next").click()
        state = browser.execute_script("""
            var f = document.querySelector('.tge-frame.tge-on'), svg = f.querySelector('svg');
            var leaf = f.querySelector('g.value.leaf, g.value.input') || f.querySelectorAll('g.value')[0];
            var a = leaf.getBoundingClientRect(), b = f.getBoundingClientRect();
            return [f.scrollLeft, f.scrollWidth - f.clientWidth, svg.getBoundingClientRect().width,
                    a.left >= b.left - 1];""")
        scroll, overflow, width, leaf_visible = state
        assert scroll == 0 and overflow <= 1 and leaf_visible, state
        assert natural * 0.75 - 1 <= width <= natural * 0.9 + 1


def test_an_exported_page_follows_a_dark_colour_scheme(browser, tmp_path):
    from selenium.webdriver.common.by import By
    path = trace_backward(chain_rule()).player().save(tmp_path / "dark.html")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        browser.get("file://" + os.path.abspath(path))
        colours = browser.execute_script("""
            var c = document.querySelector('.tge-frame.tge-on .tge-caption');
            return [getComputedStyle(c).color, getComputedStyle(document.body).backgroundColor];""")
        shot = os.environ.get("TGE_SCREENSHOT_DARK")
        if shot:
            browser.save_screenshot(shot)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    ink, paper = (_luminance(c) for c in colours)
    assert (max(ink, paper) + 0.05) / (min(ink, paper) + 0.05) >= 4.5, colours
    assert paper < ink                                    # light text on a dark page


def _luminance(css):
    import re
    red, green, blue = (float(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
