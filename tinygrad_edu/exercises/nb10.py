"""Notebook 10 exercises: Hessian-vector products, Jacobians, containers.

ex1  ``hvp(f, x, v) -> list``: H(x)·v for f taking a list of Values and
     returning a Value; x and v are lists of floats.  Without forming H:
     at most 3 reverse sweeps whatever the size (e.g. the gradient of ∇f·v,
     with ``backward(create_graph=True)`` or ``gradients(..., create_graph=True)``).
ex2  for f(x) = x · Σx at (1, 2): ``egrad_value`` (what ``elementwise_grad``
     returns), ``jacobian_value`` (the 2×2 Jacobian, rows = outputs) and
     ``choice``, the letter of the right explanation in ``ELEMENTWISE_CHOICES``.
ex3  ``grad_nested(f, params)``: the gradient of a scalar f with respect to
     ``params``, a structure of tuples, lists and dicts holding floats,
     returned in the same structure (same container types, same keys).
"""

from ..engine import Value, gradients, sin
from ._common import as_number, call_student, close, fail, fmt, passed, student_rng
from .nb09 import SweepCounter

__all__ = ["check_hvp", "check_elementwise_vs_jacobian", "check_nested_grads", "ELEMENTWISE_CHOICES",
           "rosenbrock", "x_times_sum"]


def rosenbrock(xs):
    x, y = xs
    a, b = 1 - x, y - x * x        # products rather than ** 2: plain ops every engine mode has
    return a * a + 100 * (b * b)


def _quadratic(rng, n):
    A = [[round(rng.uniform(-2, 2), 2) for _ in range(n)] for _ in range(n)]
    b = [round(rng.uniform(-2, 2), 2) for _ in range(n)]

    def f(xs):
        total = Value(0.0, requires_grad=False)
        for i in range(n):
            total = total + b[i] * xs[i]
            for j in range(n):
                total = total + A[i][j] * xs[i] * xs[j]
        return total
    return f


def _grad_at(f, x):
    xs = [Value(v) for v in x]
    g = gradients(f(xs), xs)
    return [g[v] for v in xs]


def _fd_hvp(f, x, v, eps=1e-5):
    up = _grad_at(f, [a + eps * b for a, b in zip(x, v)])
    down = _grad_at(f, [a - eps * b for a, b in zip(x, v)])
    return [(p - q) / (2 * eps) for p, q in zip(up, down)]


def check_hvp(hvp):
    """ex1: against finite differences of the gradient on quadratics and Rosenbrock; ≤ 3 sweeps."""
    ex = "nb10_ex1"
    rng = student_rng(ex)
    cases = [("Rosenbrock at (1,1), v=(1,1)", rosenbrock, [1.0, 1.0], [1.0, 1.0]),
             ("Rosenbrock at (-1.2,1), v=(1,0)", rosenbrock, [-1.2, 1.0], [1.0, 0.0])]
    for k in range(6):
        n = rng.randint(2, 6)
        cases.append((f"random quadratic #{k + 1} (n={n})", _quadratic(rng, n),
                      [round(rng.uniform(-1, 1), 2) for _ in range(n)],
                      [round(rng.uniform(-1, 1), 2) for _ in range(n)]))
    for name, f, x, v in cases:
        with SweepCounter() as counter:
            got = call_student(ex, hvp, f, list(x), list(v), what="hvp")
        if not isinstance(got, (list, tuple)) or len(got) != len(x):
            fail(ex, f"{name}: hvp should return a list of {len(x)} numbers (H·v), got {got!r}")
        got = [as_number(ex, g, "an entry of H·v") for g in got]
        expected = _fd_hvp(f, x, v)
        if not all(close(g, e, 1e-5, 1e-6) for g, e in zip(got, expected)):
            hint = "H·v is the gradient of the scalar ∇f(x)·v (differentiate the gradient, built with create_graph)"
            if all(close(g, e, 1e-6, 1e-9) for g, e in zip(got, _grad_at(f, x))):
                hint = "that is ∇f(x); H·v differentiates ∇f(x)·v once more"
            fail(ex, f"{name}: got {[fmt(g) for g in got]}, expected {[fmt(e) for e in expected]}", hint)
        if counter.reverse > 3 and len(x) > 3:
            fail(ex, f"{name}: hvp ran {counter.reverse} reverse sweeps for n={len(x)}",
                 "you formed the n×n Hessian (one sweep per row); an HVP needs 2 sweeps: "
                 "grad of (∇f · v)")
    return passed(ex, f"H·v right on {len(cases)} cases without forming H")


# -- ex2 ------------------------------------------------------------------------
ELEMENTWISE_CHOICES = {
    "a": "elementwise_grad always returns the diagonal of the Jacobian.",
    "b": "elementwise_grad is a VJP with a vector of ones: for each input it adds up the derivatives "
         "of all outputs (the Jacobian's column sums), which is the diagonal only when the Jacobian is "
         "diagonal.",
    "c": "elementwise_grad is a JVP with a vector of ones: it adds up each row of the Jacobian.",
    "d": "They differ only because of floating-point round-off.",
}
_RIGHT_CHOICE = "b"


def x_times_sum(xs):
    """f(x) = x · Σx (vector output: f_i = x_i · Σ_j x_j)."""
    s = sum(xs[1:], xs[0])
    return [x * s for x in xs]


def check_elementwise_vs_jacobian(egrad_value, jacobian_value, choice, point=(1.0, 2.0)):
    """ex2: the numbers for f(x) = x·Σx (non-diagonal Jacobian) and the multiple-choice explanation."""
    ex = "nb10_ex2"
    xs = [Value(p) for p in point]
    outs = x_times_sum(xs)
    J = []
    for out in outs:
        g = gradients(out, xs)
        J.append([g[x] for x in xs])
    n = len(point)
    egrad = [sum(J[i][j] for i in range(n)) for j in range(n)]
    if not isinstance(jacobian_value, (list, tuple)) or len(jacobian_value) != n:
        fail(ex, f"jacobian_value should be a {n}×{n} list of rows")
    for i in range(n):
        for j in range(n):
            got = as_number(ex, jacobian_value[i][j], "a Jacobian entry")
            if not close(got, J[i][j], 1e-6, 1e-9):
                hint = "row i = output i, column j = input j"
                if close(got, J[j][i], 1e-6, 1e-9):
                    hint += " (yours is transposed)"
                fail(ex, f"Jacobian entry [{i}][{j}] = d f_{i} / d x_{j} at {point}: got {fmt(got)}, "
                         f"expected {fmt(J[i][j])}", hint)
    if not isinstance(egrad_value, (list, tuple)) or len(egrad_value) != n:
        fail(ex, f"egrad_value should be a list of {n} numbers")
    got = [as_number(ex, g, "an elementwise_grad entry") for g in egrad_value]
    if not all(close(g, e, 1e-6, 1e-9) for g, e in zip(got, egrad)):
        hint = "elementwise_grad adds the derivatives of all outputs wrt each input (column sums)"
        if all(close(g, J[i][i], 1e-6, 1e-9) for i, g in enumerate(got)):
            hint = "that is the Jacobian's diagonal; elementwise_grad gives its column sums here"
        fail(ex, f"elementwise_grad at {point}: got {[fmt(g) for g in got]}, expected "
                 f"{[fmt(e) for e in egrad]}", hint)
    c = str(choice).strip().lower()
    if c not in ELEMENTWISE_CHOICES:
        fail(ex, f"choice {choice!r} is not one of {', '.join(ELEMENTWISE_CHOICES)}")
    if c != _RIGHT_CHOICE:
        why = {"a": f"here the diagonal is {[fmt(J[i][i]) for i in range(n)]} but elementwise_grad "
                    f"gives {[fmt(e) for e in egrad]}",
               "c": "a JVP sums over inputs (rows); elementwise_grad sums over outputs",
               "d": "the difference is exact, not round-off: the Jacobian is not diagonal"}[c]
        fail(ex, f"choice {c!r} is not right: {why}")
    return passed(ex, f"J = {J}, elementwise_grad = {egrad}: the column sums")


# -- ex3 ------------------------------------------------------------------------
def _flatten(tree):
    """Leaves of a tuple/list/dict structure, in a fixed order (dict keys sorted by repr)."""
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree, key=repr) for leaf in _flatten(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _flatten(item)]
    return [tree]


def _rebuild(tree, leaves):
    it = iter(leaves)

    def build(t):
        if isinstance(t, dict):
            return {k: build(t[k]) for k in sorted(t, key=repr)}
        if isinstance(t, (list, tuple)):
            return type(t)(build(item) for item in t)
        return next(it)
    return build(tree)


def _describe(tree):
    if isinstance(tree, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in tree.items()) + "}"
    if isinstance(tree, tuple):
        return "(" + ", ".join(_describe(v) for v in tree) + ("," if len(tree) == 1 else "") + ")"
    if isinstance(tree, list):
        return "[" + ", ".join(_describe(v) for v in tree) + "]"
    return "·"


def _same_structure(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(_same_structure(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same_structure(x, y) for x, y in zip(a, b))
    return not isinstance(b, (dict, list, tuple))


def _nested_cases(rng):
    cases = [("w²·b + sin c at (1.5, (2, 0))", lambda p: p[0] ** 2 * p[1][0] + sin(p[1][1]), (1.5, (2.0, 0.0))),
             ("w·x² at {'w': 3, 'x': 2}", lambda p: p["w"] * p["x"] ** 2, {"w": 3.0, "x": 2.0})]
    for k in range(6):
        tree = {"layer": [round(rng.uniform(-1, 1), 2) for _ in range(rng.randint(1, 3))],
                "bias": (round(rng.uniform(-1, 1), 2), {"scale": round(rng.uniform(0.5, 1.5), 2)})}
        weights = [round(rng.uniform(-2, 2), 2) for _ in range(8)]

        def f(p, weights=weights):
            leaves = _flatten(p)
            return sum((w * leaf * leaf.sin() for w, leaf in zip(weights, leaves)), Value(0.0)) \
                + leaves[0] * leaves[-1]
        cases.append((f"random nested dict #{k + 1}", f, tree))
    return cases


def check_nested_grads(grad_nested):
    """ex3: structure (container types, keys, lengths) and values vs central differences."""
    ex = "nb10_ex3"
    rng = student_rng(ex)
    for name, f, params in _nested_cases(rng):
        got = call_student(ex, grad_nested, f, params, what="grad_nested")
        if not _same_structure(params, got):
            fail(ex, f"{name}: the gradient has structure {_describe(got)}, expected {_describe(params)}",
                 "return the same containers as the input: tuples stay tuples, lists stay lists, "
                 "dicts keep their keys")
        leaves = _flatten(params)
        got_leaves = _flatten(got)
        for k in range(len(leaves)):
            def at(t, k=k):
                vals = list(leaves); vals[k] = t
                return f(_rebuild(params, [Value(v) for v in vals])).data
            h = 1e-6
            expected = (at(leaves[k] + h) - at(leaves[k] - h)) / (2 * h)
            g = as_number(ex, got_leaves[k], "a gradient entry")
            if not close(g, expected, 1e-5, 1e-7):
                fail(ex, f"{name}: gradient entry #{k} (input {fmt(leaves[k])}) is {fmt(g)}, central "
                         f"difference {fmt(expected)}", "each gradient sits where its input was")
    return passed(ex, "gradients have the right structure and values on nested tuples, lists and dicts")
