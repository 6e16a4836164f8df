"""Helpers for the notebook-grading tests: students' notebooks built from the answer key."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

from tinygrad_edu.exercises import EXERCISES

ROOT = Path(__file__).resolve().parents[2]
if not (ROOT / "teacher").is_dir():    # an unpacked sdist: the tests that import this module are skipped
    pytest.skip("the answer key (teacher/) is not distributed", allow_module_level=True)


def _load_teacher_script():
    spec = importlib.util.spec_from_file_location("make_nbgrader_source", ROOT / "teacher" / "make_nbgrader_source.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _load_teacher_script()


#: The course's notebook numbers (1, 2, ...), from the notebooks folder.
NUMBERS = sorted(int(p.name[:2]) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def notebook_ids(nn):
    return [e for e in EXERCISES if e.startswith(f"nb{nn:02d}_")]


def cell_ids(cell):
    """The exercise ids a cell is tagged with (as an ``exercise`` cell)."""
    tags = cell.get("metadata", {}).get("tags", []) or []
    return [t for t in tags if t in EXERCISES] if "exercise" in tags else []


def student_notebook(nn, folder, name=None, edits=None):
    """Write a copy of course notebook NN whose answer cells hold the answer key.

    ``edits`` maps an exercise id to the cell source to use instead (a mistake, a stub,
    a syntax error); ``None`` keeps the course notebook's stub.
    """
    edits = edits or {}
    path = MAKE.course_notebook(nn)
    nb = nbformat.read(path, as_version=4)
    key = MAKE.answer_cells(nn)
    for cell in nb.cells:
        ids = cell_ids(cell)
        if ids:
            eid = ids[0]
            if eid in edits:
                if edits[eid] is not None:
                    cell.source = edits[eid]
            else:
                cell.source = key[eid]
    out = Path(folder) / (name or path.name)
    nbformat.write(nb, out)
    return out
