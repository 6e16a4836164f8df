"""Classic mistakes for notebook 07's exercises (see test_mistakes.py)."""

import tinygrad_edu
from exhelp import Mistake, S

from tinygrad_edu.engine import Value


# -- ex1: grad -----------------------------------------------------------------------
def _scalar(out):
    if isinstance(out, (list, tuple)):
        raise TypeError("grad needs a scalar output: use elementwise_grad or jacobian")
    return out


def _central_difference(f, argnum=0, h=1e-6):
    def df(*args):
        up, down = list(args), list(args)
        up[argnum] += h
        down[argnum] -= h
        return (_scalar(f(*up)) - _scalar(f(*down))) / (2 * h)
    return df


def _forward_difference(f, argnum=0, h=1e-7):
    def df(*args):
        up = list(args)
        up[argnum] += h
        return (_scalar(f(*up)) - _scalar(f(*args))) / h
    return df


def _ignores_argnum(f, argnum=0):
    return S.grad(f, 0)


def _returns_value(f, argnum=0):
    def df(*args):
        xs = [Value(a) for a in args]
        f(*xs).backward()
        return xs[argnum] * 1.0
    return df


def _returns_f(f, argnum=0):
    def df(*args):
        return f(*[Value(a) for a in args]).data
    return df


def _all_grads(f, argnum=0):
    def df(*args):
        return [S.grad(f, i)(*args) for i in range(len(args))]
    return df


def _no_check(f, argnum=0):
    def df(*args):
        xs = [Value(a) for a in args]
        f(*xs).backward()
        return xs[argnum].grad
    return df


def _vague_error(f, argnum=0):
    inner = S.grad(f, argnum)

    def df(*args):
        if isinstance(f(*args), list):
            raise TypeError("bad output")
        return inner(*args)
    return df


# -- ex2: logistic regression ----------------------------------------------------------------
def _uphill(inputs, targets, steps=100, lr=0.01):
    return S.train_logistic(inputs, targets, steps, -lr)


def _mean_loss(inputs, targets, steps=100, lr=0.01):
    return S.train_logistic(inputs, targets, steps, lr / len(inputs))


def _off_by_one(inputs, targets, steps=100, lr=0.01):
    return S.train_logistic(inputs, targets, steps - 1, lr)


def _fixed_lr(inputs, targets, steps=100, lr=0.01):
    return S.train_logistic(inputs, targets, steps, 0.01)


def _fixed_steps(inputs, targets, steps=100, lr=0.01):
    return S.train_logistic(inputs, targets, 100, lr)


_NOTEBOOK_WEIGHTS = S.train_logistic(
    [[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.3], [0.74, -2.49, 1.39]], [True, True, False, True])


def _hard_coded(inputs, targets, steps=100, lr=0.01):
    return list(_NOTEBOOK_WEIGHTS)


def _starts_at_one(inputs, targets, steps=100, lr=0.01):
    from tinygrad_edu.engine import gradients, log
    weights = [1.0, 1.0, 1.0]
    for _ in range(steps):
        ws = [Value(w) for w in weights]
        total = 0.0
        for row, t in zip(inputs, targets):
            p = sum(w * x for w, x in zip(ws, row)).sigmoid()
            total = total - log(p if t else 1 - p)
        g = gradients(total, ws)
        weights = [w - lr * g[v] for w, v in zip(weights, ws)]
    return weights


MISTAKES = [
    Mistake("nb07_ex1", "central differences", _central_difference, named="finite differences, not autodiff"),
    Mistake("nb07_ex1", "forward differences", _forward_difference, named="finite differences, not autodiff"),
    Mistake("nb07_ex1", "ignores argnum", _ignores_argnum, named="use argnum"),
    Mistake("nb07_ex1", "returns the Value", _returns_value, named="returned a Value"),
    Mistake("nb07_ex1", "returns f's value", _returns_f, named="f's value, not its derivative"),
    Mistake("nb07_ex1", "returns every partial", _all_grads, named="returned a list"),
    Mistake("nb07_ex1", "no scalar check", _no_check, named=["non-scalar output raised", "elementwise_grad"]),
    Mistake("nb07_ex1", "a vague TypeError", _vague_error, named="your TypeError says"),
    Mistake("nb07_ex1", "the library's grad", tinygrad_edu.grad, named="tinygrad_edu's own grad"),
    Mistake("nb07_ex2", "gradient ascent", _uphill, named="subtract the gradient"),
    Mistake("nb07_ex2", "mean loss", _mean_loss, named="mean loss"),
    Mistake("nb07_ex2", "one step short", _off_by_one, named="match 99 steps, not 100"),
    Mistake("nb07_ex2", "a fixed learning rate", _fixed_lr, named="use the lr argument"),
    Mistake("nb07_ex2", "a fixed step count", _fixed_steps, named="use the steps argument"),
    Mistake("nb07_ex2", "the notebook's weights hard-coded", _hard_coded, named="train on the inputs and targets"),
    Mistake("nb07_ex2", "starts at ones", _starts_at_one, named="start from zero weights"),
    Mistake("nb07_ex2", "returns a number", lambda *a, **k: 0.0, named="should return the 3 weights"),
    Mistake("nb07_ex3", "the default tolerance", 1e-3, named="truncated derivative"),
    Mistake("nb07_ex3", "a tolerance just too big", 1e-4, named="truncated derivative"),
    Mistake("nb07_ex3", "zero", 0.0, named="positive tolerance"),
    Mistake("nb07_ex3", "negative", -1e-8, named="positive tolerance"),
    Mistake("nb07_ex3", "a string", "1e-8", named="should be a number"),
    Mistake("nb07_ex3", "still None", None, named="still None"),
]
