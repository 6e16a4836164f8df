"""The faulty-node finder: every engine rule passes; wrong rules are found, node by node."""


import pytest

from tinygrad_edu import engine
from tinygrad_edu.diagrams import chain_rule
from tinygrad_edu.engine import Value
from tinygrad_edu.nodecheck import check_nodes, draw_faulty, FORWARDS


def every_op(x, y):
    e = engine
    terms = [x + y, x - y, x * y, x / y, x ** y, x ** 3, -x, e.exp(x), e.log(x), e.sqrt(x),
             e.sin(x), e.cos(x), e.tan(x), e.tanh(x), e.arctan(x), e.sinh(x), e.cosh(x),
             e.log1p(x), e.expm1(x), e.sigmoid(x), e.softplus(x), e.relu(x), e.leaky_relu(-x),
             abs(-x), 2 / x, 3 - x, e.log2(x), e.log10(x), e.exp2(x), e.arcsin(x), e.arccos(x),
             e.arcsinh(x), e.arccosh(y), e.arctanh(x), e.sinc(x)]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def test_every_engine_rule_agrees_with_central_differences():
    report = check_nodes(every_op(Value(0.7, label="x"), Value(1.3, label="y")))
    assert report.ok and not report.faulty
    ops = {r.node.op for r in report.results}
    assert set(FORWARDS) - {"real", "imag"} <= ops        # every real op was exercised
    assert {r.status for r in report.results} == {"ok"}


def test_complex_rules_follow_the_engine_convention():
    z = Value(1 + 2j, label="z")
    w = abs(engine.exp(z) * z) + engine.imag(engine.sin(z)) + engine.real(z * z)
    report = check_nodes(w)
    assert report.ok and {r.status for r in report.results} == {"ok"}


def test_swapped_mul_rule_is_found_and_named():
    L = chain_rule()
    e = next(n for n in engine.topological_order(L) if n.label == "e")
    report = check_nodes(L, rules={"*": lambda out, x, y: (x, y)})
    assert not report.ok
    assert set(report.faulty) == {e, L}                    # the + node is fine
    msg = report.faulty[e]
    assert "∂e/∂a" in msg and "rule gives 3, numeric -2" in msg and "swapped" in msg
    assert "faulty node(s)" in str(report)
    picture = report.draw().source
    assert picture.count("faulty") >= 2 and "rule 3 ≠ numeric -2" in picture
    assert "#dc2626" in picture
    assert draw_faulty(L, rules={"*": lambda out, x, y: (x, y)}).source == picture


def test_a_wrong_tanh_rule_marks_only_tanh_nodes():
    x = Value(0.4, label="x")
    t = engine.tanh(x * 2.0); t.label = "t"
    out = t * t + x
    report = check_nodes(out, rules={"tanh": lambda o, v: (1.0 - o,)})   # forgot the square
    assert list(report.faulty) == [t]
    good = check_nodes(out)
    assert good.ok


def test_kinks_are_reported_as_kinks_not_as_wrong():
    x = Value(0.0, label="x")
    report = check_nodes(engine.relu(x) + abs(x))
    assert report.ok
    assert [r.status for r in report.results if r.node.op in ("relu", "abs")] == ["kink", "kink"]


def test_constants_are_not_checked():
    x = Value(2.0, label="x")
    report = check_nodes(x ** 3)                # the exponent 3 is a constant
    assert [(r.operand, r.status) for r in report.results] == [(0, "ok")]


def test_custom_op_needs_a_forward_and_then_is_checked():
    x = Value(1.5, label="x")
    cube_right = lambda out, v: (3 * v * v,)
    cube_wrong = lambda out, v: (2 * v,)
    y = Value(x.data ** 3, (x,), "cube", cube_right)
    skipped = check_nodes(y)
    assert skipped.ok and skipped.results[0].status == "skipped"
    assert "forwards={'cube': f}" in skipped.results[0].message
    assert check_nodes(y, forwards={"cube": lambda v: v ** 3}).results[0].status == "ok"
    z = Value(x.data ** 3, (x,), "cube", cube_wrong)
    bad = check_nodes(z, forwards={"cube": lambda v: v ** 3})
    assert not bad.ok and "rule gives 3, numeric 6.75" in bad.faulty[z]


def test_broken_rules_are_reported_not_raised():
    x, y = Value(1.0), Value(2.0)
    r = check_nodes(x * y, rules={"*": lambda o, a, b: (a,)})
    assert "returned 1 derivative(s) for 2 operand(s)" in r.results[0].message
    r = check_nodes(x * y, rules={"*": lambda o, a, b: 1 / 0})
    assert "raised ZeroDivisionError" in r.results[0].message and not r.ok


def test_bad_arguments():
    x = Value(1.0)
    with pytest.raises(TypeError, match="check_nodes needs a Value"):
        check_nodes(1.0)
    with pytest.raises(TypeError, match="rules must be a dict"):
        check_nodes(x * 2, rules=[("*", None)])
    with pytest.raises(TypeError, match=r"rules\['\*'\] must be callable"):
        check_nodes(x * 2, rules={"*": 3})
    with pytest.raises(ValueError, match="h must be a positive step"):
        check_nodes(x * 2, h=0)
