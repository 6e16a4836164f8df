"""The Gradescope autograder bundle, run in a temporary folder laid out like /autograder.

Gradescope's autograder specification: the zip unpacks into ``/autograder/source``,
``run_autograder`` is copied to ``/autograder/run_autograder``, the student's files are
in ``/autograder/submission`` and the result goes to ``/autograder/results/results.json``
(``score``, and ``tests`` with ``name``, ``score``, ``max_score``, ``output``).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from tinygrad_edu.exercises import EXERCISES, gradescope, grading
from tinygrad_edu.exercises.__main__ import main

from nbkey import MAKE, student_notebook

NB03 = ["nb03_ex1", "nb03_ex2", "nb03_ex3"]
SWAPPED = '''
def mul_backward(x, y, out):
    x.grad += x.data * out.grad
    y.grad += y.data * out.grad
'''


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("bundle") / "nb03.zip"
    assert main(["grade", "--gradescope", str(path), "-e", "nb03_ex1", "-e", "nb03_ex2", "-e", "nb03_ex3",
                 "--timeout", "60", "--memory", "768"]) == 0
    return path


def _autograder(bundle, tmp_path):
    """A folder laid out as Gradescope lays out /autograder; returns its path."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    return root


def _run(root, python=sys.executable, timeout=120):
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), TINYGRAD_EDU_PYTHON=python)
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def _by_id(results):
    return {t["name"].split(":")[0]: t for t in results["tests"]}


def test_the_bundle_has_gradescopes_two_scripts_at_its_root_and_no_answers(bundle):
    with zipfile.ZipFile(bundle) as z:
        names = z.namelist()
        assert {"setup.sh", "run_autograder", gradescope.CONFIG_NAME} <= set(names)
        for script in ("setup.sh", "run_autograder"):
            info = z.getinfo(script)
            assert info.external_attr >> 16 & 0o111, f"{script} is not executable"
            assert z.read(script).startswith(b"#!/usr/bin/env bash\n")
        assert json.loads(z.read(gradescope.CONFIG_NAME)) == {"exercises": NB03, "points": 1.0,
                                                              "timeout": 60.0, "memory": 768}
        wheels = [n for n in names if n.endswith(".whl")]
        assert len(wheels) == 1
        with zipfile.ZipFile(z.open(wheels[0])) as wheel:
            inside = wheel.namelist()
            assert "tinygrad_edu/exercises/gradescope.py" in inside
            assert "tinygrad_edu/exercises/_runner.py" in inside
            code = b"".join(wheel.read(n) for n in inside if n.endswith(".py"))
    assert not any("teacher" in n or "solutions" in n for n in names + inside), names + inside
    # The answer key's own lines appear nowhere in the bundle.
    key = MAKE.answer_cells(3)
    assert b"x.grad += y.data * out.grad" not in code
    assert key["nb03_ex2"].splitlines()[-1].encode() not in code


def test_a_correct_notebook_scores_full_marks(bundle, tmp_path):
    root = _autograder(bundle, tmp_path)
    student_notebook(3, root / "submission")
    results = _run(root)
    assert results["score"] == 3.0
    tests = _by_id(results)
    assert list(tests) == NB03
    for eid, test in tests.items():
        assert test == {"name": f"{eid}: {EXERCISES[eid].title}", "number": eid[2:].replace("_ex", "."),
                        "score": 1.0, "max_score": 1.0, "status": "passed", "output": test["output"]}
        assert test["output"]                               # the checker's success message
    assert "3 of 3" in results["output"]


def test_a_wrong_submission_gets_the_hint_and_no_marks(bundle, tmp_path):
    root = _autograder(bundle, tmp_path)
    sub = root / "submission" / "nested"                  # Gradescope keeps the student's folders
    sub.mkdir()
    (sub / "mine.py").write_text(SWAPPED, encoding="utf-8")
    results = _run(root)
    assert results["score"] == 0
    tests = _by_id(results)
    assert [t["score"] for t in tests.values()] == [0, 0, 0]
    assert [t["max_score"] for t in tests.values()] == [1.0, 1.0, 1.0]
    assert [t["status"] for t in tests.values()] == ["failed"] * 3
    ex1 = tests["nb03_ex1"]["output"]
    assert ex1.startswith("fail: ") and "\nhint: " in ex1
    assert "swap" in ex1.lower()                          # the checker names the mistake
    assert tests["nb03_ex2"]["output"].startswith("not-attempted: ")
    assert "0 of 3" in results["output"]


def test_a_submission_that_exits_or_is_empty_still_gets_results(bundle, tmp_path):
    root = _autograder(bundle, tmp_path)
    (root / "submission" / "evil.py").write_text("import os\nos._exit(0)\n", encoding="utf-8")
    results = _run(root)
    assert results["score"] == 0
    assert {t["output"].split(":")[0] for t in results["tests"]} == {"exited"}
    shutil.rmtree(root / "results")
    (root / "submission" / "evil.py").unlink()
    (root / "submission" / "notes.txt").write_text("no code here", encoding="utf-8")
    results = _run(root)
    assert results["score"] == 0 and len(results["tests"]) == 3
    assert "no .py or .ipynb file" in results["output"]


def test_results_json_partial_credit_and_points(tmp_path):
    sub = grading.Submission("s", "s", [], {"a.py": b""})
    rows = grading.Row(sub, {"nb05_ex3": grading.ExerciseResult("fail", 0.8, 1.0, "check relu at 0", "4 of 5"),
                             "nb03_ex1": grading.ExerciseResult("timeout", 0.0, 1.0, "", "no answer")})
    results = gradescope.results_json(rows, ["nb03_ex1", "nb05_ex3"], points=2.5)
    assert results["score"] == 2.0
    assert [(t["score"], t["max_score"]) for t in results["tests"]] == [(0.0, 2.5), (2.0, 2.5)]
    assert results["tests"][1]["output"] == "fail: 4 of 5\nhint: check relu at 0"
    assert results["tests"][0]["output"] == "timeout: no answer"


def test_the_cli_refuses_submissions_with_gradescope_and_bad_points(tmp_path, capsys):
    assert main(["grade", "--gradescope", str(tmp_path / "b.zip"), "alice.py"]) == 2
    assert "give no submissions" in capsys.readouterr().err
    assert not (tmp_path / "b.zip").exists()
    with pytest.raises(ValueError, match="unknown exercise"):
        gradescope.write_bundle(tmp_path / "c.zip", ["nb99_ex1"], wheel=False)
    with pytest.raises(ValueError, match="positive"):
        gradescope.write_bundle(tmp_path / "c.zip", ["nb03_ex1"], points=0, wheel=False)
    with pytest.raises(SystemExit):
        main(["grade"])                                    # neither files nor --gradescope


def test_without_a_wheel_setup_installs_this_version_from_pypi(tmp_path):
    path = gradescope.write_bundle(tmp_path / "b.zip", ["nb03_ex1"], wheel=False)
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.endswith(".whl")]
        setup = z.read("setup.sh").decode()
    assert f'"tinygrad_edu=={gradescope._version()}"' in setup


@pytest.fixture
def outside_tmp():
    """A folder that is not under /tmp, as /autograder is not: the sandbox gives the child a
    private, empty /tmp, so an interpreter installed under /tmp is out of its sight."""
    folder = Path(tempfile.mkdtemp(prefix=".tinygrad_edu_autograder_", dir=Path.home()))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_setup_sh_installs_the_wheel_and_run_autograder_uses_it(bundle, outside_tmp):
    """setup.sh for real (no apt): a fresh venv with the wheel, no checkout, no answer key."""
    root = _autograder(bundle, outside_tmp)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), TINYGRAD_EDU_NO_APT="1")
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    python = root / "venv" / "bin" / "python"
    where = subprocess.run([str(python), "-I", "-c", "import tinygrad_edu; print(tinygrad_edu.__file__)"],
                           capture_output=True, text=True, check=True, cwd=root).stdout
    assert str(root / "venv") in where                       # the wheel, not this checkout
    assert not (Path(where).parent.parent / "teacher").exists()
    student_notebook(3, root / "submission")
    env.pop("TINYGRAD_EDU_PYTHON", None)
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 3.0, [t["output"] for t in results["tests"]]
