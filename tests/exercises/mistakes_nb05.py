"""Classic mistakes for notebook 05's exercises (see test_mistakes.py)."""

import math

from exhelp import Mistake, S

from tinygrad_edu.engine import exp, log


def _rules(**changed):
    return dict(S.unary_rules, **changed)


def _shifted_by(pick):
    def softmax_nll(logits, label):
        m = pick([z.data for z in logits])
        shifted = [z - m for z in logits]
        return log(sum(exp(s) for s in shifted)) - shifted[label]
    return softmax_nll


def _naive(logits, label):
    return log(sum(exp(z) for z in logits)) - logits[label]


def _unshifted_label(logits, label):
    m = max(z.data for z in logits)
    return log(sum(exp(z - m) for z in logits)) - logits[label]


def _no_label_term(logits, label):
    m = max(z.data for z in logits)
    return log(sum(exp(z - m) for z in logits)) + m


def _cuts_graph(logits, label):
    m = max(z.data for z in logits)
    return log(sum(exp(z.data - m) for z in logits)) - (logits[label] - m)


def _kink(**changed):
    return dict(S.kink_predictions, **changed)


MISTAKES = [
    Mistake("nb05_ex1", "sigmoid out(1+out)", _rules(sigmoid=lambda x, o: o * (1 + o)), named="sign slip inside"),
    Mistake("nb05_ex1", "sigmoid x(1-x)", _rules(sigmoid=lambda x, o: x * (1 - x)),
            named="uses x where the output belongs"),
    Mistake("nb05_ex1", "sigmoid with tanh's rule", _rules(sigmoid=lambda x, o: 1 - o * o),
            named="that is the rule of tanh"),
    Mistake("nb05_ex1", "log 1/out", _rules(log=lambda x, o: 1 / o), named="output where the input belongs"),
    Mistake("nb05_ex1", "log -1/x", _rules(log=lambda x, o: -1 / x), named="sign is flipped"),
    Mistake("nb05_ex1", "log x", _rules(log=lambda x, o: x), named="reciprocal"),
    Mistake("nb05_ex1", "tanh 1-out", _rules(tanh=lambda x, o: 1 - o), named="missing the square"),
    Mistake("nb05_ex1", "tanh 1-x²", _rules(tanh=lambda x, o: 1 - x * x), named="1-x² instead of 1-tanh(x)²"),
    Mistake("nb05_ex1", "exp x·e^(x-1)", _rules(exp=lambda x, o: x * math.exp(x - 1)),
            named="power rule misapplied"),
    Mistake("nb05_ex1", "exp 1 (right at 0)", _rules(exp=lambda x, o: 1.0), named="a constant 1"),
    Mistake("nb05_ex2", "no shift", _naive, named="subtract the largest logit"),
    Mistake("nb05_ex2", "shift by the smallest", _shifted_by(min), named="shift by the max"),
    Mistake("nb05_ex2", "shift by the mean", _shifted_by(lambda zs: sum(zs) / len(zs)), named="shift by the max"),
    Mistake("nb05_ex2", "sign", lambda z, k: -S.softmax_nll(z, k), named="minus the log-probability"),
    Mistake("nb05_ex2", "wrong label", lambda z, k: S.softmax_nll(z, (k + 1) % len(z)),
            named="the label picks logit"),
    Mistake("nb05_ex2", "label term unshifted", _unshifted_label, named="the shift must cancel"),
    Mistake("nb05_ex2", "label term left out", _no_label_term, named="left out the label's term"),
    Mistake("nb05_ex2", ".data cuts the graph", _cuts_graph, named=["d loss / d z", "cuts the graph"]),
    Mistake("nb05_ex2", "a float", lambda z, k: S.softmax_nll(z, k).data, named="should return a Value"),
    Mistake("nb05_ex3", "relu(x) - relu(-x) is x", _kink(relu_minus_relu_at_0=1.0),
            named=["relu_minus_relu_at_0: you predicted 1", "differentiates the program"]),
    Mistake("nb05_ex3", "central difference is 1", _kink(central_abs_near_0=1.0),
            named=["central_abs_near_0", "opposite sides of the kink"]),
    Mistake("nb05_ex3", "sqrt(x²) slope 1", _kink(sqrt_of_square_at_0=1.0), named=["sqrt_of_square_at_0", "inf · 0"]),
    Mistake("nb05_ex3", "relu slope 1/2 at 0", _kink(relu_at_0=0.5), named=["relu_at_0", "subgradient"]),
    Mistake("nb05_ex3", "abs slope 1 at 0", _kink(abs_at_0=1.0), named=["abs_at_0", "subgradient"]),
    Mistake("nb05_ex3", "a list", list(S.kink_predictions.values()), named="should be a dict"),
]
