"""Checkers of notebooks 07-10: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import autograd.numpy as anp
from autograd import grad as ag_grad
from exhelp import fails

from tinygrad_edu.engine import Value, gradients
from tinygrad_edu.exercises import (MODE_SHAPES, check_dual, check_elementwise_vs_jacobian, check_grad_impl,
                                    check_hvp, check_jacobians, check_logistic_regression,
                                    check_mode_prediction, check_nested_grads, check_softplus_primitive,
                                    check_taylor_tolerance, check_trace_order, check_vjp_table, taylor_sine)
from tinygrad_edu.exercises import solutions as S
from tinygrad_edu.exercises.nb10 import rosenbrock


# ---------------------------------------------------------------- nb07
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


# ---------------------------------------------------------------- nb08
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


# ---------------------------------------------------------------- nb09
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


# ---------------------------------------------------------------- nb10
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
