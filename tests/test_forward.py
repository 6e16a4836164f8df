"""Forward mode (jvp, jacfwd) against reverse mode and HIPS autograd; the op counter."""

import numpy as np
import pytest
import autograd
import autograd.numpy as anp

import tinygrad_edu as tg
from tinygrad_edu import Value, grad, jacobian, hessian, hvp, jvp, jacfwd, count_ops
from tinygrad_edu.forward import OpCount


def wavy(x, np=np):
    return np.sin(x) * np.exp(np.cos(x)) + np.tanh(x) / (1 + x * x)


def vector_f(x, np=np):
    return np.tanh(x) * np.sum(x ** 2) + np.sin(x[::-1]) * x[0]


def test_jvp_scalar_matches_autograd():
    value, tangent = jvp(wavy, 0.8, 1.0)
    their_tangent_value = autograd.make_jvp(lambda t: wavy(t, anp))(0.8)(1.0)
    assert type(value) is float and type(tangent) is float
    assert (value, tangent) == pytest.approx(tuple(float(t) for t in their_tangent_value), rel=1e-12)
    assert jvp(wavy, 0.8, 2.5)[1] == pytest.approx(2.5 * tangent, rel=1e-12)


@pytest.mark.parametrize("shape", [(4,), (2, 3)])
def test_jvp_equals_jacobian_times_v(shape):
    rng = np.random.default_rng(0)
    x, v = rng.normal(size=shape), rng.normal(size=shape)
    value, tangent = jvp(vector_f if len(shape) == 1 else (lambda a: np.sin(a) * np.sum(a)), x, v)
    f = vector_f if len(shape) == 1 else (lambda a: np.sin(a) * np.sum(a))
    J = jacobian(f)(x)
    expected = np.tensordot(J, v, axes=len(shape))
    assert tangent.shape == shape and tangent.dtype == np.float64
    np.testing.assert_allclose(tangent, expected, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(value, f(x))


def test_jvp_matches_autograd_make_jvp_on_arrays():
    x, v = np.array([0.3, -1.1, 2.0]), np.array([1.0, 0.5, -2.0])
    value, tangent = jvp(vector_f, x, v)
    their_value, their_tangent = autograd.make_jvp(lambda t: vector_f(t, anp))(x)(v)
    np.testing.assert_allclose(value, their_value, rtol=1e-12)
    np.testing.assert_allclose(tangent, their_tangent, rtol=1e-12)


def test_jvp_structures():
    value, tangent = jvp(lambda p: {"prod": p["a"] * p["b"], "sum": p["a"] + p["b"]},
                         {"a": 2.0, "b": 5.0}, {"a": 1.0, "b": 0.0})
    assert value == {"prod": 10.0, "sum": 7.0} and tangent == {"prod": 5.0, "sum": 1.0}
    assert jvp(lambda p: p[0] * p[1], (3.0, 4.0), (0.0, 1.0)) == (12.0, 3.0)


@pytest.mark.parametrize("f", [
    lambda z, np=np: np.abs(z) ** 2,
    lambda z, np=np: z * z * np.exp(z),
    lambda z, np=np: np.real(z * np.conj(z) * z) + np.imag(z),
], ids=["modulus2", "holomorphic", "real-imag"])
@pytest.mark.parametrize("direction", [1.0, 1j, 0.3 - 0.7j])
def test_jvp_complex_matches_autograd(f, direction):
    z = 0.6 + 1.2j
    _, ours = jvp(f, z, direction)
    _, theirs = autograd.make_jvp(lambda t: f(t, anp))(z)(direction)
    assert complex(ours) == pytest.approx(complex(theirs), rel=1e-12)


def test_jacfwd_equals_jacobian():
    x = np.array([0.5, -0.3, 1.2])
    np.testing.assert_allclose(jacfwd(vector_f)(x), jacobian(vector_f)(x), rtol=1e-12)
    assert jacfwd(lambda p: [p[0] * p[1], p[0] + p[1]])([2.0, 5.0]) == [[5.0, 2.0], [1.0, 1.0]]
    assert jacfwd(lambda t: t ** 3)(2.0) == 12.0
    H = jacfwd(grad(lambda a: a[0] ** 2 * a[1] + a[1] ** 3))(np.array([1.0, 2.0]))
    np.testing.assert_allclose(H, [[4.0, 2.0], [2.0, 12.0]])


def test_forward_over_reverse_hvp():
    rng = np.random.default_rng(1)
    x, v = rng.uniform(0.5, 1.5, size=4), rng.normal(size=4)
    f = lambda a: np.sum(np.exp(a[:-1] * a[1:])) + np.sum(np.sin(a) ** 2)
    _, forward_hv = jvp(grad(f), x, v)
    np.testing.assert_allclose(forward_hv, hessian(f)(x) @ v, rtol=1e-10)
    np.testing.assert_allclose(forward_hv, hvp(f)(x, v), rtol=1e-10)


def test_reverse_over_forward_and_nesting_match_autograd():
    ours = grad(lambda x: jvp(lambda y: y ** 3 * x, x, 1.0)[1])(2.0)      # d/dx (3x² · x) = 9x²
    assert ours == 36.0
    theirs = autograd.grad(lambda x: autograd.make_jvp(lambda y: y ** 3 * x)(x)(1.0)[1])(2.0)
    assert ours == pytest.approx(theirs)
    second = jvp(lambda x: jvp(lambda y: anp_free(y) * x, x, 1.0)[1], 0.7, 1.0)[1]
    their_second = autograd.make_jvp(
        lambda x: autograd.make_jvp(lambda y: anp.sin(y) * x)(x)(1.0)[1])(0.7)(1.0)[1]
    assert second == pytest.approx(float(their_second), rel=1e-12)


def anp_free(y):
    return tg.sin(y)


def test_jvp_uses_forward_mode_only():
    with count_ops() as count:
        jvp(wavy, 0.3, 1.0)
    assert count.sweeps == {"forward": 1}
    assert count.sweeps["reverse"] == 0


def test_jvp_leaves_no_gradients():
    x = Value(1.5)
    _, t = jvp(lambda y: y * y, x, 1.0)
    assert t.data == 3.0 and x.grad == 0.0


def test_op_counter_forward_vs_reverse_on_100_inputs():
    n = 100
    x = np.linspace(-1.0, 1.0, n)
    f = lambda a: np.sum(np.sin(a) * a + a ** 2)
    with count_ops() as reverse:
        g_reverse = grad(f)(x)
    with count_ops() as forward:
        g_forward = jacfwd(f)(x)
    np.testing.assert_allclose(g_forward, g_reverse, rtol=1e-12)
    assert reverse.sweeps == {"reverse": 1}
    assert forward.sweeps == {"forward": n}
    assert forward.ops == reverse.ops > 0                  # each traces f once
    # every sweep visits every edge once: forward does n times the multiplications
    assert forward.multiplies["forward"] == n * reverse.multiplies["reverse"]
    assert "forward sweeps" in forward.table() and str(n) in forward.table()


def test_op_counter_counts_ops_and_backward():
    with count_ops() as count:
        a = Value(2.0)
        y = tg.tanh(a * 3.0 + 1.0)
        y.backward()
    assert count.ops == 3 and count.by_op == {"*": 1, "+": 1, "tanh": 1}
    assert count.sweeps == {"reverse": 1} and count.multiplies["reverse"] == 5
    assert "OpCount(ops=3" in repr(count)
    # outside the block nothing is counted any more
    Value(1.0) * 2.0
    assert count.ops == 3


def test_op_counter_is_removed_after_an_error():
    counter = None
    with pytest.raises(ZeroDivisionError):
        with count_ops() as counter:
            Value(1.0) / 0.0
    assert counter.ops == 0
    assert counter not in tg.engine._observers.get()


def test_opcount_table_lines():
    c = OpCount()
    c.on_node(Value(1.0) + 1.0)
    c.on_sweep("forward", 7)
    lines = c.table().splitlines()
    assert lines[0].split() == ["primitive", "ops", "evaluated", "1"]
    assert lines[2].split()[-1] == "7"


def test_jvp_errors():
    with pytest.raises(ValueError, match="same structure as x"):
        jvp(lambda p: p[0], [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="jvp cannot differentiate"):
        jvp(lambda s: 1.0, "abc", 1.0)
    with pytest.raises(TypeError, match="needs a function"):
        jvp(None, 1.0, 1.0)
    with pytest.raises(TypeError, match="jacfwd needs f to return numbers"):
        jacfwd(lambda x: None)(1.0)


def test_jacfwd_tuple_argnum_equals_jacobian():
    x, y = np.array([1.0, 2.0]), 3.0
    f = lambda x, y: np.sin(x) * y ** 2 + x[0]
    for ours, reverse in zip(jacfwd(f, argnum=(0, 1))(x, y), jacobian(f, argnum=(0, 1))(x, y)):
        np.testing.assert_allclose(ours, reverse, rtol=1e-12)


def test_dual_numbers_match_jvp():
    from tinygrad_edu.forward import Dual
    x = Dual(2.0, 1.0)
    y = x * x * x + 1
    assert (y.value, y.tangent) == (9.0, 12.0)
    for point, f in [(0.7, wavy), (1.3, lambda t, np=np: 2 ** t / (1 + t) - 3 * t ** 2 + abs(-t))]:
        d = f(Dual(point, 1.0))
        assert (d.value, d.tangent) == pytest.approx(jvp(f, point, 1.0), rel=1e-12)
    a = np.array([Dual(1.0, 1.0), Dual(2.0, -0.5)], dtype=object)
    total = np.sum(np.tanh(a) * a + np.sqrt(a) - np.arctan(a) * np.exp(-a))
    f = lambda v: np.sum(np.tanh(v) * v + np.sqrt(v) - np.arctan(v) * np.exp(-v))
    assert (total.value, total.tangent) == pytest.approx(
        jvp(f, np.array([1.0, 2.0]), np.array([1.0, -0.5])), rel=1e-12)


def test_dual_complex_matches_autograd_and_keeps_no_graph():
    from tinygrad_edu.forward import Dual
    z, v = 0.6 + 1.2j, 0.3 - 0.7j
    d = abs(Dual(z, v) * Dual(z, v) + 1) ** 2
    _, theirs = autograd.make_jvp(lambda t: anp.abs(t * t + 1) ** 2)(z)(v)
    assert d.tangent == pytest.approx(float(theirs), rel=1e-12) and type(d.tangent) is float
    assert Dual(3.0, 1.0) > 2 and Dual(3.0, 1.0) <= Dual(3.0, 0.0)
    with pytest.raises(TypeError, match="Dual"):
        Dual("a")
