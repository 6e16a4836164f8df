"""Checkers of notebook 09: pass on the solutions, fail on typical wrong answers with the right hint."""

import copy
import math

import pytest
from exhelp import S, fails

from tinygrad_edu import Dual as LibraryDual
from tinygrad_edu.engine import Value, gradients
from tinygrad_edu.exercises import (MODE_SHAPES, ExerciseFailed, check_dual, check_jacobians,
                                    check_mode_prediction)
from tinygrad_edu.exercises import nb09
from tinygrad_edu.exercises._exercise import to_wire


def _failure(checker, *args, **kwargs):
    with pytest.raises(ExerciseFailed) as info:
        checker(*args, **kwargs)
    return info.value


class BadProduct(S.Dual):
    def __mul__(self, o):
        o = self._lift(o)
        return S.Dual(self.value * o.value, self.tangent * o.tangent)
    __rmul__ = __mul__


class NoRsub(S.Dual):
    __rsub__ = None


class SinWithSin(S.Dual):
    def sin(self):
        return S.Dual(math.sin(self.value), math.sin(self.value) * self.tangent)


def test_dual():
    assert check_dual(S.Dual)
    fails(check_dual, BadProduct, match=["tangent", "the tangent of a * b is wrong", "product rule"])
    fails(check_dual, NoRsub, match=["2 - x", "TypeError", "__rsub__"])
    fails(check_dual, SinWithSin, match="the tangent of a.sin() is wrong")
    fails(check_dual, LibraryDual, match="write your own")


def test_dual_is_judged_in_the_parent_from_the_numbers_the_probe_reports():
    # Issue 12: the probe runs the expressions with the student's class and reports numbers;
    # the judge computes reverse mode itself.
    cases = nb09.EX1.make_cases("dana")
    seen = nb09.EX1.observe(cases, S.Dual)
    to_wire(seen)
    assert nb09.EX1.verdict(cases, seen)
    forged = copy.deepcopy(seen)
    forged["exprs"][3][1]["tangent"] += 1e-6
    with pytest.raises(ExerciseFailed, match="reverse mode gives"):
        nb09.EX1.verdict(cases, forged)
    # several random points per expression, different for two students
    assert all(len(spec["xs"]) == 3 for spec in cases["exprs"])
    assert cases != nb09.EX1.make_cases("eve")


def test_dual_numbers():
    d = S.Dual(2.0, 1.0)
    y = d * d * d.sin()
    assert abs(y.value - 3.637190) < 1e-6 and abs(y.tangent - 1.972602) < 1e-6   # CURRICULUM NB09


def _forward_differences(F, x, h=1e-6):
    """n + 1 calls of F on plain numbers, no dual numbers: not forward mode."""
    base = F(list(x))
    columns = []
    for j in range(len(x)):
        up = list(x); up[j] += h
        columns.append([(a - b) / h for a, b in zip(F(up), base)])
    return [[c[i] for c in columns] for i in range(len(base))]


def _central_differences_on_duals(F, x, h=6e-6):
    """Finite differences dressed up as Duals (tangent 0): F sees Duals, the numbers are still inexact."""
    columns = []
    for j in range(len(x)):
        up = [S.Dual(v) for v in x]; up[j] = S.Dual(x[j] + h)
        down = [S.Dual(v) for v in x]; down[j] = S.Dual(x[j] - h)
        columns.append([(a.value - b.value) / (2 * h) for a, b in zip(F(up), F(down))])
    return [[c[i] for c in columns] for i in range(len(columns[0]))]


def test_jacobians():
    assert check_jacobians(S.jacobian_fwd, S.jacobian_rev)

    def transposed_fwd(F, x):
        J = S.jacobian_fwd(F, x)
        return [list(col) for col in zip(*J)]

    def entrywise_rev(F, x):     # one backward sweep per entry: m·n sweeps
        rows = []
        for i in range(len(F([Value(v) for v in x]))):
            row = []
            for j in range(len(x)):
                xs = [Value(v) for v in x]
                out = F(xs)[i]
                row.append(gradients(out, [xs[j]])[xs[j]])
            rows.append(row)
        return rows

    fails(check_jacobians, transposed_fwd, S.jacobian_rev, match=["transposed", "row i must be output i"])
    fails(check_jacobians, S.jacobian_rev, S.jacobian_rev, match="jacobian_fwd ran 3 reverse sweep(s)")
    fails(check_jacobians, S.jacobian_fwd, entrywise_rev, match=["jacobian_rev ran 6 reverse sweep(s) for m=3"])
    fails(check_jacobians, S.jacobian_fwd, S.jacobian_fwd, match="jacobian_rev ran 0 reverse sweep(s)")


def test_jacobian_fwd_by_finite_differences_fails_and_is_named():
    # Issue 18: forward differences (n + 1 calls of F, no dual numbers) used to pass.
    err = _failure(check_jacobians, _forward_differences, S.jacobian_rev)
    assert "finite differences" in err.hint and err.earned == 0.5
    err = _failure(check_jacobians, _central_differences_on_duals, S.jacobian_rev)
    assert "finite differences" in str(err)


def test_jacobian_judge_reads_the_calls_the_probe_counted():
    cases = nb09.EX2.make_cases("frank")
    seen = nb09.EX2.observe(cases, S.jacobian_fwd, S.jacobian_rev)
    to_wire(seen)
    assert nb09.EX2.verdict(cases, seen)
    assert all(call == ["Dual"] for got in seen["fwd"] for call in got["calls"])
    numbers_only = copy.deepcopy(seen)
    for got in numbers_only["fwd"]:
        got["calls"] = [["number"]] * (got["ncalls"] + 1)
    with pytest.raises(ExerciseFailed, match="finite differences"):
        nb09.EX2.verdict(cases, numbers_only)
    too_many = copy.deepcopy(seen)
    too_many["fwd"][0]["ncalls"] = 2 * cases[0]["n"] + 1
    with pytest.raises(ExerciseFailed, match="called F 5 times"):
        nb09.EX2.verdict(cases, too_many)
    # several random points per shape
    assert len({tuple(c["x"]) for c in cases}) == len(cases) == 2 * len(nb09.JACOBIAN_SHAPES)


def test_jacobians_one_part_raising_keeps_the_other_parts_credit():
    def stub(F, x):
        raise NotImplementedError()

    err = _failure(check_jacobians, S.jacobian_fwd, stub)
    assert "jacobian_rev is not written yet" in str(err) and err.earned == 0.5
    err = _failure(check_jacobians, stub, stub)          # nothing written: not attempted, no credit
    assert err.kind == "not-attempted" and err.earned == 0


def test_mode_prediction():
    assert check_mode_prediction(S.mode_predictions, {s: s for s in MODE_SHAPES})
    fails(check_mode_prediction, {s: "reverse" for s in MODE_SHAPES},
          match=["2 prediction(s) wrong", "(1 inputs, 100 outputs)", "backprop is not always cheaper"])
    fails(check_mode_prediction, {s: "forward" for s in MODE_SHAPES}, match="3 prediction(s) wrong")
    fails(check_mode_prediction, S.mode_predictions, {s: (s[1], s[0]) for s in MODE_SHAPES},
          match="measured sweeps for (100, 1): (1, 100), expected (100, 1)")
    fails(check_mode_prediction, dict(S.mode_predictions) | {(100, 1): "backprop"}, match="answer 'forward' or 'reverse'")


def test_mode_prediction_hides_the_answers_unless_asked_and_gives_partial_credit():
    # Issue 18/12: the old failure said "so forward is cheaper" for every wrong shape.
    err = _failure(check_mode_prediction, {s: "reverse" for s in MODE_SHAPES})
    assert "forward is cheaper" not in str(err) and "reverse is cheaper" not in str(err)
    assert err.earned == pytest.approx(3 / 5) and "reveal=True" in err.hint
    err = _failure(check_mode_prediction, {s: "reverse" for s in MODE_SHAPES}, reveal=True)
    assert "(1 inputs, 100 outputs) is wrong: forward is cheaper" in str(err)
    err = _failure(check_mode_prediction, {str(s): "reverse" for s in MODE_SHAPES})
    assert "'reverse'" not in err.hint.replace("'forward' or 'reverse'", "")


def test_mode_prediction_stub_is_not_attempted():
    err = _failure(check_mode_prediction, {s: None for s in MODE_SHAPES})
    assert err.kind == "not-attempted"
