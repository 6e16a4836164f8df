"""Notebook 05 exercises: more ops, gradient checking, kinks.

ex1  ``rules``: a dict ``{"exp": fn, "log": fn, "tanh": fn, "sigmoid": fn}``, each
     ``fn(x, out) -> local derivative`` where ``out`` is the op's output at x
     (write it in terms of whichever is simpler).
ex2  ``softmax_nll(logits, label) -> Value``: the loss -log softmax(logits)[label]
     for a list of Values, built from Value operations (stable for big logits).
ex3  ``predictions``: a dict with your prediction for each of the five cases in
     ``KINK_CASES`` (a number, ``float('nan')``, or the string ``"error"``).
"""

import math

from ..engine import PRIMITIVES, Value, exp, gradients, log
from ._common import as_number, call_student, close, fail, fmt, passed, student_rng

__all__ = ["check_unary_rules", "check_softmax_nll", "check_kink_quiz", "KINK_CASES", "UNARY_DOMAINS"]

#: Safe input ranges for the random tests of each rule.
UNARY_DOMAINS = {"exp": (-5.0, 5.0), "log": (0.1, 10.0), "tanh": (-3.0, 3.0), "sigmoid": (-6.0, 6.0)}


def _forward(op, x):
    return getattr(Value(x), op)().data


def _diagnose_rule(op, student, x, out, expected):
    """Name a known slip: x where out belongs, another op's rule, sign, the value itself."""
    try:
        if close(student(out, out), expected, 1e-6, 1e-12):
            return (f"{op}: your formula uses x where the output belongs -- e.g. 1-x² instead of "
                    f"1-{op}(x)²: the rule is in terms of out = {op}(x)")
    except Exception:
        pass
    got = student(x, out)
    for other in UNARY_DOMAINS:
        if other != op:
            o = _forward(other, x) if other != "log" or x > 0 else None
            if o is not None and close(got, PRIMITIVES[other](o, x)[0], 1e-6, 1e-12):
                return f"{op}: that is the derivative of {other}, not of {op}"
            if close(got, PRIMITIVES[other](out, x)[0], 1e-6, 1e-12):
                return f"{op}: that is the rule of {other} (applied to {op}'s output), not the rule of {op}"
    if close(got, -expected, 1e-6, 1e-12):
        return f"{op}: the sign is flipped"
    if close(got, out, 1e-9, 1e-12) and not close(out, expected, 1e-6, 1e-12):
        return f"{op}: you returned the output {op}(x) itself, not its derivative"
    if expected != 0 and close(got, 1 / expected, 1e-6, 1e-12):
        return f"{op}: you returned the reciprocal of the derivative"
    return f"{op}: compare with the central difference of {op} at x"


def check_unary_rules(rules, count=40):
    """ex1: random inputs in safe domains, relative error below 1e-6, named wrong formulas."""
    ex = "nb05_ex1"
    if not isinstance(rules, dict):
        fail(ex, f"rules should be a dict like {{'tanh': tanh_rule, ...}}, got {type(rules).__name__}")
    rng = student_rng(ex)
    for op, (lo, hi) in UNARY_DOMAINS.items():
        if op not in rules:
            fail(ex, f"no rule for {op!r}", f"add rules[{op!r}] = a function (x, out) -> derivative")
        rule = rules[op]
        for x in [lo, hi, (lo + hi) / 2] + [rng.uniform(lo, hi) for _ in range(count)]:
            out = _forward(op, x)
            expected = PRIMITIVES[op](out, x)[0]          # the engine's own rule
            numeric = (_forward(op, x + 1e-6) - _forward(op, x - 1e-6)) / 2e-6
            got = as_number(ex, call_student(ex, rule, x, out, what=f"rules[{op!r}]"), f"{op}'s derivative")
            if not close(got, expected, 1e-6, 1e-12):
                fail(ex, f"{op}'(x) at x={fmt(x)} (out={fmt(out)}): got {fmt(got)}, expected {fmt(expected)} "
                         f"(central difference {fmt(numeric)})", _diagnose_rule(op, rule, x, out, expected))
    return passed(ex, f"exp, log, tanh, sigmoid rules right on {count + 3} inputs each")


# -- ex2 ------------------------------------------------------------------------
def _reference_loss(logits, label):
    """-log softmax from engine ops, shifted by the max (the engine differentiates it)."""
    m = max(v.data for v in logits)
    shifted = [v - m for v in logits]
    return log(sum((exp(s) for s in shifted), Value(0.0, requires_grad=False))) - shifted[label]


def _softmax_cases(rng):
    cases = [([1.0, 2.0, 0.5, -1.0], 1), ([1000.0, 999.0, 998.0], 0), ([-800.0, -802.0, -801.0], 2),
             ([0.0, 0.0], 1)]
    for _ in range(15):
        k = rng.randint(2, 6)
        cases.append(([round(rng.uniform(-4, 4), 2) for _ in range(k)], rng.randrange(k)))
    return cases


def check_softmax_nll(softmax_nll):
    """ex2: the loss and d loss / d logits (engine reference, tolerance 1e-9), big logits included."""
    ex = "nb05_ex2"
    rng = student_rng(ex)
    for logits, label in _softmax_cases(rng):
        ref_in = [Value(z) for z in logits]
        ref = _reference_loss(ref_in, label)
        ref_grads = gradients(ref, ref_in)
        xs = [Value(z, label=f"z{k}") for k, z in enumerate(logits)]
        loss = call_student(ex, softmax_nll, xs, label, what="softmax_nll")
        if not isinstance(loss, Value):
            fail(ex, f"softmax_nll should return a Value (so it can be differentiated), got "
                     f"{type(loss).__name__}", "build the loss from Value operations (exp, log, +, -)")
        where = f"logits {logits}, label {label}"
        if not math.isfinite(loss.data):
            fail(ex, f"loss is {fmt(loss.data)} for {where}",
                 "exp of a big logit overflows: subtract the largest logit first "
                 "(softmax does not change when every logit moves by the same amount)")
        if not close(loss.data, ref.data, 1e-9, 1e-9):
            hint = "the loss is -log(p[label]) with p = softmax(logits)"
            if close(loss.data, -ref.data, 1e-9, 1e-9):
                hint = "the sign: the loss is minus the log-probability (it is >= 0)"
            for k in range(len(logits)):
                if k != label and close(loss.data, ref.data + logits[label] - logits[k], 1e-9, 1e-9):
                    hint = f"you used logit {k}; the label picks logit {label}"
            fail(ex, f"loss for {where}: got {fmt(loss.data)}, expected {fmt(ref.data)}", hint)
        got = gradients(loss, xs)
        for k, x in enumerate(xs):
            if not close(got[x], ref_grads[ref_in[k]], 1e-9, 1e-9):
                fail(ex, f"d loss / d z{k} for {where}: got {fmt(got[x])}, expected "
                         f"{fmt(ref_grads[ref_in[k]])}",
                     "the gradient should be softmax minus the one-hot label; did you take "
                     ".data somewhere (that cuts the graph)?")
    return passed(ex, "loss and gradients right (big logits too)")


# -- ex3: predict then run -----------------------------------------------------
def _d(build, x):
    v = Value(x)
    out = build(v)
    return gradients(out, [v])[v]


KINK_CASES = {
    "relu_at_0": ("d relu(x)/dx at x = 0 (autodiff)", lambda: _d(lambda x: x.relu(), 0.0),
                  "relu is not differentiable at 0; the package picks the subgradient 0 "
                  "(like PyTorch and jax.nn.relu)"),
    "abs_at_0": ("d |x|/dx at x = 0 (autodiff)", lambda: _d(lambda x: abs(x), 0.0),
                 "|x| has a kink at 0; any slope in [-1, 1] is a subgradient and the package picks 0"),
    "relu_minus_relu_at_0": ("d [relu(x) - relu(-x)]/dx at x = 0 (autodiff)",
                             lambda: _d(lambda x: x.relu() - (-x).relu(), 0.0),
                             "relu(x) - relu(-x) equals x, whose slope is 1, but autodiff combines "
                             "the two kink conventions: 0 - 0 = 0. AD differentiates the program, "
                             "not the function"),
    "central_abs_near_0": ("central difference of |x| at x = 1e-7 with h = 1e-5",
                           lambda: (abs(1e-7 + 1e-5) - abs(1e-7 - 1e-5)) / 2e-5,
                           "the two points straddle the kink, so the slope is averaged: 0.01 "
                           "instead of 1 -- a false alarm of gradient checking near a kink"),
    "sqrt_of_square_at_0": ("d sqrt(x²)/dx at x = 0 (autodiff)",
                            lambda: _d(lambda x: (x * x).sqrt(), 0.0),
                            "sqrt'(0) is infinite and (x²)' is 0 there: inf · 0 has no value "
                            "(NaN, or an error in this package)"),
}


def _truth(case):
    try:
        return KINK_CASES[case][1]()
    except (ZeroDivisionError, ValueError, FloatingPointError):
        return "error"


def _same(prediction, truth):
    if isinstance(prediction, str) or isinstance(truth, str):
        return isinstance(prediction, str) and isinstance(truth, str) and \
            prediction.strip().lower() == truth
    if truth != truth:
        return prediction != prediction
    return close(prediction, truth, 1e-6, 1e-9)


def check_kink_quiz(predictions):
    """ex3: each prediction against what the package actually does, with the explanation."""
    ex = "nb05_ex3"
    if not isinstance(predictions, dict):
        fail(ex, f"predictions should be a dict with keys {', '.join(KINK_CASES)}")
    wrong = []
    for case, (question, _, why) in KINK_CASES.items():
        if case not in predictions:
            fail(ex, f"no prediction for {case!r} ({question})")
        p = predictions[case]
        if not isinstance(p, str):
            p = as_number(ex, p, f"predictions[{case!r}]")
        truth = _truth(case)
        if not _same(p, truth):
            said = repr(p) if isinstance(p, str) else fmt(p)
            does = repr(truth) if isinstance(truth, str) else fmt(truth)
            wrong.append(f"{case}: you predicted {said}, the package gives {does}. {why}")
    if wrong:
        fail(ex, f"{len(wrong)} of {len(KINK_CASES)} predictions differ:\n    " + "\n    ".join(wrong))
    for case, (question, _, why) in KINK_CASES.items():
        truth = _truth(case)
        print(f"  {question}: {truth if isinstance(truth, str) else fmt(truth)} -- {why}")
    return passed(ex, "all five predictions match the package")
