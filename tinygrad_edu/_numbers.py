"""Numbers for people, and the two numerical ideas every checker needs: one home for each.

Shared by the pictures (draw, trace, nodecheck), the command line, ``numeric``, the tour
and the exercises -- everything above the engine (the engine imports nothing of ours,
so it keeps its own short message format):

* :func:`format_number`: how a number is written in a picture, a table or a message;
* :func:`is_finite`: "no inf and no nan", for real and complex numbers and Values;
* :func:`central_difference`: the slope ``(f(x + h) - f(x - h)) / 2h``, the independent
  check of every derivative, with :func:`relative_step` choosing ``h`` for large ``x``.

>>> format_number(0.6000000000000001), format_number(2 / 3, 12), format_number(1 - 2j)
('0.6', '0.666666666667', '1 - 2j')
>>> central_difference(lambda t: t ** 3, 2.0, 1e-5)        # 3x² = 12
12.000000000...
"""

from __future__ import annotations

import cmath
import math
from typing import Any, Callable

from .engine import Value

__all__ = ["format_number", "is_finite", "central_difference", "relative_step"]


def format_number(x: Any, precision: int = 4, *, plain: bool = False) -> str:
    """A number as short readable text with ``precision`` significant digits.

    The default is for pictures and sentences: complex as ``a + bj``, ``-0`` as ``0``.
    ``plain=True`` writes exactly what ``format(x, ".{precision}g")`` writes (complex
    as ``1-2j``, no spaces), for aligned tables.  A Value shows its number.

    >>> format_number(-12.0), format_number(6.294096), format_number(1e-8), format_number(-0.0)
    ('-12', '6.294', '1e-08', '0')
    >>> format_number(complex(1, -2)), format_number(complex(1, -2), 6, plain=True)
    ('1 - 2j', '1-2j')
    >>> format_number(float("nan")), format_number(Value(2.5))
    ('nan', '2.5')
    """
    if isinstance(x, Value):
        x = x.data
    if plain:
        return format(x, f".{precision}g")
    if isinstance(x, complex):
        re, im = x.real, x.imag
        if im == 0:
            return format_number(re, precision) + " + 0j"
        if re == 0:
            return format_number(im, precision) + "j"
        sign = "-" if im < 0 or (im == 0 and math.copysign(1, im) < 0) else "+"
        return f"{format_number(re, precision)} {sign} {format_number(abs(im), precision)}j"
    if isinstance(x, bool):
        x = float(x)
    if not isinstance(x, (int, float)):
        return str(x)
    text = format(float(x), f".{precision}g")
    return "0" if text == "-0" else text


def is_finite(x: Any) -> bool:
    """True for a real or complex number (or a Value holding one) with no inf or nan part.

    >>> is_finite(1.5), is_finite(Value(float("inf"))), is_finite(complex(1, float("nan")))
    (True, False, False)
    >>> is_finite("1.5")                     # not a number at all
    False
    """
    if isinstance(x, Value):
        x = x.data
    if x.__class__ is complex:
        return cmath.isfinite(x)
    if isinstance(x, (int, float)):
        return math.isfinite(x)
    return False


def central_difference(f: Callable[[Any], Any], x: Any, h: float) -> Any:
    """The slope of ``f`` at ``x``: ``(f(x + h) - f(x - h)) / (2h)``, accurate to about h².

    ``h`` may be imaginary (``1j * h``) to move a complex ``x`` along its imaginary axis;
    the result is then ``(f(x + ih) - f(x - ih)) / 2h``, the slope along y.

    >>> round(central_difference(math.sin, 0.0, 1e-6), 9)
    1.0
    """
    step = abs(h)
    return (f(x + h) - f(x - h)) / (2 * step)


def relative_step(h: float, x: Any) -> float:
    """``h`` scaled up for a large ``|x|`` (so ``x + h`` still differs from ``x``).

    >>> relative_step(1e-5, 0.5), relative_step(1e-5, 1000.0)
    (1e-05, 0.01)
    """
    return h * max(1.0, abs(x))
