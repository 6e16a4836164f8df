"""Classic mistakes for notebook 01's exercises (see test_mistakes.py)."""

import math

from exhelp import Mistake, S


def _forward(f, *args, arg=0, h=1e-6):
    up = list(args); up[arg] += h
    return (f(*up) - f(*args)) / h


def _backward(f, *args, arg=0, h=1e-6):
    down = list(args); down[arg] -= h
    return (f(*args) - f(*down)) / h


def _fixed_step(f, *args, arg=0, h=1e-6):
    return S.central_difference(f, *args, arg=arg, h=1e-6)


def _always_arg_0(f, *args, arg=0, h=1e-6):
    return S.central_difference(f, *args, arg=0, h=h)


def _over_h(f, *args, arg=0, h=1e-6):
    up = list(args); up[arg] += h
    down = list(args); down[arg] -= h
    return (f(*up) - f(*down)) / h


def _flipped(f, *args, arg=0, h=1e-6):
    up = list(args); up[arg] += h
    down = list(args); down[arg] -= h
    return (f(*down) - f(*up)) / (2 * h)


def _precedence(f, *args, arg=0, h=1e-6):
    up = list(args); up[arg] += h
    down = list(args); down[arg] -= h
    return (f(*up) - f(*down)) / 2 * h


def _lower_point_is_x(f, *args, arg=0, h=1e-6):
    xs = list(args)
    xs[arg] += h
    up = f(*xs)
    xs[arg] -= h                       # back to x, but never on to x - h
    return (up - f(*xs)) / (2 * h)


def _every_argument(f, *args, arg=0, h=1e-6):
    return (f(*[a + h for a in args]) - f(*[a - h for a in args])) / (2 * h)


def _grad(da=None, db=None, dc=None):
    def grad_F(a, b, c):
        right = S.grad_F(a, b, c)
        return tuple(right[k] if fn is None else fn(a, b, c) for k, fn in enumerate((da, db, dc)))
    return grad_F


def _numeric_grad_F(a, b, c, h=1e-6):
    F = lambda a, b, c: a * a * b + math.exp(c) - b / c  # noqa: E731
    return ((F(a + h, b, c) - F(a - h, b, c)) / (2 * h), (F(a, b + h, c) - F(a, b - h, c)) / (2 * h),
            (F(a, b, c + h) - F(a, b, c - h)) / (2 * h))


def _partials_in_wrong_order(a, b, c):
    da, db, dc = S.grad_F(a, b, c)
    return db, da, dc


MISTAKES = [
    Mistake("nb01_ex1", "forward difference", _forward, named="forward difference"),
    Mistake("nb01_ex1", "backward difference", _backward, named="backward difference"),
    Mistake("nb01_ex1", "a fixed step (ignores h)", _fixed_step, named=["ignores its h argument", "fixed step"]),
    Mistake("nb01_ex1", "always perturbs argument 0", _always_arg_0, named="perturbed argument 0"),
    Mistake("nb01_ex1", "divides by h", _over_h, named="divide by 2h"),
    Mistake("nb01_ex1", "f(x-h) - f(x+h)", _flipped, named="sign is flipped"),
    Mistake("nb01_ex1", "/ 2 * h", _precedence, named="operator precedence"),
    Mistake("nb01_ex1", "lower point left at x", _lower_point_is_x, named="lower point is x itself"),
    Mistake("nb01_ex1", "moves every argument", _every_argument, named="moved every argument"),
    Mistake("nb01_ex2", "swapped", S.h_central, S.h_forward, named="look swapped"),
    Mistake("nb01_ex2", "smaller is better", 1e-15, 1e-15, named=["too small", "round-off"]),
    Mistake("nb01_ex2", "the default step for both", 1e-6, 1e-6, named=["h_forward=1e-06 is too large", "truncation"]),
    Mistake("nb01_ex2", "the forward step for both", S.h_forward, S.h_forward,
            named=["h_central=1e-08 is too small", "round-off"]),
    Mistake("nb01_ex2", "exponents for steps", -8, -5, named="looks like an exponent"),
    Mistake("nb01_ex2", "a string", "1e-8", S.h_central, named="should be a number"),
    Mistake("nb01_ex3", "dF/db forgets -b/c", _grad(db=lambda a, b, c: a * a), named="you forgot -b/c"),
    Mistake("nb01_ex3", "sign slip in dF/dc", _grad(dc=lambda a, b, c: math.exp(c) - b / c ** 2), named="sign slip"),
    Mistake("nb01_ex3", "dF/da drops b", _grad(da=lambda a, b, c: 2 * a), named="dropped the factor b"),
    Mistake("nb01_ex3", "power rule on eᶜ", _grad(dc=lambda a, b, c: c * math.exp(c - 1) + b / c ** 2),
            named="power rule does not apply"),
    Mistake("nb01_ex3", "partials in the wrong order", _partials_in_wrong_order, named="order"),
    Mistake("nb01_ex3", "finite differences instead of formulas", _numeric_grad_F, named="close but not exact"),
    Mistake("nb01_ex3", "dF/dc forgets eᶜ", _grad(dc=lambda a, b, c: b / c ** 2), named="you forgot eᶜ"),
]
