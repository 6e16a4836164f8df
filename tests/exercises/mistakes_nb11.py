"""Classic mistakes for notebook 11's exercises (see test_mistakes.py)."""

import numpy as np
from exhelp import Mistake, S

from tinygrad_edu import grad, hessian, hvp, jacfwd, jvp


# -- ex1: unbroadcast ---------------------------------------------------------------
def _unchanged(g, shape):
    return g


def _sum_everything(g, shape):
    return np.sum(g)


def _leading_only(g, shape):
    return g.sum(axis=tuple(range(g.ndim - len(shape))))


def _no_keepdims(g, shape):
    lead = g.ndim - len(shape)
    ones = tuple(k + lead for k, n in enumerate(shape) if n == 1 and g.shape[k + lead] != 1)
    return g.sum(axis=tuple(range(lead)) + ones)


def _mean(g, shape):
    out = S.unbroadcast(g, shape)
    return out * (out.size / g.size)


def _first_copy(g, shape):
    lead = g.ndim - len(shape)
    g = g[(0,) * lead]
    return g[tuple(slice(0, 1) if n == 1 else slice(None) for n in shape)]


def _axis_zero(g, shape):
    return g.sum(axis=0)


def _trailing(g, shape):
    return g.sum(axis=tuple(range(len(shape), g.ndim)))


# -- ex2: matmul_vjp ----------------------------------------------------------------
def _no_transpose(g, A, B):
    return g @ B, A @ g


def _wrong_order(g, A, B):
    return B.T @ g, g @ A.T


def _pair_swapped(g, A, B):
    return A.T @ g, g @ B.T


def _elementwise(g, A, B):
    return g * B, A * g


def _forgot_g(g, A, B):
    ones = np.ones_like(g)
    return ones @ B.T, A.T @ ones


def _output_for_input(g, A, B):
    C = A @ B
    return g @ C.T, A.T @ g


def _gB_transposed(g, A, B):
    return g @ B.T, g.T @ A


# -- ex3: hvp_fwd_rev ---------------------------------------------------------------
def _reverse_over_reverse(f, x, v):
    return hvp(f)(x, v)


def _directional_derivative(f, x, v):
    return jvp(f, x, v)[1]


def _kept_the_pair(f, x, v):
    return jvp(grad(f), x, v)


def _gradient(f, x, v):
    return jvp(grad(f), x, v)[0]


def _finite_differences(f, x, v, eps=1e-5):
    up = grad(f)([a + eps * b for a, b in zip(x, v)])
    down = grad(f)([a - eps * b for a, b in zip(x, v)])
    return [(p - q) / (2 * eps) for p, q in zip(up, down)]


def _full_hessian(f, x, v):
    return list(np.array(hessian(f)(x), dtype=float) @ np.array(v))


def _hessian_by_columns(f, x, v):
    return list(np.array(jacfwd(grad(f))(x), dtype=float) @ np.array(v))


MISTAKES = [
    Mistake("nb11_ex1", "returns g unchanged", _unchanged, named="returned g unchanged"),
    Mistake("nb11_ex1", "sums everything", _sum_everything, named="summed everything"),
    Mistake("nb11_ex1", "only the leading axes", _leading_only, named="size-1 axes"),
    Mistake("nb11_ex1", "no keepdims", _no_keepdims, named="keepdims=True"),
    Mistake("nb11_ex1", "mean instead of sum", _mean, named="mean"),
    Mistake("nb11_ex1", "first copy only", _first_copy, named="first copy"),
    Mistake("nb11_ex1", "always sums axis 0", _axis_zero, named="always summed axis 0"),
    Mistake("nb11_ex1", "sums the trailing axes", _trailing, named="trailing axes"),
    Mistake("nb11_ex2", "no transposes", _no_transpose, named="must be transposed"),
    Mistake("nb11_ex2", "factors in the wrong order", _wrong_order, named="wrong order"),
    Mistake("nb11_ex2", "(gB, gA) instead of (gA, gB)", _pair_swapped, named="the pair is (gA, gB)"),
    Mistake("nb11_ex2", "elementwise product", _elementwise, named="elementwise product"),
    Mistake("nb11_ex2", "forgot the upstream gradient", _forgot_g, named="multiply by g"),
    Mistake("nb11_ex2", "output C where B belongs", _output_for_input, named="used the output C"),
    Mistake("nb11_ex2", "dL/dB transposed", _gB_transposed, named="transposed"),
    Mistake("nb11_ex3", "reverse-over-reverse", _reverse_over_reverse, named="reverse-over-reverse"),
    Mistake("nb11_ex3", "jvp of f instead of grad f", _directional_derivative, named="directional derivative"),
    Mistake("nb11_ex3", "kept jvp's pair", _kept_the_pair, named="returned a pair"),
    Mistake("nb11_ex3", "the gradient instead of H·v", _gradient, named="that is ∇f(x)"),
    Mistake("nb11_ex3", "finite differences of the gradient", _finite_differences, named="finite differences"),
    Mistake("nb11_ex3", "full Hessian by reverse mode", _full_hessian, named="row by row"),
    Mistake("nb11_ex3", "full Hessian by forward mode", _hessian_by_columns, named="column by column"),
]
