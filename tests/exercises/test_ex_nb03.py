"""Checkers of notebook 03: pass on the solutions, fail on typical wrong answers with the right hint."""

import pytest
from exhelp import S, fails

from tinygrad_edu.exercises import (BareValue, ExerciseFailed, check_manual_grads, check_mul_backward,
                                    check_reflected_ops)


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


def test_untouched_stubs_are_not_attempted():
    for checker, stub in ((check_manual_grads, dict.fromkeys("Ldfceab")), (check_reflected_ops, BareValue)):
        with pytest.raises(ExerciseFailed) as info:
            checker(stub)
        assert info.value.kind == "not-attempted"


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

    fails(check_reflected_ops, BareValue, match=["adds none of __radd__"])     # the untouched stub

    class OnlyNeg(BareValue):
        def __neg__(self): return self * -1
    fails(check_reflected_ops, OnlyNeg, match=["2 + x raised TypeError", "define __radd__"])
    fails(check_reflected_ops, NoRsub, match=["2 - x raised TypeError", "__rsub__"])
    fails(check_reflected_ops, BackwardsRsub, match="other - self (you computed self - other)")
    fails(check_reflected_ops, BackwardsRdiv, match="other / self")
    fails(check_reflected_ops, NegIsIdentity, match="__neg__ must return a new value")
    fails(check_reflected_ops, NoNeg, match="define __neg__")
    fails(check_reflected_ops, CutsGraph, match=["d(2 + x)/dx", "cut the gradient"])
    fails(check_reflected_ops, S.ReflectedValue(1.0), match="pass your class itself")


def test_reflected_cases_never_divide_by_zero():
    # A student id whose random x was -1 made 3 - 2/(1+x) divide by zero for the answer key.
    from tinygrad_edu.exercises.nb03 import EX3
    for k in range(300):
        xs = EX3.make_cases(f"student_{k:03d}")
        assert all(abs(x) >= 0.3 and abs(1 + x) >= 0.2 for x in xs), xs
    assert check_reflected_ops(S.ReflectedValue, ) is True
