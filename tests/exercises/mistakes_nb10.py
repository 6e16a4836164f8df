"""Classic mistakes for notebook 10's exercises (see test_mistakes.py)."""

from exhelp import Mistake, S

from tinygrad_edu.engine import Value, gradients


# -- ex1: hvp ------------------------------------------------------------------------
def _no_create_graph(f, x, v):
    xs = [Value(a) for a in x]
    g = gradients(f(xs), xs)                                # plain numbers: a constant
    gv = sum((g[xi] * vi for xi, vi in zip(xs, v)), Value(0.0, requires_grad=False))
    h = gradients(gv, xs)
    return [float(getattr(h[xi], "data", h[xi])) for xi in xs]


def _backward_without_create_graph(f, x, v):
    xs = [Value(a) for a in x]
    f(xs).backward()                                        # x.grad: numbers, no graph
    gv = sum((xi.grad * vi for xi, vi in zip(xs, v)), Value(0.0, requires_grad=False))
    gv.backward()                                           # a constant: adds nothing
    return [float(xi.grad) for xi in xs]


def _gradient_only(f, x, v):
    xs = [Value(a) for a in x]
    g = gradients(f(xs), xs)
    return [float(g[xi]) for xi in xs]


def _no_reset(f, x, v):
    xs = [Value(a) for a in x]
    f(xs).backward(create_graph=True)
    gv = sum((xi.grad * vi for xi, vi in zip(xs, v)), Value(0.0, requires_grad=False))
    gv.backward()                                           # x.grad still holds ∇f
    return [float(getattr(xi.grad, "data", xi.grad)) for xi in xs]


def _ignores_v(f, x, v):
    return S.hvp(f, x, [1.0] * len(x))


def _dots_with_x(f, x, v):
    return S.hvp(f, x, x)


def _finite_differences(f, x, v, eps=1e-5):
    def grad_at(point):
        xs = [Value(a) for a in point]
        g = gradients(f(xs), xs)
        return [float(g[xi]) for xi in xs]
    up = grad_at([a + eps * b for a, b in zip(x, v)])
    down = grad_at([a - eps * b for a, b in zip(x, v)])
    return [(p - q) / (2 * eps) for p, q in zip(up, down)]


def _full_hessian(f, x, v):
    xs = [Value(a) for a in x]
    g = gradients(f(xs), xs, create_graph=True)
    H = []
    for xi in xs:
        row = gradients(g[xi], xs) if isinstance(g[xi], Value) else {w: 0.0 for w in xs}
        H.append([float(getattr(row[w], "data", row[w])) for w in xs])
    return [sum(H[i][j] * v[j] for j in range(len(x))) for i in range(len(x))]


def _sign_slip(f, x, v):
    return [-h for h in S.hvp(f, x, v)]


# -- ex3: grad_nested ----------------------------------------------------------------
def _wrap(t):
    if isinstance(t, dict):
        return {k: _wrap(v) for k, v in t.items()}
    if isinstance(t, (list, tuple)):
        return type(t)(_wrap(v) for v in t)
    return Value(float(t))


def _flattened(f, params):
    def leaves(t):
        if isinstance(t, dict):
            return [x for k in t for x in leaves(t[k])]
        if isinstance(t, (list, tuple)):
            return [x for item in t for x in leaves(item)]
        return [t]
    boxed = _wrap(params)
    grads = gradients(f(boxed))
    return [float(grads.get(x, 0.0)) for x in leaves(boxed)]


def _lists_for_tuples(f, params):
    def conv(t):
        if isinstance(t, dict):
            return {k: conv(v) for k, v in t.items()}
        if isinstance(t, (list, tuple)):
            return [conv(v) for v in t]                     # list(...) for every sequence
        return t
    return conv(S.grad_nested(f, params))


def _dict_values(f, params):
    def conv(t):
        if isinstance(t, dict):
            return [conv(v) for v in t.values()]            # the keys are lost
        if isinstance(t, (list, tuple)):
            return type(t)(conv(v) for v in t)
        return t
    return conv(S.grad_nested(f, params))


def _unwrap_with(boxed, leaf):
    if isinstance(boxed, dict):
        return {k: _unwrap_with(v, leaf) for k, v in boxed.items()}
    if isinstance(boxed, (list, tuple)):
        return type(boxed)(_unwrap_with(v, leaf) for v in boxed)
    return leaf(boxed)


def _returns_values(f, params):
    boxed = _wrap(params)
    f(boxed).backward()
    return _unwrap_with(boxed, lambda x: x.data)            # .data where .grad belongs


def _indexes_grads(f, params):
    boxed = _wrap(params)
    grads = gradients(f(boxed))
    return _unwrap_with(boxed, lambda x: float(grads[x]))   # KeyError for an unused input


def _keyed_by_number(f, params):
    boxed = _wrap(params)
    grads = gradients(f(boxed))
    by_number = {x.data: float(g) for x, g in grads.items() if x._rule is None}
    return _unwrap_with(boxed, lambda x: by_number.get(x.data, 0.0))


def _nested_fd(f, params, h=1e-6):
    def value_with(target, delta):
        return f(_unwrap_with(boxed, lambda x: Value(x.data + (delta if x is target else 0.0)))).data
    boxed = _wrap(params)
    return _unwrap_with(boxed, lambda x: (value_with(x, h) - value_with(x, -h)) / (2 * h))


def _grad_before_backward(f, params):
    boxed = _wrap(params)
    result = _unwrap_with(boxed, lambda x: x.grad)          # read before backward: all 0
    f(boxed).backward()
    return result


J = S.jacobian_value
MISTAKES = [
    Mistake("nb10_ex1", "no create_graph", _no_create_graph, named=["create_graph", "constant"]),
    Mistake("nb10_ex1", "backward() without create_graph", _backward_without_create_graph,
            named=["that is ∇f(x)", "without create_graph=True"]),
    Mistake("nb10_ex1", "returns the gradient", _gradient_only, named=["that is ∇f(x)", "stopped after the first sweep"]),
    Mistake("nb10_ex1", "no reset between the sweeps", _no_reset, named=["∇f(x) + H·v", "reset"]),
    Mistake("nb10_ex1", "v ignored", _ignores_v, named="v ignored"),
    Mistake("nb10_ex1", "dot with x instead of v", _dots_with_x, named="that is H·x"),
    Mistake("nb10_ex1", "finite differences of the gradient", _finite_differences, named="finite differences"),
    Mistake("nb10_ex1", "forms the full Hessian", _full_hessian, named="formed the n×n Hessian"),
    Mistake("nb10_ex1", "sign slip", _sign_slip, named="sign slip"),
    Mistake("nb10_ex2", "diagonal for elementwise_grad", [J[0][0], J[1][1]], J, "b", named="Jacobian's diagonal"),
    Mistake("nb10_ex2", "row sums for elementwise_grad", [sum(J[0]), sum(J[1])], J, "b", named="row sums"),
    Mistake("nb10_ex2", "transposed Jacobian", S.egrad_value, [[J[0][0], J[1][0]], [J[0][1], J[1][1]]], "b",
            named="transposed"),
    Mistake("nb10_ex2", "product rule forgotten", S.egrad_value, [[1.0, 1.0], [2.0, 2.0]], "b", named="product rule"),
    Mistake("nb10_ex2", "only the diagonal", S.egrad_value, [[J[0][0], 0.0], [0.0, J[1][1]]], "b",
            named="only the diagonal"),
    Mistake("nb10_ex2", "choice a (always the diagonal)", S.egrad_value, J, "a", named="not diagonal"),
    Mistake("nb10_ex2", "choice c (a JVP)", S.egrad_value, J, "c", named="JVP with ones adds up each row"),
    Mistake("nb10_ex2", "choice d (round-off)", S.egrad_value, J, "d", named="not round-off"),
    Mistake("nb10_ex3", "flattened", _flattened, named="flattened"),
    Mistake("nb10_ex3", "lists for tuples", _lists_for_tuples, named="tuples stay tuples"),
    Mistake("nb10_ex3", "dict values without keys", _dict_values, named="dicts keep their keys"),
    Mistake("nb10_ex3", ".data for .grad", _returns_values, named="that is the input itself"),
    Mistake("nb10_ex3", "grads[x] for an unused input", _indexes_grads, named="does not use"),
    Mistake("nb10_ex3", "gradients keyed by number", _keyed_by_number, named="same number"),
    Mistake("nb10_ex3", "finite differences", _nested_fd, named="finite differences"),
    Mistake("nb10_ex3", ".grad read before backward", _grad_before_backward, named="every gradient is 0"),
]
