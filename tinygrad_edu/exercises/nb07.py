"""Notebook 07 exercises: ``grad`` as a function transform.

ex1  ``grad(f, argnum=0)`` returning a function: wrap the arguments in
     Values, call f, require a scalar (Value) output -- otherwise raise a
     ``TypeError`` that names ``elementwise_grad`` or ``jacobian`` -- run
     backward and return d f / d args[argnum] as a plain float.
ex2  ``train_logistic(inputs, targets, steps=100, lr=0.01) -> weights``:
     gradient descent from zero weights on the summed loss
     -Σ log p(target) (see ``logistic_loss``).
ex3  ``tolerance``: a number such that ``grad(taylor_sine)(π)`` with that
     stopping tolerance is within 1e-6 of cos π = -1.
"""

import math

from ..engine import Value, gradients
from ._common import as_number, call_student, central_difference, close, fail, fmt, passed, student_rng
from ._programs import LOGISTIC_INPUTS, LOGISTIC_TARGETS, logistic_loss, random_function

__all__ = ["check_grad_impl", "check_logistic_regression", "check_taylor_tolerance", "taylor_sine",
           "logistic_loss", "LOGISTIC_INPUTS", "LOGISTIC_TARGETS"]


def check_grad_impl(grad, cases=20):
    """ex1: random functions of 1-3 arguments (every argnum) vs central differences; the error case."""
    ex = "nb07_ex1"
    rng = student_rng(ex)
    for k in range(cases):
        n = rng.randint(1, 3)
        f = random_function(rng, n, n_ops=6, unary=("sin", "tanh", "cos"))
        args = [round(rng.uniform(-1.5, 1.5), 3) for _ in range(n)]
        for i in range(n):
            df = call_student(ex, grad, f, i, what="grad") if i else call_student(ex, grad, f, what="grad")
            if not callable(df):
                fail(ex, f"grad(f) should return a function, got {type(df).__name__}")
            got = call_student(ex, df, *args, what="grad(f)")
            if isinstance(got, Value):
                fail(ex, "grad(f)(...) returned a Value; return the plain number (the .grad of the input)")
            got = as_number(ex, got, "grad(f)(...)")
            expected = central_difference(f, args, i, 1e-6)
            if not close(got, expected, 1e-5, 1e-7):
                hint = "wrap every argument in a Value, call f, backward, return args[argnum]'s .grad"
                others = [j for j in range(n) if j != i and
                          close(got, central_difference(f, args, j, 1e-6), 1e-5, 1e-7)]
                if others:
                    hint = f"that is the derivative wrt argument {others[0]}: use argnum"
                elif close(got, f(*args), 1e-9, 1e-12):
                    hint = "you returned f's value, not its derivative"
                fail(ex, f"random function #{k + 1} at {args}, argnum={i}: got {fmt(got)}, central "
                         f"difference {fmt(expected)}", hint)
    try:
        grad(lambda x: [x, x * x])(1.0)
    except TypeError as err:
        text = str(err)
        if "elementwise_grad" not in text and "jacobian" not in text:
            fail(ex, f"non-scalar output: your TypeError says {text!r}",
                 "say what to use instead: elementwise_grad or jacobian")
    except Exception as err:
        fail(ex, f"non-scalar output raised {type(err).__name__}: {err}",
             "check the output first and raise TypeError naming elementwise_grad / jacobian")
    else:
        fail(ex, "grad(f) of a function returning a list raised nothing",
             "grad needs a scalar output: raise TypeError that suggests elementwise_grad or jacobian")
    return passed(ex, f"grad right on {cases} random functions (every argnum) and refuses non-scalar outputs")


# -- ex2 ------------------------------------------------------------------------
def _descend(steps, lr, mean=False):
    """Reference gradient descent (engine gradients), returning the weights after each step."""
    weights = [0.0, 0.0, 0.0]
    history = [list(weights)]
    for _ in range(steps):
        ws = [Value(w) for w in weights]
        g = gradients(logistic_loss(ws, mean=mean), ws)
        weights = [w - lr * g[v] for w, v in zip(weights, ws)]
        history.append(list(weights))
    return history


def check_logistic_regression(train_logistic, steps=100, lr=0.01):
    """ex2: the loss after 100 steps at lr 0.01 must be within 1e-6 of the reference (1.067271)."""
    ex = "nb07_ex2"
    got = call_student(ex, train_logistic, [list(r) for r in LOGISTIC_INPUTS], list(LOGISTIC_TARGETS),
                       steps, lr, what="train_logistic")
    if not isinstance(got, (list, tuple)) or len(got) != 3:
        fail(ex, f"train_logistic should return the 3 weights, got {got!r}")
    weights = [as_number(ex, w, "a weight") for w in got]
    loss = logistic_loss(weights)
    history = _descend(steps, lr)
    expected = logistic_loss(history[-1])
    if abs(loss - expected) > 1e-6:
        hint = "start from zero weights; each step: weights -= lr * gradient of the summed loss"
        start = logistic_loss([0.0, 0.0, 0.0])
        if loss > start:
            hint = "the loss went up: subtract the gradient (weights -= lr * g)"
        else:
            for k, w in enumerate(history):
                if abs(logistic_loss(w) - loss) < 1e-9 and k != steps:
                    hint = f"your weights match {k} steps, not {steps}"
            mean = _descend(steps, lr, mean=True)[-1]
            if abs(logistic_loss(mean) - loss) < 1e-9:
                hint = "you descended on the mean loss; the exercise uses the sum over examples"
        fail(ex, f"loss after {steps} steps is {loss:.6f}, expected {expected:.6f} "
                 f"(it starts at {start_loss():.6f})", hint)
    return passed(ex, f"loss {expected:.6f} after {steps} steps (start {start_loss():.6f})")


def start_loss():
    return logistic_loss([0.0, 0.0, 0.0])


# -- ex3 ------------------------------------------------------------------------
def taylor_sine(x, tol=1e-3, max_terms=1000):
    """sin x as a Taylor series that stops when a term falls below ``tol``.

    Written with a data-dependent ``while`` loop on purpose: autodiff follows
    whichever iterations actually ran.
    """
    ans = term = x
    i = 0
    while abs(term) > tol:
        if i >= max_terms:
            raise ValueError(f"taylor_sine did not converge in {max_terms} terms (tol={tol})")
        term = -term * x * x / ((2 * i + 3) * (2 * i + 2))
        ans = ans + term
        i += 1
    return ans


def check_taylor_tolerance(tolerance):
    """ex3: grad(taylor_sine)(π) with the student's tolerance is within 1e-6 of -1."""
    ex = "nb07_ex3"
    tol = as_number(ex, tolerance, "tolerance")
    if not tol > 0:
        fail(ex, f"tolerance={fmt(tol)}: the loop needs a positive tolerance to stop on")
    x = Value(math.pi)
    try:
        y = taylor_sine(x, tol)
    except ValueError as err:
        fail(ex, str(err))
    d = gradients(y, [x])[x]
    if abs(d + 1) > 1e-6:
        fail(ex, f"with tol={tol:g}, grad(taylor_sine)(π) = {d:.9f}, {abs(d + 1):.1e} away from -1",
             "autodiff differentiates the program: a truncated series has a truncated derivative. "
             "Make the tolerance smaller so more terms run")
    return passed(ex, f"tol={tol:g}: grad(taylor_sine)(π) = {d:.9f}")
