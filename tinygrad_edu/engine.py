"""The Value engine: automatic differentiation, one number at a time.

The idea in four sentences
--------------------------
A ``Value`` wraps one number.  Every arithmetic operation on Values makes a new
Value that remembers the Values it was made from (its ``children``) and which
operation made it (its ``op``).  Running ordinary Python code therefore records
a graph of the computation as a side effect.  ``backward()`` walks that graph
from the output back to the inputs and applies the chain rule at every node:

    gradient of a child  +=  (local derivative of the node wrt that child) * (gradient of the node)

>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> c = a * b + a ** 2
>>> c.backward()
>>> a.grad, b.grad          # dc/da = b + 2a,  dc/db = a
(1.0, 2.0)

How to read this file
---------------------
Each primitive operation is written as a *pair* that stands together:

    def exp(self):                                   # the forward computation
        return Value(_exp_number(self.data), (self,), "exp", Value._d_exp)

    @staticmethod
    def _d_exp(out, x):                              # its local derivative:
        return (out,)                                # d exp(x)/dx = exp(x) = out

The forward on a plain number (``_exp_number``) is written once: the method
records it in the graph, the module-level ``exp(2.0)`` returns it.  The binary
operators are written for two Values (``_add``, ``_mul``...); ``_operator``
turns each into ``__add__`` and ``__radd__``, making a plain number operand a
constant first.

A derivative rule receives the node's output and its inputs and returns one
local derivative per input.  The rules are written with ``+ - * /`` and the
module-level functions (``cos``, ``log``...), which work on plain numbers *and*
on Values.  That is why one rule serves every mode of the package:

* ``node._backward()`` -- one chain-rule step -- calls it with floats, and
  ``backward_pass(root)``, the reverse sweep, calls ``_backward()`` on every
  node, outputs first: read that function to see backpropagation whole;
* ``backward(create_graph=True)`` calls it with Values, so the gradient is
  itself a graph that can be differentiated again (second derivatives);
* forward mode (``tinygrad_edu.forward``) pushes tangents through the same
  local derivatives, the step-through tracer shows them per edge, and the
  exercise checkers compare a student's rule against them.

The file, in order
-----------------
1. ``Value``: construction, then the 38 primitive operations, each a forward
   method followed by its derivative rule -- the chapter to read first (the
   first dozen are the classics; the rest complete HIPS autograd's scalar list);
2. the graph walks: ``topological_order``, ``backward_pass`` (the reverse
   sweep; every other sweep is it with a hook, or calls it), its measured fast
   twin for plain ``backward()``, and the functional ``gradients`` (the same
   sweep, results in a dict);
3. switches: ``no_grad``, ``detect_anomaly``, observers (op counting), and
   ``collector_paused``;
4. the module-level functions (``exp(x)`` for Values *and* numbers), numpy's
   hooks, and helpers.

The node interface
------------------
Every mode (backward, ``gradients``, forward mode, the tracer, drawing, the
checkers) uses a node through these names only:

=================  =========================================================
``data``           the number (a float, or a complex)
``grad``           d(root)/d(node) after a backward pass (0.0 before)
``children``       the operands, in order (``a * a`` has ``(a, a)``)
``op``             the op's name: ``"+"``, ``"tanh"``... (``""`` for a leaf)
``label``          a name to draw (may be ``""``)
``requires_grad``  False for a constant: no gradient flows into it
``_rule``          the op's shared rule ``rule(out, *inputs)``; None on a leaf
``is_leaf``        ``_rule is None``: an input or a constant
``local_grads()``  d(node)/d(child) per child, from ``_rule`` (None into a
                   constant)
``_backward()``    one chain-rule step: each child's ``grad += local * grad``
=================  =========================================================

Design choices worth knowing
----------------------------
* Nodes hold no closures: each node points to its op's *shared* rule function.
  That makes a node two small objects (the Value and its children tuple), and
  no node refers back to itself, so a graph is freed by reference counting the
  moment it is no longer used -- no work for the cyclic garbage collector.
* Graph walks use an explicit stack, never recursion, so a chain a million
  nodes deep works with Python's default recursion limit.
* A plain number inside an expression (the ``2.0`` in ``x * 2.0``) becomes a
  *constant*: a Value with ``requires_grad=False``.
* ``==`` and ``hash`` are by identity, so Values can be dict keys and set
  members; ``<``, ``<=``, ``>``, ``>=`` compare the numbers and return bools,
  so ``while abs(term) > 1e-3:`` works.
* Gradients at kinks: relu'(0) = 0 and abs'(0) = 0 (a documented subgradient).
* Across ``backward()`` calls, *leaves accumulate* (as in PyTorch) while each
  intermediate node holds the gradient of the latest pass.
* Type tests on the hot path are ``x.__class__ is float``, not
  ``isinstance(x, float)``: building a node runs four (the data, the
  children, the label, the other operand), and with ``isinstance`` instead
  ``a * b`` took 315-332 ns against 303-314 ns (about 5 %, this project's
  limit for any slowdown).  They are exact: a Value's ``data`` is always
  exactly a float or a complex (the constructor converts ints and numpy
  scalars), and an operand that is not exactly a Value becomes a constant.
  Code off the hot path uses ``isinstance``.
* ``backward()`` evaluates each local derivative from the ``.data`` the nodes
  hold when it runs and recomputes nothing: change a ``.data`` after building a
  graph and the two mix (as in micrograd), so build the graph again instead.
"""

from __future__ import annotations     # annotations stay text: no cost when the code runs

import cmath
import contextvars
import gc
import math
import operator
import threading
import warnings
from contextlib import contextmanager
from functools import partial
from typing import Any, Callable, Iterator, Protocol, Union, overload

__all__ = [
    "Value", "topological_order", "backward_pass", "gradients", "real_where_real", "no_grad", "detect_anomaly",
    "is_grad_enabled", "as_value", "primitive", "forbid_float", "collector_paused",
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu",
    "absolute", "arctan", "sinh", "cosh", "log1p", "expm1", "softplus",
    "leaky_relu", "conj", "real", "imag", "PRIMITIVES",
    "log2", "log10", "exp2", "arcsin", "arccos", "arcsinh", "arccosh", "arctanh", "rad2deg",
    "deg2rad", "radians", "degrees", "square", "reciprocal", "sinc", "arctan2", "hypot",
    "logaddexp", "logaddexp2", "maximum", "minimum", "angle",
]

# --------------------------------------------------------------------------
# Switches.  Each one belongs to the context that turns it on -- a thread, or an
# asyncio task -- so ``no_grad()`` in one thread leaves every other thread
# recording.  The fast path of node creation checks one module-level flag,
# ``_special``: True while any switch is on in any context.  Only then does a
# new node look up its own context's switches (``_record_special``).
# --------------------------------------------------------------------------
_grad_enabled = contextvars.ContextVar("tinygrad_edu_grad_enabled", default=True)
_anomaly = contextvars.ContextVar("tinygrad_edu_anomaly", default=False)
_observers = contextvars.ContextVar("tinygrad_edu_observers", default=())   # e.g. op counters
_float_forbidden = contextvars.ContextVar("tinygrad_edu_float_forbidden", default=False)
_switches_on = 0          # no_grad/detect_anomaly blocks and observers active, all contexts
_special = False          # _switches_on > 0
_switches_lock = threading.Lock()


def _count_switch(change):
    """One more (+1) or one fewer (-1) switch on somewhere; keeps ``_special`` right."""
    global _switches_on, _special
    with _switches_lock:          # += is not atomic across threads
        _switches_on += change
        _special = _switches_on > 0


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread or asyncio task)."""
    return _grad_enabled.get()


# Numbers a Value accepts.  bool is a subclass of int, so it lands here too.
_REAL_TYPES = (int, float)

#: For type checkers: a plain number that can meet a Value in an expression.
Number = Union[int, float, complex]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_DEGREES_PER_RADIAN = 180.0 / math.pi
_RADIANS_PER_DEGREE = math.pi / 180.0


def _to_number(x, where="Value()"):
    """Convert an accepted input to float (or complex); explain anything else."""
    if x.__class__ is float or x.__class__ is complex:
        return x
    if isinstance(x, _REAL_TYPES):
        return float(x)
    if isinstance(x, complex):
        return complex(x)
    if isinstance(x, Value):
        raise TypeError(f"{where} got a Value ({x!r}) where a plain number is needed; "
                        "use the Value itself, or v.data for its number")
    # numpy scalars (np.float64, np.int32, np.complex128, np.bool_) without importing numpy.
    kind = getattr(x, "dtype", None)
    if kind is not None and getattr(x, "shape", None) == ():
        return complex(x) if kind.kind == "c" else float(x)
    raise TypeError(f"{where} needs a number (int, float, bool, complex or a numpy scalar), "
                    f"got {type(x).__name__}: {x!r}")


_BinaryOperator = Callable[["Value", "Value | Number"], "Value"]   # for editors: x + 2 is a Value


def _operator(symbol: str, forward: Callable[[Value, Value], Value]
              ) -> tuple[_BinaryOperator, _BinaryOperator]:
    """``__op__`` and ``__rop__`` (for ``x + 2`` and ``2 + x``) from ``forward(x, y)`` on two Values.

    The operand coercion is written once, here: a plain number becomes a
    constant Value; a numpy array gets NotImplemented, so numpy broadcasts.
    """
    def method(self, other):
        if other.__class__ is not Value:
            other = _constant(other, symbol, self)
            if other is NotImplemented:
                return NotImplemented
        return forward(self, other)

    def reflected(self, other):               # number (op) Value
        other = _constant(other, symbol, self)
        return NotImplemented if other is NotImplemented else forward(other, self)

    method.__name__, reflected.__name__ = forward.__name__, "r" + forward.__name__
    return method, reflected


class Value:
    """One number in a computation, plus what is needed to differentiate it.

    >>> x = Value(3.0, label="x")
    >>> y = x * x + 1          # y remembers how it was made
    >>> y.op, [c.label for c in y.children[0].children]
    ('+', ['x', 'x'])
    >>> y.backward(); x.grad  # dy/dx = 2x
    6.0
    """

    __slots__ = ("data", "grad", "children", "op", "label", "_rule", "requires_grad")
    data: float                  # the number (a complex one in complex-step work)
    grad: float                  # d(output)/d(this node); a Value after backward(create_graph=True)
    children: tuple[Value, ...]  # the inputs of the op that made this node
    op: str                      # that op's name ("" for a leaf)
    label: str
    requires_grad: bool

    def __init__(self, data: Number, children: tuple[Value, ...] = (), op: str = "",
                 rule: Callable[..., tuple[Any, ...]] | None = None, label: str = "",
                 requires_grad: bool = True) -> None:
        if data.__class__ is not float:
            data = _to_number(data)
        if children.__class__ is not tuple:
            raise TypeError(f"Value(data, label=...): children must be a tuple of Values, got "
                            f"{type(children).__name__} {children!r} (pass a label by keyword)")
        if label.__class__ is not str:
            raise TypeError(f"label must be a str, got {type(label).__name__}: {label!r}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self.children = children
        self.op = op
        self._rule = rule
        self.requires_grad = requires_grad
        if _special and children:
            _record_special(self)

    # -- a few conveniences -------------------------------------------------
    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_short(self.data)}, grad={_short(self.grad)}, op={self.op!r}{label})"

    def __float__(self) -> float:
        if _float_forbidden.get():
            # math.exp(v), float(v), np.float64(v) all come here: the number would
            # leave the graph and the gradient would silently miss this path.
            raise TypeError(
                f"a Value ({_short(self.data)}) was turned into a plain float (by math.*, float() or "
                "np.float64) while being differentiated, which drops it from the graph; use "
                "tinygrad_edu.exp/log/sin... or np.exp... on Values, or v.data for the bare number")
        if isinstance(self.data, complex):
            raise TypeError(f"float() of a complex Value ({self.data}); use .real or abs()")
        return float(self.data)

    def __complex__(self) -> complex:
        return complex(self.data)

    def __bool__(self) -> bool:
        # Plain truth testing of a Value is almost always a mistake (``if v:``),
        # but numpy and user code use it; follow the number.
        return bool(self.data)

    @property
    def is_leaf(self) -> bool:
        """True for inputs: Values not made by an operation (leaves and constants)."""
        return self._rule is None

    def item(self) -> float:
        """The plain number (like numpy/PyTorch ``.item()``)."""
        return self.data

    def local_grads(self, create_graph: bool = False) -> tuple[Any, ...]:
        """The local derivative of this node wrt each child, in child order.

        An edge into a constant (a child with ``requires_grad=False``, like the
        ``2.0`` of ``2 * x``) carries ``None``: nothing needs a constant's
        gradient, and for ``x ** k`` the partial wrt ``k`` (x**k·ln x) does not
        even exist when x < 0.

        >>> a = Value(2.0); b = Value(5.0); c = a * b
        >>> c.local_grads()        # dc/da = b, dc/db = a
        (5.0, 2.0)
        >>> (a ** 2).local_grads() # the exponent 2 is a constant
        (4.0, None)
        """
        if self._rule is None:
            return ()
        if create_graph:
            partials = [_as_value(p) for p in self._rule(self, *self.children)]
        else:
            partials = self._rule(self.data, *[c.data for c in self.children])
        return tuple(p if c.requires_grad else None for c, p in zip(self.children, partials))

    def _backward(self, create_graph: bool = False) -> None:
        """One chain-rule step: add ``local derivative * self.grad`` into each child's ``.grad``.

        ``backward()`` calls it on every node, outputs first.  On a leaf (nothing
        made it) it does nothing, so you can step through a graph by hand:

        >>> a = Value(2.0); b = Value(5.0); c = a * b
        >>> c.grad = 1.0                   # the seed: dc/dc = 1
        >>> c._backward(); a.grad, b.grad  # dc/da = b, dc/db = a
        (5.0, 2.0)
        >>> a._backward(); a.grad          # a leaf: nothing to pass on
        5.0
        """
        if self._rule is None:
            return
        g = _keep_real_part(self)
        for child, local in zip(self.children, self.local_grads(create_graph)):
            if local is not None:                  # None: a constant, it needs no gradient
                child.grad += local * g

    # -- comparisons look at the numbers; == and hash stay identity-based -----
    def __lt__(self, other: Value | Number) -> bool: return _compare(self, other, "<", operator.lt)
    def __le__(self, other: Value | Number) -> bool: return _compare(self, other, "<=", operator.le)
    def __gt__(self, other: Value | Number) -> bool: return _compare(self, other, ">", operator.gt)
    def __ge__(self, other: Value | Number) -> bool: return _compare(self, other, ">=", operator.ge)
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    # -- saving: pickle and copy.deepcopy, without recursion ------------------
    def __reduce__(self):
        """A leaf is saved as its fields.  An op node is saved with its whole graph,
        flattened in topological order (each node's children come before it), so
        a graph a million nodes deep needs no recursion; its leaves stay Values,
        so a model pickled together with a loss shares its parameters with it.
        """
        if self._rule is None:
            return _restore_leaf, (self.data, self.grad, self.label, self.requires_grad)
        with collector_paused():
            return _restore_graph, (self._graph_records(),)

    def _graph_records(self):
        position = {}
        records = []
        for i, node in enumerate(topological_order(self)):
            position[node] = i
            if node._rule is None:
                records.append(node)
            else:
                records.append((node.data, node.grad, node.label, node.op, node._rule,
                                node.requires_grad, tuple(position[c] for c in node.children)))
        return records

    def __deepcopy__(self, memo):
        """copy.deepcopy node by node, children first, with an explicit stack (no recursion)."""
        with collector_paused():
            return self._copy_graph(memo)

    def _copy_graph(self, memo):
        stack = [self]
        while stack:
            node = stack[-1]
            if id(node) in memo:
                stack.pop()
                continue
            missing = [c for c in node.children if id(c) not in memo]
            if missing:
                stack.extend(missing)
                continue
            twin = Value.__new__(Value)              # numbers, strings and rules are immutable
            twin.data, twin.grad, twin.label, twin.op = node.data, node.grad, node.label, node.op
            twin._rule, twin.requires_grad = node._rule, node.requires_grad
            twin.children = tuple(memo[id(c)] for c in node.children)
            memo[id(node)] = twin
            stack.pop()
        return memo[id(self)]

    # -- numpy: np.log2(v), np.sinc(v)... (see _numpy_ufunc near the end) -----
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _numpy_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _numpy_function(func, args, kwargs)

    # ======================================================================
    # Primitive operations: each forward computation next to its derivative.
    # Rules take (out, *inputs) and return one local derivative per input.
    # ======================================================================

    # ---- out = x + y          d/dx = 1, d/dy = 1
    def _add(self, other: Value) -> Value:
        return Value(self.data + other.data, (self, other), "+", Value._d_add)

    @staticmethod
    def _d_add(out, x, y):
        """d/dx = 1, d/dy = 1"""
        return 1.0, 1.0

    __add__, __radd__ = _operator("+", _add)

    # ---- out = x - y          d/dx = 1, d/dy = -1
    def _sub(self, other: Value) -> Value:
        return Value(self.data - other.data, (self, other), "-", Value._d_sub)

    @staticmethod
    def _d_sub(out, x, y):
        """d/dx = 1, d/dy = -1"""
        return 1.0, -1.0

    __sub__, __rsub__ = _operator("-", _sub)

    # ---- out = x * y          d/dx = y, d/dy = x
    def _mul(self, other: Value) -> Value:
        return Value(self.data * other.data, (self, other), "*", Value._d_mul)

    @staticmethod
    def _d_mul(out, x, y):
        """d/dx = y, d/dy = x"""
        return y, x

    __mul__, __rmul__ = _operator("*", _mul)

    # ---- out = x / y          d/dx = 1/y, d/dy = -x/y**2 = -out/y
    def _div(self, other: Value) -> Value:
        if other.data == 0:
            raise ZeroDivisionError(f"division by zero in a / b with a={_short(self.data)}, "
                                    f"b={_short(other.data)}")
        return Value(self.data / other.data, (self, other), "/", Value._d_div)

    @staticmethod
    def _d_div(out, x, y):
        """d/dx = 1/y, d/dy = -x/y² = -out/y"""
        return 1.0 / y, -out / y

    __truediv__, __rtruediv__ = _operator("/", _div)

    # ---- out = -x             d/dx = -1
    def __neg__(self) -> Value:
        return Value(-self.data, (self,), "neg", Value._d_neg)

    @staticmethod
    def _d_neg(out, x):
        """d/dx = -1"""
        return (-1.0,)

    def __pos__(self) -> Value:
        return self

    # ---- out = x ** y   d/dx = y * x**(y-1),  d/dy = out * log(x)
    def _pow(self, other: Value) -> Value:
        if not other.requires_grad:
            # A constant exponent: the rule's d/dy (which needs log x) is not needed.
            return Value(_power(self.data, other.data), (self, other), "**", Value._d_pow_const)
        if not isinstance(self.data, complex) and self.data < 0:
            raise ValueError(
                f"** with a Value exponent needs a base >= 0 to differentiate wrt the exponent "
                f"(d/dy x**y = x**y * log(x)), got base {_short(self.data)}; use a number exponent")
        # A constant base (2 ** y): only d/dy is needed, so 0 ** y has no d/dx to blow up.
        rule = Value._d_pow if self.requires_grad else Value._d_pow_const_base
        return Value(_power(self.data, other.data), (self, other), "**", rule)

    @staticmethod
    def _d_pow(out, x, y):
        """d/dx = y·x^(y-1), d/dy = x^y·log(x)"""
        dx = y * x ** (y - 1) if _data_of(y) != 0 else 0.0          # x**0 is flat, even at 0
        return dx, (out * log(x) if _data_of(x) != 0 else 0.0)       # (x**y -> 0 as x -> 0+)

    @staticmethod
    def _d_pow_const_base(out, a, y):
        """d/dy = a^y·log(a)  (a is a constant)"""
        return 0.0, (out * log(a) if _data_of(a) != 0 else 0.0)

    @staticmethod
    def _d_pow_const(out, x, k):
        """d/dx = k·x^(k-1)  (k is a constant)"""
        k_number = _data_of(k)
        return (k * x ** (k_number - 1) if k_number != 0 else 0.0), 0.0

    __pow__, __rpow__ = _operator("**", _pow)

    # ---- out = exp(x)         d/dx = exp(x) = out
    def exp(self) -> Value:
        """e**x (a result too big for a float is inf, as in IEEE arithmetic)."""
        return Value(_exp_number(self.data), (self,), "exp", Value._d_exp)

    @staticmethod
    def _d_exp(out, x):
        """d/dx = exp(x) = out"""
        return (out,)

    # ---- out = log(x)         d/dx = 1/x
    def log(self) -> Value:
        """Natural logarithm; real data needs x > 0 (a complex Value takes any x != 0)."""
        return Value(_log_number(self.data), (self,), "log", Value._d_log)

    @staticmethod
    def _d_log(out, x):
        """d/dx = 1/x"""
        return (1.0 / x,)

    # ---- out = sqrt(x)        d/dx = 1 / (2 sqrt(x)) = 1 / (2 out)
    def sqrt(self) -> Value:
        """Square root; real data needs x >= 0."""
        return Value(_sqrt_number(self.data), (self,), "sqrt", Value._d_sqrt)

    @staticmethod
    def _d_sqrt(out, x):
        """d/dx = 1/(2·sqrt(x)) = 0.5/out"""
        return (0.5 / out,)

    # ---- out = sin(x)         d/dx = cos(x)
    def sin(self) -> Value:
        """Sine (radians)."""
        return Value(_sin_number(self.data), (self,), "sin", Value._d_sin)

    @staticmethod
    def _d_sin(out, x):
        """d/dx = cos(x)"""
        return (cos(x),)

    # ---- out = cos(x)         d/dx = -sin(x)
    def cos(self) -> Value:
        """Cosine (radians)."""
        return Value(_cos_number(self.data), (self,), "cos", Value._d_cos)

    @staticmethod
    def _d_cos(out, x):
        """d/dx = -sin(x)"""
        return (-sin(x),)

    # ---- out = tan(x)         d/dx = 1 + tan(x)**2 = 1 + out**2
    def tan(self) -> Value:
        """Tangent (radians)."""
        return Value(_tan_number(self.data), (self,), "tan", Value._d_tan)

    @staticmethod
    def _d_tan(out, x):
        """d/dx = 1 + tan²(x) = 1 + out²"""
        if isinstance(_data_of(out), complex) and abs(1 + _data_of(out) ** 2) < 0.5:
            # tan z -> ±i far from the real axis: 1 + out² would cancel; use
            # 1/cos²(z) = sech²(iz) (cos z = cosh iz), computed without overflow.
            return (_sech_squared(1j * x),)
        return (1.0 + out * out,)

    # ---- out = tanh(x)        d/dx = 1 - tanh(x)**2 = 1 - out**2
    def tanh(self) -> Value:
        """Hyperbolic tangent, the classic neuron activation."""
        return Value(_tanh_number(self.data), (self,), "tanh", Value._d_tanh)

    @staticmethod
    def _d_tanh(out, x):
        """d/dx = 1 - tanh²(x) = 1 - out²"""
        if abs(_data_of(out)) < 0.5:
            return (1.0 - out * out,)
        # Where tanh saturates, out² is within rounding of 1 and 1 - out² loses every
        # digit (it is exactly 0 from x ≈ 19); 1/cosh²(x) keeps them all.
        return (_sech_squared(x),)

    # ---- out = arctan(x)      d/dx = 1 / (1 + x**2)
    def arctan(self) -> Value:
        """Inverse tangent."""
        return Value(_arctan_number(self.data), (self,), "arctan", Value._d_arctan)

    @staticmethod
    def _d_arctan(out, x):
        """d/dx = 1/(1 + x²)"""
        return (1.0 / (1.0 + x * x),)

    # ---- out = sinh(x)        d/dx = cosh(x)
    def sinh(self) -> Value:
        """Hyperbolic sine."""
        return Value(_sinh_number(self.data), (self,), "sinh", Value._d_sinh)

    @staticmethod
    def _d_sinh(out, x):
        """d/dx = cosh(x)"""
        return (cosh(x),)

    # ---- out = cosh(x)        d/dx = sinh(x)
    def cosh(self) -> Value:
        """Hyperbolic cosine."""
        return Value(_cosh_number(self.data), (self,), "cosh", Value._d_cosh)

    @staticmethod
    def _d_cosh(out, x):
        """d/dx = sinh(x)"""
        return (sinh(x),)

    # ---- out = log(1 + x)     d/dx = 1 / (1 + x)    (accurate for tiny x)
    def log1p(self) -> Value:
        """log(1 + x), accurate when x is tiny; real data needs x > -1."""
        return Value(_log1p_number(self.data), (self,), "log1p", Value._d_log1p)

    @staticmethod
    def _d_log1p(out, x):
        """d/dx = 1/(1 + x)"""
        return (1.0 / (1.0 + x),)

    # ---- out = exp(x) - 1     d/dx = exp(x) = out + 1  (accurate for tiny x)
    def expm1(self) -> Value:
        """e**x - 1, accurate when x is tiny."""
        return Value(_expm1_number(self.data), (self,), "expm1", Value._d_expm1)

    @staticmethod
    def _d_expm1(out, x):
        """d/dx = exp(x) = out + 1"""
        if _data_of(out).real < -0.5:    # out ≈ -1: out + 1 would cancel; exp(x) is tiny and exact
            return (exp(x),)
        return (out + 1.0,)

    # ---- out = 1 / (1 + exp(-x))     d/dx = out * (1 - out)
    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), computed so that it never overflows."""
        return Value(_sigmoid(self.data), (self,), "sigmoid", Value._d_sigmoid)

    @staticmethod
    def _d_sigmoid(out, x):
        """d/dx = σ(x)·(1 - σ(x)) = out·(1 - out)"""
        if _data_of(out).real > 0.5:     # out ≈ 1: 1 - out would cancel; it equals σ(-x)
            return (out * sigmoid(-x),)
        return (out * (1.0 - out),)

    # ---- out = log(1 + exp(x)), computed without overflow    d/dx = sigmoid(x)
    def softplus(self) -> Value:
        """log(1 + e**x), computed so that it never overflows (a smooth relu)."""
        return Value(_softplus(self.data), (self,), "softplus", Value._d_softplus)

    @staticmethod
    def _d_softplus(out, x):
        """d/dx = σ(x)"""
        return (sigmoid(x),)

    # ---- out = max(x, 0)      d/dx = 1 if x > 0 else 0   (relu'(0) = 0 by convention)
    def relu(self) -> Value:
        """max(x, 0); its derivative at the kink x = 0 is taken as 0."""
        return Value(_relu_number(self.data), (self,), "relu", Value._d_relu)

    @staticmethod
    def _d_relu(out, x):
        """d/dx = 1 if x > 0 else 0  (0 at the kink)"""
        return (1.0 if _data_of(x) > 0 else 0.0,)

    # ---- out = x if x > 0 else slope * x     d/dx = 1 or slope,  d/dslope = 0 or x
    def leaky_relu(self, slope: Value | float = 0.01) -> Value:
        """x for x > 0, slope * x otherwise (slope may be a Value)."""
        _require_real(self.data, "leaky_relu")
        slope = slope if slope.__class__ is Value else _constant(slope, "leaky_relu", self)
        x = self.data
        return Value(x if x > 0 else slope.data * x, (self, slope), "leaky_relu", Value._d_leaky_relu)

    @staticmethod
    def _d_leaky_relu(out, x, slope):
        """d/dx = 1 if x > 0 else slope;  d/dslope = 0 if x > 0 else x"""
        return (1.0, 0.0) if _data_of(x) > 0 else (slope, x)

    # ---- out = log2(x)        d/dx = 1 / (x log 2)
    def log2(self) -> Value:
        """Base-2 logarithm; real data needs x > 0."""
        return Value(_log_number(self.data, "log2"), (self,), "log2", Value._d_log2)

    @staticmethod
    def _d_log2(out, x):
        """d/dx = 1/(x·log 2)"""
        return (1.0 / (x * _LN2),)

    # ---- out = log10(x)       d/dx = 1 / (x log 10)
    def log10(self) -> Value:
        """Base-10 logarithm; real data needs x > 0."""
        return Value(_log_number(self.data, "log10"), (self,), "log10", Value._d_log10)

    @staticmethod
    def _d_log10(out, x):
        """d/dx = 1/(x·log 10)"""
        return (1.0 / (x * _LN10),)

    # ---- out = 2**x           d/dx = 2**x log 2 = out log 2
    def exp2(self) -> Value:
        """2**x (a result too big for a float is inf)."""
        return Value(_exp2_number(self.data), (self,), "exp2", Value._d_exp2)

    @staticmethod
    def _d_exp2(out, x):
        """d/dx = 2^x·log 2 = out·log 2"""
        return (out * _LN2,)

    # ---- out = arcsin(x)      d/dx = 1 / sqrt(1 - x**2)
    def arcsin(self) -> Value:
        """Inverse sine; real data needs -1 <= x <= 1."""
        return Value(_inverse_trig(self.data, "arcsin"), (self,), "arcsin", Value._d_arcsin)

    @staticmethod
    def _d_arcsin(out, x):
        """d/dx = 1/sqrt(1 - x²)  (as 1/(sqrt(1-x)·sqrt(1+x)): exact near ±1, infinite at ±1)"""
        return (1.0 / (sqrt(1.0 - x) * sqrt(1.0 + x)),)

    # ---- out = arccos(x)      d/dx = -1 / sqrt(1 - x**2)
    def arccos(self) -> Value:
        """Inverse cosine; real data needs -1 <= x <= 1."""
        return Value(_inverse_trig(self.data, "arccos"), (self,), "arccos", Value._d_arccos)

    @staticmethod
    def _d_arccos(out, x):
        """d/dx = -1/sqrt(1 - x²)  (as -1/(sqrt(1-x)·sqrt(1+x)))"""
        return (-1.0 / (sqrt(1.0 - x) * sqrt(1.0 + x)),)

    # ---- out = arcsinh(x)     d/dx = 1 / sqrt(x**2 + 1)
    def arcsinh(self) -> Value:
        """Inverse hyperbolic sine."""
        return Value(_arcsinh_number(self.data), (self,), "arcsinh", Value._d_arcsinh)

    @staticmethod
    def _d_arcsinh(out, x):
        """d/dx = 1/sqrt(x² + 1)"""
        if not isinstance(_data_of(x), complex) and abs(_data_of(x)) > 1e150:
            return (1.0 / abs(x),)          # x² would overflow; 1/|x| is exact there
        return (1.0 / sqrt(x * x + 1.0),)

    # ---- out = arccosh(x)     d/dx = 1 / sqrt(x**2 - 1)
    def arccosh(self) -> Value:
        """Inverse hyperbolic cosine; real data needs x >= 1."""
        return Value(_inverse_trig(self.data, "arccosh"), (self,), "arccosh", Value._d_arccosh)

    @staticmethod
    def _d_arccosh(out, x):
        """d/dx = 1/sqrt(x² - 1)  (as 1/(sqrt(x-1)·sqrt(x+1)): exact near 1, no overflow)"""
        return (1.0 / (sqrt(x - 1.0) * sqrt(x + 1.0)),)

    # ---- out = arctanh(x)     d/dx = 1 / (1 - x**2)
    def arctanh(self) -> Value:
        """Inverse hyperbolic tangent; real data needs -1 < x < 1."""
        return Value(_inverse_trig(self.data, "arctanh"), (self,), "arctanh", Value._d_arctanh)

    @staticmethod
    def _d_arctanh(out, x):
        """d/dx = 1/(1 - x²)  (as 1/((1-x)(1+x)): exact near ±1)"""
        return (1.0 / ((1.0 - x) * (1.0 + x)),)

    # ---- out = sin(pi x) / (pi x), 1 at 0    d/dx = (cos(pi x) - out) / x, 0 at 0
    def sinc(self) -> Value:
        """numpy's normalised sinc: sin(πx)/(πx), and 1 at x = 0."""
        return Value(_sinc_number(self.data), (self,), "sinc", Value._d_sinc)

    @staticmethod
    def _d_sinc(out, x):
        """d/dx = (cos(πx) - sinc(x))/x = (cos(πx) - out)/x  (0 at x = 0)"""
        if _data_of(x) == 0:
            return (0.0,)
        return ((cos(math.pi * x) - out) / x,)

    # ---- out = arctan2(y, x), the angle of the point (x, y)
    #      d/dy = x / (x**2 + y**2),  d/dx = -y / (x**2 + y**2)
    def arctan2(self, other: Value | Number) -> Value:
        """The angle of the point (other, self) in radians, in (-π, π] (numpy's arctan2(y, x))."""
        other = other if other.__class__ is Value else _constant(other, "arctan2", self)
        _require_real(self.data, "arctan2")
        _require_real(other.data, "arctan2")
        return Value(math.atan2(self.data, other.data), (self, other), "arctan2", Value._d_arctan2)

    @staticmethod
    def _d_arctan2(out, y, x):
        """d/dy = x/(x² + y²), d/dx = -y/(x² + y²)  (undefined at the origin)"""
        r2 = x * x + y * y
        return x / r2, -y / r2

    # ---- out = sqrt(x**2 + y**2)     d/dx = x / out,  d/dy = y / out   (0 at the origin)
    def hypot(self, other: Value | Number) -> Value:
        """sqrt(x² + y²) without overflow; its derivative at the origin is taken as 0 (like abs)."""
        other = other if other.__class__ is Value else _constant(other, "hypot", self)
        _require_real(self.data, "hypot")
        _require_real(other.data, "hypot")
        return Value(math.hypot(self.data, other.data), (self, other), "hypot", Value._d_hypot)

    @staticmethod
    def _d_hypot(out, x, y):
        """d/dx = x/out, d/dy = y/out  (0 at the origin)"""
        if _data_of(out) == 0:
            return 0.0, 0.0
        return x / out, y / out

    # ---- out = log(exp(x) + exp(y)), without overflow    d/dx = exp(x - out), d/dy = exp(y - out)
    def logaddexp(self, other: Value | Number) -> Value:
        """log(e**x + e**y), computed so that it never overflows."""
        other = other if other.__class__ is Value else _constant(other, "logaddexp", self)
        _require_real(self.data, "logaddexp")
        _require_real(other.data, "logaddexp")
        return Value(_logaddexp(self.data, other.data), (self, other), "logaddexp",
                     Value._d_logaddexp)

    @staticmethod
    def _d_logaddexp(out, x, y):
        """d/dx = e^x/(e^x + e^y) = exp(x - out), d/dy = exp(y - out)"""
        return exp(x - out), exp(y - out)

    # ---- out = x mod y = x - y floor(x/y)     d/dx = 1, d/dy = -floor(x/y)
    def _mod(self, other: Value) -> Value:
        return Value(_mod_number(self.data, other.data), (self, other), "%", Value._d_mod)

    @staticmethod
    def _d_mod(out, x, y):
        """d/dx = 1, d/dy = -floor(x/y)  (the jumps, where x/y is a whole number, are left out)"""
        return 1.0, -float(math.floor(_data_of(x) / _data_of(y)))

    __mod__, __rmod__ = _operator("%", _mod)

    # ---- built from the primitives above: their derivatives come from those rules
    def square(self) -> Value:
        """x * x"""
        return self * self

    def reciprocal(self) -> Value:
        """1 / x"""
        return 1.0 / self

    def rad2deg(self) -> Value:
        """Radians to degrees: x * 180/π."""
        return self * _DEGREES_PER_RADIAN

    def deg2rad(self) -> Value:
        """Degrees to radians: x * π/180."""
        return self * _RADIANS_PER_DEGREE

    degrees = rad2deg
    radians = deg2rad

    def logaddexp2(self, other: Value | Number) -> Value:
        """log2(2**x + 2**y): logaddexp in base 2."""
        return (self * _LN2).logaddexp(as_value(other) * _LN2) / _LN2

    def fabs(self) -> Value:
        """|x| for real data (numpy's fabs)."""
        _require_real(self.data, "fabs")
        return abs(self)

    # ---- not differentiable (piecewise constant): plain numbers, as in HIPS autograd
    def __floordiv__(self, other: Value | Number) -> float:
        return _data_of(self) // _data_of(other)

    def __rfloordiv__(self, other: Value | Number) -> float:
        return _data_of(other) // self.data

    def __floor__(self) -> int:
        return math.floor(self.data)

    def __ceil__(self) -> int:
        return math.ceil(self.data)

    def __trunc__(self) -> int:
        return math.trunc(self.data)

    def __round__(self, ndigits=None):
        return round(self.data, ndigits)

    def rint(self) -> float:
        return float(round(self.data))

    # ---- out = |x|   real: d/dx = sign(x) (0 at 0);  complex: the modulus, see below
    def __abs__(self) -> Value:
        """|x|; for complex data, the modulus (a real Value)."""
        return Value(abs(self.data), (self,), "abs", Value._d_abs)

    @staticmethod
    def _d_abs(out, x):
        """real: d/dx = sign(x) (0 at 0);  complex: d/dz = conj(z)/|z|  (0 at 0)"""
        d = _data_of(x)
        if isinstance(d, complex):          # modulus: gradient conj(z)/|z| (0 at z = 0)
            return (conj(x) / out,) if d != 0 else (0.0,)
        return (1.0 if d > 0 else -1.0 if d < 0 else 0.0,)

    absolute = __abs__   # numpy's name, so np.abs(array_of_values) works
    abs = __abs__        # v.abs()

    # ---- complex parts.  For z = x + iy:  real(z) = x,  imag(z) = y.
    # Their rules follow HIPS autograd's convention for real-valued functions of
    # complex inputs: the gradient is df/dx - i df/dy.
    @property
    def real(self) -> Value:
        if not isinstance(self.data, complex):
            return self
        return Value(self.data.real, (self,), "real", Value._d_real)

    @staticmethod
    def _d_real(out, z):
        """d/dz = 1"""
        return (1.0,)

    @property
    def imag(self) -> Value:
        if not isinstance(self.data, complex):
            return Value(0.0, (self,), "imag", Value._d_imag_of_real)
        return Value(self.data.imag, (self,), "imag", Value._d_imag)

    @staticmethod
    def _d_imag_of_real(out, x):
        """d/dx = 0"""
        return (0.0,)

    @staticmethod
    def _d_imag(out, z):
        """d/dz = -i  (autograd's convention: df/dx - i·df/dy)"""
        return (-1j,)

    def conj(self) -> Value:
        """Complex conjugate x - iy, built from real and imag so their rules apply."""
        if not isinstance(self.data, complex):
            return self
        return self.real - 1j * self.imag

    conjugate = conj

    # ======================================================================
    # Walking the graph
    # ======================================================================
    def backward(self, create_graph: bool = False) -> None:
        """Fill ``.grad`` of every node of this graph with d(self)/d(node).

        Leaves (the Values you made) *accumulate*: a second call adds the same
        amounts again, as in PyTorch.  Intermediate nodes show this pass only.

        >>> x = Value(3.0); y = x * x
        >>> y.backward(); x.grad
        6.0
        >>> y.backward(); x.grad      # leaves accumulate
        12.0

        With ``create_graph=True`` the gradients are Values built from the
        graph, so they can be differentiated again:

        >>> x = Value(3.0); y = x ** 3
        >>> y.backward(create_graph=True); dy = x.grad   # 3x^2 = 27
        >>> x.grad = 0.0; dy.backward(); x.grad          # d(3x^2)/dx = 6x
        18.0
        """
        _check_scalar_root(self)
        with collector_paused():
            if create_graph:
                backward_pass(self, step=_backward_creating_graph)
            elif _special:                      # a switch is on: the readable sweep checks it
                backward_pass(self)
            else:
                _fast_backward(self, topological_order(self))

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on every node of this graph (leaves included)."""
        for node in topological_order(self):
            node.grad = 0.0

    def detach(self) -> Value:
        """A constant copy of this Value: same number, no history, no gradient flows.

        >>> x = Value(2.0); y = (x * 3).detach() * x
        >>> y.backward(); x.grad     # the detached factor counts as the constant 6
        6.0
        """
        return Value(self.data, label=self.label, requires_grad=False)


#: Each primitive op's derivative rule (the rule's docstring is its formula).  A node's
#: own rule is ``node._rule``: it can be a variant, e.g. ``x ** 2`` (a constant exponent)
#: uses ``Value._d_pow_const``, ``2 ** y`` (a constant base) ``Value._d_pow_const_base``,
#: and ``Value(2.0).imag`` uses ``Value._d_imag_of_real``.
PRIMITIVES = {
    "+": Value._d_add, "-": Value._d_sub, "*": Value._d_mul, "/": Value._d_div,
    "neg": Value._d_neg, "**": Value._d_pow, "exp": Value._d_exp, "log": Value._d_log,
    "sqrt": Value._d_sqrt, "sin": Value._d_sin, "cos": Value._d_cos, "tan": Value._d_tan,
    "tanh": Value._d_tanh, "arctan": Value._d_arctan, "sinh": Value._d_sinh,
    "cosh": Value._d_cosh, "log1p": Value._d_log1p, "expm1": Value._d_expm1,
    "sigmoid": Value._d_sigmoid, "softplus": Value._d_softplus, "relu": Value._d_relu,
    "leaky_relu": Value._d_leaky_relu, "abs": Value._d_abs, "real": Value._d_real,
    "imag": Value._d_imag, "log2": Value._d_log2, "log10": Value._d_log10, "exp2": Value._d_exp2,
    "arcsin": Value._d_arcsin, "arccos": Value._d_arccos, "arcsinh": Value._d_arcsinh,
    "arccosh": Value._d_arccosh, "arctanh": Value._d_arctanh, "sinc": Value._d_sinc,
    "arctan2": Value._d_arctan2, "hypot": Value._d_hypot, "logaddexp": Value._d_logaddexp,
    "%": Value._d_mod,
}


def _restore_leaf(data, grad, label, requires_grad):
    leaf = Value(data, label=label, requires_grad=requires_grad)
    leaf.grad = grad
    return leaf


def _restore_graph(records):
    """The inverse of ``Value.__reduce__`` for an op node: rebuild its graph, return its root."""
    with collector_paused():
        return _rebuild_nodes(records)


def _rebuild_nodes(records):
    nodes = []
    for record in records:
        if not isinstance(record, Value):
            data, grad, label, op, rule, requires_grad, children = record
            record = Value.__new__(Value)        # not __init__: no_grad must not strip a loaded graph
            record.data, record.grad, record.label, record.op = data, grad, label, op
            record._rule, record.requires_grad = rule, requires_grad
            record.children = tuple(nodes[i] for i in children)
        nodes.append(record)
    return nodes[-1]


# --------------------------------------------------------------------------
# Graph walks (iterative: an explicit stack instead of recursion)
# --------------------------------------------------------------------------
def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph once, each after all of its children.

    Inputs come first and ``root`` last.  Iterative depth-first search, so a
    graph a million nodes deep needs no recursion.

    >>> a = Value(1.0, label="a"); b = a + a; c = b * b
    >>> [n.op or n.label for n in topological_order(c)]
    ['a', '+', '*']
    """
    if root.__class__ is not Value:
        raise TypeError(f"topological_order needs a Value, got {type(root).__name__}")
    order = []
    visited = {root}
    stack = [root]            # the path we are exploring, deepest node last
    while stack:
        node = stack[-1]
        for child in node.children:          # descend into the first unvisited child...
            if child not in visited:
                visited.add(child)
                stack.append(child)
                break
        else:                                # ...or, when there is none, the node is done
            order.append(stack.pop())
    return order


def backward_pass(root: Value, order: list[Value] | None = None, seed: Any = 1.0,
                  step: Callable[[Value], None] = Value._backward) -> None:
    """Reverse mode, one comment per step: every node's ``.grad`` becomes d(root)/d(node).

    ``root.backward()`` is this sweep (run by a fast twin); ``step`` is the hook of the others.
    >>> x = Value(3.0); y = x * x + x
    >>> backward_pass(y); x.grad         # dy/dx = 2x + 1
    7.0
    """
    order = order or topological_order(root)  # 1. every node after the nodes it was made from
    for node in order:                       # 2. intermediate nodes forget the last pass
        if not node.is_leaf:                 #    (leaves accumulate, as in PyTorch)
            node.grad = 0.0
    root.grad = root.grad + seed if root.is_leaf else seed   # 3. seed: d(root)/d(root) = 1
    check = _anomaly_on()
    for node in reversed(order):             # 4. outputs first: a node's grad is complete
        try:                                 #    once every node that used it is done
            step(node)                       # 5. node._backward(): each child.grad += local * grad
        except (ZeroDivisionError, ValueError, OverflowError) as error:
            raise _derivative_error(node, error) from None
        if check:
            _check_backward(node)            # detect_anomaly(): stop at the first NaN/inf
    _finish_sweep(order)                     # 6. report: op counters, NaN/inf warning


def _backward_creating_graph(node):
    """The hook of ``backward(create_graph=True)``: local derivatives as Values, so the
    gradients are graphs too (differentiable again)."""
    node._backward(create_graph=True)


def real_where_real(node: Value, g: Any) -> Any:
    """``g`` (a gradient or tangent of ``node``), with only its real part if ``node`` is real.

    HIPS autograd's convention for real-valued functions of complex inputs: a
    real node's gradient is real (the imaginary part belongs to no real input).
    Every sweep uses it: reverse mode here, forward mode in ``forward.py``.

    >>> real_where_real(Value(2.0), 3 + 4j), real_where_real(Value(2j), 3 + 4j)
    (3.0, (3+4j))
    """
    if node.data.__class__ is not complex and _data_of(g).__class__ is complex:
        return g.real
    return g


def _keep_real_part(node):
    """``node.grad`` projected by ``real_where_real``, stored back into the node."""
    g = node.grad = real_where_real(node, node.grad)
    return g


def _finish_sweep(order):
    """After a reverse sweep: leaves keep real parts, counters hear of it, NaN/inf is reported."""
    leaves = [node for node in order if node._rule is None and node.requires_grad]
    for leaf in leaves:
        _keep_real_part(leaf)
    if _special and _observers.get():
        notify_sweep("reverse", sum(len(n.children) for n in order if n._rule is not None))
    _warn_if_not_finite([(leaf, leaf.grad) for leaf in leaves], order)


def _fast_backward(root, order):
    """``backward_pass`` for floats with no switch on: the same steps, with ``_backward`` inlined.

    A fast path that pays (benchmarks/bench.py, both side by side in one run):
    calling ``node._backward()`` per node makes the backward phase 2.5-3.1x slower
    (a method call, a tuple of partials and a test per edge), the whole training
    step of the mlp workload 1.65x.  Skipping constants here costs nothing: testing
    ``requires_grad`` per edge measured 0.99x (a chain) and 0.87x (a sum of
    products by constants) the time of letting constants receive numbers and
    zeroing them afterwards.
    """
    leaves = []
    for node in order:                  # intermediate nodes start from zero each pass
        if node._rule is not None:
            node.grad = 0.0
        elif node.requires_grad:
            leaves.append(node)
    root.grad = root.grad + 1.0 if root._rule is None else 1.0
    saw_complex = False
    try:
        for node in reversed(order):
            rule = node._rule
            if rule is None:
                continue
            g = node.grad
            if g.__class__ is complex or node.data.__class__ is complex:
                saw_complex = True
                g = _keep_real_part(node)
            children = node.children
            if len(children) == 2:
                x, y = children
                dx, dy = rule(node.data, x.data, y.data)
                if x.requires_grad:
                    x.grad += dx * g
                if y.requires_grad:
                    y.grad += dy * g
            else:
                partials = rule(node.data, *[c.data for c in children])
                for child, p in zip(children, partials):
                    if child.requires_grad:
                        child.grad += p * g
    except (ZeroDivisionError, ValueError, OverflowError) as error:
        raise _derivative_error(node, error) from None
    if saw_complex:
        for leaf in leaves:
            _keep_real_part(leaf)
    if not _is_finite(sum(map(_grad_of, leaves))):  # one cheap pass: inf and NaN survive a sum
        _warn_if_not_finite([(leaf, leaf.grad) for leaf in leaves], order)


def gradients(root: Value, wrt: list[Value] | None = None, create_graph: bool = False,
              order: list[Value] | None = None, seed: Any = 1.0,
              step: Callable[[Value], None] | None = None) -> dict[Value, Any]:
    """d(root)/d(node) for the nodes of ``root``'s graph, as a dict, leaving ``.grad`` as it was.

    This is the functional form of backward (like ``torch.autograd.grad``); the
    transforms (``grad``, ``jacobian``...) use it so that nested derivatives
    never mix and no gradient is left behind on your Values.  With
    ``create_graph=True`` the gradients are Values (differentiable again).
    ``wrt`` (a list of Values) limits the result to those nodes.  It runs
    ``backward_pass`` from zero (with ``step`` as its hook, if given) and puts
    every ``.grad`` back afterwards.

    >>> x = Value(2.0); y = x * x * x
    >>> gradients(y, [x])[x]
    12.0
    """
    _check_scalar_root(root)
    if order is None:
        order = topological_order(root)
    saved = [node.grad for node in order]
    try:
        for node in order:
            node.grad = 0.0
        if step is None:
            step = _backward_creating_graph if create_graph else Value._backward
        backward_pass(root, order, seed, step)
        grads = {node: node.grad for node in order if node.requires_grad}
    finally:
        for node, g in zip(order, saved):
            node.grad = g
    if wrt is None:
        return grads
    return {w: grads.get(w, 0.0) for w in wrt}


def primitive(op: str, forward: Callable[..., Number],
              rule: Callable[..., tuple[Any, ...]]) -> Callable[..., Value]:
    """Make a new primitive operation from a number function and its derivative rule.

    ``forward(*numbers)`` computes the result; ``rule(out, *inputs)`` returns one
    local derivative per input, written with operations that work on numbers
    and on Values (like the built-in rules), so every mode can use it.

    >>> cube = primitive("cube", lambda x: x ** 3, lambda out, x: (3 * x * x,))
    >>> x = Value(2.0); y = cube(x); y.backward()
    >>> y.data, x.grad
    (8.0, 12.0)
    """
    if not rule.__doc__:
        rule.__doc__ = f"the derivative rule of {op}"

    def apply(*inputs):
        inputs = tuple(as_value(x) for x in inputs)
        return Value(forward(*[x.data for x in inputs]), inputs, op, rule)
    apply.__name__ = op
    return apply


def _derivative_error(node, error):
    """Explain a local derivative that cannot be computed (e.g. sqrt at 0)."""
    operands = ", ".join(_short(_data_of(c)) for c in node.children)
    message = (f"the derivative of {node.op}({operands}) is infinite or undefined there "
               f"({node._rule.__doc__}): {error}")
    if _anomaly_on():
        return FloatingPointError("detect_anomaly: backward: " + message)
    return type(error)(message)


_grad_of = operator.attrgetter("grad")


def _warn_if_not_finite(leaf_grads, order):
    """A NaN or inf gradient although every input is finite: say so (never silently)."""
    if _anomaly_on():
        return                          # detect_anomaly() has already checked every op
    for leaf, g in leaf_grads:
        if not _is_finite(_data_of(g)):
            if all(_is_finite(n.data) for n in order if n._rule is None):
                name = repr(leaf.label) if leaf.label else _short(leaf)
                warnings.warn(f"backward: the gradient of {name} is {_short(_data_of(g))} although "
                              "every input is finite: an intermediate result overflowed (or hit "
                              "0·inf); run the computation inside tinygrad_edu.detect_anomaly() to "
                              "find the op", RuntimeWarning, stacklevel=3)
            return


def _check_scalar_root(root):
    if root.__class__ is not Value:
        raise TypeError(f"backward needs a Value, got {type(root).__name__}")


# --------------------------------------------------------------------------
# Context managers
# --------------------------------------------------------------------------
@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block operations record nothing: results are constants.

    The switch holds for the thread (or asyncio task) that runs the block;
    other threads keep recording.  On exit the previous state comes back, so
    blocks nest.

    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * 3
    >>> y.children, y.requires_grad
    ((), False)
    """
    with _switched(_grad_enabled, False):
        yield


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``FloatingPointError`` at the op that first makes a NaN or inf.

    Like ``no_grad()``, it holds for the thread (or asyncio task) that runs the block.

    >>> with detect_anomaly():
    ...     Value(1e308) * 10          # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    FloatingPointError: ...
    """
    with _switched(_anomaly, True):
        yield


@contextmanager
def forbid_float() -> Iterator[None]:
    """Inside this block, turning a Value into a float (``math.exp(v)``) is an error.

    The transforms (``grad``...) use it while they run your function: there,
    ``float(v)`` would silently cut ``v`` out of the graph and give a wrong gradient.
    """
    previous = _float_forbidden.get()
    _float_forbidden.set(True)
    try:                      # float() checks the variable itself: not a node-creation switch
        yield
    finally:
        _float_forbidden.set(previous)


@contextmanager
def _switched(switch, value):
    """Set the context variable ``switch`` to ``value`` inside the block, then restore it."""
    previous = switch.get()
    switch.set(value)
    _count_switch(+1)
    try:
        yield
    finally:
        # set(previous) rather than reset(token): a block entered in one context
        # and left in another (a notebook cell runs in a copy) must not fail.
        switch.set(previous)
        _count_switch(-1)


def add_observer(observer):
    """Tell ``observer`` about the work done in this thread (used by the op counter).

    ``observer.on_node(node)`` is called for every op node created and
    ``observer.on_sweep(kind, multiplies)`` after every derivative sweep
    ("reverse" or "forward") with the number of local-derivative multiplications.
    """
    _observers.set(_observers.get() + (observer,))
    _count_switch(+1)


def remove_observer(observer):
    current = _observers.get()
    if observer not in current:
        raise ValueError(f"remove_observer: {observer!r} is not observing this thread")
    i = current.index(observer)
    _observers.set(current[:i] + current[i + 1:])
    _count_switch(-1)


def notify_sweep(kind, multiplies):
    """Report one derivative sweep to this context's observers (cheap when there are none)."""
    if _special:
        for observer in _observers.get():
            observer.on_sweep(kind, multiplies)


def _record_special(node):
    """The slow path of node creation: no_grad, anomaly checks, observers."""
    if not _grad_enabled.get():
        node.children = ()
        node.op = ""
        node._rule = None
        node.requires_grad = False
        return
    if _anomaly.get() and not _is_finite(node.data):
        operands = ", ".join(_short(c.data) for c in node.children)
        raise FloatingPointError(f"detect_anomaly: {node.op}({operands}) produced {_short(node.data)}")
    for observer in _observers.get():
        observer.on_node(node)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Switch Python's cyclic garbage collector off inside the block, then back as it was.

    Graphs of Values hold no reference cycles (nodes point to their children
    and to shared rule functions, never back), so reference counting frees them
    and the collector has nothing to find in them.  Left on, it would still
    re-scan every long-lived object of the process -- in a Jupyter kernel, some
    hundred thousand -- again and again while a big graph is built.
    ``backward()``, ``fit`` and the transforms run inside this block.  Blocks
    may nest and overlap across threads: the collector comes back on (if it
    was on) when the last one ends.

    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _pauses, _collector_was_on
    with _switches_lock:
        if _pauses == 0:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _switches_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_on:
                gc.enable()


_pauses = 0                   # collector_paused() blocks running, over all threads
_collector_was_on = True      # the collector's state when the first of them began


def _anomaly_on():
    """True inside ``detect_anomaly()`` in this context (one flag read when no switch is on)."""
    return _special and _anomaly.get()


def _check_backward(node):
    """Inside ``detect_anomaly()``: raise if this node's step gave a child a NaN or inf gradient."""
    for child in node.children:
        g = child.grad
        if not _is_finite(_data_of(g)):
            operands = ", ".join(_short(c.data) for c in node.children)
            raise FloatingPointError(
                f"detect_anomaly: the backward pass of {node.op}({operands}) gave a gradient "
                f"of {_short(_data_of(g))}")


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------
def as_value(x: Value | Number) -> Value:
    """``x`` itself if it is a Value, else a new leaf Value holding it."""
    return x if isinstance(x, Value) else Value(x)


def _as_value(x):
    return x if x.__class__ is Value else Value(x, requires_grad=False)


def _constant(x, op, other):
    """Wrap a plain number used in an expression as a constant Value."""
    if x.__class__ is float:
        return Value(x, requires_grad=False)
    if hasattr(x, "__array_ufunc__") and getattr(x, "shape", ()) != ():
        return NotImplemented          # numpy arrays broadcast the Value themselves
    try:
        return Value(_to_number(x), requires_grad=False)
    except TypeError:
        raise TypeError(f"unsupported operand for {op}: Value ({_short(other.data)}) and "
                        f"{type(x).__name__} ({x!r}); use numbers or Values") from None


def _compare(value, other, symbol, compare):
    try:
        return compare(value.data, _data_of(other))
    except TypeError:
        raise TypeError(f"cannot compare {value!r} {symbol} {other!r}: complex numbers have no order "
                        "(compare abs(v) or v.real), and a Value compares only with numbers") from None


def _data_of(x):
    return x.data if isinstance(x, Value) else x


# Each op's forward on a plain number, written once: ``Value.exp`` records it in the
# graph, the module-level ``exp(2.0)`` returns it.  (The ops with a domain have
# their own ``_log_number``, ``_sqrt_number``... further down.)
def _real_or_complex(name, real_fn, complex_fn):
    def number_fn(x):
        return complex_fn(x) if x.__class__ is complex else real_fn(x)
    number_fn.__name__ = number_fn.__qualname__ = f"_{name}_number"
    return number_fn


_sin_number = _real_or_complex("sin", math.sin, cmath.sin)
_cos_number = _real_or_complex("cos", math.cos, cmath.cos)
_tan_number = _real_or_complex("tan", math.tan, cmath.tan)
_tanh_number = _real_or_complex("tanh", math.tanh, cmath.tanh)
_arctan_number = _real_or_complex("arctan", math.atan, cmath.atan)
_arcsinh_number = _real_or_complex("arcsinh", math.asinh, cmath.asinh)


def _is_finite(x):
    return cmath.isfinite(x) if x.__class__ is complex else math.isfinite(x)


def _short(x):
    """A number as a student would write it: 6.0, 0.5, 1e-08, (1+2j)."""
    if isinstance(x, Value):
        return f"Value({_short(x.data)})"
    if isinstance(x, float):
        return repr(x)
    return str(x)


# exp and its family: a result too big for a float is inf (IEEE behaviour, as numpy).
def _overflow_to_inf(real_fn, complex_fn, signed=False):
    """real_fn on floats (inf, or -inf for signed functions, where it overflows), complex_fn on complex."""
    def number(x):
        if x.__class__ is complex:
            return complex_fn(x)
        try:
            return real_fn(x)
        except OverflowError:
            return math.copysign(math.inf, x) if signed else math.inf
    return number


_exp_number = _overflow_to_inf(math.exp, cmath.exp)
_exp2_number = _overflow_to_inf(lambda x: 2.0 ** x, lambda z: _power(2.0, z))
_expm1_number = _overflow_to_inf(math.expm1, lambda z: cmath.exp(z) - 1)
_sinh_number = _overflow_to_inf(math.sinh, cmath.sinh, signed=True)
_cosh_number = _overflow_to_inf(math.cosh, cmath.cosh)


def _sigmoid(x):
    # Two forms so that neither overflows: exp is only ever taken of a negative number.
    if x.__class__ is complex:
        if x.real >= 0:
            return 1.0 / (1.0 + cmath.exp(-x))
        e = cmath.exp(x)
        return e / (1.0 + e)
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x):
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|.
    if x.__class__ is complex:
        if x.real > 0:                  # log(1 + e^z) = z + log(1 + e^-z)
            return x + cmath.log(1 + cmath.exp(-x))
        return cmath.log(1 + cmath.exp(x))
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sech_squared(x):
    """1/cosh²(x) = 4e/(1 + e)² with e = exp(-2|x|): accurate, and no overflow for any x.

    Numbers or Values (then it records the graph); for complex x, |x| is ±x
    with a positive real part.
    """
    if x.__class__ is float:
        e = math.exp(-2.0 * abs(x))
        return 4.0 * e / ((1.0 + e) * (1.0 + e))
    e = exp(-2.0 * x) if _data_of(x).real >= 0 else exp(2.0 * x)
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _power(x, k):
    """x ** k with the errors a student can act on."""
    if x == 0 and (k.real if k.__class__ is complex else k) < 0:
        raise ZeroDivisionError(f"0 ** {_short(k)} is undefined (division by zero): "
                                f"base 0.0 with a negative exponent")
    if x.__class__ is not complex and k.__class__ is not complex and x < 0 and not k.is_integer():
        raise ValueError(f"{_short(x)} ** {_short(k)} is not a real number: a negative base "
                         "needs an integer exponent (use a complex Value for complex powers)")
    try:
        return x ** k
    except OverflowError:
        return math.inf if x > 0 or k % 2 == 0 else -math.inf


# --------------------------------------------------------------------------
# Module-level functions: work on Values *and* on plain numbers
# --------------------------------------------------------------------------
class _Unary(Protocol):
    """For type checkers: ``exp(Value) -> Value``, ``exp(float) -> float``, arrays elementwise."""
    @overload
    def __call__(self, x: Value) -> Value: ...
    @overload
    def __call__(self, x: float) -> float: ...
    @overload
    def __call__(self, x: Any) -> Any: ...


class _Binary(Protocol):
    """For type checkers: a Value on either side gives a Value; two floats give a float."""
    @overload
    def __call__(self, x: Value, y: Value | Number) -> Value: ...
    @overload
    def __call__(self, x: Number, y: Value) -> Value: ...
    @overload
    def __call__(self, x: float, y: float) -> float: ...
    @overload
    def __call__(self, x: Any, y: Any) -> Any: ...


def _unary(name: str, number_fn: Callable) -> _Unary:
    """The module-level function ``name``: the method ``Value.<name>`` on a Value, and on a
    number the same forward, ``number_fn``, that the method records."""
    def fn(x):
        if isinstance(x, Value):
            return getattr(x, name)()
        if hasattr(x, "shape") and getattr(x, "shape", ()) != ():   # numpy arrays: elementwise
            return _elementwise(fn, x)
        return number_fn(_to_number(x, f"{name}()"))
    fn.__name__ = fn.__qualname__ = name      # pickle finds it as tinygrad_edu.engine.<name>
    fn.__doc__ = f"{name}(x) for a Value or a plain number: {name}(Value) records the op."
    return fn


def _binary(name: str, number_fn: Callable) -> _Binary:
    def fn(x, y):
        if isinstance(x, Value):
            return getattr(x, name)(y)
        if isinstance(y, Value):
            return getattr(_constant(x, name, y), name)(y)
        if getattr(x, "shape", ()) != () or getattr(y, "shape", ()) != ():    # numpy arrays
            import numpy as np
            return np.frompyfunc(fn, 2, 1)(x, y)
        return number_fn(_to_number(x, f"{name}()"), _to_number(y, f"{name}()"))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{name}(x, y) for Values or plain numbers: {name}(Value, ...) records the op."
    return fn


def _elementwise(fn, array):
    """Apply ``fn`` to each element of a numpy array; numbers stay numbers (float or complex)."""
    import numpy as np
    result = np.frompyfunc(fn, 1, 1)(array)
    if array.dtype.kind in "biuf" and not any(isinstance(r, complex) for r in result.flat):
        return result.astype(float)
    if array.dtype.kind in "biufc":
        return result.astype(complex)
    return result          # an object array (of Values, say) stays an object array


def _require_real(x, op):
    if x.__class__ is complex:
        raise TypeError(f"{op} is not defined for complex numbers (got {x})")


# The functions with a domain: one home for their checks (methods and module functions).
_LOGS = {"log": (math.log, 1.0), "log2": (math.log2, _LN2), "log10": (math.log10, _LN10)}


def _log_number(x, name="log"):
    real_log, complex_divisor = _LOGS[name]
    if x.__class__ is complex:
        if x == 0:
            raise ValueError(f"{name}(0j) is undefined (log of zero)")
        return cmath.log(x) / complex_divisor if name != "log" else cmath.log(x)
    if x <= 0:
        raise ValueError(f"{name}({_short(x)}) is undefined for real numbers: {name} needs x > 0 "
                         "(for complex logs, use a complex Value)")
    return real_log(x)


# name -> (real function, complex function, the real domain as a test and in words)
_INVERSE_TRIG = {
    "arcsin": (math.asin, cmath.asin, lambda x: -1 <= x <= 1, "-1 <= x <= 1"),
    "arccos": (math.acos, cmath.acos, lambda x: -1 <= x <= 1, "-1 <= x <= 1"),
    "arccosh": (math.acosh, cmath.acosh, lambda x: x >= 1, "x >= 1"),
    "arctanh": (math.atanh, cmath.atanh, lambda x: -1 < x < 1, "-1 < x < 1"),
}


def _inverse_trig(x, name):
    real_fn, complex_fn, in_domain, domain = _INVERSE_TRIG[name]
    if x.__class__ is complex:
        if name == "arctanh" and (x == 1 or x == -1):
            raise ValueError(f"arctanh({x}) is infinite")
        return complex_fn(x)
    if not in_domain(x):
        raise ValueError(f"{name}({_short(x)}) is undefined for real numbers: {name} needs "
                         f"{domain} (for complex values, use a complex Value)")
    return real_fn(x)


def _mod_number(x, y):
    _require_real(x, "%")
    _require_real(y, "%")
    if y == 0:
        raise ZeroDivisionError(f"{_short(x)} % 0.0 is undefined (modulo by zero)")
    return x % y


def _logaddexp(x, y):
    if x == y:                      # also inf + inf and -inf + -inf, where x - y is nan
        return x + _LN2
    return max(x, y) + math.log1p(math.exp(-abs(x - y)))


def _sqrt_number(x):
    if x.__class__ is complex:
        return cmath.sqrt(x)
    if x < 0:
        raise ValueError(f"sqrt({_short(x)}) is undefined for real numbers: sqrt needs x >= 0")
    return math.sqrt(x)


def _log1p_number(x):
    if x.__class__ is complex:
        return _log_number(1 + x)
    if x <= -1:
        raise ValueError(f"log1p({_short(x)}) is undefined for real numbers: needs x > -1")
    return math.log1p(x)


def _sinc_number(x):
    return 1.0 if x == 0 else _sin_number(math.pi * x) / (math.pi * x)


def _relu_number(x):
    _require_real(x, "relu")
    return x if x > 0 else 0.0


exp = _unary("exp", _exp_number)
log = _unary("log", _log_number)
sqrt = _unary("sqrt", _sqrt_number)
sin = _unary("sin", _sin_number)
cos = _unary("cos", _cos_number)
tan = _unary("tan", _tan_number)
tanh = _unary("tanh", _tanh_number)
arctan = _unary("arctan", _arctan_number)
sinh = _unary("sinh", _sinh_number)
cosh = _unary("cosh", _cosh_number)
log1p = _unary("log1p", _log1p_number)
expm1 = _unary("expm1", _expm1_number)
sigmoid = _unary("sigmoid", _sigmoid)
softplus = _unary("softplus", _softplus)
relu = _unary("relu", _relu_number)
log2 = _unary("log2", partial(_log_number, name="log2"))
log10 = _unary("log10", partial(_log_number, name="log10"))
exp2 = _unary("exp2", _exp2_number)
arcsin = _unary("arcsin", partial(_inverse_trig, name="arcsin"))
arccos = _unary("arccos", partial(_inverse_trig, name="arccos"))
arcsinh = _unary("arcsinh", _arcsinh_number)
arccosh = _unary("arccosh", partial(_inverse_trig, name="arccosh"))
arctanh = _unary("arctanh", partial(_inverse_trig, name="arctanh"))
sinc = _unary("sinc", _sinc_number)
# Built from primitives (their methods are x * 180/π, x * x, 1 / x); on numbers, directly:
rad2deg = degrees = _unary("rad2deg", lambda x: x * _DEGREES_PER_RADIAN)
deg2rad = radians = _unary("deg2rad", lambda x: x * _RADIANS_PER_DEGREE)
square = _unary("square", lambda x: x * x if x.__class__ is complex else _power(x, 2.0))
reciprocal = _unary("reciprocal", lambda x: 1.0 / x)
arctan2 = _binary("arctan2", math.atan2)
hypot = _binary("hypot", math.hypot)
logaddexp = _binary("logaddexp", _logaddexp)
logaddexp2 = _binary("logaddexp2", lambda x, y: _logaddexp(x * _LN2, y * _LN2) / _LN2)


def absolute(x):
    """|x| for a Value (the modulus for complex) or a number (``tinygrad_edu.abs`` too)."""
    return abs(x)


def maximum(x, y):
    """The larger of x and y; the gradient goes to the one chosen (to x on a tie).

    >>> maximum(Value(2.0), 3.0).data
    3.0
    """
    if not isinstance(x, Value) and not isinstance(y, Value):
        return max(_to_number(x, "maximum()"), _to_number(y, "maximum()"))
    x, y = as_value(x), as_value(y)
    return x if x.data >= y.data else y


def minimum(x, y):
    """The smaller of x and y; the gradient goes to the one chosen (to x on a tie)."""
    if not isinstance(x, Value) and not isinstance(y, Value):
        return min(_to_number(x, "minimum()"), _to_number(y, "minimum()"))
    x, y = as_value(x), as_value(y)
    return x if x.data <= y.data else y


def angle(z, deg=False):
    """The argument of a complex number (0 or π for a real one), in radians or degrees."""
    if not isinstance(z, Value):
        a = cmath.phase(_to_number(z, "angle()"))
        return a * _DEGREES_PER_RADIAN if deg else a
    a = z.imag.arctan2(z.real)          # arctan2(y, x): for real z, y is a 0 that keeps the graph
    return a * _DEGREES_PER_RADIAN if deg else a


def leaky_relu(x, slope=0.01):
    """x if x > 0 else slope * x, for a Value or a number."""
    if isinstance(x, Value):
        return x.leaky_relu(slope)
    x = _to_number(x, "leaky_relu()")
    _require_real(x, "leaky_relu")
    return x if x > 0 else _data_of(slope) * x


def conj(x):
    """Complex conjugate of a Value or a number."""
    return x.conj() if isinstance(x, Value) else _to_number(x, "conj()").conjugate()


def real(x):
    return x.real if isinstance(x, Value) else _to_number(x, "real()").real


def imag(x):
    return x.imag if isinstance(x, Value) else _to_number(x, "imag()").imag


# --------------------------------------------------------------------------
# numpy on Values (numpy stays optional: nothing here imports it unless it is in use).
# On object arrays numpy calls each element's method of the ufunc's name
# (np.tanh(array) calls v.tanh(), np.arctan2(a, b) calls y.arctan2(x)): that is why
# the method names are numpy's.  On a bare Value numpy asks Value.__array_ufunc__
# (np.log2(v), np.float64(2.0) * v) and, for functions written in Python (np.sinc,
# np.angle, np.clip...), Value.__array_function__; both land here.
# --------------------------------------------------------------------------
_NUMPY_UFUNCS = {              # ufunc name -> the function that does it on Values and numbers
    "add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
    "divide": operator.truediv, "power": operator.pow, "float_power": operator.pow,
    "remainder": operator.mod, "negative": operator.neg, "positive": operator.pos,
    "absolute": absolute, "conjugate": conj, "maximum": maximum, "minimum": minimum,
    "fmax": maximum, "fmin": minimum, "fabs": lambda x: x.fabs() if isinstance(x, Value) else abs(x),
}
_NUMPY_UFUNCS.update({name: globals()[name] for name in (
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "arctan", "sinh", "cosh", "log1p",
    "expm1", "log2", "log10", "exp2", "arcsin", "arccos", "arcsinh", "arccosh", "arctanh",
    "rad2deg", "deg2rad", "radians", "degrees", "square", "reciprocal", "arctan2", "hypot",
    "logaddexp", "logaddexp2")})
# Piecewise constant (derivative 0 where it exists): computed on the numbers, as HIPS autograd does.
_NUMPY_ON_NUMBERS = {
    "floor", "ceil", "rint", "trunc", "sign", "signbit", "floor_divide", "isfinite", "isinf",
    "isnan", "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not",
}
_NUMPY_FUNCTIONS = {"sinc": sinc, "angle": angle}   # numpy functions written in Python


def _numpy_ufunc(ufunc, method, inputs, kwargs):
    name = ufunc.__name__
    if method == "__call__" and not kwargs and all(_is_scalar(x) for x in inputs):
        numbers = [x.item() if not isinstance(x, Value) and hasattr(x, "item") else x
                   for x in inputs]                  # np.float64(2.0) -> 2.0: no ping-pong
        if name in _NUMPY_UFUNCS:
            return _NUMPY_UFUNCS[name](*numbers)
        if name in _NUMPY_ON_NUMBERS:
            return ufunc(*[_data_of(x) for x in numbers])
    # Arrays, out=, reduce...: numpy's object loops, each Value as a 0-d object array.
    return _unwrap(getattr(ufunc, method)(*[_object_scalar(x) for x in inputs], **kwargs))


def _numpy_function(func, args, kwargs):
    handler = _NUMPY_FUNCTIONS.get(func.__name__)
    if handler is not None:
        return handler(*args, **kwargs)
    implementation = getattr(func, "_implementation", None)   # numpy's own code, undispatched
    if implementation is None:
        return _unwrap(func(*[_object_scalar(x) for x in args], **kwargs))
    return _unwrap(implementation(*args, **kwargs))


def _is_scalar(x):
    return isinstance(x, (Value, int, float, complex)) or \
        getattr(x, "shape", None) == ()


def _object_scalar(x):
    """A Value as a 0-d numpy object array (numpy then uses its object loops)."""
    if not isinstance(x, Value):
        return x
    import numpy as np
    array = np.empty((), dtype=object)
    array[()] = x
    return array


def _unwrap(result):
    """A 0-d object array back to the Value (or number) inside it."""
    if getattr(result, "shape", None) == () and getattr(result, "dtype", None) == object:
        return result[()]
    return result
