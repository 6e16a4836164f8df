"""tinygrad_edu.optim: SGD (plain, momentum, schedule) and Adam against hand values and autograd."""

import math

import autograd.numpy as anp
import pytest
from autograd import grad as ag_grad
from autograd.misc.optimizers import adam as ag_adam, sgd as ag_sgd

from tinygrad_edu import MLP, SGD, Adam, Value, sin
from tinygrad_edu.optim import Optimizer


def _f_values(x):
    """A bumpy test function, written once for Values..."""
    return (1 - x[0]) * (1 - x[0]) + 5 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) + sin(3 * x[2]) * x[2]


def _f_numpy(x):
    """...and once for autograd's numpy."""
    return (1 - x[0]) ** 2 + 5 * (x[1] - x[0] ** 2) ** 2 + anp.sin(3 * x[2]) * x[2]


def _run(opt, params, steps):
    for _ in range(steps):
        loss = _f_values(params)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return [p.data for p in params]


START = [-0.5, 0.8, 0.3]


# --------------------------------------------------------------------------
# SGD
# --------------------------------------------------------------------------
def test_sgd_step_by_hand():
    w, b = Value(2.0), Value(-1.0)
    opt = SGD([w, b], lr=0.1)
    w.grad, b.grad = 3.0, -0.5
    opt.step()
    assert (w.data, b.data) == (pytest.approx(1.7, abs=1e-15), pytest.approx(-0.95, abs=1e-15))
    assert opt.steps == 1


def test_sgd_momentum_by_hand():
    w = Value(1.0)
    opt = SGD([w], lr=0.5, momentum=0.9)
    for g in (1.0, 2.0, -1.0):
        w.grad = g
        opt.step()
    # velocities: 1, 0.9*1 + 2 = 2.9, 0.9*2.9 - 1 = 1.61;  w = 1 - 0.5*(1 + 2.9 + 1.61)
    assert opt.velocity[0] == pytest.approx(1.61, abs=1e-15)
    assert w.data == pytest.approx(1 - 0.5 * (1 + 2.9 + 1.61), abs=1e-15)


def test_sgd_schedule_is_called_with_the_step_number():
    seen = []

    def schedule(k):
        seen.append(k)
        return 1.0 - 0.9 * k / 100

    w = Value(0.0)
    opt = SGD([w], lr=schedule)
    for _ in range(3):
        w.grad = 1.0
        opt.step()
    assert seen == [0, 1, 2]
    assert w.data == pytest.approx(-(1.0 + 0.991 + 0.982), abs=1e-15)
    assert opt.current_lr() == pytest.approx(0.973)


def test_plain_sgd_matches_autograd_gradient_descent():
    params = [Value(v) for v in START]
    ours = _run(SGD(params, lr=0.01), params, 50)
    x = anp.array(START)
    g = ag_grad(_f_numpy)
    for _ in range(50):
        x = x - 0.01 * g(x)
    assert ours == pytest.approx(list(x), rel=1e-12)


def test_momentum_sgd_matches_autograd_sgd():
    # autograd: v = μv - (1-μ)g, x += s·v.  Ours: u = μu + g, x -= lr·u.  Same with lr = s(1-μ).
    mass, step = 0.9, 0.05
    params = [Value(v) for v in START]
    ours = _run(SGD(params, lr=step * (1 - mass), momentum=mass), params, 60)
    theirs = ag_sgd(lambda x, i: ag_grad(_f_numpy)(x), anp.array(START), num_iters=60,
                    step_size=step, mass=mass)
    assert ours == pytest.approx(list(theirs), rel=1e-10)


# --------------------------------------------------------------------------
# Adam
# --------------------------------------------------------------------------
def test_adam_first_step_by_hand():
    # m̂ = g and v̂ = g² after one step, so the move is lr·g/(|g| + eps) ≈ lr·sign(g).
    w, b = Value(1.0), Value(1.0)
    opt = Adam([w, b], lr=0.1)
    w.grad, b.grad = 123.0, -0.001
    opt.step()
    assert w.data == pytest.approx(1.0 - 0.1 * 123.0 / (123.0 + 1e-8), abs=1e-15)
    assert b.data == pytest.approx(1.0 + 0.1 * 0.001 / (0.001 + 1e-8), abs=1e-15)


def test_adam_second_step_by_hand():
    w = Value(0.0)
    opt = Adam([w], lr=0.01, betas=(0.5, 0.75), eps=1e-8)
    w.grad = 2.0
    opt.step()
    w.grad = 4.0
    opt.step()
    m = 0.5 * (0.5 * 2.0) + 0.5 * 4.0               # 3.0
    v = 0.75 * (0.25 * 4.0) + 0.25 * 16.0           # 4.75
    m_hat, v_hat = m / (1 - 0.25), v / (1 - 0.5625)
    first = -0.01 * 2.0 / (2.0 + 1e-8)
    expected = first - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8)
    assert w.data == pytest.approx(expected, abs=1e-15)


def test_adam_matches_autograd_adam():
    params = [Value(v) for v in START]
    ours = _run(Adam(params, lr=0.05), params, 80)
    theirs = ag_adam(lambda x, i: ag_grad(_f_numpy)(x), anp.array(START), num_iters=80, step_size=0.05)
    assert ours == pytest.approx(list(theirs), rel=1e-10)


def test_adam_accepts_a_schedule():
    w = Value(1.0)
    opt = Adam([w], lr=lambda k: 0.1 / (k + 1))
    for _ in range(2):
        w.grad = 1.0
        opt.step()
    assert w.data == pytest.approx(1.0 - 0.1 - 0.05, abs=1e-8)   # eps shifts it by ~1e-9


# --------------------------------------------------------------------------
# Shared behaviour
# --------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1), lambda p: Adam(p)])
def test_optimizer_zero_grad_clears_every_parameter(make):
    model = MLP(2, [4, 1], seed=0)
    for i, p in enumerate(model.parameters()):
        p.grad = float(i + 1)
    make(model).zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_optimizer_takes_a_module_or_a_list():
    model = MLP(2, [4, 1], seed=0)
    assert SGD(model).parameters == model.parameters()
    assert SGD(model.parameters()).parameters == model.parameters()


def test_reprs():
    assert repr(SGD([Value(1.0)], lr=0.1)) == "SGD(1 parameters, lr=0.1)"
    assert repr(Adam([Value(1.0)], lr=lambda k: 0.1)) == "Adam(1 parameters, lr=schedule)"


def test_base_class_step_is_abstract():
    with pytest.raises(NotImplementedError):
        Optimizer([Value(1.0)], lr=0.1).step()


def test_step_refuses_a_nan_gradient_and_leaves_parameters_alone():
    w = Value(1.0, label="w")
    opt = SGD([w], lr=0.1)
    w.grad = math.nan
    with pytest.raises(FloatingPointError, match=r"parameter 0 \(w\) has gradient nan"):
        opt.step()
    assert w.data == 1.0 and opt.steps == 0


p0 = Value(1.0)


@pytest.mark.parametrize("make, error, words", [
    (lambda: SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda: SGD(Value(1.0)), TypeError, "got a single Value"),
    (lambda: SGD(5), TypeError, "list of Values"),
    (lambda: SGD([1.0]), TypeError, "parameter 0 is a float"),
    (lambda: SGD([p0, p0]), ValueError, "appears twice"),
    (lambda: SGD([Value(1.0, requires_grad=False)]), ValueError, "constant"),
    (lambda: SGD([Value(1j)]), TypeError, "complex"),
    (lambda: SGD([Value(1.0)], lr=-0.1), ValueError, "finite number >= 0"),
    (lambda: SGD([Value(1.0)], lr=math.inf), ValueError, "finite number >= 0"),
    (lambda: SGD([Value(1.0)], lr="fast"), TypeError, "number or a function of the step"),
    (lambda: SGD([Value(1.0)], momentum=1.0), ValueError, r"momentum must be a number in \[0, 1\)"),
    (lambda: Adam([Value(1.0)], betas=0.9), TypeError, "betas must be a pair"),
    (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, "beta2"),
    (lambda: Adam([Value(1.0)], eps=0), ValueError, "eps must be a positive"),
])
def test_construction_errors(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_a_schedule_returning_nonsense_is_reported():
    w = Value(1.0)
    opt = SGD([w], lr=lambda k: -1.0)
    w.grad = 1.0
    with pytest.raises(ValueError, match=r"schedule lr\(0\).*>= 0, got -1.0"):
        opt.step()
