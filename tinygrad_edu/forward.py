"""Forward mode: push a tangent from the inputs to the outputs, and count the work.

Reverse mode (``backward``, ``grad``) carries *one output's* sensitivity back
to *all inputs* in one sweep.  Forward mode carries *one input direction*
``v`` forward to *all outputs* in one sweep: every node gets a tangent

    tangent(node) = sum over its children of  d node / d child * tangent(child)

visited in topological order (children first).  The local derivatives come
from ``node.local_grads()``, the engine's rules -- the same numbers reverse mode
multiplies, only in the other order.

>>> from tinygrad_edu.forward import jvp
>>> jvp(lambda x: x * x * x, 2.0, 1.0)        # (f(2), f'(2)·1)
(8.0, 12.0)

A gradient of f: R^n -> R costs one reverse sweep but n forward sweeps (one
per input direction).  ``count_ops()`` shows it:

>>> import numpy as np
>>> from tinygrad_edu import grad
>>> f = lambda x: np.sum(x * x)
>>> x = np.ones(100)
>>> with count_ops() as reverse:
...     _ = grad(f)(x)
>>> with count_ops() as forward:
...     _ = jacfwd(f)(x)
>>> reverse.sweeps["reverse"], forward.sweeps["forward"]
(1, 100)
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from . import engine, structures
from .engine import Number, Value
from ._ops import ONE_OPERAND_METHODS
from ._recording import Recording, check_callable, output_numbers, record, transform
from .transforms import jacobian_from_rows

__all__ = ["jvp", "jacfwd", "Dual", "count_ops", "OpCount"]


def _graph_order(outputs):
    """Every node that any output depends on, children before parents."""
    order, seen = [], set()
    for out in outputs:
        if not isinstance(out, Value) or out in seen:
            continue
        for node in engine.topological_order(out):    # each list is in a valid order already
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def _forward_sweep(order, tangents, create_graph):
    """Fill ``tangents`` (a dict node -> tangent, inputs given) for every op node of ``order``."""
    multiplies = 0
    given = set(tangents)           # the inputs' tangents are set, not computed
    for node in order:
        if node.is_leaf or node in given:
            continue
        partials = node.local_grads(create_graph)
        multiplies += len(partials)       # dense counting: a missing tangent is a 0 times p
        total = 0.0
        for child, p in zip(node.children, partials):
            t = tangents.get(child)
            if t is not None and p is not None:     # p is None for a constant: its tangent is 0
                total = total + p * t
        tangents[node] = engine.real_where_real(node, total)
    engine.notify_sweep("forward", multiplies)
    return tangents


def _tangent_kind(out, t, create_graph):
    """An output's tangent, as a number of the output's kind (or a Value when nested)."""
    if create_graph:
        return t if isinstance(t, Value) else Value(t, requires_grad=False)
    return structures.match_kind(out, engine._data_of(t))


def jvp(f: Callable[..., Any], x: Any, v: Any) -> tuple[Any, Any]:
    """``(f(x), J·v)``: the directional derivative of f at x along v, by forward mode.

    ``v`` has the structure of ``x``; ``J·v`` has the structure of f's output.

    >>> jvp(lambda p: p[0] * p[1], [3.0, 4.0], [1.0, 0.0])   # d/dp0 (p0·p1) = p1
    (12.0, 4.0)
    """
    check_callable(f, "jvp")
    run = record(f, (x,), {}, 0, "jvp")
    directions = structures.leaves(v)
    if len(directions) != len(run.inputs):
        raise ValueError(f"jvp: the direction v has {len(directions)} numbers but x has "
                         f"{len(run.inputs)}; give v the same structure as x")
    outputs = output_numbers(run.output, "jvp")
    tangents = _forward_sweep(_graph_order(outputs), dict(zip(run.inputs, directions)),
                              run.create_graph)
    out_tangents = [_tangent_kind(out, tangents.get(out, 0.0), run.create_graph) for out in outputs]
    return run.plain(run.output), structures.rebuild(run.output, out_tangents)


@transform
def jacfwd(run: Recording, name: str) -> Any:
    """The Jacobian by forward mode: one recorded run, then one forward sweep per input number.

    ``jacfwd(f, argnum=0)``: same result and layout as ``jacobian`` (reverse mode),
    built column by column.

    >>> jacfwd(lambda x: [x[0] * x[1], x[0] + x[1]])([2.0, 5.0])
    [[5.0, 2.0], [1.0, 1.0]]
    """
    outputs = output_numbers(run.output, name)
    order = _graph_order(outputs)
    columns = []
    for x in run.inputs:                          # direction e_j: one sweep each
        tangents = _forward_sweep(order, {x: 1.0}, run.create_graph)
        columns.append([tangents.get(out, 0.0) for out in outputs])
    rows = [run.structured([column[i] for column in columns]) for i in range(len(outputs))]
    return jacobian_from_rows(run.output, rows, run.argnum)


# --------------------------------------------------------------------------
# Dual numbers: forward mode on the fly, with no graph kept
# --------------------------------------------------------------------------
class Dual:
    """A number and its tangent, carried together: forward mode without a graph.

    Each operation evaluates the op on throw-away Values and asks the engine
    for its local derivatives (``local_grads``), then combines the operands'
    tangents with them; nothing is recorded, so memory stays constant.  Use
    the methods or numpy (``x.sin()``, ``np.sin(x)``); the module functions
    ``tinygrad_edu.sin`` etc. take Values and numbers only.

    >>> x = Dual(2.0, 1.0)          # the point 2, moving at speed 1
    >>> y = x * x * x + 1
    >>> y.value, y.tangent          # (x³ + 1, 3x²)
    (9.0, 12.0)
    """

    __slots__ = ("value", "tangent")

    def __init__(self, value: Number, tangent: Number = 0.0) -> None:
        self.value = engine._to_number(value, "Dual()")
        self.tangent = engine._to_number(tangent, "Dual()")

    def __repr__(self):
        return f"Dual(value={self.value!r}, tangent={self.tangent!r})"

    def _apply(self, operation, *others):
        """Evaluate ``operation`` on Values; tangent = sum of local derivative * operand tangent."""
        operands = [self] + list(others)
        values = [Value(o.value) if isinstance(o, Dual) else o for o in operands]
        node = operation(*values)
        tangents = {id(v): o.tangent for v, o in zip(values, operands) if isinstance(o, Dual)}
        tangent = 0.0
        for child, p in zip(node.children, node.local_grads()):
            if p is not None:                       # None: a constant operand, no tangent
                tangent += p * tangents.get(id(child), 0.0)
        return Dual(node.data, engine.real_where_real(node, tangent))

    # arithmetic (reflected forms put the plain number first, so the op sees the right order)
    def __add__(self, other): return self._apply(lambda a, b: a + b, other)
    def __radd__(self, other): return self._apply(lambda a, b: b + a, other)
    def __sub__(self, other): return self._apply(lambda a, b: a - b, other)
    def __rsub__(self, other): return self._apply(lambda a, b: b - a, other)
    def __mul__(self, other): return self._apply(lambda a, b: a * b, other)
    def __rmul__(self, other): return self._apply(lambda a, b: b * a, other)
    def __truediv__(self, other): return self._apply(lambda a, b: a / b, other)
    def __rtruediv__(self, other): return self._apply(lambda a, b: b / a, other)
    def __pow__(self, other): return self._apply(lambda a, b: a ** b, other)
    def __rpow__(self, other): return self._apply(lambda a, b: b ** a, other)
    def __neg__(self): return self._apply(lambda a: -a)
    def __abs__(self): return self._apply(abs)
    absolute = __abs__

    # comparisons look at the value, as for Value
    def __lt__(self, other): return self.value < _value_of(other)
    def __le__(self, other): return self.value <= _value_of(other)
    def __gt__(self, other): return self.value > _value_of(other)
    def __ge__(self, other): return self.value >= _value_of(other)


def _value_of(x):
    return x.value if isinstance(x, Dual) else x


def _dual_method(name):
    def method(self):
        return self._apply(lambda a: getattr(a, name)())
    method.__name__ = name
    method.__doc__ = f"{name} of a Dual (value and tangent)."
    return method


for _name in ONE_OPERAND_METHODS:          # x.exp(), x.tanh()... as on a Value
    setattr(Dual, _name, _dual_method(_name))


# --------------------------------------------------------------------------
# Counting the work
# --------------------------------------------------------------------------
class OpCount:
    """What a block of code cost: primitive ops evaluated, derivative sweeps, multiplications.

    ``ops``: op nodes created (each is one primitive evaluated, e.g. one ``*``);
    ``by_op``: the same per op name; ``sweeps`` and ``multiplies``: per kind
    ("forward", "reverse"), the number of derivative sweeps and of
    local-derivative multiplications they did.
    """

    def __init__(self):
        self.ops = 0
        self.by_op = Counter()
        self.sweeps = Counter()
        self.multiplies = Counter()

    # The engine calls these two (see engine.add_observer).
    def on_node(self, node):
        self.ops += 1
        self.by_op[node.op] += 1

    def on_sweep(self, kind, multiplies):
        self.sweeps[kind] += 1
        self.multiplies[kind] += multiplies

    def __repr__(self):
        return (f"OpCount(ops={self.ops}, sweeps={dict(self.sweeps)}, "
                f"multiplies={dict(self.multiplies)})")

    def table(self):
        """A small text table, for printing in a notebook."""
        lines = [f"{'primitive ops evaluated':<26}{self.ops:>10}"]
        for kind in ("forward", "reverse"):
            lines.append(f"{kind + ' sweeps':<26}{self.sweeps[kind]:>10}")
            lines.append(f"{kind + ' multiplications':<26}{self.multiplies[kind]:>10}")
        return "\n".join(lines)

    __str__ = table


@contextmanager
def count_ops() -> Iterator[OpCount]:
    """Count the primitive ops and derivative work done inside the block, in this thread.

    Work done by other threads (or other asyncio tasks) at the same time is not counted.

    >>> from tinygrad_edu import Value
    >>> with count_ops() as count:
    ...     y = Value(2.0) * 3 + 1
    ...     y.backward()
    >>> count.ops, count.sweeps["reverse"], count.multiplies["reverse"]
    (2, 1, 4)
    """
    counter = OpCount()
    engine.add_observer(counter)
    try:
        yield counter
    finally:
        engine.remove_observer(counter)
