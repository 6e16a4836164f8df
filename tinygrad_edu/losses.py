"""Loss functions: one number that says how wrong the model is.

Every loss here takes the model's outputs (Values) and the targets (plain
numbers), and returns one ``Value`` -- the mean over the examples -- so that
``loss.backward()`` sends a gradient to every parameter.

>>> from tinygrad_edu import Value
>>> s = Value(0.3)
>>> hinge([s], [1]).data           # max(0, 1 - 1*0.3)
0.7
>>> round(binary_cross_entropy([Value(800.0)], [0]).data, 6)   # stable: no overflow
800.0

Conventions
-----------
* Binary class labels may be written either way: ``1``/``True`` is the
  positive class; ``0``, ``-1`` and ``False`` are the negative class.  (A
  target of 0 has no meaning for the hinge loss, nor -1 for cross-entropy, so
  accepting both spellings is never ambiguous.)
* ``hinge`` and ``binary_cross_entropy`` take *scores* (logits): any real
  number, positive meaning "class 1".  Do not put a sigmoid in front of
  ``binary_cross_entropy``: it applies the stable form itself.
* Each function accepts one example (a Value and a number) or a list of them.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from .engine import Value, log, exp, softplus, relu

__all__ = ["mse", "hinge", "max_margin", "binary_cross_entropy", "cross_entropy", "l2"]


def mse(predictions: Sequence[Value | float], targets: Sequence[float]) -> Value:
    """Mean squared error: mean of (prediction - target)².

    >>> mse([Value(3.0), Value(1.0)], [1.0, 1.0]).data      # ((3-1)² + 0²) / 2
    2.0
    """
    pairs = _pairs(predictions, targets, "mse")
    terms = []
    for p, t in pairs:
        d = p - _number(t, "mse", "target")
        terms.append(d * d)         # d*d: one node, where d**2 would add a constant node
    return _mean(terms)


def hinge(scores: Sequence[Value | float], targets: Sequence[float]) -> Value:
    """The SVM max-margin loss: mean of max(0, 1 - y·score), with y = ±1.

    A correctly classified example with a margin of at least 1 costs nothing.
    For y = +1 the term is relu(1 - score); for y = -1 it is relu(1 + score).

    >>> hinge([Value(2.0), Value(0.5)], [1, -1]).data     # (0 + 1.5) / 2
    0.75
    """
    terms = []
    for s, t in _pairs(scores, targets, "hinge"):
        terms.append(relu(1.0 - s) if _is_positive(t, "hinge") else relu(1.0 + s))
    return _mean(terms)


max_margin = hinge


def binary_cross_entropy(logits: Sequence[Value | float], targets: Sequence[float]) -> Value:
    """Cross-entropy of sigmoid(logit) against a 0/1 target, computed from the logit.

    With p = sigmoid(z) the loss is -[t·log p + (1-t)·log(1-p)], which equals
    ``softplus(z) - t·z``.  Written that way it never overflows, whatever the
    size of z, and its gradient sigmoid(z) - t never divides by zero:

    * t = 1: softplus(-z)   (= -log sigmoid(z))
    * t = 0: softplus(z)    (= -log(1 - sigmoid(z)))
    * soft targets 0 < t < 1: softplus(z) - t·z

    >>> round(binary_cross_entropy([Value(0.0)], [1]).data, 6)   # log 2
    0.693147
    """
    terms = []
    for z, t in _pairs(logits, targets, "binary_cross_entropy"):
        t = _probability(t)
        if t == 1.0:
            terms.append(softplus(-z))
        elif t == 0.0:
            terms.append(softplus(z))
        else:
            terms.append(softplus(z) - t * z)
    return _mean(terms)


def cross_entropy(logits: Sequence[Any], targets: Sequence[int] | int) -> Value:
    """Softmax cross-entropy for k classes: mean of -log softmax(z)[target].

    ``logits`` is one list of k scores per example (or a single list for one
    example); ``targets`` are class indices 0..k-1.  Per example the loss is
    ``log(sum_i exp(z_i)) - z_target``, computed after subtracting m = max(z)
    from every score (a constant, so the gradient is unchanged) so that no exp
    overflows: ``log(sum_i exp(z_i - m)) - (z_target - m)``.

    >>> round(cross_entropy([Value(1.0), Value(1.0)], 0).data, 6)   # log 2
    0.693147
    """
    if _is_single_example(logits):
        logits, targets = [logits], [targets]
    logits = _as_list(logits, "cross_entropy", "logits")
    targets = _as_list(targets, "cross_entropy", "targets")
    if len(logits) != len(targets):
        raise ValueError(f"cross_entropy got {len(logits)} examples but {len(targets)} targets")
    if not logits:
        raise ValueError("cross_entropy needs at least one example")
    terms = []
    for i, (z, t) in enumerate(zip(logits, targets)):
        z = _as_list(z, "cross_entropy", f"logits of example {i}")
        t = _class_index(t, len(z), i)
        m = max(_data(zi) for zi in z)
        shifted = [zi - m for zi in z]
        terms.append(log(_sum([exp(s) for s in shifted])) - shifted[t])
    return _mean(terms)


def l2(parameters: Any, alpha: float = 1.0) -> Value:
    """L2 regularisation: alpha · sum of p² over the parameters (a Module or a list).

    Added to a loss, it pulls every weight towards zero a little at each step
    ("weight decay").

    >>> l2([Value(3.0), Value(-4.0)], alpha=0.5).data       # 0.5 * (9 + 16)
    12.5
    """
    if hasattr(parameters, "parameters"):
        parameters = parameters.parameters()
    parameters = list(parameters)
    if not parameters:
        raise ValueError("l2 needs at least one parameter")
    for p in parameters:
        if not isinstance(p, Value):
            raise TypeError(f"l2 needs Values (the model's parameters), got {type(p).__name__}: {p!r}")
    total = _sum([p * p for p in parameters])
    return total if alpha == 1.0 else alpha * total


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def _sum(terms):
    """terms[0] + terms[1] + ..., a chain of additions (no constant 0 node to start from)."""
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _mean(terms):
    """The mean of a list of Values, as one Value (a chain of additions, then / n)."""
    total = _sum(terms)
    return total if len(terms) == 1 else total * (1.0 / len(terms))


def _pairs(predictions, targets, where):
    """(prediction, target) pairs from one example or from two equal-length lists."""
    if isinstance(predictions, (Value, int, float)):
        predictions, targets = [predictions], [targets]
    predictions = _as_list(predictions, where, "predictions")
    targets = _as_list(targets, where, "targets")
    if len(predictions) != len(targets):
        raise ValueError(f"{where} got {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{where} needs at least one example")
    for p in predictions:
        if not isinstance(p, (Value, int, float)):
            raise TypeError(f"{where} predictions must be Values (one score per example), "
                            f"got {type(p).__name__}: {p!r}")
    return list(zip(predictions, targets))


def _as_list(x, where, what):
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError(f"{where}: {what} must be a list, got {type(x).__name__}: {x!r}")
    return list(x)


def _is_single_example(logits):
    items = _as_list(logits, "cross_entropy", "logits")
    return bool(items) and isinstance(items[0], (Value, int, float))


def _data(x):
    return x.data if isinstance(x, Value) else x


def _number(t, where, what):
    if isinstance(t, Value):
        return t
    try:
        value = float(t)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {what} must be a number, got {type(t).__name__}: {t!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: {what} must be finite, got {value}")
    return value


def _is_positive(t, where):
    value = _number(_data(t), where, "target")
    if value == 1.0:
        return True
    if value in (0.0, -1.0):
        return False
    raise ValueError(f"{where} targets must be class labels: 1/True for the positive class, "
                     f"-1, 0 or False for the negative class; got {t!r}")


def _probability(t):
    value = _number(_data(t), "binary_cross_entropy", "target")
    if value == -1.0:            # the ±1 spelling of the negative class
        return 0.0
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"binary_cross_entropy targets must be probabilities in [0, 1] "
                         f"(or class labels 1/0/-1/True/False); got {t!r}")
    return value


def _class_index(t, k, i):
    if isinstance(t, bool) or not hasattr(t, "__index__"):
        raise TypeError(f"cross_entropy targets must be class indices (ints 0..{k - 1}), "
                        f"got {type(t).__name__}: {t!r} for example {i}")
    t = t.__index__()
    if not 0 <= t < k:
        raise ValueError(f"cross_entropy: target {t} for example {i} is not a class index "
                         f"0..{k - 1} ({k} logits)")
    return t
