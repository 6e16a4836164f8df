"""Only pictures need graphviz: the package, the engine, the transforms and `tinygrad-edu grad`
work on a machine where the graphviz package is missing, and never import it."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter where any attempt to import graphviz fails, as on a machine
# without it; the CLI runs through runpy, exactly as `python -m tinygrad_edu` does.
_SCRIPT = textwrap.dedent("""
    import importlib.abc, runpy, sys

    class NoGraphviz(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "graphviz":
                raise ModuleNotFoundError("graphviz is blocked by the test", name=name)

    sys.meta_path.insert(0, NoGraphviz())
    import tinygrad_edu
    from tinygrad_edu import Value, grad, hessian, jvp, sin
    import tinygrad_edu.draw, tinygrad_edu.trace, tinygrad_edu.nodecheck   # importable, unused

    assert abs(grad(lambda x: x * sin(x))(1.0) - 1.3817732906760363) < 1e-12   # sin 1 + cos 1
    assert hessian(lambda x: x ** 3)(2.0) == 12.0
    assert jvp(lambda x: x * x, 3.0, 1.0)[1] == 6.0
    a = Value(2.0); (a * a).backward(); assert a.grad == 4.0
    assert "graphviz" not in sys.modules
    assert {"save", "GraphvizNotFound", "draw"} <= set(dir(tinygrad_edu))   # still listed
    sys.argv = ["tinygrad-edu", "grad", "x*y + sin(x)", "x=1", "y=2"]
    try:
        runpy.run_module("tinygrad_edu", run_name="__main__")
    except SystemExit as stop:
        assert not stop.code, stop.code
    assert "graphviz" not in sys.modules, "the grad command imported graphviz"
    print("graphviz stayed out")
""")


def test_the_package_and_the_grad_command_need_no_graphviz():
    run = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "df/dx      2.54030230587" in run.stdout          # cos(1)*1 + 2, the grad table ran
    assert run.stdout.rstrip().endswith("graphviz stayed out")


def test_the_blocker_really_blocks_pictures():
    # The same guard makes drawing fail, so the test above proves something.
    script = _SCRIPT.split("import tinygrad_edu\n")[0] + textwrap.dedent("""
        import tinygrad_edu
        try:
            tinygrad_edu.draw(tinygrad_edu.Value(1.0) * 2)
        except ModuleNotFoundError as error:
            print("blocked:", error.name)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "blocked: graphviz" in run.stdout
