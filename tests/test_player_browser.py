"""The step-through player in a real headless browser (Debian chromium + chromedriver)."""

import os
import shutil

import pytest

from tinygrad_edu.diagrams import chain_rule
from tinygrad_edu.trace import trace_backward

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", "--window-size=1400,900",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
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
