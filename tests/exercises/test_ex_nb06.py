"""Checkers of notebook 06: pass on the solutions, fail on typical wrong answers with the right hint."""

import math
import sys
from collections import deque

from exhelp import S, fails

from tinygrad_edu import bugs
from tinygrad_edu.engine import Value, topological_order
from tinygrad_edu.exercises import (bug_hunt_function, bug_hunt_source, check_backward, check_bug_hunt,
                                    check_kink_quiz, check_moons, check_parameters_zero_grad,
                                    check_softmax_nll, check_topological_sort, check_training_loop,
                                    check_unary_rules)

from tinygrad_edu.exercises.nb04 import HUNT_BUGS


class NoBiasMLP(S.MLP):
    def parameters(self):
        return [p for layer in self.layers for ws, b in layer for p in ws]


class DuplicateMLP(S.MLP):
    def parameters(self):
        ps = super().parameters()
        return ps + ps[:3]


class LazyZeroGrad(S.MLP):
    def zero_grad(self):
        params = self.parameters()
        params = [0.0 for _ in params]   # rebinds a list; grads untouched


def test_parameters_zero_grad():
    assert check_parameters_zero_grad(S.MLP)
    fails(check_parameters_zero_grad, NoBiasMLP, match=["has 32 parameters, expected 41", "biases are missing"])
    fails(check_parameters_zero_grad, DuplicateMLP, match="more than once")
    fails(check_parameters_zero_grad, LazyZeroGrad, match=["still have a grad", "p.grad = 0"])


def no_zero_grad(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def uphill(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    model.zero_grad(); loss.backward()
    for p in model.parameters():
        p.data += lr * p.grad
    return loss


def zero_after(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    model.zero_grad()
    return loss


def mean_loss(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
    model.zero_grad(); loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def test_training_loop():
    assert check_training_loop(S.training_step)
    text = fails(check_training_loop, no_zero_grad, match=["step 2", "grads accumulate across steps", "zero_grad"])
    assert "× the fresh gradient" in text
    fails(check_training_loop, uphill, match="stepped uphill")
    fails(check_training_loop, zero_after, match="zero_grad() goes *before* backward()")
    fails(check_training_loop, mean_loss, match="sum of squared errors")


def linear_model(X, y):
    w = [0.0, 0.0, 0.0]
    for _ in range(200):
        for (x1, x2), t in zip(X, y):
            if t * (w[0] * x1 + w[1] * x2 + w[2]) < 1:
                w = [w[0] + 0.01 * t * x1, w[1] + 0.01 * t * x2, w[2] + 0.01 * t]
    return lambda x: w[0] * x[0] + w[1] * x[1] + w[2]


def test_moons():
    assert check_moons(S.train_moons)
    fails(check_moons, linear_model, match=["training accuracy", "< 95%", "straight line"])
    fails(check_moons, S.train_moons, time_limit=0.01, match=["over the 0 s limit", "fewer steps"])
    fails(check_moons, lambda X, y: (lambda x: float("nan")), match=["is nan", "diverged"])
