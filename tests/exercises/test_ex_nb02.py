"""Checkers of notebook 02: pass on the solutions, fail on typical wrong answers with the right hint."""

import math

import pytest
from exhelp import S, fails

from tinygrad_edu.exercises import (BareValue, ExerciseFailed, chain_instance, check_best_h,
                                    check_central_difference, check_chain_derivative, check_chain_links,
                                    check_gradient_F, check_manual_grads, check_mul_backward, check_path_sum,
                                    check_reflected_ops, try_check)


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
    fails(check_chain_links, links_with(du_dx="4 * x"), match=["du/dx wrong", "derivative of u wrt x"])
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
        node, prod = source, 1.0
        while node != target:
            nxt = sorted(b for a, b in edges if a == node)[0]
            prod *= edges[(node, nxt)]
            node = nxt
        return prod

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
