"""Optimisers: how to change the parameters once their gradients are known.

An optimiser holds the list of parameters.  The training loop is always

    loss = ...                  # forward pass: builds a fresh graph
    opt.zero_grad()             # forget the previous step's gradients
    loss.backward()             # p.grad = d loss / d p for every parameter
    opt.step()                  # move every p.data a little downhill

>>> from tinygrad_edu import Value
>>> w = Value(3.0)
>>> opt = SGD([w], lr=0.1)
>>> loss = w * w                # minimum at w = 0; d loss/dw = 2w = 6
>>> opt.zero_grad(); loss.backward(); opt.step()
>>> round(w.data, 10)           # 3 - 0.1 * 6
2.4

The learning rate ``lr`` may be a number or a *schedule*: a function of the
step number (0 for the first ``step()``, then 1, 2, ...) that returns the
rate for that step, e.g. micrograd's demo ``lr=lambda k: 1.0 - 0.9 * k / 100``.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

from .engine import Value

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """What every optimiser shares: the parameter list, ``zero_grad`` and the step count."""

    def __init__(self, parameters: Iterable[Value] | Any, lr: float | Callable[[int], float]) -> None:
        self.parameters = _parameter_list(parameters, type(self).__name__)
        if not callable(lr):
            _check_rate(lr, type(self).__name__)
        self.lr = lr
        self.steps = 0          # how many times step() has run

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (call before each ``backward()``)."""
        for p in self.parameters:
            p.grad = 0.0

    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use."""
        if not callable(self.lr):
            return self.lr
        rate = self.lr(self.steps)
        _check_rate(rate, f"{type(self).__name__}: the schedule lr({self.steps})")
        return rate

    def step(self) -> None:
        """Update every parameter from its gradient (subclasses say how)."""
        raise NotImplementedError

    def _gradients(self):
        """The parameters' gradients, refusing to take a step on a NaN or infinite one."""
        grads = [p.grad for p in self.parameters]
        for i, g in enumerate(grads):
            if not math.isfinite(g):
                p = self.parameters[i]
                name = f" ({p.label})" if p.label else ""
                raise FloatingPointError(
                    f"{type(self).__name__}.step: parameter {i}{name} has gradient {g}; "
                    "the loss overflowed or became NaN -- try a smaller learning rate")
        return grads

    def __repr__(self):
        lr = "schedule" if callable(self.lr) else repr(self.lr)
        return f"{type(self).__name__}({len(self.parameters)} parameters, lr={lr})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum.

    Without momentum: ``p -= lr * grad``.  With momentum μ each parameter keeps
    a velocity, a running sum of past gradients that fades by μ each step:

        v = μ·v + grad
        p -= lr · v

    so a direction the gradients keep agreeing on speeds up, and zig-zags
    cancel out.  (This is PyTorch's form of momentum.)

    >>> w = Value(1.0); opt = SGD([w], lr=0.5, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); w.grad = 1.0; opt.step()     # pretend the gradient is 1
    >>> round(w.data, 12)           # 1 - 0.5*1 - 0.5*(0.9*1 + 1)
    -0.45
    """

    def __init__(self, parameters: Iterable[Value] | Any, lr: float | Callable[[int], float] = 0.01,
                 momentum: float = 0.0) -> None:
        super().__init__(parameters, lr)
        if not isinstance(momentum, (int, float)) or isinstance(momentum, bool) \
                or not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must be a number in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.velocity = [0.0] * len(self.parameters)

    def step(self) -> None:
        lr = self.current_lr()
        grads = self._gradients()
        if self.momentum == 0.0:
            for p, g in zip(self.parameters, grads):
                p.data -= lr * g
        else:
            mu, v = self.momentum, self.velocity
            for i, (p, g) in enumerate(zip(self.parameters, grads)):
                v[i] = mu * v[i] + g
                p.data -= lr * v[i]
        self.steps += 1


class Adam(Optimizer):
    """Adam: a per-parameter step size from running averages of the gradient.

    For each parameter, with step number t = 1, 2, ...:

        m = β1·m + (1-β1)·g          # running mean of the gradient
        v = β2·v + (1-β2)·g²         # running mean of its square
        m̂ = m / (1 - β1^t)           # undo the bias of starting at 0
        v̂ = v / (1 - β2^t)
        p -= lr · m̂ / (sqrt(v̂) + ε)

    So each parameter moves about ``lr`` per step at first, whatever the scale
    of its gradient.

    >>> w = Value(1.0); opt = Adam([w], lr=0.1)
    >>> opt.zero_grad(); w.grad = 123.0; opt.step()
    >>> round(w.data, 6)            # the first step is lr * sign(grad)
    0.9
    """

    def __init__(self, parameters: Iterable[Value] | Any, lr: float | Callable[[int], float] = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(parameters, lr)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}") from None
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            if not isinstance(b, (int, float)) or isinstance(b, bool) or not 0.0 <= b < 1.0:
                raise ValueError(f"Adam: {name} must be a number in [0, 1), got {b!r}")
        if not isinstance(eps, (int, float)) or isinstance(eps, bool) or not eps > 0:
            raise ValueError(f"Adam: eps must be a positive number, got {eps!r}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = [0.0] * len(self.parameters)
        self.v = [0.0] * len(self.parameters)

    def step(self) -> None:
        lr = self.current_lr()
        grads = self._gradients()
        b1, b2, eps = self.beta1, self.beta2, self.eps
        t = self.steps + 1
        correction1 = 1.0 - b1 ** t
        correction2 = 1.0 - b2 ** t
        m, v = self.m, self.v
        for i, (p, g) in enumerate(zip(self.parameters, grads)):
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            m_hat = m[i] / correction1
            v_hat = v[i] / correction2
            p.data -= lr * m_hat / (math.sqrt(v_hat) + eps)
        self.steps += 1


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def _parameter_list(parameters, where):
    """The parameters as a list of distinct Values (a Module's ``parameters()`` also works)."""
    if hasattr(parameters, "parameters") and callable(parameters.parameters):
        parameters = parameters.parameters()
    if isinstance(parameters, Value):
        raise TypeError(f"{where} needs a list of parameters, got a single Value; "
                        f"write {where}([p], ...) or {where}(model.parameters(), ...)")
    try:
        parameters = list(parameters)
    except TypeError:
        raise TypeError(f"{where} needs a list of Values (e.g. model.parameters()), "
                        f"got {type(parameters).__name__}: {parameters!r}") from None
    if not parameters:
        raise ValueError(f"{where} got an empty parameter list")
    seen = set()
    for i, p in enumerate(parameters):
        if not isinstance(p, Value):
            raise TypeError(f"{where}: parameter {i} is a {type(p).__name__} ({p!r}), not a Value")
        if not p.requires_grad:
            raise ValueError(f"{where}: parameter {i} ({p!r}) is a constant (requires_grad=False)")
        if p.data.__class__ is complex:
            raise TypeError(f"{where}: parameter {i} ({p!r}) is complex; optimisers update real numbers")
        if p in seen:
            raise ValueError(f"{where}: parameter {i} ({p!r}) appears twice in the list; "
                             "it would be updated twice per step")
        seen.add(p)
    return parameters


def _check_rate(lr, where):
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise TypeError(f"{where}: the learning rate must be a number or a function of the "
                        f"step number, got {type(lr).__name__}: {lr!r}")
    if not math.isfinite(lr) or lr < 0:
        raise ValueError(f"{where}: the learning rate must be a finite number >= 0, got {lr!r}")
