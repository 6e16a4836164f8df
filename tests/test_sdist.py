"""The source distribution: the course and its test suite, without the answer key, and a package
page that reads well on PyPI (no links or pictures that only work inside the repository)."""
import email
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sdist(tmp_path_factory):
    out = tmp_path_factory.mktemp("sdist")
    # --no-isolation: no download of the build backend (setuptools comes with the test extra).
    # Run from `out`, so a build/ folder in the repository cannot shadow the `build` package.
    run = subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation",
                          "--skip-dependency-check", "--outdir", str(out), str(ROOT)],
                         capture_output=True, text=True, timeout=600, cwd=out)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (path,) = out.glob("tinygrad_edu-*.tar.gz")
    return path


@pytest.fixture(scope="module")
def names(sdist):
    with tarfile.open(sdist) as tar:
        return [n.split("/", 1)[1] for n in tar.getnames() if "/" in n]


def test_the_sdist_holds_the_course_and_its_tests(names):
    for needed in ["README.md", "LICENSE", "Makefile", "pyproject.toml", ".ci/run",
                   "tinygrad_edu/py.typed", "tinygrad_edu/exercises/README.md",
                   "tests/conftest.py", "tests/test_engine.py", "tests/exercises/test_ex_nb01.py",
                   "tests/typing/snippets/arithmetic.py", "benchmarks/bench.py",
                   "diagrams/neuron.svg", "web/package.json", "web/package-lock.json",
                   "web/playground/index.html", "notebooks/execute_all.py"]:
        assert needed in names, needed
    course = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(n.split("/")[-1] for n in names if n.startswith("notebooks/") and n.endswith(".ipynb")) \
        == course and len(course) >= 12


def test_the_sdist_holds_no_answers_and_no_build_debris(names):
    assert not [n for n in names if n.startswith("teacher") or "solutions" in n], names
    assert not [n for n in names if "node_modules" in n or "__pycache__" in n or n.endswith(".pyc")
                or ".ipynb_checkpoints" in n or n.startswith(("site/", ".venv/"))]


def test_every_file_of_the_repository_but_the_key_is_in_the_sdist(names):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to compare the sdist with")
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT,
                             check=True).stdout.split()
    left_out = [n for n in tracked if n not in names and not n.startswith("teacher/")
                and n != ".gitignore" and (ROOT / n).exists()]
    assert left_out == []


def _metadata(sdist):
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.count("/") == 1
                      and m.name.endswith("/PKG-INFO"))
        return email.message_from_bytes(tar.extractfile(member).read())


def test_the_package_page_has_no_links_into_the_repository(sdist):
    meta = _metadata(sdist)
    assert meta["Description-Content-Type"].startswith("text/markdown")
    text = meta.get_payload()
    assert "Value" in text and "pip install" in text and len(text) > 1500
    targets = re.findall(r"\]\(([^)\s]+)", text) + re.findall(r'src="([^"]+)"', text)
    relative = [t for t in targets if not t.startswith(("https://", "http://"))]
    assert relative == []                      # PyPI has no repository to resolve them against
    assert "![" not in text                    # no pictures that could not load there


def test_the_classifiers_name_the_tested_pythons_and_the_audience(sdist):
    classifiers = _metadata(sdist).get_all("Classifier")
    for needed in ["Framework :: Jupyter", "Intended Audience :: Education",
                   "Intended Audience :: Science/Research", "Topic :: Education",
                   "Operating System :: OS Independent", "Typing :: Typed"]:
        assert needed in classifiers
    versions = sorted(c.rsplit(" ", 1)[1] for c in classifiers
                      if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    assert versions == ["3.10", "3.11", "3.12", "3.13"]
    assert _metadata(sdist)["License-Expression"] == "MIT"


def _unpack(sdist, folder):
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(sdist) as tar:
        tar.extractall(folder, **safe)
    (tree,) = Path(folder).glob("tinygrad_edu-*")
    return tree


@pytest.mark.slow
def test_a_wheel_built_from_the_sdist_is_typed_and_holds_no_answers(sdist, tmp_path):
    tree = _unpack(sdist, tmp_path / "src")
    run = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                          "--skip-dependency-check", "--outdir", str(tmp_path / "out"), str(tree)],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (wheel,) = (tmp_path / "out").glob("tinygrad_edu-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tinygrad_edu/py.typed" in names and "tinygrad_edu/exercises/README.md" in names
    assert not [n for n in names if "teacher" in n or "solutions" in n or n.startswith("tests/")]


@pytest.mark.slow
def test_the_unpacked_sdist_runs_its_own_tests(sdist, tmp_path):
    tree = _unpack(sdist, tmp_path)
    env_python = [sys.executable]
    # The unpacked package, not the repository's, must be the one imported and tested.
    env = {"PYTHONPATH": str(tree), "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    where = subprocess.run([*env_python, "-c", "import tinygrad_edu; print(tinygrad_edu.__file__)"],
                           capture_output=True, text=True, cwd=tree, env=env, timeout=120)
    assert Path(where.stdout.strip()).resolve().is_relative_to(tree.resolve()), where
    run = subprocess.run([*env_python, "-m", "pytest", "-q", "-m", "not slow or answer_key",
                          "-p", "no:cacheprovider", "-rs", "tests/test_engine.py",
                          "tests/test_public_api.py", "tests/exercises/test_ex_nb01.py",
                          "tests/test_notebooks.py::test_exercise_cells_pass_with_the_reference_solutions"],
                         capture_output=True, text=True, cwd=tree, env=env, timeout=600)
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert int(re.search(r"(\d+) passed", summary).group(1)) > 100, summary
    # Without teacher/, the tests that read the answer key are skipped, and say why: a module
    # built on the key's helpers as a whole, a single test (marked answer_key) on its own.
    skipped = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skipped and all(line.endswith("the answer key (teacher/) is not distributed")
                           for line in skipped), skipped
    assert any("tests/exercises/exhelp.py" in line for line in skipped)
    assert any(re.search(r"\[\d+\] tests/test_notebooks.py", line) for line in skipped)   # the solved ones
