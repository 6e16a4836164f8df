"""Build site/: the graph playground and the course, for any static web host.

    python web/build_site.py [--out site] [--no-course]

Everything comes from this repository and from registry packages:

* web/node_modules (``npm ci`` in web/): Pyodide (Python in WebAssembly) and
  viz.js 3.4.0 (Graphviz in WebAssembly);
* PyPI: our own wheel (built from this checkout), the ``graphviz`` wheel the
  package imports, and (for the course) jupyterlite-core and
  jupyterlite-pyodide-kernel, the ``site`` extra of pyproject.toml.

Nothing else is fetched; the site loads nothing from outside itself.
"""

import argparse
import importlib.metadata
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
sys.path.insert(0, str(WEB))
from course import build_course  # noqa: E402  (web/course.py)
NODE = WEB / "node_modules"

#: The files of the npm ``pyodide`` package a page needs (the rest is for Node and types).
PYODIDE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm",
                 "python_stdlib.zip", "pyodide-lock.json", "package.json")
VIZ_FILE = NODE / "@viz-js" / "viz" / "lib" / "viz-standalone.js"


class BuildError(Exception):
    """Something the build needs is missing; the message says how to get it."""


def _run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise BuildError(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}")
    return done


def copy_browser_runtimes(assets):
    """Pyodide and viz.js from web/node_modules into assets/."""
    missing = [f for f in PYODIDE_FILES if not (NODE / "pyodide" / f).is_file()]
    if missing or not VIZ_FILE.is_file():
        raise BuildError("web/node_modules is missing or incomplete (" +
                         ", ".join(missing or [str(VIZ_FILE.relative_to(ROOT))]) +
                         "): run `npm ci` in web/ (make site does)")
    (assets / "pyodide").mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(NODE / "pyodide" / name, assets / "pyodide" / name)
    (assets / "viz").mkdir()
    shutil.copy2(VIZ_FILE, assets / "viz" / VIZ_FILE.name)


def build_wheels(folder):
    """Our wheel (from this checkout) and the pure-Python wheels it imports, into ``folder``.

    ``graphviz`` is pinned to the version installed here, so the browser runs
    what the tests ran.  Returns the wheel file names.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(ROOT)])
    for wheel in folder.glob("tinygrad_edu-*.whl"):
        _without_the_course(wheel)
    graphviz = f"graphviz=={importlib.metadata.version('graphviz')}"
    _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
          "-d", str(folder), graphviz])
    return sorted(p.name for p in folder.glob("*.whl"))


def _without_the_course(wheel):
    """Drop the packaged notebooks (tinygrad_edu/course/) from our wheel, in place.

    The browser gets the notebooks as files of the site; inside the wheel they
    would only add megabytes to every page's first load.
    """
    skip = lambda name: name.startswith("tinygrad_edu/course/")
    slim = wheel.with_suffix(".slim")
    with zipfile.ZipFile(wheel) as old, zipfile.ZipFile(slim, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if skip(item.filename):
                continue
            data = old.read(item)
            if item.filename.endswith(".dist-info/RECORD"):
                lines = data.decode("utf-8").splitlines(keepends=True)
                data = "".join(line for line in lines if not skip(line)).encode("utf-8")
            new.writestr(item, data)
    slim.replace(wheel)


def build_playground(out, wheels_dir):
    """The playground page at the site's root, its Python files under assets/py/."""
    for name in ("index.html", "playground.js", "playground.css"):
        shutil.copy2(WEB / "playground" / name, out / name)
    py = out / "assets" / "py"
    py.mkdir(parents=True)
    wheels = []
    for wheel in sorted(wheels_dir.glob("*.whl")):
        shutil.copy2(wheel, py / wheel.name)
        wheels.append(wheel.name)
    shutil.copy2(WEB / "playground" / "playground.py", py / "playground.py")
    (py / "manifest.json").write_text(json.dumps({"wheels": wheels}, indent=1) + "\n")


def build(out, course=True):
    out = Path(out).resolve()
    if out == ROOT or ROOT.is_relative_to(out):
        raise BuildError(f"refusing to replace {out}: it holds the repository")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    assets = out / "assets"
    copy_browser_runtimes(assets)
    wheels_dir = ROOT / "build" / "site-wheels"
    shutil.rmtree(wheels_dir, ignore_errors=True)
    build_wheels(wheels_dir)
    build_playground(out, wheels_dir)
    if course:
        build_course(out, wheels_dir)
    (out / ".nojekyll").write_text("")             # GitHub Pages: serve folders starting with _
    (out / ".built").write_text("")                # the tests rebuild when a source is newer
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "site"), help="output folder (default: site/)")
    parser.add_argument("--no-course", action="store_true", help="the playground only")
    args = parser.parse_args(argv)
    try:
        out = build(args.out, course=not args.no_course)
    except BuildError as error:
        print(f"make site: {error}", file=sys.stderr)
        return 2
    print(f"built {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
