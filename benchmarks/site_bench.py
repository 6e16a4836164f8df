"""How live the graph playground feels, in this machine's headless Chromium.

    make site && .venv/bin/python benchmarks/site_bench.py [--runs 3] [--keys 20]

* cold start: a fresh browser profile (empty cache) opens site/index.html; the
  time is the page's own clock from navigation start to the first graph's SVG
  in the document (Pyodide + our wheel + viz.js loaded, formula drawn);
* second visit: the same, after a reload (files from the browser's cache);
* redraw: with a 30-node formula on the page, one keystroke in the formula box
  to the redrawn graph in the document (keydown timestamp -> end of the update).

site/ is served from 127.0.0.1 by the test suite's own server helper.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from site_support import SITE, SiteServer, chromium, wait_for  # noqa: E402

#: 30 Values (inputs, constants, operations): two neurons and a little more.
FORMULA_30 = "tanh(x1*w1 + x2*w2 + x3*w3 + b1) + tanh(x1*v1 + x2*v2 + x3*v3 + b2) * 0.5 + sin(b1)"


def cold_start(server, runs):
    """First-graph times of first visits (empty cache) and of second visits (reload)."""
    times, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as profile:
            driver = chromium(profile)
            try:
                driver.get(server.origin + "/index.html")
                wait_for(driver, "return document.body.dataset.state === 'ready'", 120)
                times.append(float(driver.execute_script(
                    "return document.getElementById('graph').dataset.drawnAt")) / 1000)
                print("  stages (ms since navigation):",
                      driver.execute_script("return document.body.dataset.phases"))
                driver.refresh()                  # a second visit: files from the browser's cache
                wait_for(driver, "return document.body.dataset.state === 'ready'", 120)
                warm.append(float(driver.execute_script(
                    "return document.getElementById('graph').dataset.drawnAt")) / 1000)
            finally:
                driver.quit()
    return times, warm


def redraws(server, keys):
    from selenium.webdriver.common.keys import Keys
    with tempfile.TemporaryDirectory() as profile:
        driver = chromium(profile)
        try:
            driver.get(f"{server.origin}/index.html?formula={quote(FORMULA_30)}")
            wait_for(driver, "return document.body.dataset.state === 'ready'", 120)
            driver.execute_script("document.getElementById('formula').addEventListener('keydown',"
                                  " function () { window.keyAt = performance.now(); }, true);")
            box = driver.find_element("id", "formula")
            box.click()
            box.send_keys(Keys.END + Keys.ARROW_LEFT * len(" + sin(b1)"))   # after "0.5"
            time.sleep(0.5)                       # let the player built on load finish
            strokes = [str(k % 9 + 1) for k in range(keys // 2)] + [Keys.BACKSPACE] * (keys // 2)
            times = []
            for key in strokes:
                before = int(driver.execute_script("return +document.getElementById('graph').dataset.draws"))
                box.send_keys(key)
                wait_for(driver, "return +document.getElementById('graph').dataset.draws > arguments[0]",
                         30, 0.005, before)
                times.append(float(driver.execute_script(
                    "return document.getElementById('graph').dataset.drawnAt - window.keyAt")))
                time.sleep(0.35)                  # typing pauses: the player is rebuilt in between
            nodes = driver.execute_script("return document.querySelectorAll('#graph g.node.value').length")
            return times, nodes
        finally:
            driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold starts (default 3)")
    parser.add_argument("--keys", type=int, default=20, help="keystrokes (default 20)")
    args = parser.parse_args()
    if not (SITE / "index.html").is_file():
        sys.exit("site/ is missing: run `make site` first")
    server = SiteServer(SITE)
    try:
        cold, warm = cold_start(server, args.runs)
        keys, nodes = redraws(server, args.keys)
    finally:
        server.close()
    print(f"cold start to first graph: {', '.join(f'{t:.2f}' for t in cold)} s "
          f"(median {statistics.median(cold):.2f} s)")
    print(f"second visit (cached) to first graph: {', '.join(f'{t:.2f}' for t in warm)} s "
          f"(median {statistics.median(warm):.2f} s)")
    keys.sort()
    print(f"keystroke -> redrawn graph ({nodes} nodes, {len(keys)} keystrokes): "
          f"median {statistics.median(keys):.0f} ms, p90 {keys[int(0.9 * (len(keys) - 1))]:.0f} ms, "
          f"max {keys[-1]:.0f} ms")


if __name__ == "__main__":
    main()
