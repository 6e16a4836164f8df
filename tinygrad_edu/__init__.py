"""tinygrad_edu: automatic differentiation you can read, draw and check.

>>> from tinygrad_edu import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> c = a * b + a ** 2
>>> c.backward()
>>> a.grad, b.grad
(1.0, 2.0)

A map of the package (read ``engine.py`` first; everything else builds on it)
------------------------------------------------------------------------------
core         ``engine`` (Value, the op rules, ``backward_pass``), ``structures`` (inputs of
             every shape), ``formula`` (typed formulas made safe)
functional   ``transforms`` (grad, jacobian, hessian...), ``forward`` (forward mode),
             ``numeric`` (central differences, ``check_grads``)
pictures     ``draw``, ``render`` (the only module that imports graphviz), ``trace`` (the
             step-through record of one backward pass, and its player), ``nodecheck``,
             ``diagrams``
networks     ``nn``, ``losses``, ``optim``, ``data``, ``train``
the course   ``tour``, ``bugs`` (the bug museum), ``cli``, ``exercises``, and the notebooks
             themselves (installed as ``tinygrad_edu/course``)
shared       ``_numbers`` (formatting, finiteness, the central difference), ``_ops`` (the op
             vocabulary from ``PRIMITIVES``), ``_recording`` (what every transform shares),
             ``_node_names`` (how pictures name nodes)

The modules stay side by side in one folder: every file is one click from the top, and an
import or a traceback names the file you open.
"""

from .engine import (
    Value, topological_order, backward_pass, gradients, no_grad, detect_anomaly, is_grad_enabled,
    as_value, primitive,
    exp, log, sqrt, sin, cos, tan, tanh, sigmoid, relu, absolute, arctan, sinh, cosh,
    log1p, expm1, softplus, leaky_relu, conj, real, imag, PRIMITIVES,
    log2, log10, exp2, arcsin, arccos, arcsinh, arccosh, arctanh, rad2deg, deg2rad, radians, degrees,
    square, reciprocal, sinc, arctan2, hypot, logaddexp, logaddexp2, maximum, minimum, angle,
)
from .engine import absolute as abs          # noqa: A001 -- tinygrad_edu.abs, as numpy's np.abs

__version__ = "0.1.0"

# Neural networks: `from tinygrad_edu import nn` also works.
from . import nn, losses, optim, data, train
from .nn import Module, Neuron, Layer, MLP
from .losses import mse, hinge, binary_cross_entropy, cross_entropy, l2
from .optim import SGD, Adam
from .data import make_moons, make_circles, make_xor, make_spiral, logistic_regression_toy
from .train import fit, accuracy, evaluate, plot_decision_boundary

# The functional API: autograd-style transforms, forward mode, numeric checks.
from .transforms import (grad, value_and_grad, elementwise_grad, jacobian, jacrev, hessian, hvp,
                         vjp, holomorphic_grad)
from .forward import jvp, jacfwd, Dual, count_ops
from .numeric import numerical_grad, numerical_jvp, check_grads

# Pictures: draw the graph, step through backward, find the faulty node.
from .draw import draw, draw_dot, draw_gradient
from .trace import trace_backward, print_trace
from .nodecheck import check_nodes, draw_faulty


def __getattr__(name):
    # ``save`` and ``GraphvizNotFound`` live in ``render``, the one module that imports the
    # graphviz package; it is loaded on first use, so the engine, the transforms and the
    # command line work on a machine without graphviz.
    if name in ("save", "GraphvizNotFound"):
        from . import render
        return getattr(render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"save", "GraphvizNotFound"})     # tab completion sees them

# ``from tinygrad_edu import *`` gives these names and no submodules (``nn``, ``losses``...
# stay reachable as ``tinygrad_edu.nn``).  ``abs`` is left out so the star import
# does not hide Python's own ``abs`` (which works on Values too).
__all__ = [
    # the engine
    "Value", "topological_order", "backward_pass", "gradients", "no_grad", "detect_anomaly", "is_grad_enabled",
    "as_value", "primitive", "PRIMITIVES",
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "absolute", "arctan",
    "sinh", "cosh", "log1p", "expm1", "softplus", "leaky_relu", "conj", "real", "imag",
    "log2", "log10", "exp2", "arcsin", "arccos", "arcsinh", "arccosh", "arctanh", "rad2deg",
    "deg2rad", "radians", "degrees", "square", "reciprocal", "sinc", "arctan2", "hypot",
    "logaddexp", "logaddexp2", "maximum", "minimum", "angle",
    # neural networks
    "Module", "Neuron", "Layer", "MLP", "mse", "hinge", "binary_cross_entropy", "cross_entropy",
    "l2", "SGD", "Adam", "make_moons", "make_circles", "make_xor", "make_spiral",
    "logistic_regression_toy", "fit", "accuracy", "evaluate", "plot_decision_boundary",
    # transforms, forward mode, numerical checks
    "grad", "value_and_grad", "elementwise_grad", "jacobian", "jacrev", "hessian", "hvp", "vjp",
    "holomorphic_grad", "jvp", "jacfwd", "Dual", "count_ops",
    "numerical_grad", "numerical_jvp", "check_grads",
    # pictures
    "draw", "draw_dot", "draw_gradient", "trace_backward", "print_trace", "check_nodes",
    "draw_faulty", "save", "GraphvizNotFound",
]
