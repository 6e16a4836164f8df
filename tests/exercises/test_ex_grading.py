"""Grading: one test per exercise, each with its marker (nb01_ex1 ... nb10_ex3).

Without configuration these run every checker on the reference solutions
(they must pass).  A teacher grades a student's submission -- a .py file, or
a directory of .py files, defining the names ``python -m tinygrad_edu.exercises
list`` shows -- with:

    TINYGRAD_EDU_STUDENT=submissions/alice.py pytest tests/exercises/test_ex_grading.py -m nb03_ex1
    TINYGRAD_EDU_STUDENT=submissions/alice.py pytest tests/exercises/test_ex_grading.py   # everything

A failing test's message is the checker's explanation.
"""

import os
import subprocess
import sys

import pytest

from tinygrad_edu.exercises import EXERCISES, ExerciseFailed, grade, load_submission, run_exercise
from tinygrad_edu.exercises import solutions

STUDENT = os.environ.get("TINYGRAD_EDU_STUDENT")


@pytest.fixture(scope="module")
def submission():
    if not STUDENT:
        return solutions, "reference"
    sid = os.path.splitext(os.path.basename(os.path.normpath(STUDENT)))[0]
    return load_submission(STUDENT), sid


@pytest.mark.parametrize("exercise_id", [pytest.param(e, marks=getattr(pytest.mark, e)) for e in EXERCISES])
def test_exercise(exercise_id, submission):
    module, student_id = submission
    assert run_exercise(exercise_id, module, student_id=student_id) is True


def test_every_notebook_has_two_or_three_exercises():
    per_notebook = {}
    for eid in EXERCISES:
        per_notebook.setdefault(eid[:4], []).append(eid)
    assert sorted(per_notebook) == [f"nb{n:02d}" for n in range(1, 11)]
    assert all(2 <= len(v) <= 3 for v in per_notebook.values())


PARTIAL = '''
STUDENT_ID = "carol"

def central_difference(f, *args, arg=0, h=1e-6):
    up = list(args); up[arg] += h
    return (f(*up) - f(*args)) / h            # forward difference: wrong

h_forward, h_central = 1e-8, 1e-5

manual_grads = {"L": 1, "d": -4, "f": -1, "c": -4, "e": -4, "a": 8, "b": -12}
'''


def test_grade_a_submission_file(tmp_path):
    path = tmp_path / "carol.py"
    path.write_text(PARTIAL)
    results = grade(str(path), ["nb01_ex1", "nb01_ex2", "nb03_ex2", "nb04_ex1"])
    assert results["nb01_ex2"] == "pass" and results["nb03_ex2"] == "pass"
    assert "forward difference" in results["nb01_ex1"]
    assert "defines no topological_sort" in results["nb04_ex1"]


def test_grade_a_submission_directory(tmp_path):
    (tmp_path / "dave").mkdir()
    (tmp_path / "dave" / "nb01.py").write_text("h_forward, h_central = 1e-8, 1e-5\n")
    (tmp_path / "dave" / "nb08.py").write_text("trace_prediction = ['*', 'sin', '+']\n")
    results = grade(str(tmp_path / "dave"), ["nb01_ex2", "nb08_ex3"])
    assert results == {"nb01_ex2": "pass", "nb08_ex3": "pass"}


def test_missing_submission_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no submission at"):
        load_submission(str(tmp_path / "nobody.py"))
    with pytest.raises(ExerciseFailed, match="defines no grad_F"):
        run_exercise("nb01_ex3", object())


def test_student_id_reaches_per_student_checkers(tmp_path):
    # The checker tries the student's own chain instance first: from STUDENT_ID, else the file name.
    from tinygrad_edu.exercises import chain_instance
    code = ("from tinygrad_edu.exercises.solutions import chain_links as _links\n"
            "calls = []\n"
            "def chain_links(n, m, x):\n"
            "    calls.append((n, m, x))\n"
            "    return _links(n, m, x)\n")
    for name, sid_line, expected_id in (("erin.py", "", "erin"), ("frank.py", "STUDENT_ID = 'zoe'\n", "zoe")):
        path = tmp_path / name
        path.write_text(sid_line + code)
        module = load_submission(str(path))
        run_exercise("nb02_ex1", module, student_id=name[:-3])
        assert module.calls[0] == chain_instance(expected_id)
    assert grade(str(tmp_path / "erin.py"), ["nb02_ex1"]) == {"nb02_ex1": "pass"}


def test_grading_command_line(tmp_path):
    path = tmp_path / "carol.py"
    path.write_text(PARTIAL)
    cmd = [sys.executable, "-m", "tinygrad_edu.exercises", "grade", str(path), "-e", "nb01_ex1",
           "-e", "nb01_ex2", "-v"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "1/2" in run.stdout and "forward difference" in run.stdout
    listing = subprocess.run([sys.executable, "-m", "tinygrad_edu.exercises", "list"],
                             capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0 and "nb03_ex1  mul_backward" in listing.stdout


def test_teacher_runs_one_marker_on_a_student(tmp_path):
    path = tmp_path / "carol.py"
    path.write_text(PARTIAL)
    env = dict(os.environ, TINYGRAD_EDU_STUDENT=str(path))
    base = [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider"]
    good = subprocess.run(base + ["-m", "nb01_ex2"], capture_output=True, text=True, env=env, timeout=120)
    assert good.returncode == 0, good.stdout
    assert "1 passed" in good.stdout
    bad = subprocess.run(base + ["-m", "nb01_ex1"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 1 and "forward difference" in bad.stdout
