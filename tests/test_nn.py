"""tinygrad_edu.nn: shapes, parameters, forward values, gradients, zeroing, seeding, errors."""

import math
import random

import autograd.numpy as anp
import pytest
from autograd import grad as ag_grad

import tinygrad_edu
from tinygrad_edu import MLP, SGD, Layer, Module, Neuron, Value, gradients, hinge, l2, make_moons
from tinygrad_edu.engine import topological_order


# --------------------------------------------------------------------------
# Shapes and parameters
# --------------------------------------------------------------------------
@pytest.mark.parametrize("nin, sizes, expected", [
    (2, [16, 16, 1], 337),          # (2+1)*16 + (16+1)*16 + (16+1)*1
    (3, [4, 4, 1], 41),             # (3+1)*4 + (4+1)*4 + (4+1)*1
    (2, [16, 1, 1], 67),            # (2+1)*16 + (16+1)*1 + (1+1)*1
    (1, [1], 2),
    (5, [3], 18),
])
def test_mlp_parameter_count(nin, sizes, expected):
    model = MLP(nin, sizes, seed=0)
    assert len(model.parameters()) == expected
    assert model.num_parameters() == expected


def test_neuron_and_layer_parameter_counts():
    assert len(Neuron(3, seed=0).parameters()) == 4
    assert len(Layer(3, 4, seed=0).parameters()) == 16


def test_parameters_are_distinct_trainable_leaves():
    params = MLP(2, [16, 16, 1], seed=0).parameters()
    assert len({id(p) for p in params}) == len(params)
    assert all(isinstance(p, Value) and p.is_leaf and p.requires_grad for p in params)


def test_parameter_order_is_layer_then_neuron_then_weights_then_bias():
    model = MLP(2, [3, 1], seed=0)
    first = model.layers[0].neurons[0]
    assert model.parameters()[:3] == first.w + [first.b]
    assert model.parameters()[-1] is model.layers[-1].neurons[0].b


def test_initialisation_follows_micrograd():
    model = MLP(2, [16, 16, 1], seed=3)
    for layer in model.layers:
        for n in layer.neurons:
            assert all(-1.0 <= w.data <= 1.0 for w in n.w)
            assert n.b.data == 0.0
    weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
    assert len(set(weights)) == len(weights)          # drawn, not constant


def test_parameter_labels_name_their_place():
    model = MLP(2, [3, 1], seed=0)
    assert model.layers[0].neurons[2].w[1].label == "L0.n2.w1"
    assert model.layers[1].neurons[0].b.label == "L1.n0.b"
    assert Neuron(2, seed=0).w[0].label == "w0"


# --------------------------------------------------------------------------
# Forward values against hand computation and a numpy oracle
# --------------------------------------------------------------------------
def _set_neuron(n, ws, b):
    for w, v in zip(n.w, ws):
        w.data = v
    n.b.data = b


@pytest.mark.parametrize("activation, expected", [
    ("linear", 2 * 3 - 1 * 4 + 0.5),
    ("relu", 2.5),
    ("tanh", math.tanh(2.5)),
    ("sigmoid", 1 / (1 + math.exp(-2.5))),
])
def test_neuron_forward_by_hand(activation, expected):
    n = Neuron(2, activation, seed=0)
    _set_neuron(n, [2.0, -1.0], 0.5)
    assert n([3.0, 4.0]).data == pytest.approx(expected, rel=1e-15)
    assert n.predict([3.0, 4.0]) == pytest.approx(expected, rel=1e-15)


def test_relu_neuron_clips_negative_sums():
    n = Neuron(2, seed=0)
    _set_neuron(n, [2.0, -1.0], -5.0)
    assert n([1.0, 1.0]).data == 0.0


def test_micrograd_nonlin_spelling():
    assert Neuron(2, nonlin=False, seed=0).activation == "linear"
    assert Neuron(2, nonlin=True, seed=0).activation == "relu"
    assert Layer(2, 3, nonlin=False, seed=0).activation == "linear"


def test_neuron_graph_is_lean():
    """b + w0*x0 + w1*x1 + w2*x2, then relu: 3 products, 3 sums, 1 relu -- no constants."""
    n = Neuron(3, seed=0)
    x = [Value(1.0), Value(2.0), Value(3.0)]
    out = n(x)
    ops = [node.op for node in topological_order(out) if node.op]
    assert sorted(ops) == sorted(["*"] * 3 + ["+"] * 3 + ["relu"])
    leaves = [node for node in topological_order(out) if not node.op]
    assert len(leaves) == 3 + 3 + 1                      # inputs, weights, bias: no constant nodes


def test_layer_turns_number_inputs_into_one_constant_each():
    layer = Layer(2, 16, seed=0)
    outs = layer([0.5, -1.0])
    nodes = {node for o in outs for node in topological_order(o)}
    constants = [node for node in nodes if not node.requires_grad]
    assert len(constants) == 2                            # shared by all 16 neurons


def _numpy_forward(model, x):
    """The MLP as matrices, computed by numpy: an oracle independent of Neuron/Layer."""
    h = anp.array(x, dtype=float)
    for i, layer in enumerate(model.layers):
        W = anp.array([[w.data for w in n.w] for n in layer.neurons])
        b = anp.array([n.b.data for n in layer.neurons])
        h = W @ h + b
        if i < len(model.layers) - 1:
            h = anp.tanh(h) if model.activation == "tanh" else anp.maximum(h, 0.0)
    return h


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_forward_matches_matrix_oracle(activation):
    model = MLP(3, [5, 4, 2], activation, seed=7)
    for x in ([0.1, -0.4, 2.0], [1.5, 0.3, -0.7]):
        out = model(x)
        expected = _numpy_forward(model, x)
        assert [o.data for o in out] == pytest.approx(list(expected), rel=1e-12, abs=1e-14)
        assert model.predict(x) == pytest.approx(list(expected), rel=1e-12, abs=1e-14)


def test_one_output_returns_a_bare_value_and_more_return_a_list():
    assert isinstance(MLP(2, [4, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [4, 3], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3 and all(isinstance(o, Value) for o in out)
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert isinstance(MLP(2, [4, 1], seed=0).predict([1.0, 2.0]), float)


def test_width_one_hidden_layer_works():
    model = MLP(2, [16, 1, 1], seed=1)
    out = model([0.3, -0.2])
    assert isinstance(out, Value)
    assert out.data == pytest.approx(float(_numpy_forward(model, [0.3, -0.2])[0]), rel=1e-12)
    out.backward()
    assert model.layers[-1].neurons[0].b.grad == 1.0


def test_single_input_neuron_accepts_a_bare_value_or_number():
    n = Neuron(1, "linear", seed=0)
    _set_neuron(n, [3.0], 1.0)
    assert n(Value(2.0)).data == 7.0
    assert n(2.0).data == 7.0


def test_numpy_inputs_are_accepted():
    np = pytest.importorskip("numpy")
    model = MLP(2, [4, 1], seed=0)
    x = np.array([0.5, -1.0])
    assert model(x).data == pytest.approx(model([0.5, -1.0]).data, rel=1e-15)
    assert model(np.array([0.5, -1.0], dtype=np.float32)).data == pytest.approx(
        model([0.5, -1.0]).data, rel=1e-6)


# --------------------------------------------------------------------------
# Gradients against HIPS autograd
# --------------------------------------------------------------------------
def _autograd_hinge_loss(model, X, y, alpha):
    shapes = [(len(layer.neurons), layer.nin) for layer in model.layers]

    def loss(flat):
        i = 0
        mats = []
        for rows, cols in shapes:
            W = anp.reshape(flat[i:i + rows * (cols + 1)], (rows, cols + 1))   # row = w..., b
            mats.append(W)
            i += rows * (cols + 1)
        total = 0.0
        for x, t in zip(X, y):
            h = anp.array(x)
            for k, W in enumerate(mats):
                h = W[:, :-1] @ h + W[:, -1]
                if k < len(mats) - 1:
                    h = anp.maximum(h, 0.0)
            sign = 1.0 if t == 1 else -1.0
            total = total + anp.maximum(0.0, 1.0 - sign * h[0])
        return total / len(X) + alpha * anp.sum(flat ** 2)

    return loss


def test_mlp_gradients_match_autograd():
    X, y = make_moons(12, noise=0.1, seed=5)
    model = MLP(2, [6, 5, 1], seed=5)
    loss = hinge([model(x) for x in X], y) + l2(model, alpha=1e-3)
    loss.backward()
    flat = anp.array([p.data for p in model.parameters()])
    oracle = _autograd_hinge_loss(model, X, y, 1e-3)
    assert loss.data == pytest.approx(float(oracle(flat)), rel=1e-12)
    expected = ag_grad(oracle)(flat)
    assert [p.grad for p in model.parameters()] == pytest.approx(list(expected), rel=1e-10, abs=1e-13)


# --------------------------------------------------------------------------
# zero_grad and the training step
# --------------------------------------------------------------------------
def test_zero_grad_clears_every_parameter():
    model = MLP(2, [16, 16, 1], seed=0)
    X, y = make_moons(10, noise=0.1, seed=0)
    (hinge([model(x) for x in X], y) + l2(model, alpha=1e-4)).backward()
    assert sum(p.grad != 0.0 for p in model.parameters()) > 300
    for i, p in enumerate(model.parameters()):       # make sure every one has something to clear
        p.grad += 1.0 + i
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_module_base_class_has_no_parameters():
    m = Module()
    assert m.parameters() == [] and m.num_parameters() == 0
    m.zero_grad()


def _training_loop(model, X, y, steps, zero):
    """The NB06 loop; at every step compare p.grad with a fresh, independent gradient."""
    opt = SGD(model, lr=0.05)
    params = model.parameters()
    ratios = []
    for _ in range(steps):
        loss = hinge([model(x) for x in X], y) + l2(model, alpha=1e-4)
        if zero:
            opt.zero_grad()
        loss.backward()
        fresh = gradients(loss, wrt=params)         # functional: does not touch .grad
        ratios.append(max(abs(p.grad - fresh[p]) / (abs(fresh[p]) + 1e-12) for p in params))
        opt.step()
    return ratios


def test_gradients_after_each_step_equal_fresh_ones():
    X, y = make_moons(16, noise=0.1, seed=2)
    ratios = _training_loop(MLP(2, [8, 8, 1], seed=2), X, y, steps=4, zero=True)
    assert max(ratios) < 1e-12


def test_the_fresh_gradient_check_catches_a_forgotten_zero_grad():
    X, y = make_moons(16, noise=0.1, seed=2)
    ratios = _training_loop(MLP(2, [8, 8, 1], seed=2), X, y, steps=4, zero=False)
    assert ratios[0] < 1e-12                     # the first step has nothing to accumulate
    assert min(ratios[1:]) > 0.1                 # later steps carry old gradients along


# --------------------------------------------------------------------------
# Seeds: reproducible, and no global random state
# --------------------------------------------------------------------------
def _weights(model):
    return [p.data for p in model.parameters()]


def test_same_seed_same_network_different_seed_different_network():
    assert _weights(MLP(2, [16, 16, 1], seed=4)) == _weights(MLP(2, [16, 16, 1], seed=4))
    assert _weights(MLP(2, [16, 16, 1], seed=4)) != _weights(MLP(2, [16, 16, 1], seed=5))
    assert _weights(Neuron(5, seed=9)) == _weights(Neuron(5, seed=9))


def test_seeded_init_neither_reads_nor_changes_the_global_random_state():
    random.seed(123)
    state = random.getstate()
    a = _weights(MLP(2, [8, 1], seed=1))
    assert random.getstate() == state
    random.seed(999)
    random.random()
    assert _weights(MLP(2, [8, 1], seed=1)) == a


def test_rng_argument_shares_one_generator():
    rng = random.Random(11)
    first, second = Neuron(3, rng=rng), Neuron(3, rng=rng)
    assert _weights(first) != _weights(second)
    rng = random.Random(11)
    assert _weights(Neuron(3, rng=rng)) == _weights(first)


def test_unseeded_networks_differ():
    assert _weights(MLP(2, [8, 1])) != _weights(MLP(2, [8, 1]))


# --------------------------------------------------------------------------
# repr, exports
# --------------------------------------------------------------------------
def test_readable_reprs():
    assert repr(MLP(2, [16, 16, 1], seed=0)) == \
        "MLP(2 -> 16 -> 16 -> 1, relu hidden, linear output; 337 parameters)"
    assert repr(MLP(3, [2], seed=0)) == "MLP(3 -> 2, linear output; 8 parameters)"
    assert repr(MLP(2, [4, 1], "tanh", seed=0)) == \
        "MLP(2 -> 4 -> 1, tanh hidden, linear output; 17 parameters)"
    assert repr(Layer(3, 4, seed=0)) == "Layer(3 -> 4, relu)"
    assert repr(Neuron(2, "tanh", seed=0)) == "Neuron(2 inputs, tanh)"


def test_nn_is_importable_as_a_submodule():
    from tinygrad_edu import nn
    assert nn.MLP is tinygrad_edu.MLP
    assert tinygrad_edu.nn.Neuron is Neuron


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------
@pytest.mark.parametrize("make, error, words", [
    (lambda: MLP(2, 16), TypeError, "list of layer sizes"),
    (lambda: MLP(2, []), ValueError, "at least one layer"),
    (lambda: MLP(0, [3]), ValueError, "at least 1"),
    (lambda: MLP(2, [3, 0]), ValueError, "at least 1"),
    (lambda: MLP(2, [3.0]), TypeError, "must be an int"),
    (lambda: MLP(2, [3], activation="softmax"), ValueError, "unknown activation 'softmax'"),
    (lambda: Neuron(2.5), TypeError, "nin"),
    (lambda: Layer(2, 0), ValueError, "nout"),
    (lambda: MLP(2, [3], seed="a"), TypeError, "seed must be an int"),
    (lambda: MLP(2, [3], seed=1, rng=random.Random(1)), ValueError, "either seed= or rng="),
    (lambda: MLP(2, [3], rng=1), TypeError, "random.Random"),
])
def test_construction_errors(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_call_errors():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="expects 2 inputs, got 1"):
        model(1.0)
    with pytest.raises(TypeError, match="real numbers or Values"):
        model(["a", 1.0])
    with pytest.raises(TypeError, match="list of numbers or Values"):
        model(None)
    with pytest.raises(ValueError, match="expects 2 inputs"):
        model.predict([1.0])
    with pytest.raises(ValueError, match="expects 3 inputs"):
        Neuron(3, seed=0)([1.0])


# --------------------------------------------------------------------------
# The docstring examples of the nn modules run as written
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["nn", "losses", "optim", "data", "train"])
def test_docstring_examples(name):
    import doctest
    import importlib
    module = importlib.import_module(f"tinygrad_edu.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
