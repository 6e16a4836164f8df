"""One home for every idea: the shared internal modules, and that nothing else restates them."""

import ast
import importlib
import inspect
import math
from pathlib import Path

import pytest

import tinygrad_edu
from tinygrad_edu import Value, engine, cli, numeric, tour, diagrams
from tinygrad_edu import transforms, forward, formula, nodecheck
from tinygrad_edu._numbers import central_difference, format_number, is_finite, relative_step
from tinygrad_edu._ops import ONE_OPERAND_METHODS, OP_SYMBOLS
from tinygrad_edu._recording import transform
from tinygrad_edu.exercises import _common, nb07
from tinygrad_edu.trace import trace_backward

PACKAGE = Path(tinygrad_edu.__file__).parent
draw_module = importlib.import_module("tinygrad_edu.draw")     # tinygrad_edu.draw is the function


# -- number formatting: one writer, each caller picks its digits --------------------------------
@pytest.mark.parametrize("x, picture, cli_text, table_text, message", [
    (0.6000000000000001, "0.6", "0.6", "0.6", "0.6"),
    (2 / 3, "0.6667", "0.666666666667", "0.666666667", "0.666667"),
    (-0.0, "0", "-0", "-0", "-0"),
    (1e-8, "1e-08", "1e-08", "1e-08", "1e-08"),
    (complex(1.5, -2), "1.5 - 2j", "(1.5-2j)", "1.5-2j", "1.5-2j"),
    (float("nan"), "nan", "nan", "nan", "nan"),
    (float("-inf"), "-inf", "-inf", "-inf", "-inf"),
])
def test_every_caller_writes_numbers_as_before(x, picture, cli_text, table_text, message):
    assert draw_module.format_number(x) == picture
    assert cli._num(x) == cli_text and cli._num(Value(x)) == cli_text
    assert numeric._fmt(x) == table_text
    assert _common.fmt(x) == message and _common.fmt(Value(x)) == message


def test_draw_format_number_is_the_shared_one():
    assert draw_module.format_number is format_number
    assert format_number(True) == "1" and _common.fmt(True) == "True"
    assert format_number("text") == "text" and _common.fmt("text") == "'text'"


def test_is_finite():
    assert is_finite(1.5) and is_finite(3) and is_finite(Value(2.0)) and is_finite(1 + 2j)
    assert not is_finite(math.inf) and not is_finite(Value(math.nan))
    assert not is_finite(complex(1, math.inf)) and not is_finite(complex(math.nan, 0))
    assert not is_finite("1.5") and not is_finite(None)
    assert is_finite(1e308 + 1e308j)          # abs() of it overflows, its parts do not
    assert _common.isfinite(1.0) and not _common.isfinite(1 + 0j)   # exercises want reals


def test_central_difference_against_closed_forms():
    assert abs(central_difference(math.sin, 0.3, 1e-5) - math.cos(0.3)) < 1e-9
    assert abs(central_difference(lambda t: t ** 3, 2.0, 1e-5) - 12.0) < 1e-8
    # an imaginary step: the slope along y of f(x + iy) = (x + iy)², i.e. 2i(x + iy) at 1+1j
    slope_y = central_difference(lambda z: z * z, 1 + 1j, 1e-6j)
    assert abs(slope_y - 2j * (1 + 1j)) < 1e-8
    assert relative_step(1e-5, 4.0) == 4e-5 and relative_step(1e-5, -0.1) == 1e-5
    assert abs(_common.partial_difference(lambda a, b: a * b * b, (2.0, 3.0), 1) - 12.0) < 1e-8


# -- op lists and op symbols ----------------------------------------------------------------------
def test_one_operand_methods_are_the_engines_primitives():
    assert set(ONE_OPERAND_METHODS) <= set(engine.PRIMITIVES)
    assert {"exp", "tanh", "relu", "abs", "log2", "sinc"} <= set(ONE_OPERAND_METHODS)
    assert not {"+", "neg", "leaky_relu", "real", "arctan2"} & set(ONE_OPERAND_METHODS)
    for name in ONE_OPERAND_METHODS:                # calling the method really makes that op
        x = Value(1.5 if name == "arccosh" else 0.5)
        assert getattr(x, name)().op == name
        assert name in nodecheck.FORWARDS and hasattr(forward.Dual, name)
        assert name in formula.FUNCTIONS


def test_draw_and_trace_write_ops_with_the_same_symbols():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b; c.label = "c"
    assert "×" in draw_module.draw(c).source
    steps = trace_backward(c)
    assert any("a × b" in steps.caption(i) for i in range(len(steps) + 1))
    assert OP_SYMBOLS["*"] == "×" and not hasattr(draw_module, "_OP_TEXT")


# -- taylor_sine: one copy --------------------------------------------------------------------------
def test_taylor_sine_has_one_home():
    assert nb07.taylor_sine is tour.taylor_sine
    x = Value(math.pi, label="x")
    s = diagrams.taylor_sine(x)
    assert s.data == tour.taylor_sine(math.pi) and s.label == "sin x"
    with pytest.raises(ValueError, match="did not converge in 3 terms"):
        tour.taylor_sine(1.0, tol=1e-12, max_terms=3)


# -- the transforms' scaffolding ----------------------------------------------------------------------
ARGNUM_TRANSFORMS = [transforms.grad, transforms.value_and_grad, transforms.holomorphic_grad,
                     transforms.elementwise_grad, transforms.jacobian, transforms.hessian,
                     transforms.hvp, forward.jacfwd]


@pytest.mark.parametrize("T", ARGNUM_TRANSFORMS, ids=lambda T: T.__name__)
def test_every_transform_checks_f_and_names_its_result(T):
    assert list(inspect.signature(T).parameters) == ["f", "argnum"]
    with pytest.raises(TypeError, match=f"{T.__name__} needs a function as its first argument"):
        T(3.0)

    def f(x):
        return x * x
    made = T(f, argnum=0)
    assert made.__name__ == f"{T.__name__}_of_f" and "argument(s) 0" in made.__doc__


def test_the_decorator_builds_a_transform_from_its_own_part():
    @transform
    def double_grad(run, name):
        """Twice the gradient."""
        return 2 * run.gradient_of(run.output)
    assert double_grad.__doc__ == "Twice the gradient." and double_grad.__name__ == "double_grad"
    assert double_grad(lambda x, y: x * y, argnum=1)(3.0, 5.0) == 6.0
    with pytest.raises(TypeError, match="double_grad needs a function"):
        double_grad(None)


def test_trace_means_only_the_backward_record():
    assert not hasattr(transforms, "trace") and not hasattr(transforms, "Trace")
    assert not hasattr(transforms, "is_tracing") and transforms.is_recording() is False
    seen = []
    transforms.grad(lambda x: seen.append(transforms.is_recording()) or x * x)(1.0)
    assert seen == [True]


# -- private names stay in their module ----------------------------------------------------------------
# forward reads two engine helpers; the engine is being rewritten separately.
KNOWN = {("forward.py", "engine._data_of"), ("forward.py", "engine._to_number")}


def test_no_private_name_crosses_a_module_boundary():
    crossings = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                for alias in node.names:
                    if node.module is None:
                        modules.add(alias.asname or alias.name)
                    elif alias.name.startswith("_") and not alias.name.startswith("__"):
                        crossings.add((path.name, f"{node.module}.{alias.name}"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in modules and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                crossings.add((path.name, f"{node.value.id}.{node.attr}"))
    assert crossings <= KNOWN, sorted(crossings - KNOWN)
