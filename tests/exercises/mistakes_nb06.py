"""Classic mistakes for notebook 06's exercises (see test_mistakes.py)."""

import math
import random

from exhelp import Mistake, S

import tinygrad_edu
from tinygrad_edu.engine import Value


# -- ex1: the MLP -------------------------------------------------------------------
class _NoBias(S.MLP):
    def parameters(self):
        return [p for layer in self.layers for ws, b in layer for p in ws]


class _Twice(S.MLP):
    def parameters(self):
        ps = super().parameters()
        return ps + ps[:3]


class _NoLastLayer(S.MLP):
    def parameters(self):
        return [p for layer in self.layers[:-1] for ws, b in layer for p in ws + [b]]


class _ZeroesData(S.MLP):
    def zero_grad(self):
        for p in self.parameters():
            p.data = 0.0


class _Rebinds(S.MLP):
    def zero_grad(self):
        for p in self.parameters():
            g = p.grad
            g = 0.0            # noqa: F841 - the mistake: a local name, not the attribute


class _FirstLayerOnly(S.MLP):
    def zero_grad(self):
        for ws, b in self.layers[0]:
            for p in ws + [b]:
                p.grad = 0.0


class _BiasFromData(S.MLP):
    def __call__(self, x):
        for k, layer in enumerate(self.layers):
            out = [sum((w * xi for w, xi in zip(ws, x)), Value(b.data)) for ws, b in layer]
            x = out if k == len(self.layers) - 1 else [o.tanh() for o in out]
        return x[0] if len(x) == 1 else x


# -- ex2: one training step --------------------------------------------------------------
def _no_zero_grad(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def _uphill(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data += lr * p.grad
    return loss


def _zero_after(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    model.zero_grad()
    return loss


def _mean_loss(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def _fixed_lr(model, xs, ys, lr):
    return S.training_step(model, xs, ys, 0.05)


def _loss_after_update(model, xs, ys, lr):
    S.training_step(model, xs, ys, lr)
    return sum((model(x) - y) ** 2 for x, y in zip(xs, ys))


def _no_return(model, xs, ys, lr):
    S.training_step(model, xs, ys, lr)


# -- ex3: two moons: the answer key with one edit, kept short (100 steps) ----------------------
def _moons(X, y, init="random", sign=-1.0, hidden=True, flip=1, steps=100):
    rng = random.Random(1)
    sizes = [2, 16, 1] if hidden else [2, 1]

    def start(a):
        return {"random": rng.uniform(-1, 1) / math.sqrt(a), "zero": 0.0, "same": 0.5}[init]
    layers = [[([Value(start(a)) for _ in range(a)], Value(0.0)) for _ in range(b)]
              for a, b in zip(sizes[:-1], sizes[1:])]
    params = [p for layer in layers for ws, b in layer for p in ws + [b]]
    velocity = [0.0] * len(params)

    def model(x):
        for k, layer in enumerate(layers):
            out = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
            x = out if k == len(layers) - 1 else [o.tanh() for o in out]
        return x[0]
    order = list(range(len(X)))
    for _ in range(steps):
        rng.shuffle(order)
        loss = sum((1 - flip * y[i] * model(X[i])).relu() for i in order[:20]) / 20
        for p in params:
            p.grad = 0.0
        loss.backward()
        for j, p in enumerate(params):
            velocity[j] = 0.9 * velocity[j] + sign * 0.1 * p.grad
            p.data += velocity[j]
    return model


def _zero_init(X, y):
    return _moons(X, y, init="zero")


def _ascent(X, y):
    return _moons(X, y, sign=+1.0)


def _no_hidden_layer(X, y):
    return _moons(X, y, hidden=False)


def _same_start(X, y):
    return _moons(X, y, init="same")


def _flipped_labels(X, y):
    return _moons(X, y, flip=-1)


def _memorised(X, y):
    seen = {tuple(p): t for p, t in zip(X, y)}
    return lambda x: seen.get(tuple(x), -1.0)


def _diverged(X, y):
    return lambda x: float("nan")


MISTAKES = [
    Mistake("nb06_ex1", "no biases in parameters()", _NoBias, named="biases are missing"),
    Mistake("nb06_ex1", "a list added twice", _Twice, named="more than once"),
    Mistake("nb06_ex1", "last layer missing", _NoLastLayer, named="last layer's parameters are missing"),
    Mistake("nb06_ex1", "zero_grad zeroes p.data", _ZeroesData, named="zeroed the data/weights, not the grads"),
    Mistake("nb06_ex1", "zero_grad rebinds a local", _Rebinds, named="rebinding a local name"),
    Mistake("nb06_ex1", "zero_grad of the first layer only", _FirstLayerOnly, named="zero_grad missed"),
    Mistake("nb06_ex1", "bias copied from .data", _BiasFromData, named="cuts the graph"),
    Mistake("nb06_ex1", "the library's MLP", tinygrad_edu.nn.MLP, named="write your own"),
    Mistake("nb06_ex2", "no zero_grad", _no_zero_grad, named="grads accumulate across steps"),
    Mistake("nb06_ex2", "gradient ascent", _uphill, named="stepped uphill"),
    Mistake("nb06_ex2", "zero_grad after backward", _zero_after, named="zero_grad() goes *before* backward()"),
    Mistake("nb06_ex2", "mean instead of sum", _mean_loss, named="that is the mean"),
    Mistake("nb06_ex2", "a fixed learning rate", _fixed_lr, named="use the lr argument"),
    Mistake("nb06_ex2", "loss after the update", _loss_after_update, named="loss *after* the update"),
    Mistake("nb06_ex2", "no return", _no_return, named="return the loss"),
    Mistake("nb06_ex3", "zero initialisation", _zero_init, named="zero initialisation"),
    Mistake("nb06_ex3", "gradient ascent", _ascent, named=["upside down", "uphill"]),
    Mistake("nb06_ex3", "labels flipped", _flipped_labels, named="upside down"),
    Mistake("nb06_ex3", "no hidden layer", _no_hidden_layer, named="straight line"),
    Mistake("nb06_ex3", "every weight starts equal", _same_start, named="hidden units that start equal"),
    Mistake("nb06_ex3", "memorised the points", _memorised, named="memorised"),
    Mistake("nb06_ex3", "diverged", _diverged, named="diverged"),
]
