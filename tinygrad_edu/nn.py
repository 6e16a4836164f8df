"""Neurons, layers and multi-layer perceptrons built from scalar ``Value``s.

A neuron computes ``activation(w · x + b)``: a weighted sum of its inputs plus
a bias, passed through a non-linearity.  A layer is a list of neurons that all
see the same inputs; an MLP is a chain of layers.  Every weight and bias is a
``Value``, so calling the network records the whole computation and
``loss.backward()`` fills ``p.grad`` for every parameter ``p``.

>>> model = MLP(2, [16, 16, 1], seed=0)
>>> model
MLP(2 -> 16 -> 16 -> 1, relu hidden, linear output; 337 parameters)
>>> score = model([0.5, -1.0])      # one output unit: a bare Value
>>> score.backward()
>>> len(model.parameters()), all(p.grad == 0.0 for p in model.parameters())
(337, False)

Shapes and behaviour follow micrograd's ``nn``: weights start uniform in
[-1, 1], biases at 0, hidden units use ReLU (``activation="tanh"`` is the
other common choice), the last layer is linear, and a layer of width 1 returns
a bare ``Value`` instead of a one-element list.  Unlike micrograd, a bare
``Value`` is also accepted as the input of a 1-input layer, so
``MLP(2, [16, 1, 1])`` works.

Randomness: every module draws its initial weights from its own
``random.Random(seed)`` (or an ``rng`` you pass), never from the global
``random`` module, so the same seed gives the same network whatever else the
program does.

The training step (forward -> zero_grad -> backward -> update) and why only the
parameters need zeroing: the graph is rebuilt by every forward pass, so only
the parameters -- the leaves that survive from one step to the next -- carry
gradients over.  ``Module.zero_grad()`` resets exactly those.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

from .engine import Value, relu, tanh, sigmoid

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS"]

#: activation name -> function.  The engine's functions accept Values (they record
#: the op) and plain numbers (they just compute), so one table serves the
#: recording forward pass (``model(x)``) and the fast numbers-only pass (``predict``).
ACTIVATIONS = {
    "relu": relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "linear": None,
}


class Module:
    """Base class: anything that owns parameters.

    Subclasses define ``parameters()``; ``zero_grad()`` and ``num_parameters()``
    come for free.

    >>> n = Neuron(3, seed=1)
    >>> n.num_parameters()
    4
    """

    def parameters(self) -> list[Value]:
        """Every trainable Value of this module, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set ``p.grad = 0.0`` for every parameter (call it before each ``backward()``).

        Only the parameters need it: every other node is rebuilt by the next
        forward pass and starts with a gradient of zero.
        """
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self) -> int:
        return len(self.parameters())


class Neuron(Module):
    """One unit: ``activation(w[0]*x[0] + ... + w[n-1]*x[n-1] + b)``.

    ``activation`` is ``"relu"`` (default), ``"tanh"``, ``"sigmoid"`` or
    ``"linear"``.  micrograd's spelling ``nonlin=False`` means ``"linear"``
    (``nonlin=True`` means ReLU).

    >>> n = Neuron(2, activation="linear", seed=0)
    >>> n.w[0].data, n.w[1].data, n.b.data = 2.0, -1.0, 0.5
    >>> n([3.0, 4.0]).data             # 2*3 - 1*4 + 0.5
    2.5
    """

    def __init__(self, nin: int, activation: str = "relu", *, seed: int | None = None,
                 rng: random.Random | None = None, nonlin: bool | None = None, name: str = "") -> None:
        _check_count(nin, "Neuron", "nin (number of inputs)")
        if nonlin is not None:
            activation = "relu" if nonlin else "linear"
        self.activation = _check_activation(activation)
        self._act = ACTIVATIONS[self.activation]
        rng = _make_rng(seed, rng)
        prefix = f"{name}." if name else ""
        # micrograd's initialisation: weights uniform in [-1, 1], bias 0.
        self.w = [Value(rng.uniform(-1.0, 1.0), label=f"{prefix}w{i}") for i in range(nin)]
        self.b = Value(0.0, label=f"{prefix}b")

    @property
    def nin(self) -> int:
        return len(self.w)

    def __call__(self, x: Sequence[Value | float]) -> Value:
        return self._forward(_as_inputs(x, self.nin, "Neuron"))

    def _forward(self, x):
        """The forward pass on inputs already checked to be ``nin`` Values."""
        # Start the sum from the bias, not from 0: no extra constant node and one
        # addition fewer per neuron.  The graph is b + w0*x0, then + w1*x1, ...
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        return act if self._act is None else self._act(act)

    def predict(self, x: Sequence[float]) -> float:
        """The same computation on plain numbers: no graph, much faster (plots, accuracy)."""
        return self._predict(_as_numbers(x, self.nin, "Neuron"))

    def _predict(self, x):
        act = self.b.data
        for wi, xi in zip(self.w, x):
            act += wi.data * xi
        return act if self._act is None else self._act(act)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self):
        return f"Neuron({self.nin} inputs, {self.activation})"


class Layer(Module):
    """``nout`` neurons that all read the same ``nin`` inputs.

    Returns a list of ``nout`` Values, or a bare Value when ``nout == 1``
    (as micrograd does, so a one-output network gives a scalar you can call
    ``backward()`` on).

    >>> layer = Layer(3, 4, seed=0)
    >>> layer, len(layer([1.0, 2.0, 3.0])), layer.num_parameters()
    (Layer(3 -> 4, relu), 4, 16)
    """

    def __init__(self, nin: int, nout: int, activation: str = "relu", *, seed: int | None = None,
                 rng: random.Random | None = None, nonlin: bool | None = None, name: str = "") -> None:
        _check_count(nin, "Layer", "nin (number of inputs)")
        _check_count(nout, "Layer", "nout (number of neurons)")
        if nonlin is not None:
            activation = "relu" if nonlin else "linear"
        activation = _check_activation(activation)
        rng = _make_rng(seed, rng)
        prefix = f"{name}." if name else ""
        self.neurons = [Neuron(nin, activation, rng=rng, name=f"{prefix}n{j}") for j in range(nout)]
        self.nin, self.nout, self.activation = nin, nout, activation

    def __call__(self, x: Sequence[Value | float]) -> Any:   # a Value, or a list for several outputs
        # Turn plain-number inputs into constant Values once here, rather than
        # once per neuron inside ``w * x`` (saves nout - 1 constant nodes per input).
        x = _as_inputs(x, self.nin, "Layer")
        out = [n._forward(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def predict(self, x: Sequence[float]) -> Any:
        x = _as_numbers(x, self.nin, "Layer")
        out = [n._predict(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer({self.nin} -> {self.nout}, {self.activation})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(nin, [hidden..., nout])``.

    Hidden layers use ``activation`` (ReLU by default, or ``"tanh"``); the last
    layer is linear, so its outputs are scores (logits) for a loss to judge.
    With one output unit the call returns a bare ``Value``, otherwise a list.

    >>> MLP(3, [4, 4, 1], seed=0).num_parameters()     # (3+1)*4 + (4+1)*4 + (4+1)*1
    41
    >>> MLP(2, [16, 16, 1]).num_parameters()
    337
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu", *,
                 seed: int | None = None, rng: random.Random | None = None) -> None:
        _check_count(nin, "MLP", "nin (number of inputs)")
        if isinstance(nouts, int) or not hasattr(nouts, "__iter__"):
            raise TypeError(f"MLP needs a list of layer sizes, e.g. MLP(2, [16, 16, 1]), "
                            f"got {type(nouts).__name__}: {nouts!r}")
        nouts = list(nouts)
        if not nouts:
            raise ValueError("MLP needs at least one layer size, e.g. MLP(2, [16, 16, 1])")
        for size in nouts:
            _check_count(size, "MLP", "every layer size")
        self.activation = _check_activation(activation)
        rng = _make_rng(seed, rng)
        sizes = [nin] + nouts
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], self.activation if i < last else "linear",
                  rng=rng, name=f"L{i}")
            for i in range(len(nouts))
        ]
        self.nin, self.nouts = nin, nouts

    def __call__(self, x: Sequence[Value | float]) -> Any:   # a Value, or a list for several outputs
        for layer in self.layers:
            x = layer(x)
        return x

    def predict(self, x: Sequence[float]) -> Any:
        """The network's output as plain numbers (no graph): fast, for plots and accuracy."""
        for layer in self.layers:
            x = layer.predict(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        shape = " -> ".join(str(s) for s in [self.nin] + self.nouts)
        hidden = f"{self.activation} hidden, " if len(self.layers) > 1 else ""
        return f"MLP({shape}, {hidden}linear output; {self.num_parameters()} parameters)"


# --------------------------------------------------------------------------
# Helpers: argument checks with messages a student can act on
# --------------------------------------------------------------------------
def _make_rng(seed, rng):
    """A private random generator: ``rng`` if given, else ``random.Random(seed)``."""
    if rng is not None:
        if seed is not None:
            raise ValueError("pass either seed= or rng=, not both")
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int (or None for a fresh random one), "
                        f"got {type(seed).__name__}: {seed!r}")
    return random.Random(seed)


def _check_count(n, where, what):
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{where}: {what} must be an int, got {type(n).__name__}: {n!r}")
    if n < 1:
        raise ValueError(f"{where}: {what} must be at least 1, got {n}")


def _check_activation(name):
    if name is None:
        name = "linear"
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of "
                         f"{', '.join(repr(k) for k in ACTIVATIONS)}")
    return name


def _as_list(x, nin, where):
    # A bare Value or number is a 1-element input (the output of a width-1 layer).
    if isinstance(x, (Value, int, float)):
        x = [x]
    else:
        try:
            x = list(x)
        except TypeError:
            raise TypeError(f"{where} input must be a list of numbers or Values, "
                            f"got {type(x).__name__}: {x!r}") from None
    if len(x) != nin:
        raise ValueError(f"{where} expects {nin} input{'s' if nin != 1 else ''}, got {len(x)}")
    return x


def _as_inputs(x, nin, where):
    """The inputs as Values; plain numbers become constants (no gradient)."""
    x = _as_list(x, nin, where)
    return [xi if xi.__class__ is Value else _constant(xi, where) for xi in x]


def _as_numbers(x, nin, where):
    x = _as_list(x, nin, where)
    return [xi.data if isinstance(xi, Value) else _number(xi, where) for xi in x]


def _constant(x, where):
    return Value(_number(x, where), requires_grad=False)


def _number(x, where):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        kind = getattr(x, "dtype", None)       # numpy scalars
        if kind is not None and getattr(x, "shape", None) == () and kind.kind in "iuf":
            return float(x)
        raise TypeError(f"{where} inputs must be real numbers or Values, "
                        f"got {type(x).__name__}: {x!r}")
    return float(x)
