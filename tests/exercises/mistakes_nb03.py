"""Classic mistakes for notebook 03's exercises (see test_mistakes.py)."""

from exhelp import Mistake, S

from tinygrad_edu.exercises.nb03 import BareValue

def _swapped(x, y, out):
    x.grad += x.data * out.grad
    y.grad += y.data * out.grad

def _assign(x, y, out):
    x.grad = y.data * out.grad
    y.grad = x.data * out.grad

def _no_chain(x, y, out):
    x.grad += y.data
    y.grad += x.data

def _returns(x, y, out):
    return y.data * out.grad, x.data * out.grad

class _NoRsub(BareValue):
    def __radd__(self, other): return self + other
    def __rtruediv__(self, other): return type(self)(other) / self
    def __neg__(self): return self * -1

class _BackwardsRsub(S.ReflectedValue):
    def __rsub__(self, other): return self - other
    def __neg__(self): return self * -1

class _BackwardsRdiv(S.ReflectedValue):
    def __rtruediv__(self, other): return self / other
    def __neg__(self): return self * -1

class _CutsGraph(S.ReflectedValue):
    def __radd__(self, other): return type(self)(self.data + other)
    def __neg__(self): return self * -1

class _NegIsIdentity(S.ReflectedValue):
    def __neg__(self): return self

MISTAKES = [
    Mistake("nb03_ex1", "partials swapped", _swapped, named="partials swapped"),
    Mistake("nb03_ex1", "= instead of +=", _assign, named="+= instead of ="),
    Mistake("nb03_ex1", "missing chain factor", _no_chain, named="multiply by out.grad"),
    Mistake("nb03_ex1", "returns instead of accumulating", _returns, named="changed no .grad"),
    Mistake("nb03_ex2", "value instead of gradient", dict(S.manual_grads, e=-6.0), named="is the value of e"),
    Mistake("nb03_ex2", "sign slip at a", dict(S.manual_grads, a=-8.0), named="a feeds e through *"),
    Mistake("nb03_ex2", "seed 0", dict(S.manual_grads, L=0.0), named="seed"),
    Mistake("nb03_ex2", "forgot c", {k: v for k, v in S.manual_grads.items() if k != "c"},
            named="no gradient given for 'c'"),
    Mistake("nb03_ex3", "no __rsub__", _NoRsub, named=["2 - x raised TypeError", "__rsub__"]),
    Mistake("nb03_ex3", "self - other in __rsub__", _BackwardsRsub, named="you computed self - other"),
    Mistake("nb03_ex3", "self / other in __rtruediv__", _BackwardsRdiv, named="you computed self / other"),
    Mistake("nb03_ex3", "new value from .data", _CutsGraph, named="cut the gradient"),
    Mistake("nb03_ex3", "__neg__ returns self", _NegIsIdentity, named="__neg__ must return a new value"),
    Mistake("nb03_ex3", "an instance instead of the class", S.ReflectedValue(1.0), named="pass your class itself"),
]
