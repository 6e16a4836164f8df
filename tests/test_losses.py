"""tinygrad_edu.losses against hand-computed values and HIPS autograd."""

import math

import autograd.numpy as anp
import pytest
from autograd import grad as ag_grad
from hypothesis import given, settings, strategies as st

from tinygrad_edu import Value, binary_cross_entropy, cross_entropy, hinge, l2, mse, MLP
from tinygrad_edu.losses import max_margin


def _values(xs):
    return [Value(float(x)) for x in xs]


# --------------------------------------------------------------------------
# MSE
# --------------------------------------------------------------------------
def test_mse_by_hand():
    p = _values([3.0, 1.0, -2.0])
    loss = mse(p, [1.0, 1.0, 0.0])              # (4 + 0 + 4) / 3
    assert loss.data == pytest.approx(8.0 / 3.0, rel=1e-15)
    loss.backward()                             # d/dp_i = 2 (p_i - t_i) / n
    assert [v.grad for v in p] == pytest.approx([4.0 / 3, 0.0, -4.0 / 3], rel=1e-15)


def test_mse_single_example_and_value_targets():
    p = Value(2.5)
    assert mse(p, 0.5).data == 4.0
    t = Value(1.0)
    loss = mse([p], [t])
    loss.backward()
    assert (p.grad, t.grad) == (3.0, -3.0)


def test_mse_matches_autograd():
    preds, targets = [0.3, -1.2, 2.2, 0.0], [1.0, -1.0, 1.0, 1.0]
    p = _values(preds)
    loss = mse(p, targets)
    loss.backward()
    oracle = lambda a: anp.mean((a - anp.array(targets)) ** 2)
    assert loss.data == pytest.approx(float(oracle(anp.array(preds))), rel=1e-14)
    assert [v.grad for v in p] == pytest.approx(list(ag_grad(oracle)(anp.array(preds))), rel=1e-14)


# --------------------------------------------------------------------------
# Hinge
# --------------------------------------------------------------------------
def test_hinge_by_hand():
    s = _values([2.0, 0.5, -0.25, 0.5])
    loss = hinge(s, [1, -1, -1, 1])           # 0, 1.5, 0.75, 0.5  -> mean 0.6875
    assert loss.data == pytest.approx(0.6875, rel=1e-15)
    loss.backward()                           # -y/n where the margin is violated, else 0
    assert [v.grad for v in s] == [0.0, 0.25, 0.25, -0.25]


def test_hinge_accepts_both_label_spellings():
    scores = [0.3, -0.7, 1.4, -2.0]
    signed = hinge(_values(scores), [1, -1, 1, -1]).data
    assert hinge(_values(scores), [1, 0, 1, 0]).data == signed
    assert hinge(_values(scores), [True, False, True, False]).data == signed
    assert max_margin is hinge


def test_hinge_matches_autograd():
    scores, labels = [0.3, -0.7, 1.4, -0.2, 0.9], [1, -1, 1, 1, -1]
    s = _values(scores)
    loss = hinge(s, labels)
    loss.backward()
    y = anp.array(labels, dtype=float)
    oracle = lambda a: anp.mean(anp.maximum(0.0, 1.0 - y * a))
    assert loss.data == pytest.approx(float(oracle(anp.array(scores))), rel=1e-14)
    assert [v.grad for v in s] == pytest.approx(list(ag_grad(oracle)(anp.array(scores))), rel=1e-14)


def test_hinge_rejects_non_labels():
    with pytest.raises(ValueError, match=r"class labels.*got 0.5"):
        hinge([Value(1.0)], [0.5])


# --------------------------------------------------------------------------
# Binary cross-entropy
# --------------------------------------------------------------------------
def _bce_reference(z, t):
    """-[t log σ(z) + (1-t) log(1-σ(z))] with exact rationals of σ, for moderate z."""
    p = 1.0 / (1.0 + math.exp(-z))
    return -(t * math.log(p) + (1 - t) * math.log(1 - p))


def test_bce_by_hand():
    assert binary_cross_entropy([Value(0.0)], [1]).data == pytest.approx(math.log(2), rel=1e-15)
    z = _values([1.5, -0.3, 2.0])
    loss = binary_cross_entropy(z, [1, 0, 0.25])
    expected = sum(_bce_reference(a, t) for a, t in zip([1.5, -0.3, 2.0], [1, 0, 0.25])) / 3
    assert loss.data == pytest.approx(expected, rel=1e-13)
    loss.backward()                     # d/dz = (sigmoid(z) - t) / n
    sig = lambda a: 1 / (1 + math.exp(-a))
    assert [v.grad for v in z] == pytest.approx(
        [(sig(1.5) - 1) / 3, (sig(-0.3) - 0) / 3, (sig(2.0) - 0.25) / 3], rel=1e-13)


def test_bce_matches_autograd():
    logits, targets = [0.4, -2.2, 3.1, 0.0, -0.5], [1.0, 0.0, 1.0, 0.0, 0.7]
    z = _values(logits)
    loss = binary_cross_entropy(z, targets)
    loss.backward()
    t = anp.array(targets)

    def oracle(a):
        p = 1.0 / (1.0 + anp.exp(-a))
        return -anp.mean(t * anp.log(p) + (1 - t) * anp.log(1 - p))

    assert loss.data == pytest.approx(float(oracle(anp.array(logits))), rel=1e-12)
    assert [v.grad for v in z] == pytest.approx(list(ag_grad(oracle)(anp.array(logits))), rel=1e-11)


@pytest.mark.parametrize("z, t, value, grad", [
    (800.0, 1, 0.0, 0.0),          # confident and right: no loss, no gradient
    (800.0, 0, 800.0, 1.0),        # confident and wrong: loss = z, gradient sigmoid(z) = 1
    (-800.0, 0, 0.0, 0.0),
    (-800.0, 1, 800.0, -1.0),
    (800.0, 0.5, 400.0, 0.5),      # soft target: softplus(z) - z/2
])
def test_bce_is_finite_for_huge_logits(z, t, value, grad):
    v = Value(z)
    loss = binary_cross_entropy(v, t)
    loss.backward()
    assert math.isfinite(loss.data) and math.isfinite(v.grad)
    assert loss.data == pytest.approx(value, abs=1e-12)
    assert v.grad == pytest.approx(grad, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(z=st.floats(-30, 30), t=st.sampled_from([0, 1]))
def test_bce_agrees_with_the_textbook_formula(z, t):
    v = Value(z)
    loss = binary_cross_entropy(v, t)
    loss.backward()
    # -log σ(z) = log(1 + e^-z) and -log(1 - σ(z)) = log(1 + e^z), with log1p for accuracy
    # (the naive log(1 - σ(z)) itself loses digits once σ(z) is close to 1).
    expected = math.log1p(math.exp(-z)) if t == 1 else math.log1p(math.exp(z))
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert v.grad == pytest.approx(1 / (1 + math.exp(-z)) - t, rel=1e-9, abs=1e-12)


def test_bce_label_spellings():
    z = [0.3, -1.0]
    ref = binary_cross_entropy(_values(z), [1, 0]).data
    assert binary_cross_entropy(_values(z), [True, False]).data == ref
    assert binary_cross_entropy(_values(z), [1, -1]).data == ref


@pytest.mark.parametrize("bad", [1.5, -0.5, 2])
def test_bce_rejects_targets_outside_zero_one(bad):
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        binary_cross_entropy([Value(0.0)], [bad])


# --------------------------------------------------------------------------
# Softmax cross-entropy
# --------------------------------------------------------------------------
def test_cross_entropy_by_hand():
    assert cross_entropy(_values([1.0, 1.0]), 0).data == pytest.approx(math.log(2), rel=1e-15)
    z = _values([2.0, 1.0, 0.1])
    loss = cross_entropy(z, 0)
    e = [math.exp(2.0), math.exp(1.0), math.exp(0.1)]
    assert loss.data == pytest.approx(math.log(sum(e)) - 2.0, rel=1e-14)
    loss.backward()                              # softmax - one_hot
    soft = [v / sum(e) for v in e]
    assert [v.grad for v in z] == pytest.approx([soft[0] - 1, soft[1], soft[2]], rel=1e-13)


def test_cross_entropy_matches_autograd():
    logits = [[0.5, -1.0, 2.0], [1.2, 0.2, -0.3], [0.0, 0.0, 0.0], [-2.0, 3.0, 1.0]]
    targets = [2, 0, 1, 0]
    z = [_values(row) for row in logits]
    loss = cross_entropy(z, targets)
    loss.backward()

    def oracle(a):
        total = 0.0
        for row, t in zip(a, targets):
            m = anp.max(row)
            total = total + m + anp.log(anp.sum(anp.exp(row - m))) - row[t]
        return total / len(targets)

    a = anp.array(logits)
    assert loss.data == pytest.approx(float(oracle(a)), rel=1e-13)
    expected = ag_grad(oracle)(a)
    for row, grow in zip(z, expected):
        assert [v.grad for v in row] == pytest.approx(list(grow), rel=1e-12, abs=1e-15)


def test_cross_entropy_is_finite_for_huge_logits():
    z = _values([1000.0, 1000.0, -1000.0])
    loss = cross_entropy(z, 0)
    loss.backward()
    assert loss.data == pytest.approx(math.log(2), rel=1e-12)
    assert [v.grad for v in z] == pytest.approx([-0.5, 0.5, 0.0], abs=1e-15)


@pytest.mark.parametrize("logits, targets, error, words", [
    ([[1.0, 2.0]], [2], ValueError, r"target 2 for example 0 is not a class index 0..1"),
    ([[1.0, 2.0]], [-1], ValueError, "not a class index"),
    ([[1.0, 2.0]], [0.0], TypeError, "class indices"),
    ([[1.0, 2.0]], [True], TypeError, "class indices"),
    ([[1.0, 2.0]], [0, 1], ValueError, "1 examples but 2 targets"),
    ([], [], ValueError, "at least one example"),
])
def test_cross_entropy_errors(logits, targets, error, words):
    with pytest.raises(error, match=words):
        cross_entropy([_values(r) for r in logits], targets)


# --------------------------------------------------------------------------
# L2
# --------------------------------------------------------------------------
def test_l2_by_hand():
    p = _values([3.0, -4.0])
    loss = l2(p, alpha=0.5)
    assert loss.data == 12.5
    loss.backward()                                  # 2·alpha·p
    assert [v.grad for v in p] == [3.0, -4.0]
    assert l2(_values([1.0, 2.0])).data == 5.0


def test_l2_accepts_a_module():
    model = MLP(2, [3, 1], seed=0)
    expected = 1e-4 * sum(p.data ** 2 for p in model.parameters())
    assert l2(model, alpha=1e-4).data == pytest.approx(expected, rel=1e-14)


# --------------------------------------------------------------------------
# Common errors
# --------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, words", [
    (lambda: mse(_values([1.0, 2.0]), [1.0]), ValueError, "2 predictions but 1 targets"),
    (lambda: hinge([], []), ValueError, "at least one example"),
    (lambda: mse(_values([1.0]), ["a"]), TypeError, "target must be a number"),
    (lambda: mse(_values([1.0]), [math.nan]), ValueError, "must be finite"),
    (lambda: mse("ab", [1.0, 2.0]), TypeError, "predictions must be a list"),
    (lambda: hinge([[Value(1.0)]], [1]), TypeError, "one score per example"),
    (lambda: l2([]), ValueError, "at least one parameter"),
    (lambda: l2([1.0, 2.0]), TypeError, "l2 needs Values"),
])
def test_loss_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()
