"""Notebook 01 exercises: numeric slopes.

ex1  ``central_difference(f, *args, arg=0, h=1e-6) -> float``
     the central-difference estimate of df/d(args[arg]).
ex2  two numbers ``h_forward, h_central``: the step sizes that give the most
     accurate forward and central differences of sin at 1.
ex3  ``grad_F(a, b, c) -> (dF/da, dF/db, dF/dc)`` for F(a, b, c) = a²b + eᶜ − b/c,
     derived by hand.
"""

import math

from ..engine import exp
from ._common import (as_number, call_student, central_difference as _central, close, engine_gradient,
                      fail, fmt, passed, student_rng)
from ._programs import random_function

__all__ = ["check_central_difference", "check_best_h", "check_gradient_F", "F"]


def _diagnose_difference(f, args, i, got, expected, h):
    """Name the usual mistake behind a wrong central difference."""
    forward = (f(*[a + h if k == i else a for k, a in enumerate(args)]) - f(*args)) / h
    for k in range(len(args)):
        if k != i and close(got, _central(f, args, k, 1e-6), 1e-5, 1e-7) \
                and not close(got, expected, 1e-5, 1e-7):
            return f"you perturbed argument {k}"
    if close(got, -expected, 1e-5, 1e-9):
        return "the sign is flipped: it is f(x+h) - f(x-h), in that order"
    if close(got, 2 * expected, 1e-5, 1e-9):
        return "divide by 2h: the two points are 2h apart"
    if close(got, expected / 2, 1e-5, 1e-9):
        return "divide by 2h, not 4h"
    if close(got, forward, 1e-9, 1e-12):
        return "that is the forward difference (f(x+h) - f(x))/h; use f(x+h) and f(x-h)"
    return "central difference: (f(..., x+h, ...) - f(..., x-h, ...)) / (2h), other arguments unchanged"


def check_central_difference(central_difference):
    """ex1: known cases (id, add, mul, exp) plus 20 random smooth functions."""
    ex = "nb01_ex1"

    def ident(x): return x
    def add(x, y): return x + y
    def mul(x, y): return x * y
    cases = [("id(3.0)", ident, (3.0,), 0), ("add(2,7)", add, (2.0, 7.0), 0),
             ("add(2,7)", add, (2.0, 7.0), 1), ("mul(5,10)", mul, (5.0, 10.0), 0),
             ("mul(5,10)", mul, (5.0, 10.0), 1), ("exp(2)", math.exp, (2.0,), 0)]
    rng = student_rng(ex)
    for k in range(20):
        n = rng.randint(1, 3)
        g = random_function(rng, n, n_ops=5, unary=("sin", "tanh", "cos"))
        args = tuple(round(rng.uniform(-1.5, 1.5), 3) for _ in range(n))
        cases.append((f"random function #{k + 1} at {args}", g, args, rng.randrange(n)))
    for name, f, args, i in cases:
        expected = engine_gradient(f, args)[i] if f is not math.exp else math.exp(args[0])
        # The student's default h, then a larger h that shows a forward difference up.
        for h, rtol in ((None, 1e-6), (1e-3, 1e-5)):
            kwargs = {"arg": i} if h is None else {"arg": i, "h": h}
            got = as_number(ex, call_student(ex, central_difference, f, *args, **kwargs,
                                             what="central_difference"), "central_difference's result")
            if not close(got, expected, rtol, 1e-7):
                hh = 1e-6 if h is None else h
                fail(ex, f"{name} wrt arg {i} (h={hh:g}) returned {fmt(got)}, expected {fmt(expected)}",
                     _diagnose_difference(f, args, i, got, expected, hh))
    return passed(ex, f"central_difference agrees with the engine on {len(cases)} functions")


def _errors(h):
    forward = abs((math.sin(1 + h) - math.sin(1)) / h - math.cos(1))
    central = abs((math.sin(1 + h) - math.sin(1 - h)) / (2 * h) - math.cos(1))
    return forward, central


def check_best_h(h_forward, h_central):
    """ex2: forward h in [1e-9, 1e-7], central h in [1e-6, 1e-4] (sin at 1)."""
    ex = "nb01_ex2"
    for name, h, lo, hi, which in (("forward", h_forward, 1e-9, 1e-7, 0),
                                   ("central", h_central, 1e-6, 1e-4, 1)):
        h = as_number(ex, h, f"h_{name}")
        if not h > 0:
            fail(ex, f"h_{name}={fmt(h)}: a step size must be positive")
        err = _errors(h)[which]
        if h < lo:
            fail(ex, f"h_{name}={h:g} is too small: its error is {err:.1e}",
                 "round-off wins below the best h: f(x+h) - f(x) loses digits when h is tiny "
                 "(smaller h is not always better)")
        if h > hi:
            fail(ex, f"h_{name}={h:g} is too large: its error is {err:.1e}",
                 "truncation wins above the best h: the error of the formula itself grows "
                 f"like h{'' if which == 0 else '²'}")
    return passed(ex, f"forward h={h_forward:g} (error {_errors(h_forward)[0]:.1e}), "
                      f"central h={h_central:g} (error {_errors(h_central)[1]:.1e})")


def F(a, b, c):
    """The function of exercise 3: F(a, b, c) = a²b + eᶜ − b/c."""
    return a * a * b + exp(c) - b / c


def check_gradient_F(grad_F, points=3):
    """ex3: the hand-derived gradient against central differences at 3 random points (and (1.5,-2,0.5))."""
    ex = "nb01_ex3"
    rng = student_rng(ex)
    pts = [(1.5, -2.0, 0.5)] + [(round(rng.uniform(-2, 2), 2), round(rng.uniform(-2, 2), 2),
                                 round(rng.choice([-1, 1]) * rng.uniform(0.3, 2), 2))
                                for _ in range(points)]
    fl = lambda a, b, c: a * a * b + math.exp(c) - b / c      # noqa: E731 (plain-float F)
    for p in pts:
        got = call_student(ex, grad_F, *p, what="grad_F")
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            fail(ex, f"grad_F{p} should return three partials (dF/da, dF/db, dF/dc), got {got!r}")
        for k, name in enumerate("abc"):
            expected = _central(fl, p, k, 1e-6)
            g = as_number(ex, got[k], f"dF/d{name}")
            if not close(g, expected, 1e-5, 1e-6):
                hint = {"a": "differentiate a²b wrt a (b is a constant here); the other terms have no a",
                        "b": "b appears twice: in a²b and in -b/c",
                        "c": "two terms hold c: eᶜ and -b/c = -b·c⁻¹"}[name]
                fail(ex, f"dF/d{name} at (a,b,c)={p}: got {fmt(g)}, central difference gives "
                         f"{fmt(expected)}", hint)
    return passed(ex, f"grad_F matches central differences at {len(pts)} points")
