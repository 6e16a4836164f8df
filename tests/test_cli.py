"""The command line: demo, draw, grad end to end, and hostile input that must change nothing.

Most cases run in-process through ``main(argv)``; a few go through a real
``python -m tinygrad_edu`` subprocess (startup costs ~0.3 s each).
"""

import math
import os
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

from tinygrad_edu import Value, gradients, sin, tanh
from tinygrad_edu import cli
from tinygrad_edu.cli import main
from tinygrad_edu.formula import MAX_LENGTH

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_module(args, cwd, timeout=60):
    """``python -m tinygrad_edu ARGS`` in ``cwd``; returns the CompletedProcess."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "tinygrad_edu", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def numbers_by_row(text):
    """{'df/dx': [autodiff, numeric], ...} from grad's table."""
    rows = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) > 1 and parts[1] != "=" and (parts[0] == "f" or parts[0].startswith("df/d")):
            rows[parts[0]] = [float(p) for p in parts[1:]]
    return rows


def one_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("tinygrad-edu: error: ")
    return lines[0]


# --------------------------------------------------------------------------
# grad
# --------------------------------------------------------------------------
def test_grad_subprocess_matches_the_engine_and_hand_derivation(tmp_path):
    done = run_module(["grad", "x*y + sin(x)", "x=1", "y=2"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rows = numbers_by_row(done.stdout)
    x, y = Value(1.0), Value(2.0)
    out = x * y + sin(x)
    g = gradients(out, [x, y])
    assert rows["f"][0] == pytest.approx(out.data, rel=1e-11)
    assert rows["df/dx"][0] == pytest.approx(g[x], rel=1e-11)
    assert rows["df/dx"][0] == pytest.approx(2 + math.cos(1), rel=1e-11)     # y + cos x
    assert rows["df/dy"][0] == pytest.approx(1.0, rel=1e-11)                 # x
    assert rows["df/dx"][1] == pytest.approx(2 + math.cos(1), rel=1e-8)      # central difference
    assert list(os.listdir(tmp_path)) == []


def test_grad_hessian_of_rosenbrock(capsys):
    code = main(["grad", "(1 - x)**2 + 100*(y - x**2)**2", "x=1", "y=1", "--order", "2"])
    out = capsys.readouterr().out
    assert code == 0
    table = out.split("Hessian")[1].splitlines()[2:]
    hessian = [[float(v) for v in line.split()[1:]] for line in table if line.strip()]
    assert hessian == [[802.0, -400.0], [-400.0, 200.0]]


def test_grad_hessian_mixed_terms(capsys):
    assert main(["grad", "x*y + sin(x)", "x=1", "y=2", "--order", "2"]) == 0
    table = capsys.readouterr().out.split("Hessian")[1].splitlines()[2:]
    h = [[float(v) for v in line.split()[1:]] for line in table if line.strip()]
    assert h[0][0] == pytest.approx(-math.sin(1), rel=1e-11)
    assert h[0][1] == h[1][0] == 1.0 and h[1][1] == 0.0


def test_grad_of_a_linear_formula_has_a_zero_hessian(capsys):
    assert main(["grad", "3*x + y", "x=1", "y=2", "--order", "2"]) == 0
    table = capsys.readouterr().out.split("Hessian")[1].splitlines()[2:]
    assert [[float(v) for v in line.split()[1:]] for line in table if line.strip()] == [
        [0.0, 0.0], [0.0, 0.0]]


def test_grad_complex_input_follows_autograds_convention(capsys):
    assert main(["grad", "abs(z)**2", "z=1+2j"]) == 0
    out = capsys.readouterr().out
    assert "(2-4j)" in out                          # HIPS autograd: 2 - 4i for |z|^2 at 1+2i


def test_grad_unused_variable_gets_zero(capsys):
    assert main(["grad", "x**2", "x=3", "q=5"]) == 0
    rows = numbers_by_row(capsys.readouterr().out)
    assert rows["df/dx"][0] == 6.0 and rows["df/dq"][0] == 0.0


@pytest.mark.parametrize("argv, words", [
    (["grad", "x + y", "x=1"], "unknown variable 'y'"),
    (["grad", "log(x)", "x=-1"], "log(-1.0) is undefined"),
    (["grad", "sqrt(x)", "x=0"], "derivative is undefined here"),
    (["grad", "foo(x)", "x=1"], "unknown function 'foo'"),
    (["grad", "x", "x="], "missing value"),
    (["grad", "x", "x=abc"], "must be a number"),
    (["grad", "x", "x=1", "x=2"], "given twice"),
    (["grad", "x", "1=x"], "bad variable name"),
    (["grad", "x", "x=1", "--order", "3"], "invalid choice"),
    (["grad"], "required"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
    (["grad", "x", "x=1", "--bogus"], "unrecognized arguments"),
])
def test_grad_errors_are_one_line_exit_2(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert words in one_error_line(captured.err)
    assert captured.out == ""
    assert os.listdir(tmp_path) == []


def test_a_formula_may_start_with_a_minus_sign(capsys):
    assert main(["grad", "-x**2", "x=3"]) == 0
    assert numbers_by_row(capsys.readouterr().out)["df/dx"][0] == -6.0
    assert main(["grad", "-2*x + y", "x=3", "y=1"]) == 0
    assert numbers_by_row(capsys.readouterr().out)["f"][0] == -5.0


def test_help_lists_examples(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for text in ("demo", "draw", "grad", 'tanh(x*w + b)', "--order 2", "exit code 2"):
        assert text in out
    assert main(["draw", "--help"]) == 0
    assert "--steps" in capsys.readouterr().out


# --------------------------------------------------------------------------
# draw
# --------------------------------------------------------------------------
def test_draw_svg_and_png_through_subprocesses(tmp_path):
    args = ["draw", "tanh(x*w + b)", "x=0.5", "w=-3", "b=2"]
    done = run_module(args + ["-o", "neuron.svg"], tmp_path)
    assert done.returncode == 0, done.stderr
    svg = (tmp_path / "neuron.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg.encode("utf-8"))               # well-formed XML
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    x, w, b = Value(0.5), Value(-3.0), Value(2.0)
    out = tanh(x * w + b)
    out.backward()
    for label in ("x", "w", "b", "tanh"):
        assert label in text
    assert f"{out.data:.4f}" in text                         # 0.4621
    assert f"{x.grad:.3f}" in text                           # -2.359 (dx = w * (1 - o^2))
    done = run_module(args + ["-o", "neuron.png", "--local", "--rankdir", "TB"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "neuron.png").read_bytes()[:8] == PNG_MAGIC
    assert sorted(os.listdir(tmp_path)) == ["neuron.png", "neuron.svg"]


def test_draw_dot_and_options(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["draw", "x*y + sin(x)", "x=1", "y=2", "-o", "g.dot", "--local"]) == 0
    dot = (tmp_path / "g.dot").read_text(encoding="utf-8")
    assert dot.startswith("digraph") and "rankdir=LR" in dot
    assert "grad 2.54" in dot                                # y + cos(1) = 2.5403
    assert main(["draw", "x*y", "x=1", "y=2", "-o", "h.dot", "--no-grad", "--rankdir", "BT"]) == 0
    dot = (tmp_path / "h.dot").read_text(encoding="utf-8")
    assert "rankdir=BT" in dot and "grad" not in dot


def test_draw_without_output_prints_dot(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["draw", "x*x", "x=3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph") and out.count("-> o") >= 2
    assert os.listdir(tmp_path) == []


def test_draw_steps_html(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["draw", "tanh(x*w + b)", "x=0.5", "w=-3", "b=2", "--steps",
                 "-o", "steps.html"]) == 0
    page = (tmp_path / "steps.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('class="tge-frame"') == 4             # the seed + 3 op nodes (*, +, tanh)
    assert "<script" in page and "http" not in page.split("<svg")[0]


def test_draw_max_nodes_caps_the_picture(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    formula = "+".join(f"sin(x*{k})" for k in range(1, 60))
    assert main(["draw", formula, "x=1", "-o", "big.dot", "--max-nodes", "20"]) == 0
    assert "nodes not shown (max_nodes=20)" in (tmp_path / "big.dot").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, words", [
    (["draw", "x", "x=1", "-o", "out.pdf"], "cannot tell the format"),
    (["draw", "x", "x=1", "-o", "nofolder/out.svg"], "does not exist"),
    (["draw", "x", "x=1", "-o", "out.html"], "--steps"),
    (["draw", "x", "x=1", "--steps", "-o", "out.svg"], "--steps"),
    (["draw", "x", "x=1", "--steps"], "-o FILE.html"),
    (["draw", "x", "x=1", "-o", "out.svg", "--max-nodes", "0"], "at least 1"),
    (["draw", "x", "x=1", "-o", "out.svg", "--rankdir", "XY"], "invalid choice"),
    (["draw", "log(x)", "x=0", "-o", "out.svg"], "log(0.0)"),
    (["draw", "x + y", "x=1", "-o", "out.svg"], "unknown variable 'y'"),
    (["draw", "x ** 0.5", "x=0", "-o", "out.png"], "derivative is undefined"),
])
def test_draw_errors_create_no_file(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert words in one_error_line(captured.err)
    assert os.listdir(tmp_path) == []


def test_draw_into_a_folder_name_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pic.svg").mkdir()
    assert main(["draw", "x", "x=1", "-o", "pic.svg"]) == 2
    assert "is a folder" in one_error_line(capsys.readouterr().err)


def test_draw_without_graphviz_says_how_to_get_it(capsys, tmp_path, monkeypatch):
    from tinygrad_edu import render
    monkeypatch.chdir(tmp_path)

    def missing(renderer="auto"):
        raise render.GraphvizNotFound("test")
    monkeypatch.setattr(render, "find_renderer", missing)
    assert main(["draw", "x*2", "x=1", "-o", "out.svg"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "pip install graphviz-pure" in line and ".dot" in line
    assert os.listdir(tmp_path) == []
    assert main(["draw", "x*2", "x=1", "-o", "out.dot"]) == 0     # DOT needs no Graphviz


def test_a_command_that_runs_too_long_is_stopped(capsys, monkeypatch):
    def slow(args):
        while True:
            time.sleep(0.01)
    monkeypatch.setitem(cli._COMMANDS, "grad", slow)
    monkeypatch.setattr(cli, "COMMAND_TIME_LIMIT", 0.2)
    started = time.perf_counter()
    assert main(["grad", "x", "x=1"]) == 2
    assert time.perf_counter() - started < 2
    assert "took longer than 0.2 s" in one_error_line(capsys.readouterr().err)


# --------------------------------------------------------------------------
# Hostile input: exit 2 in a moment, one line, no traceback, no file
# --------------------------------------------------------------------------
HOSTILE_FORMULAS = [
    "__import__('os').system('touch pwned')",
    "__import__('os')",
    "x.__class__.__bases__[0].__subclasses__()",
    "().__class__",
    "x[0]",
    "lambda: open('pwned', 'w')",
    "[open('pwned', 'w') for q in x]",
    "{q for q in x}",
    "open('pwned', 'w')",
    "open('x')",
    "eval('1')",
    "exec('open(1)')",
    "compile('1', 'f', 'eval')",
    "getattr(x, 'real')",
    "sin(x=1)",
    "9**9**9",
    "(2**1000)**1000",
    "10**10**10",
    "(" * 1000 + "x" + ")" * 1000,
    "(" * 100_000 + "x" + ")" * 100_000,
    "-" * 9_999 + "x",
    "x" * (MAX_LENGTH + 1),
    "((x)",
    "x))",
    "x\u00b2 + \u03c0",
    "x\x00",
    "f'{x}'",
    "(q := 1)",
    "sin(*x)",
    "x if 1 else y",
    "'a' * 10**9",
    "x ^ 2",
]


@pytest.mark.parametrize("text", HOSTILE_FORMULAS)
@pytest.mark.parametrize("command", ["grad", "draw"])
def test_hostile_formula_in_process(text, command, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = [command, text, "x=0.5", "y=2"] + (["-o", "out.svg"] if command == "draw" else [])
    started = time.perf_counter()
    assert main(argv) == 2
    assert time.perf_counter() - started < 2.0
    captured = capsys.readouterr()
    line = one_error_line(captured.err)
    assert len(line) < 500
    assert captured.out == ""
    assert os.listdir(tmp_path) == []


HOSTILE_VALUES = ["x=__import__('os')", "x=open('pwned')", "x=9**9**9", "x=1e999", "x=nan",
                  "x=(1", "x=\u00e9", "x=[1]", "x=x", "x=True"]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_values_in_process(value, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["draw", "x + 1", value, "-o", "out.png"]) == 2
    one_error_line(capsys.readouterr().err)
    assert os.listdir(tmp_path) == []


def test_hostile_inputs_through_a_real_subprocess(tmp_path):
    marker = f"/tmp/tinygrad_edu_pwned_{uuid.uuid4().hex}"
    cases = [
        ["grad", f"__import__('os').system('touch {marker}')", "x=1"],
        ["draw", "9**9**9", "x=1", "-o", "out.svg"],
        # (one argument can hold at most 128 KiB on Linux: 60,000 levels)
        ["draw", "(" * 60_000 + "x" + ")" * 60_000, "x=1", "-o", "out.png"],
        ["grad", "x\u00b2 + 1", "x=1"],
        ["draw", "open('x')", "x=1", "-o", "out.svg"],
    ]
    for args in cases:
        started = time.perf_counter()
        done = run_module(args, tmp_path, timeout=10)
        assert time.perf_counter() - started < 5.0          # a couple of seconds incl. startup
        assert done.returncode == 2, (args[:2], done.stderr)
        one_error_line(done.stderr)
        assert done.stdout == ""
        assert os.listdir(tmp_path) == []
    assert not os.path.exists(marker)


# --------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------
def test_demo_quick_through_a_subprocess(tmp_path):
    out = tmp_path / "pictures"
    started = time.perf_counter()
    done = run_module(["demo", "--quick", "--out", str(out)], tmp_path, timeout=120)
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr[-2000:]
    text = done.stdout
    # The sections, in the seed's order.
    positions = [text.index(s) for s in ("1. The derivative", "2. The chain rule",
                                          "3. The Taylor", "4. Logistic", "5. A neuron")]
    assert positions == sorted(positions)
    assert "MISMATCH" not in text and "all checks agree" in text
    # Numbers the tour prints, against independent values.
    assert "11.872299" in text and f"{12 * math.sin(8):.6f}" == "11.872299"
    assert "-0.999900" in text
    assert "2.772589" in text and f"{4 * math.log(2):.6f}" == "2.772589"
    assert "1.067271" in text
    assert "fit:" in text or "%" in text                     # the progress bar
    written = sorted(os.listdir(out))
    for name in ("chain_rule_sin2.svg", "neuron.svg", "neuron.png", "taylor_sine.svg",
                 "backward_steps.html"):
        assert name in written
    for name in written:
        listed = str(out / name)
        assert listed in text                                # the closing list names every file
        data = (out / name).read_bytes()
        if name.endswith(".svg"):
            ET.fromstring(data)
        elif name.endswith(".png"):
            assert data[:8] == PNG_MAGIC
    assert sorted(os.listdir(tmp_path)) == ["pictures"]
    assert elapsed < 60


def test_demo_refuses_a_silly_step_count(tmp_path, capsys):
    assert main(["demo", "--steps", "0", "--out", str(tmp_path / "d")]) == 2
    assert "--steps must be between 1 and 1000" in one_error_line(capsys.readouterr().err)
    assert os.listdir(tmp_path) == []


def test_demo_refuses_a_file_as_folder(tmp_path, capsys):
    target = tmp_path / "afile"
    target.write_text("x")
    assert main(["demo", "--out", str(target)]) == 2
    assert "is a file" in one_error_line(capsys.readouterr().err)


# --------------------------------------------------------------------------
# The limits --help states are the limits that hold
# --------------------------------------------------------------------------
def test_help_states_the_limits_that_hold(capsys):
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "10,000 characters, 100 nested parentheses, 200 levels in all" in text
    assert "|constant exponent| <= 1000" in text
    # 100 parentheses deep is accepted, 101 is refused with the number the help gives
    assert main(["grad", "(" * 100 + "x" + ")" * 100, "x=2"]) == 0
    capsys.readouterr()
    assert main(["grad", "(" * 101 + "x" + ")" * 101, "x=2"]) == 2
    assert "more than 100 open parentheses" in capsys.readouterr().err
    # a flat chain counts one level per operator: 150 terms pass, 250 do not
    assert main(["grad", "+".join(["x"] * 150), "x=1"]) == 0
    assert numbers_by_row(capsys.readouterr().out)["df/dx"][0] == 150.0
    assert main(["grad", "+".join(["x"] * 250), "x=1"]) == 2
    assert "nested too deeply" in capsys.readouterr().err


# --------------------------------------------------------------------------
# course
# --------------------------------------------------------------------------
def _course_names():
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    return sorted(p.name for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb")) + ["EXERCISES.md"]


def test_course_copies_the_notebooks_and_says_how_to_open_them(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["course"]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "tinygrad_edu_course"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(_course_names())
    for hint in ("jupyter lab ./tinygrad_edu_course", "VS Code", "Colab", "%pip install tinygrad-edu",
                 f"{len(_course_names())} added"):
        assert hint in out, hint
    files = cli.course_files()
    assert all((folder / name).read_bytes() == path.read_bytes() for name, path in files.items())


def test_course_never_overwrites_a_file_the_student_changed(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["course", str(folder)]) == 0
    changed = folder / "03_value_and_manual_backprop.ipynb"
    changed.write_text("my own work", encoding="utf-8")
    (folder / "01_derivatives.ipynb").unlink()                   # deleted: comes back
    capsys.readouterr()
    assert main(["course", str(folder)]) == 0
    out = capsys.readouterr().out
    assert changed.read_text(encoding="utf-8") == "my own work"
    assert "kept 03_value_and_manual_backprop.ipynb: you changed it" in out
    assert "1 added" in out and f"{len(_course_names()) - 2} same" in out and "1 kept" in out
    assert (folder / "01_derivatives.ipynb").is_file()


def test_course_replaces_an_old_copy_the_student_did_not_change(tmp_path, capsys):
    """An upgrade brings new notebooks: a file still as the command wrote it is updated."""
    import hashlib
    import json
    folder = tmp_path / "course"
    folder.mkdir()
    old, edited = b'{"an": "older version"}', b'{"an": "older version, edited"}'
    (folder / "02_chain_rule.ipynb").write_bytes(old)
    (folder / "05_more_ops_and_gradient_checking.ipynb").write_bytes(edited)
    record = {"02_chain_rule.ipynb": hashlib.sha256(old).hexdigest(),
              "05_more_ops_and_gradient_checking.ipynb": hashlib.sha256(old).hexdigest()}
    (folder / cli.COURSE_RECORD).write_text(json.dumps(record))
    done = cli.copy_course(folder)
    assert done["updated"] == ["02_chain_rule.ipynb"]
    assert done["kept"] == ["05_more_ops_and_gradient_checking.ipynb"]
    assert (folder / "02_chain_rule.ipynb").read_bytes() == cli.course_files()["02_chain_rule.ipynb"].read_bytes()
    assert (folder / "05_more_ops_and_gradient_checking.ipynb").read_bytes() == edited
    # A file the command never wrote (no record) and that differs is the student's: kept.
    (folder / cli.COURSE_RECORD).write_text("not json")
    (folder / "02_chain_rule.ipynb").write_bytes(old)
    assert cli.copy_course(folder)["kept"] == ["02_chain_rule.ipynb", "05_more_ops_and_gradient_checking.ipynb"]


def test_course_into_a_file_is_a_one_line_error(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("x")
    assert main(["course", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "01_derivatives.ipynb").mkdir()            # a folder where a notebook should go
    assert main(["course", str(blocked)]) == 0           # left alone, reported as kept
    assert "kept 01_derivatives.ipynb" in capsys.readouterr().out
