"""Checkers of notebook 01: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import pytest
from exhelp import S, fails

from tinygrad_edu.exercises import (BareValue, ExerciseFailed, chain_instance, check_best_h,
                                    check_central_difference, check_chain_derivative, check_chain_links,
                                    check_gradient_F, check_manual_grads, check_mul_backward, check_path_sum,
                                    check_reflected_ops, try_check)


def test_central_difference():
    assert check_central_difference(S.central_difference) is True

    def forward(f, *args, arg=0, h=1e-6):
        up = list(args); up[arg] += h
        return (f(*up) - f(*args)) / h

    def wrong_arg(f, *args, arg=0, h=1e-6):
        return S.central_difference(f, *args, arg=0, h=h)

    def no_half(f, *args, arg=0, h=1e-6):
        return 2 * S.central_difference(f, *args, arg=arg, h=h)

    def flipped(f, *args, arg=0, h=1e-6):
        return -S.central_difference(f, *args, arg=arg, h=h)

    fails(check_central_difference, forward, match="forward difference")
    fails(check_central_difference, wrong_arg, match=["mul(5,10) wrt arg 1", "returned 10", "expected 5",
                                                      "you perturbed argument 0"])
    fails(check_central_difference, no_half, match="divide by 2h")
    fails(check_central_difference, flipped, match="sign is flipped")


def test_student_exceptions_become_messages():
    def unwritten(f, *args, arg=0, h=1e-6):
        raise NotImplementedError
    fails(check_central_difference, unwritten, match="not written yet")

    def broken(f, *args, arg=0, h=1e-6):
        return 1 / 0
    fails(check_central_difference, broken, match="raised ZeroDivisionError")
    assert try_check(check_central_difference, broken) is False


def test_failure_renders_without_traceback():
    with pytest.raises(ExerciseFailed) as info:
        check_best_h(1e-12, 1e-5)
    lines = info.value._render_traceback_()
    assert lines[0].startswith("\u2717 nb01_ex2: h_forward=1e-12 is too small")
    assert any("hint:" in line for line in lines)
    assert isinstance(info.value, AssertionError)


def test_best_h():
    assert check_best_h(S.h_forward, S.h_central)
    assert check_best_h(1e-9, 1e-4) and check_best_h(1e-7, 1e-6)
    fails(check_best_h, 1e-12, 1e-12, match=["too small", "round-off", "not always better"])
    fails(check_best_h, 1e-5, 1e-8, match=["h_forward=1e-05 is too large", "truncation"])
    fails(check_best_h, 1e-8, 1e-2, match=["h_central=0.01 is too large"])
    fails(check_best_h, -1e-8, 1e-5, match="must be positive")


def test_gradient_F():
    assert check_gradient_F(S.grad_F)
    fails(check_gradient_F, lambda a, b, c: (2 * a * b, a * a, math.exp(c) + b / c ** 2),
          match=["dF/db", "got 2.25", "central difference gives 0.25", "b appears twice"])
    fails(check_gradient_F, lambda a, b, c: (2 * a * b, a * a - 1 / c, math.exp(c) - b / c ** 2),
          match=["dF/dc", "gives -6.35128"])
    fails(check_gradient_F, lambda a, b, c: (2 * a, a * a - 1 / c, math.exp(c) + b / c ** 2), match="dF/da")
    fails(check_gradient_F, lambda a, b, c: 0.0, match="three partials")
