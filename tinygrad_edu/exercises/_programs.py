"""Test material the checkers generate: random expressions, small datasets, a tiny MLP.

A random expression is a *program*: a list of instructions that can run on
engine Values, plain floats, or a student's own number class (a ``Dual``).
Running it on Values records a graph with shared subexpressions, which is what
the topological-sort and backward checkers need.
"""

import math
import random

from ..data import logistic_regression_toy
from ..engine import Value

UNARY = ("sin", "tanh", "cos", "exp")
BINARY = ("+", "-", "*", "/")


def apply_unary(name, x):
    """x.sin() for Values and Duals, math.sin(x) for numbers."""
    method = getattr(x, name, None)
    if method is not None and not isinstance(x, (int, float)):
        return method()
    return getattr(math, name)(x)


def apply_binary(op, x, y):
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    return x / (2.0 + y * y)          # division with a denominator that is never 0


def random_program(rng, n_inputs, n_ops, constants=True, unary=UNARY):
    """Instructions [(kind, op, i, j_or_const)]: operands index earlier results."""
    program = []
    for k in range(n_ops):
        size = n_inputs + k
        # Prefer recent results so the output depends on most of the program,
        # and sometimes reuse an older one (shared subexpressions).
        i = rng.randrange(max(0, size - 3), size) if rng.random() < 0.7 else rng.randrange(size)
        if rng.random() < 0.3:
            program.append(("unary", rng.choice(unary), i, None))
        elif constants and rng.random() < 0.25:
            c = rng.choice([2.0, 0.5, -1.5, 3.0])
            program.append(("const", rng.choice(BINARY), i, c))
        else:
            program.append(("binary", rng.choice(BINARY), i, rng.randrange(size)))
    return program


def run_program(program, inputs, label=False):
    """The program's last result (and every intermediate labelled n0, n1... if asked)."""
    values = list(inputs)
    for k, (kind, op, i, j) in enumerate(program):
        x = values[i]
        if kind == "unary":
            out = apply_unary(op, x)
        elif kind == "const":
            # Alternate the side of the constant so reflected ops (2 - x) run too.
            out = apply_binary(op, x, j) if k % 2 == 0 or op == "/" else _reflected(op, j, x)
        else:
            out = apply_binary(op, x, values[j])
        if label and isinstance(out, Value):
            out.label = f"n{k}"
        values.append(out)
    # Sum everything not yet consumed so that every input reaches the output.
    used = {i for _, _, i, _ in program} | {j for kind, _, _, j in program if kind == "binary"}
    result = values[-1]
    for k, v in enumerate(values[:-1]):
        if k not in used:
            result = result + v
            if label and isinstance(result, Value):
                result.label = f"s{k}"
    return result


def _reflected(op, c, x):
    if op == "+":
        return c + x
    if op == "-":
        return c - x
    return c * x


def random_function(rng, n_inputs, n_ops=6, constants=True, unary=UNARY):
    """A random smooth function of n_inputs numbers (works on floats and Values)."""
    program = random_program(rng, n_inputs, n_ops, constants, unary)

    def f(*xs):
        return run_program(program, xs)
    f.program = program
    return f


def labelled_graph(rng, n_inputs=3, n_ops=8):
    """A random expression on labelled input Values: (root, inputs)."""
    xs = [Value(rng.uniform(-1.5, 1.5), label="abcdefg"[i]) for i in range(n_inputs)]
    program = random_program(rng, n_inputs, n_ops)
    root = run_program(program, xs, label=True)
    if not isinstance(root, Value) or root.is_leaf:
        root = xs[0] * xs[-1] + root
    root.label = "out"
    return root, xs


# -- datasets -------------------------------------------------------------------
def make_moons(n=100, noise=0.1, seed=0):
    """Two interleaving half circles: (X as [[x1, x2], ...], y as +1/-1). No numpy needed."""
    rng = random.Random(seed)
    X, y = [], []
    for k in range(n):
        upper = k < n // 2
        t = math.pi * rng.random()
        if upper:
            p = [math.cos(t), math.sin(t)]
        else:
            p = [1 - math.cos(t), 0.5 - math.sin(t)]
        X.append([p[0] + rng.gauss(0, noise), p[1] + rng.gauss(0, noise)])
        y.append(1 if upper else -1)
    return X, y


# The logistic-regression toy set of the HIPS autograd tutorial (also in JAX's docs).
LOGISTIC_INPUTS, LOGISTIC_TARGETS = logistic_regression_toy()


def logistic_loss(weights, inputs=LOGISTIC_INPUTS, targets=LOGISTIC_TARGETS, mean=False):
    """-Σ log p(target) for logistic regression; works on floats and Values."""
    from ..engine import log, sigmoid
    total = 0.0
    for row, t in zip(inputs, targets):
        z = sum((w * x for w, x in zip(weights, row)), 0.0)
        p = sigmoid(z)
        total = total - log(p if t else 1 - p)
    return total / len(inputs) if mean else total


# -- a tiny MLP the checkers own (independent of the student's) ------------------
class TinyMLP:
    """tanh MLP with a linear output, seeded; parameters() lists weights then bias per neuron."""

    def __init__(self, nin, nouts, seed=0, act="tanh"):
        rng = random.Random(seed)
        sizes = [nin] + list(nouts)
        self.act = act
        self.layers = [[([Value(rng.uniform(-1, 1)) for _ in range(a)], Value(0.0))
                        for _ in range(b)] for a, b in zip(sizes[:-1], sizes[1:])]

    def __call__(self, x):
        for depth, layer in enumerate(self.layers):
            last = depth == len(self.layers) - 1
            outs = []
            for ws, b in layer:
                s = sum((w * xi for w, xi in zip(ws, x)), b)
                outs.append(s if last else getattr(s, self.act)())
            x = outs
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for ws, b in layer for p in ws + [b]]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


TOY_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
TOY_YS = [1.0, -1.0, -1.0, 1.0]


def mse(model, xs=TOY_XS, ys=TOY_YS):
    return sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))


def backward_situation(scenario, k):
    """Where a backward() scenario stood at call ``k``: 'on a fresh graph',
    'after call 2 of 2 on the same graph', or 'on a graph whose nodes still held grads ...'.

    A scenario is a dict with ``"start"`` (grads the graph starts with, or None) and
    ``"passes"`` (how many times backward runs), as notebooks 04 and 12 draw them.
    """
    if scenario["start"] is not None:
        return "on a graph whose nodes still held grads from an earlier pass"
    if scenario["passes"] > 1:
        return f"after call {k + 1} of {scenario['passes']} on the same graph"
    return "on a fresh graph"
