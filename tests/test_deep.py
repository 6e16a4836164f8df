"""A million nodes deep, at Python's default recursion limit.

micrograd's recursive topological sort dies near 1,000 nodes; every graph walk
of tinygrad_edu is iterative, and this guards it.  The chain alternates a
binary op (``* k``) and a unary op (negation), so both paths of the backward
sweep are exercised, and the expected values are derived by hand:

    x = (-(k * ...(-(k * a))...))  with M = 500,000 pairs  =  (-k)**M * a
    dx/da = (-k)**M            dx/dk = M * (-1)**M * k**(M-1) * a
"""

import gc
import math
import sys

import pytest

from tinygrad_edu.engine import Value, gradients, topological_order

PAIRS = 500_000                      # 1,000,000 op nodes
K, A = 1.000001, 0.75


@pytest.fixture
def default_recursion_limit():
    """Run the test at CPython's default limit, whatever the test runner set."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _deep_chain():
    a, k = Value(A, label="a"), Value(K, label="k")
    x = a
    for _ in range(PAIRS):
        x = -(x * k)
    return a, k, x


def test_million_node_chain_backward_zero_grad_and_order(default_recursion_limit):
    a, k, x = _deep_chain()
    sign = (-1) ** PAIRS
    expected_da = sign * K ** PAIRS
    expected_dk = PAIRS * sign * K ** (PAIRS - 1) * A
    assert x.data == pytest.approx(expected_da * A, rel=1e-8)

    x.backward()
    assert a.grad == pytest.approx(expected_da, rel=1e-8)
    assert k.grad == pytest.approx(expected_dk, rel=1e-8)

    order = topological_order(x)
    assert len(order) == 2 * PAIRS + 2
    assert order[-1] is x
    assert {id(order[0]), id(order[1])} == {id(a), id(k)}      # the leaves come first
    assert order[2].op == "*" and order[3].op == "neg"
    del order

    x.zero_grad()
    assert a.grad == 0.0 and k.grad == 0.0 and x.grad == 0.0

    # The functional form walks the same graph without touching .grad.
    g = gradients(x, [a, k])
    assert g[a] == pytest.approx(expected_da, rel=1e-8)
    assert g[k] == pytest.approx(expected_dk, rel=1e-8)
    assert a.grad == 0.0

    # Freeing a million-deep graph must not recurse either.
    del x, g
    gc.collect()
    assert math.isfinite(a.data)
