"""The bug museum reproduces the wrong numbers of CURRICULUM.md NB04 (hand-derived)."""

import pytest

from tinygrad_edu import Value
from tinygrad_edu.bugs import BUGS, backward_with_bug, diamond, double_edge, museum, shared_parents


def twice(build, bug):
    out, *leaves = build()
    backward_with_bug(out, bug)
    backward_with_bug(out, bug)
    return [leaf.grad for leaf in leaves]


def once(build, bug):
    out, *leaves = build()
    backward_with_bug(out, bug)
    return [leaf.grad for leaf in leaves]


def a_plus_a():
    a = Value(3.0)
    return a + a, a


@pytest.mark.parametrize("build, bug, expected", [
    (a_plus_a, None, [2.0]),
    (a_plus_a, "assign_instead_of_accumulate", [1.0]),
    (diamond, None, [21.0, 16.0]),
    (diamond, "assign_instead_of_accumulate", [15.0, 10.0]),
    (diamond, "no_seed", [0.0, 0.0]),
    (shared_parents, None, [25.0, 19.0]),
    (shared_parents, "naive_recursive_backward", [29.0, 22.0]),
    (double_edge, None, [4.0]),
    (double_edge, "naive_recursive_backward", [8.0]),
])
def test_single_pass_numbers(build, bug, expected):
    assert once(build, bug) == expected


def test_backward_twice_without_zeroing():
    # Correct: leaves accumulate exactly (2 × 21, 2 × 16); stale intermediates compound to 63, 48.
    assert twice(diamond, None) == [42.0, 32.0]
    assert twice(diamond, "no_reset") == [63.0, 48.0]


def test_values_of_the_exhibits():
    f, x, y = diamond()
    assert f.data == 30.0
    yv, a, b = shared_parents()
    assert yv.data == 41.0


def test_correct_pass_matches_engine_backward():
    f, x, y = diamond()
    f.backward()
    expected = (x.grad, y.grad)
    g, x2, y2 = diamond()
    backward_with_bug(g)
    assert (x2.grad, y2.grad) == expected


def test_museum_rows():
    rows = {(name, bug): (good, bad) for name, bug, good, bad in museum()}
    assert rows[("b = a+a at a=3", "assign_instead_of_accumulate")] == ((2.0,), (1.0,))
    assert rows[("y = (c+d)+c·d, c=a+b, d=a·b at (2,3)", "naive_recursive_backward")] == ((25.0, 19.0), (29.0, 22.0))
    assert rows[("f = (x·y)·(x+y) at (2,3), backward twice", "no_reset")] == ((42.0, 32.0), (63.0, 48.0))
    assert {bug for _, bug in rows} == set(BUGS)


def test_naive_recursion_is_iterative():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0
    backward_with_bug(y, "naive_recursive_backward")   # no RecursionError
    assert x.grad == 1.0


def test_errors():
    with pytest.raises(ValueError, match="unknown bug 'typo'.*assign_instead_of_accumulate"):
        backward_with_bug(Value(1.0), "typo")
    with pytest.raises(TypeError, match="needs a Value, got float"):
        backward_with_bug(1.0)
