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

How every transform works: trace, sweep, rebuild
------------------------------------------------
1. *trace*: the numbers of the chosen argument are replaced by fresh Values
   (``structures.leaves`` / ``structures.rebuild``) and ``f`` runs on them,
   which records its graph;
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

import contextvars
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Union

from . import engine, structures
from .engine import Value

__all__ = ["grad", "value_and_grad", "elementwise_grad", "jacobian", "jacrev", "hessian",
           "hvp", "vjp", "holomorphic_grad", "is_tracing"]

# How many transforms are running a function on traced Values, in this thread or
# asyncio task (another thread's grad() is not "around" ours).
_depth = contextvars.ContextVar("tinygrad_edu_tracing_depth", default=0)

#: Which argument(s) to differentiate: an index, or a tuple of them (a tuple of results).
ArgNum = Union[int, tuple[int, ...]]


def is_tracing() -> bool:
    """True while a transform runs a function on traced Values.

    Transforms called at such a time build differentiable results
    (``create_graph=True``), so that the outer transform can differentiate them.
    """
    return _depth.get() > 0


@contextmanager
def _tracing():
    depth = _depth.get()
    _depth.set(depth + 1)
    try:
        # math.exp(v) inside f would silently cut the graph; the garbage collector
        # would only re-scan the process's objects (graphs have no cycles).
        with engine.forbid_float(), engine.collector_paused():
            yield
    finally:
        _depth.set(depth)


# --------------------------------------------------------------------------
# Step 1: trace
# --------------------------------------------------------------------------
class Trace:
    """One run of ``f`` with fresh Values in place of the chosen argument(s).

    ``chosen`` is the argument (or the tuple of arguments, for a tuple argnum)
    as the caller gave it, ``numbers`` its differentiable leaves, ``inputs`` the
    Values that stand for them, ``output`` what ``f`` returned.
    """

    __slots__ = ("chosen", "numbers", "inputs", "create_graph", "output")

    def gradient_of(self, root):
        """d root / d inputs, in the structure and kinds of the chosen argument."""
        if not isinstance(root, Value):                # a constant: every derivative is 0
            return self.structured([0.0] * len(self.inputs))
        with engine.collector_paused():            # the sweep, too: see _tracing
            grads = engine.gradients(root, wrt=self.inputs, create_graph=self.create_graph)
        return self.structured([grads[v] for v in self.inputs])

    def structured(self, per_input):
        """One number per input -> the chosen argument's structure."""
        if self.create_graph:       # stay differentiable for the transform around us
            per_input = [g if isinstance(g, Value) else Value(g, requires_grad=False)
                         for g in per_input]
        else:
            per_input = [structures.match_kind(x, g) for x, g in zip(self.numbers, per_input)]
        return structures.rebuild(self.chosen, per_input)

    def plain(self, tree):
        """``tree`` (an output) with Values replaced by their numbers, unless nested."""
        if self.create_graph:
            return tree
        values = [v.data if isinstance(v, Value) else v for v in structures.leaves(tree)]
        return structures.rebuild(tree, values)


def trace(f, args, kwargs, argnum, name):
    """Run ``f(*args, **kwargs)`` with the argument(s) ``argnum`` replaced by fresh Values."""
    if not engine.is_grad_enabled():
        raise RuntimeError(f"{name} was called inside no_grad(), where nothing is recorded, so every "
                           "derivative would be 0; call it outside the no_grad() block")
    positions = _positions(argnum, len(args), name)
    for i in positions:
        _check_differentiable(args[i], i, name)
    chosen = args[argnum] if isinstance(argnum, int) else tuple(args[i] for i in positions)
    result = Trace()
    result.chosen = chosen
    result.numbers = structures.leaves(chosen)
    # Differentiable results are needed when an outer transform is tracing us,
    # or when the caller hands us Values (their graph may be differentiated later).
    result.create_graph = _depth.get() > 0 or any(isinstance(x, Value) for x in result.numbers)
    result.inputs = [_fresh_input(x) for x in result.numbers]
    traced = structures.rebuild(chosen, result.inputs)
    new_args = list(args)
    if isinstance(argnum, int):
        new_args[argnum] = traced
    else:
        for i, value in zip(positions, traced):
            new_args[i] = value
    with _tracing():
        result.output = f(*new_args, **kwargs)
    return result


def _fresh_input(x):
    """A new node standing for one input number.

    A Value input gets a new node *on top of it* (``x + 0.0``): derivatives are
    taken with respect to the new node only (no perturbation confusion), while
    an outer transform can still differentiate through it back to ``x``.
    """
    if isinstance(x, Value):
        fresh = x + 0.0
        fresh.label = x.label
        return fresh
    return Value(x)


def _positions(argnum, count, name):
    """The argument positions that ``argnum`` selects, checked."""
    many = isinstance(argnum, (tuple, list))
    chosen = tuple(argnum) if many else (argnum,)
    if not chosen or not all(isinstance(i, int) and not isinstance(i, bool) for i in chosen):
        raise TypeError(f"{name}: argnum must be an int or a tuple of ints, got {argnum!r}")
    if count == 0:
        raise TypeError(f"{name}: f was called with no positional arguments; "
                        "pass the point to differentiate at, e.g. grad(f)(2.0)")
    for i in chosen:
        if not 0 <= i < count:
            raise IndexError(f"{name}: argnum={i} is out of range: f was called with {count} "
                             f"positional argument(s), so argnum must be 0..{count - 1} (it counts from 0)")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"{name}: argnum={argnum!r} names the same argument twice")
    return chosen


def _check_differentiable(arg, position, name):
    if structures.leaves(arg):
        return
    if isinstance(arg, bool):
        why = "a bool is a flag, not a quantity (pass 1.0 or 0.0 to differentiate)"
    elif structures.is_differentiable(arg) or _is_container(arg):
        if not _holds_something(arg):
            return                                     # an empty list: its gradient is empty
        why = "it holds no numbers, only " + _leaf_kinds(arg)
    else:
        why = "only numbers, Values, numpy arrays and lists/tuples/dicts of them can be"
    raise TypeError(f"{name} cannot differentiate with respect to argument {position}, "
                    f"a {structures.describe(arg)}: {why}; choose another argument with argnum=")


def _is_container(x):
    return isinstance(x, (list, tuple, dict)) or structures.is_array(x)


def _holds_something(x):
    return bool(x.size) if structures.is_array(x) else bool(len(x))


def _leaf_kinds(x):
    if structures.is_array(x):
        return f"{x.dtype} elements"
    kinds = set()
    todo = [x]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
        else:
            kinds.add(type(item).__name__)
    return "/".join(sorted(kinds))


# --------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------
def _scalar_output(out, name, allow_complex=False):
    """The single number ``f`` returned (a Value, or a constant with a warning)."""
    value = out
    if structures.is_array(out) and out.size == 1:
        value = out.ravel()[0]
    if isinstance(value, bool) or not structures.is_differentiable(value):
        raise TypeError(f"{name} needs f to return one real number (a scalar), but f returned "
                        f"{_what(out)}. Use elementwise_grad for an elementwise function, "
                        "jacobian for all the partial derivatives, or holomorphic_grad for a "
                        "complex output")
    if not allow_complex and structures.is_complex_number(value):
        raise TypeError(f"{name} needs f to return a real number, but f returned the complex "
                        f"number {complex(value)}. Use holomorphic_grad for a complex-differentiable "
                        "f, or return a real part or abs() (elementwise_grad and jacobian accept "
                        "complex outputs)")
    if not isinstance(value, Value):
        warnings.warn(f"{name}: the output of f does not depend on its input (it is the constant "
                      f"{value!r}), so the derivative is 0", stacklevel=3)
    return value


def _what(out):
    if structures.is_array(out):
        return f"an array of shape {out.shape}"
    if isinstance(out, (list, tuple, dict)):
        return f"a {type(out).__name__} of {len(out)} items"
    return f"a {structures.describe(out)}"


def _output_numbers(out, name):
    """The numbers of a (possibly structured) output, for jacobian and friends."""
    numbers = structures.leaves(out)
    if not numbers and not (_is_container(out) and not _holds_something(out)):
        raise TypeError(f"{name} needs f to return numbers (a number, Value, array or list of them), "
                        f"but f returned {_what(out)}")
    return numbers


def _weighted_sum(outputs, weights=None):
    """sum(w_i * out_i) over the outputs that are Values (constants add nothing)."""
    total = None
    for i, out in enumerate(outputs):
        if not isinstance(out, Value):
            continue
        term = out if weights is None else out * weights[i]
        total = term if total is None else total + term
    return total


def _real_inner(a, b, name):
    """Re(sum a_i * b_i) over two structures with the same number of leaves."""
    left, right = structures.leaves(a), structures.leaves(b)
    if len(left) != len(right):
        raise ValueError(f"{name}: the vector has {len(right)} numbers but the input has "
                         f"{len(left)}; give v the same structure as x")
    total = 0.0
    for x, y in zip(left, right):
        total = total + (x * y).real
    return total


def _named(function, kind, f, argnum):
    fname = getattr(f, "__name__", "f")
    function.__name__ = f"{kind}_of_{fname}"
    function.__qualname__ = function.__name__
    function.__doc__ = f"{kind} of {fname} with respect to argument(s) {argnum!r}."
    return function


def _check_callable(f, name):
    if not callable(f):
        raise TypeError(f"{name} needs a function as its first argument, got {structures.describe(f)}")


# --------------------------------------------------------------------------
# The transforms
# --------------------------------------------------------------------------
def _grad(f, argnum, name):
    _check_callable(f, name)

    def gradient(*args, **kwargs):
        run = trace(f, args, kwargs, argnum, name)
        return run.gradient_of(_scalar_output(run.output, name))
    return _named(gradient, "grad", f, argnum)


def grad(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]:
    """The gradient of a real scalar function, as a function with f's arguments.

    ``argnum`` chooses the argument (an int) or arguments (a tuple: the result
    is then a tuple of gradients).  The gradient has the argument's structure.

    >>> grad(lambda x: x ** 3)(2.0)
    12.0
    >>> grad(lambda p: p["w"] * p["b"])({"w": 2.0, "b": 5.0})
    {'w': 5.0, 'b': 2.0}
    """
    return _grad(f, argnum, "grad")


def value_and_grad(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., tuple[Any, Any]]:
    """``(f(x), grad(f)(x))`` from a single run of f.

    >>> value_and_grad(lambda x: x * x)(3.0)
    (9.0, 6.0)
    """
    _check_callable(f, "value_and_grad")

    def both(*args, **kwargs):
        run = trace(f, args, kwargs, argnum, "value_and_grad")
        root = _scalar_output(run.output, "value_and_grad")
        return run.plain(root), run.gradient_of(root)
    return _named(both, "value_and_grad", f, argnum)


def holomorphic_grad(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]:
    """f'(z) for a complex-differentiable (holomorphic) f of a complex z.

    It is the gradient of Re f in the convention above; for a holomorphic f
    that equals f'(z) (Cauchy-Riemann).

    >>> holomorphic_grad(lambda z: z * z)(1 + 1j)
    (2+2j)
    """
    _check_callable(f, "holomorphic_grad")

    def derivative(*args, **kwargs):
        run = trace(f, args, kwargs, argnum, "holomorphic_grad")
        if not all(structures.is_complex_number(x) for x in run.numbers):
            warnings.warn("holomorphic_grad: the input is not complex, so only d(Re f)/dx is "
                          "returned; pass a complex number (e.g. 2 + 0j) to get f'(z)", stacklevel=2)
        out = _scalar_output(run.output, "holomorphic_grad", allow_complex=True)
        return run.gradient_of(out.real)
    return _named(derivative, "holomorphic_grad", f, argnum)


def elementwise_grad(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]:
    """The sum of the Jacobian's rows: for an elementwise f, each output's own derivative.

    Like autograd, it is one reverse sweep from ``sum(f(x))``, so it is the
    elementwise derivative only when output i depends on input i alone.

    >>> import numpy as np
    >>> elementwise_grad(lambda x: x ** 2)(np.array([1.0, 2.0, 3.0]))
    array([2., 4., 6.])
    """
    _check_callable(f, "elementwise_grad")

    def gradient(*args, **kwargs):
        run = trace(f, args, kwargs, argnum, "elementwise_grad")
        return run.gradient_of(_weighted_sum(_output_numbers(run.output, "elementwise_grad")))
    return _named(gradient, "elementwise_grad", f, argnum)


def jacobian(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]:
    """All partial derivatives d out_i / d x_j: one reverse sweep per output number.

    The result has the output's structure, with the input's structure in place
    of each output number; for arrays its shape is ``out.shape + x.shape``.
    With a tuple ``argnum`` it is a tuple of such Jacobians, one per argument.

    >>> import numpy as np
    >>> jacobian(lambda x: x * x[0])(np.array([1.0, 2.0]))   # [x0², x1·x0]
    array([[2., 0.],
           [2., 1.]])
    """
    _check_callable(f, "jacobian")

    def jac(*args, **kwargs):
        run = trace(f, args, kwargs, argnum, "jacobian")
        rows = [run.gradient_of(out) for out in _output_numbers(run.output, "jacobian")]
        return jacobian_from_rows(run.output, rows, argnum)
    return _named(jac, "jacobian", f, argnum)


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


def hessian(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]:
    """The matrix of second derivatives of a real scalar f: the Jacobian of its gradient.

    Nested lists for list inputs, an array of shape ``x.shape + x.shape`` for an array.

    >>> hessian(lambda x: x[0] ** 2 * x[1])([1.0, 3.0])
    [[6.0, 2.0], [2.0, 0.0]]
    """
    _check_callable(f, "hessian")
    return _named(jacobian(_grad(f, argnum, "hessian"), argnum), "hessian", f, argnum)


def hvp(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]:
    """Hessian-vector product H·v without forming H: ``hvp(f)(x, v)``.

    It is the gradient of the directional derivative grad(f)(x)·v, so it costs
    two reverse sweeps whatever the size of x.  ``v`` is the last positional
    argument and has the structure of the differentiated argument.

    >>> hvp(lambda x: x[0] ** 2 * x[1])([1.0, 3.0], [1.0, 0.0])
    [6.0, 2.0]
    """
    _check_callable(f, "hvp")
    grad_f = _grad(f, argnum, "hvp")

    def product(*args_then_v, **kwargs):
        if len(args_then_v) < 2:
            raise TypeError("hvp(f) needs the point and the vector: hvp(f)(x, v)")
        *args, v = args_then_v

        def directional_derivative(*point, **kw):
            return _real_inner(grad_f(*point, **kw), v, "hvp")
        return _grad(directional_derivative, argnum, "hvp")(*args, **kwargs)
    return _named(product, "hvp", f, argnum)


def vjp(f: Callable[..., Any], x: Any) -> tuple[Any, Callable[..., Any]]:
    """``(f(x), vjp_fn)``: ``vjp_fn(u)`` is the vector-Jacobian product u·J (one reverse sweep).

    ``u`` has the structure of f's output; the result has the structure of x.

    >>> value, vjp_fn = vjp(lambda x: [x * x, 3 * x], 2.0)
    >>> value, vjp_fn([1.0, 10.0])               # 1*(2x) + 10*3
    ([4.0, 6.0], 34.0)
    """
    _check_callable(f, "vjp")
    run = trace(f, (x,), {}, 0, "vjp")
    outputs = _output_numbers(run.output, "vjp")

    def vjp_fn(cotangent):
        weights = structures.leaves(cotangent)
        if len(weights) != len(outputs):
            raise ValueError(f"vjp_fn needs a vector shaped like f's output ({len(outputs)} "
                             f"numbers), got {len(weights)} numbers")
        return run.gradient_of(_weighted_sum(outputs, weights))
    return run.plain(run.output), vjp_fn
