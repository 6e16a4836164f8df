"""Derivatives stay accurate where functions saturate: each rule against a 50-digit reference (mpmath)."""

import random

import pytest

mpmath = pytest.importorskip("mpmath")

import tinygrad_edu as tg                    # noqa: E402
from tinygrad_edu import Value                # noqa: E402

mpmath.mp.dps = 50
ULP = 2.0 ** -52
TOLERANCE = 8 * ULP          # "a few ulps": the forward itself is 1 ulp, the rule adds a few

# op -> the exact derivative, as an mpmath function
REFERENCES = {
    "tanh": lambda x: 1 / mpmath.cosh(x) ** 2,
    "sigmoid": lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2,
    "softplus": lambda x: 1 / (1 + mpmath.exp(-x)),
    "expm1": mpmath.exp,
    "exp": mpmath.exp,
    "sinh": mpmath.cosh,
    "cosh": mpmath.sinh,
    "arctan": lambda x: 1 / (1 + x * x),
}


def points():
    """±50 on a grid of quarter steps, plus random points in between."""
    rng = random.Random(14)
    return [k / 4 for k in range(-200, 201)] + [rng.uniform(-50, 50) for _ in range(300)]


def relative_error(got, exact):
    if exact == 0:
        return abs(got)
    return float(abs((mpmath.mpf(got) - exact) / exact))


def derivative(op, x, create_graph=False):
    v = Value(x)
    out = getattr(v, op)()
    if create_graph:
        out.backward(create_graph=True)
        return v.grad.data
    out.backward()
    return v.grad


@pytest.mark.parametrize("op", sorted(REFERENCES))
@pytest.mark.parametrize("create_graph", [False, True], ids=["floats", "values"])
def test_derivative_is_accurate_across_plus_minus_50(op, create_graph):
    worst = (0.0, None)
    for x in points():
        if op == "cosh" and x == 0:
            continue                      # sinh(0) = 0: checked exactly below
        exact = REFERENCES[op](mpmath.mpf(x))
        error = relative_error(derivative(op, x, create_graph), exact)
        worst = max(worst, (error, x))
    assert worst[0] <= TOLERANCE, f"{op}' at x = {worst[1]}: relative error {worst[0]:.3g}"
    assert derivative("cosh", 0.0) == 0.0


def test_tanh_derivative_where_one_minus_out_squared_is_exactly_zero():
    # tanh(20) rounds to 1.0, so 1 - out² is 0; the derivative is 1.7e-17.
    assert tg.tanh(20.0) == 1.0
    assert derivative("tanh", 20.0) == pytest.approx(1.6993417021166355e-17, rel=1e-15)
    assert derivative("tanh", -300.0) == pytest.approx(float(1 / mpmath.cosh(300) ** 2), rel=1e-14)
    assert derivative("tanh", 1e300) == 0.0           # underflows, without an overflow on the way


def test_sigmoid_and_softplus_derivatives_far_out():
    assert derivative("sigmoid", 40.0) == pytest.approx(float(mpmath.exp(-40) / (1 + mpmath.exp(-40)) ** 2),
                                                        rel=1e-15)
    assert derivative("softplus", -745.0) > 0.0
    assert derivative("sigmoid", 800.0) == 0.0 and derivative("sigmoid", -800.0) == 0.0


def test_expm1_and_log1p_derivatives_at_both_ends():
    for x in (-30.0, -700.0, 1e-300, -1e-10, 5.0):
        assert relative_error(derivative("expm1", x), mpmath.exp(x)) <= TOLERANCE
    for x in (-1 + 2 ** -40, -0.5, 1e-300, 1e300):
        assert relative_error(derivative("log1p", x), 1 / (1 + mpmath.mpf(x))) <= TOLERANCE


def complex_derivative(op, z):
    return tg.holomorphic_grad(lambda v: getattr(tg, op)(v))(z)


@pytest.mark.parametrize("op, exact", [
    ("tanh", lambda z: 1 / mpmath.cosh(z) ** 2),
    ("tan", lambda z: 1 / mpmath.cos(z) ** 2),
    ("sigmoid", lambda z: mpmath.exp(-z) / (1 + mpmath.exp(-z)) ** 2),
    ("expm1", mpmath.exp),
])
def test_complex_branches_are_accurate(op, exact):
    rng = random.Random(3)
    zs = [complex(rng.uniform(-50, 50), rng.uniform(-3, 3)) for _ in range(200)]
    if op == "tan":
        zs = [complex(z.imag, z.real) for z in zs]     # tan saturates along the imaginary axis
    for z in zs:
        reference = exact(mpmath.mpc(z))
        got = complex_derivative(op, z)
        assert abs(mpmath.mpc(got) - reference) <= 16 * ULP * abs(reference), (op, z, got)
