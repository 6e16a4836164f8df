"""Answer key, notebook 11: a complete submission for its exercises.

Teachers only: this folder is not installed with the package.
"""

import numpy as np

import tinygrad_edu as tg          # not `from ... import grad`: notebook 07's key defines its own grad


def unbroadcast(g, shape):
    g = np.asarray(g, dtype=float)
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))         # the axes broadcasting added in front
    for axis, size in enumerate(shape):                       # the size-1 axes it stretched
        if size == 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def matmul_vjp(g, A, B):
    return g @ B.T, A.T @ g


def hvp_fwd_rev(f, x, v):
    _, Hv = tg.jvp(tg.grad(f), x, v)          # one reverse sweep recorded, one forward sweep along v
    return [float(h) for h in Hv]
