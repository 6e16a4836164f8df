"""Checkers of notebook 10: pass on the solutions, fail on typical wrong answers with the right hint."""

import pytest
from exhelp import S, fails

from tinygrad_edu.engine import Value, gradients
from tinygrad_edu.exercises import (ExerciseFailed, check_elementwise_vs_jacobian, check_hvp, check_nested_grads,
                                    check_softplus_primitive, nb10)
from tinygrad_edu.exercises.nb10 import rosenbrock


def full_hessian_hvp(f, x, v):
    xs = [Value(a) for a in x]
    g = gradients(f(xs), xs, create_graph=True)
    H = []
    for xi in xs:
        row = gradients(g[xi], xs) if isinstance(g[xi], Value) else {x2: 0.0 for x2 in xs}
        H.append([float(getattr(row[x2], "data", row[x2])) for x2 in xs])
    return [sum(H[i][j] * v[j] for j in range(len(x))) for i in range(len(x))]


def _grad(f, x):
    xs = [Value(a) for a in x]
    g = gradients(f(xs), xs)
    return [g[v] for v in xs]


def test_hvp():
    assert check_hvp(S.hvp)
    assert S.hvp(rosenbrock, [1.0, 1.0], [1.0, 1.0]) == [402.0, -200.0]      # CURRICULUM NB10
    fails(check_hvp, full_hessian_hvp, match=["reverse sweeps", "formed the n×n Hessian"])
    fails(check_hvp, lambda f, x, v: [float(g) for g in _grad(f, x)], match="that is ∇f(x)")
    fails(check_hvp, lambda f, x, v: 0.0, match="should return a list of 2 numbers")


def _hvp_without_create_graph(f, x, v):
    xs = [Value(a) for a in x]
    g = gradients(f(xs), xs)                         # numbers: ∇f·v is a constant
    gv = sum((g[xi] * vi for xi, vi in zip(xs, v)), Value(0.0, requires_grad=False))
    h = gradients(gv, xs)
    return [float(getattr(h[xi], "data", h[xi])) for xi in xs]


def test_hvp_without_create_graph_is_named_not_called_the_gradient():
    # issue 18: the old checker tested at the Rosenbrock minimum, where ∇f = 0 = this answer,
    # and said "that is ∇f(x)"
    assert _hvp_without_create_graph(rosenbrock, [0.5, 0.5], [1.0, 0.0]) == [0.0, 0.0]
    for student in ("ada", "bo", "cy"):
        text = fails(check_hvp, _hvp_without_create_graph, student_id=student, match=["create_graph", "constant"])
        assert "that is ∇f(x)" not in text


def test_hvp_cases_are_random_points_away_from_the_minimum():
    points = {}
    for student in ("ada", "bo", "cy", None):
        cases = nb10.EX1.make_cases(student)
        assert len(cases) >= 6
        for case in cases:
            if case["f"]["kind"] == "rosenbrock":
                assert max(abs(g) for g in _grad(rosenbrock, case["x"])) > 3     # never at (1, 1)
        points[student] = [case["x"] for case in cases]
        assert points[student] == [case["x"] for case in nb10.EX1.make_cases(student)]    # reproducible
    assert len({str(p) for p in points.values()}) == 4                                    # per student


@pytest.mark.parametrize("eps", [1e-3, 1e-4, 3e-5, 1e-5, 1e-6, 1e-7])
def test_hvp_by_finite_differences_of_the_gradient_fails_and_is_named(eps):
    # issue 18: the old checker compared with finite differences itself, to a tolerance they meet
    def fd_hvp(f, x, v):
        up = _grad(f, [a + eps * b for a, b in zip(x, v)])
        down = _grad(f, [a - eps * b for a, b in zip(x, v)])
        return [(p - q) / (2 * eps) for p, q in zip(up, down)]
    for student in ("ada", "bo"):
        fails(check_hvp, fd_hvp, student_id=student, match="finite differences")


def test_hvp_judge_reads_the_sweep_count_from_the_probe():
    # The probe counts (in the student's process); the judge decides (in the grader's).
    cases = nb10.EX1.make_cases("ada")
    seen = nb10.EX1.observe(cases, S.hvp)
    assert all(obs["reverse"] == 2 and obs["f_calls"] == 1 for obs in seen)
    assert "without forming H" in nb10.EX1.verdict(cases, seen)
    forged = [dict(obs, reverse=len(case["x"]) + 1) for case, obs in zip(cases, seen)]
    with pytest.raises(ExerciseFailed, match="formed the n×n Hessian"):
        nb10.EX1.verdict(cases, forged)
    # numbers off by one part in 1e9 (what finite differences reach at best) do not pass
    nudged = [dict(obs, hv=[h * (1 + 1e-9) for h in obs["hv"]]) for obs in seen]
    with pytest.raises(ExerciseFailed):
        nb10.EX1.verdict(cases, nudged)


def test_hvp_that_is_the_library_hvp_is_refused():
    from tinygrad_edu import hvp
    fails(check_hvp, hvp, match="write your own")


def test_elementwise_vs_jacobian():
    assert check_elementwise_vs_jacobian(S.egrad_value, S.jacobian_value, S.elementwise_choice)
    fails(check_elementwise_vs_jacobian, [4.0, 5.0], S.jacobian_value, "b", match="that is the Jacobian's diagonal")
    fails(check_elementwise_vs_jacobian, S.egrad_value, [[4.0, 2.0], [1.0, 5.0]], "b", match="yours is transposed")
    fails(check_elementwise_vs_jacobian, S.egrad_value, S.jacobian_value, "a",
          match=["choice 'a' is not right", "diagonal"])
    fails(check_elementwise_vs_jacobian, S.egrad_value, S.jacobian_value, "z", match="not one of a, b, c, d")
    fails(check_elementwise_vs_jacobian, None, None, None, match=["no answers yet"])            # the stub
    fails(check_elementwise_vs_jacobian, None, None, "b", match=["parts right", "jacobian_value should be"])


@pytest.mark.parametrize("answers, right", [
    (([4.0, 5.0], S.jacobian_value, "b"), 2),
    (([6.0, 6.0], [[4.0, 2.0], [1.0, 5.0]], "a"), 1),
    (([5.0, 7.0], [[1.0, 1.0], [2.0, 2.0]], "d"), 0),
])
def test_elementwise_vs_jacobian_gives_partial_credit(answers, right):
    # issue 18 / 12: three independent parts, a third each (the old checker: all or nothing)
    assert nb10.EX2.parts == 3
    with pytest.raises(ExerciseFailed) as info:
        check_elementwise_vs_jacobian(*answers)
    assert info.value.earned == pytest.approx(right / 3)
    assert f"{right} of 3 parts right" in str(info.value)


@pytest.mark.parametrize("answers", [
    ([4.0, 5.0], [[4.0, 2.0], [1.0, 5.0]], "a"),
    ([5.0, 7.0], [[1.0, 1.0], [2.0, 2.0]], "c"),
    ([1.0, 1.0], [[4.0, 0.0], [0.0, 5.0]], "d"),
])
def test_elementwise_vs_jacobian_hints_never_show_the_answers(answers):
    # The old checker's hint for choice 'a' printed elementwise_grad's true value, [6, 6].
    text = fails(check_elementwise_vs_jacobian, *answers)
    assert "6" not in text                          # elementwise_grad = (6, 6)
    assert "[4, 1]" not in text and "[2, 5]" not in text
    assert "'b'" not in text and "(b)" not in text
    revealed = fails(check_elementwise_vs_jacobian, *answers, reveal=True)
    assert "J = [[4, 1], [2, 5]]" in revealed and "elementwise_grad = [6, 6]" in revealed and "'b'" in revealed


def test_elementwise_vs_jacobian_in_the_grader_never_reveals():
    cases = nb10.EX2.make_cases("ada")              # what the class grader makes: no options
    assert cases["reveal"] is False
    seen = nb10.EX2.observe(cases, [4.0, 5.0], S.jacobian_value, "c")
    with pytest.raises(ExerciseFailed) as info:
        nb10.EX2.verdict(cases, seen)
    assert "6" not in str(info.value) and info.value.earned == pytest.approx(1 / 3)


def test_nested_grads():
    assert check_nested_grads(S.grad_nested)
    from tinygrad_edu.engine import sin
    assert S.grad_nested(lambda p: p[0] ** 2 * p[1][0] + sin(p[1][1]), (1.5, (2.0, 0.0))) == (6.0, (2.25, 1.0))
    assert S.grad_nested(lambda p: p["w"] * p["x"] ** 2, {"w": 3.0, "x": 2.0}) == {"w": 4.0, "x": 12.0}

    def flat(f, params):
        return nb10._flatten(S.grad_nested(f, params))

    def lists_for_tuples(f, params):
        def conv(t):
            if isinstance(t, dict):
                return {k: conv(v) for k, v in t.items()}
            if isinstance(t, (list, tuple)):
                return [conv(v) for v in t]
            return t
        return conv(S.grad_nested(f, params))

    def ones(f, params):
        return nb10._rebuild(params, [1.0] * len(nb10._flatten(params)))

    fails(check_nested_grads, flat, match=["structure", "expected (·, (·, ·))", "flattened"])
    fails(check_nested_grads, lists_for_tuples, match=["[·, [·, ·]]", "tuples stay tuples"])
    fails(check_nested_grads, ones, match="the gradient at params[0]")


def test_tree_encoding_keeps_tuples_lists_and_keys_through_json():
    from tinygrad_edu.exercises._exercise import from_wire, to_wire
    tree = {"w": (1.5, [2.0, (3.0,)]), "b": [{"k": -1.0}]}
    plain = from_wire(to_wire(nb10.encode_tree(tree)))
    assert nb10.decode_tree(plain) == tree
    assert type(nb10.decode_tree(plain)["w"]) is tuple and type(nb10.decode_tree(plain)["w"][1][1]) is tuple
    assert nb10.describe_tree(plain) == "{'w': (·, [·, (·,)]), 'b': [{'k': ·}]}"
    assert nb10.encode_tree({1: Value(2.0), "s": "x"}) == {"dict": [[{"key": "1"}, 2.0],
                                                                    ["s", {"not a number": "str 'x'"}]]}
    deep = []
    for _ in range(30):
        deep = [deep]
    assert "too deep" in str(nb10.encode_tree(deep))


def test_nested_probe_reports_structure_and_numbers_and_the_judge_compares():
    # issue 18: the probe reports plain data (tagged containers); the judge, not the probe, compares
    cases = nb10.EX3.make_cases("ada")
    assert len(cases) >= 6
    seen = nb10.EX3.observe(cases, S.grad_nested)
    assert seen[0]["tree"]["tuple"][1] == {"tuple": seen[0]["tree"]["tuple"][1]["tuple"]}
    assert all(type(x) is float for obs in seen for _, x in nb10._leaves(obs["tree"]))
    assert "right structure" in nb10.EX3.verdict(cases, seen)
    as_lists = [{"tree": nb10._retagged(obs["tree"], "tuple", "list")} for obs in seen]
    with pytest.raises(ExerciseFailed, match="tuples stay tuples"):
        nb10.EX3.verdict(cases, as_lists)
    off = [{"tree": nb10._retagged(obs["tree"], "x", "x")} for obs in seen]
    off[2]["tree"]["dict"][0][1]["list"][0] += 1e-9      # the judge recomputes every value itself
    with pytest.raises(ExerciseFailed, match="the gradient at"):
        nb10.EX3.verdict(cases, off)


def test_nested_cases_are_random_and_include_the_traps():
    names = [case["name"] for case in nb10.EX3.make_cases("ada")]
    assert "two inputs with the same value" in names and "an input f does not use" in names
    assert nb10.EX3.make_cases("ada") != nb10.EX3.make_cases("bo")


def test_softplus_checker_says_not_written_yet_for_a_stub():
    def softplus(x):
        raise NotImplementedError()

    fails(check_softplus_primitive, softplus, lambda g, ans, x: g, match="not written yet")


@pytest.mark.parametrize("exercise", ["nb10_ex1", "nb10_ex2", "nb10_ex3"])
@pytest.mark.parametrize("forged", [[], {}, "passed", [{"hv": [1.0]}], None])
def test_a_forged_report_that_does_not_fit_the_cases_gets_no_marks(exercise, forged):
    # A probe patched by the submission can send anything; a report of fewer cases than were
    # asked must not be judged on what little it holds.
    ex = {e.id: e for e in nb10.EXERCISES}[exercise]
    cases = ex.make_cases("ada")
    with pytest.raises(ExerciseFailed, match="does not match the cases"):
        ex.verdict(cases, forged)
    if isinstance(cases, list):
        honest = ex.observe(cases, *[getattr(S, name) for name in ex.names])
        with pytest.raises(ExerciseFailed, match="does not match the cases"):
            ex.verdict(cases, honest[:1])


def _autograd_function(spec):
    """The judge's test functions again, written for HIPS autograd (an independent engine)."""
    import autograd.numpy as anp
    kind = spec["kind"]
    if kind == "rosenbrock":
        return lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
    if kind == "chain":
        return lambda p: anp.sum((1 - p[:-1]) ** 2 + 100 * (p[1:] - p[:-1] ** 2) ** 2)
    if kind == "quadratic":
        A, b = anp.array(spec["A"]), anp.array(spec["b"])
        return lambda p: anp.dot(p, anp.dot(A, p)) + anp.dot(b, p)
    c, k, ph, d, e = (anp.array(spec[key]) for key in ("c", "k", "p", "d", "e"))
    return lambda p: anp.sum(c * anp.sin(k * p * anp.roll(p, -1) + ph) + d * anp.exp(e * p))


def test_hvp_reference_agrees_with_autograd():
    import numpy as np
    from autograd import grad as ag_grad
    for student in ("ada", "bo"):
        for case in nb10.EX1.make_cases(student):
            f = _autograd_function(case["f"])
            v = np.array(case["v"])
            expected = ag_grad(lambda p: ag_grad(f)(p) @ v)(np.array(case["x"]))     # ∇(∇f·v)
            got = nb10._engine_hvp(nb10._hvp_function(case["f"]), case["x"], case["v"])
            assert np.allclose(got, expected, rtol=1e-12, atol=1e-10), case["name"]
