"""Checkers of notebook 07: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import autograd.numpy as anp
from autograd import grad as ag_grad
from exhelp import S, fails
from mistakes_nb07 import _central_difference, _fixed_lr, _fixed_steps, _hard_coded

import tinygrad_edu
from tinygrad_edu.engine import Value, gradients
from tinygrad_edu.exercises import (check_grad_impl, check_logistic_regression, check_taylor_tolerance,
                                    taylor_sine)
from tinygrad_edu.exercises.nb07 import EX1, EX2, _STIFF, _function


def test_grad_impl():
    assert check_grad_impl(S.grad)

    def ignores_argnum(f, argnum=0):
        return S.grad(f, 0)

    def returns_value(f, argnum=0):
        def df(*args):
            xs = [Value(a) for a in args]
            f(*xs).backward()
            return xs[argnum] * 1.0
        return df

    def no_check(f, argnum=0):
        def df(*args):
            xs = [Value(a) for a in args]
            f(*xs).backward()
            return xs[argnum].grad
        return df

    def vague_error(f, argnum=0):
        inner = S.grad(f, argnum)

        def df(*args):
            out = f(*args)
            if isinstance(out, list):
                raise TypeError("bad output")
            return inner(*args)
        return df

    fails(check_grad_impl, ignores_argnum, match=["argnum=1", "derivative wrt argument 0: use argnum"])
    fails(check_grad_impl, returns_value, match="returned a Value")
    fails(check_grad_impl, no_check, match=["non-scalar output raised AttributeError", "elementwise_grad"])
    fails(check_grad_impl, vague_error, match=["your TypeError says 'bad output'", "elementwise_grad or jacobian"])


def richardson(f, args, i, h=1e-3):
    """A fourth-order central difference: as good as finite differences get."""
    def at(step):
        moved = list(args)
        moved[i] += step
        return f(*moved)
    return (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h)


def test_finite_differences_are_not_autodiff():
    # issue 18: a grad made of central differences used to pass (the checker compared with
    # finite differences itself); now the engine's exact gradient is the reference.
    fails(check_grad_impl, _central_difference, match=["autodiff gives", "finite differences, not autodiff"])

    def careful(f, argnum=0):           # a fourth-order difference, with f called 4 times
        return lambda *args: richardson(f, args, argnum)
    fails(check_grad_impl, careful, match="finite differences, not autodiff")


def test_stiff_functions_are_beyond_finite_differences():
    # Where the gradient is checked to 1e-11, the best finite differences miss by far more.
    for k, (_, n, _) in enumerate(_STIFF):
        case = {"stiff": k, "args": [0.3, -0.2, 0.5][:n]}
        f = _function(case)
        x = [Value(a) for a in case["args"]]
        exact = gradients(f(*x), x)
        for i in range(n):
            errors = [abs(richardson(f, case["args"], i, h) - exact[x[i]]) for h in (1e-2, 1e-3, 1e-4, 1e-5)]
            assert min(errors) > 1e-9 * max(1.0, abs(exact[x[i]]))


def test_the_library_grad_is_not_an_answer():
    fails(check_grad_impl, tinygrad_edu.grad, match=["tinygrad_edu's own grad", "write your own"])
    fails(check_grad_impl, lambda f, argnum=0: tinygrad_edu.grad(f, argnum), match="tinygrad_edu's own grad")


def test_grad_points_are_random_per_student():
    assert EX1.make_cases("ann") != EX1.make_cases("bob")
    assert EX1.make_cases("ann") == EX1.make_cases("ann")
    assert check_grad_impl(S.grad, student_id="bob")


def test_logistic_reference_matches_autograd():
    # The checker's reference trajectory against HIPS autograd (test-only oracle).
    from tinygrad_edu.exercises._programs import LOGISTIC_INPUTS, LOGISTIC_TARGETS

    inputs = anp.array(LOGISTIC_INPUTS)
    targets = anp.array(LOGISTIC_TARGETS)

    def loss(w):
        p = 0.5 * (anp.tanh(anp.dot(inputs, w) / 2) + 1)
        return -anp.sum(anp.log(p * targets + (1 - p) * (1 - targets)))

    w = anp.zeros(3)
    assert abs(loss(w) - 2.772589) < 1e-6
    for _ in range(100):
        w = w - 0.01 * ag_grad(loss)(w)
    assert abs(loss(w) - 1.067271) < 1e-6
    assert abs(S.train_logistic(LOGISTIC_INPUTS, LOGISTIC_TARGETS)[0] - w[0]) < 1e-9


def test_logistic_regression():
    assert check_logistic_regression(S.train_logistic)

    def uphill(inputs, targets, steps=100, lr=0.01):
        return S.train_logistic(inputs, targets, steps, -lr)

    def mean_loss(inputs, targets, steps=100, lr=0.01):
        return S.train_logistic(inputs, targets, steps, lr / len(inputs))

    def off_by_one(inputs, targets, steps=100, lr=0.01):
        return S.train_logistic(inputs, targets, steps - 1, lr)

    fails(check_logistic_regression, uphill, match=["expected 1.067271", "subtract the gradient"])
    fails(check_logistic_regression, mean_loss, match="mean loss")
    fails(check_logistic_regression, off_by_one, match="match 99 steps, not 100")
    fails(check_logistic_regression, lambda *a: 0.0, match="should return the 3 weights")


def test_logistic_random_data_sets_catch_fixed_arguments():
    # Right on the notebook's data, wrong elsewhere: these passed the single fixed case.
    for student in ("ann", "bob"):
        cases = EX2.make_cases(student)
        assert all(c["steps"] != 100 and c["lr"] != 0.01 for c in cases[1:])
        assert check_logistic_regression(S.train_logistic, student_id=student)
        fails(check_logistic_regression, _fixed_lr, student_id=student, match="use the lr argument")
        fails(check_logistic_regression, _fixed_steps, student_id=student, match="use the steps argument")
        fails(check_logistic_regression, _hard_coded, student_id=student,
              match="train on the inputs and targets you are given")


def test_taylor_tolerance():
    assert check_taylor_tolerance(S.taylor_tolerance)
    fails(check_taylor_tolerance, 1e-3, match=["-0.99989953", "1.0e-04 away from -1", "truncated derivative"])
    fails(check_taylor_tolerance, 0.0, match="positive tolerance")
    fails(check_taylor_tolerance, "1e-8", match=["should be a number", "without quotes"])
    fails(check_taylor_tolerance, None, match="still None")
    fails(check_taylor_tolerance, 1e-4, match="4.2e-06 away from -1")


def test_taylor_sine_numbers():
    x = Value(math.pi)
    y = taylor_sine(x, 1e-3)
    assert abs(gradients(y, [x])[x] - (-0.999900)) < 1e-6      # CURRICULUM NB07
    x = Value(1.0)
    y = taylor_sine(x, 1e-3)
    assert abs(y.data - 0.841468) < 1e-6 and abs(gradients(y, [x])[x] - 0.540278) < 1e-6
