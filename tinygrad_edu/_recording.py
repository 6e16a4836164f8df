"""What every transform shares, written once: recording a run of f, and the ``transform`` decorator.

Used by ``transforms`` (grad, jacobian, hessian...), ``forward`` (jvp, jacfwd) and
``numeric`` (check_grads).  A transform turns f into a new function; each call of that
function *records* one run of f with fresh Values in place of the chosen argument(s)
(:func:`record`, giving a :class:`Recording`), then sweeps and rebuilds (see ``transforms``).
The checks on f and on what it returns live here too, so every transform says the same
thing about the same mistake.

(The word "trace" belongs to ``trace.py``: the step-by-step record of a backward pass.)

>>> from tinygrad_edu.engine import Value
>>> run = record(lambda x, y: x * y, (3.0, 2.0), {}, 0, "example")
>>> run.inputs[0].data, run.output.data, run.gradient_of(run.output)
(3.0, 6.0, 2.0)
"""

from __future__ import annotations

import contextvars
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Protocol, Union

from . import engine, structures
from .engine import Value

__all__ = ["ArgNum", "Recording", "record", "is_recording", "transform", "check_callable", "named",
           "scalar_output", "output_numbers", "weighted_sum", "real_inner"]

# How many transforms are running a function on recorded Values, in this thread or
# asyncio task (another thread's grad() is not "around" ours).
_depth = contextvars.ContextVar("tinygrad_edu_recording_depth", default=0)

#: Which argument(s) to differentiate: an index, or a tuple of them (a tuple of results).
ArgNum = Union[int, tuple[int, ...]]


def is_recording() -> bool:
    """True while a transform runs a function on fresh Values, recording its graph.

    Transforms called at such a time build differentiable results
    (``create_graph=True``), so that the outer transform can differentiate them.
    """
    return _depth.get() > 0


@contextmanager
def _while_recording():
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
# Recording one run of f (step 1 of every transform, see transforms)
# --------------------------------------------------------------------------
class Recording:
    """One run of ``f`` with fresh Values in place of the chosen argument(s).

    ``argnum`` is the caller's choice of argument(s); ``chosen`` is the argument (or the
    tuple of arguments, for a tuple argnum)
    as the caller gave it, ``numbers`` its differentiable leaves, ``inputs`` the
    Values that stand for them, ``output`` what ``f`` returned.
    """

    __slots__ = ("argnum", "chosen", "numbers", "inputs", "create_graph", "output")

    def gradient_of(self, root):
        """d root / d inputs, in the structure and kinds of the chosen argument."""
        if not isinstance(root, Value):                # a constant: every derivative is 0
            return self.structured([0.0] * len(self.inputs))
        with engine.collector_paused():            # the sweep, too: see _while_recording
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


def record(f, args, kwargs, argnum, name) -> Recording:
    """Run ``f(*args, **kwargs)`` with the argument(s) ``argnum`` replaced by fresh Values."""
    if not engine.is_grad_enabled():
        raise RuntimeError(f"{name} was called inside no_grad(), where nothing is recorded, so every "
                           "derivative would be 0; call it outside the no_grad() block")
    positions = _positions(argnum, len(args), name)
    for i in positions:
        _check_differentiable(args[i], i, name)
    chosen = args[argnum] if isinstance(argnum, int) else tuple(args[i] for i in positions)
    result = Recording()
    result.argnum = argnum
    result.chosen = chosen
    result.numbers = structures.leaves(chosen)
    # Differentiable results are needed when an outer transform is recording us,
    # or when the caller hands us Values (their graph may be differentiated later).
    result.create_graph = _depth.get() > 0 or any(isinstance(x, Value) for x in result.numbers)
    result.inputs = [_fresh_input(x) for x in result.numbers]
    fresh = structures.rebuild(chosen, result.inputs)
    new_args = list(args)
    if isinstance(argnum, int):
        new_args[argnum] = fresh
    else:
        for i, value in zip(positions, fresh):
            new_args[i] = value
    with _while_recording():
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
def scalar_output(out, name, allow_complex=False):
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
                      f"{value!r}), so the derivative is 0", stacklevel=4)   # the caller of grad(f)
    return value


def _what(out):
    if structures.is_array(out):
        return f"an array of shape {out.shape}"
    if isinstance(out, (list, tuple, dict)):
        return f"a {type(out).__name__} of {len(out)} items"
    return f"a {structures.describe(out)}"


def output_numbers(out, name):
    """The numbers of a (possibly structured) output, for jacobian and friends."""
    numbers = structures.leaves(out)
    if not numbers and not (_is_container(out) and not _holds_something(out)):
        raise TypeError(f"{name} needs f to return numbers (a number, Value, array or list of them), "
                        f"but f returned {_what(out)}")
    return numbers


def weighted_sum(outputs, weights=None):
    """sum(w_i * out_i) over the outputs that are Values (constants add nothing)."""
    total = None
    for i, out in enumerate(outputs):
        if not isinstance(out, Value):
            continue
        term = out if weights is None else out * weights[i]
        total = term if total is None else total + term
    return total


def real_inner(a, b, name):
    """Re(sum a_i * b_i) over two structures with the same number of leaves."""
    left, right = structures.leaves(a), structures.leaves(b)
    if len(left) != len(right):
        raise ValueError(f"{name}: the vector has {len(right)} numbers but the input has "
                         f"{len(left)}; give v the same structure as x")
    total = 0.0
    for x, y in zip(left, right):
        total = total + (x * y).real
    return total


def named(function, kind, f, argnum):
    fname = getattr(f, "__name__", "f")
    function.__name__ = f"{kind}_of_{fname}"
    function.__qualname__ = function.__name__
    function.__doc__ = f"{kind} of {fname} with respect to argument(s) {argnum!r}."
    return function


def check_callable(f, name):
    if not callable(f):
        raise TypeError(f"{name} needs a function as its first argument, got {structures.describe(f)}")


# --------------------------------------------------------------------------
# The decorator
# --------------------------------------------------------------------------
class Transform(Protocol):
    """What :func:`transform` makes: ``T(f, argnum=0)`` -> the derivative function."""

    body: Callable[[Recording, str], Any]          # the transform's own part, for reuse

    def __call__(self, f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]: ...


def transform(body: Callable[[Recording, str], Any]) -> Transform:
    """Make the transform ``T(f, argnum=0)`` from ``body(run, name)``, the part that is T's own.

    The scaffolding is the same for every transform, so it is written here once (HIPS
    autograd's ``unary_to_nary`` plays this part): check that f is a function, and on
    each call of the result record f's run (``run``) and hand it to ``body``; the result
    is named ``T_of_f``.  T's name and docstring are ``body``'s.

    >>> @transform
    ... def slope(run, name):
    ...     '''The derivative of a scalar f.'''
    ...     return run.gradient_of(scalar_output(run.output, name))
    >>> slope(lambda x: x ** 3)(2.0), slope(lambda x: x ** 3).__name__
    (12.0, 'slope_of_<lambda>')
    """
    name = body.__name__

    def make(f: Callable[..., Any], argnum: ArgNum = 0) -> Callable[..., Any]:
        return derivative_function(body, name, f, argnum)
    make.__name__ = make.__qualname__ = name
    make.__doc__, make.__module__ = body.__doc__, body.__module__
    make.body = body                 # type: ignore[attr-defined]  # hessian, hvp reuse grad's
    return make  # type: ignore[return-value]


def derivative_function(body: Callable[[Recording, str], Any], name: str, f: Callable[..., Any],
                        argnum: ArgNum) -> Callable[..., Any]:
    """What :func:`transform` does for one f; ``name`` is the transform errors speak for.

    (hessian and hvp call it with their own name on grad's body, so a mistake in f is
    reported as hessian's or hvp's.)
    """
    check_callable(f, name)

    def derivative(*args: Any, **kwargs: Any) -> Any:
        return body(record(f, args, kwargs, argnum, name), name)
    return named(derivative, name, f, argnum)
