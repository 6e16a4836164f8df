"""Checkers of notebook 12 (your own engine): pass on the answer key, fail on wrong engines with the right hint."""

import math
import random

import pytest

import mistakes_nb12                      # the classic wrong answers, written once
from exhelp import S, fails

from tinygrad_edu import Value
from tinygrad_edu.exercises import ExerciseFailed, check_my_backward, check_my_value, compare_engines, nb12
from tinygrad_edu.exercises._exercise import to_wire


class _Stub:
    """The notebook's starting point: __init__ and __add__ given, every other op still to write."""

    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, _Stub) else _Stub(other)
        out = _Stub(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other): raise NotImplementedError()
    def __pow__(self, k): raise NotImplementedError()
    def __neg__(self): raise NotImplementedError()
    def __sub__(self, other): raise NotImplementedError()
    def __radd__(self, other): raise NotImplementedError()
    def __rmul__(self, other): raise NotImplementedError()
    def __rsub__(self, other): raise NotImplementedError()
    def tanh(self): raise NotImplementedError()
    def exp(self): raise NotImplementedError()


@pytest.fixture
def engine():
    """The answer key's MyValue with its backward attached, as the notebook does."""
    S.MyValue.backward = S.my_backward
    yield S.MyValue
    del S.MyValue.backward


def test_the_answer_key_passes():
    assert check_my_value(S.MyValue)
    assert check_my_backward(S.my_backward)
    assert check_my_value(S.MyValue, student_id="alice")


def test_compare_engines_agrees_with_the_key_and_names_a_wrong_node(capsys, engine):
    assert compare_engines(engine) is True
    assert "✓ your engine agrees with tinygrad_edu" in capsys.readouterr().out

    def no_reset(self):                     # the lecture's backward: nothing reset between calls
        order = nb12._order(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
    engine.backward = no_reset
    assert compare_engines(engine) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ your engine differs from tinygrad_edu on the diamond f = (x·y)·(x+y), backward() twice")
    assert "s.grad = 12, expected 6" in out


def test_compare_engines_never_raises_on_an_unfinished_engine(capsys, monkeypatch):
    assert compare_engines(_Stub) is False
    assert "_Stub has no backward() yet" in capsys.readouterr().out

    def backward(self):
        raise NotImplementedError()
    monkeypatch.setattr(_Stub, "backward", backward, raising=False)
    assert compare_engines(_Stub) is False
    assert "could not run b = a + a: a part of it is not written yet" in capsys.readouterr().out


def test_the_untouched_stubs_are_not_attempted():
    with pytest.raises(ExerciseFailed) as info:
        check_my_value(_Stub)
    assert info.value.kind == "not-attempted" and "__mul__ is not written yet" in str(info.value)

    def my_backward(self):
        raise NotImplementedError()
    with pytest.raises(ExerciseFailed) as info:
        check_my_backward(my_backward)
    assert info.value.kind == "not-attempted"


def test_a_half_written_class_names_the_first_missing_op():
    class Half(_Stub):
        def __mul__(self, other):
            other = other if isinstance(other, _Stub) else _Stub(other)
            out = _Stub(self.data * other.data, (self, other), "*")

            def _backward():
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad
            out._backward = _backward
            return out
    with pytest.raises(ExerciseFailed) as info:
        check_my_value(Half)
    assert info.value.kind == "fail" and "your __neg__ is not written yet" in str(info.value)


def test_the_library_itself_is_refused():
    fails(check_my_value, Value, match="tinygrad_edu's own Value")
    fails(check_my_backward, Value.backward, match="tinygrad_edu's own backward")


def test_cases_are_plain_data_reproducible_and_per_student():
    for ex in nb12.EXERCISES:
        a, b = ex.make_cases("alice"), ex.make_cases("alice")
        assert to_wire(a) == to_wire(b)
        assert to_wire(a) != to_wire(ex.make_cases("bob"))
    scenarios = nb12.EX2.make_cases(None)
    assert scenarios[-1]["spec"] == {"inputs": [0.5], "chain": 3000}
    assert {s["passes"] for s in scenarios} == {1, 2}
    assert any(s["start"] is not None for s in scenarios)


def test_the_traps_hold_the_museums_numbers(engine):
    """Hand-computed: d(a+a)/da = 2; the diamond at (2, 3): 21 and 16; shared parents: 25, 19; c = b+b: 4."""
    expected = {"a + a": [2.0], "a * a": [-3.0], "diamond": [21.0, 16.0], "shared parents": [25.0, 19.0],
                "double edge": [4.0]}
    for name, grads in expected.items():
        nodes = nb12._evaluate(nb12.TRAPS[name], engine)
        nodes[-1].backward()
        assert [n.grad for n in nodes[:len(grads)]] == grads, name


def test_the_key_agrees_with_central_differences_on_random_expressions(engine):
    """An oracle that shares nothing with either backward: the engine's forward values, nudged."""
    rng = random.Random(7)
    for _ in range(30):
        spec = nb12._random_spec(rng)
        nodes = nb12._evaluate(spec, engine)
        nodes[-1].backward()
        for i in range(len(spec["inputs"])):
            def f(v):
                inputs = list(spec["inputs"]); inputs[i] = v
                return nb12._evaluate(dict(spec, inputs=inputs), Value)[-1].data
            h = 1e-6
            slope = (f(spec["inputs"][i] + h) - f(spec["inputs"][i] - h)) / (2 * h)
            assert math.isclose(nodes[i].grad, slope, rel_tol=1e-5, abs_tol=1e-6), (spec, i)


def test_a_deep_chain_needs_no_recursion(engine):
    nodes = nb12._evaluate(nb12.TRAPS["chain"], engine)
    assert len(nodes) == 3001
    nodes[-1].backward()
    assert math.isclose(nodes[0].grad, 1.0001 ** 1500, rel_tol=1e-12)


def test_a_recursive_topological_sort_fails_only_on_the_chain():
    recursive = mistakes_nb12._recursive        # a recursive topological sort
    scenarios = nb12.EX2.make_cases(None)
    short = scenarios[:-1]
    assert nb12.EX2.verdict(short, nb12.EX2.observe(short, recursive))
    fails(check_my_backward, recursive, match=["recursion limit", "explicit stack"])


def test_a_wrong_gradient_in_an_expression_names_the_node_and_the_lost_contribution():
    cases = nb12.EX1.make_cases(None)
    seen = nb12.EX1.observe(cases, S.MyValue)
    k = next(i for i, c in enumerate(cases) if c["spec"] == nb12.TRAPS["diamond"])
    seen[k]["grad"][0] = 15.0             # x kept only what p = x*y sent (y·s = 15): the 6 from s was lost
    with pytest.raises(ExerciseFailed) as info:
        nb12.EX1.verdict(cases, seen)
    text = str(info.value)
    assert "first wrong gradient from the root back is x's: got 15, expected 21" in text
    assert "+= instead of =" in text
    seen[k]["grad"][0] = 21.0
    seen[k]["data"][2] = 5.0              # p = x * y is 6
    with pytest.raises(ExerciseFailed, match=r"p = x \* y has data 5, expected 6"):
        nb12.EX1.verdict(cases, seen)


def test_tampered_observations_fail():
    cases = nb12.EX1.make_cases(None)
    with pytest.raises(ExerciseFailed, match="tampered"):
        nb12.EX1.verdict(cases, [])
    seen = nb12.EX1.observe(cases, S.MyValue)
    seen[0]["grad"] = seen[0]["grad"][:1]
    with pytest.raises(ExerciseFailed, match="tampered"):
        nb12.EX1.verdict(cases, seen)
    scenarios = nb12.EX2.make_cases(None)
    seen = nb12.EX2.observe(scenarios, S.my_backward)
    seen[0] = [[1.0]]
    with pytest.raises(ExerciseFailed, match="tampered"):
        nb12.EX2.verdict(scenarios, seen)
