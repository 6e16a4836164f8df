"""Checkers of notebooks 01-03: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import pytest
from exhelp import fails

from tinygrad_edu.exercises import (BareValue, ExerciseFailed, chain_instance, check_best_h,
                                    check_central_difference, check_chain_derivative, check_chain_links,
                                    check_gradient_F, check_manual_grads, check_mul_backward, check_path_sum,
                                    check_reflected_ops, try_check)
from tinygrad_edu.exercises import solutions as S


# ---------------------------------------------------------------- nb01
def test_central_difference():
    assert check_central_difference(S.central_difference) is True

    def forward(f, *args, arg=0, h=1e-6):
        up = list(args); up[arg] += h
        return (f(*up) - f(*args)) / h

    def wrong_arg(f, *args, arg=0, h=1e-6):
        return S.central_difference(f, *args, arg=0, h=h)

    def no_half(f, *args, arg=0, h=1e-6):
        return 2 * S.central_difference(f, *args, arg=arg, h=h)

    def flipped(f, *args, arg=0, h=1e-6):
        return -S.central_difference(f, *args, arg=arg, h=h)

    fails(check_central_difference, forward, match="forward difference")
    fails(check_central_difference, wrong_arg, match=["mul(5,10) wrt arg 1", "returned 10", "expected 5",
                                                      "you perturbed argument 0"])
    fails(check_central_difference, no_half, match="divide by 2h")
    fails(check_central_difference, flipped, match="sign is flipped")


def test_student_exceptions_become_messages():
    def unwritten(f, *args, arg=0, h=1e-6):
        raise NotImplementedError
    fails(check_central_difference, unwritten, match="not written yet")

    def broken(f, *args, arg=0, h=1e-6):
        return 1 / 0
    fails(check_central_difference, broken, match="raised ZeroDivisionError")
    assert try_check(check_central_difference, broken) is False


def test_failure_renders_without_traceback():
    with pytest.raises(ExerciseFailed) as info:
        check_best_h(1e-12, 1e-5)
    lines = info.value._render_traceback_()
    assert lines[0].startswith("\u2717 nb01_ex2: h_forward=1e-12 is too small")
    assert any("hint:" in line for line in lines)
    assert isinstance(info.value, AssertionError)


def test_best_h():
    assert check_best_h(S.h_forward, S.h_central)
    assert check_best_h(1e-9, 1e-4) and check_best_h(1e-7, 1e-6)
    fails(check_best_h, 1e-12, 1e-12, match=["too small", "round-off", "not always better"])
    fails(check_best_h, 1e-5, 1e-8, match=["h_forward=1e-05 is too large", "truncation"])
    fails(check_best_h, 1e-8, 1e-2, match=["h_central=0.01 is too large"])
    fails(check_best_h, -1e-8, 1e-5, match="must be positive")


def test_gradient_F():
    assert check_gradient_F(S.grad_F)
    fails(check_gradient_F, lambda a, b, c: (2 * a * b, a * a, math.exp(c) + b / c ** 2),
          match=["dF/db", "got 2.25", "central difference gives 0.25", "b appears twice"])
    fails(check_gradient_F, lambda a, b, c: (2 * a * b, a * a - 1 / c, math.exp(c) - b / c ** 2),
          match=["dF/dc", "gives -6.35128"])
    fails(check_gradient_F, lambda a, b, c: (2 * a, a * a - 1 / c, math.exp(c) + b / c ** 2), match="dF/da")
    fails(check_gradient_F, lambda a, b, c: 0.0, match="three partials")


# ---------------------------------------------------------------- nb02
def links_with(**changes):
    def chain_links(n, m, x):
        links = S.chain_links(n, m, x)
        u = 2 * x * x + x + 1
        v = u ** m
        w = math.sin(v)
        env = dict(n=n, m=m, x=x, u=u, v=v, w=w, links=links)
        for key, expr in changes.items():
            links[key.replace("_", "/")] = eval(expr, {"math": math}, env)
        return links
    return chain_links


def test_chain_instance_is_per_student():
    assert chain_instance("alice") == chain_instance("alice")
    instances = {chain_instance(f"student{k}") for k in range(20)}
    assert len(instances) > 5
    for n, m, x in instances:
        assert n in (2, 3) and m in (2, 3) and -0.8 <= x <= 0.8


def test_chain_links():
    assert check_chain_links(S.chain_links, student_id="alice")
    fails(check_chain_links, links_with(dw_dv="math.sin(v)"),
          match=["dw/dv wrong", "you gave w itself", "not its derivative"])
    fails(check_chain_links, links_with(dv_du="links['du/dx'] * m * u ** (m - 1)"), match="running product")
    fails(check_chain_links, links_with(df_dw="-n * w ** (n - 1)"), match=["df/dw", "sign is flipped"])
    fails(check_chain_links, links_with(du_dx="4 * x"), match=["du/dx wrong", "derivative of u wrt x"])
    fails(check_chain_links, lambda n, m, x: {"du/dx": 4 * x + 1}, match="no entry 'dv/du'")


def test_chain_derivative():
    assert check_chain_derivative(S.chain_derivative, student_id="bob")
    fails(check_chain_derivative, lambda n, m, x: sum(S.chain_links(n, m, x).values()), match="you added the links")
    fails(check_chain_derivative,
          lambda n, m, x: math.prod(v for k, v in S.chain_links(n, m, x).items() if k != "du/dx"),
          match="without du/dx")


def test_path_sum():
    assert check_path_sum(S.path_sum)

    def skips_direct_edge(edges, source, target):
        return S.path_sum({k: v for k, v in edges.items() if k != (source, target)}, source, target)

    def first_path_only(edges, source, target):
        node, prod = source, 1.0
        while node != target:
            nxt = sorted(b for a, b in edges if a == node)[0]
            prod *= edges[(node, nxt)]
            node = nxt
        return prod

    def adds_along_paths(edges, source, target):
        total, stack = 0.0, [(source, 0.0)]
        while stack:
            node, acc = stack.pop()
            if node == target:
                total += acc
                continue
            stack += [(b, acc + w) for (a, b), w in edges.items() if a == node]
        return total

    fails(check_path_sum, skips_direct_edge, match="you missed the path")
    fails(check_path_sum, first_path_only, match="one path's product")
    fails(check_path_sum, adds_along_paths, match="multiply")


# ---------------------------------------------------------------- nb03
def test_mul_backward():
    assert check_mul_backward(S.mul_backward)

    def swapped(x, y, out):
        x.grad += x.data * out.grad
        y.grad += y.data * out.grad

    def assigns(x, y, out):
        x.grad = y.data * out.grad
        y.grad = x.data * out.grad

    def no_chain(x, y, out):
        x.grad += y.data
        y.grad += x.data

    def returns(x, y, out):
        return y.data * out.grad, x.data * out.grad

    fails(check_mul_backward, swapped, match=["∂(x·y)/∂x wrong", "partials swapped"])
    fails(check_mul_backward, assigns, match="use += instead of =")
    fails(check_mul_backward, no_chain, match="multiply by out.grad")
    fails(check_mul_backward, returns, match="changed no .grad")


def test_mul_backward_x_times_x_catches_assignment():
    # Correct on distinct operands, '=' only where it matters: the same Value twice.
    def assigns_when_same(x, y, out):
        if x is y:
            x.grad = x.grad + y.data * out.grad
            x.grad = x.data * out.grad
        else:
            S.mul_backward(x, y, out)
    fails(check_mul_backward, assigns_when_same, match=["x*x", "second write erases the first"])


def test_manual_grads():
    assert check_manual_grads(S.manual_grads)
    assert check_manual_grads({"L": 1, "d": 4, "f": -1, "c": 4, "e": 4, "a": -8, "b": 12},
                              values=(3.0, -2.0, 5.0, 4.0))
    wrong = dict(S.manual_grads, e=-6.0)
    fails(check_manual_grads, wrong, match=["dL/de", "is the value of e", "e feeds d through +"])
    fails(check_manual_grads, dict(S.manual_grads, d=-1.0),
          match=["dL/dd", "d feeds L through *, so dL/dd = dL/dL · f"])
    fails(check_manual_grads, dict(S.manual_grads, a=-8.0), match=["dL/da", "a feeds e through *"])
    fails(check_manual_grads, {k: v for k, v in S.manual_grads.items() if k != "c"}, match="no gradient given for 'c'")
    fails(check_manual_grads, dict(S.manual_grads, L=0.0), match="seed")


def test_reflected_ops():
    assert check_reflected_ops(S.ReflectedValue)

    class NoRsub(BareValue):
        def __radd__(self, other): return self + other
        def __rtruediv__(self, other): return type(self)(other) / self
        def __neg__(self): return self * -1

    class BackwardsRsub(S.ReflectedValue):
        def __rsub__(self, other): return self - other

    class BackwardsRdiv(S.ReflectedValue):
        def __rtruediv__(self, other): return self / other

    class NegIsIdentity(S.ReflectedValue):
        def __neg__(self): return self

    class NoNeg(BareValue):
        __radd__ = S.ReflectedValue.__radd__
        __rsub__ = S.ReflectedValue.__rsub__
        __rtruediv__ = S.ReflectedValue.__rtruediv__

    class CutsGraph(S.ReflectedValue):
        def __radd__(self, other): return type(self)(self.data + other)

    fails(check_reflected_ops, BareValue, match=["2 + x raised TypeError", "define __radd__"])
    fails(check_reflected_ops, NoRsub, match=["2 - x raised TypeError", "__rsub__"])
    fails(check_reflected_ops, BackwardsRsub, match="other - self (you computed self - other)")
    fails(check_reflected_ops, BackwardsRdiv, match="other / self")
    fails(check_reflected_ops, NegIsIdentity, match="__neg__ must return a new value")
    fails(check_reflected_ops, NoNeg, match="define __neg__")
    fails(check_reflected_ops, CutsGraph, match=["d(2 + x)/dx", "cut the gradient"])
    fails(check_reflected_ops, S.ReflectedValue(1.0), match="pass your class itself")
