"""The course on JupyterLite (site/course/): built with our wheel, runs offline in Chromium."""

import hashlib
import json
import re
import time

import pytest

from site_support import SiteServer, chromium, ensure_site, wait_for, ROOT
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
