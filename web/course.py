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
that exist only as WebAssembly builds on Pyodide's CDN (numpy, matplotlib)
cannot be had: their lock entries point at tiny stub wheels made here, so a
cell importing them gets a message saying so (which notebooks run completely
in the browser, how to run the course on a computer) instead of waiting for a
server that cannot be reached.  The site's copies of the notebooks say at the
top which of their cells need them, and the file browser's README.md lists
which notebooks run completely.
"""

import ast
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
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


# ---------------------------------------------------------------------------
# What the browser cannot give: numpy and matplotlib
# ---------------------------------------------------------------------------
#: Packages the course uses that exist for Pyodide only as WebAssembly builds on
#: Pyodide's CDN (not on PyPI, not in the npm package), with the modules each
#: provides (as Pyodide's lock file lists them).
UNAVAILABLE = {"numpy": ("numpy",), "matplotlib": ("matplotlib", "pylab", "mpl_toolkits")}
#: What a Graphviz program does and viz.js in the page does not (drawings and the
#: step-through player still show: the page draws them).
GRAPHVIZ = "a Graphviz program"
#: Our functions that need one of them when called (a cell calling one needs it too):
#: plotting imports matplotlib; picture files and SVG text need Graphviz itself.
NEEDS_WHEN_CALLED = {"plot_decision_boundary": "matplotlib", "render_svg": GRAPHVIZ, "save_as": GRAPHVIZ}
#: How to run the course on a computer, with numpy and matplotlib (the `notebooks` extra).
RUN_LOCALLY = ('`pip install "tinygrad-edu[notebooks]"` (with numpy, matplotlib and JupyterLab), '
               "then `tinygrad-edu course`, which copies the notebooks into a folder to open "
               "in JupyterLab")


@dataclass
class CellNeed:
    """A code cell of a notebook that needs a package the browser cannot load."""
    index: int                  # position among the notebook's cells
    section: str                # the heading above it ("" before the first one)
    line: str                   # its first line that uses what is missing
    packages: list


def _python_of(cell_source):
    """The cell's Python, with IPython's %magics and !commands turned into comments."""
    return "\n".join("#" + line if line.lstrip().startswith(("%", "!")) else line
                     for line in cell_source.splitlines())


def _packages_named(module):
    top = module.split(".")[0]
    return [package for package, modules in UNAVAILABLE.items() if top in modules]


def _read_cell(source):
    """(packages imported, {name an import binds: package}, names used, names bound) of a cell."""
    imported, aliases, used, bound = set(), {}, set(), set()
    if re.search(r"^\s*%(matplotlib|pylab)\b", source, re.M):
        imported.add("matplotlib")
    try:
        tree = ast.parse(_python_of(source))
    except SyntaxError:               # not Python (a deliberate error in an exercise): read lines
        for module in re.findall(r"^\s*(?:from|import)\s+([\w.]+)", source, re.M):
            imported.update(_packages_named(module))
        return imported, aliases, set(re.findall(r"\w+", source)), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) and node.level == 0 else None
            for alias in node.names:
                name = (alias.asname or alias.name).split(".")[0]
                bound.add(name)
                for package in _packages_named(module or alias.name if isinstance(node, ast.ImportFrom)
                                               else alias.name):
                    imported.add(package)
                    aliases[name] = package
        elif isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else used).add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return imported, aliases, used, bound


def browser_needs(notebook):
    """The code cells of ``notebook`` (a path) that need numpy or matplotlib, in order.

    A cell needs a package if it imports it (``import numpy as np``,
    ``%matplotlib inline``), calls one of our functions that imports it, or
    uses a name that only a cell needing it defines (``np``, ``plt``, a
    function using them, anything imported next to them): in the browser that
    name never comes to exist.
    """
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    missing, section, needs = {}, "", []         # missing: name -> packages it waits for
    for index, cell in enumerate(cells):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            heading = re.search(r"^#+\s+(.+)$", source, re.M)
            section = heading.group(1).strip() if heading else section
            continue
        if cell["cell_type"] != "code":
            continue
        imported, aliases, used, bound = _read_cell(source)
        packages = set(imported) | {p for name, p in NEEDS_WHEN_CALLED.items() if name in used}
        triggers = set(aliases) | {name for name in NEEDS_WHEN_CALLED if name in used}
        for name in used - bound:
            if name in missing:
                packages |= missing[name]
                triggers.add(name)
        if packages:
            for name in bound:                  # the cell stops: what it defines never exists
                missing[name] = {aliases[name]} if name in aliases else missing.get(name, set()) | packages
            needs.append(CellNeed(index, section, _line_with(source, triggers, packages),
                                  sorted(packages)))
        else:
            for name in bound:
                missing.pop(name, None)
    return needs


def _line_with(source, names, packages):
    """The first line of ``source`` that mentions one of ``names`` or ``packages``."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    words = "|".join(re.escape(w) for w in sorted(set(names) | set(packages)))
    return next((line for line in lines if words and re.search(rf"\b({words})\b", line)),
                lines[0] if lines else "")


def _listing(names):
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _notebook_title(name):
    """'03_value_and_manual_backprop.ipynb' -> '03 value and manual backprop'."""
    return Path(name).stem.replace("_", " ")


def missing_message(package, needs):
    """What ``import <package>`` says in the browser course (``needs``: notebook name -> cells)."""
    full = [name for name, cells in needs.items() if not cells]
    partly = [name for name, cells in needs.items() if cells]
    runs = (f"These notebooks run completely in the browser: {_listing(full)}."
            if full else "Every notebook of the course uses numpy or matplotlib somewhere.")
    others = (f"The other {len(partly)} run except their cells that use numpy or matplotlib "
              f"(the note at the top of each notebook lists them).\n" if partly else "")
    return (f"{package} cannot be loaded in this browser course: it is not available offline here, "
            f"so the cells that use {package} cannot run in the browser.\n"
            f"{runs}\n{others}"
            f"To run this notebook completely, run the course on a computer: {RUN_LOCALLY}.")


def stub_wheel(package, modules, message, folder):
    """A wheel whose modules raise ModuleNotFoundError(``message``) when imported.

    The lock file points ``package`` at it, so the kernel loads it (from this
    site) when a cell imports the package, and the import then explains itself.
    Its distribution name says what it is, so it never passes for the real one.
    """
    dist, version = f"{_normal(package).replace('-', '_')}_unavailable_here", "1.0"
    body = (f'"""{package} cannot be loaded in this browser course: the message below says why."""\n'
            f"from {modules[0]}._why import MESSAGE\n"
            f"raise ModuleNotFoundError(MESSAGE, name=__name__)\n")
    files = {}
    for module in modules:
        files[f"{module}/__init__.py"] = body
    files[f"{modules[0]}/_why.py"] = f"MESSAGE = {message!r}\n"     # a short line in the traceback
    info = f"{dist}-{version}.dist-info"
    files[f"{info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
                                 f"Summary: explains that {package} cannot be loaded here\n")
    files[f"{info}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: tinygrad_edu make site\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/top_level.txt"] = "".join(m + "\n" for m in modules)
    record = [f"{name},sha256={_record_hash(text)},{len(text.encode())}" for name, text in files.items()]
    files[f"{info}/RECORD"] = "\n".join(record + [f"{info}/RECORD,,"]) + "\n"
    path = Path(folder) / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, text in files.items():
            wheel.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), text)
    return path


def _record_hash(text):
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def browser_note(needs):
    """The markdown cell put at the top of a notebook whose ``needs`` (CellNeed list) is not empty."""
    packages = sorted({p for need in needs for p in need.packages})
    lines = [f"> **In the browser:** this notebook has {len(needs)} "
             f"cell{'s' if len(needs) > 1 else ''} that need{'' if len(needs) > 1 else 's'} "
             f"{_listing(packages)}, which this browser course does not have. "
             f"The cells that import them stop with a message saying so, and the cells that use what "
             f"those define stop too; every other cell runs. They are:", ">"]
    sections = {}
    for need in needs:
        sections.setdefault(need.section, []).append(need)
    for section, cells in sections.items():
        where = f"*{section}*" if section else "at the top"
        shown = "; ".join(f"`{_shorter(need.line)}`" for need in cells)
        lines.append(f"> * {where}: {len(cells)} cell{'s' if len(cells) > 1 else ''} ({shown})")
    lines += [">", f"> To run every cell, run the course on a computer: {RUN_LOCALLY}."]
    return "\n".join(lines)


def _shorter(line, width=60):
    line = line.replace("`", "'")
    return line if len(line) <= width else line[:width - 1].rstrip() + "…"


def site_notebook(notebook, needs, folder):
    """A copy of ``notebook`` in ``folder``, with :func:`browser_note` after its title if needed."""
    data = json.loads(Path(notebook).read_text(encoding="utf-8"))
    if needs:
        cells = data["cells"]
        title = next((i for i, c in enumerate(cells[:3]) if c["cell_type"] == "markdown"), -1)
        note = {"cell_type": "markdown", "metadata": {"tags": ["browser-note"]},
                "source": browser_note(needs)}
        if data.get("nbformat", 4) >= 4 and data.get("nbformat_minor", 0) >= 5:
            note["id"] = "browser-note"
        cells.insert(title + 1, note)
    copy = Path(folder) / Path(notebook).name
    copy.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return copy


def landing_page(needs):
    """README.md of the course's file browser: which notebooks run completely in the browser."""
    lines = ["# The course, in your browser", "",
             "Double-click a notebook to open it; *Shift+Enter* runs a cell. Your changes stay in this "
             "browser (*File → Download* saves a copy).", "",
             "This Python runs inside the browser and has no numpy or matplotlib, so cells that use "
             "them cannot run here; nor can saving pictures to files, which needs a Graphviz "
             "program. Everything else works, drawings and the step-through player included.", "",
             "| notebook | in the browser |", "|---|---|"]
    for name, cells in needs.items():
        if cells:
            packages = _listing(sorted({p for c in cells for p in c.packages}))
            status = (f"runs except {len(cells)} cell{'s' if len(cells) > 1 else ''} that "
                      f"need{'' if len(cells) > 1 else 's'} {packages}")
        else:
            status = "runs completely"
        lines.append(f"| [{_notebook_title(name)}]({name}) | {status} |")
    lines += ["", f"To run every cell of every notebook, run the course on a computer: {RUN_LOCALLY}."]
    return "\n".join(lines) + "\n"


def build_pyodide(dest, our_wheels, stubs=()):
    """A Pyodide distribution in ``dest`` with just what the course needs.

    ``stubs``: ``(package, modules, stub wheel)`` for the packages the browser
    cannot have; their lock entries point at the stub wheels.
    """
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
    for package, modules, wheel in stubs:
        shutil.copy2(wheel, dest / wheel.name)
        kept[_normal(package)] = {"name": package, "version": "unavailable", "file_name": wheel.name,
                                  "sha256": _sha256(dest / wheel.name), "imports": list(modules),
                                  "depends": [], "install_dir": "site", "package_type": "package",
                                  "unvendored_tests": False, "tool": {}}
    for entry in kept.values():          # only dependencies that are really here
        entry["depends"] = [d for d in entry["depends"] if _normal(d) in kept]
    lock["packages"] = kept
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    return sorted(kept)


def build_course(out, wheels_dir):
    """site/course/: JupyterLab in the browser with the notebooks and a local Pyodide."""
    lite = ROOT / "build" / "lite"
    contents = ROOT / "build" / "lite-contents"
    for folder in (lite, contents):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    needs = {nb.name: browser_needs(nb) for nb in notebooks}
    for nb in notebooks:
        site_notebook(nb, needs[nb.name], contents)
    (contents / "README.md").write_text(landing_page(needs), encoding="utf-8")
    stubs_dir = ROOT / "build" / "site-stubs"
    shutil.rmtree(stubs_dir, ignore_errors=True)
    stubs_dir.mkdir(parents=True)
    stubs = [(package, modules, stub_wheel(package, modules, missing_message(package, needs), stubs_dir))
             for package, modules in UNAVAILABLE.items()]
    build_pyodide(lite / "static" / "pyodide", sorted(wheels_dir.glob("*.whl")), stubs)
    # The stubs are installed when the kernel starts, so an import the kernel cannot see in a
    # cell's text (inside a function of ours, importlib.import_module) explains itself too.
    settings = {KERNEL_PLUGIN: {"disablePyPIFallback": True,
                                "loadPyodideOptions": {"packages": sorted(UNAVAILABLE)}}}
    config = {"jupyter-lite-schema-version": 0,
              "jupyter-config-data": {"appName": "tinygrad_edu course",
                                      "litePluginSettings": settings}}
    (lite / "jupyter-lite.json").write_text(json.dumps(config, indent=1) + "\n")
    # README.md (the landing) opens as a rendered page, not as text to edit.
    overrides = {"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}}}
    (lite / "overrides.json").write_text(json.dumps(overrides, indent=1) + "\n")
    command = [sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(lite),
               "--output-dir", str(out / "course"), "--no-sourcemaps", "--no-unused-shared-packages"]
    for item in sorted(contents.iterdir()):
        command += ["--contents", str(item)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=lite)
    if done.returncode != 0:
        raise RuntimeError(f"jupyter lite build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    # Graphviz for the notebooks' pictures (tinygrad_edu.render.VIZ_URL points here).
    viz = out / "course" / "static" / "viz"
    viz.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "web" / "node_modules" / "@viz-js" / "viz" / "lib" / "viz-standalone.js", viz)
    return out / "course"
