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

from ..engine import PRIMITIVES, Value, softplus as engine_softplus, topological_order
from ._common import as_number, call_student, close, fail, fmt, isfinite, passed, student_rng

__all__ = ["check_vjp_table", "check_softplus_primitive", "check_trace_order", "VJP_OPS", "trace_f"]

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


def _names(op):
    return ["x", "y"] if VJP_OPS[op][0] == 2 else ["x"]


def check_vjp_table(vjps, count=25):
    """ex1: the dot-product test <u, J v> = <VJP(u), v> with J v from central differences."""
    ex = "nb08_ex1"
    if not isinstance(vjps, dict):
        fail(ex, f"vjps should be a dict {{op name: vjp function}}, got {type(vjps).__name__}")
    rng = student_rng(ex)
    for op, (arity, (lo, hi)) in VJP_OPS.items():
        if op not in vjps:
            fail(ex, f"no VJP for {op!r}", f"add vjps[{op!r}] = lambda g, ans, *inputs: (...)")
        for _ in range(count):
            inputs = [rng.uniform(lo, hi) for _ in range(arity)]
            if op == "relu" and abs(inputs[0]) < 1e-3:
                continue                      # keep away from the kink
            ans = _forward(op, inputs)
            u = rng.uniform(-2, 2)
            got = call_student(ex, vjps[op], u, ans, *inputs, what=f"vjps[{op!r}]")
            if not isinstance(got, (tuple, list)) or len(got) != arity:
                fail(ex, f"vjps[{op!r}] should return a tuple of {arity} cotangent(s) "
                         f"(one per input), got {got!r}")
            local = PRIMITIVES[op](ans, *inputs)
            for i in range(arity):
                v = rng.uniform(-2, 2)
                h = 1e-6
                up = list(inputs); up[i] += h * v
                down = list(inputs); down[i] -= h * v
                jv = (_forward(op, up) - _forward(op, down)) / (2 * h)
                lhs = u * jv                       # <u, J v>
                rhs = as_number(ex, got[i], f"{op} cotangent {i}") * v   # <VJP(u), v>
                if not close(rhs, lhs, 1e-5, 1e-7):
                    where = ", ".join(f"{n}={fmt(a)}" for n, a in zip(_names(op), inputs))
                    expected = u * local[i]
                    hint = f"the cotangent for {_names(op)[i]} is g · ∂{op}/∂{_names(op)[i]}"
                    if arity == 2 and close(got[i], u * local[1 - i], 1e-6, 1e-9) and \
                            not close(local[0], local[1], 1e-6, 1e-9):
                        hint = "that is g times the other input's partial: partials swapped"
                    elif close(got[i], local[i], 1e-6, 1e-9) and not close(u, 1.0, 1e-9, 1e-12):
                        hint = "multiply by the incoming cotangent g"
                    elif op in ("tanh", "sigmoid", "exp") and close(got[i], u * PRIMITIVES[op](inputs[0], inputs[0])[0], 1e-6, 1e-9):
                        hint = f"{op}: you used the input x where the output ans belongs"
                    fail(ex, f"{op}: cotangent for input {i} ({_names(op)[i]}) wrong at {where}, g={fmt(u)}: "
                             f"got {fmt(got[i])}, expected {fmt(expected)} (dot-product test: "
                             f"<u,Jv>={fmt(lhs)}, <VJP(u),v>={fmt(rhs)})", hint)
    return passed(ex, f"all {len(VJP_OPS)} VJPs pass the dot-product test")


def check_softplus_primitive(softplus, softplus_vjp):
    """ex2: finite, correct value and VJP at x in {-800, -1, 0, 1, 800} and random x."""
    ex = "nb08_ex2"
    rng = student_rng(ex)
    xs = [-800.0, -1.0, 0.0, 1.0, 800.0] + [rng.uniform(-30, 30) for _ in range(20)]
    for x in xs:
        expected = engine_softplus(x)
        try:
            got = softplus(x)
        except OverflowError as err:
            fail(ex, f"softplus({fmt(x)}) raised OverflowError ({err})",
                 "exp(800) overflows: compute max(x, 0) + log1p(exp(-|x|)) instead of log(1 + exp(x))")
        except Exception:      # the standard message ("not written yet", "raised ...")
            call_student(ex, softplus, x, what="softplus")
        got = as_number(ex, got, "softplus(x)")
        if not isfinite(got):
            fail(ex, f"softplus({fmt(x)}) = {fmt(got)}",
                 "log(1 + exp(x)) overflows for big x: use max(x, 0) + log1p(exp(-|x|))")
        if not close(got, expected, 1e-9, 1e-300):
            hint = "softplus(x) = log(1 + eˣ)"
            if x < -30 and got == 0.0:
                hint = "for very negative x, log(1 + eˣ) ≈ eˣ is tiny but not 0: use log1p(exp(x))"
            fail(ex, f"softplus({fmt(x)}): got {fmt(got)}, expected {fmt(expected)}", hint)
        g = rng.uniform(0.5, 2)
        deriv = PRIMITIVES["softplus"](expected, x)[0]
        try:
            gv = softplus_vjp(g, expected, x)
        except OverflowError as err:
            fail(ex, f"softplus_vjp at x={fmt(x)} raised OverflowError ({err})",
                 "eˣ/(1+eˣ) overflows: use the stable sigmoid (or 1/(1+e⁻ˣ) for x >= 0)")
        except Exception:
            call_student(ex, softplus_vjp, g, expected, x, what="softplus_vjp")
        gv = as_number(ex, gv, "softplus_vjp")
        if not isfinite(gv):
            fail(ex, f"softplus_vjp at x={fmt(x)} = {fmt(gv)}",
                 "inf/inf is NaN: compute the derivative σ(x) without overflowing exponentials")
        if not close(gv, g * deriv, 1e-9, 1e-300):
            hint = "the VJP is g · softplus'(x)"
            if close(gv, deriv, 1e-9, 1e-300):
                hint = "multiply by the incoming cotangent g"
            fail(ex, f"softplus_vjp at x={fmt(x)}, g={fmt(g)}: got {fmt(gv)}, expected {fmt(g * deriv)}", hint)
    return passed(ex, "softplus and its VJP are finite and right from -800 to 800")


# -- ex3 ------------------------------------------------------------------------
_ALIASES = {"add": "+", "mul": "*", "multiply": "*", "sub": "-", "subtract": "-", "div": "/",
            "divide": "/", "truediv": "/", "pow": "**", "power": "**", "negative": "neg"}


def trace_f(x):
    """The traced function of exercise 3: f(x) = sin(x·x) + x."""
    return (x * x).sin() + x


def check_trace_order(predicted, f=trace_f, x=1.5):
    """ex3: the predicted op names against the engine's recorded graph, in execution order."""
    ex = "nb08_ex3"
    root = f(Value(x))
    actual = [n.op for n in topological_order(root) if not n.is_leaf]
    if not isinstance(predicted, (list, tuple)):
        fail(ex, f"predicted should be a list of op names like ['*', ...], got {type(predicted).__name__}")
    names = [_ALIASES.get(str(p).strip().lower(), str(p).strip()) for p in predicted]
    if names != actual:
        hint = "list the primitives in the order Python evaluates them (inner first)"
        if names == actual[::-1]:
            hint = "that is the backward order; the trace records the forward order (inner ops first)"
        elif sorted(names) == sorted(actual):
            hint = "right ops, wrong order: the innermost operation runs first"
        elif len(names) != len(actual):
            hint = f"the trace has {len(actual)} primitive ops"
        fail(ex, f"you predicted {names}, the trace is {actual}", hint)
    return passed(ex, f"trace order {actual}")
