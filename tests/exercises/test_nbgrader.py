"""nbgrader: the course notebooks as nbgrader source assignments (teacher/make_nbgrader_source.py).

nbgrader's cell metadata (schema 3): an autograded answer cell is ``solution: true`` with the
answer between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (``nbgrader generate_assignment``
replaces it by ``# YOUR CODE HERE`` / ``raise NotImplementedError()``); an autograder test
cell is ``grade: true, locked: true`` with ``points`` and scores them when it raises nothing.
The tests use nbgrader's own validator, preprocessor and command line (the ``classroom`` extra;
CI installs it, so there these tests never skip).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tinygrad_edu.exercises import EXERCISES

from nbkey import MAKE, NUMBERS, cell_ids, notebook_ids



from nbgrader.nbgraderformat import SCHEMA_VERSION, MetadataValidator  # noqa: E402
from nbgrader.preprocessors import ClearSolutions  # noqa: E402



def _source(nn):
    return nbformat.from_dict(MAKE.nbgrader_source(nbformat.read(MAKE.course_notebook(nn), as_version=4), nn))


def _meta(cell):
    return cell.metadata.get("nbgrader", {})


# -- the source notebooks (fast: nbgrader's own validator and preprocessor, in this process) ----
@pytest.mark.parametrize("nn", NUMBERS)
def test_source_notebooks_follow_nbgraders_metadata_schema(nn):
    nb = _source(nn)
    MetadataValidator().validate_nb(nb)                  # raises on a malformed cell
    solutions = {_meta(c)["grade_id"]: c for c in nb.cells if _meta(c).get("solution")}
    tests = {_meta(c)["grade_id"]: c for c in nb.cells if _meta(c).get("grade")}
    assert sorted(solutions) == notebook_ids(nn)
    assert sorted(tests) == [f"{i}_test" for i in notebook_ids(nn)]
    for eid, cell in solutions.items():
        assert _meta(cell) == {"grade": False, "grade_id": eid, "locked": False, "schema_version": SCHEMA_VERSION,
                               "solution": True}
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        assert cell_ids(cell) == [eid]                   # still tagged for the class grader
    for gid, cell in tests.items():
        assert _meta(cell) == {"grade": True, "grade_id": gid, "locked": True, "points": 1,
                               "schema_version": SCHEMA_VERSION, "solution": False}
        assert "assert check_" in cell.source and "try_check" not in cell.source
    # Every cell that imports the checkers is read-only.
    for cell in nb.cells:
        if "exercise-setup" in (cell.metadata.get("tags") or []):
            assert _meta(cell)["locked"] is True and _meta(cell)["solution"] is False


@pytest.mark.parametrize("nn", NUMBERS)
def test_the_student_version_has_no_answers_and_keeps_the_course_stubs(nn):
    source = _source(nn)
    indented = [c.source.lstrip().startswith(("def ", "class ")) and "\n    ### BEGIN SOLUTION" in c.source
                for c in source.cells]
    cleared, _ = ClearSolutions().preprocess(source, {})
    course = nbformat.read(MAKE.course_notebook(nn), as_version=4)
    key = MAKE.answer_cells(nn)
    assert len(cleared.cells) == len(course.cells)
    text = "\n".join(c.source for c in cleared.cells)
    assert "BEGIN SOLUTION" not in text
    for cell, original, in_body in zip(cleared.cells, course.cells, indented):
        if not _meta(cell).get("solution"):
            continue
        eid = _meta(cell)["grade_id"]
        assert "# YOUR CODE HERE" in cell.source and "raise NotImplementedError()" in cell.source
        # Every line of the answer that is not in the course stub is gone.
        answer_only = {line.strip() for line in key[eid].splitlines()} - {""}
        answer_only = {a for a in answer_only if a not in original.source
                       and not a.startswith(("import ", "from ", "def ", "class ", "#", '"""'))}
        assert answer_only and not [a for a in answer_only if a in cell.source], eid
        if in_body and original.source.startswith("def "):
            assert cell.source == original.source, eid   # a function stub comes back exactly
        elif in_body:
            assert cell.source.splitlines()[0] == original.source.splitlines()[0], eid   # class header
        else:
            assert cell.source.endswith("# YOUR CODE HERE\nraise NotImplementedError()")
    assert sum(indented) >= len(key) // 2


def test_the_course_notebooks_themselves_hold_no_nbgrader_cells_and_no_answers():
    for nn in NUMBERS:
        nb = nbformat.read(MAKE.course_notebook(nn), as_version=4)
        assert not [c for c in nb.cells if "nbgrader" in c.metadata]
        assert "BEGIN SOLUTION" not in "\n".join(c.source for c in nb.cells)


def test_answer_cells_split_the_key_by_exercise():
    cells = MAKE.answer_cells(9)
    assert list(cells) == notebook_ids(9)
    assert "class Dual" in cells["nb09_ex1"] and "def jacobian_fwd" not in cells["nb09_ex1"]
    assert "import math" in cells["nb09_ex1"]             # the imports each cell uses come with it
    assert "from tinygrad_edu.engine import Value, exp, gradients" in cells["nb09_ex2"]
    assert "import math" not in cells["nb09_ex2"]
    assert "import" not in cells["nb09_ex3"]              # a dict of strings needs nothing
    for nn in NUMBERS:
        namespace = {}                                    # one notebook, one namespace
        for eid, code in MAKE.answer_cells(nn).items():
            exec(compile(code, eid, "exec"), namespace)   # noqa: S102 - the teacher's own key
            assert set(EXERCISES[eid].names) <= set(namespace)


def test_make_nbgrader_source_refuses_a_notebook_number_out_of_range(capsys, tmp_path):
    with pytest.raises(SystemExit):
        MAKE.main([str(tmp_path), str(len(NUMBERS) + 1)])
    assert f"from 1 to {len(NUMBERS)}" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match="no course notebook 42"):
        MAKE.course_notebook(42)


# -- nbgrader for real: generate the student version, autograde three students -----------------------
def _nbgrader(course, *args):
    exe = Path(sys.executable).parent / "nbgrader"
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([str(exe), *args], cwd=course, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def _fill(release, solutions):
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        gid = _meta(cell).get("grade_id")
        if _meta(cell).get("solution") and gid in solutions:
            cell.source = solutions[gid]
    return nb


@pytest.mark.slow
def test_generate_and_autograde_a_correct_a_wrong_and_a_cheating_submission(tmp_path):
    course = tmp_path / "course"
    [source] = MAKE.write_course(course, [3])
    assert source == course / "source" / "nb03" / "03_value_and_manual_backprop.ipynb"
    assert (course / "nbgrader_config.py").exists()
    _nbgrader(course, "generate_assignment", "nb03", "--force")
    release = course / "release" / "nb03" / source.name
    assert release.exists()
    released = nbformat.read(release, as_version=4)
    assert "x.grad += y.data" not in "\n".join(c.source for c in released.cells)

    key = MAKE.answer_cells(3)
    students = {
        "alice": _fill(release, key),                                         # all right
        "bob": _fill(release, {"nb03_ex1": key["nb03_ex1"].replace("x.grad += y.data", "x.grad = y.data"),
                               "nb03_ex2": key["nb03_ex2"]}),                 # one wrong, one stub
        "carol": _fill(release, {}),                                          # handed in untouched
    }
    # mallory empties the read-only test cells: nbgrader puts them back before grading.
    mallory = _fill(release, {})
    for cell in mallory.cells:
        if _meta(cell).get("grade"):
            cell.source = "pass"
    students["mallory"] = mallory
    for name, nb in students.items():
        folder = course / "submitted" / name / "nb03"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / source.name)
    _nbgrader(course, "autograde", "nb03", "--create")

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {}
        for name in students:
            sub = gb.find_submission("nb03", name)
            scores[name] = (sub.score, sub.max_score,
                            {g.name: g.score for nb in sub.notebooks for g in nb.grades})
    assert scores["alice"] == (3.0, 3.0, {"nb03_ex1_test": 1.0, "nb03_ex2_test": 1.0, "nb03_ex3_test": 1.0})
    assert scores["bob"] == (1.0, 3.0, {"nb03_ex1_test": 0.0, "nb03_ex2_test": 1.0, "nb03_ex3_test": 0.0})
    assert scores["carol"][:2] == (0.0, 3.0)
    assert scores["mallory"][:2] == (0.0, 3.0)
    # bob's feedback names his mistake: the checker's message is in the autograded notebook.
    graded = nbformat.read(course / "autograded" / "bob" / "nb03" / source.name, as_version=4)
    [test] = [c for c in graded.cells if _meta(c).get("grade_id") == "nb03_ex1_test"]
    assert any(o.get("output_type") == "error" and "nb03_ex1" in "\n".join(o.get("traceback", []))
               for o in test.outputs)
    shutil.rmtree(course / "autograded")
