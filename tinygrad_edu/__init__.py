"""tinygrad_edu: automatic differentiation you can read, draw and check.

>>> from tinygrad_edu import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> c = a * b + a ** 2
>>> c.backward()
>>> a.grad, b.grad
(1.0, 2.0)
"""

from .engine import (
    Value, topological_order, gradients, no_grad, detect_anomaly, is_grad_enabled, as_value,
    exp, log, sqrt, sin, cos, tan, tanh, sigmoid, relu, absolute, arctan, sinh, cosh,
    log1p, expm1, softplus, leaky_relu, conj, real, imag, PRIMITIVES,
)

__version__ = "0.1.0"
