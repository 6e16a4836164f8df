"""What a `pip install` gets: the package, and never the answer key."""

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
