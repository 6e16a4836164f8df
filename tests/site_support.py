"""Shared by the browser tests of site/: build it if needed, serve it, drive Chromium.

A missing tool (chromium, chromedriver, selenium, npm packages) skips the tests on
a developer's machine but FAILS them in CI (CI=true), so a broken install step
cannot pass silently.
"""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
WEB = ROOT / "web"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

# Files whose change means site/ must be rebuilt.
_SOURCES = [WEB / "playground", WEB / "build_site.py", WEB / "course.py", WEB / "package-lock.json",
            ROOT / "tinygrad_edu", *sorted((ROOT / "notebooks").glob("*.ipynb"))]


def missing(reason):
    """Skip locally, fail in CI: a test that cannot run must not look green there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: .ci/run must install it)")
    pytest.skip(reason)


def _newest_source():
    newest = 0.0
    for source in _SOURCES:
        files = [source] if source.is_file() else source.rglob("*") if source.exists() else []
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                newest = max(newest, f.stat().st_mtime)
    return newest


def ensure_site(course=False):
    """site/ as `make site` builds it; (re)built here if missing or older than its sources.

    ``course=True`` needs the JupyterLite part too (the `site` extra); without it
    only the playground is built here.
    """
    stamp = SITE / ".built"
    if (stamp.exists() and stamp.stat().st_mtime >= _newest_source()
            and (not course or (SITE / "course" / "index.html").is_file())):
        return SITE
    if not (WEB / "node_modules" / "pyodide").is_dir():
        if not shutil.which("npm"):
            missing("web/node_modules is missing and npm is not installed")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True,
                       capture_output=True)
    try:
        import jupyterlite_core  # noqa: F401  (the course part of the build)
        with_course = True
    except ImportError:
        if course or IN_CI:
            missing("jupyterlite-core is not installed: pip install -e '.[site]' (make site does)")
        with_course = False
    command = [sys.executable, str(WEB / "build_site.py")] + ([] if with_course else ["--no-course"])
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"building site/ failed:\n{done.stdout}\n{done.stderr}"
    return SITE


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".json": "application/json"}

    def log_message(self, *args):
        self.server.requested.append(self.path)


class SiteServer:
    """site/ on a free port of 127.0.0.1, in a thread; remembers every path asked for."""

    def __init__(self, folder):
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
        self.httpd.requested = []
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def requested(self):
        return self.httpd.requested

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def chromium(profile_dir, width=1400, height=1000, net_log=None):
    """Headless Chromium that can reach 127.0.0.1 and nothing else.

    ``net_log``: a file where Chromium records every request it makes, the
    page's, its workers' and its own (read it with :func:`requested_urls`).
    """
    if not (CHROMIUM and CHROMEDRIVER):
        missing("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium is not installed (it is in the test extra)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}", f"--user-data-dir={profile_dir}",
                 # Every host name but the local server resolves to nothing: a page that
                 # reached for a CDN would fail here instead of passing by luck.
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    if net_log:
        options.add_argument(f"--log-net-log={net_log}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait_for(driver, script, timeout=60.0, poll=0.02, *args):
    """Poll a JavaScript expression until it is truthy; returns its value."""
    import time
    end = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script, *args)
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for: {script}")
        time.sleep(poll)


def requests_in(net_log):
    """``{(traffic annotation, URL)}`` of every http(s) request in a Chromium net log.

    Chromium tags each request with a number saying who made it: the page's and
    its workers' fetches share one, Chromium's own services (update checks,
    sign-in, network time...) have theirs.  Read it after the browser has quit.
    """
    import re
    text = Path(net_log).read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r'"traffic_annotation":(\d+),"url":"(https?://[^"]+)"', text))
