"""Checkers of notebook 08: pass on the solutions, fail on typical wrong answers with the right hint."""

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


def test_vjp_table():
    assert check_vjp_table(S.vjp_table)
    T = S.vjp_table
    fails(check_vjp_table, dict(T, **{"*": lambda g, ans, x, y: (g * x, g * y)}),
          match=["*: cotangent for input 0 (x)", "partials swapped"])
    fails(check_vjp_table, dict(T, tanh=lambda g, ans, x: (g * (1 - x * x),)),
          match=["tanh", "used the input x where the output ans belongs"])
    fails(check_vjp_table, dict(T, relu=lambda g, ans, x: (float(x > 0),)), match=["relu", "incoming cotangent g"])
    fails(check_vjp_table, dict(T, **{"+": lambda g, ans, x, y: (g,)}), match="tuple of 2 cotangent(s)")
    fails(check_vjp_table, dict(T, **{"**": lambda g, ans, x, y: (g * y * x ** (y - 1), 0.0)}),
          match="cotangent for input 1 (y)")
    fails(check_vjp_table, {k: v for k, v in T.items() if k != "log"}, match="no VJP for 'log'")


def test_softplus_primitive():
    assert check_softplus_primitive(S.softplus, S.softplus_vjp)
    naive = lambda x: math.log(1 + math.exp(x))                       # noqa: E731
    naive_vjp = lambda g, ans, x: g * math.exp(x) / (1 + math.exp(x))   # noqa: E731
    fails(check_softplus_primitive, naive, S.softplus_vjp, match=["softplus(800", "OverflowError", "log1p"])
    fails(check_softplus_primitive, S.softplus, naive_vjp, match=["softplus_vjp at x=800", "OverflowError"])
    fails(check_softplus_primitive, S.softplus, lambda g, ans, x: S.softplus_vjp(1.0, ans, x),
          match="incoming cotangent g")


def test_trace_order():
    assert check_trace_order(S.trace_prediction)
    assert check_trace_order(["mul", "sin", "add"])
    fails(check_trace_order, ["+", "sin", "*"], match="that is the backward order")
    fails(check_trace_order, ["sin", "*", "+"], match="right ops, wrong order")
    fails(check_trace_order, ["*", "+"], match="the trace has 3 primitive ops")


def test_trace_numbers():
    x = Value(1.5)
    f = (x * x).sin() + x
    assert abs(f.data - 2.278073) < 1e-6 and abs(gradients(f, [x])[x] - (-0.884521)) < 1e-6
