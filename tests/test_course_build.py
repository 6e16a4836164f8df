"""web/course.py's reading of the notebooks and the stubs it builds (no browser needed).

What the browser cannot give (numpy, matplotlib, a Graphviz program) is found
from each notebook's cells at build time; these tests build small notebooks
by hand and check which cells are found, and that a stub module really raises
the message when CPython imports it.
"""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "web"))
import course  # noqa: E402  (web/course.py)


def _notebook(tmp_path, *cells, name="demo.ipynb"):
    """A notebook file from ("md"|"code", source) pairs."""
    data = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "markdown" if kind == "md" else "code", "metadata": {},
                       "source": source, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                      for kind, source in cells]}
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def _found(path):
    return [(need.index, need.packages) for need in course.browser_needs(path)]


def test_imports_and_the_names_they_bind_are_found(tmp_path):
    path = _notebook(tmp_path, ("md", "# Title"), ("code", "import math\nx = 2.0"),
                     ("code", "import numpy as np\nfrom matplotlib import pyplot as plt"),
                     ("code", "print(math.sin(x))"),
                     ("code", "ys = np.arange(3)"), ("code", "plt.plot([1, 2])"),
                     ("code", "%matplotlib inline"))
    assert _found(path) == [(2, ["matplotlib", "numpy"]), (4, ["numpy"]), (5, ["matplotlib"]),
                            (6, ["matplotlib"])]


def test_a_name_defined_only_where_numpy_is_missing_is_missing_too(tmp_path):
    path = _notebook(tmp_path, ("code", "import numpy as np\nfrom tinygrad_edu import Value"),
                     ("code", "a = Value(2.0)"),              # Value never came to exist
                     ("code", "def f(t):\n    return np.sin(t)"),
                     ("code", "y = f(1.0)"),
                     ("code", "a = 3.0\nprint(a)"),           # a fresh `a`: runs
                     ("code", "print(a + 1)"))                # the fresh one: runs
    assert _found(path) == [(0, ["numpy"]), (1, ["numpy"]), (2, ["numpy"]), (3, ["numpy"])]


def test_what_needs_a_graphviz_program_or_matplotlib_when_called(tmp_path):
    path = _notebook(tmp_path, ("code", "from tinygrad_edu.trace import trace_backward"),
                     ("code", "trace_backward(v).player()"),          # the page draws its frames
                     ("code", "plot_decision_boundary(model, X, y)"),
                     ("code", "draw(v)"),
                     ("code", "g.save_as('graph.svg')"), ("code", "svg = render_svg(g)"))
    assert _found(path) == [(2, ["matplotlib"]), (4, [course.GRAPHVIZ]), (5, [course.GRAPHVIZ])]


def test_a_cell_that_is_not_python_is_read_line_by_line(tmp_path):
    path = _notebook(tmp_path, ("code", "import numpy as np\nthis is not python ("),
                     ("code", "print(1 +)"))
    assert _found(path) == [(0, ["numpy"])]


def test_the_note_goes_after_the_title_and_names_the_cells(tmp_path):
    path = _notebook(tmp_path, ("code", "import tinygrad_edu"), ("md", "# 02 · Title"),
                     ("md", "## 1. Plots"), ("code", "import matplotlib.pyplot as plt"),
                     ("code", "print(1)"))
    needs = course.browser_needs(path)
    out = tmp_path / "site"
    out.mkdir()
    copy = json.loads(course.site_notebook(path, needs, out).read_text())
    original = json.loads(path.read_text())
    assert len(copy["cells"]) == len(original["cells"]) + 1
    note = copy["cells"][2]
    assert copy["cells"][1]["source"] == "# 02 · Title" and note["cell_type"] == "markdown"
    assert "1 cell that needs matplotlib" in note["source"]
    assert "*1. Plots*" in note["source"] and "`import matplotlib.pyplot as plt`" in note["source"]
    assert 'pip install "tinygrad-edu[notebooks]"' in note["source"]
    assert [c for i, c in enumerate(copy["cells"]) if i != 2] == original["cells"]   # the rest as it was


def test_a_notebook_that_needs_nothing_is_copied_unchanged(tmp_path):
    path = _notebook(tmp_path, ("md", "# Title"), ("code", "print(1)"))
    out = tmp_path / "site"
    out.mkdir()
    copy = course.site_notebook(path, course.browser_needs(path), out)
    assert json.loads(copy.read_text()) == json.loads(path.read_text())


def test_the_landing_and_the_message_name_what_runs_completely(tmp_path):
    plain = _notebook(tmp_path, ("code", "print(1)"), name="03_plain.ipynb")
    plots = _notebook(tmp_path, ("code", "import numpy"), ("code", "import numpy"), name="05_plots.ipynb")
    needs = {p.name: course.browser_needs(p) for p in (plain, plots)}
    landing = course.landing_page(needs)
    assert "| [03 plain](03_plain.ipynb) | runs completely |" in landing
    assert "| [05 plots](05_plots.ipynb) | runs except 2 cells that need numpy |" in landing
    assert "the step-through player included" in landing and "playground" not in landing
    message = course.missing_message("numpy", needs)
    assert message.startswith("numpy cannot be loaded in this browser course")
    assert "run completely in the browser: 03_plain.ipynb." in message
    assert "tinygrad-edu course" in message


def test_a_stub_module_raises_the_message_when_imported(tmp_path):
    wheel = course.stub_wheel("matplotlib", ("matplotlib", "pylab"), "no plots here, sorry", tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site-packages")
        record = archive.read(next(n for n in names if n.endswith("RECORD"))).decode()
    assert wheel.name == "matplotlib_unavailable_here-1.0-py3-none-any.whl"
    assert all(name in record for name in names)                      # a well-formed wheel
    for statement in ("import matplotlib", "import matplotlib.pyplot", "import pylab"):
        done = subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True,
                              env={"PYTHONPATH": str(tmp_path / "site-packages")})
        assert done.returncode == 1
        assert done.stderr.strip().endswith("ModuleNotFoundError: no plots here, sorry"), done.stderr


@pytest.mark.parametrize("package", sorted(course.UNAVAILABLE))
def test_the_course_packages_really_are_missing_from_what_npm_gives(package):
    lock = ROOT / "web" / "node_modules" / "pyodide" / "pyodide-lock.json"
    if not lock.is_file():
        pytest.skip("web/node_modules is not installed (npm ci in web/)")
    entry = json.loads(lock.read_text())["packages"][package]
    assert not (lock.parent / entry["file_name"]).exists()             # the stub is needed
    assert set(course.UNAVAILABLE[package]) == set(entry["imports"])    # and covers every module
