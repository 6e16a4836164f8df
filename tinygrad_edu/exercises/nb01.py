"""Notebook 01 exercises: numeric slopes.

ex1  ``central_difference(f, *args, arg=0, h=1e-6) -> float``
     the central-difference estimate of df/d(args[arg]).
ex2  two numbers ``h_forward, h_central``: the step sizes that give the most
     accurate forward and central differences of sin at 1.
ex3  ``grad_F(a, b, c) -> (dF/da, dF/db, dF/dc)`` for F(a, b, c) = a²b + eᶜ − b/c,
     derived by hand.

Each exercise is cases / probe / judge (see ``_exercise.py``).  The judges know the
classic mistakes as formulas of their own (a forward difference, a fixed step, a
dropped factor...) and name the one the observations match at *every* point.
"""

import math

from ..engine import exp
from ._common import (call_student, close, distinct_digits, engine_gradient, fail, fmt, number,
                      observations, observed)
from ._exercise import Exercise
from ._programs import random_program, run_program

__all__ = ["check_central_difference", "check_best_h", "check_gradient_F", "F", "EXERCISES"]




# -- ex1 ------------------------------------------------------------------------
EX1 = Exercise("nb01_ex1", "central difference", ("central_difference",))

# Functions known by name on both sides of the grader (they work on floats and on Values).
_NAMED = {
    "id": lambda x: x,
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "exp": lambda x: exp(x),
    "cube": lambda x: x * x * x,
}
_DEFAULT_H = 1e-6          # the default of the notebook's signature
_STEPS = (0.1, 0.05, 3e-3, 1e-3)


def _function(spec):
    """The test function a case describes: a name in _NAMED or a random program (plain data)."""
    if "name" in spec:
        return _NAMED[spec["name"]]
    program = spec["program"]
    return lambda *xs: run_program(program, xs)


def _shifted(args, steps):
    return [a + s for a, s in zip(args, steps)]


def _one_hot(n, i, h):
    return [h if k == i else 0.0 for k in range(n)]


def _central(f, args, i, h):
    """The judge's own central difference (plain floats)."""
    return (f(*_shifted(args, _one_hot(len(args), i, h))) - f(*_shifted(args, _one_hot(len(args), i, -h)))) / (2 * h)


def _difference_mistakes(f, args, i, h):
    """{mistake: (what it gives at this function, point and step, the hint that names it)}."""
    n = len(args)
    fx = f(*args)
    up = f(*_shifted(args, _one_hot(n, i, h)))
    down = f(*_shifted(args, _one_hot(n, i, -h)))
    cd = (up - down) / (2 * h)
    out = {"forward": ((up - fx) / h, "that is the forward difference (f(x+h) - f(x))/h; use f(x+h) and f(x-h)"),
           "backward": ((fx - down) / h, "that is the backward difference (f(x) - f(x-h))/h; "
                                         "use f(x+h) and f(x-h)"),
           "sign": (-cd, "the sign is flipped: it is f(x+h) - f(x-h), in that order"),
           "over h": (2 * cd, "divide by 2h: the two points are 2h apart"),
           "over 4h": (cd / 2, "divide by 2h, not 4h"),
           "precedence": (cd * h * h, "operator precedence: `/ 2 * h` multiplies by h; write `/ (2 * h)`"),
           "lower point": ((up - fx) / (2 * h), "your lower point is x itself, not x - h (did you undo "
                                                "the +h but forget to subtract h?)")}
    for k in range(3):
        if k < n:
            out[f"arg {k}"] = (_central(f, args, k, h), f"you perturbed argument {k}, not the argument "
                                                         "number `arg` it is given")
    if n > 1:
        every = (f(*_shifted(args, [h] * n)) - f(*_shifted(args, [-h] * n))) / (2 * h)
        out["every"] = (every, "you moved every argument; move only argument `arg` and hold the others fixed")
    return out


_FIXED_STEP = ("your result does not change with h: the function ignores its h argument (a fixed step); "
               "use the h it is given")


@EX1.cases
def _difference_cases(rng, randoms=12):
    """Known functions (some at fixed points, some at random ones) and random smooth functions.

    Each case is tried at the student's default step and at two explicit steps, one of
    them 1e-2: large enough that the central difference *at that h* differs measurably
    from the derivative, so a function that ignores its ``h`` cannot pass.
    """
    def point(n):
        return [round(rng.choice([-1, 1]) * rng.uniform(0.3, 2.0), 3) for _ in range(n)]

    known = [("mul(5,10)", "mul", [5.0, 10.0], 1), ("cube(1)", "cube", [1.0], 0),
             ("id(3.0)", "id", [3.0], 0), ("add(2,7)", "add", [2.0, 7.0], 0), ("add(2,7)", "add", [2.0, 7.0], 1),
             ("mul(5,10)", "mul", [5.0, 10.0], 0), ("exp(2)", "exp", [2.0], 0)]
    for name, n in (("mul", 2), ("mul", 2), ("cube", 1), ("exp", 1), ("add", 2)):
        args = point(n)
        known.append((f"{name}({', '.join(fmt(a) for a in args)})", name, args, rng.randrange(n)))
    cases = [{"label": label, "f": {"name": name}, "args": args, "arg": i} for label, name, args, i in known]
    for k in range(randoms):
        n = rng.randint(1, 3)
        args = [round(rng.uniform(-1.5, 1.5), 3) for _ in range(n)]
        program = random_program(rng, n, n_ops=5, unary=("sin", "tanh", "cos"))
        cases.append({"label": f"random function #{k + 1} at {tuple(args)}", "f": {"program": program},
                      "args": args, "arg": rng.randrange(n)})
    for case in cases:
        case["hs"] = [None, 1e-2, rng.choice(_STEPS)]
    return cases


@EX1.probe
def _difference_probe(cases, central_difference):
    """Per case, the student's result at each step (None: their default h)."""
    seen = []
    for case in cases:
        f = _function(case["f"])
        row = []
        for h in case["hs"]:
            kwargs = {"arg": case["arg"]} if h is None else {"arg": case["arg"], "h": h}
            row.append(observed(call_student(EX1.id, central_difference, f, *case["args"], **kwargs,
                                             what="central_difference")))
        seen.append(row)
    return seen


def _explain(cases, values, failing):
    """The hint for the first wrong result: the mistake that explains *every* result at a given h.

    ``failing`` is (case index, step index).  A mistake must match there; among those, one that
    matches at every explicit step of every case wins (mul(5, 10) wrt y: perturbing x and
    forgetting the 2 both give 10 there, but not elsewhere).
    """
    c, s = failing
    observations = []            # (case index, h, the student's result, {mistake: what it gives})
    for k, (case, row) in enumerate(zip(cases, values)):
        f, args, i = _function(case["f"]), case["args"], case["arg"]
        at_default = row[case["hs"].index(None)]
        # A fixed step gives, at every h, what the student's default gave (when that was right).
        right_at_default = close(at_default, engine_gradient(f, args)[i], 1e-6, 1e-7)
        for h, got in zip(case["hs"], row):
            if h is not None:
                found = {name: v for name, (v, _) in _difference_mistakes(f, args, i, h).items()}
                if right_at_default:
                    found["fixed"] = at_default
                observations.append((k, h, got, found))
    case, h = cases[c], cases[c]["hs"][s]
    f, args, i = _function(case["f"]), case["args"], case["arg"]
    got = values[c][s]
    if h is None:                # wrong only at the student's default step: compare at that step
        for value, hint in _difference_mistakes(f, args, i, _DEFAULT_H).values():
            if close(got, value, 1e-6, 1e-9):
                return hint
        return ("at the default h=1e-6 your result should be within 1e-6 of the derivative: "
                "is your default h=1e-6?")
    hints = {k: hint for k, (_, hint) in _difference_mistakes(f, args, i, h).items()}
    hints["fixed"] = _FIXED_STEP
    here = next(found for k, step, _, found in observations if k == c and step == h)
    candidates = [name for name, v in here.items() if close(got, v, 1e-7, 1e-10)]
    everywhere = [name for name in candidates
                  if all(close(g, found[name], 1e-7, 1e-10) for _, _, g, found in observations if name in found)]
    if everywhere or candidates:
        return hints[(everywhere or candidates)[0]]
    if close(got, engine_gradient(f, args)[i], 1e-7, 1e-9):
        return ("you returned the exact derivative, not the central difference at this h: "
                "the function ignores its h argument (a fixed step)")
    return ("central difference: (f(..., x+h, ...) - f(..., x-h, ...)) / (2h), other arguments "
            "unchanged; try your function on x**3 at 1 with h=0.01 (it should give 3.0001)")


@EX1.judge
def _difference_judge(cases, seen):
    ex = EX1.id
    observations(ex, seen, len(cases))
    for case, row in zip(cases, seen):
        observations(ex, row, len(case["hs"]))
    values = [[number(ex, x, "central_difference's result") for x in row] for row in seen]
    for c, (case, row) in enumerate(zip(cases, values)):
        f, args, i, label = _function(case["f"]), case["args"], case["arg"], case["label"]
        # The explicit steps first: they separate the most mistakes.
        for s in sorted(range(len(row)), key=lambda s: case["hs"][s] is None):
            h, got = case["hs"][s], row[s]
            if h is None:
                expected, tolerance, where = engine_gradient(f, args)[i], (1e-6, 1e-7), "(default h)"
            else:
                expected, tolerance, where = _central(f, args, i, h), (1e-8, 1e-10), f"with h={h:g}"
            if not close(got, expected, *tolerance):
                shown = distinct_digits(got, expected)
                fail(ex, f"{label} wrt arg {i} {where} returned {shown[0]}, expected {shown[1]}"
                         + ("" if h is None else " (the central difference at that h)"),
                     _explain(cases, values, (c, s)))
    return f"central_difference is right on {len(cases)} functions, at your default h and at given h"


def check_central_difference(central_difference, student_id=None) -> bool:
    """ex1: known functions and random smooth ones, at the default h and at h = 1e-2 and another."""
    return EX1.check(central_difference, student_id=student_id)


# -- ex2 ------------------------------------------------------------------------
EX2 = Exercise("nb01_ex2", "best step size h", ("h_forward", "h_central"), parts=2)
_RANGES = {"forward": (1e-9, 1e-7), "central": (1e-6, 1e-4)}


def _errors(h, x=1.0):
    """(forward error, central error) of the slope of sin at x with step h."""
    forward = abs((math.sin(x + h) - math.sin(x)) / h - math.cos(x))
    central = abs((math.sin(x + h) - math.sin(x - h)) / (2 * h) - math.cos(x))
    return forward, central


@EX2.cases
def _best_h_cases(rng, points=4):
    """x = 1 (the notebook's point) and a few random x: the errors a step gives there."""
    return [1.0] + [round(rng.uniform(0.3, 1.3), 3) for _ in range(points)]


@EX2.probe
def _best_h_probe(xs, h_forward, h_central):
    seen = []
    for name, h in (("h_forward", h_forward), ("h_central", h_central)):
        if h is None:
            fail(EX2.id, f"{name} is still None", "replace None with the step size you chose (a number)",
                 kind="not-attempted")
        seen.append(observed(h))
    return seen


def _error_report(h, which, xs):
    errors = [_errors(h, x)[which] for x in xs]
    return f"error {errors[0]:.1e} at x=1, up to {max(errors[1:]):.1e} at {len(xs) - 1} other x"


def _judge_step(name, h, which, xs, other):
    """None if h is a good step for this difference, else (message, hint)."""
    lo, hi = _RANGES[name]
    if math.isfinite(h) and h == int(h) and -20 <= h <= -1:
        return (f"h_{name}={fmt(h)} looks like an exponent",
                f"a step of ten to the power {int(h)} is written 1e{int(h)} (or 10**{int(h)}), not {int(h)}")
    if not h > 0:
        return f"h_{name}={fmt(h)}: a step size must be positive", "choose a small positive number"
    other_lo, other_hi = _RANGES["central" if name == "forward" else "forward"]
    if not lo <= h <= hi and other_lo <= h <= other_hi and other is not None \
            and _RANGES[name][0] <= other <= _RANGES[name][1]:
        f_h, c_h = (h, other) if name == "forward" else (other, h)
        return (f"h_forward={f_h:g} is too {'large' if name == 'forward' else 'small'} and "
                f"h_central={c_h:g} too {'small' if name == 'forward' else 'large'}: the two look swapped",
                "the central difference's error shrinks like h², the forward one's like h: so the "
                "central difference reaches its best at the larger step")
    if h < lo:
        return (f"h_{name}={h:g} is too small: {_error_report(h, which, xs)}",
                "round-off wins below the best h: f(x+h) - f(x) loses digits when h is tiny "
                "(smaller h is not always better)")
    if h > hi:
        return (f"h_{name}={h:g} is too large: {_error_report(h, which, xs)}",
                "truncation wins above the best h: the error of the formula itself grows "
                f"like h{'' if which == 0 else '²'}")
    return None


@EX2.judge
def _best_h_judge(xs, seen):
    ex = EX2.id
    observations(ex, seen, 2)
    h_forward = number(ex, seen[0], "h_forward")
    h_central = number(ex, seen[1], "h_central")
    verdicts = [_judge_step("forward", h_forward, 0, xs, h_central),
                _judge_step("central", h_central, 1, xs, h_forward)]
    wrong = [v for v in verdicts if v is not None]
    if wrong:
        fail(ex, wrong[0][0], wrong[0][1], earned=(2 - len(wrong)) / 2)
    return (f"forward h={h_forward:g} ({_error_report(h_forward, 0, xs)}), "
            f"central h={h_central:g} ({_error_report(h_central, 1, xs)})")


def check_best_h(h_forward, h_central, student_id=None) -> bool:
    """ex2: forward h in [1e-9, 1e-7], central h in [1e-6, 1e-4] (sin at 1; errors shown at more x)."""
    return EX2.check(h_forward, h_central, student_id=student_id)


# -- ex3 ------------------------------------------------------------------------
def F(a, b, c):
    """The function of exercise 3: F(a, b, c) = a²b + eᶜ − b/c."""
    return a * a * b + exp(c) - b / c


EX3 = Exercise("nb01_ex3", "gradient of F by hand", ("grad_F",), parts=3)

# Classic slips per partial, as the judge's own formulas: (formula, the hint that names it).
_SLIPS = {
    "a": [(lambda a, b, c: 2 * a, "you dropped the factor b: in a²b, b is a constant multiplier"),
          (lambda a, b, c: a * a, "that is dF/db's first term: differentiate a²b wrt a, not wrt b"),
          (lambda a, b, c: 2 * a * b - b / c, "-b/c holds no a: its derivative wrt a is 0"),
          (lambda a, b, c: a * b, "power rule: d(a²)/da = 2a (you dropped the 2)")],
    "b": [(lambda a, b, c: a * a, "b appears twice: in a²b and in -b/c (you forgot -b/c)"),
          (lambda a, b, c: a * a + 1 / c, "sign slip in the -b/c term: its derivative wrt b is -1/c"),
          (lambda a, b, c: -1 / c, "b appears twice: in a²b and in -b/c (you forgot a²b)"),
          (lambda a, b, c: 2 * a * b, "that is dF/da: differentiate wrt b, holding a and c fixed")],
    "c": [(lambda a, b, c: math.exp(c) - b / c ** 2,
           "sign slip: -b/c = -b·c⁻¹, and d(c⁻¹)/dc = -c⁻²; the two minus signs cancel"),
          (lambda a, b, c: math.exp(c), "two terms hold c: eᶜ and -b/c = -b·c⁻¹ (you forgot -b/c)"),
          (lambda a, b, c: c * math.exp(c - 1) + b / c ** 2,
           "eᶜ is not a power of c: the power rule does not apply, eᶜ is its own derivative"),
          (lambda a, b, c: math.exp(c) - b / c, "differentiate -b/c = -b·c⁻¹ with the power rule: "
                                                "the exponent drops to -2"),
          (lambda a, b, c: b / c ** 2, "two terms hold c: eᶜ and -b/c = -b·c⁻¹ (you forgot eᶜ)")],
}


def _exact_partials(p):
    return engine_gradient(F, p)


@EX3.cases
def _gradient_cases(rng, points=5):
    """The notebook's point (1.5, -2, 0.5) and random ones (no coordinate near 0: F has -b/c)."""
    def coord():
        return round(rng.choice([-1, 1]) * rng.uniform(0.3, 2), 2)
    return [[1.5, -2.0, 0.5]] + [[coord(), coord(), coord()] for _ in range(points)]


@EX3.probe
def _gradient_probe(points, grad_F):
    """Per point: the three partials, or {"shape": what grad_F returned instead}."""
    seen = []
    for p in points:
        got = call_student(EX3.id, grad_F, *p, what="grad_F")
        try:                # a tuple or list subclass runs the student's code on len() and iteration
            if isinstance(got, (tuple, list)) and len(got) == 3:
                seen.append([observed(g) for g in got])
                continue
            shown = repr(got)[:80]
        except (MemoryError, RecursionError):
            raise
        except Exception:                      # noqa: BLE001 - the student's methods raised
            shown = f"a {type(got).__name__} that cannot be read"
        seen.append({"shape": shown})
    return seen


def _named_slip(name, k, points, values):
    """The hint of a slip whose formula matches this partial at every point, else None."""
    matches = lambda formula: all(close(v, formula(*p), 1e-9, 1e-12) for p, v in zip(points, values))  # noqa: E731
    for formula, hint in _SLIPS[name]:
        if matches(formula):
            return hint
    for j, other in enumerate("abc"):
        if j != k and matches(lambda a, b, c, j=j: _exact_partials([a, b, c])[j]):
            return (f"that is dF/d{other}: return the partials in the order (dF/da, dF/db, dF/dc)")
    exacts = [_exact_partials(p)[k] for p in points]
    if all(close(v, e, 1e-5, 1e-7) for v, e in zip(values, exacts)):
        return ("your values are close but not exact, as finite differences would be: write the "
                "formula you derived by hand (no differences)")
    return None


@EX3.judge
def _gradient_judge(points, seen):
    ex = EX3.id
    observations(ex, seen, len(points))
    for p, got in zip(points, seen):
        if type(got) is dict:
            fail(ex, f"grad_F{tuple(p)} should return three partials (dF/da, dF/db, dF/dc), "
                     f"got {str(got.get('shape'))[:80]}")
        observations(ex, got, 3)
    values = [[number(ex, g, f"dF/d{name}") for g, name in zip(got, "abc")] for got in seen]
    wrong = []
    for k, name in enumerate("abc"):
        mine = [v[k] for v in values]
        for p, v in zip(points, mine):
            exact = _exact_partials(p)[k]
            # Exact to rounding: a hand formula is good to ~1e-15; a finite difference is not.
            if not close(v, exact, 1e-12, 1e-13):
                wrong.append((k, name, p, v, exact, mine))
                break
    if not wrong:
        return f"grad_F is exact at {len(points)} points"
    k, name, p, v, exact, mine = wrong[0]
    slope = _central(lambda a, b, c: a * a * b + math.exp(c) - b / c, p, k, 1e-6)
    hint = _named_slip(name, k, points, mine) or (
        f"differentiate each term of F wrt {name}, holding the other two fixed; compare with "
        f"central_difference(F, {', '.join(fmt(x) for x in p)}, arg={k})")
    shown = distinct_digits(v, exact)
    fail(ex, f"dF/d{name} at (a,b,c)={tuple(p)}: got {shown[0]}, central difference gives {fmt(slope)}"
             + (f" (exactly {shown[1]})" if shown[1] != fmt(slope) else ""),
         hint, earned=(3 - len(wrong)) / 3)


def check_gradient_F(grad_F, points=5, student_id=None) -> bool:
    """ex3: the hand-derived gradient, exactly, at (1.5, -2, 0.5) and random points."""
    return EX3.check(grad_F, student_id=student_id, points=points)


EXERCISES = (EX1, EX2, EX3)
