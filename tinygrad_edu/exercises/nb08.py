"""Notebook 08 exercises: primitives and their VJPs.

ex1  ``vjps``: a dict from op name to ``vjp(g, ans, *inputs) -> tuple`` giving
     one cotangent per input (g·∂ans/∂input), for the ops in ``VJP_OPS``:
     "+", "*", "**" (inputs x, y: both get a cotangent), "exp", "log", "sin",
     "tanh", "sigmoid", "relu".
ex2  ``softplus(x) -> float`` (stable: finite for x = ±800) and
     ``softplus_vjp(g, ans, x) -> float``.
ex3  ``predicted``: the list of op names, in the order they run, of
     f(x) = sin(x·x) + x (use the engine's names: "+", "*", "sin", ...).
"""

import math

from .. import engine
from ..engine import PRIMITIVES, Value, topological_order
from ._common import ExerciseFailed, call_student, close, fail, fmt, isfinite, number, observed
from ._exercise import Exercise

__all__ = ["check_vjp_table", "check_softplus_primitive", "check_trace_order", "VJP_OPS", "trace_f",
           "EXERCISES"]

#: op name → (number of inputs, domain of the inputs for the random tests)
VJP_OPS = {"+": (2, (-3, 3)), "*": (2, (-3, 3)), "**": (2, (0.2, 3)), "exp": (1, (-4, 4)),
           "log": (1, (0.1, 10)), "sin": (1, (-3, 3)), "tanh": (1, (-3, 3)),
           "sigmoid": (1, (-6, 6)), "relu": (1, (-3, 3))}


def _forward(op, inputs):
    vals = [Value(v) for v in inputs]
    if op == "+":
        return (vals[0] + vals[1]).data
    if op == "*":
        return (vals[0] * vals[1]).data
    if op == "**":
        return (vals[0] ** vals[1]).data
    return getattr(vals[0], op)().data


def shown(x, width=60):
    """repr(x) cut to ``width`` characters, whatever the student's __repr__ does (shared with nb09)."""
    try:
        return repr(x)[:width]
    except Exception:                        # noqa: BLE001 - a student's __repr__ that raises
        return f"<{type(x).__name__}>"


def _names(op):
    return ["x", "y"] if VJP_OPS[op][0] == 2 else ["x"]


def _attempt(exercise, fn, *args, what):
    """``observed(fn(*args))``, or ``{"raised": name, "message": ..}`` for an arithmetic error.

    Overflow, division by zero and math domain errors are observations the judge can
    explain (an unstable formula); any other exception is the usual failure of
    ``call_student`` ("not written yet", "raised TypeError ...").
    """
    if not callable(fn):
        call_student(exercise, fn, what=what)            # the standard "expected a function"

    def guarded(*a):
        try:
            return observed(fn(*a))
        except (ArithmeticError, ValueError) as err:
            return {"raised": type(err).__name__, "message": str(err)[:200]}
    return call_student(exercise, guarded, *args, what=what)


# -- ex1 ------------------------------------------------------------------------
EX1 = Exercise("nb08_ex1", "the VJP table", ("vjp_table",), parts=len(VJP_OPS))


@EX1.cases
def _vjp_cases(rng, count=25):
    """{op: [[inputs, g, directions v]]}: random points in each op's domain, away from relu's kink."""
    table = {}
    for op, (arity, (lo, hi)) in VJP_OPS.items():
        rows = []
        while len(rows) < count:
            inputs = [round(rng.uniform(lo, hi), 4) for _ in range(arity)]
            if op == "relu" and abs(inputs[0]) < 1e-2:
                continue
            g = round(rng.choice([-1, 1]) * rng.uniform(0.3, 2.5), 4)
            if abs(g - 1) < 0.05:               # g = 1 would hide a missing factor g
                continue
            rows.append([inputs, g, [round(rng.uniform(-2, 2), 4) or 0.5 for _ in range(arity)]])
        table[op] = rows
    return table


#: Ops the notebook's stub already fills in ("+"): a table with nothing else is not attempted yet.
_GIVEN = {"+"}


def observe_part(observe):
    """``observe()``, or ``{"failed": message, "hint", "kind"}`` when the student's code failed there.

    One part of an exercise failing (raised, not written) must not cost the others their
    credit; the judge turns the record back into the failure.  Forging one gains nothing.
    Shared with nb09 (as is ``raise_if_every_part_failed``).
    """
    try:
        return observe()
    except ExerciseFailed as err:
        return {"failed": err.problem, "hint": err.hint, "kind": err.kind}


def raise_if_every_part_failed(exercise, parts):
    """Raise the first failure again when every part failed (so "not written yet" stays that)."""
    failed = [p for p in parts if type(p) is dict and "failed" in p]
    if parts and len(failed) == len(parts):
        fail(exercise, failed[0]["failed"], failed[0]["hint"], kind=failed[0]["kind"])


@EX1.probe
def _vjp_probe(table, vjps):
    """{op: None (missing) or [[cotangents] | {"not a tuple": repr}] or {"failed": ..}}; ans by the engine."""
    if not isinstance(vjps, dict):
        fail(EX1.id, f"vjp_table should be a dict {{op name: vjp function}}, got {type(vjps).__name__}")
    seen = {}
    for op, rows in table.items():
        if op not in vjps:
            seen[op] = None
            continue

        def run(op=op, rows=rows):
            results = []
            for inputs, g, _ in rows:
                got = call_student(EX1.id, vjps[op], g, _forward(op, inputs), *inputs, what=f"vjp_table[{op!r}]")
                if isinstance(got, (tuple, list)):
                    results.append([observed(c) for c in list(got)[:4]])
                else:
                    results.append({"not a tuple": shown(got)})
            return results
        seen[op] = observe_part(run)
    raise_if_every_part_failed(EX1.id, [v for op, v in seen.items() if op not in _GIVEN])
    return seen


#: op → [(slip, cotangents it gives: fn(g, ans, *inputs) -> tuple)], the classic wrong rules.
_VJP_SLIPS = {
    "+": [("that is the VJP of *: for + each input's cotangent is g itself (∂(x+y)/∂x = 1)",
           lambda g, a, x, y: (g * y, g * x))],
    "*": [("d(x·y)/dx is the other input y, times g", lambda g, a, x, y: (g, g))],
    "**": [("the exponent y is an input too: its cotangent is g · ans · log x",
            lambda g, a, x, y: (g * y * x ** (y - 1), 0.0)),
           ("power rule: d(xʸ)/dx = y · x^(y−1) (the exponent drops by one, y comes down)",
            lambda g, a, x, y: (g * x ** (y - 1), g * a * math.log(x))),
           ("d(xʸ)/dy = xʸ · log x = ans · log x", lambda g, a, x, y: (g * y * x ** (y - 1), g * math.log(x)))],
    "exp": [("exp: you used the input x where the output ans belongs (d eˣ/dx = eˣ = ans)",
             lambda g, a, x: (g * x,)),
            ("d eˣ/dx = eˣ = ans, not x·e^(x−1)", lambda g, a, x: (g * x * math.exp(x - 1),))],
    "log": [("d log x/dx = 1/x: divide g by x", lambda g, a, x: (g * x,)),
            ("d log x/dx = 1/x with the input x, not the output ans", lambda g, a, x: (g / a,))],
    "sin": [("sign slip: d sin x/dx = +cos x", lambda g, a, x: (-g * math.cos(x),)),
            ("d sin x/dx = cos x, not sin x", lambda g, a, x: (g * a,))],
    "tanh": [("tanh: you used the input x where the output ans belongs (1 − ans², not 1 − x²)",
              lambda g, a, x: (g * (1 - x * x),)),
             ("sign slip: d tanh/dx = 1 − ans², not 1 + ans²", lambda g, a, x: (g * (1 + a * a),)),
             ("d tanh/dx = 1 − ans² (ans squared)", lambda g, a, x: (g * (1 - a),))],
    "sigmoid": [("sigmoid: you used the input x where the output ans belongs (ans·(1 − ans))",
                 lambda g, a, x: (g * x * (1 - x),)),
                ("sign slip: dσ/dx = ans·(1 − ans), not ans·(1 + ans)", lambda g, a, x: (g * a * (1 + a),))],
    "relu": [("relu′ is 1 where x > 0 and 0 elsewhere (a step, not the output ans)", lambda g, a, x: (g * a,)),
             ("relu′ is 1 where x > 0, 0 where x < 0 (you flipped the step)", lambda g, a, x: (g * (x < 0),))],
}


def _vjp_hint(op, i, got, g, ans, inputs, local):
    """Name the slip behind a wrong cotangent, from what the right and the classic wrong rules give."""
    expected = g * local[i]

    def near(value):
        return close(got, value, 1e-7, 1e-10)
    for slip, rule in _VJP_SLIPS.get(op, []):
        try:
            wrong = rule(g, ans, *inputs)[i]
        except (ArithmeticError, ValueError):
            continue
        if near(wrong) and not near(expected):
            return slip
    if len(inputs) == 2 and near(g * local[1 - i]) and not close(local[0], local[1], 1e-6, 1e-9):
        return "that is g times the other input's partial: partials swapped"
    if near(local[i]):
        return "multiply by the incoming cotangent g (the chain rule)"
    if near(-expected):
        return f"sign slip: the cotangent for {_names(op)[i]} is g · ∂{op}/∂{_names(op)[i]}, your sign is flipped"
    if close(got, expected, 1e-4, 1e-7):
        return ("close but not exact, as finite differences are: write the derivative formula "
                "(the VJP is exact up to rounding)")
    return f"the cotangent for {_names(op)[i]} is g · ∂{op}/∂{_names(op)[i]}, evaluated at this point"


def _vjp_op_problem(op, rows, results):
    """(message, hint) for the first wrong case of one op, or None."""
    arity = VJP_OPS[op][0]
    if results is None:
        return f"no VJP for {op!r}", f"add vjp_table[{op!r}] = lambda g, ans, *inputs: (...)"
    if type(results) is dict:                       # the student's code failed on this op
        return str(results.get("failed")), str(results.get("hint", ""))
    for (inputs, g, directions), got in zip(rows, results):
        if type(got) is dict or len(got) != arity:
            shown = got["not a tuple"] if type(got) is dict else f"{len(got)} value(s)"
            return (f"vjp_table[{op!r}] should return a tuple of {arity} cotangent(s) (one per input), "
                    f"got {shown}", "return a tuple, e.g. (g * y, g * x) -- one cotangent per input")
        ans = _forward(op, inputs)
        local = PRIMITIVES[op](ans, *inputs)
        for i in range(arity):
            cot = number(EX1.id, got[i], f"{op} cotangent {i}")
            if close(cot, g * local[i], 1e-9, 1e-12):
                continue
            # the dot-product test, as the notebook states it: <u, J v> = <VJP(u), v>
            v, h = directions[i], 1e-6
            up = list(inputs); up[i] += h * v
            down = list(inputs); down[i] -= h * v
            lhs = g * (_forward(op, up) - _forward(op, down)) / (2 * h)
            where = ", ".join(f"{n}={fmt(a)}" for n, a in zip(_names(op), inputs))
            return (f"{op}: cotangent for input {i} ({_names(op)[i]}) wrong at {where}, g={fmt(g)}: "
                    f"got {cot:.12g}, expected {g * local[i]:.12g} (dot-product test: "
                    f"<u,Jv>={fmt(lhs)}, <VJP(u),v>={fmt(cot * v)})",
                    _vjp_hint(op, i, cot, g, ans, inputs, local))
    return None


@EX1.judge
def _vjp_judge(table, seen):
    """Each op on its own (partial credit): cotangents against the engine's local rule times g."""
    problems = [p for p in (_vjp_op_problem(op, table[op], seen.get(op)) for op in VJP_OPS) if p]
    if problems:
        right = len(VJP_OPS) - len(problems)
        message, hint = problems[0]
        fail(EX1.id, f"{message} ({right} of {len(VJP_OPS)} ops right)", hint, earned=right / len(VJP_OPS))
    return f"all {len(VJP_OPS)} VJPs pass the dot-product test"


def check_vjp_table(vjps, count=25) -> bool:
    """ex1: each op's cotangents at ``count`` random points: g · local derivative (dot-product test)."""
    return EX1.check(vjps, count=count)


# -- ex2 ------------------------------------------------------------------------
EX2 = Exercise("nb08_ex2", "a stable softplus primitive", ("softplus", "softplus_vjp"), parts=2)

_STABLE = "softplus(x) = max(x, 0) + log1p(exp(-|x|))"
_STABLE_SIGMOID = "σ(x) = 1/(1 + exp(-x)) for x ≥ 0 and exp(x)/(1 + exp(x)) for x < 0"


def _sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


@EX2.cases
def _softplus_cases(rng):
    """[x, softplus(x) by the engine, g]: ±800, 0, ±1, moderate x, and far tails where exp(x) overflows."""
    xs = [-800.0, -1.0, 0.0, 1.0, 800.0]
    xs += [round(rng.uniform(-30, 30), 3) for _ in range(8)]
    xs += [round(rng.uniform(-40, -15), 3) for _ in range(3)]       # where 1 + eˣ rounds off
    xs += [round(rng.uniform(-690, -40), 2) for _ in range(2)] + [round(rng.uniform(710, 1000), 2)]
    return [[x, engine.softplus(x), round(rng.uniform(0.5, 2.0), 4)] for x in xs]


@EX2.probe
def _softplus_probe(cases, softplus, softplus_vjp):
    """{"softplus": [softplus(x)], "softplus_vjp": [softplus_vjp(g, ans, x)]}: numbers or {"raised": ..}."""
    if softplus is engine.softplus:
        fail(EX2.id, "softplus is the library's own softplus", "write your own softplus with math only")
    values = observe_part(lambda: [_attempt(EX2.id, softplus, x, what="softplus") for x, _, _ in cases])
    vjps = observe_part(lambda: [_attempt(EX2.id, softplus_vjp, g, ans, x, what="softplus_vjp") for x, ans, g in cases])
    raise_if_every_part_failed(EX2.id, [values, vjps])
    return {"softplus": values, "softplus_vjp": vjps}


def _naive_softplus(x):
    """Two unstable versions a student writes, as the judge computes them (None where they raise)."""
    out = []
    for fn in (lambda: math.log(1 + math.exp(x)), lambda: max(x, 0.0) + math.log(1 + math.exp(-abs(x)))):
        try:
            out.append(fn())
        except OverflowError:
            out.append(None)
    return out


def _softplus_problem(cases, seen):
    if type(seen) is dict:                          # the student's code failed (not written, raised)
        return str(seen.get("failed")), str(seen.get("hint", ""))
    for (x, expected, _), got in zip(cases, seen):
        if type(got) is dict and "raised" in got:
            hint = f"exp(x) overflows for large x: {_STABLE} never does"
            if got["raised"] != "OverflowError":
                hint = f"{_STABLE} is defined for every x"
                if "domain" in got["message"]:
                    hint = f"log of 0 (or of a negative number): {_STABLE}"
            return f"softplus({fmt(x)}) raised {got['raised']} ({got['message']})", hint
        got = number(EX2.id, got, f"softplus({fmt(x)})")
        if not isfinite(got):
            return (f"softplus({fmt(x)}) = {fmt(got)}",
                    f"log(1 + exp(x)) overflows for big x (exp(x) is inf): {_STABLE}")
        if close(got, expected, 1e-9, 1e-310):
            continue
        hint = f"{_STABLE}: check your formula at this point"
        if any(n is not None and close(got, n, 1e-12, 0.0) for n in _naive_softplus(x)):
            hint = ("1 + e rounds off when the exponential e is tiny (1 + 1e-17 == 1), so log(1 + e) "
                    f"loses the answer: use log1p, as in {_STABLE}")
        elif got == max(x, 0.0):
            hint = f"that is relu(x): the term log1p(exp(-|x|)) is missing ({_STABLE})"
        elif x < -30 and got == 0.0:
            hint = f"for very negative x, softplus(x) ≈ exp(x) is tiny but not 0: use log1p ({_STABLE})"
        elif close(got, -expected, 1e-9, 1e-310) or close(got, expected - x, 1e-9, 1e-310):
            hint = f"sign slip: {_STABLE}"
        return f"softplus({fmt(x)}): got {got:.12g}, expected {expected:.12g}", hint
    return None


def _softplus_vjp_problem(cases, seen):
    if type(seen) is dict:
        return str(seen.get("failed")), str(seen.get("hint", ""))
    for (x, ans, g), got in zip(cases, seen):
        where = f"softplus_vjp at x={fmt(x)}, g={fmt(g)}"
        if type(got) is dict and "raised" in got:
            cause = "exp(x) overflows for large |x|: " if got["raised"] == "OverflowError" else ""
            return (f"{where} raised {got['raised']} ({got['message']})",
                    f"{cause}use the stable sigmoid, {_STABLE_SIGMOID}")
        got = number(EX2.id, got, where)
        deriv = PRIMITIVES["softplus"](ans, x)[0]
        if not isfinite(got):
            return (f"{where} = {fmt(got)}",
                    f"inf/inf is NaN: exp(x) overflows; use the stable sigmoid, {_STABLE_SIGMOID}")
        if close(got, g * deriv, 1e-9, 1e-310):
            continue
        hint = "the VJP is g · softplus′(x) = g · σ(x), with σ computed stably"
        if close(got, deriv, 1e-9, 1e-310):
            hint = "multiply by the incoming cotangent g (the chain rule)"
        elif close(got, g * ans, 1e-9, 1e-310):
            hint = "that is g · softplus(x), the function itself: its derivative is σ(x)"
        elif close(got, g * _sigmoid(-x), 1e-9, 1e-310):
            hint = "sign slip: σ(−x) = 1 − σ(x); softplus′(x) = σ(x)"
        elif close(got, g * _sigmoid(ans), 1e-9, 1e-310):
            hint = "you used the output ans where the input x belongs: softplus′(x) = σ(x)"
        elif close(got, g * deriv * (1 - deriv), 1e-9, 1e-310):
            hint = "that is the second derivative σ(x)(1 − σ(x)): softplus′(x) = σ(x)"
        return f"{where}: got {got:.12g}, expected {g * deriv:.12g}", hint
    return None


@EX2.judge
def _softplus_judge(cases, seen):
    """Two parts: the value (against the engine), the VJP (g · σ(x)); finite from -800 to 1000."""
    problems = [p for p in (_softplus_problem(cases, seen["softplus"]),
                            _softplus_vjp_problem(cases, seen["softplus_vjp"])) if p]
    if problems:
        message, hint = problems[0]
        fail(EX2.id, message, hint, earned=(2 - len(problems)) / 2)
    return "softplus and its VJP are finite and right from -800 to 800 and beyond"


def check_softplus_primitive(softplus, softplus_vjp) -> bool:
    """ex2: finite, correct value and VJP at x in {-800, -1, 0, 1, 800} and random x (tails included)."""
    return EX2.check(softplus, softplus_vjp)


# -- ex3 ------------------------------------------------------------------------
_ALIASES = {"add": "+", "mul": "*", "multiply": "*", "sub": "-", "subtract": "-", "div": "/",
            "divide": "/", "truediv": "/", "pow": "**", "power": "**", "negative": "neg"}


def trace_f(x):
    """The traced function of exercise 3: f(x) = sin(x·x) + x."""
    return (x * x).sin() + x


#: The functions whose trace can be predicted, by name (cases carry the name, not the function).
TRACED = {"sin(x·x) + x": trace_f}

EX3 = Exercise("nb08_ex3", "trace order", ("trace_prediction",))


@EX3.cases
def _trace_cases(rng, f="sin(x·x) + x", x=None, reveal=False):
    """The function's name in ``TRACED``, a random point, and whether a failure shows the answer."""
    return {"f": f, "x": round(rng.uniform(0.3, 2.5), 3) if x is None else float(x), "reveal": bool(reveal)}


@EX3.probe
def _trace_probe(case, predicted):
    """The predicted names as strings (no judging)."""
    if predicted is None:
        fail(EX3.id, "trace_prediction is still None", "replace None with your list of op names",
             kind="not-attempted")
    if not isinstance(predicted, (list, tuple)):
        fail(EX3.id, f"trace_prediction should be a list of op names like ['sin', ...], "
                     f"got {type(predicted).__name__}", "replace None with your list of op names")
    names = []
    for p in list(predicted)[:50]:
        try:
            names.append(str(p)[:40])
        except Exception:                    # noqa: BLE001 - an object whose str() raises
            names.append("?")
    return names


def _norm(name):
    name = name.strip()
    return _ALIASES.get(name.lower(), name)


@EX3.judge
def _trace_judge(case, seen):
    """The names against the engine's recorded graph; the hint says which item is wrong, not what is right."""
    ex = EX3.id
    root = TRACED[case["f"]](Value(case["x"]))
    actual = [n.op for n in topological_order(root) if not n.is_leaf]
    names = [_norm(p) for p in seen]
    if names == actual:
        return f"trace order {actual}"
    reveal = f" (the trace is {actual})" if case["reveal"] else ""
    ask = "" if case["reveal"] else "; after trying, check_trace_order(trace_prediction, reveal=True) shows the trace"
    unknown = [p for p in names if p not in PRIMITIVES]
    if unknown:
        fail(ex, f"{unknown[0]!r} is not one of the engine's op names{reveal}",
             "use the engine's names: '+', '-', '*', '/', 'neg', '**', 'sin', 'exp', ... "
             "(the leaves, x and constants, are not ops)" + ask)
    if names == actual[::-1]:
        fail(ex, f"your list is the trace in reverse{reveal}",
             "that is the backward order; the tape records the forward order (inner ops first)" + ask)
    if sorted(names) == sorted(actual):
        wrong = [k + 1 for k, (p, a) in enumerate(zip(names, actual)) if p != a]
        fail(ex, f"right ops, wrong order: item(s) {wrong} are out of place{reveal}",
             "the innermost operation runs first; each op comes after the ops that make its inputs" + ask)
    if len(names) != len(actual):
        fail(ex, f"you listed {len(names)} op(s); the trace has {len(actual)} primitive ops{reveal}",
             "every operation on a Value records one primitive; "
             + ("you missed one" if len(names) < len(actual) else
                "the leaves (x, constants) are not ops, and each operation is recorded once") + ask)
    wrong = [k + 1 for k, (p, a) in enumerate(zip(names, actual)) if p != a]
    fail(ex, f"item(s) {wrong} of your list are not the op that runs there{reveal}",
         "write f out one operation at a time: x·x is a multiplication ('*'), not a power" + ask
         if any(p == "**" for p in names) else "write f out one operation at a time and name each" + ask)


def check_trace_order(predicted, f=trace_f, x=1.5, reveal=False) -> bool:
    """ex3: the predicted op names against the engine's recorded graph, in execution order.

    ``reveal=True`` (after trying) shows the true trace when the prediction is wrong.
    """
    name = next((k for k, v in TRACED.items() if v is f), None)
    if name is None:                 # a function of the student's own: traced here, by its name
        name = getattr(f, "__name__", "f")
        TRACED[name] = f
    return EX3.check(predicted, f=name, x=x, reveal=reveal)


EXERCISES = (EX1, EX2, EX3)
