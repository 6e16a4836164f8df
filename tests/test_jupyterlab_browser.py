"""The course in a real JupyterLab (a server started here, driven by headless Chromium).

A notebook opened from a file is untrusted: JupyterLab runs none of its scripts and
shows no SVG, so the stored pictures must be PNG and the stored player must read as a
still picture.  A player that runs must keep its arrow keys to itself, show its focus,
work when shown twice, and stay readable in the light and the dark theme.

Set TGE_SCREENSHOTS=folder to keep the screenshots (light, dark, untrusted, keys).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from site_support import ROOT, chromium, missing, wait_for

pytestmark = pytest.mark.slow

STORED = "04_topological_order_and_accumulation.ipynb"     # drawings and a stored player
TOKEN = "tge-test-token"

# Headings matter: in command mode JupyterLab binds → and ← to "next heading" and
# "previous heading / collapse", so a key that escapes the player moves the active cell.
PLAYER_NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "id": "top", "source": "# Two players"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "id": "make",
         "source": "from tinygrad_edu.diagrams import chain_rule\n"
                   "from tinygrad_edu.trace import trace_backward\n"
                   "player = trace_backward(chain_rule()).player()\nplayer"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "id": "again",
         "source": "player   # the same trace twice on one page"},
        {"cell_type": "markdown", "metadata": {}, "id": "below", "source": "## After the players"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "id": "after",
         "source": "1 + 1"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free local port, with its own (empty) settings and secrets."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        missing("jupyterlab is not installed (it is in the notebooks extra, which make test installs)")
    home = tmp_path_factory.mktemp("lab")
    notebooks = home / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / STORED, notebooks / STORED)
    (notebooks / "player.ipynb").write_text(json.dumps(PLAYER_NOTEBOOK), encoding="utf-8")
    env = dict(os.environ)
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                      ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")):
        (home / sub).mkdir()
        env[name] = str(home / sub)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}')   # no news pop-up
    port = _free_port()
    log = open(home / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={notebooks}",
         "--allow-root", "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start:\n" + (home / "server.log").read_text()[-3000:])
            time.sleep(0.3)
    driver = chromium(home / "profile", width=1280, height=1000)
    try:
        yield url, driver
    finally:
        driver.quit()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _shot(driver, name):
    folder = os.environ.get("TGE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def _open(url, driver, notebook):
    driver.get(f"{url}/lab/tree/{notebook}?token={TOKEN}&reset")
    wait_for(driver, "return window.jupyterapp && document.querySelectorAll("
                     "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').length > 2", 90)


def _run(driver, command, args=None):
    # Not awaited: a command that opens a dialog resolves only once the dialog is answered.
    driver.execute_script("window.jupyterapp.commands.execute(arguments[0], arguments[1] || {})",
                          command, args)


def test_an_untrusted_stored_notebook_shows_its_pictures(lab):
    url, driver = lab
    _open(url, driver, STORED)
    # The stored player and drawings: render every cell (JupyterLab may draw lazily).
    found = wait_for(driver, """
        var panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        var scroller = panel.querySelector('.jp-WindowedPanel-outer') || panel.querySelector('.jp-Notebook');
        scroller.scrollTop += 600;
        var imgs = Array.from(panel.querySelectorAll('.jp-OutputArea-output img'))
          .filter(function (i) { return i.complete && i.naturalWidth > 0; });
        var still = panel.querySelector('.tge-player .tge-still');
        if (imgs.length < 3 || !still) return null;
        return {imgs: imgs.length, svgs: panel.querySelectorAll('.jp-OutputArea-output svg').length};
    """, 60)
    assert found["svgs"] == 0, "untrusted output shows no SVG: the pictures must be PNG"
    trusted = driver.execute_script(
        "return window.jupyterapp.shell.currentWidget.content.model.cells.get(3).trusted")
    assert trusted is False
    sizes = driver.execute_script("""
        return Array.from(document.querySelectorAll('.jp-OutputArea-output img'))
          .map(function (i) { var r = i.getBoundingClientRect(); return [r.width, r.height]; });""")
    assert sizes and all(w > 40 and h > 15 for w, h in sizes), sizes
    # The player without its script: a still picture of the first frame and one line on
    # how to step through it; no frames flattened into text, no dead buttons.
    still = driver.execute_script("""
        var p = document.querySelector('.jp-OutputArea-output .tge-player');
        p.scrollIntoView();
        var pic = p.querySelector('.tge-still .tge-still-picture'), r = pic.getBoundingClientRect();
        var live = p.querySelector('.tge-live');
        return {bg: getComputedStyle(pic).backgroundImage.slice(0, 30), w: r.width, h: r.height,
                text: p.innerText, live: live ? live.offsetHeight : -1,
                buttons: Array.from(p.querySelectorAll('button')).filter(function (b) {
                  return b.offsetParent !== null; }).length};""")
    assert still["bg"].startswith('url("data:image/png;base64,'), still["bg"]
    assert still["w"] > 100 and still["h"] > 40
    assert still["live"] == 0 and still["buttons"] == 0
    assert "run the cells up to here" in still["text"] and "Step 2" not in still["text"]
    time.sleep(0.3)
    _shot(driver, "untrusted-notebook")
    # What the note says works: trusting the notebook brings the stored player to life.
    _run(driver, "notebook:trust")
    wait_for(driver, "var b = document.querySelector('.jp-Dialog .jp-mod-accept');"
                     "if (b) b.click(); return !b && document.querySelector('.tge-player.tge-js')", 30)
    assert driver.execute_script("return document.querySelector('.tge-player.tge-js .tge-still')"
                                 ".offsetHeight") == 0


def _active_cell(driver):
    return driver.execute_script(
        "return window.jupyterapp.shell.currentWidget.content.activeCellIndex")


def _frame(driver, k):
    return driver.execute_script(
        "return document.querySelectorAll('.tge-player.tge-js')[arguments[0]].getAttribute('data-frame')", k)


def _contrast(driver, selector):
    """WCAG contrast ratio of the text of the first element matching ``selector`` (visible)."""
    return driver.execute_script("""
        var el = Array.from(document.querySelectorAll(arguments[0]))
          .filter(function (e) { return e.offsetParent !== null; })[0];
        function rgb(c) { var m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : m.concat([1]); }
        function lum(c) { return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]); }
        function ch(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
        var fg = rgb(getComputedStyle(el).color), bg = null;
        for (var e = el; e; e = e.parentElement) {
          var c = rgb(getComputedStyle(e).backgroundColor);
          if (c[3] > 0.5) { bg = c; break; }
        }
        bg = bg || [255, 255, 255, 1];
        var a = lum(fg), b = lum(bg);
        return [(Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), getComputedStyle(el).color,
                'rgb(' + bg.slice(0, 3).join(',') + ')'];""", selector)


def test_a_player_keeps_its_keys_and_reads_well_in_both_themes(lab):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    url, driver = lab
    _open(url, driver, "player.ipynb")
    wait_for(driver, "var s = window.jupyterapp.shell.currentWidget.sessionContext.session;"
                     "return s && s.kernel && s.kernel.connectionStatus === 'connected'"
                     " && s.kernel.status === 'idle'", 90)
    _run(driver, "notebook:run-all-cells")
    wait_for(driver, "return document.querySelectorAll('.tge-player.tge-js').length === 2", 90)
    ids = driver.execute_script(
        "return Array.from(document.querySelectorAll('.tge-player')).map(function (p) { return p.id; })")
    assert len(set(ids)) == 2, ids                   # two displays, two ids, both interactive

    for k in (0, 1):
        players = driver.find_elements("css selector", ".tge-player.tge-js")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", players[k])
        players[k].find_element("css selector", ".tge-count").click()
        time.sleep(0.2)
        active = _active_cell(driver)
        assert active == k + 1                        # clicking selects the player's cell
        focused = driver.execute_script(
            "var p = document.querySelectorAll('.tge-player.tge-js')[arguments[0]];"
            "return p.contains(document.activeElement) && getComputedStyle(p).boxShadow", k)
        assert focused and focused != "none", "the focused player shows its focus ring"
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
        time.sleep(0.2)
        assert _frame(driver, k) == "1" and _active_cell(driver) == active
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT).send_keys(Keys.ARROW_RIGHT).perform()
        time.sleep(0.2)
        assert _frame(driver, k) == "3" and _active_cell(driver) == active
        if k == 1:
            _shot(driver, "player-after-keys-light")
        ActionChains(driver).send_keys(Keys.ARROW_LEFT).perform()
        time.sleep(0.2)
        assert _frame(driver, k) == "2" and _active_cell(driver) == active
        ActionChains(driver).send_keys(Keys.HOME).perform()
        time.sleep(0.2)
        assert _frame(driver, k) == "0" and _active_cell(driver) == active
        ActionChains(driver).send_keys(Keys.END).perform()
        time.sleep(0.2)
        assert _frame(driver, k) == "3" and _active_cell(driver) == active
        still_in = driver.execute_script(
            "return document.querySelectorAll('.tge-player.tge-js')[arguments[0]]"
            ".contains(document.activeElement)", k)
        assert still_in, "the keys left the focus in the player"
    assert _frame(driver, 0) == "3"                   # the second player moved alone

    for theme, dark in (("JupyterLab Light", "false"), ("JupyterLab Dark", "true")):
        _run(driver, "apputils:change-theme", {"theme": theme})
        wait_for(driver, f"return document.body.dataset.jpThemeLight === '{dark == 'false' and 'true' or 'false'}'", 30)
        time.sleep(0.5)
        for selector in (".tge-player.tge-js .tge-caption", ".tge-player.tge-js .tge-count",
                         ".tge-player.tge-js summary"):
            ratio, fg, bg = _contrast(driver, selector)
            assert ratio >= 4.5, f"{theme}: {selector} is {fg} on {bg} (contrast {ratio:.2f})"
        _shot(driver, "player-" + ("dark" if dark == "true" else "light"))
    _run(driver, "apputils:change-theme", {"theme": "JupyterLab Light"})
