"""Checkers of notebook 08: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import pytest
from exhelp import S, fails

from tinygrad_edu import engine
from tinygrad_edu.engine import Value, gradients
from tinygrad_edu.exercises import ExerciseFailed, check_softplus_primitive, check_trace_order, check_vjp_table
from tinygrad_edu.exercises import nb08
from tinygrad_edu.exercises._exercise import to_wire


def _failure(checker, *args, **kwargs):
    with pytest.raises(ExerciseFailed) as info:
        checker(*args, **kwargs)
    return info.value


def test_vjp_table():
    assert check_vjp_table(S.vjp_table)
    T = S.vjp_table
    fails(check_vjp_table, dict(T, **{"*": lambda g, ans, x, y: (g * x, g * y)}),
          match=["*: cotangent for input 0 (x)", "partials swapped"])
    fails(check_vjp_table, dict(T, tanh=lambda g, ans, x: (g * (1 - x * x),)),
          match=["tanh", "used the input x where the output ans belongs"])
    fails(check_vjp_table, dict(T, relu=lambda g, ans, x: (float(x > 0),)), match=["relu", "incoming cotangent g"])
    fails(check_vjp_table, dict(T, **{"+": lambda g, ans, x, y: (g,)}), match="tuple of 2 cotangent(s)")
    fails(check_vjp_table, dict(T, **{"**": lambda g, ans, x, y: (g * y * x ** (y - 1), 0.0)}),
          match="cotangent for input 1 (y)")
    fails(check_vjp_table, {k: v for k, v in T.items() if k != "log"}, match="no VJP for 'log'")


def test_vjp_table_gives_partial_credit_per_op_and_names_finite_differences():
    T = S.vjp_table
    err = _failure(check_vjp_table, dict(T, sin=lambda g, ans, x: (-g * math.cos(x),)))
    assert err.earned == pytest.approx(8 / 9) and "8 of 9 ops right" in str(err)
    fd = dict(T, exp=lambda g, ans, x: (g * (math.exp(x + 1e-4) - math.exp(x - 1e-4)) / 2e-4,))
    assert "finite differences" in _failure(check_vjp_table, fd).hint


def test_softplus_primitive():
    assert check_softplus_primitive(S.softplus, S.softplus_vjp)
    naive = lambda x: math.log(1 + math.exp(x))                       # noqa: E731
    naive_vjp = lambda g, ans, x: g * math.exp(x) / (1 + math.exp(x))   # noqa: E731
    fails(check_softplus_primitive, naive, S.softplus_vjp, match=["softplus(800", "OverflowError", "log1p"])
    fails(check_softplus_primitive, S.softplus, naive_vjp, match=["softplus_vjp at x=800", "OverflowError"])
    fails(check_softplus_primitive, S.softplus, lambda g, ans, x: S.softplus_vjp(1.0, ans, x),
          match="incoming cotangent g")


def test_softplus_log_instead_of_log1p_gets_the_stable_formula_not_the_unstable_one():
    # Issue 18: the old hint answered this mistake with "softplus(x) = log(1 + eˣ)".
    def log_not_log1p(x):
        return max(x, 0.0) + math.log(1 + math.exp(-abs(x)))
    err = _failure(check_softplus_primitive, log_not_log1p, S.softplus_vjp)
    assert "log1p" in err.hint and "rounds off" in err.hint
    assert "max(x, 0) + log1p(exp(-|x|))" in err.hint
    assert "= log(1 + e" not in err.hint
    assert err.earned == 0.5                     # the VJP part is right


def test_a_part_that_raises_costs_only_its_own_credit():
    def not_written(*args):
        raise NotImplementedError()

    err = _failure(check_vjp_table, dict(S.vjp_table, sin=not_written))
    assert "vjp_table['sin'] is not written yet" in str(err) and err.earned == pytest.approx(8 / 9)
    stub = {op: (S.vjp_table["+"] if op == "+" else not_written) for op in S.vjp_table}
    assert _failure(check_vjp_table, stub).kind == "not-attempted"      # the notebook's stub
    err = _failure(check_softplus_primitive, S.softplus, not_written)
    assert "softplus_vjp is not written yet" in str(err) and err.earned == 0.5


def test_softplus_cases_reach_the_tails_and_differ_per_student():
    a, b = nb08.EX2.make_cases("alice"), nb08.EX2.make_cases("bob")
    assert a != b and a == nb08.EX2.make_cases("alice")
    xs = [x for x, _, _ in a]
    assert {-800.0, 800.0} <= set(xs) and sum(-40 < x < -15 for x in xs) >= 3 and max(xs) > 709


def test_softplus_of_the_library_is_not_an_answer():
    fails(check_softplus_primitive, engine.softplus, S.softplus_vjp, match="write your own")


def test_trace_order():
    assert check_trace_order(S.trace_prediction)
    assert check_trace_order(["mul", "sin", "add"])
    fails(check_trace_order, ["+", "sin", "*"], match="that is the backward order")
    fails(check_trace_order, ["sin", "*", "+"], match="right ops, wrong order")
    fails(check_trace_order, ["*", "+"], match="the trace has 3 primitive ops")
    fails(check_trace_order, ["**", "sin", "+"], match=["item(s) [1]", "not a power"])


def test_trace_order_hides_the_trace_unless_asked():
    # Issue 18/12: a predict exercise must not print the true answer on a wrong try.
    for wrong in (["+", "sin", "*"], ["sin", "*", "+"], ["*", "+"], ["x", "*", "sin", "+"], ["**", "sin", "+"]):
        text = str(_failure(check_trace_order, wrong))
        assert "['*', 'sin', '+']" not in text and "reveal=True" in text
    text = str(_failure(check_trace_order, ["sin", "*", "+"], reveal=True))
    assert "the trace is ['*', 'sin', '+']" in text


def test_trace_order_of_another_function():
    assert check_trace_order(["*", "exp"], f=lambda x: (x * 2).exp())
    fails(check_trace_order, ["exp", "*"], f=lambda x: (x * 2).exp(), match="in reverse")


def test_probes_report_plain_data_and_judges_never_call_the_student():
    cases = nb08.EX1.make_cases("carol")
    seen = nb08.EX1.observe(cases, S.vjp_table)
    to_wire(seen)                                # plain data only
    # A forged observation (right shape, wrong numbers) is judged on its numbers alone.
    forged = {op: [[0.0] * len(row) for row in rows] for op, rows in seen.items()}
    with pytest.raises(ExerciseFailed):
        nb08.EX1.verdict(cases, forged)
    assert nb08.EX1.verdict(cases, seen)


def test_trace_numbers():
    x = Value(1.5)
    f = (x * x).sin() + x
    assert abs(f.data - 2.278073) < 1e-6 and abs(gradients(f, [x])[x] - (-0.884521)) < 1e-6


def test_trace_order_stub_is_not_attempted():
    assert _failure(check_trace_order, None).kind == "not-attempted"
