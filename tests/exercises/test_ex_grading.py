"""Grading: one test per exercise, each with its marker (nb01_ex1 ... nb12_ex2).

Without configuration these run every checker on the answer key (``teacher/solutions``):
it must pass, in this process (the notebook's path) and in the sandboxed grader.  A teacher
grades one student's file (``.py`` or ``.ipynb``) exercise by exercise with:

    TINYGRAD_EDU_STUDENT=submissions/alice.py pytest tests/exercises/test_ex_grading.py -m nb03_ex1

In that mode the student's code runs in its own sandboxed interpreter, like
``python -m tinygrad_edu.exercises grade``; a failing test's message is the checker's hint.
"""

import os

import pytest
from exhelp import ROOT, S, SOLUTIONS

from tinygrad_edu.exercises import EXERCISES, grading

STUDENT = os.environ.get("TINYGRAD_EDU_STUDENT")
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="module")
def graded_student():
    """The student's row, graded once in the sandbox (only when TINYGRAD_EDU_STUDENT is set)."""
    return {}


@pytest.mark.parametrize("exercise_id", [pytest.param(e, marks=getattr(pytest.mark, e)) for e in EXERCISES])
def test_exercise(exercise_id, graded_student):
    ex = EXERCISES[exercise_id]
    if not STUDENT:
        assert ex.check(*[getattr(S, name) for name in ex.names]) is True
        return
    sub = grading.read_submission(STUDENT)
    row = grading.grade_submission(sub, [exercise_id])
    result = row.results[exercise_id]
    assert result.outcome == "pass", f"{exercise_id} {result.outcome}: {result.message}\n  hint: {result.hint}"


def test_every_notebook_has_two_or_three_exercises():
    per_notebook = {}
    for eid in EXERCISES:
        per_notebook.setdefault(eid[:4], []).append(eid)
    assert sorted(per_notebook) == [f"nb{p.name[:2]}" for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    assert all(2 <= len(v) <= 3 for v in per_notebook.values())


def test_the_answer_key_passes_in_the_sandboxed_grader():
    row = grading.grade_submission(grading.read_submission(SOLUTIONS))
    failed = {e: (r.outcome, r.message, r.hint) for e, r in row.results.items() if r.outcome != "pass"}
    assert not failed
    assert row.score == row.max == len(EXERCISES)


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", [e for e in EXERCISES if e != "nb06_ex3"])
def test_the_answer_key_passes_for_every_student(exercise_id):
    """Each student gets their own random cases: the key must pass all of them (100 students)."""
    ex = EXERCISES[exercise_id]
    answers = [getattr(S, name) for name in ex.names]
    failed = []
    for k in range(100):
        student = f"student_{k:03d}"
        cases = ex.make_cases(student)
        try:
            ex.verdict(cases, ex.observe(cases, *answers))
        except Exception as err:                  # noqa: BLE001 - collected and reported
            failed.append((student, str(err)[:300]))
    assert not failed, failed[:3]
