"""Saving: pickle and copy.deepcopy of models and of Value graphs of any depth."""

import copy
import gc
import pickle
import threading

import pytest

import tinygrad_edu as tg
from tinygrad_edu import MLP, Value, engine, fit, make_moons
from tinygrad_edu.engine import topological_order


def chain(depth):
    x = Value(0.5, label="x")
    y = x
    for _ in range(depth):
        y = y * 1.0000001
    return x, y


def same_graph(a, b):
    """Same numbers, ops, labels, rules and shape, node for node, and no node shared."""
    order_a, order_b = topological_order(a), topological_order(b)
    assert len(order_a) == len(order_b)
    assert not set(map(id, order_a)) & set(map(id, order_b))
    position_b = {node: i for i, node in enumerate(order_b)}
    position_a = {node: i for i, node in enumerate(order_a)}
    for na, nb in zip(order_a, order_b):
        assert (na.data, na.grad, na.op, na.label, na._rule, na.requires_grad) == \
               (nb.data, nb.grad, nb.op, nb.label, nb._rule, nb.requires_grad)
        assert [position_a[c] for c in na.children] == [position_b[c] for c in nb.children]


def test_a_trained_mlp_round_trips_through_pickle_and_predicts_the_same():
    X, y = make_moons(60, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], activation="tanh", seed=3)
    fit(model, X, y, steps=5, progress=False)
    loaded = pickle.loads(pickle.dumps(model))
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]
    assert [loaded(x).data for x in X] == [model(x).data for x in X]
    assert repr(loaded) == repr(model)
    clone = copy.deepcopy(model)
    assert [clone(x).data for x in X] == [model(x).data for x in X]
    fit(loaded, X, y, steps=2, progress=False)        # and it trains on
    assert [p.data for p in loaded.parameters()] != [p.data for p in model.parameters()]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_every_model_kind_pickles(activation):
    model = MLP(3, [4, 1], activation=activation, seed=0)
    loaded = pickle.loads(pickle.dumps(model))
    assert loaded([1.0, -2.0, 0.5]).data == model([1.0, -2.0, 0.5]).data


def test_a_graph_pickles_with_its_numbers_rules_and_gradients():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + a ** 2).tanh() + tg.log2(b * b)
    c.label = "c"
    c.backward()
    loaded = pickle.loads(pickle.dumps(c))
    same_graph(c, loaded)
    inputs = [n for n in topological_order(loaded) if n.label in ("a", "b")]
    for node in inputs:
        node.grad = 0.0
    loaded.backward()                                  # the rules came back too
    assert [n.grad for n in inputs] == [a.grad, b.grad]


def test_leaves_pickled_together_with_a_graph_stay_shared():
    model = MLP(2, [3, 1], seed=0)
    loss = model([1.0, 2.0]) ** 2
    saved_model, saved_loss = pickle.loads(pickle.dumps((model, loss)))
    leaves = {id(n) for n in topological_order(saved_loss) if n.is_leaf and n.requires_grad}
    assert leaves == {id(p) for p in saved_model.parameters()}
    saved_model.zero_grad()
    saved_loss.backward()
    model.zero_grad()
    loss.backward()
    assert [p.grad for p in saved_model.parameters()] == [p.grad for p in model.parameters()]


def test_deepcopy_of_a_graph_copies_every_node_once():
    x = Value(3.0, label="x")
    shared = x * x
    y = shared + shared * 2
    twin_x, twin_y = copy.deepcopy([x, y])
    same_graph(y, twin_y)
    assert twin_y.children[0] is twin_y.children[1].children[0]      # sharing kept
    assert twin_x is twin_y.children[0].children[0]
    twin_y.backward()
    assert twin_x.grad == 18.0 and x.grad == 0.0


@pytest.mark.parametrize("depth", [50_000, pytest.param(1_000_000, marks=pytest.mark.slow)])
def test_a_deep_graph_pickles_and_deep_copies_without_recursion(depth):
    x, y = chain(depth)
    for restored in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        assert restored.data == y.data
        leaf = topological_order(restored)[0]
        assert leaf.label == "x"
        restored.backward()
        y.backward()
        assert leaf.grad == x.grad
        x.grad = 0.0


def test_a_value_made_inside_no_grad_loads_as_it_was():
    x, y = chain(3)
    blob = pickle.dumps(y)
    with tg.no_grad():                       # loading does not record: the graph comes back whole
        loaded = pickle.loads(blob)
    assert len(topological_order(loaded)) == len(topological_order(y))


# --------------------------------------------------------------------------
# The garbage collector is paused while the engine works, and restored exactly
# --------------------------------------------------------------------------
def test_backward_pauses_the_collector_and_restores_it():
    seen = []

    class Spy:
        def on_node(self, node):
            pass

        def on_sweep(self, kind, multiplies):
            seen.append(gc.isenabled())

    x, y = chain(10)
    engine.add_observer(Spy())
    try:
        assert gc.isenabled()
        y.backward()
        assert seen == [False] and gc.isenabled()
        gc.disable()                      # a caller who switched it off keeps it off
        y.backward()
        assert not gc.isenabled()
    finally:
        gc.enable()
        engine.remove_observer(engine._observers.get()[-1])


def test_overlapping_pauses_in_two_threads_restore_the_collector():
    for _ in range(200):
        first, second = engine.collector_paused(), engine.collector_paused()
        started, release = threading.Event(), threading.Event()

        def other():
            with second:
                started.set()
                release.wait(timeout=10)

        first.__enter__()
        t = threading.Thread(target=other)
        t.start()
        started.wait(timeout=10)
        first.__exit__(None, None, None)
        assert not gc.isenabled()         # the other thread is still inside its block
        release.set()
        t.join()
        assert gc.isenabled()
    assert engine._pauses == 0


def test_fit_pauses_the_collector_during_its_steps():
    states = []
    X, y = make_moons(20, seed=0)
    model = MLP(2, [4, 1], seed=0)
    fit(model, X, y, steps=3, progress=False, lr=lambda k: states.append(gc.isenabled()) or 0.1)
    assert len(states) >= 3 and set(states) == {False} and gc.isenabled()
