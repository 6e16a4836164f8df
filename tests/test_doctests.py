"""Every docstring example in the package runs and shows what it claims."""

import doctest
import importlib
import pkgutil

import pytest

import tinygrad_edu

MODULES = sorted(name for _, name, _ in pkgutil.walk_packages(tinygrad_edu.__path__, "tinygrad_edu.")
                 if not name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_the_engine_is_documented_by_examples():
    result = doctest.testmod(importlib.import_module("tinygrad_edu.engine"))
    assert result.attempted >= 20


def test_print_trace_lists_the_tape_in_the_order_it_ran(capsys):
    import math
    out = tinygrad_edu.print_trace(lambda x: tinygrad_edu.sin(x * x) + x, 1.5)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("=")[1].strip() for line in lines] == ["x * x", "sin(t0)", "t1 + x"]
    assert math.isclose(out.data, math.sin(2.25) + 1.5, rel_tol=1e-15)
    out.backward()
    leaf = out.children[1]
    assert math.isclose(leaf.grad, 2 * 1.5 * math.cos(2.25) + 1, rel_tol=1e-12)   # -0.884521
