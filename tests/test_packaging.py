"""What a `pip install` gets: the package, and never the answer key."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    (path,) = out.glob("tinygrad_edu-*.whl")
    return path


@pytest.mark.slow
def test_the_wheel_holds_no_answers(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "tinygrad_edu/exercises/grading.py" in names
    assert not [n for n in names if "solutions" in n or n.startswith("teacher/")], names
    key_lines = {line.strip() for p in (ROOT / "teacher" / "solutions").glob("*.py")
                 for line in p.read_text().splitlines() if "grad +=" in line and "out.grad" in line}
    with zipfile.ZipFile(wheel) as z:
        shipped = "\n".join(z.read(n).decode("utf-8", "replace") for n in names if n.endswith(".py"))
    assert key_lines and not any(line in shipped for line in key_lines)


@pytest.mark.slow
def test_the_wheel_carries_the_course(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) >= 12
    for name in notebooks:
        assert f"tinygrad_edu/course/{name}" in names
        with zipfile.ZipFile(wheel) as z:      # shipped as stored: with outputs, byte for byte
            assert z.read(f"tinygrad_edu/course/{name}") == (ROOT / "notebooks" / name).read_bytes()
    assert "tinygrad_edu/exercises/README.md" in names
    assert not [n for n in names if n.startswith("teacher") or "/teacher/" in n]


@pytest.mark.slow
def test_the_course_from_the_wheel_runs_in_a_fresh_environment(wheel, tmp_path):
    """pip install the wheel into a new venv, `tinygrad-edu course` into a new folder, run two notebooks."""
    import sysconfig
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    # The package's dependencies (graphviz, ipykernel, numpy...) come from this test environment;
    # a path line in a .pth file adds that folder without its .pth files, so the editable
    # install of the repository stays out of the fresh environment.
    fresh_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                capture_output=True, text=True, check=True).stdout.strip()
    Path(fresh_site, "zz_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    student = tmp_path / "student"
    student.mkdir()
    command = venv / ("Scripts/tinygrad-edu.exe" if sys.platform == "win32" else "bin/tinygrad-edu")
    done = subprocess.run([str(command), "course"], cwd=student, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    course = student / "tinygrad_edu_course"
    assert "jupyter lab" in done.stdout and "Colab" in done.stdout and f"{len(list((ROOT / 'notebooks').glob('[0-9][0-9]_*.ipynb'))) + 1} added" in done.stdout
    assert sorted(p.name for p in course.glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert (course / "EXERCISES.md").read_bytes() == (ROOT / "tinygrad_edu" / "exercises" / "README.md").read_bytes()
    script = f"""
import sys, json
sys.path.insert(0, {str(ROOT / 'notebooks')!r})
import nbformat
from execute_all import run_notebook
for name in ("03_value_and_manual_backprop.ipynb", "04_topological_order_and_accumulation.ipynb"):
    path = {str(course)!r} + "/" + name
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import tinygrad_edu; print(tinygrad_edu.__file__)"))
    nbformat.write(nb, path)
    nb, seconds = run_notebook(path, timeout=120)
    print(json.dumps([name, nb.cells[-1].outputs[0]["text"].strip()]))
"""
    ran = subprocess.run([str(python), "-c", script], cwd=student, capture_output=True, text=True,
                         timeout=600, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert ran.returncode == 0, ran.stderr[-3000:]
    lines = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 2
    for name, where in lines:                 # the kernel imported the wheel's copy, not the repository's
        assert where.startswith(fresh_site), (name, where)
