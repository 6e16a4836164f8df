"""Answer key, notebook 07: a complete submission for its exercises.

Teachers only: this folder is not installed with the package.
"""

from tinygrad_edu.engine import Value, gradients, log


def grad(f, argnum=0):
    def df(*args):
        xs = [Value(a) for a in args]
        out = f(*xs)
        if not isinstance(out, Value):
            raise TypeError(f"grad needs f to return a scalar, got {type(out).__name__}; "
                            "use elementwise_grad or jacobian for vector outputs")
        return gradients(out, [xs[argnum]])[xs[argnum]]
    return df


def train_logistic(inputs, targets, steps=100, lr=0.01):
    def loss(ws):
        total = 0.0
        for row, t in zip(inputs, targets):
            p = sum(w * x for w, x in zip(ws, row)).sigmoid()
            total = total - log(p if t else 1 - p)
        return total
    weights = [0.0, 0.0, 0.0]
    for _ in range(steps):
        ws = [Value(w) for w in weights]
        g = gradients(loss(ws), ws)
        weights = [w - lr * g[v] for w, v in zip(weights, ws)]
    return weights


taylor_tolerance = 1e-8
