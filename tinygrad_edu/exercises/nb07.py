"""Notebook 07 exercises: ``grad`` as a function transform.

ex1  ``grad(f, argnum=0)`` returning a function: wrap the arguments in
     Values, call f, require a scalar (Value) output -- otherwise raise a
     ``TypeError`` that names ``elementwise_grad`` or ``jacobian`` -- run
     backward and return d f / d args[argnum] as a plain float.
ex2  ``train_logistic(inputs, targets, steps=100, lr=0.01) -> weights``:
     gradient descent from zero weights on the summed loss
     -Σ log p(target) (see ``logistic_loss``).
ex3  ``tolerance``: a number such that ``grad(taylor_sine)(π)`` with that
     stopping tolerance is within 1e-6 of cos π = -1.
"""

import math
import random

from ..engine import Value, gradients, sin
from ..tour import taylor_sine
from ._common import (call_student, partial_difference, close, engine_gradient, fail, fmt, number,
                      observations, observed, value_of)
from ._exercise import Exercise
from ._programs import LOGISTIC_INPUTS, LOGISTIC_TARGETS, logistic_loss, random_function

__all__ = ["check_grad_impl", "check_logistic_regression", "check_taylor_tolerance", "taylor_sine",
           "logistic_loss", "LOGISTIC_INPUTS", "LOGISTIC_TARGETS", "EXERCISES"]


# -- ex1 ------------------------------------------------------------------------
# Functions that finite differences cannot get right to 1e-9, whatever their step or order:
# a large value (rounding costs eps·|f|/h) on top of fast wiggles (truncation grows with the
# wiggles' derivatives).  Autodiff agrees with the engine to the last few bits on them.
_STIFF = (
    ("1e4 + sin(100x)/100 + x³", 1, lambda x: 1e4 + sin(100 * x) / 100 + x * x * x),
    ("1e4 + sin(60(x - y))/60 + x·y", 2, lambda x, y: 1e4 + sin(60 * (x - y)) / 60 + x * y),
    ("1e4 + sin(40(x - y))/40 + x·sin(70z)/70 + y·z", 3,
     lambda x, y, z: 1e4 + sin(40 * (x - y)) / 40 + x * sin(70 * z) / 70 + y * z),
)
_UNARY = ("sin", "tanh", "cos")


def _function(case):
    """The test function a case describes (the probe and the judge build the same one)."""
    if "stiff" in case:
        return _STIFF[case["stiff"]][2]
    return random_function(random.Random(case["seed"]), case["n"], n_ops=6, unary=_UNARY)



def _describe(case):
    if "stiff" in case:
        return f"f = {_STIFF[case['stiff']][0]}"
    return f"random function (seed {case['seed']})"


EX1 = Exercise("nb07_ex1", "grad as a transform", ("grad",))


@EX1.cases
def _grad_cases(rng, count=20):
    """``count`` random functions of 1-3 arguments and the stiff ones, each at a random point."""
    cases = []
    for _ in range(count):
        n = rng.randint(1, 3)
        cases.append({"seed": rng.randrange(2 ** 31), "n": n,
                      "args": [round(rng.uniform(-1.5, 1.5), 3) for _ in range(n)]})
    for k, (_, n, _) in enumerate(_STIFF):
        cases.append({"stiff": k, "args": [round(rng.uniform(-0.8, 0.8), 3) for _ in range(n)]})
    return cases


def _is_library(obj):
    """True for tinygrad_edu's own functions (the transform, or a gradient function it made)."""
    module = getattr(obj, "__module__", None)
    return type(module) is str and module.startswith("tinygrad_edu.")


@EX1.probe
def _grad_probe(cases, grad):
    """Per case and argnum: the number returned, its type, and how often f ran for it."""
    import tinygrad_edu

    rows = []
    for case in cases:
        f = _function(case)
        row = []
        for i in range(len(case["args"])):
            calls = [0]

            def counted(*xs, _f=f):
                calls[0] += 1
                return _f(*xs)
            df = call_student(EX1.id, grad, counted, i, what="grad") if i else \
                call_student(EX1.id, grad, counted, what="grad")
            if not callable(df):
                fail(EX1.id, f"grad(f) should return a function, got {type(df).__name__}")
            made = _is_library(df)
            calls[0] = 0
            got = call_student(EX1.id, df, *case["args"], what="grad(f)")
            row.append({"value": observed(got), "type": type(got).__name__, "calls": calls[0],
                        "library": made})
        rows.append(row)
    try:
        out = grad(lambda x: [x, x * x])(1.0)
        nonscalar = {"returned": repr(out)[:60]}
    except (MemoryError, RecursionError):
        raise
    except Exception as err:                  # noqa: BLE001 - what the student's grad raised is the observation
        nonscalar = {"raised": type(err).__name__, "message": str(err)[:300]}
    return {"library": grad is tinygrad_edu.grad or _is_library(grad), "rows": rows, "nonscalar": nonscalar}


@EX1.judge
def _grad_judge(cases, seen):
    ex = EX1.id
    own = "write your own: wrap every argument in a Value, call f, run backward, return args[argnum]'s .grad"
    if seen["library"] or any(got["library"] for row in seen["rows"] for got in row):
        fail(ex, "your grad is tinygrad_edu's own grad (or hands back the function it makes)", own)
    for case, row in zip(cases, observations(ex, seen["rows"], len(cases))):
        f, args = _function(case), case["args"]
        exact = engine_gradient(f, args)
        for i, got in enumerate(observations(ex, row, len(args))):
            where = f"{_describe(case)} at {args}, argnum={i}"
            if got["type"] == "Value":
                fail(ex, "grad(f)(...) returned a Value; return the plain number (the .grad of the input)",
                     "return xs[argnum].grad, a float, after backward")
            if got["type"] in ("list", "tuple", "dict"):
                fail(ex, f"grad(f)(...) returned a {got['type']} at {where}",
                     "return one number: the derivative wrt args[argnum] only")
            value = number(ex, got["value"], "grad(f)(...)")
            if close(value, exact[i], 1e-11, 1e-12):
                continue
            fd = partial_difference(f, args, i, 1e-6)
            others = [j for j in range(len(args)) if j != i and close(value, exact[j], 1e-9, 1e-12)]
            hint = ("wrap every argument in a Value, call f once, backward, and return args[argnum]'s "
                    ".grad (not a finite difference)")
            if others:
                hint = f"that is the derivative wrt argument {others[0]}: use argnum"
            elif close(value, value_of(f, args), 1e-9, 1e-12):
                hint = "you returned f's value, not its derivative"
            elif close(value, fd, 1e-3, 1e-6):
                calls = f"called f {got['calls']} times and " if got["calls"] >= 2 else ""
                hint = (f"your grad {calls}agrees with a finite difference, not exactly with autodiff: "
                        "that is finite differences, not autodiff. Wrap the arguments in Values, call f "
                        "and run backward: autodiff is exact to rounding")
            fail(ex, f"{where}: got {value!r}, autodiff gives {exact[i]!r} (a central difference "
                     f"{fmt(fd)})", hint)
    nonscalar = seen["nonscalar"]
    if "returned" in nonscalar:
        fail(ex, f"grad(f) of a function returning a list returned {nonscalar['returned']} and raised nothing",
             "grad needs a scalar output: raise TypeError that suggests elementwise_grad or jacobian")
    if nonscalar["raised"] != "TypeError":
        fail(ex, f"non-scalar output raised {nonscalar['raised']}: {nonscalar['message']}",
             "check the output first and raise TypeError naming elementwise_grad / jacobian")
    if "elementwise_grad" not in nonscalar["message"] and "jacobian" not in nonscalar["message"]:
        fail(ex, f"non-scalar output: your TypeError says {nonscalar['message']!r}",
             "say what to use instead: elementwise_grad or jacobian")
    return (f"grad exact on {len(cases)} functions (every argnum, {len(_STIFF)} where finite differences "
            "fall short) and refuses non-scalar outputs")


def check_grad_impl(grad, cases=20, student_id=None) -> bool:
    """ex1: random and stiff functions of 1-3 arguments (every argnum) vs the engine; the error case."""
    return EX1.check(grad, student_id=student_id, count=cases)


# -- ex2 ------------------------------------------------------------------------
def _descend(steps, lr, mean=False, inputs=LOGISTIC_INPUTS, targets=LOGISTIC_TARGETS):
    """Reference gradient descent (engine gradients), returning the weights after each step."""
    weights = [0.0, 0.0, 0.0]
    history = [list(weights)]
    for _ in range(steps):
        ws = [Value(w) for w in weights]
        g = gradients(logistic_loss(ws, inputs, targets, mean=mean), ws)
        weights = [w - lr * g[v] for w, v in zip(weights, ws)]
        history.append(list(weights))
    return history


EX2 = Exercise("nb07_ex2", "logistic regression", ("train_logistic",))


@EX2.cases
def _logistic_cases(rng, steps=100, lr=0.01, extra=2):
    """The notebook's data (steps, lr), then ``extra`` random data sets with other steps and lr."""
    cases = [{"inputs": [list(r) for r in LOGISTIC_INPUTS], "targets": list(LOGISTIC_TARGETS),
              "steps": steps, "lr": lr}]
    for _ in range(extra):
        rows = rng.randint(4, 7)
        targets = [rng.random() < 0.5 for _ in range(rows)]
        targets[0], targets[1] = True, False             # both classes, always
        cases.append({"inputs": [[round(rng.uniform(-2.5, 2.5), 2) for _ in range(3)] for _ in range(rows)],
                      "targets": targets, "steps": rng.randint(20, 60),
                      "lr": rng.choice([0.005, 0.02, 0.03, 0.04])})
    return cases


@EX2.probe
def _logistic_probe(cases, train_logistic):
    seen = []
    for case in cases:
        got = call_student(EX2.id, train_logistic, [list(r) for r in case["inputs"]], list(case["targets"]),
                           case["steps"], case["lr"], what="train_logistic")
        try:
            weights = [observed(w) for w in got] if isinstance(got, (list, tuple)) else None
        except Exception:                      # noqa: BLE001 - a container that cannot be read
            weights = None
        if weights is not None and len(weights) == 3:
            seen.append(weights)
        else:
            try:
                shown = repr(got)[:60]
            except Exception:                  # noqa: BLE001
                shown = type(got).__name__
            seen.append({"not three weights": shown})
    return seen


def _diagnose_logistic(case, weights, loss, cases):
    """The hint for weights that are not the reference's."""
    inputs, targets, steps, lr = case["inputs"], case["targets"], case["steps"], case["lr"]

    def matches(ws):
        return all(close(a, b, 1e-7, 1e-10) for a, b in zip(weights, ws))
    if case is not cases[0] and matches(_descend(cases[0]["steps"], cases[0]["lr"])[-1]):
        return ("these are the weights for the notebook's data, but this call had other inputs: "
                "train on the inputs and targets you are given")
    if loss > logistic_loss([0.0, 0.0, 0.0], inputs, targets):
        return "the loss went up: subtract the gradient (weights -= lr * g)"
    history = _descend(max(steps, 100) + 2, lr, inputs=inputs, targets=targets)
    for k, ws in enumerate(history):
        if k != steps and matches(ws):
            extra = ": use the steps argument" if k == 100 else ""
            return f"your weights match {k} steps, not {steps}{extra}"
    if lr != 0.01 and matches(_descend(steps, 0.01, inputs=inputs, targets=targets)[-1]):
        return f"your weights match lr=0.01, not lr={lr}: use the lr argument"
    if matches(_descend(steps, lr, mean=True, inputs=inputs, targets=targets)[-1]):
        return "you descended on the mean loss; the exercise uses the sum over examples"
    return ("start from zero weights; each step: weights -= lr * gradient of the summed loss "
            "-Σ log p(t), with p = sigmoid(w·x)")


@EX2.judge
def _logistic_judge(cases, seen):
    ex = EX2.id
    for k, (case, got) in enumerate(zip(cases, observations(ex, seen, len(cases)))):
        if type(got) is dict:
            fail(ex, f"train_logistic should return the 3 weights, got {got['not three weights']}",
                 "return a list of three numbers, [w0, w1, w2], after the last step")
        weights = [number(ex, w, "a weight") for w in observations(ex, got, 3)]
        inputs, targets, steps = case["inputs"], case["targets"], case["steps"]
        expected = _descend(steps, case["lr"], inputs=inputs, targets=targets)[-1]
        if all(close(a, b, 1e-7, 1e-10) for a, b in zip(weights, expected)):
            continue
        loss = logistic_loss(weights, inputs, targets)
        where = "the notebook's data" if k == 0 else f"a data set of {len(inputs)} rows"
        fail(ex, f"{where}, steps={steps}, lr={case['lr']}: loss after {steps} steps is {loss:.6f}, expected "
                 f"{logistic_loss(expected, inputs, targets):.6f} (it starts at "
                 f"{logistic_loss([0.0, 0.0, 0.0], inputs, targets):.6f}); weights "
                 f"[{', '.join(fmt(w) for w in weights)}], expected [{', '.join(fmt(w) for w in expected)}]",
             _diagnose_logistic(case, weights, loss, cases))
    final = logistic_loss(_descend(cases[0]["steps"], cases[0]["lr"])[-1])
    return (f"loss {final:.6f} after {cases[0]['steps']} steps (start {start_loss():.6f}), "
            f"and right on {len(cases) - 1} other data sets")


def check_logistic_regression(train_logistic, steps=100, lr=0.01, student_id=None) -> bool:
    """ex2: the notebook's data (loss 1.067271 after 100 steps at lr 0.01) and random data sets."""
    return EX2.check(train_logistic, student_id=student_id, steps=steps, lr=lr)


def start_loss():
    return logistic_loss([0.0, 0.0, 0.0])


# -- ex3 ------------------------------------------------------------------------
# taylor_sine: the seed's program, from the tour (imported above, re-exported for the notebook)


EX3 = Exercise("nb07_ex3", "Taylor tolerance", ("taylor_tolerance",))


@EX3.cases
def _taylor_cases(rng):
    """The point is the exercise's: π (where cos π = -1)."""
    return {"x": math.pi}


@EX3.probe
def _taylor_probe(cases, tolerance):
    if tolerance is None:
        fail(EX3.id, "taylor_tolerance is still None", "replace None with a number", kind="not-attempted")
    return observed(tolerance)


@EX3.judge
def _taylor_judge(cases, seen):
    ex = EX3.id
    if type(seen) is dict:
        fail(ex, f"taylor_tolerance should be a number, got {seen.get('not a number')}",
             "write it without quotes: a float such as 0.5, not the string '0.5'")
    tol = number(ex, seen, "taylor_tolerance")
    if not tol > 0:
        fail(ex, f"tolerance={fmt(tol)}: the loop needs a positive tolerance to stop on",
             "a small positive number: the loop stops at the first term smaller than it")
    x = Value(cases["x"])
    try:
        y = taylor_sine(x, tol)
    except ValueError as err:
        fail(ex, str(err), "a tolerance so small the terms never get below it: make it larger")
    d = gradients(y, [x])[x]
    target = math.cos(cases["x"])
    if abs(d - target) > 1e-6:
        fail(ex, f"with tol={tol:g}, grad(taylor_sine)(π) = {d:.9f}, {abs(d - target):.1e} away from "
                 f"{fmt(target)}", "autodiff differentiates the program: a truncated series has a truncated "
                 "derivative. Make the tolerance smaller so more terms run")
    return f"tol={tol:g}: grad(taylor_sine)(π) = {d:.9f}"


def check_taylor_tolerance(tolerance) -> bool:
    """ex3: grad(taylor_sine)(π) with the student's tolerance is within 1e-6 of -1."""
    return EX3.check(tolerance)


EXERCISES = (EX1, EX2, EX3)
