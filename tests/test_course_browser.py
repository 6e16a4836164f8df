"""The course on JupyterLite (site/course/): built with our wheel, runs offline in Chromium."""

import hashlib
import json
import re
import time

import pytest

from pathlib import Path

from site_support import SiteServer, chromium, ensure_site, requests_in, wait_for, ROOT
from tinygrad_edu.diagrams import chain_rule
from tinygrad_edu.draw import format_number
from tinygrad_edu.engine import topological_order

NOTEBOOK = "03_value_and_manual_backprop.ipynb"
# Building the course takes tens of seconds when site/ is missing or stale.
pytestmark = pytest.mark.slow


def _normal(name):
    """Package names as Pyodide compares them (PEP 503): Pygments == pygments."""
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def course():
    return ensure_site(course=True) / "course"


def test_the_course_has_every_notebook_and_a_local_pyodide(course):
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (course / "files").glob("*.ipynb")) == notebooks
    config = json.loads((course / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert kernel["disablePyPIFallback"] is True
    assert kernel["loadPyodideOptions"]["packages"] == ["matplotlib", "numpy"]     # the stubs, at start
    pyodide = course / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())["packages"]
    for name, entry in lock.items():                 # every package it names is really there
        wheel = pyodide / entry["file_name"]
        assert wheel.is_file(), name
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], name
        assert all(_normal(dep) in lock for dep in entry["depends"]), name
    assert "tinygrad_edu" in lock["tinygrad-edu"]["imports"]
    assert {"micropip", "ipython", "graphviz"} <= set(lock)
    assert (course / "static" / "viz" / "viz-standalone.js").is_file()
    import zipfile                                     # the notebooks come as site files, not
    ours = pyodide / lock["tinygrad-edu"]["file_name"]  # as megabytes inside the wheel
    assert not [n for n in zipfile.ZipFile(ours).namelist() if n.startswith("tinygrad_edu/course/")]


def test_a_notebook_opens_and_draws_a_graph_offline(course, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    server = SiteServer(course.parent)
    driver = chromium(tmp_path / "profile")
    try:
        driver.get(f"{server.origin}/course/notebooks/index.html?path={NOTEBOOK}")
        wait_for(driver, "return document.querySelectorAll('.jp-Notebook .jp-Cell').length > 8", 90)
        # Run the notebook from the top up to its first picture, as a student would:
        # Shift+Enter on each cell (the setup check, the imports, the graph L, its drawing).
        driver.find_elements("css selector", ".jp-Notebook .jp-Cell")[0].click()
        for _ in range(9):
            ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
            time.sleep(0.2)
        texts = wait_for(driver, """
            var svg = document.querySelector('.tge-viz svg');
            return svg && Array.from(svg.querySelectorAll('g.node.value text')).map(t => t.textContent);
            """, 180)
        L = chain_rule()                               # the notebook's L = (a*b + c)*f
        expected = {f"data {format_number(n.data)}" for n in topological_order(L)}
        assert expected <= set(texts), texts
        assert "grad ?" in texts                       # draw(L, grads={}): nothing computed yet
        wheels = [p for p in server.requested if p.endswith(".whl")]
        assert any("tinygrad_edu-" in p for p in wheels), wheels    # our wheel, from this server
    finally:
        driver.quit()
        server.close()


def _run_in_a_new_first_cell(driver, code):
    """Insert a cell at the top of the open notebook, type ``code`` into it, run it (Shift+Enter)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    driver.find_elements("css selector", ".jp-Notebook .jp-Cell")[0].click()
    ActionChains(driver).send_keys(Keys.ESCAPE).send_keys("a").send_keys(Keys.ENTER).perform()
    time.sleep(0.3)
    ActionChains(driver).send_keys(code).perform()
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()


def _first_cell_output(containing):
    """JavaScript: the first cell's output text once it contains ``containing``."""
    return f"""
        var cell = document.querySelector('.jp-Notebook .jp-Cell');
        var out = cell && cell.querySelector('.jp-OutputArea-output');
        return out && out.textContent.includes({json.dumps(containing)}) && out.textContent;"""


def test_numpy_and_matplotlib_say_why_they_cannot_run_and_pictures_still_show(course, tmp_path):
    server = SiteServer(course.parent)
    net_log = tmp_path / "net-log.json"
    driver = chromium(tmp_path / "profile", net_log=net_log)
    try:
        driver.get(f"{server.origin}/course/notebooks/index.html?path={NOTEBOOK}")
        wait_for(driver, "return document.querySelectorAll('.jp-Notebook .jp-Cell').length > 8", 90)
        started = time.monotonic()
        # Out of the kernel's sight (it reads a cell's import statements): the stubs are there
        # from the start, so an import inside a function explains itself too.
        _run_in_a_new_first_cell(driver, '__import__("numpy")')
        said = wait_for(driver, _first_cell_output("numpy"), 120)
        assert time.monotonic() - started < 100                        # an answer, not a hang
        assert "ModuleNotFoundError: numpy cannot be loaded in this browser course" in said, said
        assert "not available offline" in said
        assert "03_value_and_manual_backprop.ipynb" in said             # which notebooks run completely
        assert 'pip install "tinygrad-edu[notebooks]"' in said and "tinygrad-edu course" in said
        assert "micropip" not in said

        _run_in_a_new_first_cell(driver, "import matplotlib.pyplot as plt")
        said = wait_for(driver, _first_cell_output("matplotlib"), 120)
        assert "ModuleNotFoundError: matplotlib cannot be loaded in this browser course" in said, said

        # A picture still shows: draw() is laid out by viz.js in the page (no `dot` here).
        _run_in_a_new_first_cell(driver, 'from tinygrad_edu import Value, draw; a = Value(3.0, label="a"); '
                                         'draw(a * a + a)')
        texts = wait_for(driver, """
            var svg = document.querySelector('.jp-Notebook .jp-Cell .tge-viz svg');
            return svg && Array.from(svg.querySelectorAll('g.node.value text')).map(t => t.textContent);
            """, 120)
        assert {f"data {format_number(v)}" for v in (3.0, 9.0, 12.0)} <= set(texts), texts
        wheels = [p for p in server.requested if p.endswith(".whl")]
        assert any("numpy_unavailable_here-" in p for p in wheels), wheels       # the stubs, from here
        assert any("matplotlib_unavailable_here-" in p for p in wheels), wheels
    finally:
        driver.quit()
        server.close()
    # Nothing the page or Python asked for went anywhere but the local server (no CDN, no
    # package index): every request tagged like the page's fetch of viz.js and Python's
    # fetch of the numpy stub.  (Chromium's own services, tagged otherwise, are not the site's.)
    requests = requests_in(net_log)
    site_tags = {tag for tag, url in requests
                 if url.startswith(server.origin) and url.endswith(("viz-standalone.js", ".whl"))}
    assert site_tags, sorted(requests)[:20]                            # the log is real
    elsewhere = sorted(url for tag, url in requests if tag in site_tags and not url.startswith(server.origin))
    assert not elsewhere, elsewhere[:20]


def test_the_step_through_player_draws_its_frames_with_viz_js(course, tmp_path):
    from selenium.webdriver.common.keys import Keys
    server = SiteServer(course.parent)
    driver = chromium(tmp_path / "profile")
    try:
        driver.get(f"{server.origin}/course/notebooks/index.html?path={NOTEBOOK}")
        wait_for(driver, "return document.querySelectorAll('.jp-Notebook .jp-Cell').length > 8", 90)
        _run_in_a_new_first_cell(driver, 'from tinygrad_edu import Value; '
                                         'from tinygrad_edu.trace import trace_backward; '
                                         'x = Value(2.0, label="x"); y = x * x + x; '
                                         'trace_backward(y).player()')
        shown = """
            var player = document.querySelector('.jp-Notebook .jp-Cell .tge-player.tge-js');
            var frame = player && player.querySelector('.tge-frame.tge-on');
            var svg = frame && frame.querySelector('svg');
            return svg && [player.getAttribute('data-frame'),
                           Array.from(svg.querySelectorAll('g.node.value text')).map(t => t.textContent),
                           player.querySelectorAll('.tge-frame svg').length];"""
        frame, texts, drawn = wait_for(driver, shown, 120)
        assert frame == "0" and drawn == 1                  # only the frame on show is drawn yet
        assert {f"data {format_number(v)}" for v in (2.0, 4.0, 6.0)} <= set(texts), texts
        assert f"grad {format_number(1.0)}" in texts                    # y gets its seed
        assert "grad ?" in texts                             # x has received nothing yet
        assert not driver.find_elements("css selector", ".tge-player .tge-still")   # no still here
        driver.find_element("css selector", ".tge-player .tge-next").click()
        frame, texts, drawn = wait_for(driver, shown.replace("return svg &&",
                                                             "return svg && player.getAttribute('data-frame') === '1' &&"), 30)
        assert drawn == 2 and "grad ?" not in texts, texts      # y's step: x and x*x receive
        driver.find_element("css selector", ".tge-player").send_keys(Keys.END)    # the keys work too
        frame, texts, drawn = wait_for(driver, shown.replace("return svg &&",
                                                             "return svg && player.getAttribute('data-frame') === '2' &&"), 30)
        assert f"grad {format_number(2 * 2.0 + 1)}" in texts, texts     # dy/dx = 2x + 1 = 5
    finally:
        driver.quit()
        server.close()


def test_the_landing_lists_every_notebook_and_what_runs_in_the_browser(course, tmp_path):
    server = SiteServer(course.parent)
    driver = chromium(tmp_path / "profile")
    try:
        driver.get(f"{server.origin}/course/lab/index.html?path=README.md")
        rows = wait_for(driver, """
            var rows = document.querySelectorAll('.jp-RenderedMarkdown table tr');
            return rows.length > 2 && Array.from(rows).slice(1).map(r => r.textContent);""", 90)
    finally:
        driver.quit()
        server.close()
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert len(rows) == len(notebooks), rows
    for name, row in zip(notebooks, rows):
        assert Path(name).stem.replace("_", " ") in row, (name, row)
        site_copy = json.loads((course / "files" / name).read_text())
        noted = any("browser-note" in c.get("metadata", {}).get("tags", ()) for c in site_copy["cells"])
        assert ("runs completely" in row) == (not noted), (name, row)   # the landing and the note agree


def _menu(driver, top, item):
    """Click JupyterLab's menu ``top`` (e.g. "Run"), then its entry ``item``."""
    driver.execute_script("""return Array.from(document.querySelectorAll('.lm-MenuBar-itemLabel'))
                             .find(e => e.textContent.trim() === arguments[0]);""", top).click()
    wait_for(driver, """return Array.from(document.querySelectorAll('.lm-Menu-itemLabel'))
                        .find(e => e.textContent.trim() === arguments[0]);""", 10, 0.1, item).click()
    time.sleep(0.3)


def _runs_completely(course):
    """The notebooks the course's landing page says run completely in the browser."""
    landing = (course / "files" / "README.md").read_text()
    return sorted(re.findall(r"\]\((\d\d_\w+\.ipynb)\) \| runs completely \|", landing))


def test_the_landing_says_which_notebooks_run_completely(course):
    complete = _runs_completely(course)
    assert NOTEBOOK in complete and complete == _said_to_run_completely()
    for name in complete:                  # none of them needs what the browser lacks
        source = (ROOT / "notebooks" / name).read_text()
        assert not re.search(r"(import|from) +(numpy|matplotlib)", source), name


def _said_to_run_completely():
    """Notebooks the build finds need nothing the browser lacks (web/course.py reads them)."""
    import sys
    sys.path.insert(0, str(ROOT / "web"))
    from course import browser_needs
    return [nb.name for nb in sorted((ROOT / "notebooks").glob("*.ipynb")) if not browser_needs(nb)]


@pytest.mark.parametrize("name", _said_to_run_completely())
def test_a_notebook_said_to_run_completely_does_so_in_the_browser(course, tmp_path, name):
    server = SiteServer(course.parent)
    driver = chromium(tmp_path / "profile")
    try:
        driver.get(f"{server.origin}/course/notebooks/index.html?path={name}")
        wait_for(driver, "return document.querySelectorAll('.jp-Notebook .jp-Cell').length > 8", 90)
        _menu(driver, "Edit", "Clear Outputs of All Cells")
        _menu(driver, "Run", "Run All Cells")
        prompts = """return Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'))
                     .map(e => e.textContent.trim());"""
        # Run All stops at a failing cell: wait until every prompt has its number, or nothing moves.
        end, last, still = time.monotonic() + 300, None, 0
        while time.monotonic() < end:
            now = driver.execute_script(prompts)
            if all(re.fullmatch(r"\[\d+\]:", p) for p in now):
                break
            still = still + 1 if now == last and "[*]:" not in now else 0
            if still > 20:                                # 10 s with nothing running: it stopped
                break
            last = now
            time.sleep(0.5)
        errors = driver.execute_script("""return Array.from(document.querySelectorAll(
            '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
            .map(e => e.textContent.slice(0, 800));""")
        ran = driver.execute_script(prompts)
    finally:
        driver.quit()
        server.close()
    assert not [e for e in errors if "Error" in e], errors
    assert ran and all(re.fullmatch(r"\[\d+\]:", p) for p in ran), ran
