"""Checkers of notebook 06: pass on the solutions, fail on typical wrong answers with the right hint."""

import pytest
from exhelp import S, fails
from mistakes_nb06 import _ascent, _BiasFromData, _ZeroesData, _zero_init

import tinygrad_edu
from tinygrad_edu.exercises import check_moons, check_parameters_zero_grad, check_training_loop
from tinygrad_edu.exercises.nb06 import EX1, EX2, EX3, _line_agreement, _moon_label
from tinygrad_edu.exercises._programs import make_moons


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


def test_zero_grad_that_zeroes_the_data_is_named():
    # issue 18: it used to be told "rebinding a local name changes nothing"
    text = fails(check_parameters_zero_grad, _ZeroesData,
                 match=["set the parameters' values (p.data) to 0", "zeroed the data/weights, not the grads"])
    assert "rebinding" not in text


def test_the_library_mlp_is_not_an_answer():
    fails(check_parameters_zero_grad, tinygrad_edu.nn.MLP, match=["tinygrad_edu.nn.MLP", "write your own"])

    class Wrapped(tinygrad_edu.nn.MLP):
        pass
    fails(check_parameters_zero_grad, Wrapped, match="write your own")
    fails(check_parameters_zero_grad, lambda nin, nouts: tinygrad_edu.nn.MLP(nin, nouts), match="write your own")


def test_a_graph_cut_in_the_forward_pass_is_seen():
    fails(check_parameters_zero_grad, _BiasFromData, match=["nudging it changes out²", "cuts the graph"])


def test_mlp_shapes_are_random_per_student():
    shapes = {str([(c["nin"], c["nouts"]) for c in EX1.make_cases(s)]) for s in ("ann", "bob", "cy", "dee")}
    assert len(shapes) > 1
    for s in ("ann", "bob"):
        assert check_parameters_zero_grad(S.MLP, student_id=s)


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


def test_a_fixed_learning_rate_fails_on_the_random_run():
    # The notebook's run uses lr=0.05; the random run another lr, so 0.05 written in is caught.
    def fixed(model, xs, ys, lr):
        return S.training_step(model, xs, ys, 0.05)
    for student in ("ann", "bob", "cy"):
        assert EX2.make_cases(student)[1]["lr"] != 0.05
        fails(check_training_loop, fixed, student_id=student, match=["use the lr argument", "not lr·grad"])


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


def test_moons_zero_init_and_ascent_are_named():
    # issue 18: both used to be told "a straight line cannot separate the moons"
    text = fails(check_moons, _zero_init, match=["at every point", "zero initialisation"])
    assert "straight line" not in text
    text = fails(check_moons, _ascent, match=["opposite", "uphill"])
    assert "straight line" not in text


def test_moons_memorising_fails_on_fresh_points():
    def memorise(X, y):
        seen = {tuple(p): t for p, t in zip(X, y)}
        return lambda x: seen.get(tuple(x), 1.0)
    fails(check_moons, memorise, match=["new points", "memorised"])


def test_moons_fresh_labels_come_from_the_geometry():
    # The judge labels the fresh points itself: the nearer arc agrees with the generator
    # wherever the moons' noise leaves a clear margin.
    X, y = make_moons(400, 0.05, 7)
    agree = sum(_moon_label(p) == t for p, t in zip(X, y)) / len(X)
    assert agree > 0.99
    cases = EX3.make_cases("ann")
    labels = [_moon_label(p) for p in cases["fresh"]]
    assert labels.count(1) == labels.count(-1) == 50
    assert not any(tuple(p) in {tuple(q) for q in cases["X"]} for p in cases["fresh"])


@pytest.mark.parametrize("bent", [False, True])
def test_line_agreement(bent):
    # The moons' own labels need a bent boundary; any tilted line's signs are reproduced exactly.
    X, y = make_moons(100, 0.1, 3)
    signs = y if bent else [1 if 0.7 * a - 1.3 * b + 0.2 > 0 else -1 for a, b in X]
    agree = _line_agreement(X, signs)
    assert (agree < 0.95) if bent else (agree == 1.0)
