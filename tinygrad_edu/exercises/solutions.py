"""Reference solutions of the notebook exercises.

STOP if you are a student working through the notebooks: this file holds the
answers.  Try the exercise first -- the checkers tell you precisely what is
wrong, which is the point.

Teachers: this module is a complete *submission* (it defines every name in
``tinygrad_edu.exercises.EXERCISES``), so ``grade(solutions)`` passes
everything, and the test suite runs every checker on it.
"""

import math

from ..engine import Value, exp, gradients, log
from .nb03 import BareValue

# ---------------------------------------------------------------- notebook 01
def central_difference(f, *args, arg=0, h=1e-6):
    up = list(args); up[arg] += h
    down = list(args); down[arg] -= h
    return (f(*up) - f(*down)) / (2 * h)


h_forward = 1e-8
h_central = 1e-5


def grad_F(a, b, c):
    # F = a²b + eᶜ − b/c
    return 2 * a * b, a * a - 1 / c, math.exp(c) + b / c ** 2


# ---------------------------------------------------------------- notebook 02
def chain_links(n, m, x):
    u = 2 * x * x + x + 1
    v = u ** m
    w = math.sin(v)
    return {"du/dx": 4 * x + 1, "dv/du": m * u ** (m - 1), "dw/dv": math.cos(v), "df/dw": n * w ** (n - 1)}


def chain_derivative(n, m, x):
    return math.prod(chain_links(n, m, x).values())


def path_sum(edges, source, target):
    """Reverse accumulation on the edge list: total[node] = d target / d node."""
    nodes = {a for a, _ in edges} | {b for _, b in edges} | {source, target}
    total = {target: 1.0}
    remaining = set(nodes) - {target}
    while remaining:                      # settle a node once all of its consumers are settled
        for node in sorted(remaining):
            consumers = [b for a, b in edges if a == node]
            if all(c in total for c in consumers):
                total[node] = sum(edges[(node, c)] * total[c] for c in consumers)
                remaining.discard(node)
                break
        else:
            raise ValueError("the edges contain a cycle")
    return total[source]


# ---------------------------------------------------------------- notebook 03
def mul_backward(x, y, out):
    x.grad += y.data * out.grad
    y.grad += x.data * out.grad


manual_grads = {"L": 1.0, "d": -4.0, "f": -1.0, "c": -4.0, "e": -4.0, "a": 8.0, "b": -12.0}


class ReflectedValue(BareValue):
    def __radd__(self, other):            # other + self
        return self + other

    def __rsub__(self, other):            # other - self
        return type(self)(other) - self

    def __rtruediv__(self, other):        # other / self
        return type(self)(other) / self

    def __neg__(self):
        return self * -1


# ---------------------------------------------------------------- notebook 04
def topological_sort(root):
    order, visited, stack = [], {root}, [(root, iter(root.children))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child not in visited:
                visited.add(child)
                stack.append((child, iter(child.children)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def backward(root):
    order = topological_sort(root)
    for node in order:
        if not node.is_leaf:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for child, local in zip(node.children, node.local_grads()):
            child.grad += local * node.grad


fixed_backward = backward


# ---------------------------------------------------------------- notebook 05
unary_rules = {
    "exp": lambda x, out: out,
    "log": lambda x, out: 1 / x,
    "tanh": lambda x, out: 1 - out * out,
    "sigmoid": lambda x, out: out * (1 - out),
}


def softmax_nll(logits, label):
    m = max(z.data for z in logits)              # a constant shift: softmax does not change
    shifted = [z - m for z in logits]
    return log(sum(exp(s) for s in shifted)) - shifted[label]


kink_predictions = {"relu_at_0": 0.0, "abs_at_0": 0.0, "relu_minus_relu_at_0": 0.0,
                    "central_abs_near_0": 0.01, "sqrt_of_square_at_0": "error"}


# ---------------------------------------------------------------- notebook 06
class MLP:
    def __init__(self, nin, nouts, seed=0):
        import random
        rng = random.Random(seed)
        sizes = [nin] + list(nouts)
        self.layers = [[([Value(rng.uniform(-1, 1)) for _ in range(a)], Value(0.0)) for _ in range(b)]
                       for a, b in zip(sizes[:-1], sizes[1:])]

    def __call__(self, x):
        for k, layer in enumerate(self.layers):
            out = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
            x = out if k == len(self.layers) - 1 else [o.tanh() for o in out]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for ws, b in layer for p in ws + [b]]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


def training_step(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def train_moons(X, y, steps=200, batch=20, lr=0.1, momentum=0.9):
    """tanh MLP 2-16-1, hinge loss, minibatches of 20 with momentum: ~99 % in about a second."""
    import random
    rng = random.Random(1)
    sizes = [2, 16, 1]
    layers = [[([Value(rng.uniform(-1, 1) / math.sqrt(a)) for _ in range(a)], Value(0.0)) for _ in range(b)]
              for a, b in zip(sizes[:-1], sizes[1:])]
    params = [p for layer in layers for ws, b in layer for p in ws + [b]]
    velocity = [0.0] * len(params)

    def model(x):
        for k, layer in enumerate(layers):
            out = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
            x = out if k == len(layers) - 1 else [o.tanh() for o in out]
        return x[0]

    order = list(range(len(X)))
    for _ in range(steps):
        rng.shuffle(order)
        loss = sum((1 - y[i] * model(X[i])).relu() for i in order[:batch]) / batch
        for p in params:
            p.grad = 0.0
        loss.backward()
        for j, p in enumerate(params):
            velocity[j] = momentum * velocity[j] - lr * p.grad
            p.data += velocity[j]
    return model


# ---------------------------------------------------------------- notebook 07
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


# ---------------------------------------------------------------- notebook 08
vjp_table = {
    "+": lambda g, ans, x, y: (g, g),
    "*": lambda g, ans, x, y: (g * y, g * x),
    "**": lambda g, ans, x, y: (g * y * x ** (y - 1), g * ans * math.log(x)),
    "exp": lambda g, ans, x: (g * ans,),
    "log": lambda g, ans, x: (g / x,),
    "sin": lambda g, ans, x: (g * math.cos(x),),
    "tanh": lambda g, ans, x: (g * (1 - ans * ans),),
    "sigmoid": lambda g, ans, x: (g * ans * (1 - ans),),
    "relu": lambda g, ans, x: (g * (x > 0),),
}


def softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def softplus_vjp(g, ans, x):
    s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
    return g * s


trace_prediction = ["*", "sin", "+"]


# ---------------------------------------------------------------- notebook 09
class Dual:
    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    @staticmethod
    def _lift(o):
        return o if isinstance(o, Dual) else Dual(o, 0.0)

    def __add__(self, o):
        o = self._lift(o)
        return Dual(self.value + o.value, self.tangent + o.tangent)

    __radd__ = __add__

    def __sub__(self, o):
        o = self._lift(o)
        return Dual(self.value - o.value, self.tangent - o.tangent)

    def __rsub__(self, o):
        return self._lift(o) - self

    def __mul__(self, o):
        o = self._lift(o)
        return Dual(self.value * o.value, self.tangent * o.value + self.value * o.tangent)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = self._lift(o)
        return Dual(self.value / o.value, (self.tangent * o.value - self.value * o.tangent) / o.value ** 2)

    def __rtruediv__(self, o):
        return self._lift(o) / self

    def __neg__(self):
        return Dual(-self.value, -self.tangent)

    def sin(self):
        return Dual(math.sin(self.value), math.cos(self.value) * self.tangent)

    def cos(self):
        return Dual(math.cos(self.value), -math.sin(self.value) * self.tangent)

    def exp(self):
        e = math.exp(self.value)
        return Dual(e, e * self.tangent)


def jacobian_fwd(F, x):
    columns = []
    for j in range(len(x)):
        outs = F([Dual(v, 1.0 if k == j else 0.0) for k, v in enumerate(x)])
        columns.append([o.tangent if isinstance(o, Dual) else 0.0 for o in outs])
    return [[columns[j][i] for j in range(len(x))] for i in range(len(columns[0]))]


def jacobian_rev(F, x):
    xs = [Value(v) for v in x]
    rows = []
    for out in F(xs):
        g = gradients(out, xs)
        rows.append([g[v] for v in xs])
    return rows


mode_predictions = {(100, 1): "reverse", (1, 100): "forward", (3, 50): "forward", (50, 3): "reverse",
                    (20, 2): "reverse"}


# ---------------------------------------------------------------- notebook 10
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
