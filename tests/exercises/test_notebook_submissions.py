"""Students hand in notebooks: the grader takes their tagged cells, and only what those need.

The course notebooks tag each exercise's answer cell ``exercise`` + its id and the cells that
import the checkers ``exercise-setup`` (``grading.notebook_chunks``).  A student's notebook is
the course notebook with the answer cells filled in: here, from the answer key.
"""

import ast
import time

import nbformat
import pytest

from tinygrad_edu.exercises import EXERCISES, grading

from nbkey import MAKE, cell_ids, notebook_ids, student_notebook

#: Every course notebook with exercises (01, 02, ...), from the checkers' registry.
NUMBERS = sorted({int(e[2:4]) for e in EXERCISES})


def _grade(path, nn):
    return grading.grade_submission(grading.read_submission(path), notebook_ids(nn))


# -- the tags ----------------------------------------------------------------------------------
@pytest.mark.parametrize("nn", NUMBERS)
def test_every_exercise_has_exactly_one_tagged_answer_cell(nn):
    nb = nbformat.read(MAKE.course_notebook(nn), as_version=4)
    tagged = [(k, cell_ids(c)) for k, c in enumerate(nb.cells) if cell_ids(c)]
    ids = [i for _, found in tagged for i in found]
    assert sorted(ids) == notebook_ids(nn), f"notebook {nn:02d}: tagged {ids}"
    assert all(len(found) == 1 for _, found in tagged)
    setups = [k for k, c in enumerate(nb.cells) if "exercise-setup" in (c.metadata.get("tags") or [])]
    for k, (eid,) in tagged:
        cell = nb.cells[k]
        assert cell.cell_type == "code" and "YOUR CODE HERE" in cell.source
        defined = {n for node in ast.parse(cell.source).body for n in MAKE._defined(node)}
        assert set(EXERCISES[eid].names) <= defined, f"{eid}: the tagged cell defines {defined}"
        assert any(s < k for s in setups), f"{eid}: no exercise-setup cell before its answer cell"
    for s in setups:
        assert "tinygrad_edu.exercises" in nb.cells[s].source


# -- a complete notebook passes ----------------------------------------------------------------------
@pytest.mark.parametrize("nn", NUMBERS)
def test_a_notebook_with_the_answer_key_passes_every_exercise(nn, tmp_path):
    row = _grade(student_notebook(nn, tmp_path), nn)
    assert {i: r.outcome for i, r in row.results.items()} == {i: "pass" for i in notebook_ids(nn)}, \
        {i: r.message for i, r in row.results.items()}
    assert row.score == row.max == len(notebook_ids(nn))


def test_notebook_06_grades_in_seconds_because_its_training_cells_never_run(tmp_path):
    path = student_notebook(6, tmp_path)
    sub = grading.read_submission(path)
    nb = nbformat.read(path, as_version=4)
    tagged = {k for k, c in enumerate(nb.cells) if cell_ids(c)
              or "exercise-setup" in (c.metadata.get("tags") or [])}
    # Untagged cells contribute imports and definitions only: no statement that trains or plots.
    for label, code in sub.chunks:
        if label.startswith("cell ") and int(label.split()[1]) not in tagged:
            kinds = {type(node) for node in ast.parse(code).body}
            assert kinds <= {ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef}, (label, kinds)
    assert not any("matplotlib" in code for _, code in sub.chunks)
    started = time.monotonic()
    row = grading.grade_submission(sub, notebook_ids(6))
    seconds = time.monotonic() - started
    assert [r.outcome for r in row.results.values()] == ["pass"] * 3
    assert seconds < 10, f"notebook 06 took {seconds:.1f} s to grade (running the whole notebook takes ~30 s)"


def test_notebook_07_grades_without_display(tmp_path):
    key = MAKE.answer_cells(7)
    # Display calls at the top level of an answer cell: Jupyter defines display(), python does not.
    shown = {"nb07_ex1": key["nb07_ex1"] + "\n\ndisplay(grad(lambda x: x * x)(3.0))\n",
             "nb07_ex3": key["nb07_ex3"] + "\ndisplay(taylor_tolerance)\n"}
    row = _grade(student_notebook(7, tmp_path, edits=shown), 7)
    assert {i: r.outcome for i, r in row.results.items()} == {i: "pass" for i in notebook_ids(7)}, \
        {i: r.message for i, r in row.results.items()}


def test_an_untouched_stub_grades_not_attempted_and_the_rest_pass(tmp_path):
    path = student_notebook(3, tmp_path, edits={"nb03_ex1": None})      # the course stub stays
    row = _grade(path, 3)
    assert row.results["nb03_ex1"].outcome == "not-attempted", row.results["nb03_ex1"]
    assert "NotImplementedError" in row.results["nb03_ex1"].message
    assert row.results["nb03_ex2"].outcome == row.results["nb03_ex3"].outcome == "pass"
    assert row.score == 2


def test_the_untouched_course_notebook_earns_nothing(tmp_path):
    for nn in (1, 4, 6):
        row = _grade(MAKE.course_notebook(nn), nn)
        outcomes = {i: r.outcome for i, r in row.results.items()}
        assert row.score == 0, outcomes
        assert "pass" not in outcomes.values() and "cannot-load" not in outcomes.values(), outcomes
    # Every stub (``raise NotImplementedError()``, a None, an empty class) is named for what it is.
    for nn in NUMBERS:
        row = _grade(MAKE.course_notebook(nn), nn)
        assert all(r.outcome == "not-attempted" for r in row.results.values()), \
            {i: (r.outcome, r.message) for i, r in row.results.items()}


def test_a_syntax_error_in_one_answer_cell_costs_only_that_exercise(tmp_path):
    broken = "manual_grads = {\"L\": 1.0, \"d\": -4.0,,}\n"
    row = _grade(student_notebook(3, tmp_path, edits={"nb03_ex2": broken}), 3)
    assert row.results["nb03_ex2"].outcome == "cannot-load"
    assert "SyntaxError" in row.results["nb03_ex2"].message
    assert row.results["nb03_ex1"].outcome == row.results["nb03_ex3"].outcome == "pass"


def test_a_wrong_answer_in_a_notebook_fails_with_the_checkers_hint(tmp_path):
    key = MAKE.answer_cells(3)
    wrong = key["nb03_ex1"].replace("x.grad += y.data", "x.grad = y.data")
    assert wrong != key["nb03_ex1"]
    row = _grade(student_notebook(3, tmp_path, edits={"nb03_ex1": wrong}), 3)
    result = row.results["nb03_ex1"]
    assert result.outcome == "fail" and result.hint, result
    assert "+=" in result.hint + result.message
    assert row.results["nb03_ex2"].outcome == "pass"
