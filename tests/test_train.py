"""tinygrad_edu.train: fit (history, zeroing, progress bars), accuracy, evaluate, the plot;
and the seed's logistic regression against HIPS autograd."""

import io
import math
import sys
from pathlib import Path

import autograd.numpy as anp
import pytest
from autograd import grad as ag_grad

from tinygrad_edu import (MLP, SGD, Adam, Value, accuracy, evaluate, fit, gradients, hinge, l2, log,
                          logistic_regression_toy, make_moons, make_spiral, plot_decision_boundary,
                          tanh)


# --------------------------------------------------------------------------
# The seed's logistic regression (HIPS autograd's tutorial), with Values and SGD
# --------------------------------------------------------------------------
def _autograd_logistic_loss_after(steps):
    inputs, targets = logistic_regression_toy()
    inputs, targets = anp.array(inputs), anp.array(targets)

    def sigmoid(x):
        return 0.5 * (anp.tanh(x / 2.0) + 1)

    def training_loss(weights):
        preds = sigmoid(anp.dot(inputs, weights))
        label_probabilities = preds * targets + (1 - preds) * (1 - targets)
        return -anp.sum(anp.log(label_probabilities))

    weights = anp.array([0.0, 0.0, 0.0])
    first = training_loss(weights)
    for _ in range(steps):
        weights = weights - ag_grad(training_loss)(weights) * 0.01
    return first, training_loss(weights)


def test_logistic_regression_matches_autograd_after_100_steps():
    inputs, targets = logistic_regression_toy()
    w = [Value(0.0, label=f"w{i}") for i in range(3)]
    opt = SGD(w, lr=0.01)

    def sigmoid(x):
        return 0.5 * (tanh(x / 2) + 1)

    def training_loss():
        total = None
        for x, t in zip(inputs, targets):
            p = sigmoid(w[0] * x[0] + w[1] * x[1] + w[2] * x[2])
            label_probability = p * t + (1 - p) * (1 - t)
            term = -log(label_probability)
            total = term if total is None else total + term
        return total

    first = training_loss().data
    for _ in range(100):
        loss = training_loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
    final = training_loss().data
    theirs_first, theirs_final = _autograd_logistic_loss_after(100)
    assert first == pytest.approx(4 * math.log(2), rel=1e-15) == pytest.approx(float(theirs_first))
    assert final == pytest.approx(float(theirs_final), rel=1e-12)
    assert final == pytest.approx(1.0672706757870163, rel=1e-12)     # the seed's printed number


# --------------------------------------------------------------------------
# fit
# --------------------------------------------------------------------------
def _small():
    X, y = make_moons(30, noise=0.1, seed=1)
    return X, y, MLP(2, [8, 8, 1], seed=1)


def test_fit_returns_one_history_entry_per_step():
    X, y, model = _small()
    h = fit(model, X, y, steps=6, lr=0.1, progress=False)
    assert h["step"] == list(range(6))
    assert len(h["loss"]) == len(h["accuracy"]) == len(h["lr"]) == 6
    assert h["lr"] == [0.1] * 6
    assert all(0.0 <= a <= 1.0 and a * 30 == pytest.approx(round(a * 30)) for a in h["accuracy"])


def test_fit_history_is_the_hand_written_loop():
    """fit's first loss and accuracy equal a manual forward pass; training lowers the loss."""
    X, y, model = _small()
    scores = [model(x) for x in X]
    manual = (hinge(scores, y) + l2(model, alpha=1e-3)).data
    manual_acc = accuracy(scores, y)
    h = fit(model, X, y, steps=25, lr=lambda k: 0.5, l2=1e-3, progress=False)
    assert h["loss"][0] == pytest.approx(manual, rel=1e-14)
    assert h["accuracy"][0] == manual_acc
    assert h["loss"][-1] < 0.6 * h["loss"][0]


def test_fit_zeroes_gradients_every_step():
    X, y, model = _small()
    fit(model, X, y, steps=3, lr=0.0, l2=1e-3, progress=False)      # lr 0: parameters stay put
    loss = hinge([model(x) for x in X], y) + l2(model, alpha=1e-3)
    fresh = gradients(loss, wrt=model.parameters())
    assert [p.grad for p in model.parameters()] == pytest.approx([fresh[p] for p in model.parameters()],
                                                                 rel=1e-12, abs=1e-15)


def test_fit_is_deterministic_given_the_seeds():
    runs = []
    for _ in range(2):
        X, y = make_moons(30, noise=0.1, seed=4)
        model = MLP(2, [8, 1], seed=4)
        runs.append((fit(model, X, y, steps=5, batch_size=10, seed=3, progress=False),
                     [p.data for p in model.parameters()]))
    assert runs[0] == runs[1]


def test_fit_minibatches_use_the_batch_size():
    X, y, model = _small()
    h = fit(model, X, y, steps=8, batch_size=4, progress=False)
    assert all(a in (0.0, 0.25, 0.5, 0.75, 1.0) for a in h["accuracy"])


def test_fit_with_adam_and_softmax_cross_entropy_learns_the_spiral():
    X, y = make_spiral(30, classes=3, noise=0.05, seed=0)
    model = MLP(2, [16, 3], seed=0)
    h = fit(model, X, y, steps=40, loss="cross_entropy", optimizer=Adam(model, lr=0.05), progress=False)
    assert h["loss"][-1] < 0.5 * h["loss"][0]
    assert evaluate(model, X, y) > 0.6              # chance is 1/3


def test_fit_bce_and_custom_loss():
    X, y, model = _small()
    h = fit(model, X, y, steps=3, loss="bce", progress=False)
    assert all(a is not None for a in h["accuracy"])
    h = fit(model, X, y, steps=2, loss=lambda s, t: hinge(s, t) * 2.0, progress=False)
    assert len(h["loss"]) == 2


def test_fit_reports_accuracy_only_for_class_labels():
    X = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    model = MLP(2, [4, 1], seed=0)
    assert fit(model, X, [0.3, -1.2, 2.0], loss="mse", steps=2, progress=False)["accuracy"] == [None, None]
    assert None not in fit(model, X, [1, -1, 1], loss="mse", steps=2, progress=False)["accuracy"]


def test_fit_stops_on_a_non_finite_loss():
    X, y, model = _small()
    with pytest.raises(FloatingPointError, match="the loss is nan at step 0"):
        fit(model, X, y, steps=3, loss=lambda s, t: Value(math.nan), progress=False)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(steps=0), ValueError, "steps must be an int >= 1"),
    (dict(loss="l1"), ValueError, "unknown loss 'l1'"),
    (dict(l2=-1.0), ValueError, "l2 must be a number >= 0"),
    (dict(batch_size=0), ValueError, r"batch_size must be None \(full batch\) or an int in 1..30"),
    (dict(optimizer="adam"), TypeError, "optimizer must be an SGD/Adam"),
    (dict(progress="fancy"), ValueError, "progress must be True, False"),
    (dict(loss=lambda s, t: 1.0), TypeError, "the loss must be a Value"),
])
def test_fit_errors(kwargs, error, words):
    X, y, model = _small()
    with pytest.raises(error, match=words):
        fit(model, X, y, **{"steps": 1, "progress": False, **kwargs})


@pytest.mark.parametrize("model", ["m", None, [1.0, 2.0], lambda x: x])
def test_fit_rejects_what_is_not_a_model(model):
    X, y, _ = _small()
    with pytest.raises(TypeError, match=r"fit: model must be a network that has \.parameters\(\)"):
        fit(model, X, y, steps=1, progress=False)


def test_fit_with_arguments_in_the_wrong_order_says_the_order():
    X, y, model = _small()
    with pytest.raises(TypeError, match=r"got list \(the order is fit\(model, X, y\)\)"):
        fit(X, y, model, steps=1, progress=False)


def test_fit_data_errors():
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError, match="X has 2 examples but y has 1 target$"):
        fit(model, [[0.0, 1.0], [1.0, 0.0]], [1], progress=False)
    with pytest.raises(ValueError, match="X is empty"):
        fit(model, [], [], progress=False)


# --------------------------------------------------------------------------
# Progress bars: stdout only, never stderr (notebook tests assert a clean stderr)
# --------------------------------------------------------------------------
@pytest.mark.parametrize("progress", [True, "tqdm", "simple"])
def test_progress_bar_writes_to_stdout_and_never_to_stderr(progress, capfd):
    X, y, model = _small()
    fit(model, X, y, steps=4, progress=progress)
    out, err = capfd.readouterr()
    assert err == ""
    assert "4/4" in out and "loss" in out and "acc" in out
    assert out.endswith("\n")


def test_progress_false_is_silent(capfd):
    X, y, model = _small()
    fit(model, X, y, steps=2, progress=False)
    assert capfd.readouterr() == ("", "")


def test_progress_bar_goes_to_the_given_file(capfd):
    X, y, model = _small()
    buffer = io.StringIO()
    fit(model, X, y, steps=3, progress="simple", file=buffer)
    assert capfd.readouterr() == ("", "")
    assert "step 3/3 [########################]" in buffer.getvalue()


def test_in_a_terminal_tqdm_draws_its_text_bar(capfd):
    X, y, model = _small()
    fit(model, X, y, steps=3, progress=True)
    out, err = capfd.readouterr()
    assert err == "" and "fit: 100%" in out and "3/3" in out      # tqdm's own format


def _run_in_kernel(source):
    """Run ``source`` as a notebook cell in a Jupyter kernel of this Python; return its outputs."""
    import nbclient
    import nbformat
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(__file__).parent)}}).execute()
    return notebook.cells[0].outputs


_FIT_CELL = ("from tinygrad_edu import MLP, fit, make_moons\n"
             "X, y = make_moons(10, noise=0.1, seed=0)\n"
             "history = fit(MLP(2, [4, 1], seed=0), X, y, steps=3)\n")


def test_in_jupyter_fit_shows_the_notebook_progress_widget():
    outputs = _run_in_kernel(_FIT_CELL)
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 1, outputs
    text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert "fit: 3/3 steps, loss" in text, outputs           # what a saved notebook shows as well
    assert not [o for o in outputs if o.get("name") == "stderr"], outputs


def test_in_jupyter_without_tqdm_fit_prints_the_builtin_bar():
    outputs = _run_in_kernel("import sys; sys.modules['tqdm'] = None\n" + _FIT_CELL)
    text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert "step 3/3 [" in text, outputs
    assert not [o for o in outputs if o.get("name") == "stderr"], outputs


def test_without_tqdm_the_builtin_bar_is_used(monkeypatch, capfd):
    monkeypatch.setitem(sys.modules, "tqdm", None)          # import tqdm now fails
    X, y, model = _small()
    fit(model, X, y, steps=2, progress=True)
    out, err = capfd.readouterr()
    assert "step 2/2 [" in out and err == ""
    with pytest.raises(ImportError, match="needs tqdm"):
        fit(model, X, y, steps=2, progress="tqdm")


# --------------------------------------------------------------------------
# accuracy and evaluate
# --------------------------------------------------------------------------
def test_accuracy_by_hand():
    assert accuracy([2.0, -1.0, 0.5], [1, 0, -1]) == pytest.approx(2 / 3)
    assert accuracy([Value(0.1), Value(-0.1)], [True, False]) == 1.0
    assert accuracy([0.0], [1]) == 0.0                      # a score of exactly 0 is class 0
    assert accuracy([[0.1, 0.9, 0.0], [Value(2.0), Value(1.0), Value(0.0)]], [1, 2]) == 0.5


def test_accuracy_errors():
    with pytest.raises(ValueError, match="as many scores as targets"):
        accuracy([1.0], [1, 0])
    with pytest.raises(ValueError, match="at least one"):
        accuracy([], [])


def test_evaluate_equals_accuracy_of_the_recorded_forward_pass():
    X, y, model = _small()
    fit(model, X, y, steps=5, progress=False)
    assert evaluate(model, X, y) == accuracy([model(x) for x in X], y)
    plain = lambda x: model(x)                         # a callable without .predict
    assert evaluate(plain, X, y) == evaluate(model, X, y)


# --------------------------------------------------------------------------
# plot_decision_boundary
# --------------------------------------------------------------------------
def test_plot_decision_boundary_binary_and_multiclass(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y, model = _small()
    fit(model, X, y, steps=20, lr=0.5, progress=False)
    ax = plot_decision_boundary(model, X, y, resolution=40)
    assert ax.get_title().startswith("decision boundary (accuracy ")
    assert len(ax.collections) >= 2                   # filled regions + the points
    ax.figure.savefig(tmp_path / "moons.png")
    plt.close(ax.figure)

    X3, y3 = make_spiral(45, classes=3, seed=1)
    fig, ax = plt.subplots()
    out = plot_decision_boundary(MLP(2, [8, 3], seed=0), X3, y3, ax=ax, resolution=20, title="spiral")
    assert out is ax and ax.get_title() == "spiral"
    fig.savefig(tmp_path / "spiral.png")
    plt.close(fig)
    assert (tmp_path / "moons.png").stat().st_size > 1000


def test_plot_decision_boundary_errors():
    pytest.importorskip("matplotlib")
    model = MLP(3, [4, 1], seed=0)
    with pytest.raises(ValueError, match="needs 2-D inputs"):
        plot_decision_boundary(model, [[0.0, 1.0, 2.0]], [1])
    with pytest.raises(ValueError, match="resolution must be an int >= 2"):
        plot_decision_boundary(MLP(2, [1], seed=0), [[0.0, 1.0]], [1], resolution=1)


def test_plot_without_matplotlib_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'tinygrad_edu\[notebooks\]'"):
        plot_decision_boundary(MLP(2, [1], seed=0), [[0.0, 1.0]], [1])
