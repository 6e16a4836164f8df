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

from .. import engine
from ..engine import Value, gradients
from ._common import as_number, call_student, close, fail, fmt, passed, student_rng
from ._programs import random_function

__all__ = ["check_dual", "check_jacobians", "check_mode_prediction", "MODE_SHAPES", "SweepCounter"]


def check_dual(Dual, cases=30):
    """ex1: value and tangent of random expressions against reverse mode (engine gradients)."""
    ex = "nb09_ex1"
    rng = student_rng(ex)
    funcs = [("x² sin x", lambda x: x * x * x.sin()),
             ("2 - x", lambda x: 2 - x), ("1 / x", lambda x: 1 / x), ("x / 3", lambda x: x / 3),
             ("-x · eˣ", lambda x: -x * x.exp()), ("3 + 2x", lambda x: 3 + 2 * x)]
    for k in range(cases):
        g = random_function(rng, 1, n_ops=rng.randint(3, 7), unary=("sin", "cos", "exp"))
        funcs.append((f"random expression #{k + 1}", g))
    for name, f in funcs:
        for x in (2.0, -0.7, round(rng.uniform(0.2, 1.5), 3)):
            xv = Value(x)
            out = f(xv)
            value, slope = out.data, gradients(out, [xv])[xv]
            d = call_student(ex, Dual, x, 1.0, what="Dual")
            try:
                y = f(d)
            except TypeError as err:
                fail(ex, f"{name} at x={fmt(x)} raised TypeError: {err}",
                     "a number on the left (2 - x, 1 / x, 2 * x) needs __radd__, __rsub__, __rmul__, "
                     "__rtruediv__")
            except Exception as err:
                fail(ex, f"{name} at x={fmt(x)} raised {type(err).__name__}: {err}")
            if not hasattr(y, "value") or not hasattr(y, "tangent"):
                fail(ex, f"{name} returned {y!r}, not a Dual with .value and .tangent")
            if not close(y.value, value, 1e-9, 1e-12):
                fail(ex, f"{name} at x={fmt(x)}: value {fmt(y.value)}, expected {fmt(value)}",
                     "the value part is ordinary arithmetic on .value (check the reflected operators)")
            if not close(y.tangent, slope, 1e-9, 1e-12):
                fail(ex, f"{name} at x={fmt(x)}: tangent {fmt(y.tangent)}, reverse mode gives {fmt(slope)}",
                     _dual_hint(Dual, x))
    return passed(ex, f"Dual agrees with reverse mode on {len(funcs)} expressions")


def _dual_hint(Dual, x):
    """Find the first elementary operation whose tangent is wrong."""
    probes = [("a * b", lambda a, b: a * b), ("a / b", lambda a, b: a / b), ("a - b", lambda a, b: a - b),
              ("a + b", lambda a, b: a + b), ("a.sin()", lambda a, b: a.sin()),
              ("a.cos()", lambda a, b: a.cos()), ("a.exp()", lambda a, b: a.exp()),
              ("2 - a", lambda a, b: 2 - a), ("2 / a", lambda a, b: 2 / a), ("-a", lambda a, b: -a)]
    for name, op in probes:
        try:
            a, b = Dual(1.3, 1.0), Dual(0.6, 0.0)
            y = op(a, b)
            av, bv = Value(1.3), Value(0.6)
            ref = op(av, bv)
            want = gradients(ref, [av])[av]
            a2, b2 = Dual(1.3, 0.0), Dual(0.6, 1.0)
            y2 = op(a2, b2)
            want2 = gradients(ref, [bv])[bv]
        except Exception:
            continue
        if not close(y.tangent, want, 1e-9, 1e-12):
            return f"the tangent of {name} is wrong (d/da: got {fmt(y.tangent)}, expected {fmt(want)})"
        if not close(y2.tangent, want2, 1e-9, 1e-12):
            return f"the tangent of {name} is wrong (d/db: got {fmt(y2.tangent)}, expected {fmt(want2)})"
    return "apply the chain rule to the tangent of each operation"


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


def _make_F(rng, n, m):
    funcs = [random_function(rng, n, n_ops=5, unary=("sin", "cos")) for _ in range(m)]
    calls = {"count": 0}

    def F(xs):
        calls["count"] += 1
        return [f(*xs) for f in funcs]
    return F, calls


def _numeric_jacobian(F, x, h=1e-6):
    cols = []
    for j in range(len(x)):
        up = list(x); up[j] += h
        down = list(x); down[j] -= h
        cols.append([(a - b) / (2 * h) for a, b in zip(F(up), F(down))])
    return [[cols[j][i] for j in range(len(x))] for i in range(len(cols[0]))]


def _as_matrix(ex, J, m, n, name):
    if not isinstance(J, (list, tuple)) or not all(isinstance(r, (list, tuple)) for r in J):
        fail(ex, f"{name} should return a list of rows, got {type(J).__name__}")
    shape = (len(J), len(J[0]) if J else 0)
    if shape != (m, n):
        if shape == (n, m):
            fail(ex, f"{name} returned a {n}×{m} matrix for {n} inputs and {m} outputs",
                 "transposed: row i must be output i (m rows), column j input j (n columns)")
        fail(ex, f"{name} returned shape {shape}, expected ({m}, {n})")
    return [[as_number(ex, v, f"{name} entry") for v in row] for row in J]


def check_jacobians(jacobian_fwd, jacobian_rev):
    """ex2: both against a numeric Jacobian on tall and wide F; forward = n calls, reverse = m sweeps."""
    ex = "nb09_ex2"
    rng = student_rng(ex)
    for n, m in ((2, 3), (4, 1), (1, 4), (3, 2)):
        F, calls = _make_F(rng, n, m)
        x = [round(rng.uniform(-1, 1), 3) for _ in range(n)]
        truth = _numeric_jacobian(F, x)
        calls["count"] = 0
        with SweepCounter() as counter:
            J = call_student(ex, jacobian_fwd, F, list(x), what="jacobian_fwd")
        J = _as_matrix(ex, J, m, n, "jacobian_fwd")
        _compare(ex, J, truth, "jacobian_fwd", n, m)
        if counter.reverse:
            fail(ex, f"jacobian_fwd ran {counter.reverse} reverse sweep(s)",
                 "forward mode pushes tangents (Duals) through F: no backward pass")
        if calls["count"] > n + 1:
            fail(ex, f"jacobian_fwd called F {calls['count']} times for n={n} inputs",
                 f"one forward sweep (one call of F on Duals) per input: {n}")
        calls["count"] = 0
        with SweepCounter() as counter:
            J = call_student(ex, jacobian_rev, F, list(x), what="jacobian_rev")
        J = _as_matrix(ex, J, m, n, "jacobian_rev")
        _compare(ex, J, truth, "jacobian_rev", n, m)
        if counter.reverse != m:
            hint = f"reverse mode needs one backward sweep per output: {m}"
            if counter.reverse == 0:
                hint = "jacobian_rev must use reverse mode (backward / gradients), one sweep per output"
            fail(ex, f"jacobian_rev ran {counter.reverse} reverse sweep(s) for m={m} outputs", hint)
    return passed(ex, "both Jacobians right; forward used n sweeps, reverse m sweeps")


def _compare(ex, J, truth, name, n, m):
    for i in range(m):
        for j in range(n):
            if not close(J[i][j], truth[i][j], 1e-5, 1e-7):
                hint = "row i = output i, column j = input j"
                if n == m and all(close(J[a][b], truth[b][a], 1e-5, 1e-7) for a in range(m) for b in range(n)):
                    hint = "your matrix is transposed: row i must be output i"
                fail(ex, f"{name}: entry [{i}][{j}] (d output {i} / d input {j}) is {fmt(J[i][j])}, "
                         f"numeric {fmt(truth[i][j])}", hint)


# -- ex3 ------------------------------------------------------------------------
#: (n inputs, m outputs) shapes of the prediction quiz.
MODE_SHAPES = ((100, 1), (1, 100), (3, 50), (50, 3), (20, 2))


def check_mode_prediction(predictions, measured=None):
    """ex3: cheaper mode per shape (n forward sweeps vs m reverse sweeps), and measured counts."""
    ex = "nb09_ex3"
    if not isinstance(predictions, dict):
        fail(ex, "predictions should be a dict {(n, m): 'forward' or 'reverse'}")
    wrong = []
    for n, m in MODE_SHAPES:
        p = predictions.get((n, m))
        if p is None:
            fail(ex, f"no prediction for (n, m) = ({n}, {m})")
        p = str(p).strip().lower()
        best = "forward" if n < m else "reverse"
        if p not in ("forward", "reverse"):
            fail(ex, f"prediction for ({n}, {m}) is {p!r}; answer 'forward' or 'reverse'")
        if p != best:
            wrong.append(f"({n} inputs, {m} outputs): forward mode needs {n} sweep(s) (one per input), "
                         f"reverse mode {m} (one per output), so {best} is cheaper")
    if wrong:
        hint = ""
        if all(str(predictions[s]).lower() == "reverse" for s in MODE_SHAPES):
            hint = "backprop is not always cheaper: it wins when there are few outputs"
        fail(ex, f"{len(wrong)} prediction(s) wrong:\n    " + "\n    ".join(wrong), hint)
    if measured is not None:
        for n, m in MODE_SHAPES:
            got = measured.get((n, m))
            if got is None or len(got) != 2:
                fail(ex, f"measured[({n}, {m})] should be (forward sweeps, reverse sweeps)")
            if tuple(int(v) for v in got) != (n, m):
                fail(ex, f"measured sweeps for ({n}, {m}): {tuple(got)}, expected ({n}, {m})",
                     "a full Jacobian costs one forward sweep per input or one reverse sweep per output")
    return passed(ex, "the cheaper mode is right for every shape" + (" and the counts match" if measured else ""))
