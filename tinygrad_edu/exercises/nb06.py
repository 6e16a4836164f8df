"""Notebook 06 exercises: the MLP, the training loop, two moons.

ex1  ``MLP(nin, nouts)``: a class whose instances are callable on a list of
     numbers and have ``parameters()`` (every weight and bias Value once) and
     ``zero_grad()`` (every parameter's grad back to 0).
ex2  ``training_step(model, xs, ys, lr) -> loss``: one step of gradient
     descent on the summed squared error Σ (model(x) - y)²: forward, zero the
     grads, backward, update every parameter; return the loss Value.
     ``model`` has ``parameters()``, ``zero_grad()`` and ``model(x) -> Value``.
ex3  ``train_moons(X, y) -> model``: train on two moons (X: list of [x1, x2],
     y: list of +1/-1) so that ``model(x)`` scores > 0 for +1; at least 95 %
     training accuracy within the time limit (60 s).
"""

import math
import time

from ..engine import Value, gradients
from ._common import as_number, call_student, close, fail, fmt, passed
from ._programs import TOY_XS, TOY_YS, TinyMLP, make_moons, mse

__all__ = ["check_parameters_zero_grad", "check_training_loop", "check_moons"]


def _count(nin, nouts):
    sizes = [nin] + list(nouts)
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def check_parameters_zero_grad(MLP):
    """ex1: MLP(3,[4,4,1]) has 41 parameters, MLP(2,[16,16,1]) 337; no duplicates; zero_grad zeroes all."""
    ex = "nb06_ex1"
    for nin, nouts in ((3, [4, 4, 1]), (2, [16, 16, 1]), (1, [1])):
        model = call_student(ex, MLP, nin, nouts, what="MLP")
        params = call_student(ex, model.parameters, what="parameters")
        params = list(params)
        if any(not isinstance(p, Value) for p in params):
            fail(ex, "parameters() should list Value objects, found "
                     f"{type(next(p for p in params if not isinstance(p, Value))).__name__}")
        unique = {id(p) for p in params}
        if len(unique) != len(params):
            fail(ex, f"MLP({nin}, {nouts}).parameters() lists {len(params) - len(unique)} parameter(s) "
                     "more than once", "each Layer's parameters should be gathered once (check for "
                     "a list added twice)")
        want = _count(nin, nouts)
        if len(params) != want:
            weights = want - sum(nouts)
            hint = "weights: nin per neuron, plus one bias per neuron"
            if len(params) == weights:
                hint = "the biases are missing (one per neuron)"
            elif len(params) < want:
                hint = "some layers' or neurons' parameters are missing"
            fail(ex, f"MLP({nin}, {nouts}) has {len(params)} parameters, expected {want}", hint)
    model = call_student(ex, MLP, 3, [4, 4, 1], what="MLP")
    params = list(model.parameters())
    out = call_student(ex, model, [2.0, 3.0, -1.0], what="model")
    out = out[0] if isinstance(out, (list, tuple)) else out
    if not isinstance(out, Value):
        fail(ex, f"model(x) should return a Value, got {type(out).__name__}")
    (out * out).backward()
    if all(p.grad == 0 for p in params):
        fail(ex, "after backward() every parameter's grad is 0: are the parameters the Values "
                 "the forward pass used?")
    call_student(ex, model.zero_grad, what="zero_grad")
    nonzero = [k for k, p in enumerate(params) if p.grad != 0]
    if nonzero:
        fail(ex, f"after zero_grad(), {len(nonzero)} of {len(params)} parameters still have a grad "
                 f"(first: parameter #{nonzero[0]}, grad {fmt(params[nonzero[0]].grad)})",
             "set p.grad = 0 on every p in self.parameters() (rebinding a local name changes nothing)")
    return passed(ex, "41 and 337 parameters, none twice, zero_grad resets them all")


def _fresh_gradient(model, params, data_before):
    """d loss / d params at the given parameter values, without touching .grad."""
    now = [p.data for p in params]
    for p, d in zip(params, data_before):
        p.data = d
    loss = mse(model)
    grads = gradients(loss, params)
    for p, d in zip(params, now):
        p.data = d
    return [grads[p] for p in params], loss.data


def check_training_loop(training_step, steps=30, lr=0.05, seed=1):
    """ex2: 30 steps on the 4-example toy set; at step 3, p.grad must equal a fresh gradient."""
    ex = "nb06_ex2"
    model = TinyMLP(3, [4, 4, 1], seed=seed)
    params = model.parameters()
    first = mse(model).data
    for step in range(1, steps + 1):
        before = [p.data for p in params]
        fresh, loss_before = _fresh_gradient(model, params, before)
        loss = call_student(ex, training_step, model, TOY_XS, TOY_YS, lr, what="training_step")
        loss_value = as_number(ex, loss, "the returned loss")
        if not close(loss_value, loss_before, 1e-9, 1e-12):
            fail(ex, f"step {step}: returned loss {fmt(loss_value)}, but the loss before the update "
                     f"is {fmt(loss_before)}", "return the loss computed in this step's forward pass "
                     "(the sum of squared errors)")
        grads = [p.grad for p in params]
        if step <= 3:
            dot = sum(g * f for g, f in zip(grads, fresh))
            norm = sum(f * f for f in fresh)
            ratio = dot / norm if norm else 0.0
            if all(g == 0 for g in grads):
                fail(ex, f"step {step}: every p.grad is 0 when training_step returns",
                     "zero_grad() goes *before* backward(), not after it (or backward() is missing)")
            if not all(close(g, f, 1e-6, 1e-9) for g, f in zip(grads, fresh)):
                hint = "p.grad should be the gradient of this step's loss"
                if step > 1 and ratio > 1.3:
                    hint = (f"grads accumulate across steps: p.grad is {ratio:.1f}× the fresh gradient "
                            "-- call model.zero_grad() before loss.backward()")
                fail(ex, f"step {step}: p.grad differs from a fresh gradient of the loss", hint)
        moved = [p.data - b for p, b in zip(params, before)]
        expected_moves = [-lr * g for g in grads]
        if not all(close(m, e, 1e-6, 1e-12) for m, e in zip(moved, expected_moves)):
            hint = "update each parameter: p.data -= lr * p.grad"
            if all(close(m, -e, 1e-6, 1e-12) for m, e in zip(moved, expected_moves)):
                hint = "you stepped uphill: p.data -= lr * p.grad (minus: against the gradient)"
            elif all(m == 0 for m in moved):
                hint = "no parameter moved: update p.data (not a copy) for every p in model.parameters()"
            fail(ex, f"step {step}: the parameters did not move by -lr·grad", hint)
    final = mse(model).data
    if not final < 0.25 * first:
        fail(ex, f"the loss went from {fmt(first)} to {fmt(final)} in {steps} steps; expected it to "
                 "fall below a quarter of the start")
    return passed(ex, f"loss {fmt(first)} → {fmt(final)} in {steps} steps; grads fresh each step")


def check_moons(train_moons, n=100, noise=0.1, seed=0, min_accuracy=0.95, time_limit=60.0):
    """ex3: train on two moons; ≥ 95 % training accuracy within the time limit."""
    ex = "nb06_ex3"
    X, y = make_moons(n, noise, seed)
    t0 = time.perf_counter()
    model = call_student(ex, train_moons, [list(p) for p in X], list(y), what="train_moons")
    elapsed = time.perf_counter() - t0
    if elapsed > time_limit:
        fail(ex, f"train_moons took {elapsed:.1f} s, over the {time_limit:.0f} s limit",
             "fewer steps, a smaller network, or a larger learning rate")
    correct = 0
    for p, label in zip(X, y):
        s = call_student(ex, model, p, what="model")
        s = s[0] if isinstance(s, (list, tuple)) else s
        s = as_number(ex, s, "model(x)")
        if not math.isfinite(s):
            fail(ex, f"model({p}) is {fmt(s)}", "the training diverged: lower the learning rate")
        correct += (s > 0) == (label > 0)
    accuracy = correct / n
    if accuracy < min_accuracy:
        fail(ex, f"training accuracy {accuracy:.0%} < {min_accuracy:.0%} (in {elapsed:.1f} s)",
             "a straight line cannot separate the moons: use hidden layers with a nonlinearity, "
             "and train longer")
    return passed(ex, f"accuracy {accuracy:.0%} in {elapsed:.1f} s")
