"""Notebook 11 exercises: from scalars to arrays.

ex1  ``unbroadcast(g, shape) -> array``: g is the gradient of an array that
     broadcasting stretched to ``g.shape``; return the gradient of the original,
     of shape ``shape``: sum g over the axes broadcasting added (in front) and
     over the axes where ``shape`` has a 1 (keeping them, with size 1).
ex2  ``matmul_vjp(g, A, B) -> (gA, gB)``: for C = A @ B (2-D) and g = dL/dC,
     the gradients dL/dA = g @ Bᵀ and dL/dB = Aᵀ @ g.
ex3  ``hvp_fwd_rev(f, x, v) -> list``: H(x)·v by forward-over-reverse, the
     forward-mode derivative (``jvp``) of the gradient (``grad``) along v: one
     reverse sweep and one forward sweep, whatever the size of x.

Arrays cross to the judge as plain data: their shape and their entries as a flat
list of floats.  The judge computes every reference itself with numpy.
"""

from ..forward import count_ops
from ._common import call_student, close, fail, fmt, observed
from ._exercise import Exercise


class _Numpy:
    """numpy, imported on first use: the package itself runs without it (numpy is an extra)."""

    def __getattr__(self, name):
        try:
            import numpy
        except ImportError as err:
            raise ImportError("notebook 11's checkers need numpy: pip install numpy") from err
        return getattr(numpy, name)


np = _Numpy()

__all__ = ["check_unbroadcast", "check_matmul_vjp", "check_hvp_fwd_rev", "hvp_test_function", "EXERCISES"]


# -- arrays as plain data ------------------------------------------------------------
def _array_seen(value):
    """{"shape": [...], "values": [floats]} for whatever came back, or {"not an array": text}."""
    try:
        arr = np.asarray(value, dtype=float)
    except Exception:                        # noqa: BLE001 - whatever it raises, it is not an array
        return {"not an array": f"{type(value).__name__} {_short(value)}"}
    if arr.size > 10_000:
        return {"not an array": f"an array of shape {arr.shape}"}
    return {"shape": [int(n) for n in arr.shape], "values": [observed(x) for x in arr.ravel().tolist()]}


def _short(value):
    try:
        text = repr(value)
    except Exception:                        # noqa: BLE001
        text = "?"
    return text[:60]


def _raised(err):
    return {"raised": type(err).__name__, "message": str(err)[:200]}


def _call(ex, fn, *args, what):
    """The student's result, or {"raised": ...} for an ordinary exception (judged later)."""
    if not callable(fn):
        fail(ex, f"expected a function for {what}, got {type(fn).__name__}")
    try:
        return fn(*args), None
    except NotImplementedError:
        call_student(ex, fn, *args, what=what)           # reports "not written yet"
    except (MemoryError, RecursionError):
        raise
    except Exception as err:                 # noqa: BLE001 - recorded, the judge explains it
        return None, _raised(err)


def _got_array(ex, seen, what):
    """(shape tuple, numpy array) from a probe's observation, or a failure saying what came back."""
    if type(seen) is not dict:
        fail(ex, "the checker got observations of the wrong shape; was the grader tampered with?")
    if "not an array" in seen:
        fail(ex, f"{what} should be a numpy array, got {seen['not an array']}")
    shape, values = seen.get("shape"), seen.get("values")
    if type(shape) is not list or type(values) is not list or any(type(v) is not float for v in values) \
            or any(type(n) is not int for n in shape) or int(np.prod(shape)) != len(values):
        fail(ex, f"{what}: the observation is malformed; was the grader tampered with?")
    return tuple(shape), np.array(values, dtype=float).reshape(shape)


def _same(got, expected, rtol=1e-9, atol=1e-12):
    return got.shape == np.shape(expected) and np.allclose(got, expected, rtol=rtol, atol=atol)


def _show(arr):
    return np.array2string(np.asarray(arr, dtype=float), precision=4, suppress_small=True,
                           separator=", ").replace("\n", "")


def _random_array(rng, shape):
    return np.array([round(rng.uniform(-2, 2), 3) or 0.5 for _ in range(int(np.prod(shape)))]).reshape(shape)


# -- ex1 ------------------------------------------------------------------------------
EX1 = Exercise("nb11_ex1", "unbroadcast", ("unbroadcast",))

#: (shape of the original array, shape broadcasting stretched it to)
_BROADCASTS = [((4,), (3, 4)), ((3, 1), (3, 4)), ((1, 4), (3, 4)), ((), (2, 3)), ((3, 4), (2, 3, 4)),
               ((2, 1, 4), (5, 2, 3, 4)), ((1, 1), (3, 4)), ((4,), (4,)), ((3, 1), (2, 3, 5))]


def unbroadcast_reference(g, shape):
    """The checker's own unbroadcast: sum the added leading axes, then the stretched 1-axes."""
    g = np.asarray(g, dtype=float)
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    stretched = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
    return g.sum(axis=stretched, keepdims=True)


@EX1.cases
def _unbroadcast_cases(rng):
    """Each broadcast of the table once, with random gradients (nested lists) and the target shape."""
    cases = []
    for small, big in _BROADCASTS:
        cases.append({"g": _random_array(rng, big).tolist(), "shape": list(small)})
    rest = cases[2:]
    rng.shuffle(rest)                        # a row (4,) and a column (3, 1) from (3, 4) come first
    return cases[:2] + rest


@EX1.probe
def _unbroadcast_probe(cases, unbroadcast):
    seen = []
    for case in cases:
        out, raised = _call(EX1.id, unbroadcast, np.array(case["g"], dtype=float), tuple(case["shape"]),
                            what="unbroadcast")
        seen.append(raised or _array_seen(out))
    return seen


def _unbroadcast_mistakes(g, shape):
    """(name, what it would return, hint) for the classic wrong unbroadcasts."""
    lead = g.ndim - len(shape)
    lead_axes = tuple(range(lead))
    ones = tuple(k + lead for k, n in enumerate(shape) if n == 1 and g.shape[k + lead] != 1)
    out = []
    if ones:                  # first: where these apply they say more than "unchanged"/"everything"
        out.append(("no 1-axes", g.sum(axis=lead_axes), "you summed the added leading axes but not the "
                    "size-1 axes broadcasting stretched: sum those too, with keepdims=True"))
        out.append(("no keepdims", g.sum(axis=lead_axes + ones), "the size-1 axes disappeared: sum them "
                    "with keepdims=True so the result keeps the original shape"))
    out.append(("unchanged", g, "you returned g unchanged: every copy broadcasting made sends its own "
                "gradient back, and gradients at a fork add up, so sum g over the broadcast axes"))
    out.append(("everything", np.asarray(g.sum()), "you summed everything into one number: sum only over "
                "the axes broadcasting added or stretched, so the result has the original shape"))
    axes = lead_axes + ones
    if axes:
        count = int(np.prod([g.shape[k] for k in axes]))
        out.append(("mean", unbroadcast_reference(g, shape) / count, "you took the mean over the broadcast "
                    "axes: use the sum (each copy's gradient adds, as at any fork)"))
        first = g[tuple(0 if k in axes else slice(None) for k in range(g.ndim))]
        out.append(("first copy", first.reshape(shape), "you kept only the first copy's gradient: sum over "
                    "the broadcast axes (every copy contributes)"))
    if g.ndim >= 1 and (lead_axes + ones) != (0,):
        out.append(("axis 0", g.sum(axis=0), "you always summed axis 0, which is right for a bias row only: "
                    "which axes to sum depends on shape (the ones added in front, and the size-1 ones)"))
    if lead and g.ndim >= 2:
        trailing = g.sum(axis=tuple(range(len(shape), g.ndim)))
        out.append(("trailing", trailing, "you summed the trailing axes: broadcasting adds new axes in "
                    "front (the left), so sum the leading axes"))
    return out


@EX1.judge
def _unbroadcast_judge(cases, seen):
    ex = EX1.id
    if type(seen) is not list or len(seen) != len(cases):
        fail(ex, "the observations do not match the test cases; was the checker tampered with?")
    for case, obs in zip(cases, seen):
        g, shape = np.array(case["g"], dtype=float), tuple(case["shape"])
        where = f"g of shape {g.shape} to shape {shape}"
        expected = unbroadcast_reference(g, shape)
        if type(obs) is dict and "raised" in obs:
            fail(ex, f"unbroadcast({where}) raised {obs['raised']}: {obs['message']}",
                 "sum over the leading axes broadcasting added, then over the axes where shape has a 1 "
                 "(with keepdims=True)")
        got_shape, got = _got_array(ex, obs, "unbroadcast's result")
        if _same(got, expected):
            continue
        for _, wrong, hint in _unbroadcast_mistakes(g, shape):
            if _same(got, wrong):
                fail(ex, f"unbroadcast({where}) returned shape {got_shape} {_show(got)}, expected shape "
                         f"{shape} {_show(expected)}", hint)
        if got_shape != shape:
            fail(ex, f"unbroadcast({where}) returned shape {got_shape}, expected {shape}",
                 "the gradient of an array has that array's shape")
        fail(ex, f"unbroadcast({where}) returned {_show(got)}, expected {_show(expected)}",
             "sum g over the axes broadcasting added (in front) and over the size-1 axes of shape")
    return f"unbroadcast is right on {len(cases)} broadcasts (rows, columns, scalars, added axes)"


def check_unbroadcast(unbroadcast, student_id=None):
    """ex1: nine broadcasts (added leading axes, stretched 1-axes, a scalar, none), random g."""
    return EX1.check(unbroadcast, student_id=student_id)


# -- ex2 ------------------------------------------------------------------------------
EX2 = Exercise("nb11_ex2", "the VJPs of matmul", ("matmul_vjp",))


@EX2.cases
def _matmul_cases(rng):
    """A square case first (wrong transposes then give wrong numbers, not shape errors), then others."""
    shapes = [(3, 3, 3), (2, 4, 3), (4, 1, 2), (1, 3, 5), (3, 2, 2)]
    while len(shapes) < 8:
        shapes.append(tuple(rng.randint(1, 5) for _ in range(3)))
    cases = []
    for m, k, n in shapes:
        cases.append({"A": _random_array(rng, (m, k)).tolist(), "B": _random_array(rng, (k, n)).tolist(),
                      "g": _random_array(rng, (m, n)).tolist()})
    return cases


@EX2.probe
def _matmul_probe(cases, matmul_vjp):
    seen = []
    for case in cases:
        A, B, g = (np.array(case[k], dtype=float) for k in ("A", "B", "g"))
        out, raised = _call(EX2.id, matmul_vjp, g, A, B, what="matmul_vjp")
        if raised:
            seen.append(raised)
        elif not isinstance(out, (tuple, list)) or len(out) != 2:
            seen.append({"not a pair": f"{type(out).__name__} {_short(out)}"})
        else:
            seen.append({"gA": _array_seen(out[0]), "gB": _array_seen(out[1])})
    return seen


def _matmul_mistakes(g, A, B, which):
    """(wrong result, hint) candidates for dL/dA (which="A") or dL/dB (which="B")."""
    def maybe(fn):
        try:
            return fn()
        except ValueError:
            return None
    ones = np.ones_like(g)
    if which == "A":
        rows = [(maybe(lambda: g @ B), "dL/dA = g @ B.T: B must be transposed (the shapes tell: "
                 "(m×n) @ (n×k) gives A's m×k)"),
                (maybe(lambda: B.T @ g), "dL/dA = g @ B.T: the factors are in the wrong order"),
                (maybe(lambda: A.T @ g), "you returned dL/dB where dL/dA belongs: the pair is (gA, gB)"),
                (maybe(lambda: g * B), "an elementwise product is not the matmul rule: dL/dA = g @ B.T"),
                (maybe(lambda: ones @ B.T), "multiply by g, the gradient that arrives at C: dL/dA = g @ B.T"),
                (maybe(lambda: g @ (A @ B).T), "you used the output C where the input B belongs: "
                 "dL/dA = g @ B.T")]
    else:
        rows = [(maybe(lambda: A @ g), "dL/dB = A.T @ g: A must be transposed (the shapes tell: "
                 "(k×m) @ (m×n) gives B's k×n)"),
                (maybe(lambda: g @ A.T), "dL/dB = A.T @ g: the factors are in the wrong order"),
                (maybe(lambda: g.T @ A), "dL/dB = A.T @ g: you transposed the product (that is dL/dB transposed)"),
                (maybe(lambda: g @ B.T), "you returned dL/dA where dL/dB belongs: the pair is (gA, gB)"),
                (maybe(lambda: A * g), "an elementwise product is not the matmul rule: dL/dB = A.T @ g"),
                (maybe(lambda: A.T @ ones), "multiply by g, the gradient that arrives at C: dL/dB = A.T @ g"),
                (maybe(lambda: (A @ B).T @ g), "you used the output C where the input A belongs: "
                 "dL/dB = A.T @ g")]
    return [(wrong, hint) for wrong, hint in rows if wrong is not None]


@EX2.judge
def _matmul_judge(cases, seen):
    ex = EX2.id
    if type(seen) is not list or len(seen) != len(cases):
        fail(ex, "the observations do not match the test cases; was the checker tampered with?")
    for case, obs in zip(cases, seen):
        A, B, g = (np.array(case[k], dtype=float) for k in ("A", "B", "g"))
        where = f"A {A.shape[0]}×{A.shape[1]}, B {B.shape[0]}×{B.shape[1]}"
        if type(obs) is not dict:
            fail(ex, "the checker got observations of the wrong shape; was the grader tampered with?")
        if "raised" in obs:
            fail(ex, f"matmul_vjp with {where} raised {obs['raised']}: {obs['message']}",
                 "check the shapes: dL/dA has A's shape, g (m×n) @ Bᵀ (n×k); dL/dB has B's shape, "
                 "Aᵀ (k×m) @ g (m×n)")
        if "not a pair" in obs:
            fail(ex, f"matmul_vjp should return a pair (gA, gB), got {obs['not a pair']}")
        for name, expected in (("A", g @ B.T), ("B", A.T @ g)):
            shape, got = _got_array(ex, obs.get(f"g{name}"), f"dL/d{name}")
            if _same(got, expected):
                continue
            for wrong, hint in _matmul_mistakes(g, A, B, name):
                if _same(got, wrong):
                    fail(ex, f"dL/d{name} wrong with {where}: got {_show(got)}, expected {_show(expected)}", hint)
            if shape != expected.shape:
                fail(ex, f"dL/d{name} has shape {shape} with {where}, expected {expected.shape} ({name}'s shape)",
                     f"the gradient of {name} has {name}'s shape: let the shapes pick the transposes")
            fail(ex, f"dL/d{name} wrong with {where}: got {_show(got)}, expected {_show(expected)}",
                 "dL/dA = g @ B.T and dL/dB = A.T @ g (check them on 1×1 matrices: C = ab)")
    return f"matmul_vjp gives dL/dA and dL/dB on {len(cases)} products (square, rows, columns)"


def check_matmul_vjp(matmul_vjp, student_id=None):
    """ex2: eight products of random shapes (a square one first): both gradients, values and shapes."""
    return EX2.check(matmul_vjp, student_id=student_id)


# -- ex3 ------------------------------------------------------------------------------
def hvp_test_function(A):
    """f(x) = Σ tanh(A x) + Σ x³/3 for a matrix A (nested lists): works on floats and on Values."""
    A = np.array(A, dtype=float)

    def f(x):
        x = np.array(list(x), dtype=object)
        return np.sum(np.tanh(A @ x)) + np.sum(x * x * x) / 3
    return f


def _hvp_reference(A, x, v):
    """H·v in closed form: H = Aᵀ diag(-2t(1-t²)) A + diag(2x), with t = tanh(A x)."""
    A, x, v = (np.array(a, dtype=float) for a in (A, x, v))
    t = np.tanh(A @ x)
    grad = A.T @ (1 - t * t) + x * x
    return A.T @ (-2 * t * (1 - t * t) * (A @ v)) + 2 * x * v, grad


EX3 = Exercise("nb11_ex3", "forward-over-reverse HVP", ("hvp_fwd_rev",))


@EX3.cases
def _hvp_cases(rng):
    """Random A (m×n, n from 3 to 5, so n sweeps ≠ 2), points and directions."""
    cases = []
    for n in (3, 4, 5, 4):
        m = rng.randint(2, 4)
        cases.append({"A": _random_array(rng, (m, n)).tolist(), "x": _random_array(rng, (n,)).tolist(),
                      "v": _random_array(rng, (n,)).tolist()})
    return cases


@EX3.probe
def _hvp_probe(cases, hvp_fwd_rev):
    """Per case: what came back (as an array, or what it was instead) and the sweeps of each kind."""
    seen = []
    for case in cases:
        f = hvp_test_function(case["A"])
        with count_ops() as count:
            out, raised = _call(EX3.id, hvp_fwd_rev, f, list(case["x"]), list(case["v"]), what="hvp_fwd_rev")
        obs = raised or ({"pair": True} if isinstance(out, tuple) and len(out) == 2 else _array_seen(out))
        obs.update(forward=int(count.sweeps["forward"]), reverse=int(count.sweeps["reverse"]))
        seen.append(obs)
    return seen


@EX3.judge
def _hvp_judge(cases, seen):
    ex = EX3.id
    if type(seen) is not list or len(seen) != len(cases) or any(type(o) is not dict for o in seen):
        fail(ex, "the observations do not match the test cases; was the checker tampered with?")
    for case, obs in zip(cases, seen):
        expected, grad = _hvp_reference(case["A"], case["x"], case["v"])
        n = len(case["x"])
        where = f"n={n}, x={_show(case['x'])}, v={_show(case['v'])}"
        if "raised" in obs:
            fail(ex, f"hvp_fwd_rev raised {obs['raised']}: {obs['message']}",
                 "jvp(grad(f), x, v) returns (∇f(x), H·v): the second item is H·v")
        if obs.get("pair"):
            fail(ex, "hvp_fwd_rev returned a pair", "jvp returns a pair (the value, the tangent): "
                 "H·v is the tangent, the second item")
        shape, got = _got_array(ex, obs, "hvp_fwd_rev's result")
        forward, reverse = obs.get("forward"), obs.get("reverse")
        if type(forward) is not int or type(reverse) is not int:
            fail(ex, "the sweep counts are missing; was the grader tampered with?")
        if shape == () and close(float(got), float(grad @ np.array(case["v"])), 1e-6, 1e-9):
            fail(ex, f"at {where} you returned one number, {fmt(float(got))}: that is the directional "
                     "derivative ∇f·v", "take the jvp of grad(f), not of f: the tangent of the gradient is H·v")
        if shape != (n,):
            fail(ex, f"at {where} hvp_fwd_rev returned shape {shape}, expected a list of {n} numbers")
        if _same(got, grad, 1e-6, 1e-9):
            fail(ex, f"at {where} you returned {_show(got)}: that is ∇f(x), not H·v",
                 "jvp(grad(f), x, v) returns (∇f(x), H·v): keep the second item")
        if not _same(got, expected, 1e-11, 1e-12):          # autodiff is exact to rounding
            if _same(got, expected, 1e-3, 1e-5):
                fail(ex, f"at {where} H·v is only approximate: got {_show(got)}, exact {_show(expected)}",
                     "that looks like finite differences of the gradient: use forward mode (jvp) on grad(f), "
                     "which is exact")
            fail(ex, f"at {where} got {_show(got)}, expected H·v = {_show(expected)}",
                 "forward-over-reverse: jvp(grad(f), x, v)[1]")
        if forward >= n:
            fail(ex, f"at {where} you ran {forward} forward sweeps", "you formed the Hessian column by column "
                 "(n forward sweeps, as jacfwd does): one jvp along v is enough")
        if reverse >= n:
            fail(ex, f"at {where} you ran {reverse} reverse sweeps", "you formed the Hessian row by row "
                 "(one reverse sweep per input): one jvp of grad(f) along v is enough")
        if forward == 0 and reverse >= 2:
            fail(ex, f"at {where} you ran {reverse} reverse sweeps and no forward sweep: that is "
                     "reverse-over-reverse", "differentiate grad(f) with forward mode: jvp(grad(f), x, v)")
        if (forward, reverse) != (1, 1):
            fail(ex, f"at {where} you ran {forward} forward and {reverse} reverse sweeps, expected 1 and 1",
                 "one reverse sweep (grad) recorded, then one forward sweep (jvp) along v")
    return f"H·v exact at {len(cases)} points, with one reverse and one forward sweep each"


def check_hvp_fwd_rev(hvp_fwd_rev, student_id=None):
    """ex3: closed-form H·v for Σtanh(Ax) + Σx³/3 at random points; counts both kinds of sweeps."""
    return EX3.check(hvp_fwd_rev, student_id=student_id)


EXERCISES = (EX1, EX2, EX3)
