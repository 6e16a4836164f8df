"""Checkers of notebook 09: pass on the solutions, fail on typical wrong answers with the right hint."""

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


class BadProduct(S.Dual):
    def __mul__(self, o):
        o = self._lift(o)
        return S.Dual(self.value * o.value, self.tangent * o.tangent)
    __rmul__ = __mul__


class NoRsub(S.Dual):
    __rsub__ = None


class SinWithSin(S.Dual):
    def sin(self):
        return S.Dual(math.sin(self.value), math.sin(self.value) * self.tangent)


def test_dual():
    assert check_dual(S.Dual)
    fails(check_dual, BadProduct, match=["tangent", "the tangent of a * b is wrong"])
    fails(check_dual, NoRsub, match=["2 - x", "TypeError", "__rsub__"])
    fails(check_dual, SinWithSin, match="the tangent of a.sin() is wrong")


def test_dual_numbers():
    d = S.Dual(2.0, 1.0)
    y = d * d * d.sin()
    assert abs(y.value - 3.637190) < 1e-6 and abs(y.tangent - 1.972602) < 1e-6   # CURRICULUM NB09


def test_jacobians():
    assert check_jacobians(S.jacobian_fwd, S.jacobian_rev)

    def transposed_fwd(F, x):
        J = S.jacobian_fwd(F, x)
        return [list(col) for col in zip(*J)]

    def entrywise_rev(F, x):     # one backward sweep per entry: m·n sweeps
        rows = []
        for i in range(len(F([Value(v) for v in x]))):
            row = []
            for j in range(len(x)):
                xs = [Value(v) for v in x]
                out = F(xs)[i]
                row.append(gradients(out, [xs[j]])[xs[j]])
            rows.append(row)
        return rows

    fails(check_jacobians, transposed_fwd, S.jacobian_rev, match=["transposed", "row i must be output i"])
    fails(check_jacobians, S.jacobian_rev, S.jacobian_rev, match="jacobian_fwd ran 3 reverse sweep(s)")
    fails(check_jacobians, S.jacobian_fwd, entrywise_rev, match=["jacobian_rev ran 6 reverse sweep(s) for m=3"])
    fails(check_jacobians, S.jacobian_fwd, S.jacobian_fwd, match="jacobian_rev ran 0 reverse sweep(s)")


def test_mode_prediction():
    assert check_mode_prediction(S.mode_predictions, {s: s for s in MODE_SHAPES})
    fails(check_mode_prediction, {s: "reverse" for s in MODE_SHAPES},
          match=["2 prediction(s) wrong", "(1 inputs, 100 outputs)", "backprop is not always cheaper"])
    fails(check_mode_prediction, {s: "forward" for s in MODE_SHAPES}, match="3 prediction(s) wrong")
    fails(check_mode_prediction, S.mode_predictions, {s: (s[1], s[0]) for s in MODE_SHAPES},
          match="measured sweeps for (100, 1): (1, 100), expected (100, 1)")
    fails(check_mode_prediction, dict(S.mode_predictions, **{}) | {(100, 1): "backprop"}, match="answer 'forward' or 'reverse'")
