"""A Gradescope autograder for the exercises, graded by the same sandboxed grader.

    python -m tinygrad_edu.exercises grade --gradescope nb03.zip -e nb03_ex1 -e nb03_ex2 -e nb03_ex3

writes the zip to upload as a Gradescope "autograder" (Gradescope's autograder
specification: a zip with ``setup.sh`` and ``run_autograder`` at its root, unpacked
into ``/autograder/source``; the student's files arrive in ``/autograder/submission``;
the score goes to ``/autograder/results/results.json``).  The zip holds:

``setup.sh``
    run once when Gradescope builds the image: a virtual environment in
    ``/autograder/venv`` with this package installed (from the wheel in the zip when it
    was written from a checkout of the repository, else from PyPI at this version);
``run_autograder``
    run for every submission: ``python -m tinygrad_edu.exercises.gradescope``, which
    grades every ``.py`` and ``.ipynb`` file of the submission as one submission with
    ``grading.grade_submission`` -- student code in its own limited interpreter, the
    verdicts in this one -- and writes ``results.json``: the score and one test per
    exercise (``name``, ``score``, ``max_score``, ``status``, ``output`` = what is wrong
    and the hint);
``tinygrad_edu_gradescope.json``
    the exercises, points and limits chosen when the zip was written.

The answer key is not in the package, so it is not in the zip.  The root is
``$AUTOGRADER_ROOT`` (default ``/autograder``) and the interpreter
``$TINYGRAD_EDU_PYTHON`` (default the venv that ``setup.sh`` makes), so the bundle can
be tried in any folder laid out like ``/autograder``.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from . import EXERCISES, grading

__all__ = ["CONFIG_NAME", "write_bundle", "results_json", "run"]

CONFIG_NAME = "tinygrad_edu_gradescope.json"
_SKIP_DIRS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"}

_SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DEBIAN_FRONTEND=noninteractive
# TINYGRAD_EDU_NO_APT=1 skips the system packages (to try the bundle on your own machine).
if [ -z "${TINYGRAD_EDU_NO_APT:-}" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  # bubblewrap: where the container allows it, each submission runs with a read-only view
  # of the disk and no network; elsewhere the grader falls back to process limits.
  apt-get install -y -qq python3 python3-venv python3-pip bubblewrap >/dev/null
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install -q --upgrade pip
shopt -s nullglob
wheels=("$SOURCE"/tinygrad_edu-*.whl)
if [ ${#wheels[@]} -gt 0 ]; then
  "$ROOT/venv/bin/python" -m pip install -q "${wheels[@]}"
else
  "$ROOT/venv/bin/python" -m pip install -q "tinygrad_edu==__VERSION__"
fi
"$ROOT/venv/bin/python" -c "import tinygrad_edu.exercises.gradescope"
"""

_RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${TINYGRAD_EDU_PYTHON:-$ROOT/venv/bin/python}"
cd "$ROOT"
# -I: the installed package only, never a tinygrad_edu folder beside the working directory
exec "$PYTHON" -I -m tinygrad_edu.exercises.gradescope --root "$ROOT" --config "$ROOT/source/__CONFIG__"
"""


# -- writing the bundle ---------------------------------------------------------------------------
def _repository_root():
    """The checkout this package was installed from (editable install), or None."""
    root = Path(__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "tinygrad_edu"' in pyproject.read_text(encoding="utf-8"):
        return root
    return None


def _build_wheel(root, folder):
    """A wheel of the checkout at ``root`` in ``folder``; its path."""
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(root)],
                          capture_output=True, text=True, timeout=600)
    wheels = sorted(Path(folder).glob("tinygrad_edu-*.whl"))
    if done.returncode != 0 or not wheels:
        raise RuntimeError(f"could not build a wheel of {root}: {done.stderr.strip()[-500:]}")
    return wheels[0]


def write_bundle(zip_path, exercise_ids=None, options=None, points=1.0, wheel=True):
    """Write the Gradescope autograder zip; return its path.

    ``wheel=True`` puts a wheel built from this checkout into the zip (if this package runs
    from one); ``False`` makes ``setup.sh`` install this version from PyPI instead.
    """
    ids = list(exercise_ids or EXERCISES)
    unknown = [i for i in ids if i not in EXERCISES]
    if unknown:
        raise ValueError(f"unknown exercise id(s): {', '.join(unknown)}")
    if not points > 0:
        raise ValueError(f"points per exercise must be positive, got {points!r}")
    options = options or grading.Options()
    config = {"exercises": ids, "points": float(points), "timeout": float(options.timeout),
              "memory": int(options.memory)}
    version = _version()
    zip_path = Path(zip_path)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        built = None
        root = _repository_root() if wheel else None
        if root is not None:
            built = _build_wheel(root, tmp)
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
            _add(z, "setup.sh", _SETUP_SH.replace("__VERSION__", version), executable=True)
            _add(z, "run_autograder", _RUN_AUTOGRADER.replace("__CONFIG__", CONFIG_NAME), executable=True)
            _add(z, CONFIG_NAME, json.dumps(config, indent=1) + "\n")
            if built is not None:
                z.write(built, built.name)
    return zip_path


def _version():
    try:
        from importlib.metadata import version
        return version("tinygrad_edu")
    except Exception:              # noqa: BLE001 - not installed as a distribution
        return "0.1.0"


def _add(z, name, text, executable=False):
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    z.writestr(info, text)


# -- running on Gradescope --------------------------------------------------------------------------
def submission_files(folder):
    """Every .py and .ipynb file under ``folder`` (sorted; hidden and system folders skipped)."""
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        found += [os.path.join(here, f) for f in sorted(files)
                  if f.endswith((".py", ".ipynb")) and not f.startswith(".")]
    return found


def _read(folder, name):
    """The submission in ``folder`` as one ``grading.Submission`` (every file's chunks, in order)."""
    files = submission_files(folder)
    if not files:
        return grading.Submission(name, str(folder), [], {},
                                  error="the submission holds no .py or .ipynb file")
    parts = [grading.read_submission(f) for f in files]
    broken = [p for p in parts if p.error]
    if broken:
        return grading.Submission(name, str(folder), [], {}, error=broken[0].error)
    merged = {}
    for p in parts:
        for base, data in p.files.items():
            key, n = base, 1
            while key in merged:                 # two files of one name in different folders
                n += 1
                stem, ext = os.path.splitext(base)
                key = f"{stem}-{n}{ext}"
            merged[key] = data
    return grading.Submission(name, str(folder), [c for p in parts for c in p.chunks], merged)


def _student_id(root):
    """Gradescope's submission id (it seeds this submission's inputs), or a fixed name."""
    try:
        meta = json.loads((Path(root) / "submission_metadata.json").read_text(encoding="utf-8"))
        return f"gradescope-{meta['id']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "submission"


def _test_output(result):
    if result.outcome == "pass":
        return result.message
    lines = [f"{result.outcome}: {result.message}" if result.message else result.outcome]
    if result.hint:
        lines.append(f"hint: {result.hint}")
    if result.outcome == "checker-error":
        lines.append("This is a bug in the autograder, not in your code: please tell your teacher.")
    return "\n".join(lines)


def results_json(row, ids, points=1.0, sandbox=""):
    """Gradescope's results.json (a dict) for one graded ``Row``."""
    tests = []
    for eid in ids:
        r = row.results[eid]
        ex = EXERCISES[eid]
        tests.append({
            "name": f"{eid}: {ex.title}",
            "number": eid[2:].replace("_ex", "."),
            "score": round(r.score * points, 6),
            "max_score": round(r.max * points, 6),
            "status": "passed" if r.outcome == "pass" else "failed",
            "output": _test_output(r),
        })
    score = round(sum(t["score"] for t in tests), 6)
    total = round(sum(t["max_score"] for t in tests), 6)
    passed = sum(row.results[i].outcome == "pass" for i in ids)
    files = ", ".join(sorted(row.submission.files)) or "no file"
    summary = f"{passed} of {len(ids)} exercises passed ({files})."
    if row.submission.error:
        summary = f"Your submission could not be graded: {row.submission.error}."
    return {"score": score, "execution_time": round(row.seconds, 3), "output": summary,
            "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"max_score": total, "sandbox": sandbox}}


def run(root="/autograder", config_path=None):
    """Grade ``root/submission`` and write ``root/results/results.json``; return the dict."""
    root = Path(root)
    config_path = Path(config_path or root / "source" / CONFIG_NAME)
    config = json.loads(config_path.read_text(encoding="utf-8"))
    ids = [i for i in config["exercises"] if i in EXERCISES]
    if len(ids) != len(config["exercises"]):
        raise ValueError(f"{config_path}: unknown exercise ids (is the package older than the bundle?)")
    options = grading.Options(timeout=float(config["timeout"]), memory=int(config["memory"]))
    sandbox = grading.sandbox_kind(options)
    print(f"tinygrad_edu autograder: {len(ids)} exercises, sandbox: {sandbox}", flush=True)
    submission = root / "submission"
    sub = _read(submission, _student_id(root))
    row = grading.grade_submission(sub, ids, options, hide=(str(submission),))
    results = results_json(row, ids, float(config.get("points", 1.0)), sandbox)
    out = root / "results"
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "results.json.tmp"
    tmp.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out / "results.json")
    print(f"score {results['score']:g} of {results['extra_data']['max_score']:g}", flush=True)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tinygrad_edu.exercises.gradescope",
                                     description="Grade /autograder/submission for Gradescope.")
    parser.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    parser.add_argument("--config", help=f"default: ROOT/source/{CONFIG_NAME}")
    args = parser.parse_args(argv)
    try:
        run(args.root, args.config)
    except Exception:              # noqa: BLE001 - our failure: no results.json, Gradescope says so
        traceback.print_exc(file=sys.stdout)
        print("the autograder itself failed (not the submission): no results.json written")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
