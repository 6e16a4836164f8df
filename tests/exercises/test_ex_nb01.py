"""Checkers of notebook 01: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import pytest
from exhelp import S, fails

from tinygrad_edu.exercises import (EXERCISES, ExerciseFailed, check_best_h, check_central_difference,
                                    check_gradient_F, try_check)


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
    fails(check_best_h, 1e-5, 1e-5, match=["h_forward=1e-05 is too large", "truncation"])
    fails(check_best_h, 1e-5, 1e-8, match=["h_forward=1e-05 is too large", "look swapped"])
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


def test_central_difference_that_ignores_h_fails():
    # issue 18: a fixed step passed the old checker (x³ at 1 with h=1e-2 gives 3.0000, not 3.0001).
    def fixed_step(f, *args, arg=0, h=1e-6):
        return S.central_difference(f, *args, arg=arg)

    def fixed_larger_step(f, *args, arg=0, h=1e-6):
        return S.central_difference(f, *args, arg=arg, h=1e-5)

    assert fixed_step(lambda x: x ** 3, 1.0, h=1e-2) != pytest.approx(3.0001, abs=1e-6)
    fails(check_central_difference, fixed_step,
          match=["cube(1) wrt arg 0 with h=0.01 returned 3, expected 3.0001", "ignores its h argument", "fixed step"])
    fails(check_central_difference, fixed_larger_step, match="fixed step")


def test_central_difference_is_tried_at_several_steps_and_random_points():
    cases = EXERCISES["nb01_ex1"].make_cases("alice")
    assert all(c["hs"][:2] == [None, 1e-2] and c["hs"][2] in (0.1, 0.05, 3e-3, 1e-3) for c in cases)
    assert len({tuple(c["args"]) for c in cases}) >= 15
    assert cases != EXERCISES["nb01_ex1"].make_cases("bob")
    assert check_central_difference(S.central_difference, student_id="bob")


def test_central_difference_names_more_slips():
    def precedence(f, *args, arg=0, h=1e-6):
        up = list(args); up[arg] += h
        down = list(args); down[arg] -= h
        return (f(*up) - f(*down)) / 2 * h

    def every_argument(f, *args, arg=0, h=1e-6):
        return (f(*[a + h for a in args]) - f(*[a - h for a in args])) / (2 * h)

    fails(check_central_difference, precedence, match="operator precedence")
    fails(check_central_difference, every_argument, match="you moved every argument")


def test_best_h_names_exponents_swaps_and_gives_partial_credit():
    fails(check_best_h, -8, -5, match=["looks like an exponent", "1e-8"])
    with pytest.raises(ExerciseFailed) as info:
        check_best_h(1e-8, 1e-12)
    assert info.value.earned == 0.5 and "h_central=1e-12 is too small" in str(info.value)
    with pytest.raises(ExerciseFailed) as info:
        check_best_h(None, 1e-5)
    assert info.value.kind == "not-attempted"
    cases = EXERCISES["nb01_ex2"].make_cases("alice")
    assert cases[0] == 1.0 and len(set(cases)) == 5


def test_gradient_F_is_exact_at_random_points_and_names_slips():
    points = EXERCISES["nb01_ex3"].make_cases("alice")
    assert points[0] == [1.5, -2.0, 0.5] and len(points) == 6 and points != EXERCISES["nb01_ex3"].make_cases("bob")

    def numeric(a, b, c):
        F = lambda a, b, c: a * a * b + math.exp(c) - b / c  # noqa: E731
        h = 1e-6
        return ((F(a + h, b, c) - F(a - h, b, c)) / (2 * h), (F(a, b + h, c) - F(a, b - h, c)) / (2 * h),
                (F(a, b, c + h) - F(a, b, c - h)) / (2 * h))

    fails(check_gradient_F, numeric, match="close but not exact")
    fails(check_gradient_F, lambda a, b, c: (a * a - 1 / c, 2 * a * b, math.exp(c) + b / c ** 2),
          match=["dF/da", "that is dF/db", "order"])
    with pytest.raises(ExerciseFailed) as info:
        check_gradient_F(lambda a, b, c: (2 * a * b, a * a - 1 / c, c * math.exp(c - 1) + b / c ** 2))
    assert info.value.earned == pytest.approx(2 / 3) and "power rule does not apply" in str(info.value)


@pytest.mark.parametrize("exercise_id", ["nb01_ex1", "nb01_ex2", "nb01_ex3"])
def test_forged_observations_never_pass(exercise_id):
    # In the class grader the probe runs beside the student's code: a patched probe can send
    # anything.  Too few observations (nothing to check) or odd shapes must fail, not pass.
    ex = EXERCISES[exercise_id]
    cases = ex.make_cases("mallory")
    right = ex.observe(cases, *[getattr(S, name) for name in ex.names])
    assert ex.verdict(cases, right)
    for forged in ([], right[:1], {"passed": True}, None, [None] * len(right), [[]] * len(right)):
        with pytest.raises(ExerciseFailed):
            ex.verdict(cases, forged)
