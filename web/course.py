"""The course as a JupyterLite site (site/course/), with a Python that runs offline.

JupyterLite's Pyodide kernel normally downloads Pyodide and its packages from a
CDN.  The npm ``pyodide`` package has the interpreter and the standard library
but none of the packages (micropip, IPython...).  So this builds a small
Pyodide distribution of its own, from registries only:

* the npm package's runtime files (web/node_modules/pyodide);
* the pure-Python wheels the kernel needs (micropip, IPython and what it
  imports, jedi, comm), at the versions Pyodide's lock file names, downloaded
  from PyPI;
* our wheel and ``graphviz``;

and rewrites the lock file so every entry it keeps points at a file that is
really there (name, version and checksum of the downloaded wheel).  Packages
that exist only as WebAssembly builds on Pyodide's CDN (numpy, matplotlib) are
dropped from the lock: a notebook cell importing them says the module is not
found instead of waiting for a server that cannot be reached.
"""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_PYODIDE = ROOT / "web" / "node_modules" / "pyodide"

#: What the Pyodide kernel installs when it starts (its worker asks for these).
KERNEL_NEEDS = ("micropip", "ipython", "jedi")
#: Imported by the kernel but missing from Pyodide's lock file; versions from PyPI.
EXTRA_WHEELS = {"comm": "comm==0.2.3", "prompt_toolkit": "prompt_toolkit==3.0.52",
                "ipython_pygments_lexers": "ipython_pygments_lexers==1.1.1"}
RUNTIME_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm",
                 "python_stdlib.zip", "package.json")

KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"


def _normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(packages, names):
    seen = []
    def visit(name):
        key = _normal(name)
        if key in seen:
            return
        seen.append(key)
        for dep in packages.get(key, {}).get("depends", ()):
            visit(dep)
    for name in names:
        visit(name)
    return seen


def _download(requirements, folder):
    if not requirements:
        return
    command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.14", "--platform", "any", "-d", str(folder), *requirements]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip download failed:\n{done.stderr}")


def _wheel_info(path):
    """(normalised name, version, top-level import names) of a wheel file."""
    name, version = path.name.split("-")[:2]
    with zipfile.ZipFile(path) as wheel:
        tops = {n.split("/")[0] for n in wheel.namelist()}
    imports = sorted(t[:-3] if t.endswith(".py") else t for t in tops
                     if not t.endswith((".dist-info", ".data")) and (t.endswith(".py") or "." not in t))
    return _normal(name), version, imports


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_pyodide(dest, our_wheels):
    """A Pyodide distribution in ``dest`` with just what the course needs."""
    dest.mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copy2(NODE_PYODIDE / name, dest / name)
    lock = json.loads((NODE_PYODIDE / "pyodide-lock.json").read_text())
    packages = {_normal(k): v for k, v in lock["packages"].items()}
    wanted = [n for n in _closure(packages, KERNEL_NEEDS) if n in packages]
    _download([f"{packages[n]['name']}=={packages[n]['version']}" for n in wanted], dest)
    _download(list(EXTRA_WHEELS.values()), dest)
    for wheel in our_wheels:
        shutil.copy2(wheel, dest / wheel.name)

    kept = {}
    for wheel in sorted(dest.glob("*.whl")):
        key, version, imports = _wheel_info(wheel)
        entry = dict(packages.get(key) or {"name": key, "depends": [], "install_dir": "site",
                                           "package_type": "package", "unvendored_tests": False,
                                           "tool": {}, "imports": imports})
        entry.update(file_name=wheel.name, version=version, sha256=_sha256(wheel))
        kept[key] = entry
    if "tinygrad-edu" in kept:
        kept["tinygrad-edu"]["depends"] = ["graphviz"]
    for entry in kept.values():          # only dependencies that are really here
        entry["depends"] = [d for d in entry["depends"] if _normal(d) in kept]
    lock["packages"] = kept
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    return sorted(kept)


def build_course(out, wheels_dir):
    """site/course/: JupyterLab in the browser with the notebooks and a local Pyodide."""
    lite = ROOT / "build" / "lite"
    shutil.rmtree(lite, ignore_errors=True)
    lite.mkdir(parents=True)
    build_pyodide(lite / "static" / "pyodide", sorted(wheels_dir.glob("*.whl")))
    settings = {KERNEL_PLUGIN: {"disablePyPIFallback": True}}
    config = {"jupyter-lite-schema-version": 0,
              "jupyter-config-data": {"appName": "tinygrad_edu course",
                                      "litePluginSettings": settings}}
    (lite / "jupyter-lite.json").write_text(json.dumps(config, indent=1) + "\n")
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    command = [sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(lite),
               "--output-dir", str(out / "course"), "--no-sourcemaps", "--no-unused-shared-packages"]
    for nb in notebooks:
        command += ["--contents", str(nb)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=lite)
    if done.returncode != 0:
        raise RuntimeError(f"jupyter lite build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    # Graphviz for the notebooks' pictures (tinygrad_edu.render.VIZ_URL points here).
    viz = out / "course" / "static" / "viz"
    viz.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "web" / "node_modules" / "@viz-js" / "viz" / "lib" / "viz-standalone.js", viz)
    return out / "course"
