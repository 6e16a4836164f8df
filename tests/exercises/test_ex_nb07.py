"""Checkers of notebook 07: pass on the solutions, fail on typical wrong answers with the right hint."""

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


def test_grad_impl():
    assert check_grad_impl(S.grad)

    def ignores_argnum(f, argnum=0):
        return S.grad(f, 0)

    def returns_value(f, argnum=0):
        def df(*args):
            xs = [Value(a) for a in args]
            f(*xs).backward()
            return xs[argnum] * 1.0
        return df

    def no_check(f, argnum=0):
        def df(*args):
            xs = [Value(a) for a in args]
            f(*xs).backward()
            return xs[argnum].grad
        return df

    def vague_error(f, argnum=0):
        inner = S.grad(f, argnum)

        def df(*args):
            out = f(*args)
            if isinstance(out, list):
                raise TypeError("bad output")
            return inner(*args)
        return df

    fails(check_grad_impl, ignores_argnum, match=["argnum=1", "derivative wrt argument 0: use argnum"])
    fails(check_grad_impl, returns_value, match="returned a Value")
    fails(check_grad_impl, no_check, match=["non-scalar output raised AttributeError", "elementwise_grad"])
    fails(check_grad_impl, vague_error, match=["your TypeError says 'bad output'", "elementwise_grad or jacobian"])


def test_logistic_reference_matches_autograd():
    # The checker's reference trajectory against HIPS autograd (test-only oracle).
    from tinygrad_edu.exercises._programs import LOGISTIC_INPUTS, LOGISTIC_TARGETS

    inputs = anp.array(LOGISTIC_INPUTS)
    targets = anp.array(LOGISTIC_TARGETS)

    def loss(w):
        p = 0.5 * (anp.tanh(anp.dot(inputs, w) / 2) + 1)
        return -anp.sum(anp.log(p * targets + (1 - p) * (1 - targets)))

    w = anp.zeros(3)
    assert abs(loss(w) - 2.772589) < 1e-6
    for _ in range(100):
        w = w - 0.01 * ag_grad(loss)(w)
    assert abs(loss(w) - 1.067271) < 1e-6
    assert abs(S.train_logistic(LOGISTIC_INPUTS, LOGISTIC_TARGETS)[0] - w[0]) < 1e-9


def test_logistic_regression():
    assert check_logistic_regression(S.train_logistic)

    def uphill(inputs, targets, steps=100, lr=0.01):
        return S.train_logistic(inputs, targets, steps, -lr)

    def mean_loss(inputs, targets, steps=100, lr=0.01):
        return S.train_logistic(inputs, targets, steps, lr / len(inputs))

    def off_by_one(inputs, targets, steps=100, lr=0.01):
        return S.train_logistic(inputs, targets, steps - 1, lr)

    fails(check_logistic_regression, uphill, match=["expected 1.067271", "subtract the gradient"])
    fails(check_logistic_regression, mean_loss, match="mean loss")
    fails(check_logistic_regression, off_by_one, match="match 99 steps, not 100")
    fails(check_logistic_regression, lambda *a: 0.0, match="should return the 3 weights")


def test_taylor_tolerance():
    assert check_taylor_tolerance(S.taylor_tolerance)
    fails(check_taylor_tolerance, 1e-3, match=["-0.99989953", "1.0e-04 away from -1", "truncated derivative"])
    fails(check_taylor_tolerance, 0.0, match="positive tolerance")


def test_taylor_sine_numbers():
    x = Value(math.pi)
    y = taylor_sine(x, 1e-3)
    assert abs(gradients(y, [x])[x] - (-0.999900)) < 1e-6      # CURRICULUM NB07
    x = Value(1.0)
    y = taylor_sine(x, 1e-3)
    assert abs(y.data - 0.841468) < 1e-6 and abs(gradients(y, [x])[x] - 0.540278) < 1e-6
