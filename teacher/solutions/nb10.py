"""Answer key, notebook 10: a complete submission for its exercises.

Teachers only: this folder is not installed with the package.
"""

from tinygrad_edu.engine import Value, gradients


def hvp(f, x, v):
    xs = [Value(a) for a in x]
    g = gradients(f(xs), xs, create_graph=True)           # first sweep: ∇f as a graph
    gv = sum((g[xi] * vi for xi, vi in zip(xs, v)), Value(0.0, requires_grad=False))
    h = gradients(gv, xs)                                  # second sweep: ∇(∇f·v) = H·v
    return [float(h[xi].data if isinstance(h[xi], Value) else h[xi]) for xi in xs]


egrad_value = [6.0, 6.0]
jacobian_value = [[4.0, 1.0], [2.0, 5.0]]
elementwise_choice = "b"


def grad_nested(f, params):
    def wrap(t):
        if isinstance(t, dict):
            return {k: wrap(v) for k, v in t.items()}
        if isinstance(t, (list, tuple)):
            return type(t)(wrap(v) for v in t)
        return Value(float(t))

    def unwrap(t, grads):
        if isinstance(t, dict):
            return {k: unwrap(v, grads) for k, v in t.items()}
        if isinstance(t, (list, tuple)):
            return type(t)(unwrap(v, grads) for v in t)
        g = grads.get(t, 0.0)
        return float(g.data if isinstance(g, Value) else g)

    boxed = wrap(params)
    return unwrap(boxed, gradients(f(boxed)))
