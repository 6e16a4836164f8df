"""Numerical derivatives (the limit definition) and a checker for automatic ones.

The derivative is the limit of a difference quotient; a small step ``h`` in
the *central* form

    f'(x)  ≈  (f(x + h) - f(x - h)) / (2h)

is accurate to about h² (plus rounding of about 1e-16/h), which is plenty to
check an automatic derivative.

>>> numerical_grad(lambda x: x ** 3, 2.0)          # 3x² = 12
12.000000000...

``check_grads(f, x)`` compares autodiff with this, along a random direction
and input by input, and raises an ``AssertionError`` with a small table when
they disagree.

Complex inputs follow the package's convention (see ``transforms``): for
z = x + iy the numerical gradient is df/dx - i df/dy.
"""

from __future__ import annotations

import random
from typing import Any, Callable

from . import structures
from .engine import Value
from ._numbers import central_difference, format_number
from ._recording import check_callable, real_inner
from .transforms import grad, hvp
from .forward import jvp

__all__ = ["numerical_grad", "numerical_jvp", "check_grads"]


def _plain_leaves(tree):
    return [x.data if isinstance(x, Value) else x for x in structures.leaves(tree)]


def _scalar(out, name):
    value = out.ravel()[0] if structures.is_array(out) and out.size == 1 else out
    if isinstance(value, Value):
        value = value.data
    if isinstance(value, bool) or not structures.is_differentiable(value):
        raise TypeError(f"{name} needs f to return one real number, but f returned "
                        f"{structures.describe(out)}; for several outputs use numerical_jvp")
    if structures.is_complex_number(value):
        raise TypeError(f"{name} needs f to return a real number, got the complex {complex(value)}; "
                        "take a real part or abs() of the output")
    return float(value)


def _check_inputs(f, x, h, name):
    check_callable(f, name)
    if not isinstance(h, (int, float)) or isinstance(h, bool) or not h > 0:
        raise ValueError(f"{name}: the step h must be a positive number, got {h!r}")
    is_container = isinstance(x, (list, tuple, dict)) or structures.is_array(x)
    if not is_container and not structures.is_differentiable(x):
        raise TypeError(f"{name} cannot differentiate with respect to a {structures.describe(x)}: "
                        "pass a number, a Value, a numpy array or a list/tuple/dict of them")


def _with(x, base, index, number):
    """``x`` with its ``index``-th number replaced by ``number``."""
    moved = list(base)
    moved[index] = number
    return structures.rebuild(x, moved)


def numerical_grad(f: Callable[..., Any], x: Any, h: float = 1e-6) -> Any:
    """The gradient of a real scalar f at x by central differences, in x's structure.

    Costs two evaluations of f per input number (four for a complex one).

    >>> numerical_grad(lambda p: p["a"] * p["b"], {"a": 2.0, "b": 5.0})   # doctest: +ELLIPSIS
    {'a': 5.000000000..., 'b': 2.000000000...}
    """
    _check_inputs(f, x, h, "numerical_grad")
    base = _plain_leaves(x)
    result = []
    for i, number in enumerate(base):
        def f_of_one(moved, i=i):
            return _scalar(f(_with(x, base, i, moved)), "numerical_grad")
        slope_x = central_difference(f_of_one, number, h)
        if structures.is_complex_number(number):
            slope_y = central_difference(f_of_one, number, 1j * h)
            result.append(complex(slope_x, -slope_y))       # df/dx - i df/dy
        else:
            result.append(slope_x)
    return structures.rebuild(x, [structures.match_kind(n, g) for n, g in zip(base, result)])


def numerical_jvp(f: Callable[..., Any], x: Any, v: Any, h: float = 1e-6) -> Any:
    """(f(x + h·v) - f(x - h·v)) / (2h): the derivative of f along v, in f's output structure.

    >>> numerical_jvp(lambda p: [p[0] * p[1], p[0]], [3.0, 4.0], [1.0, 0.0])   # doctest: +ELLIPSIS
    [4.000000000..., 1.000000000...]
    """
    _check_inputs(f, x, h, "numerical_jvp")
    base, direction = _plain_leaves(x), _plain_leaves(v)
    if len(base) != len(direction):
        raise ValueError(f"numerical_jvp: v has {len(direction)} numbers but x has {len(base)}")
    plus = f(structures.rebuild(x, [a + h * d for a, d in zip(base, direction)]))
    minus = f(structures.rebuild(x, [a - h * d for a, d in zip(base, direction)]))
    slopes = [(p - m) / (2 * h) for p, m in zip(_plain_leaves(plus), _plain_leaves(minus))]
    return structures.rebuild(plus, slopes)


# --------------------------------------------------------------------------
# check_grads
# --------------------------------------------------------------------------
def check_grads(f: Callable[..., Any], x: Any, order: int = 1, h: float = 1e-6, rtol: float = 1e-5,
                atol: float = 1e-6, seed: int = 0) -> None:
    """Compare f's automatic derivatives at x with numerical ones; raise if they disagree.

    Order 1 checks grad input by input, and along a random direction both
    reverse mode (grad·v) and forward mode (jvp).  Order 2 also checks the
    Hessian along that direction (``hvp`` and forward-over-reverse) against a
    numerical derivative of the gradient.  A function with several outputs is
    checked through a random weighted sum of them.  Passes silently; on a
    mismatch the ``AssertionError`` shows a table: input, autodiff, numeric,
    difference.

    >>> check_grads(lambda x: x[0] * x[1] ** 2, [1.5, 2.0], order=2)
    """
    if order not in (1, 2):
        raise ValueError(f"check_grads: order must be 1 or 2, got {order!r}")
    _check_inputs(f, x, h, "check_grads")
    rng = random.Random(seed)
    scalar_f = _as_scalar_function(f, x, rng)
    numbers = _plain_leaves(x)
    v = structures.rebuild(x, [_random_like(n, rng) for n in numbers])
    paths = structures.leaf_paths(x, "x")
    rows = []

    auto = structures.leaves(grad(scalar_f)(x))
    numeric = structures.leaves(numerical_grad(scalar_f, x, h))
    rows += [(f"d/d{path}", a, n) for path, a, n in zip(paths, auto, numeric)]
    along_v = _scalar(numerical_jvp(scalar_f, x, v, h), "check_grads")
    rows.append(("grad·v (reverse)", real_inner(structures.rebuild(x, auto), v, "check_grads"), along_v))
    rows.append(("J·v (forward)", jvp(scalar_f, x, v)[1], along_v))

    if order == 2:
        gradient = grad(scalar_f)
        numeric_hv = _plain_leaves(numerical_jvp(gradient, x, v, h))
        reverse_hv = structures.leaves(hvp(scalar_f)(x, v))
        forward_hv = _plain_leaves(jvp(gradient, x, v)[1])
        rows += [(f"(H·v) at {p} (hvp)", a, n) for p, a, n in zip(paths, reverse_hv, numeric_hv)]
        rows += [(f"(H·v) at {p} (jvp of grad)", a, n) for p, a, n in zip(paths, forward_hv, numeric_hv)]

    bad = [i for i, row in enumerate(rows) if not _close(row[1], row[2], rtol, atol)]
    if bad:
        raise AssertionError(_table(rows, bad, order, h, rtol, atol))


def _as_scalar_function(f, x, rng):
    """f itself if it returns one real number, else a random weighted sum of its outputs."""
    out = f(x)
    try:
        _scalar(out, "check_grads")
        return f
    except TypeError:
        pass
    count = len(structures.leaves(out))
    if count == 0:
        raise TypeError(f"check_grads needs f to return numbers, got {structures.describe(out)}")
    weights = [rng.gauss(0.0, 1.0) for _ in range(count)]

    def weighted(point):
        return real_inner(f(point), weights, "check_grads")
    return weighted


def _random_like(number, rng):
    if structures.is_complex_number(number):
        return complex(rng.gauss(0.0, 1.0), rng.gauss(0.0, 1.0))
    return rng.gauss(0.0, 1.0)


def _number(x):
    return x.data if isinstance(x, Value) else x


def _close(auto, numeric, rtol, atol):
    auto, numeric = _number(auto), _number(numeric)
    return abs(auto - numeric) <= atol + rtol * abs(numeric)


def _fmt(x):
    """A table cell: 9 significant digits, 7 for each part of a complex number."""
    x = _number(x)
    if isinstance(x, complex) or structures.is_complex_number(x):
        return format_number(complex(x), 7, plain=True)
    return format_number(float(x), 9, plain=True)


def _table(rows, bad, order, h, rtol, atol, limit=20):
    shown = range(len(rows)) if len(rows) <= limit else bad[:limit]
    width = max(len("input"), *(len(rows[i][0]) for i in shown))
    lines = [f"check_grads (order {order}): autodiff and numeric derivatives disagree in "
             f"{len(bad)} of {len(rows)} checks (h={h:g}; allowed |difference| <= {atol:g} + "
             f"{rtol:g}·|numeric|)",
             f"  {'input':<{width}}  {'autodiff':>16}  {'numeric':>16}  {'difference':>16}"]
    for i in shown:
        name, auto, numeric = rows[i]
        flag = "  <- differs" if i in bad else ""
        lines.append(f"  {name:<{width}}  {_fmt(auto):>16}  {_fmt(numeric):>16}  "
                     f"{_fmt(_number(auto) - _number(numeric)):>16}{flag}")
    if len(shown) < len(rows):
        lines.append(f"  ({len(rows) - len(shown)} more checks not shown; they passed or are beyond "
                     f"the first {limit} failures)")
    return "\n".join(lines)
