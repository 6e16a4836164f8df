"""Answer key, notebook 06: a complete submission for its exercises.

Teachers only: this folder is not installed with the package.
"""

import math

from tinygrad_edu.engine import Value


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


def train_moons(X, y, steps=600, batch=20, lr=0.1, momentum=0.9, target=0.98):
    """tanh MLP 2-16-1, hinge loss, minibatches of 20 with momentum, until 98 % of X is right: 1-2 s."""
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

    def accuracy():
        return sum((model(p).data > 0) == (t > 0) for p, t in zip(X, y)) / len(X)

    order = list(range(len(X)))
    for step in range(steps):
        if step and step % 50 == 0 and accuracy() >= target:
            break
        rng.shuffle(order)
        loss = sum((1 - y[i] * model(X[i])).relu() for i in order[:batch]) / batch
        for p in params:
            p.grad = 0.0
        loss.backward()
        for j, p in enumerate(params):
            velocity[j] = momentum * velocity[j] - lr * p.grad
            p.data += velocity[j]
    return model
