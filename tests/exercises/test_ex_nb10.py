"""Checkers of notebook 10: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import autograd.numpy as anp
from autograd import grad as ag_grad
from exhelp import S, fails

from tinygrad_edu.engine import Value, gradients
from tinygrad_edu.exercises import (MODE_SHAPES, check_dual, check_elementwise_vs_jacobian, check_grad_impl,
                                    check_hvp, check_jacobians, check_logistic_regression,
                                    check_mode_prediction, check_nested_grads, check_softplus_primitive,
                                    check_taylor_tolerance, check_trace_order, check_vjp_table, taylor_sine)

from tinygrad_edu.exercises.nb10 import rosenbrock


def full_hessian_hvp(f, x, v):
    xs = [Value(a) for a in x]
    g = gradients(f(xs), xs, create_graph=True)
    H = []
    for xi in xs:
        row = gradients(g[xi], xs) if isinstance(g[xi], Value) else {x2: 0.0 for x2 in xs}
        H.append([float(getattr(row[x2], "data", row[x2])) for x2 in xs])
    return [sum(H[i][j] * v[j] for j in range(len(x))) for i in range(len(x))]


def test_hvp():
    assert check_hvp(S.hvp)
    assert S.hvp(rosenbrock, [1.0, 1.0], [1.0, 1.0]) == [402.0, -200.0]      # CURRICULUM NB10
    fails(check_hvp, full_hessian_hvp, match=["reverse sweeps", "formed the n×n Hessian"])
    fails(check_hvp, lambda f, x, v: [float(g) for g in _grad(f, x)], match="that is ∇f(x)")
    fails(check_hvp, lambda f, x, v: 0.0, match="should return a list of 2 numbers")


def _grad(f, x):
    xs = [Value(a) for a in x]
    g = gradients(f(xs), xs)
    return [g[v] for v in xs]


def test_elementwise_vs_jacobian():
    assert check_elementwise_vs_jacobian(S.egrad_value, S.jacobian_value, S.elementwise_choice)
    fails(check_elementwise_vs_jacobian, [4.0, 5.0], S.jacobian_value, "b", match="that is the Jacobian's diagonal")
    fails(check_elementwise_vs_jacobian, S.egrad_value, [[4.0, 2.0], [1.0, 5.0]], "b", match="yours is transposed")
    fails(check_elementwise_vs_jacobian, S.egrad_value, S.jacobian_value, "a", match=["choice 'a' is not right", "diagonal"])
    fails(check_elementwise_vs_jacobian, S.egrad_value, S.jacobian_value, "z", match="not one of a, b, c, d")


def test_nested_grads():
    assert check_nested_grads(S.grad_nested)
    from tinygrad_edu.engine import sin
    assert S.grad_nested(lambda p: p[0] ** 2 * p[1][0] + sin(p[1][1]), (1.5, (2.0, 0.0))) == (6.0, (2.25, 1.0))
    assert S.grad_nested(lambda p: p["w"] * p["x"] ** 2, {"w": 3.0, "x": 2.0}) == {"w": 4.0, "x": 12.0}

    def flat(f, params):
        from tinygrad_edu.exercises.nb10 import _flatten
        return _flatten(S.grad_nested(f, params))

    def lists_for_tuples(f, params):
        def conv(t):
            if isinstance(t, dict):
                return {k: conv(v) for k, v in t.items()}
            if isinstance(t, (list, tuple)):
                return [conv(v) for v in t]
            return t
        return conv(S.grad_nested(f, params))

    def ones(f, params):
        from tinygrad_edu.exercises.nb10 import _flatten, _rebuild
        return _rebuild(params, [1.0] * len(_flatten(params)))

    fails(check_nested_grads, flat, match=["structure", "expected (·, (·, ·))"])
    fails(check_nested_grads, lists_for_tuples, match=["[·, [·, ·]]", "tuples stay tuples"])
    fails(check_nested_grads, ones, match="gradient entry #0")


def test_softplus_checker_says_not_written_yet_for_a_stub():
    def softplus(x):
        raise NotImplementedError()

    fails(check_softplus_primitive, softplus, lambda g, ans, x: g, match="not written yet")
