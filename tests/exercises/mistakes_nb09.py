"""Classic mistakes for notebook 09's exercises (see test_mistakes.py)."""

import math

from exhelp import Mistake, S

from tinygrad_edu import Dual as LibraryDual
from tinygrad_edu.engine import Value, gradients

D = S.Dual


class _TangentTimesTangent(D):
    def __mul__(self, o):
        o = self._lift(o)
        return D(self.value * o.value, self.tangent * o.tangent)
    __rmul__ = __mul__


class _NoRsub(D):
    __rsub__ = None


class _SinWithSin(D):
    def sin(self):
        return D(math.sin(self.value), math.sin(self.value) * self.tangent)


class _CosSignSlip(D):
    def cos(self):
        return D(math.cos(self.value), math.sin(self.value) * self.tangent)


class _QuotientSignSlip(D):
    def __truediv__(self, o):
        o = self._lift(o)
        return D(self.value / o.value, (self.tangent * o.value + self.value * o.tangent) / o.value ** 2)


class _RsubBackwards(D):
    def __rsub__(self, o):
        return self - o


class _NegKeepsTangent(D):
    def __neg__(self):
        return D(-self.value, self.tangent)


def _fd_forward(F, x, h=1e-6):
    """Forward differences: n + 1 calls of F on plain numbers, no dual numbers."""
    base = F(list(x))
    columns = []
    for j in range(len(x)):
        up = list(x); up[j] += h
        columns.append([(a - b) / h for a, b in zip(F(up), base)])
    return [[c[i] for c in columns] for i in range(len(base))]


def _transposed_fwd(F, x):
    return [list(col) for col in zip(*S.jacobian_fwd(F, x))]


def _entrywise_rev(F, x):
    """One backward sweep per entry: m·n sweeps."""
    rows = []
    for i in range(len(F([Value(v) for v in x]))):
        row = []
        for j in range(len(x)):
            xs = [Value(v) for v in x]
            row.append(gradients(F(xs)[i], [xs[j]])[xs[j]])
        rows.append(row)
    return rows


def _fd_rev(F, x, h=1e-5):
    """Central differences where reverse mode is asked."""
    cols = []
    for j in range(len(x)):
        up = list(x); up[j] += h
        down = list(x); down[j] -= h
        cols.append([(a - b) / (2 * h) for a, b in zip(F(up), F(down))])
    return [[c[i] for c in cols] for i in range(len(cols[0]))]


def _no_seed_fwd(F, x):
    """Every input seeded with tangent 1 at once: the sum of the columns in every column."""
    outs = F([D(v, 1.0) for v in x])
    return [[o.tangent] * len(x) for o in outs]


P = S.mode_predictions
SWAPPED = {s: ("forward" if v == "reverse" else "reverse") for s, v in P.items()}

MISTAKES = [
    # ex1: dual numbers
    Mistake("nb09_ex1", "tangent times tangent", _TangentTimesTangent, named=["the tangent of a * b", "product rule"]),
    Mistake("nb09_ex1", "no __rsub__", _NoRsub, named=["TypeError", "__rsub__"]),
    Mistake("nb09_ex1", "sin′ = sin", _SinWithSin, named=["the tangent of a.sin()", "you used sin"]),
    Mistake("nb09_ex1", "cos′ = +sin", _CosSignSlip, named=["the tangent of a.cos()", "sign slip"]),
    Mistake("nb09_ex1", "quotient rule sign", _QuotientSignSlip, named="quotient rule sign"),
    Mistake("nb09_ex1", "__rsub__ as self - other", _RsubBackwards, named="you computed self - other"),
    Mistake("nb09_ex1", "-x keeps the tangent", _NegKeepsTangent, named="__neg__ must negate the tangent"),
    Mistake("nb09_ex1", "the library's Dual", LibraryDual, named="write your own"),
    Mistake("nb09_ex1", "an instance for the class", D(1.0, 1.0), named="pass your class itself"),
    # ex2: Jacobians both ways
    Mistake("nb09_ex2", "finite differences for forward mode", _fd_forward, S.jacobian_rev, named="finite differences"),
    Mistake("nb09_ex2", "transposed", _transposed_fwd, S.jacobian_fwd, named="transposed"),
    Mistake("nb09_ex2", "reverse mode for forward", S.jacobian_rev, S.jacobian_rev, named="reverse sweep(s)"),
    Mistake("nb09_ex2", "a sweep per entry", S.jacobian_fwd, _entrywise_rev,
            named="reverse mode needs one backward sweep per output"),
    Mistake("nb09_ex2", "forward mode for reverse", S.jacobian_fwd, S.jacobian_fwd,
            named="jacobian_rev must use reverse mode"),
    Mistake("nb09_ex2", "finite differences for reverse mode", S.jacobian_fwd, _fd_rev, named="finite differences"),
    Mistake("nb09_ex2", "all inputs seeded at once", _no_seed_fwd, S.jacobian_rev, named="tangent 1 at input j"),
    # ex3: which mode is cheaper
    Mistake("nb09_ex3", "always reverse", {s: "reverse" for s in P}, named="backprop is not always cheaper"),
    Mistake("nb09_ex3", "always forward", {s: "forward" for s in P}, named="forward mode is not always cheaper"),
    Mistake("nb09_ex3", "costs swapped", SWAPPED, named="you swapped the costs"),
    Mistake("nb09_ex3", "one shape wrong", dict(P, **{}) | {(20, 2): "forward"}, named="(20 inputs, 2 outputs) is wrong"),
    Mistake("nb09_ex3", "backprop for reverse", dict(P) | {(100, 1): "backprop"}, named="answer 'forward' or 'reverse'"),
    Mistake("nb09_ex3", "string keys", {str(s): v for s, v in P.items()}, named="use the tuples of MODE_SHAPES"),
]
