"""Notebook 09 exercises: forward mode vs reverse mode.

ex1  ``class Dual`` with ``Dual(value, tangent)``, attributes ``.value`` and
     ``.tangent``, operators + - * / with Duals and plain numbers on either
     side, unary minus, and methods ``.sin()``, ``.cos()``, ``.exp()``.
ex2  ``jacobian_fwd(F, x)`` (one forward sweep -- one call of F on Duals --
     per input) and ``jacobian_rev(F, x)`` (one reverse sweep per output).
     ``F`` takes a list of numbers (Values, Duals...) and returns a list;
     ``x`` is a list of floats; both return the m×n Jacobian as a list of rows
     (row i = output i).  ``jacobian_fwd`` may use your Dual class.
ex3  ``predictions``: {(n, m): "forward" or "reverse"} for the shapes in
     ``MODE_SHAPES``, and optionally ``measured``: {(n, m): (forward sweeps,
     reverse sweeps)} that you counted.
"""

import math
import warnings

from .. import engine, forward
from ..engine import Value, gradients
from ._common import ExerciseFailed, call_student, close, fail, fmt, number, observed, passed
from ._exercise import Exercise
from ._programs import random_program, run_program
from .nb08 import observe_part, raise_if_every_part_failed, shown

__all__ = ["check_dual", "check_jacobians", "check_mode_prediction", "MODE_SHAPES", "SweepCounter",
           "EXERCISES"]


# -- ex1 ------------------------------------------------------------------------
#: The fixed expressions every student gets (cases refer to them by index), then random programs.
DUAL_EXPRESSIONS = [
    ("x² sin x", lambda x: x * x * x.sin()),
    ("2 - x", lambda x: 2 - x), ("1 / x", lambda x: 1 / x), ("x / 3", lambda x: x / 3),
    ("-x · eˣ", lambda x: -x * x.exp()), ("3 + 2x", lambda x: 3 + 2 * x),
    ("cos x · x - 1", lambda x: x.cos() * x - 1),
]

#: One operation at a time, to find the rule behind a wrong expression: (name, fn(a, b)).
DUAL_OPS = [
    ("a + b", lambda a, b: a + b), ("a - b", lambda a, b: a - b), ("a * b", lambda a, b: a * b),
    ("a / b", lambda a, b: a / b), ("a.sin()", lambda a, b: a.sin()), ("a.cos()", lambda a, b: a.cos()),
    ("a.exp()", lambda a, b: a.exp()), ("-a", lambda a, b: -a), ("2 + a", lambda a, b: 2 + a),
    ("2 - a", lambda a, b: 2 - a), ("2 * a", lambda a, b: 2 * a), ("2 / a", lambda a, b: 2 / a),
    ("a * 3", lambda a, b: a * 3), ("a / 3", lambda a, b: a / 3),
]

#: Which method Python looks for when an elementary operation raises TypeError.
_METHOD = {"2 + a": "__radd__", "2 - a": "__rsub__", "2 * a": "__rmul__", "2 / a": "__rtruediv__",
           "-a": "__neg__", "a + b": "__add__", "a - b": "__sub__", "a * b": "__mul__",
           "a / b": "__truediv__", "a * 3": "__mul__", "a / 3": "__truediv__", "a.sin()": "sin",
           "a.cos()": "cos", "a.exp()": "exp"}

EX1 = Exercise("nb09_ex1", "dual numbers", ("Dual",))


@EX1.cases
def _dual_cases(rng, cases=30):
    """Fixed expressions by index and random programs, three random points each; (a, b) for one-op probes."""
    def points():
        return [round(rng.choice([-1, 1]) * rng.uniform(0.3, 2.5), 4) for _ in range(3)]
    exprs = [{"index": k, "xs": points()} for k in range(len(DUAL_EXPRESSIONS))]
    while len(exprs) < len(DUAL_EXPRESSIONS) + cases:
        spec = {"program": random_program(rng, 1, rng.randint(3, 7), unary=("sin", "cos", "exp")),
                "xs": points()}
        if _tame(spec):
            exprs.append(spec)
    return {"exprs": exprs, "a": round(rng.uniform(0.5, 2.0), 4), "b": round(rng.uniform(0.4, 1.5), 4)}


def _expression(spec):
    """(name, fn) of one case, built the same way in the probe and the judge."""
    if "index" in spec:
        return DUAL_EXPRESSIONS[spec["index"]]
    program = spec["program"]
    return "a random expression", lambda x: run_program(program, [x])


def _tame(spec):
    """True if the expression's value and slope stay moderate at its points (exp(exp(x)) may not)."""
    _, fn = _expression(spec)
    try:
        with warnings.catch_warnings():         # the engine warns about the overflow we reject
            warnings.simplefilter("ignore")
            return all(abs(v) < 1e6 and abs(d) < 1e6 for v, (d,) in (_reverse(fn, x) for x in spec["xs"]))
    except (ArithmeticError, ValueError):
        return False


def _observe_dual(make):
    """{"value", "tangent"} of what ``make()`` returned, or what went wrong, as plain data."""
    try:
        y = make()
        if not hasattr(y, "value") or not hasattr(y, "tangent"):
            return {"not a dual": shown(y)}
        return {"value": observed(y.value), "tangent": observed(y.tangent)}
    except (MemoryError, RecursionError, ExerciseFailed):
        raise
    except Exception as err:                # noqa: BLE001 - the student's operators raised
        return {"raised": type(err).__name__, "message": str(err)[:200]}


@EX1.probe
def _dual_probe(cases, Dual):
    """Each expression at each x on Dual(x, 1); each one-op probe with a seeded, then b seeded."""
    if not isinstance(Dual, type):
        fail(EX1.id, f"pass your class itself (Dual), got {type(Dual).__name__}")
    if Dual is forward.Dual:
        fail(EX1.id, "Dual is the library's own tinygrad_edu.Dual", "write your own Dual class")
    exprs = []
    for spec in cases["exprs"]:
        _, fn = _expression(spec)
        row = []
        for x in spec["xs"]:
            d = call_student(EX1.id, Dual, x, 1.0, what="Dual")
            row.append(_observe_dual(lambda: fn(d)))
        exprs.append(row)
    a, b = cases["a"], cases["b"]
    ops = {}
    for name, op in DUAL_OPS:
        ops[name] = []
        for ta, tb in ((1.0, 0.0), (0.0, 1.0)):
            da = call_student(EX1.id, Dual, a, ta, what="Dual")
            db = call_student(EX1.id, Dual, b, tb, what="Dual")
            ops[name].append(_observe_dual(lambda: op(da, db)))
    return {"exprs": exprs, "ops": ops}


def _reverse(fn, *args):
    """(value, [d/d each arg]) of fn at args by reverse mode on engine Values."""
    xs = [Value(float(a)) for a in args]
    out = fn(*xs)
    grads = gradients(out, xs)
    return out.data, [float(grads[x]) for x in xs]


#: op name → [(slip, fn(a, b) -> (d/da, d/db) the slip gives)]
_DUAL_SLIPS = {
    "a * b": [("product rule: (a·b)′ = a′·b + a·b′, not a′·b′", lambda a, b: (0.0, 0.0)),
              ("product rule: (a·b)′ = a′·b + a·b′ has two terms", lambda a, b: (b, 0.0)),
              ("product rule: (a·b)′ = a′·b + a·b′ has two terms", lambda a, b: (0.0, a)),
              ("product rule: each tangent is multiplied by the *other* value, (a·b)′ = a′·b + a·b′",
               lambda a, b: (a, b))],
    "a / b": [("quotient rule sign: (a/b)′ = (a′·b − a·b′)/b²", lambda a, b: (1 / b, a / b ** 2)),
              ("quotient rule: divide by b², (a/b)′ = (a′·b − a·b′)/b²", lambda a, b: (1.0, -a)),
              ("quotient rule: divide by b², (a/b)′ = (a′·b − a·b′)/b²", lambda a, b: (1 / b, -a / b))],
    "a - b": [("sign slip: (a − b)′ = a′ − b′", lambda a, b: (1.0, 1.0))],
    "a.sin()": [("sin′ = cos: the tangent of sin(a) is cos(a)·a′ (you used sin)", lambda a, b: (math.sin(a), 0.0)),
                ("sign slip: sin′ = +cos", lambda a, b: (-math.cos(a), 0.0))],
    "a.cos()": [("sign slip: cos′ = −sin", lambda a, b: (math.sin(a), 0.0)),
                ("cos′ = −sin: the tangent of cos(a) is −sin(a)·a′", lambda a, b: (-math.cos(a), 0.0))],
    "a.exp()": [("exp′ = exp: the tangent of exp(a) is exp(a)·a′", lambda a, b: (1.0, 0.0))],
    "-a": [("__neg__ must negate the tangent too", lambda a, b: (1.0, 0.0))],
    "2 - a": [("__rsub__(self, other) is other − self: its tangent is −a′", lambda a, b: (1.0, 0.0))],
    "2 / a": [("__rtruediv__: (2/a)′ = −2·a′/a² (sign slip)", lambda a, b: (2 / a ** 2, 0.0)),
              ("__rtruediv__(self, other) is other / self: (2/a)′ = −2·a′/a²", lambda a, b: (0.5, 0.0))],
    "2 * a": [("a number times a Dual scales the tangent too: (2a)′ = 2a′", lambda a, b: (1.0, 0.0))],
    "a * 3": [("a Dual times a number scales the tangent too: (3a)′ = 3a′", lambda a, b: (1.0, 0.0))],
    "a / 3": [("a Dual divided by a number divides the tangent too: (a/3)′ = a′/3", lambda a, b: (1.0, 0.0))],
}

_VALUE_SLIPS = {"2 - a": ("__rsub__(self, other) computes other - self (you computed self - other)",
                          lambda a, b: a - 2),
                "2 / a": ("__rtruediv__(self, other) computes other / self (you computed self / other)",
                          lambda a, b: a / 2)}


def _op_problem(name, op, a, b, seen):
    """(kind, message, hint) for the first wrong one-op probe, or None; kind is what went wrong."""
    value, (da, db) = _reverse(op, a, b)
    for k, (got, want) in enumerate(zip(seen, (da, db))):
        which = "d/da" if k == 0 else "d/db"
        if "raised" in got:
            method = _METHOD[name]
            hint = f"define {method}" + (" (a plain number on the left needs the reflected method)"
                                         if name.startswith("2") else "")
            return "raised", f"{name} raised {got['raised']}: {got['message']}", hint
        if "not a dual" in got:
            return ("not a dual", f"{name} returned {got['not a dual']}, not a Dual",
                    f"{_METHOD[name]} must return a Dual (value and tangent)")
        v = number(EX1.id, got["value"], f"({name}).value")
        if not close(v, value, 1e-9, 1e-12):
            hint = "the value part is ordinary arithmetic on .value"
            slip = _VALUE_SLIPS.get(name)
            if slip and close(v, slip[1](a, b), 1e-9, 1e-12):
                hint = slip[0]
            return "value", f"the value of {name} at a={fmt(a)}, b={fmt(b)} is {fmt(v)}, expected {fmt(value)}", hint
        t = number(EX1.id, got["tangent"], f"({name}).tangent")
        if not close(t, want, 1e-9, 1e-12):
            hint = "apply the chain rule to this operation's tangent"
            for slip, rule in _DUAL_SLIPS.get(name, []):
                if close(t, rule(a, b)[k], 1e-9, 1e-12):
                    hint = slip
                    break
            return ("tangent", f"the tangent of {name} at a={fmt(a)}, b={fmt(b)} ({which}) is {fmt(t)}, "
                               f"expected {fmt(want)}",
                    f"the tangent of {name} is wrong ({which}: got {fmt(t)}, expected {fmt(want)}): {hint}")
    return None


def _op_hint(problems, kind, default):
    """The hint of the first one-op problem of this kind (else of any kind, else ``default``)."""
    for k, _, hint in problems:
        if k == kind:
            return hint
    return problems[0][2] if problems else default


@EX1.judge
def _dual_judge(cases, seen):
    """Each expression's value and tangent against reverse mode; a wrong one is traced to its operation."""
    ex = EX1.id
    a, b = cases["a"], cases["b"]
    ops = [p for p in (_op_problem(n, op, a, b, seen["ops"][n]) for n, op in DUAL_OPS) if p]
    for spec, row in zip(cases["exprs"], seen["exprs"]):
        name, fn = _expression(spec)
        for x, got in zip(spec["xs"], row):
            value, (slope,) = _reverse(fn, x)
            where = f"{name} at x={fmt(x)}"
            if "raised" in got:
                default = ("a number on the left (2 - x, 1 / x, 2 * x) needs __radd__, __rsub__, __rmul__, "
                           "__rtruediv__" if got["raised"] == "TypeError" else "")
                fail(ex, f"{where} raised {got['raised']}: {got['message']}", _op_hint(ops, "raised", default))
            if "not a dual" in got:
                fail(ex, f"{where} returned {got['not a dual']}, not a Dual with .value and .tangent",
                     _op_hint(ops, "not a dual", "every operation must return a Dual"))
            v = number(ex, got["value"], f"({name}).value")
            if not close(v, value, 1e-9, 1e-12):
                fail(ex, f"{where}: value {fmt(v)}, expected {fmt(value)}",
                     _op_hint(ops, "value", "the value part is ordinary arithmetic on .value "
                                            "(check the reflected operators)"))
            t = number(ex, got["tangent"], f"({name}).tangent")
            if not close(t, slope, 1e-9, 1e-12):
                fail(ex, f"{where}: tangent {fmt(t)}, reverse mode gives {fmt(slope)}",
                     _op_hint(ops, "tangent", "apply the chain rule to the tangent of each operation"))
    if ops:
        fail(ex, ops[0][1], ops[0][2])
    return f"Dual agrees with reverse mode on {len(cases['exprs'])} expressions and {len(DUAL_OPS)} operations"


def check_dual(Dual, cases=30) -> bool:
    """ex1: value and tangent of fixed and random expressions against reverse mode (engine gradients)."""
    return EX1.check(Dual, cases=cases)


# -- ex2 ------------------------------------------------------------------------
class SweepCounter:
    """Counts reverse sweeps (engine observer) while active: ``with SweepCounter() as c: ...``."""

    def __init__(self):
        self.reverse = 0
        self.forward = 0

    def on_node(self, node):
        pass

    def on_sweep(self, kind, multiplies):
        if kind == "reverse":
            self.reverse += 1
        else:
            self.forward += 1

    def __enter__(self):
        engine.add_observer(self)
        return self

    def __exit__(self, *exc):
        engine.remove_observer(self)


#: (n inputs, m outputs) of the Jacobian exercise: tall, wide and square-ish.
JACOBIAN_SHAPES = ((2, 3), (4, 1), (1, 4), (3, 2))

EX2 = Exercise("nb09_ex2", "forward and reverse Jacobians", ("jacobian_fwd", "jacobian_rev"), parts=2)


@EX2.cases
def _jacobian_cases(rng, points=2):
    """Per shape: m random programs of n inputs (F as plain data) and ``points`` random points."""
    cases = []
    for n, m in JACOBIAN_SHAPES:
        programs = [random_program(rng, n, 5, unary=("sin", "cos")) for _ in range(m)]
        for _ in range(points):
            cases.append({"n": n, "m": m, "programs": programs,
                          "x": [round(rng.uniform(-1.5, 1.5), 4) for _ in range(n)]})
    return cases


def _kind(v):
    if type(v) in (int, float):
        return "number"
    return type(v).__name__


def _plain_matrix(J):
    """A student's Jacobian as rows of observed numbers, or {"not a matrix": description}."""
    if not isinstance(J, (list, tuple)) or not all(isinstance(r, (list, tuple)) for r in J):
        return {"not a matrix": f"{type(J).__name__} {shown(J)}"}
    return [[observed(v) for v in list(row)[:20]] for row in list(J)[:20]]


def _run_jacobian(ex, jac, case, what):
    """What one Jacobian function did on one case: the matrix, F's calls (input kinds), reverse sweeps."""
    programs = case["programs"]
    calls = []

    def F(xs):
        xs = list(xs)
        calls.append(sorted({_kind(v) for v in xs}))
        return [run_program(p, xs) for p in programs]
    with SweepCounter() as counter:
        J = call_student(ex, jac, F, list(case["x"]), what=what)
    return {"J": _plain_matrix(J), "calls": calls[:100], "ncalls": len(calls), "reverse": counter.reverse}


@EX2.probe
def _jacobian_probe(cases, jacobian_fwd, jacobian_rev):
    fwd = observe_part(lambda: [_run_jacobian(EX2.id, jacobian_fwd, c, "jacobian_fwd") for c in cases])
    rev = observe_part(lambda: [_run_jacobian(EX2.id, jacobian_rev, c, "jacobian_rev") for c in cases])
    raise_if_every_part_failed(EX2.id, [fwd, rev])
    return {"fwd": fwd, "rev": rev}


def _engine_jacobian(programs, x):
    """The exact Jacobian by the engine (reverse mode, one sweep per output): the reference."""
    xs = [Value(v) for v in x]
    rows = []
    for p in programs:
        out = run_program(p, xs)
        if not isinstance(out, Value):
            rows.append([0.0] * len(x))
            continue
        g = gradients(out, xs)
        rows.append([float(g[v]) for v in xs])
    return rows


def _forward_difference(programs, x, h=1e-6):
    """The Jacobian by forward differences (n + 1 evaluations): what a finite-difference answer gives."""
    base = [float(run_program(p, x)) for p in programs]
    cols = []
    for j in range(len(x)):
        up = list(x); up[j] += h
        cols.append([(float(run_program(p, up)) - b) / h for p, b in zip(programs, base)])
    return [[cols[j][i] for j in range(len(x))] for i in range(len(programs))]


#: How close to the engine's Jacobian an automatic-differentiation answer is, relative to its row.
_EXACT = 2e-11


def _matrix_problem(ex, J, truth, name, n, m, programs, x):
    """(message, hint) when the matrix is not the exact Jacobian, or None."""
    if type(J) is dict:
        return f"{name} should return a list of rows, got {J['not a matrix']}", "return [[dF_i/dx_j ...] for each output i]"
    shape = (len(J), len(J[0]) if J else 0)
    if shape != (m, n) or any(len(r) != n for r in J):
        if shape == (n, m):
            return (f"{name} returned a {n}×{m} matrix for {n} inputs and {m} outputs",
                    "transposed: row i must be output i (m rows), column j input j (n columns)")
        return f"{name} returned shape {shape}, expected ({m}, {n})", "one row per output, one column per input"
    J = [[number(ex, v, f"{name} entry") for v in row] for row in J]
    # Exact: dual numbers and reverse mode differ only by rounding (measured: < 3e-13 of the row's
    # largest entry); finite differences miss by 1e-11 or more somewhere on every submission's cases.
    scale = [max(abs(v) for v in row) for row in truth]
    bad = [(i, j) for i in range(m) for j in range(n)
           if not abs(J[i][j] - truth[i][j]) <= _EXACT * scale[i] + 1e-15]
    if not bad:
        return None
    i, j = bad[0]
    message = (f"{name}: entry [{i}][{j}] (d output {i} / d input {j}) at x={[fmt(v) for v in x]} is "
               f"{J[i][j]:.12g}, the exact derivative is {truth[i][j]:.12g}")
    fd = _forward_difference(programs, x)
    if all(close(J[a][b], truth[a][b], 1e-3, 1e-5) for a in range(m) for b in range(n)) or \
            all(close(J[a][b], fd[a][b], 1e-6, 1e-8) for a in range(m) for b in range(n)):
        return message, ("close but not exact: that is finite differences, not automatic differentiation. "
                         + ("Call F once per input on Duals seeded with tangent 1 at input j"
                            if name == "jacobian_fwd" else "Call F once on Values, then one backward sweep per output"))
    sums = [sum(row) for row in truth]
    if n > 1 and all(close(J[a][b], sums[a], 1e-9, 1e-12) for a in range(m) for b in range(n)):
        return message, ("every column is the sum of all columns: you seeded every input at once. "
                         "For column j seed tangent 1 at input j and 0 at the others")
    if n == m and all(close(J[a][b], truth[b][a], 1e-9, 1e-12) for a in range(m) for b in range(n)):
        return message, "your matrix is transposed: row i must be output i"
    return message, "row i = output i, column j = input j: J[i][j] = d output i / d input j"


def _fwd_problem(case, got):
    """(message, hint) when jacobian_fwd did not run forward mode (matrices are judged first), or None."""
    n = case["n"]
    calls = [c for c in got["calls"] if isinstance(c, list)]
    if calls and all(c == ["number"] for c in calls):
        return (f"jacobian_fwd called F {got['ncalls']} time(s), always on plain numbers",
                "that is finite differences: forward mode calls F on Duals (input j with tangent 1)")
    if got["reverse"]:
        return (f"jacobian_fwd ran {got['reverse']} reverse sweep(s)",
                "forward mode pushes tangents (Duals) through F: no backward pass")
    if got["ncalls"] > n + 1:
        hint = f"one forward sweep (one call of F on Duals) per input: {n}"
        if got["ncalls"] == 2 * n:
            hint += f" ({2 * n} calls is what central finite differences make)"
        return f"jacobian_fwd called F {got['ncalls']} times for n={n} inputs", hint
    return None


def _rev_problem(case, got):
    """(message, hint) when jacobian_rev did not run one reverse sweep per output, or None."""
    m = case["m"]
    if got["reverse"] != m:
        hint = f"reverse mode needs one backward sweep per output: {m}"
        if got["reverse"] == 0:
            hint = "jacobian_rev must use reverse mode (backward / gradients), one sweep per output"
            calls = [c for c in got["calls"] if isinstance(c, list)]
            if calls and all(c == ["number"] for c in calls):
                hint = ("F was only called on plain numbers: that is finite differences. " + hint
                        + " (call F once on Values)")
        return f"jacobian_rev ran {got['reverse']} reverse sweep(s) for m={m} outputs", hint
    return None


def _first(problems):
    return next((p for p in problems if p), None)


@EX2.judge
def _jacobian_judge(cases, seen):
    """Two parts: jacobian_fwd and jacobian_rev, each exact on every case, then the right sweep counts."""
    ex = EX2.id
    truths = [_engine_jacobian(c["programs"], c["x"]) for c in cases]
    found = {}
    for part, name, behaviour in (("fwd", "jacobian_fwd", _fwd_problem), ("rev", "jacobian_rev", _rev_problem)):
        runs = seen[part]
        if type(runs) is dict:                      # the student's code failed (not written, raised)
            found[part] = str(runs.get("failed")), str(runs.get("hint", ""))
            continue
        found[part] = _first(
            _matrix_problem(ex, got["J"], truth, name, c["n"], c["m"], c["programs"], c["x"])
            for c, got, truth in zip(cases, runs, truths)) or \
            _first(behaviour(c, got) for c, got in zip(cases, runs))
    problems = [p for p in found.values() if p]
    if problems:
        fail(ex, *problems[0], earned=(2 - len(problems)) / 2)
    return "both Jacobians exact; forward used n sweeps, reverse m sweeps"


def check_jacobians(jacobian_fwd, jacobian_rev) -> bool:
    """ex2: both against the exact Jacobian on tall and wide F; forward = n calls on Duals, reverse = m sweeps."""
    return EX2.check(jacobian_fwd, jacobian_rev)


# -- ex3 ------------------------------------------------------------------------
#: (n inputs, m outputs) shapes of the prediction quiz.
MODE_SHAPES = ((100, 1), (1, 100), (3, 50), (50, 3), (20, 2))

EX3 = Exercise("nb09_ex3", "which mode is cheaper", ("mode_predictions",), parts=len(MODE_SHAPES))


@EX3.cases
def _mode_cases(rng, reveal=False):
    """The quiz's shapes (fixed: the notebook prints them) and whether a failure shows the answers."""
    return {"shapes": [list(s) for s in MODE_SHAPES], "reveal": bool(reveal)}


def _plain_answer(x):
    if x is None:
        return None
    try:
        return str(x)[:40]
    except Exception:                        # noqa: BLE001
        return "?"


@EX3.probe
def _mode_probe(case, predictions):
    """The prediction for each shape, as a string (None if missing); the dict's keys if none match."""
    if not isinstance(predictions, dict):
        fail(EX3.id, "mode_predictions should be a dict {(n, m): 'forward' or 'reverse'}")
    answers = [_plain_answer(predictions.get(tuple(s))) for s in case["shapes"]]
    if predictions and all(v is None for v in predictions.values()):       # the notebook's stub
        fail(EX3.id, "every prediction is still None", "replace each None by 'forward' or 'reverse'",
             kind="not-attempted")
    return {"answers": answers, "keys": [_plain_answer(k) for k in list(predictions)[:10]]}


@EX3.judge
def _mode_judge(case, seen):
    """Each shape on its own (partial credit); a wrong one is named with the reason, not the answer."""
    ex = EX3.id
    shapes = [tuple(s) for s in case["shapes"]]
    answers = seen["answers"]
    if all(a is None for a in answers):
        fail(ex, f"no prediction for any shape; your keys are {seen['keys']}",
             "use the tuples of MODE_SHAPES as keys, e.g. mode_predictions[(100, 1)] = 'forward' or 'reverse'"
             if seen["keys"] else "replace each None by 'forward' or 'reverse'")
    words = [None if a is None else a.strip().lower() for a in answers]
    right, wrong, notes = 0, [], []
    for (n, m), word in zip(shapes, words):
        best = "forward" if n < m else "reverse"
        if word is None:
            wrong.append(f"no prediction for (n, m) = ({n}, {m})")
        elif word not in ("forward", "reverse"):
            wrong.append(f"prediction for ({n}, {m}) is {word!r}; answer 'forward' or 'reverse'")
        elif word != best:
            wrong.append(f"({n} inputs, {m} outputs) is wrong"
                         + (f": {best} is cheaper" if case["reveal"] else ""))
        else:
            right += 1
    if not wrong:
        return "the cheaper mode is right for every shape"
    hint = "count the sweeps: forward mode needs one per input (n), reverse mode one per output (m)"
    given = [w for w in words if w in ("forward", "reverse")]
    if len(given) == len(shapes) and set(given) == {"reverse"}:
        hint = "backprop is not always cheaper: it wins when there are few outputs; " + hint
    elif len(given) == len(shapes) and set(given) == {"forward"}:
        hint = "forward mode is not always cheaper: it wins when there are few inputs; " + hint
    elif all(w != ("forward" if n < m else "reverse") for (n, m), w in zip(shapes, words) if w in given) \
            and len(given) == len(shapes):
        hint = ("every answer is the opposite: you swapped the costs. Forward mode needs one sweep per "
                "*input*, reverse mode one per *output*")
    if not case["reveal"]:
        hint += "; after trying, check_mode_prediction(mode_predictions, reveal=True) shows the answers"
    notes = "\n    ".join(wrong)
    fail(ex, f"{len(wrong)} prediction(s) wrong:\n    {notes}", hint, earned=right / len(shapes))


# The notebook's optional part: sweeps the student measured (not graded: the class grader only
# takes mode_predictions).  Same three steps, so the notebook path is the grader's path.
_MEASURED = Exercise("nb09_ex3", "measured sweeps", ("measured",))


@_MEASURED.cases
def _measured_cases(rng):
    return [list(s) for s in MODE_SHAPES]


@_MEASURED.probe
def _measured_probe(shapes, measured):
    if not isinstance(measured, dict):
        fail(EX3.id, "measured should be a dict {(n, m): (forward sweeps, reverse sweeps)}")
    seen = []
    for s in shapes:
        got = measured.get(tuple(s))
        try:
            seen.append(None if got is None else [observed(v) for v in list(got)[:3]])
        except Exception:                    # noqa: BLE001 - not a sequence of numbers
            seen.append({"not a pair": shown(got)})
    return seen


@_MEASURED.judge
def _measured_judge(shapes, seen):
    for (n, m), got in zip(shapes, seen):
        if got is None or type(got) is dict or len(got) != 2:
            fail(EX3.id, f"measured[({n}, {m})] should be (forward sweeps, reverse sweeps)")
        counts = tuple(number(EX3.id, v, f"measured[({n}, {m})]") for v in got)
        if counts != (n, m):
            hint = "a full Jacobian costs one forward sweep per input or one reverse sweep per output"
            if counts == (m, n):
                hint = "swapped: forward sweeps come first, and forward mode needs one per *input*"
            fail(EX3.id, f"measured sweeps for ({n}, {m}): ({fmt(counts[0])}, {fmt(counts[1])}), "
                         f"expected ({n}, {m})", hint)
    return "and the measured counts match"


def check_mode_prediction(predictions, measured=None, reveal=False) -> bool:
    """ex3: cheaper mode per shape (n forward sweeps vs m reverse sweeps), and measured counts.

    ``reveal=True`` (after trying) shows the right mode of each wrong shape.
    """
    cases = EX3.make_cases(reveal=reveal)
    message = EX3.verdict(cases, EX3.observe(cases, predictions))
    if measured is not None:
        cases = _MEASURED.make_cases()
        message += " " + _MEASURED.verdict(cases, _MEASURED.observe(cases, measured))
    return passed(EX3.id, message)


EXERCISES = (EX1, EX2, EX3)
