"""Grading a class safely: hostile files graded between honest students.

Each file in ``tests/exercises/class/`` is a submission for notebook 03's three exercises:
honest students (alice has the answer key, bob and zed are partly wrong) and files that loop,
exit, eat memory, patch the grader, forge its output, look for the answer key or a classmate's
file, or vandalise the folder.  They are graded together in one run; every mark must come out
exactly as earned, every file must get a row, and no file outside the sandbox may change.
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from exhelp import ROOT, SOLUTIONS

from tinygrad_edu.exercises import grading

HERE = Path(__file__).resolve().parent
CLASS = HERE / "class"
IDS = ["nb03_ex1", "nb03_ex2", "nb03_ex3"]

#: file stem -> the outcome of each of IDS (the marks follow: 1 per pass).
EXPECTED = {
    "alice": ("pass", "pass", "pass"),
    "bob": ("fail", "pass", "pass"),
    "zed": ("fail", "fail", "not-attempted"),
    "loop_at_import": ("timeout",) * 3,
    "loop_in_exercise": ("timeout", "pass", "pass"),
    "exit_at_import": ("exited",) * 3,
    "os_exit_in_exercise": ("exited", "pass", "not-attempted"),
    "sys_exit_in_exercise": ("exited", "pass", "exited"),
    "keyboard_interrupt": ("exited",) * 3,
    "patch_the_grader": (None, None, None),          # None: anything but a pass
    "empty_report": ("fail", "fail", "fail"),
    "forge_the_channel": ("fail", "not-attempted", "not-attempted"),
    "import_the_answers": ("cannot-load",) * 3,
    "read_the_key": ("not-attempted",) * 3,
    "vandal": ("not-attempted", "pass", "not-attempted"),
    "fill_the_disk": ("not-attempted", "pass", "not-attempted"),
    "memory_at_import": ("memory",) * 3,
    "memory_in_exercise": ("memory", "pass", "not-attempted"),
    "syntax_error": ("cannot-load",) * 3,
    "lying_numbers": ("fail", "fail", "not-attempted"),
}
#: Honest students first and last, so a cheat that leaks into later rows would show.
ORDER = ["alice"] + [k for k in EXPECTED if k not in ("alice", "bob", "zed")] + ["bob", "zed"]


def _tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if grading.sandbox_kind() != "bubblewrap":
        pytest.fail("these tests need bubblewrap (apt-get install bubblewrap; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("class_3b")
    shutil.copy(SOLUTIONS / "nb03.py", folder / "alice.py")
    for name in EXPECTED:
        if name != "alice":
            shutil.copy(CLASS / f"{name}.py", folder / f"{name}.py")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.1)
    before = {"class": _tree_digest(folder), "package": _tree_digest(ROOT / "tinygrad_edu"),
              "teacher": _tree_digest(ROOT / "teacher")}
    out = folder.parent / (folder.name + "_results")
    env = dict(os.environ, GRADER_PORT=str(listener.getsockname()[1]))
    cmd = [sys.executable, "-m", "tinygrad_edu.exercises", "grade", "--timeout", "8", "--exercise-timeout", "3", "--jobs", "2",
           "--out", str(out), "-v"] + [str(folder / f"{n}.py") for n in ORDER]
    for eid in IDS:
        cmd += ["-e", eid]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    try:
        connected, _ = listener.accept()
        connected.close()
        reached = True
    except OSError:
        reached = False
    listener.close()
    after = {"class": _tree_digest(folder), "package": _tree_digest(ROOT / "tinygrad_edu"),
             "teacher": _tree_digest(ROOT / "teacher")}
    data = json.loads((out / "grades.json").read_text())
    return {"run": run, "data": data, "before": before, "after": after, "reached": reached,
            "out": out, "folder": folder}


def test_the_run_ends_with_exit_status_zero_and_a_row_for_everyone(graded):
    run = graded["run"]
    assert run.returncode == 0, run.stderr
    rows = graded["data"]["submissions"]
    assert [r["student"] for r in rows] == ORDER
    table = [line for line in run.stdout.splitlines() if line.startswith(str(graded["folder"]))]
    assert len(table) == len(ORDER), run.stdout


@pytest.mark.parametrize("name", ORDER)
def test_every_mark_is_exactly_what_was_earned(graded, name):
    row = next(r for r in graded["data"]["submissions"] if r["student"] == name)
    outcomes = tuple(row["exercises"][e]["outcome"] for e in IDS)
    for got, expected in zip(outcomes, EXPECTED[name]):
        if expected is None:
            assert got != "pass", (name, outcomes)
        else:
            assert got == expected, (name, outcomes, [row["exercises"][e]["message"] for e in IDS])
    assert row["score"] == sum(o == "pass" for o in outcomes) == sum(o == "pass" for o in EXPECTED[name])
    assert row["max"] == len(IDS)


def test_no_file_outside_the_sandbox_changed(graded):
    assert graded["after"] == graded["before"]


def test_no_network_from_the_sandbox(graded):
    assert not graded["reached"]


def test_forged_rows_do_not_reach_the_table(graded):
    stdout = graded["run"].stdout
    assert "3/3" in stdout                                  # alice's real row
    assert "✓ ✓ ✓   3/3" not in stdout                     # the forged rows' text
    fake = [line for line in stdout.splitlines() if "patch_the_grader.py" in line and "3/3" in line]
    assert not fake


def test_failures_carry_the_checkers_hint(graded):
    rows = {r["student"]: r for r in graded["data"]["submissions"]}
    assert "partials swapped" in rows["bob"]["exercises"]["nb03_ex1"]["hint"]
    assert "+= instead of =" in rows["zed"]["exercises"]["nb03_ex1"]["hint"]
    assert "ModuleNotFoundError" in rows["import_the_answers"]["exercises"]["nb03_ex1"]["message"]
    assert "SyntaxError" in rows["syntax_error"]["exercises"]["nb03_ex1"]["message"]


def test_outputs_for_the_gradebook(graded):
    out = graded["out"]
    lines = (out / "grades.csv").read_text().splitlines()
    assert lines[0] == "student,file," + ",".join(IDS) + ",score,max"
    assert lines[1].startswith("alice,") and lines[1].endswith(",1,1,1,3,3")
    assert len(lines) == 1 + len(ORDER)
    report = (out / "report.html").read_text()
    assert "partials swapped" in report and "pass rate" in report
    assert graded["data"]["sandbox"] == "bubblewrap"


def test_the_answer_key_is_not_in_the_package():
    import tinygrad_edu.exercises as exercises
    package = Path(exercises.__file__).parent
    assert not (package / "solutions.py").exists()
    with pytest.raises(ModuleNotFoundError):
        __import__("tinygrad_edu.exercises.solutions")


def test_identical_submissions_are_flagged(tmp_path):
    a = tmp_path / "ann.py"
    b = tmp_path / "ben.py"
    c = tmp_path / "cal.py"
    a.write_text((SOLUTIONS / "nb03.py").read_text())
    renamed = (SOLUTIONS / "nb03.py").read_text().replace("other", "rhs").replace("self", "me")
    b.write_text("# my own work!\n" + renamed.replace("    ", "  "))
    c.write_text((CLASS / "bob.py").read_text())
    rows = grading.grade_all([a, b, c], IDS, grading.Options(timeout=20), jobs=2)
    groups = grading.identical_groups(rows)
    assert groups == [[str(a), str(b)]]


def test_a_crash_of_the_judge_is_a_checker_error_not_the_students_fault():
    from tinygrad_edu.exercises import Exercise
    ex = Exercise("nb03_ex1", "demo", ("mul_backward",))
    ex.judge(lambda cases, seen: 1 / 0)
    results = {}
    grading._judge_reply(ex, [], {"seen": []},
                         lambda eid, outcome, message="", hint="", earned=0.0: results.update(
                             {eid: (outcome, message)}))
    outcome, message = results["nb03_ex1"]
    assert outcome == "checker-error" and "ZeroDivisionError" in message


def test_pytest_marker_mode_grades_in_the_sandbox_too():
    """TINYGRAD_EDU_STUDENT=file pytest -m nb03_ex1: an os._exit in the file cannot end pytest."""
    env = dict(os.environ, TINYGRAD_EDU_STUDENT=str(CLASS / "os_exit_in_exercise.py"))
    base = [sys.executable, "-m", "pytest", str(HERE / "test_ex_grading.py"), "-q", "-p", "no:cacheprovider"]
    bad = subprocess.run(base + ["-m", "nb03_ex1"], capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 1 and "nb03_ex1 exited" in bad.stdout, bad.stdout[-2000:]
    good = subprocess.run(base + ["-m", "nb03_ex2"], capture_output=True, text=True, env=env, timeout=300)
    assert good.returncode == 0 and "1 passed" in good.stdout, good.stdout[-2000:]


def test_without_bubblewrap_the_process_limits_still_give_every_row(tmp_path, capsys):
    """--sandbox none: no file-system isolation (said once), but loops, exits and memory are still contained."""
    from tinygrad_edu.exercises.__main__ import main
    names = ["bob", "loop_in_exercise", "os_exit_in_exercise", "memory_in_exercise", "zed"]
    files = []
    for name in names:
        shutil.copy(CLASS / f"{name}.py", tmp_path / f"{name}.py")
        files.append(str(tmp_path / f"{name}.py"))
    args = ["grade", "--sandbox", "none", "--timeout", "8", "--exercise-timeout", "3", "--out", str(tmp_path / "out")]
    assert main(args + [a for e in IDS for a in ("-e", e)] + files) == 0
    err = capsys.readouterr().err
    assert err.count("run with process limits only") == 1
    rows = {r["student"]: r for r in json.loads((tmp_path / "out" / "grades.json").read_text())["submissions"]}
    for name in names:
        assert tuple(rows[name]["exercises"][e]["outcome"] for e in IDS) == EXPECTED[name]
    assert json.loads((tmp_path / "out" / "grades.json").read_text())["sandbox"] == "process limits only"
