"""Classic mistakes for notebook 12's exercises (see test_mistakes.py): micrograd-lecture slips."""

import math

from exhelp import Mistake, S

Key = S.MyValue


def _as_value(x):
    return x if isinstance(x, Key) else Key(x)


# -- ex1: one op's closure changed ---------------------------------------------------------
class _AssignInMul(Key):
    def __mul__(self, other):
        other = _as_value(other)
        out = Key(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out


class _AssignInAdd(Key):
    def __add__(self, other):
        other = _as_value(other)
        out = Key(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad
        out._backward = _backward
        return out


class _SwappedPartials(Key):
    def __mul__(self, other):
        other = _as_value(other)
        out = Key(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += self.data * out.grad
            other.grad += other.data * out.grad
        out._backward = _backward
        return out


class _OwnGradAsFactor(Key):
    def __mul__(self, other):
        other = _as_value(other)
        out = Key(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * self.grad
            other.grad += self.data * other.grad
        out._backward = _backward
        return out


class _NoChainFactor(Key):
    def __mul__(self, other):
        other = _as_value(other)
        out = Key(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data
            other.grad += self.data
        out._backward = _backward
        return out


class _PowKxK(Key):
    def __pow__(self, k):
        out = Key(self.data ** k, (self,), "**")

        def _backward():
            self.grad += k * self.data ** k * out.grad
        out._backward = _backward
        return out


class _PowNoK(Key):
    def __pow__(self, k):
        out = Key(self.data ** k, (self,), "**")

        def _backward():
            self.grad += self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out


class _TanhOfInput(Key):
    def tanh(self):
        out = Key(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - self.data ** 2) * out.grad
        out._backward = _backward
        return out


class _TanhNotSquared(Key):
    def tanh(self):
        out = Key(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data) * out.grad
        out._backward = _backward
        return out


class _ExpOfInput(Key):
    def exp(self):
        out = Key(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += self.data * out.grad
        out._backward = _backward
        return out


class _ClosureOnSelf(Key):
    def __mul__(self, other):
        other = _as_value(other)
        out = Key(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        self._backward = _backward
        return out


class _BackwardsRsub(Key):
    def __rsub__(self, other):
        return self + (-other)


class _SubSign(Key):
    def __sub__(self, other):
        return self + other * 1 if False else _sub_plus(self, other)


def _sub_plus(x, y):
    y = _as_value(y)
    out = Key(x.data - y.data, (x, y), "-")

    def _backward():
        x.grad += out.grad
        y.grad += out.grad             # the sign of d(x - y)/dy forgotten
    out._backward = _backward
    return out


class _NoRadd(Key):
    __radd__ = None


class _NoPrev(Key):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, _children, _op)
        del self._prev


# -- ex2: the backward pass changed -------------------------------------------------------
def _topo(root):
    order, visited, stack = [], {root}, [(root, iter(root._prev))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child not in visited:
                visited.add(child)
                stack.append((child, iter(child._prev)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _micrograd_no_reset(self):          # the lecture's backward: nothing reset between calls
    self.grad = 1.0
    for node in reversed(_topo(self)):
        node._backward()


def _no_seed(self):
    order = _topo(self)
    for node in order:
        if node._prev:
            node.grad = 0.0
    for node in reversed(order):
        node._backward()


def _resets_leaves(self):
    order = _topo(self)
    for node in order:
        node.grad = 0.0
    self.grad = 1.0
    for node in reversed(order):
        node._backward()


def _forward_order(self):
    order = _topo(self)
    for node in order:
        if node._prev:
            node.grad = 0.0
    self.grad = 1.0
    for node in order:
        node._backward()


def _recursive(self):
    order, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            order.append(v)
    build(self)
    for node in order:
        if node._prev:
            node.grad = 0.0
    self.grad = 1.0
    for node in reversed(order):
        node._backward()


def _no_topological_order(self):        # "call my closure, then my children's": no order at all
    for node in _topo(self):
        if node._prev:
            node.grad = 0.0
    self.grad = 1.0
    stack = [self]
    while stack:
        node = stack.pop()
        node._backward()
        stack.extend(node._prev)


def _no_visited(self):
    order, stack = [], [(self, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node._prev))
    for node in order:
        if node._prev:
            node.grad = 0.0
    self.grad = 1.0
    for node in reversed(order):
        node._backward()


MISTAKES = [
    Mistake("nb12_ex1", "= instead of += in __mul__", _AssignInMul, named="+= instead of ="),
    Mistake("nb12_ex1", "= instead of += in __add__", _AssignInAdd, named="+= instead of ="),
    Mistake("nb12_ex1", "partials swapped in __mul__", _SwappedPartials, named="partials swapped"),
    Mistake("nb12_ex1", "self.grad instead of out.grad", _OwnGradAsFactor, named="self.grad and out.grad swapped"),
    Mistake("nb12_ex1", "missing chain factor", _NoChainFactor, named="missing chain factor"),
    Mistake("nb12_ex1", "pow rule k·x**k", _PowKxK, named="pow rule"),
    Mistake("nb12_ex1", "pow rule without k", _PowNoK, named=["pow rule", "factor k"]),
    Mistake("nb12_ex1", "tanh′ from the input", _TanhOfInput, named="you used the input x"),
    Mistake("nb12_ex1", "tanh′ not squared", _TanhNotSquared, named="t squared"),
    Mistake("nb12_ex1", "exp′ = x", _ExpOfInput, named="exp′(x) = exp(x)"),
    Mistake("nb12_ex1", "closure stored on self", _ClosureOnSelf, named="out._backward"),
    Mistake("nb12_ex1", "self - other in __rsub__", _BackwardsRsub, named="you computed self - other"),
    Mistake("nb12_ex1", "sign of d(x-y)/dy", _SubSign, named="sign slip"),
    Mistake("nb12_ex1", "no __radd__", _NoRadd, named=["__radd__", "TypeError"]),
    Mistake("nb12_ex1", "no _prev", _NoPrev, named="self._prev"),
    Mistake("nb12_ex1", "an instance instead of the class", Key(1.0), named="pass your class itself"),
    Mistake("nb12_ex2", "micrograd's backward: no reset between calls", _micrograd_no_reset, named="reset"),
    Mistake("nb12_ex2", "not seeding with 1", _no_seed, named="seed"),
    Mistake("nb12_ex2", "grads reset on every backward", _resets_leaves, named="leaves accumulate"),
    Mistake("nb12_ex2", "closures in topological order, not reversed", _forward_order, named="reverse"),
    Mistake("nb12_ex2", "recursion in the topological sort", _recursive, named="recursion"),
    Mistake("nb12_ex2", "no topological order", _no_topological_order, named="no topological order"),
    Mistake("nb12_ex2", "no visited set", _no_visited, named="visited"),
]
