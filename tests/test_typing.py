"""Students' editors see the types: pyright and mypy on typical student code (tests/typing/snippets).

pyright is what VS Code (Pylance) runs; it comes from npm (``web/package.json``, installed by
``npm ci`` in web/, which ``make site`` and CI run).  mypy comes with the ``test`` extra.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tinygrad_edu

HERE = Path(__file__).parent / "typing"
SNIPPETS = sorted((HERE / "snippets").glob("*.py"))
ROOT = Path(__file__).resolve().parent.parent
PYRIGHT = ROOT / "web" / "node_modules" / ".bin" / "pyright"
PACKAGE_PARENT = str(Path(tinygrad_edu.__file__).resolve().parent.parent)

#: reveal.py asks for these four expressions' types; each must be exactly Value.
REVEALED = ["a * b + a ** 2", "2 - a", "a / 3", "a.tanh()"]


def _need_pyright():
    if PYRIGHT.exists() and shutil.which("node"):
        return
    message = f"pyright is not installed ({PYRIGHT}): run `npm ci` in web/ (make site does)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)                # CI must run this check, not skip it
    pytest.skip(message)


def test_the_package_is_marked_as_typed():
    assert (Path(tinygrad_edu.__file__).parent / "py.typed").is_file()


def test_there_are_snippets_of_everything_students_do():
    names = {p.stem for p in SNIPPETS}
    assert {"arithmetic", "training", "functional", "drawing", "star", "reveal"} <= names


def test_pyright_reports_no_errors_and_infers_value():
    _need_pyright()
    run = subprocess.run([str(PYRIGHT), "--outputjson", "--pythonpath", sys.executable,
                          "-p", str(HERE / "pyrightconfig.json")],
                         capture_output=True, text=True, timeout=300, cwd=HERE)
    report = json.loads(run.stdout)
    diagnostics = report["generalDiagnostics"]
    problems = [f"{Path(d['file']).name}:{d['range']['start']['line'] + 1}: {d['message']}"
                for d in diagnostics if d["severity"] != "information"]
    assert problems == [], "\n".join(problems)
    assert report["summary"]["filesAnalyzed"] == len(SNIPPETS)
    revealed = [d["message"] for d in diagnostics if d["severity"] == "information"]
    assert revealed == [f'Type of "{e}" is "Value"' for e in REVEALED]     # no NotImplementedType


def test_mypy_reports_no_errors_and_infers_value(tmp_path):
    # MYPYPATH: mypy cannot follow an editable install's import hook, so point it at the package.
    run = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent",
                          "--cache-dir", str(tmp_path), *[p.name for p in SNIPPETS]],
                         capture_output=True, text=True, timeout=300, cwd=HERE / "snippets",
                         env={**os.environ, "MYPYPATH": PACKAGE_PARENT})
    lines = run.stdout.splitlines()
    assert run.returncode == 0 and lines[-1].startswith("Success: no issues found"), run.stdout + run.stderr
    revealed = [line.split("note: ")[1] for line in lines if "Revealed type" in line]
    assert revealed == ['Revealed type is "tinygrad_edu.engine.Value"'] * len(REVEALED)


def test_a_wrong_snippet_is_caught(tmp_path):
    # The checks can fail: a Value assigned to a str variable is an error for both tools.
    bad = tmp_path / "bad.py"
    bad.write_text("from tinygrad_edu import Value\nv: Value = Value(1.0) * 2\nw: str = v.tanh()\n")
    run = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent",
                          "--cache-dir", str(tmp_path / "cache"), str(bad)],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "MYPYPATH": PACKAGE_PARENT})
    assert run.returncode == 1 and 'Incompatible types in assignment (expression has type "Value"' in run.stdout
    _need_pyright()
    run = subprocess.run([str(PYRIGHT), "--outputjson", "--pythonpath", sys.executable, str(bad)],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    messages = [d["message"] for d in json.loads(run.stdout)["generalDiagnostics"]]
    assert any('"Value" is not assignable to declared type "str"' in m for m in messages), messages
