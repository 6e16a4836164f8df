"""Checkers of notebook 02: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import pytest
from exhelp import S, fails

from tinygrad_edu.exercises import (EXERCISES, ExerciseFailed, chain_instance, check_chain_derivative,
                                    check_chain_links, check_path_sum)


def links_with(**changes):
    def chain_links(n, m, x):
        links = S.chain_links(n, m, x)
        u = 2 * x * x + x + 1
        v = u ** m
        w = math.sin(v)
        env = dict(n=n, m=m, x=x, u=u, v=v, w=w, links=links)
        for key, expr in changes.items():
            links[key.replace("_", "/")] = eval(expr, {"math": math}, env)
        return links
    return chain_links


def test_chain_instance_is_per_student():
    assert chain_instance("alice") == chain_instance("alice")
    instances = {chain_instance(f"student{k}") for k in range(20)}
    assert len(instances) > 5
    for n, m, x in instances:
        assert n in (2, 3) and m in (2, 3) and -0.8 <= x <= 0.8


def test_chain_links():
    assert check_chain_links(S.chain_links, student_id="alice")
    fails(check_chain_links, links_with(dw_dv="math.sin(v)"),
          match=["dw/dv wrong", "you gave w itself", "not its derivative"])
    fails(check_chain_links, links_with(dv_du="links['du/dx'] * m * u ** (m - 1)"), match="running product")
    fails(check_chain_links, links_with(df_dw="-n * w ** (n - 1)"), match=["df/dw", "sign is flipped"])
    fails(check_chain_links, links_with(du_dx="4 * x"), match=["du/dx wrong", "dropped the derivative of the x term"])
    fails(check_chain_links, links_with(dw_dv="math.cos(v) * 1.01"), match=["dw/dv wrong", "derivative of w wrt v"])
    fails(check_chain_links, lambda n, m, x: {"du/dx": 4 * x + 1}, match="no entry 'dv/du'")


def test_chain_derivative():
    assert check_chain_derivative(S.chain_derivative, student_id="bob")
    fails(check_chain_derivative, lambda n, m, x: sum(S.chain_links(n, m, x).values()), match="you added the links")
    fails(check_chain_derivative,
          lambda n, m, x: math.prod(v for k, v in S.chain_links(n, m, x).items() if k != "du/dx"),
          match="without du/dx")


def test_path_sum():
    assert check_path_sum(S.path_sum)

    def skips_direct_edge(edges, source, target):
        return S.path_sum({k: v for k, v in edges.items() if k != (source, target)}, source, target)

    def first_path_only(edges, source, target):
        if source == target:
            return 1.0
        for (a, b), w in sorted(edges.items()):
            if a == source and (rest := first_path_only(edges, b, target)) is not None:
                return w * rest
        return None

    def adds_along_paths(edges, source, target):
        total, stack = 0.0, [(source, 0.0)]
        while stack:
            node, acc = stack.pop()
            if node == target:
                total += acc
                continue
            stack += [(b, acc + w) for (a, b), w in edges.items() if a == node]
        return total

    fails(check_path_sum, skips_direct_edge, match="you missed the path")
    fails(check_path_sum, first_path_only, match="one path's product")
    fails(check_path_sum, adds_along_paths, match="multiply")


def _reverse_accumulation(seed=1.0, along=lambda weight, sent: weight * sent):
    """The answer key's path_sum with its seed or its rule along an edge changed."""
    def path_sum(edges, source, target):
        nodes = {a for a, _ in edges} | {b for _, b in edges} | {source, target}
        total = {target: seed}
        remaining = set(nodes) - {target}
        while remaining:
            for node in sorted(remaining):
                consumers = [b for a, b in edges if a == node]
                if all(c in total for c in consumers):
                    total[node] = sum(along(edges[(node, c)], total[c]) for c in consumers)
                    remaining.discard(node)
                    break
        return total[source]
    return path_sum


def test_path_sum_names_a_zero_seed():
    # issue 18: the old checker said "you missed the path a→c→e" for a seed of 0.
    text = fails(check_path_sum, _reverse_accumulation(seed=0.0),
                 match=["every answer is 0", "seed the target with 1"])
    assert "missed the path" not in text


def test_path_sum_names_adding_along_a_path():
    # issue 18: the old checker said "you counted the path a→c→e twice" for weights added along a path.
    text = fails(check_path_sum, _reverse_accumulation(along=lambda weight, sent: weight + sent),
                 match=["along a path the local derivatives multiply", "you added"])
    assert "twice" not in text


def test_path_sum_uses_several_random_graphs_per_student():
    first = EXERCISES["nb02_ex3"].make_cases("alice")
    assert first == EXERCISES["nb02_ex3"].make_cases("alice")
    assert first != EXERCISES["nb02_ex3"].make_cases("bob")
    assert len(first) >= 20
    assert any("r" in {n for a, b, _ in c["edges"] for n in (a, b)} for c in first)      # 5-node graphs too


def test_chain_instances_vary_n_and_m():
    # A link written for one (n, m) only cannot pass: every (n, m) appears, and the student's own comes first.
    cases = EXERCISES["nb02_ex1"].make_cases("carol", mine=[3, 2, 0.5])
    assert cases[0] == [3, 2, 0.5]
    assert {(n, m) for n, m, _ in cases} == {(2, 2), (2, 3), (3, 2), (3, 3)}
    fails(check_chain_links, links_with(df_dw="2 * w"), match="you used n=2 on every instance")


def test_chain_derivative_must_be_exact():
    def numeric(n, m, x):
        f = lambda t: math.sin((2 * t * t + t + 1) ** m) ** n  # noqa: E731
        return (f(x + 1e-6) - f(x - 1e-6)) / 2e-6
    fails(check_chain_derivative, numeric, match="close but not exact")


@pytest.mark.parametrize("exercise_id", ["nb02_ex1", "nb02_ex2", "nb02_ex3"])
def test_forged_observations_never_pass(exercise_id):
    # In the class grader the probe runs beside the student's code: a patched probe can send
    # anything.  Too few observations (nothing to check) or odd shapes must fail, not pass.
    ex = EXERCISES[exercise_id]
    cases = ex.make_cases("mallory")
    right = ex.observe(cases, *[getattr(S, name) for name in ex.names])
    assert ex.verdict(cases, right)
    for forged in ([], right[:1], {"passed": True}, None, [None] * len(right), [[]] * len(right)):
        with pytest.raises(ExerciseFailed):
            ex.verdict(cases, forged)
