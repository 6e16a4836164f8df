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
from ._common import call_student, close, fail, fmt, number, observations, observed
from ._exercise import Exercise

__all__ = ["check_unary_rules", "check_softmax_nll", "check_kink_quiz", "KINK_CASES", "UNARY_DOMAINS",
           "EXERCISES"]

#: Safe input ranges for the random tests of each rule.
UNARY_DOMAINS = {"exp": (-5.0, 5.0), "log": (0.1, 10.0), "tanh": (-3.0, 3.0), "sigmoid": (-6.0, 6.0)}


def _forward(op, x):
    return getattr(Value(x), op)().data


def _engine_rule(op, x, out):
    """The engine's own local derivative of ``op`` (the reference)."""
    return PRIMITIVES[op](out, x)[0]


#: Each rule as a student writes it, from the output (or input) alone: used to recognise one
#: op's rule applied to another op's output.  (The engine's own rules may use x as well as
#: out where the output form would lose digits, so they cannot be borrowed for this.)
_TEXTBOOK_RULES = {"exp": lambda x, out: out, "log": lambda x, out: 1 / x,
                   "tanh": lambda x, out: 1 - out * out, "sigmoid": lambda x, out: out * (1 - out)}



# -- ex1 ------------------------------------------------------------------------
#: The classic wrong formulas, op by op: (formula(x, out), the hint that names it).
_WRONG_RULES = {
    "exp": [
        (lambda x, o: x * math.exp(x - 1),
         "exp: x·e^(x−1) is the power rule misapplied -- it is for xⁿ with a constant n; in eˣ the "
         "variable is the exponent, and d eˣ/dx = eˣ = out"),
        (lambda x, o: x, "exp: your formula uses x where the output belongs: d eˣ/dx = eˣ, which is out"),
        (lambda x, o: 1.0, "exp: a constant 1 is the slope of eˣ at 0 only; d eˣ/dx = eˣ = out everywhere"),
    ],
    "log": [
        (lambda x, o: 1 / o,
         "log: 1/out uses the output where the input belongs: d log(x)/dx = 1/x, with x the input"),
        (lambda x, o: -1 / (x * x), "log: −1/x² is the derivative of 1/x; d log(x)/dx = 1/x"),
    ],
    "tanh": [
        (lambda x, o: 1 - x * x,
         "tanh: your formula uses x where the output belongs -- e.g. 1-x² instead of 1-tanh(x)²: "
         "the rule is in terms of out = tanh(x)"),
        (lambda x, o: 1 - o, "tanh: 1 − out is missing the square: d tanh(x)/dx = 1 − out²"),
        (lambda x, o: 1 + o * o, "tanh: 1 + out² has a sign slip inside: d tanh(x)/dx = 1 − out²"),
        (lambda x, o: 1 / math.cosh(x), "tanh: 1/cosh(x) is missing the square: 1/cosh²(x) = 1 − out²"),
    ],
    "sigmoid": [
        (lambda x, o: o * (1 + o), "sigmoid: out·(1 + out) has a sign slip inside: σ'(x) = out·(1 − out)"),
        (lambda x, o: x * (1 - x),
         "sigmoid: your formula uses x where the output belongs -- x·(1−x) instead of "
         "out·(1−out), with out = sigmoid(x)"),
        (lambda x, o: 1 - o, "sigmoid: 1 − out is missing the factor out: σ'(x) = out·(1 − out)"),
    ],
}


def _fits(formula, points, got):
    """Does ``formula(x, out)`` give the student's numbers at every point?"""
    for (x, out), g in zip(points, got):
        try:
            value = formula(x, out)
        except (ArithmeticError, ValueError):
            return False
        if not close(g, value, 1e-6, 1e-12):
            return False
    return True


def _diagnose_rule(op, points, got):
    """Name the wrong formula that reproduces the student's numbers at every point (or None)."""
    for formula, hint in _WRONG_RULES[op]:
        if _fits(formula, points, got):
            return hint
    for other in UNARY_DOMAINS:
        if other == op:
            continue
        lo, hi = UNARY_DOMAINS[other]
        if all(lo <= x <= hi for x, _ in points) and \
                _fits(lambda x, o: _engine_rule(other, x, _forward(other, x)), points, got):
            return f"{op}: that is the derivative of {other}, not of {op}"
        if _fits(_TEXTBOOK_RULES[other], points, got):
            return f"{op}: that is the rule of {other} (applied to {op}'s output), not the rule of {op}"
    if _fits(lambda x, o: -_engine_rule(op, x, o), points, got):
        return f"{op}: the sign is flipped"
    if _fits(lambda x, o: o, points, got):
        return f"{op}: you returned the output {op}(x) itself, not its derivative"
    if _fits(lambda x, o: 1 / _engine_rule(op, x, o), points, got):
        return f"{op}: you returned the reciprocal of the derivative"
    return None


EX1 = Exercise("nb05_ex1", "unary backward rules", ("unary_rules",))


@EX1.cases
def _unary_cases(rng, count=40):
    """{op: [x, ...]}: the ends and middle of each op's safe domain, then random points."""
    return {op: [lo, hi, (lo + hi) / 2] + [rng.uniform(lo, hi) for _ in range(count)]
            for op, (lo, hi) in UNARY_DOMAINS.items()}


@EX1.probe
def _unary_probe(cases, rules):
    """{op: [rule(x, out) for each x]}, or {op: None} for a missing rule."""
    if not isinstance(rules, dict):
        fail(EX1.id, f"rules should be a dict like {{'tanh': tanh_rule, ...}}, got {type(rules).__name__}")
    seen = {}
    for op, xs in cases.items():
        if op not in rules:
            seen[op] = None
            continue
        seen[op] = [observed(call_student(EX1.id, rules[op], x, _forward(op, x), what=f"rules[{op!r}]"))
                    for x in xs]
    return seen


@EX1.judge
def _unary_judge(cases, seen):
    ex = EX1.id
    if type(seen) is not dict:
        observations(ex, None, len(cases))
    for op, xs in cases.items():
        if seen.get(op) is None:
            fail(ex, f"no rule for {op!r}", f"add rules[{op!r}] = a function (x, out) -> derivative")
        observations(ex, seen[op], len(xs))
        points = [(x, _forward(op, x)) for x in xs]
        got = [number(ex, g, f"{op}'s derivative at x={fmt(x)}") for g, x in zip(seen[op], xs)]
        for (x, out), g in zip(points, got):
            expected = _engine_rule(op, x, out)
            if close(g, expected, 1e-6, 1e-12):
                continue
            numeric = (_forward(op, x + 1e-6) - _forward(op, x - 1e-6)) / 2e-6
            hint = _diagnose_rule(op, points, got) or (
                f"{op}: at x={fmt(x)} your rule is off by {fmt(g - expected)}; write d {op}(x)/dx "
                f"on paper, then compare your formula with the central difference {fmt(numeric)} there")
            fail(ex, f"{op}'(x) at x={fmt(x)} (out={fmt(out)}): got {fmt(g)}, expected {fmt(expected)} "
                     f"(central difference {fmt(numeric)})", hint)
    return f"exp, log, tanh, sigmoid rules right on {len(next(iter(cases.values())))} inputs each"


def check_unary_rules(rules, count=40) -> bool:
    """ex1: random inputs in safe domains, relative error below 1e-6, named wrong formulas."""
    return EX1.check(rules, count=count)


# -- ex2 ------------------------------------------------------------------------
def _reference_loss(logits, label):
    """-log softmax from engine ops, shifted by the max (the engine differentiates it)."""
    m = max(v.data for v in logits)
    shifted = [v - m for v in logits]
    return log(sum((exp(s) for s in shifted), Value(0.0, requires_grad=False))) - shifted[label]


#: Logits that are big but close together: any constant shift near them keeps exp finite.
_CLOSE_BIG = [([1000.0, 999.0, 998.0], 0), ([-800.0, -802.0, -801.0], 2)]
#: Logits spread wide: only a shift by the largest keeps every exp(z - shift) <= 1.
_SPREAD = [([1000.0, -1000.0], 0), ([1000.0, -1000.0], 1), ([-1000.0, 0.0, 1000.0], 1),
           ([3.0, 800.0, -750.0], 2)]


def _softmax_cases(rng):
    cases = [([1.0, 2.0, 0.5, -1.0], 1)] + _CLOSE_BIG + [([0.0, 0.0], 1)] + _SPREAD
    for _ in range(2):                  # spread wide, at random
        k = rng.randint(2, 5)
        logits = [round(rng.uniform(-4, 4), 2) for _ in range(k)]
        logits[rng.randrange(k)] = round(rng.uniform(700, 1000), 1)
        logits[rng.randrange(k)] = round(-rng.uniform(700, 1000), 1)
        cases.append((logits, rng.randrange(k)))
    for _ in range(15):
        k = rng.randint(2, 6)
        cases.append(([round(rng.uniform(-4, 4), 2) for _ in range(k)], rng.randrange(k)))
    return cases


EX2 = Exercise("nb05_ex2", "softmax + NLL", ("softmax_nll",))


@EX2.cases
def _nll_cases(rng):
    """[[logits, label], ...]: a small example, big logits close together, logits spread wide, random."""
    return [[logits, label] for logits, label in _softmax_cases(rng)]


@EX2.probe
def _nll_probe(cases, softmax_nll):
    """Per case: {"loss", "grads"} (d loss / d logits by the engine), or what went wrong."""
    seen = []
    for logits, label in cases:
        xs = [Value(z, label=f"z{k}") for k, z in enumerate(logits)]
        try:
            loss = softmax_nll(xs, label)
        except NotImplementedError:
            fail(EX2.id, "softmax_nll is not written yet (it raised NotImplementedError)",
                 "replace the `raise NotImplementedError` line with your code", kind="not-attempted")
        except (MemoryError, RecursionError):
            raise
        except Exception as err:           # noqa: BLE001 - overflow and friends are observations here
            seen.append({"raised": type(err).__name__, "message": str(err)[:200]})
            continue
        if not isinstance(loss, Value):
            seen.append({"not a value": type(loss).__name__})
            continue
        value = observed(loss.data)
        if type(value) is not float or not math.isfinite(value):
            seen.append({"loss": value})        # judged on the loss alone: nothing to differentiate
            continue
        try:
            grads = gradients(loss, xs)
            seen.append({"loss": value, "grads": [observed(grads[x]) for x in xs]})
        except (MemoryError, RecursionError):
            raise
        except Exception as err:           # noqa: BLE001
            seen.append({"loss": value, "raised": type(err).__name__,
                         "message": str(err)[:200]})
    return seen


def _is_right(logits, label, got):
    """Loss and gradients of one observation match the engine reference."""
    if "grads" not in got or type(got["loss"]) is not float:
        return False
    ref_in = [Value(z) for z in logits]
    ref = _reference_loss(ref_in, label)
    ref_grads = gradients(ref, ref_in)
    return close(got["loss"], ref.data, 1e-9, 1e-9) and all(
        type(g) is float and close(g, ref_grads[r], 1e-9, 1e-9) for g, r in zip(got["grads"], ref_in))


def _overflow_hint(cases, seen, logits):
    """Overflow: no shift at all, or a shift by a logit other than the largest?"""
    close_big = [(case, got) for case, got in zip(cases, seen) if case[0] in [z for z, _ in _CLOSE_BIG]]
    spread = max(logits) - min(logits)
    if spread > 700 and all(_is_right(z, k, got) for (z, k), got in close_big):
        return ("shift by the max: big logits close together work, but these are spread "
                f"{fmt(spread)} apart, so exp(z - shift) overflows for a shift other than the largest "
                "logit (e.g. the smallest or the mean); with m = max(z), every z - m <= 0: "
                "loss = m + log Σ exp(z_i - m) - z_label")
    return ("exp of a big logit overflows (or underflows to log 0): subtract the largest logit first "
            "(softmax does not change when every logit moves by the same amount): "
            "loss = m + log Σ exp(z_i - m) - z_label with m = max(z)")


@EX2.judge
def _nll_judge(cases, seen):
    ex = EX2.id
    observations(ex, seen, len(cases))
    for (logits, label), got in zip(cases, seen):
        if type(got) is not dict:
            observations(ex, None, len(cases))
        where = f"logits {logits}, label {label}"
        if "not a value" in got:
            fail(ex, f"softmax_nll should return a Value (so it can be differentiated), got "
                     f"{got['not a value']}", "build the loss from Value operations (exp, log, +, -)")
        if "loss" not in got:
            fail(ex, f"softmax_nll raised {got['raised']}: {got['message']} for {where}",
                 _overflow_hint(cases, seen, logits))
        loss = number(ex, got["loss"], "the loss")
        ref_in = [Value(z) for z in logits]
        ref = _reference_loss(ref_in, label)
        if not math.isfinite(loss):
            fail(ex, f"loss is {fmt(loss)} for {where}", _overflow_hint(cases, seen, logits))
        if not close(loss, ref.data, 1e-9, 1e-9):
            m = max(logits)
            hint = ("the loss is -log(p[label]) with p = softmax(logits): "
                    "loss = m + log Σ exp(z_i - m) - z_label, m = max(z)")
            if close(loss, -ref.data, 1e-9, 1e-9):
                hint = "the sign: the loss is minus the log-probability (it is >= 0)"
            elif close(loss, ref.data - m, 1e-9, 1e-9):
                hint = ("the shift must cancel: you took log Σ exp(z_i - m) but subtracted the unshifted "
                        "z_label; use the shifted logit z_label - m there too (or add m back)")
            elif close(loss, ref.data + logits[label], 1e-9, 1e-9):
                hint = "you left out the label's term: loss = log Σ exp(z_i) - z_label (shifted by the max)"
            for k in range(len(logits)):
                if k != label and close(loss, ref.data + logits[label] - logits[k], 1e-9, 1e-9):
                    hint = f"you used logit {k}; the label picks logit {label}"
            fail(ex, f"loss for {where}: got {fmt(loss)}, expected {fmt(ref.data)}", hint)
        if "grads" not in got:
            fail(ex, f"differentiating your loss raised {got['raised']}: {got['message']} for {where}",
                 "build the loss from Value operations only (exp, log, +, -)")
        ref_grads = gradients(ref, ref_in)
        observations(ex, got["grads"], len(logits))
        for k, g in enumerate(got["grads"]):
            g = number(ex, g, f"d loss / d z{k}")
            expected = ref_grads[ref_in[k]]
            if not close(g, expected, 1e-9, 1e-9):
                fail(ex, f"d loss / d z{k} for {where}: got {fmt(g)}, expected {fmt(expected)}",
                     "the gradient should be softmax minus the one-hot label; did you take "
                     ".data somewhere (that cuts the graph)?")
    return "loss and gradients right (big and widely spread logits too)"


def check_softmax_nll(softmax_nll) -> bool:
    """ex2: the loss and d loss / d logits (engine reference, tolerance 1e-9), big and spread logits."""
    return EX2.check(softmax_nll)


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

#: What to think about for a wrong prediction, without giving the package's answer away.
_KINK_CLUES = {
    "relu_at_0": "Relu has no derivative at its kink, so the package must pick one slope "
                 "(a subgradient) between the left and right slopes; which one do libraries choose?",
    "abs_at_0": "|x| has a kink at 0: every slope in [-1, 1] is a subgradient; look at the local "
                "rule of abs in the engine to see which one it picks",
    "relu_minus_relu_at_0": "As a function relu(x) - relu(-x) is x, but autodiff differentiates the "
                            "program, not the function: combine the package's relu slope at 0 for "
                            "both terms, with the chain rule for -x",
    "central_abs_near_0": "h is 100 times x, so the points x - h and x + h lie on opposite sides of "
                          "the kink: work out (|x + h| - |x - h|) / 2h by hand",
    "sqrt_of_square_at_0": "sqrt'(0) is infinite and (x²)' is 0 at 0: what does this package do "
                           "with inf · 0 -- a number, NaN, or an error?",
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


EX3 = Exercise("nb05_ex3", "kink quiz", ("kink_predictions",), parts=len(KINK_CASES))


@EX3.cases
def _kink_cases(rng, reveal=False):
    """The five questions (fixed: a quiz), and whether the student asked to see the answers."""
    return {"cases": list(KINK_CASES), "reveal": bool(reveal)}


@EX3.probe
def _kink_probe(cases, predictions):
    """{case: a number, {"text": str}, or None when there is no prediction}."""
    if not isinstance(predictions, dict):
        fail(EX3.id, f"predictions should be a dict with keys {', '.join(KINK_CASES)}")
    seen = {}
    for case in cases["cases"]:
        p = predictions.get(case)
        seen[case] = None if p is None else {"text": p[:40]} if isinstance(p, str) else observed(p)
    return seen


def _said(p):
    return repr(p["text"]) if type(p) is dict and "text" in p else fmt(p)


@EX3.judge
def _kink_judge(cases, seen):
    ex, reveal = EX3.id, cases["reveal"]
    names = cases["cases"]
    if type(seen) is not dict:
        observations(ex, None, len(names))
    if all(seen.get(case) is None for case in names):
        fail(ex, "no predictions yet", "replace each None in kink_predictions with your prediction",
             kind="not-attempted")
    wrong = []
    for case in names:
        question, _, why = KINK_CASES[case]
        p, truth = seen.get(case), _truth(case)
        if p is None:
            wrong.append(f"no prediction for {case!r} ({question})")
            continue
        if type(p) is dict and "not a number" in p:
            wrong.append(f"{case}: {p['not a number']} is not a prediction (a number, float('nan') or "
                         "\"error\")")
            continue
        guess = p["text"] if type(p) is dict else number(ex, p, f"predictions[{case!r}]")
        if isinstance(guess, str) and not isinstance(truth, str):
            try:                       # "0.01" or "nan" written as a string still means the number
                guess = float(guess)
            except ValueError:
                pass
        if _same(guess, truth):
            continue
        if reveal:
            does = repr(truth) if isinstance(truth, str) else fmt(truth)
            wrong.append(f"{case}: you predicted {_said(p)}, the package gives {does}. {why}")
        else:
            wrong.append(f"{case}: you predicted {_said(p)}, but that is not the package's answer. "
                         f"{_KINK_CLUES[case]}")
    if wrong:
        right = len(names) - len(wrong)
        fail(ex, f"{len(wrong)} of {len(names)} predictions differ:\n    " + "\n    ".join(wrong),
             "" if reveal else "think each one through again; in the notebook, "
             "check_kink_quiz(kink_predictions, reveal=True) shows the answers once you have tried",
             earned=right / len(names))
    lines = [f"  {KINK_CASES[c][0]}: {fmt(_truth(c)) if not isinstance(_truth(c), str) else _truth(c)} "
             f"-- {KINK_CASES[c][2]}" for c in names]
    return f"all {len(names)} predictions match the package\n" + "\n".join(lines)


def check_kink_quiz(predictions, reveal=False) -> bool:
    """ex3: each prediction against what the package actually does.

    A wrong prediction gets a clue, not the answer; ``reveal=True`` shows the package's
    answers and why, once you have tried.
    """
    return EX3.check(predictions, reveal=reveal)


EXERCISES = (EX1, EX2, EX3)
