"""Classic mistakes for notebook 08's exercises (see test_mistakes.py)."""

import math

from exhelp import Mistake, S

from tinygrad_edu import engine

T = S.vjp_table


def _vjps(**changed):
    """The answer key's VJP table with some ops replaced (keys like "*" go through a dict)."""
    return dict(T, **changed)


def _central_difference_vjp(op_fn):
    """A VJP built from a central difference: close, not exact."""
    def vjp(g, ans, x):
        h = 1e-4
        return (g * (op_fn(x + h) - op_fn(x - h)) / (2 * h),)
    return vjp


def _naive_softplus(x):
    return math.log(1 + math.exp(x))


def _log_not_log1p(x):
    return max(x, 0.0) + math.log(1 + math.exp(-abs(x)))


def _relu_only(x):
    return max(x, 0.0)


def _naive_vjp(g, ans, x):
    return g * math.exp(x) / (1 + math.exp(x))


def _vjp_without_g(g, ans, x):
    return S.softplus_vjp(1.0, ans, x)


def _vjp_is_softplus(g, ans, x):
    return g * ans


def _vjp_sign_slip(g, ans, x):
    return S.softplus_vjp(g, ans, -x)


def _vjp_of_ans(g, ans, x):
    return S.softplus_vjp(g, ans, ans)


MISTAKES = [
    # ex1: the VJP table
    Mistake("nb08_ex1", "partials swapped in *", _vjps(**{"*": lambda g, ans, x, y: (g * x, g * y)}),
            named="partials swapped"),
    Mistake("nb08_ex1", "tanh with x for ans", _vjps(tanh=lambda g, ans, x: (g * (1 - x * x),)),
            named="used the input x where the output ans belongs"),
    Mistake("nb08_ex1", "relu without g", _vjps(relu=lambda g, ans, x: (float(x > 0),)),
            named="incoming cotangent g"),
    Mistake("nb08_ex1", "no cotangent for the exponent",
            _vjps(**{"**": lambda g, ans, x, y: (g * y * x ** (y - 1), 0.0)}), named="the exponent y is an input too"),
    Mistake("nb08_ex1", "sigmoid sign slip", _vjps(sigmoid=lambda g, ans, x: (g * ans * (1 + ans),)),
            named="sign slip"),
    Mistake("nb08_ex1", "sin with a minus", _vjps(sin=lambda g, ans, x: (-g * math.cos(x),)), named="sign slip"),
    Mistake("nb08_ex1", "log multiplies by x", _vjps(log=lambda g, ans, x: (g * x,)), named="divide g by x"),
    Mistake("nb08_ex1", "exp with x for ans", _vjps(exp=lambda g, ans, x: (g * x,)),
            named="used the input x where the output ans belongs"),
    Mistake("nb08_ex1", "+ returns one cotangent", _vjps(**{"+": lambda g, ans, x, y: (g,)}),
            named="tuple of 2 cotangent(s)"),
    Mistake("nb08_ex1", "finite differences for tanh", _vjps(tanh=_central_difference_vjp(math.tanh)),
            named="finite differences"),
    Mistake("nb08_ex1", "power rule without the exponent drop",
            _vjps(**{"**": lambda g, ans, x, y: (g * x ** (y - 1), g * ans * math.log(x))}), named="power rule"),
    Mistake("nb08_ex1", "missing op", {k: v for k, v in T.items() if k != "log"}, named="no VJP for 'log'"),
    # ex2: a stable softplus
    Mistake("nb08_ex2", "log(1 + exp(x))", _naive_softplus, S.softplus_vjp, named=["OverflowError", "log1p"]),
    Mistake("nb08_ex2", "log instead of log1p", _log_not_log1p, S.softplus_vjp, named=["rounds off", "log1p"]),
    Mistake("nb08_ex2", "relu for softplus", _relu_only, S.softplus_vjp, named="that is relu"),
    Mistake("nb08_ex2", "the library's softplus", engine.softplus, S.softplus_vjp, named="write your own"),
    Mistake("nb08_ex2", "naive sigmoid in the VJP", S.softplus, _naive_vjp, named=["OverflowError", "stable sigmoid"]),
    Mistake("nb08_ex2", "VJP without g", S.softplus, _vjp_without_g, named="incoming cotangent g"),
    Mistake("nb08_ex2", "VJP is softplus itself", S.softplus, _vjp_is_softplus, named="the function itself"),
    Mistake("nb08_ex2", "VJP sign slip σ(-x)", S.softplus, _vjp_sign_slip, named="sign slip"),
    Mistake("nb08_ex2", "VJP of ans instead of x", S.softplus, _vjp_of_ans,
            named="used the output ans where the input x belongs"),
    # ex3: predict the tape
    Mistake("nb08_ex3", "backward order", ["+", "sin", "*"], named="backward order"),
    Mistake("nb08_ex3", "sin first", ["sin", "*", "+"], named="wrong order"),
    Mistake("nb08_ex3", "forgot + x", ["*", "sin"], named="you missed one"),
    Mistake("nb08_ex3", "the leaf x listed", ["x", "*", "sin", "+"], named="leaves"),
    Mistake("nb08_ex3", "x·x as a power", ["**", "sin", "+"], named="not a power"),
    Mistake("nb08_ex3", "not a list", "* sin +", named="should be a list"),
]
