"""Notebooks 07-12: read in order, quiet checks, and 08 and 12 run where numpy cannot be loaded.

Cheap checks on the stored notebooks (they do not start a kernel), plus one run of the code
cells of notebooks 08 and 12 in a fresh interpreter whose imports of numpy and matplotlib fail,
as they do in a browser-based Python.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LATE = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if 7 <= int(p.name[:2]) <= 12)


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_the_late_notebooks_are_all_there():
    assert [p.name[:2] for p in LATE] == ["07", "08", "09", "10", "11", "12"]


@pytest.mark.parametrize("path", LATE, ids=[p.stem for p in LATE])
def test_header_says_which_notebook_of_twelve(path):
    header = next(_source(c) for c in _cells(path) if c["cell_type"] == "markdown")
    assert f"notebook {int(path.name[:2])} of 12" in header, header[:300]


@pytest.mark.parametrize("path", LATE, ids=[p.stem for p in LATE])
def test_exercises_come_in_order_each_answer_cell_after_its_heading(path):
    """Headings "Exercise 1", "Exercise 2", ... in order, each followed by the answer cell of that id."""
    cells = _cells(path)
    number = int(path.name[:2])
    headings, answers = [], []
    for k, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            headings += [(k, int(n)) for n in re.findall(r"^### Exercise (\d+)", _source(cell), re.M)]
        for tag in cell.get("metadata", {}).get("tags", []):
            found = re.fullmatch(rf"nb{number:02d}_ex(\d+)", tag)
            if found:
                answers.append((k, int(found.group(1))))
    assert [n for _, n in headings] == list(range(1, len(headings) + 1)), headings
    assert [n for _, n in answers] == [n for _, n in headings], (headings, answers)
    for (h, n), (a, m) in zip(headings, answers):
        assert h < a and n == m
        between = [c for c in cells[h + 1:a] if c["cell_type"] == "markdown"]
        assert not any("### Exercise" in _source(c) for c in between), f"exercise {n}: its answer cell is late"


@pytest.mark.parametrize("path", LATE, ids=[p.stem for p in LATE])
def test_checks_print_one_line_per_idea(path):
    """The notebooks compare with tinygrad_edu.exercises.checks, not a helper that prints every number."""
    cells = [c for c in _cells(path) if c["cell_type"] == "code"]
    assert not any(re.search(r"^def agree\(", _source(c), re.M) for c in cells)
    assert not any("|diff|" in "".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
    printed = ["".join(o.get("text", "")) for c in cells for o in c.get("outputs", [])]
    assert sum(t.count("\u2713 ") for t in printed) >= 2, "no ✓ lines: were the checks run?"


def test_notebook_07_explains_grad_of_grad_where_it_first_appears():
    cells = _cells(NOTEBOOKS / "07_grad_as_a_transform.ipynb")
    first = next(k for k, c in enumerate(cells) if c["cell_type"] == "code" and "grad(df)" in _source(c))
    before = " ".join(_source(c) for c in cells[:first] if c["cell_type"] == "markdown")
    assert "`grad(grad(f))`" in before and "recorded" in before, before[-600:]


BLOCKER = r'''
import contextlib, importlib.abc, io, json, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("numpy", "matplotlib"):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)")
sys.meta_path.insert(0, Block())
ns = {"__name__": "__main__", "display": print}
for k, cell in enumerate(json.load(open(sys.argv[1], encoding="utf-8"))["cells"]):
    if cell["cell_type"] == "code":
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile("".join(cell["source"]), f"cell {k}", "exec"), ns)
        assert "blocked" not in out.getvalue(), (k, out.getvalue())
print("numpy" in sys.modules, "matplotlib" in sys.modules)
'''


@pytest.mark.parametrize("name", ["08_behind_the_scenes_vjp.ipynb", "12_write_your_own_engine.ipynb"])
def test_runs_without_numpy_or_matplotlib(name):
    done = subprocess.run([sys.executable, "-c", BLOCKER, str(NOTEBOOKS / name)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["False", "False"], done.stdout[-500:]


def test_the_blocker_really_blocks(tmp_path):
    """The check above would be empty if numpy could still be imported under the blocker."""
    nb = {"cells": [{"cell_type": "code", "source": ["import numpy\n"]}]}
    path = tmp_path / "uses_numpy.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", BLOCKER, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "blocked" in done.stderr
