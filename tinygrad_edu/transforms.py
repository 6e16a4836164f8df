"""Derivatives as functions: grad, value_and_grad, elementwise_grad, jacobian, hessian, hvp, vjp.

This is HIPS autograd's functional API on top of the Value engine: ``grad(f)``
is a new function that returns the gradient of ``f``.

>>> from tinygrad_edu import grad
>>> def f(x, y):
...     return x * x * y
>>> grad(f)(3.0, 2.0)              # df/dx = 2xy
12.0
>>> grad(f, argnum=(0, 1))(3.0, 2.0)
(12.0, 9.0)

How every transform works: record, sweep, rebuild
-------------------------------------------------
0. the scaffolding is written once, in ``_recording.transform``: it checks that
   ``f`` is a function and names the result (``grad_of_f``);
1. *record*: the numbers of the chosen argument are replaced by fresh Values
   (``structures.leaves`` / ``structures.rebuild``) and ``f`` runs on them,
   which records its graph (``_recording.record``);
2. *sweep*: reverse mode runs from the output with ``engine.gradients``, which
   returns a dict and never touches any ``.grad`` -- so no gradient is left
   behind on your Values and two transforms never write into the same place;
3. *rebuild*: the gradients go back into the argument's structure, in its
   kind: floats for ints and floats, complex for complex numbers, a float
   array for a float array, Values for Values.

Nesting
-------
Each call makes *new* input nodes (a Value input ``v`` becomes ``v + 0.0``),
so an inner ``grad`` differentiates with respect to its own input only, even
when that input is the outer function's variable: "perturbation confusion" is
impossible.  While a transform runs ``f``, any transform called inside builds
its gradient with ``create_graph=True``: the gradient is then a graph of
Values that the outer transform can differentiate again.  That is all
``grad(grad(grad(f)))`` needs.

>>> grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0)   # d/dx [x * 1] = 1
1.0

Complex numbers
---------------
Same convention as HIPS autograd and JAX: for a real-valued ``f`` of
``z = x + iy``, ``grad(f)(z)`` is ``df/dx - i df/dy`` (so gradient *ascent* steps
along its conjugate).  For a complex-differentiable ``f``,
``holomorphic_grad(f)(z)`` is ``f'(z)``.

>>> grad(lambda z: abs(z) ** 2)(3 + 4j)                   # 2x - 2iy
(6-8j)
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

from . import structures
from ._recording import (ArgNum, Recording, derivative_function, check_callable, is_recording,
                         named, output_numbers, real_inner, record, scalar_output, transform,
                         weighted_sum)

__all__ = ["grad", "value_and_grad", "elementwise_grad", "jacobian", "jacrev", "hessian",
           "hvp", "vjp", "holomorphic_grad", "is_recording"]

# --------------------------------------------------------------------------
# The transforms: each is its own step 2 and 3 (see the top), given the recorded run
# --------------------------------------------------------------------------
@transform
def grad(run: Recording, name: str) -> Any:
    """The gradient of a real scalar function, as a function with f's arguments: ``grad(f, argnum=0)``.

    ``argnum`` chooses the argument (an int) or arguments (a tuple: the result
    is then a tuple of gradients).  The gradient has the argument's structure.

    >>> grad(lambda x: x ** 3)(2.0)
    12.0
    >>> grad(lambda p: p["w"] * p["b"])({"w": 2.0, "b": 5.0})
    {'w': 5.0, 'b': 2.0}
    """
    return run.gradient_of(scalar_output(run.output, name))


@transform
def value_and_grad(run: Recording, name: str) -> tuple[Any, Any]:
    """``(f(x), grad(f)(x))`` from a single run of f: ``value_and_grad(f, argnum=0)``.

    >>> value_and_grad(lambda x: x * x)(3.0)
    (9.0, 6.0)
    """
    root = scalar_output(run.output, name)
    return run.plain(root), run.gradient_of(root)


@transform
def holomorphic_grad(run: Recording, name: str) -> Any:
    """f'(z) for a complex-differentiable (holomorphic) f of a complex z: ``holomorphic_grad(f, argnum=0)``.

    It is the gradient of Re f in the convention above; for a holomorphic f
    that equals f'(z) (Cauchy-Riemann).

    >>> holomorphic_grad(lambda z: z * z)(1 + 1j)
    (2+2j)
    """
    if not all(structures.is_complex_number(x) for x in run.numbers):
        warnings.warn("holomorphic_grad: the input is not complex, so only d(Re f)/dx is "
                      "returned; pass a complex number (e.g. 2 + 0j) to get f'(z)", stacklevel=3)
    out = scalar_output(run.output, name, allow_complex=True)
    return run.gradient_of(out.real)


@transform
def elementwise_grad(run: Recording, name: str) -> Any:
    """The sum of the Jacobian's rows: for an elementwise f, each output's own derivative.

    ``elementwise_grad(f, argnum=0)``.  Like autograd, it is one reverse sweep from
    ``sum(f(x))``, so it is the elementwise derivative only when output i depends on
    input i alone.

    >>> import numpy as np
    >>> elementwise_grad(lambda x: x ** 2)(np.array([1.0, 2.0, 3.0]))
    array([2., 4., 6.])
    """
    return run.gradient_of(weighted_sum(output_numbers(run.output, name)))


@transform
def jacobian(run: Recording, name: str) -> Any:
    """All partial derivatives d out_i / d x_j: one reverse sweep per output number.

    ``jacobian(f, argnum=0)``.  The result has the output's structure, with the input's
    structure in place of each output number; for arrays its shape is
    ``out.shape + x.shape``.  With a tuple ``argnum`` it is a tuple of such Jacobians,
    one per argument.

    >>> import numpy as np
    >>> jacobian(lambda x: x * x[0])(np.array([1.0, 2.0]))   # [x0², x1·x0]
    array([[2., 0.],
           [2., 1.]])
    """
    rows = [run.gradient_of(out) for out in output_numbers(run.output, name)]
    return jacobian_from_rows(run.output, rows, run.argnum)


def jacobian_from_rows(output, rows, argnum):
    """Put one gradient per output number (a "row") into the output's structure.

    For a tuple ``argnum`` each row is a tuple (one gradient per argument); the
    result is then a tuple of Jacobians, one per argument (as in JAX).
    """
    if isinstance(argnum, int):
        return structures.rebuild(output, rows)
    return tuple(structures.rebuild(output, [row[k] for row in rows]) for k in range(len(argnum)))


#: Reverse-mode Jacobian (the name JAX uses; ``forward.jacfwd`` is its forward twin).
jacrev = jacobian


# --------------------------------------------------------------------------
# Transforms made of transforms, and the two that evaluate at a point
# --------------------------------------------------------------------------
def hessian(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]:
    """The matrix of second derivatives of a real scalar f: the Jacobian of its gradient.

    Nested lists for list inputs, an array of shape ``x.shape + x.shape`` for an array.

    >>> hessian(lambda x: x[0] ** 2 * x[1])([1.0, 3.0])
    [[6.0, 2.0], [2.0, 0.0]]
    """
    gradient = derivative_function(grad.body, "hessian", f, argnum)   # checks f, speaks as hessian
    return named(jacobian(gradient, argnum), "hessian", f, argnum)


def hvp(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]:
    """Hessian-vector product H·v without forming H: ``hvp(f)(x, v)``.

    It is the gradient of the directional derivative grad(f)(x)·v, so it costs
    two reverse sweeps whatever the size of x.  ``v`` is the last positional
    argument and has the structure of the differentiated argument.

    >>> hvp(lambda x: x[0] ** 2 * x[1])([1.0, 3.0], [1.0, 0.0])
    [6.0, 2.0]
    """
    grad_f = derivative_function(grad.body, "hvp", f, argnum)          # checks f, speaks as hvp

    def product(*args_then_v, **kwargs):
        if len(args_then_v) < 2:
            raise TypeError("hvp(f) needs the point and the vector: hvp(f)(x, v)")
        *args, v = args_then_v

        def directional_derivative(*point, **kw):
            return real_inner(grad_f(*point, **kw), v, "hvp")
        return derivative_function(grad.body, "hvp", directional_derivative, argnum)(*args, **kwargs)
    return named(product, "hvp", f, argnum)


def vjp(f: Callable[..., Any], x: Any) -> tuple[Any, Callable[..., Any]]:
    """``(f(x), vjp_fn)``: ``vjp_fn(u)`` is the vector-Jacobian product u·J (one reverse sweep).

    ``u`` has the structure of f's output; the result has the structure of x.

    >>> value, vjp_fn = vjp(lambda x: [x * x, 3 * x], 2.0)
    >>> value, vjp_fn([1.0, 10.0])               # 1*(2x) + 10*3
    ([4.0, 6.0], 34.0)
    """
    check_callable(f, "vjp")
    run = record(f, (x,), {}, 0, "vjp")
    outputs = output_numbers(run.output, "vjp")

    def vjp_fn(cotangent):
        weights = structures.leaves(cotangent)
        if len(weights) != len(outputs):
            raise ValueError(f"vjp_fn needs a vector shaped like f's output ({len(outputs)} "
                             f"numbers), got {len(weights)} numbers")
        return run.gradient_of(weighted_sum(outputs, weights))
    return run.plain(run.output), vjp_fn
