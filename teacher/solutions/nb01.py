"""Answer key, notebook 01: a complete submission for its exercises.

Teachers only: this folder is not installed with the package.
"""

import math

from tinygrad_edu.engine import exp


def central_difference(f, *args, arg=0, h=1e-6):
    up = list(args); up[arg] += h
    down = list(args); down[arg] -= h
    return (f(*up) - f(*down)) / (2 * h)


h_forward = 1e-8
h_central = 1e-5


def grad_F(a, b, c):
    # F = a²b + eᶜ − b/c
    return 2 * a * b, a * a - 1 / c, math.exp(c) + b / c ** 2
