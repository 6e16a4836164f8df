"""numerical_grad, numerical_jvp and check_grads: hand-derived values, autodiff, failure tables."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Value, grad, numerical_grad, check_grads
from tinygrad_edu.numeric import numerical_jvp


def test_numerical_grad_scalar_by_hand():
    assert numerical_grad(lambda x: x ** 3, 2.0) == pytest.approx(12.0, abs=1e-7)
    assert type(numerical_grad(lambda x: x ** 3, 2)) is float
    assert numerical_grad(math.sin, 0.5, h=1e-5) == pytest.approx(math.cos(0.5), abs=1e-9)


def test_numerical_grad_structures():
    g = numerical_grad(lambda p: p["a"] * p["b"][0] + p["b"][1] ** 2,
                       {"a": 2.0, "b": (5.0, 3.0), "tag": "x"})
    assert g["tag"] == "x" and isinstance(g["b"], tuple)
    assert g["a"] == pytest.approx(5.0) and g["b"] == pytest.approx((2.0, 6.0))
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    ga = numerical_grad(lambda a: np.sum(a ** 2), x)
    assert ga.shape == (2, 2) and ga.dtype == np.float64
    np.testing.assert_allclose(ga, 2 * x, rtol=1e-7)


def test_numerical_grad_complex_convention():
    g = numerical_grad(lambda z: abs(z) ** 2, 3 + 4j)       # 2x - 2iy
    assert type(g) is complex and g == pytest.approx(6 - 8j, abs=1e-6)
    assert grad(lambda z: abs(z) ** 2)(3 + 4j) == pytest.approx(g, abs=1e-6)


def test_numerical_grad_accepts_value_inputs_and_outputs():
    g = numerical_grad(lambda x: Value(2.0) * x * x, Value(3.0))
    assert g == pytest.approx(12.0)


def test_numerical_jvp():
    t = numerical_jvp(lambda p: [p[0] * p[1], p[0]], [3.0, 4.0], [1.0, 0.0])
    assert t == pytest.approx([4.0, 1.0])
    with pytest.raises(ValueError, match="v has 1 numbers but x has 2"):
        numerical_jvp(lambda p: p[0], [1.0, 2.0], [1.0])


@settings(max_examples=40, deadline=None)
@given(x=st.lists(st.floats(-2, 2), min_size=1, max_size=4))
def test_autodiff_agrees_with_numerical(x):
    f = lambda v: sum(tg.sin(a) * tg.tanh(b) + a * a for a, b in zip(v, v[1:] + v[:1]))
    np.testing.assert_allclose(grad(f)(x), numerical_grad(f, x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("order", [1, 2])
def test_check_grads_passes_on_correct_functions(order):
    check_grads(lambda x: np.sum(np.tanh(x) * x[0]), np.array([[0.3, 0.2], [0.1, 0.5]]), order=order)
    check_grads(lambda z: abs(z * z + 1j) ** 2, 1 + 2j, order=order)
    check_grads(lambda p: p["a"] * tg.exp(p["b"]), {"a": 1.5, "b": 0.3}, order=order)
    # several outputs: checked through a random weighted sum
    check_grads(lambda x: np.sin(x) * x, np.array([0.4, 1.1, 2.0]), order=order)


def sneaky(x):
    """Right on numbers, wrong on Values: autodiff sees x·c instead of x²."""
    other = x.detach() if isinstance(x, Value) else x
    return x * other


def test_check_grads_failure_table():
    with pytest.raises(AssertionError) as info:
        check_grads(lambda p: sneaky(p[0]) + p[1], [3.0, 1.0])
    message = str(info.value)
    lines = message.splitlines()
    assert "order 1" in lines[0] and "disagree" in lines[0]
    header = lines[1].split()
    assert header == ["input", "autodiff", "numeric", "difference"]
    row = next(line for line in lines if line.strip().startswith("d/dx[0]"))
    assert row.split()[1:4] == ["3", "6", "-3"] and "<- differs" in row
    ok_row = next(line for line in lines if line.strip().startswith("d/dx[1]"))
    assert "differs" not in ok_row
    # columns are aligned: every number column ends at the same place
    ends = {line.index("  <-") if "<-" in line else len(line) for line in lines[1:]}
    assert len(ends) == 1


def test_check_grads_order_2_catches_a_wrong_second_derivative():
    def f(x):
        if isinstance(x, Value):           # right first derivative, wrong second one
            c = x.detach()                 # the tangent line of x³ at c: slope right, no curvature
            return c ** 3 + 3 * c ** 2 * (x - c)
        return x ** 3
    check_grads(f, 1.3, order=1)          # the gradient 3x² is right
    with pytest.raises(AssertionError, match="order 2") as info:
        check_grads(f, 1.3, order=2)
    assert "H·v" in str(info.value)


def test_check_grads_errors():
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        check_grads(lambda x: x, 1.0, order=3)
    with pytest.raises(ValueError, match="step h must be a positive number"):
        numerical_grad(lambda x: x, 1.0, h=0)
    with pytest.raises(TypeError, match="cannot differentiate with respect to a str"):
        numerical_grad(lambda x: x, "one")
    with pytest.raises(TypeError, match="one real number"):
        numerical_grad(lambda x: [x, x], 1.0)
    with pytest.raises(TypeError, match="complex"):
        numerical_grad(lambda x: x * 1j, 1.0)
    with pytest.raises(TypeError, match="needs a function"):
        check_grads("f", 1.0)
