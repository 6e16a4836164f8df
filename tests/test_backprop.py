"""The reverse sweep on one screen: node._backward(), backward_pass, and edges into constants.

Oracles: HIPS autograd on the same program, and central differences.
"""
import math
import random

import autograd
import autograd.numpy as anp
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Value, topological_order
from tinygrad_edu.engine import backward_pass, real_where_real


def close(a, b, rel=1e-9, abs_=1e-12):
    return abs(a - b) <= abs_ + rel * abs(b)


def program(x, y, lib):
    """Uses constants on both sides of +, -, *, /, ** and the module functions."""
    u = 2.0 * x * y + x / 3.0 - 1.5
    v = lib.tanh(u) + lib.exp(0.1 * y) ** 2 + 3.0 ** (0.2 * x)
    return v * v - lib.log(1.0 + x * x) + (y - x) ** 3


# ---- node._backward(): the local step, micrograd-style ----------------------
def test_stepping_through_by_hand_with_backward_gives_backwards_numbers():
    x, y = Value(0.7), Value(-1.3)
    out = program(x, y, tg)
    order = topological_order(out)
    out.grad = 1.0
    for node in reversed(order):
        node._backward()
    by_hand = (x.grad, y.grad)
    expected = autograd.grad(lambda p: program(p[0], p[1], anp))(anp.array([0.7, -1.3]))
    assert close(by_hand[0], expected[0]) and close(by_hand[1], expected[1])
    x.grad = y.grad = 0.0
    out.backward()
    assert (x.grad, y.grad) == by_hand        # the fast path makes the same sums


def test_backward_on_a_leaf_or_a_constant_does_nothing():
    x = Value(2.0)
    x.grad = 5.0
    assert x._backward() is None and x.grad == 5.0
    c = Value(3.0, requires_grad=False)
    c._backward()
    assert c.grad == 0.0


def test_backward_adds_into_children_and_leaves_its_own_grad():
    a, b = Value(2.0), Value(5.0)
    c = a * b
    a.grad = 1.0                              # something already there: the step adds to it
    c.grad = 3.0
    c._backward()
    assert (a.grad, b.grad, c.grad) == (1.0 + 5.0 * 3.0, 2.0 * 3.0, 3.0)


def test_backward_of_a_node_used_twice_adds_both_paths():
    a = Value(3.0)
    b = a * a
    b.grad = 1.0
    b._backward()
    assert a.grad == 6.0


# ---- backward_pass: the readable sweep ---------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_backward_pass_matches_autograd_and_backward(seed):
    rng = random.Random(seed)
    x0, y0 = rng.uniform(0.2, 1.5), rng.uniform(-1.5, 1.5)
    x, y = Value(x0), Value(y0)
    out = program(x, y, tg)
    backward_pass(out)
    expected = autograd.grad(lambda p: program(p[0], p[1], anp))(anp.array([x0, y0]))
    assert close(x.grad, expected[0], 1e-8) and close(y.grad, expected[1], 1e-8)
    readable = (x.grad, y.grad)
    x.grad = y.grad = 0.0
    out.backward()
    assert (x.grad, y.grad) == readable


def test_backward_pass_accumulates_leaves_and_refreshes_intermediates():
    x = Value(3.0)
    h = x * x
    y = h + x
    backward_pass(y)
    backward_pass(y)
    assert x.grad == 2 * 7.0 and h.grad == 1.0


def test_backward_pass_with_create_graph_hook_gives_second_derivatives():
    x = Value(0.4)
    y = tg.sin(x) * x ** 3
    y.backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value)
    f2 = autograd.grad(autograd.grad(lambda t: anp.sin(t) * t ** 3))
    assert close(tg.gradients(first, [x])[x], f2(0.4), 1e-8)


def test_backward_pass_names_the_op_whose_derivative_fails():
    x = Value(0.0)
    y = x.sqrt()
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        backward_pass(y)


def test_backward_pass_hook_sees_every_node_outputs_first():
    x = Value(1.0)
    a = x * 2.0
    b = a.tanh()
    seen = []

    def watch(node):
        seen.append(node)
        node._backward()
    backward_pass(b, step=watch)
    assert seen == list(reversed(topological_order(b)))
    assert close(x.grad, 2.0 * (1 - math.tanh(2.0) ** 2))


def test_gradients_runs_the_sweep_but_leaves_every_grad_as_it_was():
    x, y = Value(0.5), Value(2.0)
    out = program(x, y, tg)
    order = topological_order(out)
    for i, node in enumerate(order):
        node.grad = float(i)
    grads = tg.gradients(out, [x, y])
    assert [node.grad for node in order] == [float(i) for i in range(len(order))]
    expected = autograd.grad(lambda p: program(p[0], p[1], anp))(anp.array([0.5, 2.0]))
    assert close(grads[x], expected[0], 1e-8) and close(grads[y], expected[1], 1e-8)


def test_gradients_restores_grads_even_when_the_sweep_fails():
    x = Value(0.0)
    y = x.sqrt()
    x.grad, y.grad = 7.0, 8.0
    with pytest.raises(ZeroDivisionError):
        tg.gradients(y)
    assert (x.grad, y.grad) == (7.0, 8.0)


def test_real_where_real_keeps_the_real_part_only_for_real_nodes():
    assert real_where_real(Value(1.0), 2 + 3j) == 2.0
    assert real_where_real(Value(1j), 2 + 3j) == 2 + 3j
    assert real_where_real(Value(1.0), 4.0) == 4.0


# ---- edges into constants carry no number ------------------------------------
@pytest.mark.parametrize("build, position", [
    (lambda x: x * 2.0, 1), (lambda x: 2.0 * x, 0), (lambda x: x + 1.0, 1), (lambda x: 1.0 - x, 0),
    (lambda x: x / 4.0, 1), (lambda x: 4.0 / x, 0), (lambda x: x ** 2, 1), (lambda x: 2.0 ** x, 0),
    (lambda x: x % 0.3, 1), (lambda x: x.arctan2(1.5), 1), (lambda x: x.hypot(2.0), 1),
    (lambda x: x.logaddexp(0.5), 1), (lambda x: x.leaky_relu(0.1), 1),
])
def test_local_grads_give_none_into_a_constant_and_the_true_partial_elsewhere(build, position):
    x = Value(0.7)
    node = build(x)
    local = node.local_grads()
    assert local[position] is None
    (other,) = [p for k, p in enumerate(local) if k != position]
    as_values = node.local_grads(create_graph=True)
    assert as_values[position] is None and close(as_values[1 - position].data, other)
    h = 1e-6                                  # the partial wrt x, by central differences
    numeric = (build(Value(0.7 + h)).data - build(Value(0.7 - h)).data) / (2 * h)
    assert close(other, numeric, 1e-6, 1e-8)


def test_the_power_of_a_negative_base_has_no_exponent_partial():
    x = Value(-2.0)
    assert (x ** 2).local_grads() == (-4.0, None)      # d(x^k)/dk = x^k ln x: no real value


def test_constants_keep_grad_zero_in_every_sweep():
    for sweep in ("backward", "backward_pass", "create_graph"):
        x = Value(1.5)
        y = x * 2.0 + 3.0
        y = y * y
        constants = [n for n in topological_order(y) if not n.requires_grad]
        assert len(constants) == 2
        if sweep == "backward":
            y.backward()
        elif sweep == "backward_pass":
            backward_pass(y)
        else:
            y.backward(create_graph=True)
        assert all(c.grad == 0.0 for c in constants), sweep
        assert close(getattr(x.grad, "data", x.grad), 2 * (2 * 1.5 + 3) * 2)


def test_gradients_leave_constants_out():
    x = Value(1.5)
    y = x * 2.0
    grads = tg.gradients(y)
    assert set(grads) == {x, y} and grads[x] == 2.0


def test_trace_shows_no_number_on_an_edge_into_a_constant():
    x = Value(3.0, label="x")
    y = x * 2.0
    trace = tg.trace_backward(y)
    (step,) = list(trace)
    assert step.local == (2.0, None)
    assert [(c.name, c.contribution) for c in step.contributions] == [("x", 2.0)]
    assert trace.grads[x] == 2.0


def test_draw_shows_an_edge_from_a_constant_dashed_and_without_a_number():
    x = Value(3.0, label="x")
    y = x * 5.0
    source = tg.draw(y, show_local=True).source
    edges = [line for line in source.splitlines() if "->" in line]
    from_constant = [e for e in edges if "dashed" in e]
    assert len(from_constant) == 1 and "label" not in from_constant[0]
    assert any("label=<5" in e for e in edges)           # the edge from x shows dy/dx = 5


def test_forward_mode_ignores_edges_into_constants():
    value, tangent = tg.jvp(lambda t: 3.0 * t ** 2 + 1.0, 2.0, 1.0)
    assert (value, tangent) == (13.0, 12.0)


# ---- each forward written once: the module functions use the methods' forwards -------
@pytest.mark.parametrize("name, reference", [
    ("exp", math.exp), ("log", math.log), ("sqrt", math.sqrt), ("sin", math.sin), ("cos", math.cos),
    ("tan", math.tan), ("tanh", math.tanh), ("arctan", math.atan), ("sinh", math.sinh),
    ("cosh", math.cosh), ("log1p", math.log1p), ("expm1", math.expm1), ("log2", math.log2),
    ("log10", math.log10), ("exp2", lambda x: 2.0 ** x), ("arcsin", math.asin),
    ("arccos", math.acos), ("arcsinh", math.asinh), ("arctanh", math.atanh),
    ("sigmoid", lambda x: 1 / (1 + math.exp(-x))), ("relu", lambda x: max(x, 0.0)),
    ("sinc", lambda x: math.sin(math.pi * x) / (math.pi * x)),
])
def test_module_function_and_method_agree_with_math(name, reference):
    for x in (0.3, 0.61):
        on_number = getattr(tg, name)(x)
        on_value = getattr(Value(x), name)().data
        assert on_number == on_value and close(on_number, reference(x), 1e-12, 1e-15)


def test_overflow_gives_inf_in_method_and_module_function():
    for name in ("exp", "exp2", "expm1", "cosh"):
        assert getattr(tg, name)(1e4) == math.inf == getattr(Value(1e4), name)().data
    assert tg.sinh(-1e4) == -math.inf == Value(-1e4).sinh().data


def test_binary_operators_coerce_numbers_on_either_side():
    x = Value(3.0)
    for result, expected in [(x + 1, 4.0), (1 + x, 4.0), (x - 1, 2.0), (1 - x, -2.0), (x * 2, 6.0),
                             (2 * x, 6.0), (x / 2, 1.5), (6 / x, 2.0), (x ** 2, 9.0), (2 ** x, 8.0),
                             (x % 2, 1.0), (7 % x, 1.0)]:
        assert result.data == expected and x in result.children
        assert [c.requires_grad for c in result.children].count(False) == 1
    with pytest.raises(TypeError, match="unsupported operand for \\+"):
        x + "a"
    with pytest.raises(TypeError, match="unsupported operand for \\*"):
        "a" * x
