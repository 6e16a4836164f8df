"""Checkers of notebook 05: pass on the solutions, fail on typical wrong answers with the right hint."""

import math
import sys
from collections import deque

from exhelp import S, fails

from tinygrad_edu import bugs
from tinygrad_edu.engine import Value, topological_order
from tinygrad_edu.exercises import (bug_hunt_function, bug_hunt_source, check_backward, check_bug_hunt,
                                    check_kink_quiz, check_moons, check_parameters_zero_grad,
                                    check_softmax_nll, check_topological_sort, check_training_loop,
                                    check_unary_rules)

from tinygrad_edu.exercises.nb04 import HUNT_BUGS


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
    from tinygrad_edu.engine import exp, log
    return log(sum(exp(z) for z in logits)) - logits[label]


def test_softmax_nll():
    assert check_softmax_nll(S.softmax_nll)
    from tinygrad_edu.engine import exp, log
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
    text = fails(check_kink_quiz, dict(S.kink_predictions, relu_minus_relu_at_0=1.0),
                 match=["1 of 5", "relu_minus_relu_at_0: you predicted 1", "the package gives 0"])
    assert "equals x" in text
    fails(check_kink_quiz, dict(S.kink_predictions, central_abs_near_0=1.0), match=["0.01", "straddle the kink"])
    fails(check_kink_quiz, dict(S.kink_predictions, relu_at_0=0.5, abs_at_0=1.0), match="2 of 5")
    fails(check_kink_quiz, {"relu_at_0": 0}, match="no prediction for 'abs_at_0'")


def test_kink_quiz_truths_are_the_curriculum_numbers():
    from tinygrad_edu.exercises.nb05 import _truth
    assert _truth("relu_at_0") == 0.0 and _truth("abs_at_0") == 0.0
    assert _truth("relu_minus_relu_at_0") == 0.0
    assert abs(_truth("central_abs_near_0") - 0.01) < 1e-12
    assert _truth("sqrt_of_square_at_0") == "error" or math.isnan(_truth("sqrt_of_square_at_0"))
