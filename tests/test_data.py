"""tinygrad_edu.data: geometry, labels, determinism, errors."""

import math
import random

import pytest

from tinygrad_edu import logistic_regression_toy, make_circles, make_moons, make_spiral, make_xor

GENERATORS = [make_moons, make_circles, make_xor, make_spiral]


def test_moons_without_noise_lie_on_the_two_arcs():
    X, y = make_moons(101, noise=0.0, seed=0)
    assert y.count(0) == 50 and y.count(1) == 51
    for (a, b), label in zip(X, y):
        if label == 0:       # upper arc: unit circle around (0, 0), y >= 0
            assert math.hypot(a, b) == pytest.approx(1.0, abs=1e-12) and b >= -1e-12
        else:                # lower arc: unit circle around (1, 0.5), y <= 0.5
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0, abs=1e-12) and b <= 0.5 + 1e-12
    upper = sorted(p for p, label in zip(X, y) if label == 0)
    assert upper[0] == pytest.approx([-1.0, 0.0], abs=1e-12)      # t = π
    assert upper[-1] == pytest.approx([1.0, 0.0], abs=1e-12)      # t = 0


def test_moons_noise_has_the_requested_spread():
    clean, _ = make_moons(2000, noise=0.0, seed=3)
    noisy, _ = make_moons(2000, noise=0.1, seed=3)
    # Same seed, so the shuffle is the same; the difference is the noise alone.
    d = [n[0] - c[0] for n, c in zip(noisy, clean)] + [n[1] - c[1] for n, c in zip(noisy, clean)]
    mean = sum(d) / len(d)
    sd = math.sqrt(sum((v - mean) ** 2 for v in d) / len(d))
    assert abs(mean) < 0.01 and sd == pytest.approx(0.1, rel=0.05)


def test_moons_are_shuffled():
    _, y = make_moons(100, noise=0.1, seed=0)
    assert y != sorted(y)


def test_circles_without_noise():
    X, y = make_circles(40, noise=0.0, factor=0.3, seed=1)
    for (a, b), label in zip(X, y):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.3, abs=1e-12)
    assert y.count(0) == y.count(1) == 20


def test_xor_labels_follow_the_quadrants():
    X, y = make_xor(200, seed=2)
    assert all(label == (1 if a * b > 0 else 0) for (a, b), label in zip(X, y))
    assert all(-1 <= a <= 1 and -1 <= b <= 1 for a, b in X)
    assert 60 < sum(y) < 140


def test_spiral_classes_and_radius():
    X, y = make_spiral(150, classes=3, noise=0.1, seed=0)
    assert sorted(set(y)) == [0, 1, 2] and [y.count(k) for k in range(3)] == [50, 50, 50]
    assert all(math.hypot(a, b) <= 1.0 + 1e-12 for a, b in X)


@pytest.mark.parametrize("make", GENERATORS)
def test_same_seed_same_data_and_no_global_random_state(make):
    random.seed(5)
    state = random.getstate()
    first = make(60, seed=7)
    assert random.getstate() == state
    random.random()
    assert make(60, seed=7) == first
    assert make(60, seed=8) != first
    X, y = first
    assert len(X) == len(y) == 60
    assert all(isinstance(v, float) for row in X for v in row) and all(isinstance(t, int) for t in y)


def test_logistic_toy_is_the_seed_data():
    inputs, targets = logistic_regression_toy()
    assert inputs == [[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.3], [0.74, -2.49, 1.39]]
    assert targets == [True, True, False, True]


@pytest.mark.parametrize("call, error, words", [
    (lambda: make_moons(1), ValueError, "at least 2"),
    (lambda: make_moons(10.0), TypeError, "must be an int"),
    (lambda: make_moons(10, noise=-0.1), ValueError, "noise must be a finite number >= 0"),
    (lambda: make_moons(10, noise=math.nan), ValueError, "noise"),
    (lambda: make_moons(10, seed="x"), TypeError, "seed must be an int"),
    (lambda: make_circles(10, factor=1.5), ValueError, r"factor \(inner radius\) must be in \(0, 1\)"),
    (lambda: make_spiral(10, classes=1), ValueError, "classes must be an int >= 2"),
    (lambda: make_xor(0), ValueError, "at least 1"),
])
def test_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()
