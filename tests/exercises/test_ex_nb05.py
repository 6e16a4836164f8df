"""Checkers of notebook 05: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import pytest
from exhelp import S, fails

from tinygrad_edu.engine import Value, exp, log
from tinygrad_edu.exercises import EXERCISES, ExerciseFailed, check_kink_quiz, check_softmax_nll, check_unary_rules


def test_unary_rules():
    assert check_unary_rules(S.unary_rules)
    fails(check_unary_rules, dict(S.unary_rules, tanh=lambda x, out: 1 - x * x),
          match=["tanh'(x)", "1-x² instead of 1-tanh(x)²"])
    fails(check_unary_rules, dict(S.unary_rules, sigmoid=lambda x, out: x * (1 - x)),
          match=["sigmoid", "uses x where the output belongs"])
    fails(check_unary_rules, dict(S.unary_rules, tanh=S.unary_rules["sigmoid"]),
          match="that is the rule of sigmoid")
    fails(check_unary_rules, dict(S.unary_rules, log=lambda x, out: -1 / x), match=["log", "sign is flipped"])
    fails(check_unary_rules, dict(S.unary_rules, log=lambda x, out: x), match=["log", "reciprocal"])
    fails(check_unary_rules, {k: v for k, v in S.unary_rules.items() if k != "exp"}, match="no rule for 'exp'")


def naive_softmax_nll(logits, label):
    return log(sum(exp(z) for z in logits)) - logits[label]


def test_softmax_nll():
    assert check_softmax_nll(S.softmax_nll)
    xs = [Value(z) for z in (1.0, 2.0, 0.5, -1.0)]
    assert abs(S.softmax_nll(xs, 1).data - 0.495182) < 1e-6          # CURRICULUM NB05

    def cuts_graph(logits, label):
        m = max(z.data for z in logits)
        return log(sum(exp(z.data - m) for z in logits)) - (logits[label] - m)

    fails(check_softmax_nll, naive_softmax_nll, match=["loss is inf", "subtract the largest logit"])
    fails(check_softmax_nll, lambda z, k: -S.softmax_nll(z, k), match="minus the log-probability")
    fails(check_softmax_nll, lambda z, k: S.softmax_nll(z, (k + 1) % len(z)), match="the label picks logit")
    fails(check_softmax_nll, cuts_graph, match=["d loss / d z", ".data"])
    fails(check_softmax_nll, lambda z, k: 0.5, match="should return a Value")


def test_kink_quiz(capsys):
    assert check_kink_quiz(S.kink_predictions)
    assert "AD differentiates the program" in capsys.readouterr().out
    text = fails(check_kink_quiz, dict(S.kink_predictions, relu_minus_relu_at_0=1.0), reveal=True,
                 match=["1 of 5", "relu_minus_relu_at_0: you predicted 1", "the package gives 0"])
    assert "equals x" in text
    fails(check_kink_quiz, dict(S.kink_predictions, central_abs_near_0=1.0), reveal=True,
          match=["0.01", "straddle the kink"])
    fails(check_kink_quiz, dict(S.kink_predictions, relu_at_0=0.5, abs_at_0=1.0), match="2 of 5")
    fails(check_kink_quiz, {"relu_at_0": 0}, match="no prediction for 'abs_at_0'")


def test_kink_quiz_truths_are_the_curriculum_numbers():
    from tinygrad_edu.exercises.nb05 import _truth
    assert _truth("relu_at_0") == 0.0 and _truth("abs_at_0") == 0.0
    assert _truth("relu_minus_relu_at_0") == 0.0
    assert abs(_truth("central_abs_near_0") - 0.01) < 1e-12
    assert _truth("sqrt_of_square_at_0") == "error" or math.isnan(_truth("sqrt_of_square_at_0"))


# -- issue 18 ---------------------------------------------------------------------
def test_unary_rules_name_every_classic_mistake():
    # The old checker gave these only "compare with the central difference".
    wrong = {
        "sigmoid": (lambda x, out: out * (1 + out), ["sigmoid'(x)", "sign slip inside", "out·(1 − out)"]),
        "log": (lambda x, out: 1 / out, ["log'(x)", "output where the input belongs", "1/x"]),
        "tanh": (lambda x, out: 1 - out, ["tanh'(x)", "missing the square", "1 − out²"]),
        "exp": (lambda x, out: x * math.exp(x - 1), ["exp'(x)", "power rule misapplied"]),
    }
    for op, (rule, words) in wrong.items():
        text = fails(check_unary_rules, dict(S.unary_rules, **{op: rule}), match=words)
        assert "compare with the central difference" not in text
    # ...and 1 - x² keeps its own hint.
    fails(check_unary_rules, dict(S.unary_rules, tanh=lambda x, out: 1 - x * x),
          match="1-x² instead of 1-tanh(x)²")


def shift_by_min(logits, label):
    m = min(z.data for z in logits)
    shifted = [z - m for z in logits]
    return log(sum(exp(s) for s in shifted)) - shifted[label]


def test_softmax_nll_shifted_by_the_smallest_logit_fails():
    # The old cases never spread the logits wide enough: a shift by the minimum passed.
    fails(check_softmax_nll, shift_by_min,
          match=["loss is inf", "[1000.0, -1000.0]", "shift by the max", "m = max(z)"])
    xs = [Value(1000.0), Value(-1000.0)]
    assert S.softmax_nll(xs, 1).data == 2000.0


def test_softmax_nll_unshifted_label_term_is_named():
    def unshifted_label(logits, label):
        m = max(z.data for z in logits)
        return log(sum(exp(z - m) for z in logits)) - logits[label]
    fails(check_softmax_nll, unshifted_label, match="the shift must cancel")


def test_kink_quiz_gives_partial_credit():
    assert EXERCISES["nb05_ex3"].parts == 5
    for wrong, earned in ((dict(relu_at_0=0.5), 0.8), (dict(relu_at_0=0.5, abs_at_0=1.0), 0.6)):
        try:
            check_kink_quiz(dict(S.kink_predictions, **wrong))
        except ExerciseFailed as err:
            assert math.isclose(err.earned, earned)
        else:
            raise AssertionError("a wrong quiz passed")
    fails(check_kink_quiz, {case: None for case in S.kink_predictions}, match="no predictions yet")


def test_kink_quiz_hints_keep_the_answers_unless_asked():
    all_wrong = {"relu_at_0": 0.5, "abs_at_0": 1.0, "relu_minus_relu_at_0": 1.0,
                 "central_abs_near_0": 1.0, "sqrt_of_square_at_0": float("nan")}
    text = fails(check_kink_quiz, all_wrong, match=["5 of 5", "reveal=True", "opposite sides of the kink"])
    for answer in ("the package gives", "0.01", "'error'", "picks 0", "subgradient 0", "0 - 0 = 0"):
        assert answer not in text, answer
    for case in all_wrong:
        assert f"{case}: you predicted" in text
    shown = fails(check_kink_quiz, all_wrong, reveal=True, match=["the package gives 0.01", "'error'"])
    assert "reveal=True" not in shown


def test_judges_pass_only_complete_honest_observations():
    for eid, answer in (("nb05_ex1", S.unary_rules), ("nb05_ex2", S.softmax_nll),
                        ("nb05_ex3", S.kink_predictions)):
        ex = EXERCISES[eid]
        cases = ex.make_cases("tess")
        seen = ex.observe(cases, answer)
        assert ex.verdict(cases, seen)
        for forged in ([], None, [1.0]):
            with pytest.raises(ExerciseFailed):
                ex.verdict(cases, forged)
    ex = EXERCISES["nb05_ex1"]
    cases = ex.make_cases("tess")
    seen = ex.observe(cases, S.unary_rules)
    seen["tanh"] = seen["tanh"][:3]
    with pytest.raises(ExerciseFailed, match="do not match the test cases"):
        ex.verdict(cases, seen)
    ex = EXERCISES["nb05_ex2"]
    cases = ex.make_cases("tess")
    seen = ex.observe(cases, S.softmax_nll)
    seen[0]["grads"] = []
    with pytest.raises(ExerciseFailed, match="do not match the test cases"):
        ex.verdict(cases, seen)
