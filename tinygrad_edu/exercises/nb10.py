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

Every test function is built from a plain-data spec (a kind and its coefficients),
the same way in the probe (the student's process) and in the judge (the grader's).
"""

import math

from ..engine import Value, gradients, sin
from ..forward import count_ops
from ._common import call_student, close, fail, fmt, number, observed
from ._exercise import Exercise

__all__ = ["check_hvp", "check_elementwise_vs_jacobian", "check_nested_grads", "ELEMENTWISE_CHOICES",
           "rosenbrock", "x_times_sum", "EXERCISES"]


def rosenbrock(xs):
    x, y = xs
    a, b = 1 - x, y - x * x        # products rather than ** 2: plain ops every engine mode has
    return a * a + 100 * (b * b)



def _one_per_case(ex, cases, seen, keys=()):
    """The probe's report, checked to hold one observation (a dict with ``keys``) per case.

    A report that does not fit (a probe patched by the submission) gets no marks: ``zip``
    alone would silently judge fewer cases than were asked.
    """
    if type(seen) is not list or len(seen) != len(cases) or \
            any(type(obs) is not dict or any(k not in obs for k in keys) for obs in seen):
        fail(ex, "the probe's report does not match the cases (was the checker patched?)")
    return zip(cases, seen)


def _is_library(answer, name):
    """True when the answer is tinygrad_edu's own ``name`` (not the student's)."""
    from .. import transforms
    return answer is getattr(transforms, name, None)


def _vec(values):
    """[1.5, -2] for a message (numbers as a student writes them, no quotes)."""
    return "[" + ", ".join(v if isinstance(v, str) else fmt(v) for v in values) + "]"


def _digits(values, reference):
    """Numbers for a message, with enough digits to show how they differ from the reference."""
    digits = 6
    def alike(g, e):
        return f"{g:.{digits}g}" == f"{e:.{digits}g}" and g != e
    while digits < 17 and any(alike(g, e) for g, e in zip(values, reference)):
        digits += 3
    return [f"{g:.{digits}g}" for g in values], [f"{e:.{digits}g}" for e in reference]


# -- ex1 ------------------------------------------------------------------------
# The test functions of ex1, by kind; each takes a list of Values and the spec's coefficients.
def _chain_rosenbrock(xs, spec):
    return sum((rosenbrock((xs[i], xs[i + 1])) for i in range(len(xs) - 1)), Value(0.0, requires_grad=False))


def _quadratic(xs, spec):
    """x·Ax + b·x (A not symmetric: H = A + Aᵀ)."""
    A, b = spec["A"], spec["b"]
    total = Value(0.0, requires_grad=False)
    for i, xi in enumerate(xs):
        total = total + b[i] * xi
        for j, xj in enumerate(xs):
            total = total + A[i][j] * xi * xj
    return total


def _wavy(xs, spec):
    """Σ c_i sin(k_i x_i x_{i+1} + p_i) + d_i exp(e_i x_i): large higher derivatives, mixed partials.

    Large higher derivatives keep a finite-difference H·v, whatever its step, more than 1e-11
    (relative) away from the exact one on some case of every student (measured: ≥ 1.8e-11 with
    the best step; ~1e-9 with the usual 1e-5), while autodiff agrees to ~1e-15.
    """
    n = len(xs)
    total = Value(0.0, requires_grad=False)
    for i in range(n):
        total = total + spec["c"][i] * sin(spec["k"][i] * xs[i] * xs[(i + 1) % n] + spec["p"][i])
        total = total + spec["d"][i] * (spec["e"][i] * xs[i]).exp()
    return total


_HVP_FUNCTIONS = {"rosenbrock": lambda xs, spec: rosenbrock(xs), "chain": _chain_rosenbrock,
                  "quadratic": _quadratic, "wavy": _wavy}


def _hvp_function(spec):
    kind = _HVP_FUNCTIONS[spec["kind"]]
    return lambda xs: kind(xs, spec)


def _grad_at(f, x):
    xs = [Value(float(a)) for a in x]
    g = gradients(f(xs), xs)
    return [float(g[v]) for v in xs]


def _engine_hvp(f, x, v):
    """The engine's own second-order result: ∇(∇f·v), two reverse sweeps."""
    xs = [Value(float(a)) for a in x]
    g = gradients(f(xs), xs, create_graph=True)
    gv = sum((g[xi] * vi for xi, vi in zip(xs, v)), Value(0.0, requires_grad=False))
    h = gradients(gv, xs)
    return [float(getattr(h[xi], "data", h[xi])) for xi in xs]


def _hessian(f, x):
    xs = [Value(float(a)) for a in x]
    g = gradients(f(xs), xs, create_graph=True)
    rows = []
    for xi in xs:
        row = gradients(g[xi], xs) if isinstance(g[xi], Value) else {w: 0.0 for w in xs}
        rows.append([float(getattr(row[w], "data", row[w])) for w in xs])
    return rows


def _fd_hvp(f, x, v, eps=1e-5):
    """(∇f(x + εv) − ∇f(x − εv)) / 2ε: what a finite-difference hvp returns."""
    up = _grad_at(f, [a + eps * b for a, b in zip(x, v)])
    down = _grad_at(f, [a - eps * b for a, b in zip(x, v)])
    return [(p - q) / (2 * eps) for p, q in zip(up, down)]


def _point(rng, n, low=-1.2, high=1.2):
    return [round(rng.uniform(low, high), 3) for _ in range(n)]


def _direction(rng, n):
    """A random v with no zero entry (so v ≠ 1 and every column of H counts)."""
    return [round(rng.choice((-1, 1)) * rng.uniform(0.3, 1.5), 3) for _ in range(n)]


EX1 = Exercise("nb10_ex1", "Hessian-vector product", ("hvp",))
EXACT = 1e-12      # the relative agreement asked of H·v: autodiff reaches ~1e-15, finite differences ≥ 1e-10


@EX1.cases
def _hvp_cases(rng):
    """Rosenbrock at random points far from its minimum (∇f ≠ 0), a 6-d chain, quadratics, wavy sums."""
    cases = []
    while len(cases) < 2:
        x = [round(rng.uniform(-1.5, 1.5), 3), round(rng.uniform(-0.5, 2.0), 3)]
        if math.hypot(*_grad_at(rosenbrock, x)) > 5:        # far from the minimum (1, 1)
            cases.append({"name": "Rosenbrock", "f": {"kind": "rosenbrock"}, "x": x, "v": _direction(rng, 2)})
    cases.append({"name": "6-d Rosenbrock chain", "f": {"kind": "chain"}, "x": _point(rng, 6),
                  "v": _direction(rng, 6)})
    for n in (4, 5):
        spec = {"kind": "quadratic", "A": [_point(rng, n, -2, 2) for _ in range(n)], "b": _point(rng, n, -2, 2)}
        cases.append({"name": f"random quadratic (n={n})", "f": spec, "x": _point(rng, n), "v": _direction(rng, n)})
    for n in (3, 4, 5):
        spec = {"kind": "wavy", "c": _point(rng, n, 0.5, 2), "p": _point(rng, n, -1, 1), "k": _point(rng, n, 2, 3),
                "d": _point(rng, n, 0.2, 1), "e": _point(rng, n, 1.5, 2.5)}
        cases.append({"name": f"random sin/exp sum (n={n})", "f": spec, "x": _point(rng, n, -1.5, 1.5),
                      "v": _direction(rng, n)})
    return cases


@EX1.probe
def _hvp_probe(cases, hvp):
    """Per case: the entries of H·v as numbers (or what came back instead), reverse sweeps, calls of f."""
    if _is_library(hvp, "hvp"):
        fail(EX1.id, "hvp is tinygrad_edu's own hvp", "write your own hvp(f, x, v) from gradients(...)")
    seen = []
    for case in cases:
        spec_f = _hvp_function(case["f"])
        calls = [0]

        def f(xs, spec_f=spec_f, calls=calls):
            calls[0] += 1
            return spec_f(xs)
        with count_ops() as count:
            got = call_student(EX1.id, hvp, f, list(case["x"]), list(case["v"]), what="hvp")
        seen.append({"hv": _numbers(got), "reverse": count.sweeps["reverse"], "f_calls": calls[0]})
    return seen


def _numbers(got):
    """A student's list of numbers as plain data, or {"returned": description} when it is not a list."""
    try:
        if isinstance(got, (list, tuple)) or hasattr(got, "tolist"):
            return [observed(g) for g in list(got)[:100]]
    except Exception:                           # noqa: BLE001 - a sequence that fails to iterate
        pass
    return {"returned": f"{type(got).__name__} {repr(got)[:60]}"}


def _all_close(got, expected, rtol, scale):
    return all(abs(g - e) <= rtol * (s + abs(e)) for g, e, s in zip(got, expected, scale))


def _hvp_diagnosis(got, f, x, v, H, exact, scale, f_calls):
    """The hint that names the mistake behind a wrong H·v (or a generic next step)."""
    n = len(x)
    grad = _grad_at(f, x)
    loose = 1e-6

    def like(candidate):
        return _all_close(got, candidate, loose, scale)
    if all(g == 0 for g in got):
        return ("H·v came out 0: the gradient of a constant. Without create_graph=True the first sweep "
                "gives plain numbers, so ∇f·v does not depend on x; pass create_graph=True to the first "
                "gradients(...) / backward(...)")
    if like(grad):
        return ("that is ∇f(x): either you stopped after the first sweep, or the second one added nothing "
                "because ∇f was built without create_graph=True (plain numbers: a constant, whose derivative "
                "is 0). H·v is the gradient of the scalar ∇f(x)·v, with ∇f from backward(create_graph=True) "
                "or gradients(..., create_graph=True)")
    if like([a + b for a, b in zip(grad, exact)]):
        return ("that is ∇f(x) + H·v: x.grad still held ∇f from the first backward when the second one "
                "added H·v; reset the leaves' grads (x.grad = 0) between the sweeps, or use gradients(...)")
    if like([-e for e in exact]):
        return "a sign slip: you returned −H·v"
    if like([sum(row) for row in H]):
        return ("v ignored: that is H·(1, …, 1), the gradient of Σ∇f; differentiate ∇f·v, the dot "
                "product with v")
    if like([sum(row[j] * x[j] for j in range(n)) for row in H]):
        return "that is H·x: dot the gradient with v, not with x"
    if like([sum(a * b for a, b in zip(grad, v))] * n):
        return "that is the number ∇f·v repeated: differentiate it once more (its gradient is H·v)"
    if _all_close(got, _fd_hvp(f, x, v), 1e-4, scale) or like(exact):
        return (f"finite differences: your H·v agrees with the exact one only to about 1e-8 (f was called "
                f"{f_calls} times); an hvp by autodiff agrees to ~1e-15. Build ∇f with create_graph=True "
                "and differentiate ∇f·v instead of differencing gradients")
    return ("H·v is the gradient of the scalar ∇f(x)·v: first gradients(out, xs, create_graph=True), "
            "then the dot product with v, then its gradient wrt xs")


@EX1.judge
def _hvp_judge(cases, seen):
    ex = EX1.id
    for case, obs in _one_per_case(ex, cases, seen, ("hv", "reverse", "f_calls")):
        f, x, v = _hvp_function(case["f"]), case["x"], case["v"]
        n = len(x)
        where = f"{case['name']} at x={_vec(x)}, v={_vec(v)}"
        if not isinstance(obs["hv"], list) or len(obs["hv"]) != n:
            shown = obs["hv"]["returned"] if isinstance(obs["hv"], dict) else f"a list of {len(obs['hv'])}"
            fail(ex, f"{where}: hvp should return a list of {n} numbers (H·v), got {shown}",
                 "return [ (H·v)_0, (H·v)_1, ... ]: one number per input")
        got = [number(ex, g, "an entry of H·v") for g in obs["hv"]]
        exact, H = _engine_hvp(f, x, v), _hessian(f, x)
        scale = [1 + sum(abs(row[j] * v[j]) for j in range(n)) for row in H]
        if not _all_close(got, exact, EXACT, scale):
            hint = _hvp_diagnosis(got, f, x, v, H, exact, scale, obs["f_calls"])
            shown, wanted = _digits(got, exact)
            fail(ex, f"{where}: got {_vec(shown)}, expected {_vec(wanted)}", hint)
        if n > 3 and number(ex, obs["reverse"], "the count of reverse sweeps") > 3:
            fail(ex, f"{where}: hvp ran {obs['reverse']} reverse sweeps for n={n}",
                 "you formed the n×n Hessian (one sweep per row); an HVP needs 2 sweeps whatever n: "
                 "the gradient of (∇f · v)")
    return f"H·v exact on {len(cases)} functions at random points, without forming H"


def check_hvp(hvp, student_id=None) -> bool:
    """ex1: against the engine's exact H·v (autodiff, to ~1e-11) at random points; ≤ 3 sweeps."""
    return EX1.check(hvp, student_id=student_id)


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
_WRONG_CHOICE_WHY = {
    "a": "the Jacobian of x·Σx is not diagonal, and elementwise_grad does not return its diagonal here",
    "c": "a JVP with ones adds up each row (a sum over inputs); elementwise_grad adds up over outputs",
    "d": "the difference is exact, not round-off: it comes from the Jacobian's off-diagonal entries",
}


def x_times_sum(xs):
    """f(x) = x · Σx (vector output: f_i = x_i · Σ_j x_j)."""
    s = sum(xs[1:], xs[0])
    return [x * s for x in xs]


def _jacobian_x_times_sum(point):
    """Rows = outputs, by the engine (one reverse sweep per output)."""
    xs = [Value(float(p)) for p in point]
    rows = []
    for out in x_times_sum(xs):
        g = gradients(out, xs)
        rows.append([float(g[x]) for x in xs])
    return rows


EX2 = Exercise("nb10_ex2", "elementwise_grad vs jacobian", ("egrad_value", "jacobian_value", "elementwise_choice"),
               parts=3)


@EX2.cases
def _elementwise_cases(rng, point=(1.0, 2.0), reveal=False):
    """The notebook's point (the answers are worked out by hand there); ``reveal`` shows the true values."""
    return {"point": [float(p) for p in point], "reveal": bool(reveal)}


def _matrix(value):
    """Rows of numbers as plain data, or {"returned": description}."""
    if isinstance(value, (list, tuple)) and all(isinstance(row, (list, tuple)) for row in value):
        return [[observed(x) for x in row[:20]] for row in value[:20]]
    return {"returned": f"{type(value).__name__} {repr(value)[:60]}"}


@EX2.probe
def _elementwise_probe(case, egrad_value, jacobian_value, choice):
    """The three answers as plain data (numbers, rows of numbers, the letter)."""
    if egrad_value is None and jacobian_value is None and choice is None:
        fail(EX2.id, "no answers yet (all three are None)", "fill in egrad_value, jacobian_value "
             "and elementwise_choice", kind="not-attempted")
    return {"egrad": _numbers(egrad_value), "jacobian": _matrix(jacobian_value),
            "choice": choice if isinstance(choice, str) else {"returned": f"{type(choice).__name__} {choice!r:.40}"}}


def _shown(plain):
    """What a probe saw, for a message: a number's value or the description of something else."""
    return plain.get("not a number", plain) if isinstance(plain, dict) else repr(plain)[:60]


def _jacobian_part(ex, seen, J, point):
    """None when right, else (message, hint) naming the mistake without the true values."""
    n = len(J)
    if not isinstance(seen, list) or len(seen) != n or any(len(row) != n for row in seen):
        if isinstance(seen, dict):
            return f"jacobian_value should be a {n}×{n} list of rows, got {seen['returned']}", \
                "rows = outputs, columns = inputs"
        return (f"jacobian_value should be a {n}×{n} list of rows", "rows = outputs, columns = inputs")
    odd = [x for row in seen for x in row if type(x) not in (int, float)]
    if odd:
        return (f"jacobian_value entries should be numbers, got {_shown(odd[0])}",
                "rows of numbers: [[.., ..], [.., ..]]")
    got = seen
    wrong = [(i, j) for i in range(n) for j in range(n) if not close(got[i][j], J[i][j], 1e-6, 1e-9)]
    if not wrong:
        return None
    i, j = wrong[0]
    message = f"Jacobian entry [{i}][{j}] = ∂f_{i}/∂x_{j} at {tuple(point)} is wrong (got {fmt(got[i][j])})"
    s = sum(point)
    if all(close(got[a][b], J[b][a], 1e-6, 1e-9) for a in range(n) for b in range(n)):
        hint = "yours is transposed: row i = output i, column j = input j"
    elif all(close(got[a][b], 0.0, 0, 1e-12) for a, b in wrong if a != b) and \
            all(close(got[a][a], J[a][a], 1e-6, 1e-9) for a in range(n)):
        hint = "only the diagonal: f_i = x_i·Σx depends on every x_j through Σx, so no entry is 0"
    elif all(close(got[a][b], point[a], 1e-6, 1e-9) for a in range(n) for b in range(n)):
        hint = ("product rule: ∂(x_i·Σx)/∂x_i = Σx + x_i (the first factor's derivative times Σx, "
                "plus x_i times ∂Σx/∂x_i = 1); off the diagonal only the second term")
    elif all(close(got[a][a], s, 1e-6, 1e-9) for a in range(n)):
        hint = "product rule: on the diagonal ∂(x_i·Σx)/∂x_i = Σx + x_i, not Σx alone"
    else:
        hint = "f_i = x_i·Σ_j x_j: differentiate with the product rule; every x_j appears in Σx"
    return message, hint


def _egrad_part(ex, seen, J, their_J):
    n = len(J)
    if not isinstance(seen, list) or len(seen) != n:
        shown = seen["returned"] if isinstance(seen, dict) else f"a list of {len(seen)}"
        return f"egrad_value should be a list of {n} numbers, got {shown}", "one number per input"
    odd = [x for x in seen if type(x) not in (int, float)]
    if odd:
        return f"egrad_value entries should be numbers, got {_shown(odd[0])}", "a list of numbers: [.., ..]"
    got = seen

    def like(candidate):
        return all(close(g, e, 1e-6, 1e-9) for g, e in zip(got, candidate))
    columns = [sum(J[i][j] for i in range(n)) for j in range(n)]
    if like(columns):
        return None
    message = f"elementwise_grad at this point is wrong (got {_vec(got)})"
    if like([J[i][i] for i in range(n)]):
        hint = "that is the Jacobian's diagonal; elementwise_grad adds up each column (all outputs per input)"
    elif like([sum(row) for row in J]):
        hint = "those are the row sums J·1 (a JVP with ones); elementwise_grad is 1ᵀJ: the column sums"
    elif their_J and like([sum(their_J[i][j] for i in range(n)) for j in range(n)]):
        hint = "the column sums of your Jacobian, which is wrong: fix the Jacobian first"
    else:
        hint = "elementwise_grad adds, for each input, the derivatives of all outputs: the Jacobian's column sums"
    return message, hint


def _choice_part(seen):
    if not isinstance(seen, str):
        return f"elementwise_choice should be a letter, got {seen['returned']}", "one of 'a', 'b', 'c', 'd'"
    c = seen.strip().lower()
    if c not in ELEMENTWISE_CHOICES:
        return f"choice {seen!r:.20} is not one of {', '.join(ELEMENTWISE_CHOICES)}", "one of 'a', 'b', 'c', 'd'"
    if c != _RIGHT_CHOICE:
        return f"choice {c!r} is not right", _WRONG_CHOICE_WHY[c]
    return None


@EX2.judge
def _elementwise_judge(case, seen):
    """Three independent parts: the Jacobian, elementwise_grad, the explanation (1/3 each)."""
    ex, point = EX2.id, case["point"]
    if type(seen) is not dict or any(k not in seen for k in ("egrad", "jacobian", "choice")):
        fail(ex, "the probe's report does not match the cases (was the checker patched?)")
    J = _jacobian_x_times_sum(point)
    n = len(J)
    columns = [sum(J[i][j] for i in range(n)) for j in range(n)]
    their_J = None
    if isinstance(seen["jacobian"], list) and len(seen["jacobian"]) == n and \
            all(len(r) == n and all(type(x) in (int, float) for x in r) for r in seen["jacobian"]):
        their_J = seen["jacobian"]
    problems = [p for p in (_jacobian_part(ex, seen["jacobian"], J, point),
                            _egrad_part(ex, seen["egrad"], J, their_J),
                            _choice_part(seen["choice"])) if p is not None]
    if problems:
        right = 3 - len(problems)
        hint = "; ".join(h for _, h in problems)
        if case["reveal"]:
            hint += (f". The answers: J = {_vec([_vec(row) for row in J])}, elementwise_grad = "
                     f"{_vec(columns)}, choice {_RIGHT_CHOICE!r}")
        fail(ex, f"{right} of 3 parts right: " + "; ".join(m for m, _ in problems), hint, earned=right / 3)
    return f"J = {J}, elementwise_grad = {columns}: the column sums"


def check_elementwise_vs_jacobian(egrad_value, jacobian_value, choice, point=(1.0, 2.0), reveal=False) -> bool:
    """ex2: the numbers for f(x) = x·Σx (non-diagonal Jacobian) and the multiple-choice explanation.

    Three parts (1/3 each); the failure names what is wrong without the true values, unless
    you ask for them after trying: ``check_elementwise_vs_jacobian(..., reveal=True)``.
    """
    return EX2.check(egrad_value, jacobian_value, choice, point=point, reveal=reveal)


# -- ex3 ------------------------------------------------------------------------
# Containers as plain data.  JSON has no tuples, so each container is tagged:
# (1.0, [2.0]) -> {"tuple": [1.0, {"list": [2.0]}]};  {"w": 3.0} -> {"dict": [["w", 3.0]]}.
# A leaf is a number (or observed()'s {"not a number": ...}); a key that is not a str is
# {"key": repr}; anything else the student returns is described, never sent as an object.
_TAGS = {tuple: "tuple", list: "list"}
_MAX_ITEMS, _MAX_DEPTH = 200, 12


def encode_tree(tree, _depth=0):
    """A structure of tuples, lists, dicts and numbers as tagged plain data.

    >>> encode_tree({"w": (1.5, [2])})
    {'dict': [['w', {'tuple': [1.5, {'list': [2.0]}]}]]}
    """
    if _depth > _MAX_DEPTH:
        return {"too deep": _MAX_DEPTH}
    kind = type(tree)
    if kind in _TAGS or isinstance(tree, dict):
        if len(tree) > _MAX_ITEMS:
            return {"too long": f"{kind.__name__} of {len(tree)} items"}
        if isinstance(tree, dict):
            return {"dict": [[k if type(k) is str else {"key": repr(k)[:40]}, encode_tree(v, _depth + 1)]
                             for k, v in tree.items()]}
        return {_TAGS[kind]: [encode_tree(v, _depth + 1) for v in tree]}
    return observed(tree)


def decode_tree(data):
    """The inverse of ``encode_tree`` for the checker's own inputs (str keys, float leaves)."""
    if isinstance(data, dict):
        if "tuple" in data:
            return tuple(decode_tree(v) for v in data["tuple"])
        if "list" in data:
            return [decode_tree(v) for v in data["list"]]
        return {k: decode_tree(v) for k, v in data["dict"]}
    return float(data)


def _is_container(data):
    return isinstance(data, dict) and len(data) == 1 and next(iter(data)) in ("tuple", "list", "dict")


def describe_tree(data):
    """Encoded data drawn the way Python prints it, leaves as ·: {'w': (·, [·])}."""
    if not _is_container(data):
        if isinstance(data, dict) and "not a number" not in data:
            return f"<{next(iter(data.values()))}>"
        return "·" if not isinstance(data, dict) else f"<{data['not a number']}>"
    (tag, items), = data.items()
    if tag == "dict":
        keys = [k if isinstance(k, str) else k["key"] for k, _ in items]
        return "{" + ", ".join(f"{k!r}: {describe_tree(v)}" if isinstance(k, str) else f"{k}: {describe_tree(v)}"
                               for k, (_, v) in zip(keys, items)) + "}"
    inner = ", ".join(describe_tree(v) for v in items)
    return f"({inner},)" if tag == "tuple" and len(items) == 1 else ("(" + inner + ")" if tag == "tuple"
                                                                      else "[" + inner + "]")


def _same_structure(expected, got):
    """Same containers, same keys, same lengths (leaves may be anything)."""
    if not _is_container(expected):
        return not _is_container(got)
    if not _is_container(got) or next(iter(expected)) != next(iter(got)):
        return False
    (tag, want), = expected.items()
    have = got[tag]
    if tag == "dict":
        have_map = {k: v for k, v in have if isinstance(k, str)}
        return len(have_map) == len(have) == len(want) and \
            all(k in have_map and _same_structure(v, have_map[k]) for k, v in want)
    return len(want) == len(have) and all(_same_structure(a, b) for a, b in zip(want, have))


def _leaves(data, path="params"):
    """[(path, leaf)] of encoded data in a fixed order (dict keys sorted)."""
    if not _is_container(data):
        return [(path, data)]
    (tag, items), = data.items()
    if tag == "dict":
        return [leaf for k, v in sorted(items, key=lambda kv: str(kv[0])) for leaf in _leaves(v, f"{path}[{k!r}]")]
    return [leaf for i, v in enumerate(items) for leaf in _leaves(v, f"{path}[{i}]")]


def _flatten(tree):
    """Leaves of a tuple/list/dict structure, in a fixed order (dict keys sorted)."""
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree, key=str) for leaf in _flatten(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _flatten(item)]
    return [tree]


def _rebuild(tree, leaves):
    """``tree`` with its leaves replaced, in ``_flatten``'s order (dicts keep their key order)."""
    it = iter(leaves)

    def build(t):
        if isinstance(t, dict):
            built = {k: build(t[k]) for k in sorted(t, key=str)}
            return {k: built[k] for k in t}
        if isinstance(t, (list, tuple)):
            return type(t)(build(item) for item in t)
        return next(it)
    return build(tree)


# The functions of ex3, by kind: each takes the structure (holding Values) and the spec.
def _weighted(p, spec):
    """Σ_k w_k·leaf_k·sin(leaf_k) + leaf_i·leaf_j (i, j = the spec's pair); a weight None skips a leaf."""
    leaves = _flatten(p)
    i, j = spec["pair"]
    total = leaves[i] * leaves[j]
    for w, leaf in zip(spec["weights"], leaves):
        if w is not None:
            total = total + w * leaf * sin(leaf)
    return total


_NESTED_FUNCTIONS = {
    "w²·b + sin c": lambda p, spec: p[0] ** 2 * p[1][0] + sin(p[1][1]),
    "w·x²": lambda p, spec: p["w"] * p["x"] ** 2,
    "weighted": _weighted,
}


def _nested_function(spec):
    kind = _NESTED_FUNCTIONS[spec["kind"]]
    return lambda p: kind(p, spec)


def _nested_structures(rng):
    """Random structures: tuples, lists, dicts, nested; a 1-tuple; two equal inputs; an unused one."""
    r = lambda low=-1.5, high=1.5: round(rng.uniform(low, high), 2)   # noqa: E731
    twin = r(0.3, 1.2)
    return [
        ("(w, (b, c))", (r(), (r(), r())), {"kind": "w²·b + sin c"}),
        ("{'w', 'x'}", {"w": r(), "x": r()}, {"kind": "w·x²"}),
        ("a layer and a bias",
         {"layer": [r() for _ in range(rng.randint(2, 3))], "bias": (r(), {"scale": r(0.5, 1.5)})}, None),
        ("a list of a 1-tuple, a dict and a number", [(r(),), {"k": [r(), r()]}, r()], None),
        ("a tuple of a dict and nested lists", ({"a": r(), "b": (r(), r())}, [r(), [r()]]), None),
        ("two inputs with the same value", {"left": [twin, r()], "right": (r(), twin)}, None),
        ("an input f does not use", {"used": [r(), r()], "spare": r(), "z": r()}, "unused"),
    ]


EX3 = Exercise("nb10_ex3", "gradients of nested containers", ("grad_nested",))


@EX3.cases
def _nested_cases(rng):
    cases = []
    for name, params, spec in _nested_structures(rng):
        count = len(_flatten(params))
        if spec is None or spec == "unused":
            weights = [round(rng.choice((-1, 1)) * rng.uniform(0.5, 2), 2) for _ in range(count)]
            pair = [0, count - 1]
            if spec == "unused":       # the leaf under "spare" (sorted keys: spare, used, z)
                weights[0], pair = None, [1, count - 1]
            spec = {"kind": "weighted", "weights": weights, "pair": pair}
        cases.append({"name": name, "params": encode_tree(params), "f": spec})
    return cases


def _keep_key_errors(grad_nested):
    """The student's function, with a KeyError returned as an observation (the unused-input mistake)."""
    def attempt(f, params):
        try:
            return {"returned": grad_nested(f, params)}
        except KeyError as err:
            return {"raised": f"KeyError: {str(err)[:80]}"}
    return attempt


@EX3.probe
def _nested_probe(cases, grad_nested):
    """Per case: the returned structure, tagged (types, keys, numbers), or the KeyError it raised."""
    if not callable(grad_nested):
        fail(EX3.id, f"expected a function for grad_nested, got {type(grad_nested).__name__}")
    if _is_library(grad_nested, "grad"):
        fail(EX3.id, "grad_nested is tinygrad_edu's own grad", "write your own grad_nested(f, params)")
    seen = []
    for case in cases:
        f = _nested_function(case["f"])
        result = call_student(EX3.id, _keep_key_errors(grad_nested), f, decode_tree(case["params"]),
                              what="grad_nested")
        if "raised" in result:
            seen.append({"raised": result["raised"]})
            continue
        try:
            seen.append({"tree": encode_tree(result["returned"])})
        except Exception as err:                 # noqa: BLE001 - a container that fails to iterate
            seen.append({"tree": {"unreadable": f"{type(err).__name__}: {str(err)[:80]}"}})
    return seen


def _nested_reference(f, params):
    """The engine's gradient wrt every leaf, in ``_flatten`` order (0.0 for an unused input)."""
    leaves = [Value(v) for v in _flatten(params)]
    grads = gradients(f(_rebuild(params, leaves)))
    return [float(grads.get(leaf, 0.0)) for leaf in leaves]


def _retagged(data, old, new):
    """Encoded data with every ``old`` container tag renamed ``new`` (dicts as lists of values for "dict")."""
    if not _is_container(data):
        return data
    (tag, items), = data.items()
    if tag == "dict":
        inner = [[k, _retagged(v, old, new)] for k, v in items]
        return {new: [v for _, v in inner]} if old == "dict" else {"dict": inner}
    return {new if tag == old else tag: [_retagged(v, old, new) for v in items]}


def _structure_hint(expected, got):
    if not _is_container(got):
        return "return a container like the input, not a single value"
    for old, new, hint in (("tuple", "list", "tuples stay tuples: your tuples came back as lists"),
                           ("list", "tuple", "lists stay lists: your lists came back as tuples"),
                           ("dict", "list", "dicts keep their keys: your dicts came back as lists of values"),
                           ("dict", "tuple", "dicts keep their keys: your dicts came back as tuples of values")):
        if _same_structure(_retagged(expected, old, new), got):
            return hint
    (tag, items), = got.items()
    if tag != "dict" and len(items) == len(_leaves(expected)) and not any(_is_container(v) for v in items):
        return ("flattened: the gradients are all there but the nesting is lost; return the same "
                "containers as the input (rebuild it recursively)")
    return ("return the same containers as the input: tuples stay tuples, lists stay lists, dicts keep "
            "their keys (all of them, nothing added)")


def _nested_diagnosis(got, expected, inputs, paths):
    """The hint naming a wrong set of gradients (all leaves compared at once)."""
    def like(candidate, rtol=1e-9):
        return all(close(g, e, rtol, 1e-9) for g, e in zip(got, candidate))
    if like(inputs):
        return "that is the input itself: return the gradient wrt each input, not the parameters"
    if all(g == 0 for g in got):
        return ("every gradient is 0: call backward() on f's output (or gradients(out)) and read the "
                "gradients of the very Values you passed to f")
    for a in range(len(inputs)):
        for b in range(a + 1, len(inputs)):
            if inputs[a] == inputs[b] and got[a] == got[b] and not close(expected[a], expected[b], 1e-9, 1e-9):
                return (f"{paths[a]} and {paths[b]} hold the same number and got the same gradient: look each "
                        "gradient up by its Value object (or position), not by its number")
    if like(expected, 1e-4):
        return ("finite differences: your gradients agree with the exact ones only to about 1e-9; "
                "use the engine's autodiff (backward() or gradients(...)), which is exact to ~1e-15")
    if len(got) > 1 and all(close(g, e, 1e-9, 1e-9) for g, e in zip(sorted(got), sorted(expected))):
        return ("the right gradients in the wrong places: each gradient must sit where its input was "
                "(same key, same position)")
    return "each gradient sits where its input was: the entry at params[k] is ∂f/∂params[k]"


@EX3.judge
def _nested_judge(cases, seen):
    ex = EX3.id
    for case, obs in _one_per_case(ex, cases, seen):
        if "raised" not in obs and "tree" not in obs:
            fail(ex, "the probe's report does not match the cases (was the checker patched?)")
        name, expected_tree = case["name"], case["params"]
        params = decode_tree(expected_tree)
        if "raised" in obs:
            unused = [p for (p, _), g in zip(_leaves(expected_tree), _nested_reference(_nested_function(case["f"]),
                                                                                         params)) if g == 0]
            fail(ex, f"{name}: grad_nested raised {obs['raised']}",
                 f"an input that f does not use ({', '.join(unused) or 'one of them'}) has gradient 0 but no "
                 "entry in the gradients dict: use grads.get(v, 0.0)" if unused else
                 "a dict lookup failed: check the keys you rebuild the structure with")
        got_tree = obs["tree"]
        if not _same_structure(expected_tree, got_tree):
            fail(ex, f"{name}: the gradient has structure {describe_tree(got_tree)}, expected "
                     f"{describe_tree(expected_tree)}", _structure_hint(expected_tree, got_tree))
        paths = [p for p, _ in _leaves(expected_tree)]
        inputs = [v for _, v in _leaves(expected_tree)]
        got = [number(ex, v, f"the gradient at {p}") for p, v in _leaves(got_tree)]
        expected = _nested_reference(_nested_function(case["f"]), params)
        wrong = [k for k, (g, e) in enumerate(zip(got, expected)) if not close(g, e, 1e-13, 1e-13)]
        if wrong:
            k = wrong[0]
            (shown,), (wanted,) = _digits([got[k]], [expected[k]])
            fail(ex, f"{name}: the gradient at {paths[k]} (input {fmt(inputs[k])}) is {shown}, "
                     f"expected {wanted}", _nested_diagnosis(got, expected, inputs, paths))
    return (f"gradients have the right structure and values on {len(cases)} nested tuples, lists and dicts "
            "(random points)")


def check_nested_grads(grad_nested, student_id=None) -> bool:
    """ex3: structure (container types, keys, lengths) and values vs the engine, exact to ~1e-11."""
    return EX3.check(grad_nested, student_id=student_id)


EXERCISES = (EX1, EX2, EX3)
