"""Small toy data sets, made with the standard library only.

Every generator takes a ``seed`` and uses its own ``random.Random(seed)``, so
the same seed gives the same points on every machine, with or without numpy.
Inputs ``X`` are a list of ``[x1, x2]`` lists of floats; labels ``y`` a list of
ints (``0``/``1`` for two classes, as scikit-learn does; ``0..k-1`` for more).
``numpy.asarray(X)`` turns them into arrays if you want.

>>> X, y = make_moons(100, noise=0.1, seed=0)
>>> len(X), len(y), sorted(set(y)), y.count(1)
(100, 100, [0, 1], 50)
"""

from __future__ import annotations

import math
import random

__all__ = ["make_moons", "make_circles", "make_xor", "make_spiral", "logistic_regression_toy"]

DEFAULT_SEED = 0

#: What the generators return: (points, labels), each point a list of coordinates.
Dataset = tuple[list[list[float]], list[int]]


def make_moons(n: int = 100, noise: float = 0.1, seed: int | None = DEFAULT_SEED) -> Dataset:
    """Two interleaving half circles (the classic two moons), ``n`` points in all.

    Class 0 is the upper arc (cos t, sin t) and class 1 the lower arc
    (1 - cos t, 0.5 - sin t), for t evenly spaced over [0, π]; Gaussian noise of
    standard deviation ``noise`` is added to both coordinates and the points
    are shuffled.  Same geometry as scikit-learn's ``make_moons`` (not the same
    random numbers).
    """
    rng = _start(n, noise, seed, "make_moons", minimum=2)
    n_upper = n // 2
    n_lower = n - n_upper
    points = [([math.cos(t), math.sin(t)], 0) for t in _spaced(n_upper, math.pi)]
    points += [([1.0 - math.cos(t), 0.5 - math.sin(t)], 1) for t in _spaced(n_lower, math.pi)]
    return _finish(points, noise, rng)


def make_circles(n: int = 100, noise: float = 0.05, factor: float = 0.5,
                 seed: int | None = DEFAULT_SEED) -> Dataset:
    """A small circle (class 1, radius ``factor``) inside a unit circle (class 0)."""
    rng = _start(n, noise, seed, "make_circles", minimum=2)
    if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 0 < factor < 1:
        raise ValueError(f"make_circles: factor (inner radius) must be in (0, 1), got {factor!r}")
    n_outer = n // 2
    n_inner = n - n_outer
    full = 2 * math.pi
    points = [([math.cos(t), math.sin(t)], 0) for t in _spaced(n_outer, full, endpoint=False)]
    points += [([factor * math.cos(t), factor * math.sin(t)], 1)
               for t in _spaced(n_inner, full, endpoint=False)]
    return _finish(points, noise, rng)


def make_xor(n: int = 100, noise: float = 0.0, seed: int | None = DEFAULT_SEED) -> Dataset:
    """Points uniform in [-1, 1]²; class 1 where x1·x2 > 0 (same-sign quadrants)."""
    rng = _start(n, noise, seed, "make_xor", minimum=1)
    points = []
    for _ in range(n):
        x1, x2 = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        points.append(([x1, x2], 1 if x1 * x2 > 0 else 0))
    return _finish(points, noise, rng)


def make_spiral(n: int = 150, classes: int = 3, noise: float = 0.1,
                seed: int | None = DEFAULT_SEED) -> Dataset:
    """``classes`` interleaved spiral arms (labels 0..classes-1): a multi-class toy set.

    Arm k turns from the centre outwards; each point's angle gets Gaussian
    noise of standard deviation ``noise`` (in radians, scaled by 4).  Use with
    ``cross_entropy`` and an MLP with ``classes`` outputs.
    """
    rng = _start(n, noise, seed, "make_spiral", minimum=1)
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"make_spiral: classes must be an int >= 2, got {classes!r}")
    points = []
    for i in range(n):
        k = i % classes
        r = (i // classes + 1) / ((n + classes - 1) // classes)     # radius in (0, 1]
        angle = 4.0 * r + 2 * math.pi * k / classes + rng.gauss(0.0, 4.0 * noise) * r
        points.append(([r * math.sin(angle), r * math.cos(angle)], k))
    return _finish(points, 0.0, rng)


def logistic_regression_toy() -> tuple[list[list[float]], list[bool]]:
    """The seed's 4-example, 3-feature logistic-regression set (HIPS autograd's tutorial).

    Returns ``(inputs, targets)``: four rows of three features and four bools.

    >>> inputs, targets = logistic_regression_toy()
    >>> inputs[0], targets
    ([0.52, 1.12, 0.77], [True, True, False, True])
    """
    inputs = [[0.52, 1.12, 0.77],
              [0.88, -1.08, 0.15],
              [0.52, 0.06, -1.3],
              [0.74, -2.49, 1.39]]
    targets = [True, True, False, True]
    return inputs, targets


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def _start(n, noise, seed, where, minimum):
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{where}: n (number of points) must be an int, got {type(n).__name__}: {n!r}")
    if n < minimum:
        raise ValueError(f"{where}: n must be at least {minimum}, got {n}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) \
            or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"{where}: noise must be a finite number >= 0, got {noise!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"{where}: seed must be an int (or None), got {type(seed).__name__}: {seed!r}")
    return random.Random(seed)


def _spaced(count, stop, endpoint=True):
    """``count`` evenly spaced numbers from 0 to ``stop`` (like numpy.linspace)."""
    if count == 1:
        return [0.0]
    step = stop / (count - 1 if endpoint else count)
    return [i * step for i in range(count)]


def _finish(points, noise, rng):
    """Shuffle, add Gaussian noise, and split into (X, y)."""
    rng.shuffle(points)
    X = [[x1 + rng.gauss(0.0, noise), x2 + rng.gauss(0.0, noise)] if noise else [x1, x2]
         for (x1, x2), _ in points]
    y = [label for _, label in points]
    return X, y
