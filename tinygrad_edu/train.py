"""Training helpers: the training loop with a progress bar, accuracy, and a decision-boundary plot.

``fit`` is the loop you would write by hand -- forward, zero_grad, backward,
step -- plus bookkeeping:

>>> from tinygrad_edu import MLP, make_moons
>>> X, y = make_moons(20, noise=0.1, seed=0)
>>> model = MLP(2, [8, 1], seed=0)
>>> history = fit(model, X, y, steps=5, lr=0.1, progress=False)
>>> sorted(history), len(history["loss"])
(['accuracy', 'loss', 'lr', 'step'], 5)

The progress bar goes to ``sys.stdout`` by default (``file=`` to change it):
in a notebook, text on stderr shows up as a red warning box, and the test
suite checks that notebooks write nothing there.  ``tqdm`` is used when it is
installed (its notebook widget inside Jupyter), otherwise a small built-in bar.
"""

from __future__ import annotations

import math
import random
import sys
import time
import warnings
from typing import Any, Callable, Iterable, Protocol, Sequence, TextIO

from . import losses as _losses
from .engine import Value, collector_paused, no_grad
from .optim import SGD, Optimizer

__all__ = ["fit", "accuracy", "evaluate", "plot_decision_boundary", "LOSSES"]

class Model(Protocol):
    """What ``fit`` trains (for type checkers): an ``MLP``, or any class of yours with these two."""
    def parameters(self) -> list[Value]: ...
    def __call__(self, x: Any) -> Any: ...


#: loss names accepted by ``fit(loss=...)``
LOSSES = {
    "hinge": _losses.hinge,
    "max_margin": _losses.hinge,
    "bce": _losses.binary_cross_entropy,
    "binary_cross_entropy": _losses.binary_cross_entropy,
    "cross_entropy": _losses.cross_entropy,
    "mse": _losses.mse,
}


def fit(model: Model, X: Sequence[Sequence[float]], y: Sequence[Any], *, steps: int = 100,
        loss: str | Callable[..., Value] = "hinge", optimizer: Optimizer | None = None,
        lr: float | Callable[[int], float] = 0.1, l2: float = 0.0, batch_size: int | None = None,
        seed: int = 0, progress: bool | str = True, file: TextIO | None = None) -> dict[str, list[Any]]:
    """Train ``model`` on inputs ``X`` and targets ``y``; return the history.

    Each step: score a batch (all of X unless ``batch_size`` is set), compute
    ``loss`` (a name from ``LOSSES`` or a function ``loss(scores, targets)``)
    plus ``l2 * sum(p²)``, then ``zero_grad``, ``backward`` and ``optimizer.step()``.
    Without an ``optimizer``, ``SGD(model.parameters(), lr=lr)`` is used;
    ``lr`` may be a schedule, a function of the step number.

    Returns a dict of lists, one entry per step: ``"step"``, ``"loss"`` (the
    total loss, regularisation included), ``"accuracy"`` (fraction of the
    batch classified correctly by that step's forward pass, i.e. *before*
    its update; ``None`` when the targets are not class labels) and ``"lr"``.

    ``progress``: ``True`` (tqdm if installed, else a built-in bar), ``"tqdm"``,
    ``"simple"``, or ``False`` for silence.  In Jupyter, tqdm's bar is the
    notebook widget (``tqdm.auto``); in a terminal, a line of text.  ``file``:
    where a text bar goes (default ``sys.stdout``; giving one picks the text bar).  ``seed`` seeds the choice of mini-batches.
    """
    _check_model(model)
    X, y = _check_data(X, y)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"fit: steps must be an int >= 1, got {steps!r}")
    loss_fn, loss_name = _loss_function(loss)
    if isinstance(l2, bool) or not isinstance(l2, (int, float)) or not l2 >= 0:
        raise ValueError(f"fit: l2 must be a number >= 0, got {l2!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                   or not 1 <= batch_size <= len(X)):
        raise ValueError(f"fit: batch_size must be None (full batch) or an int in 1..{len(X)}, "
                         f"got {batch_size!r}")
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=lr)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an SGD/Adam (an optim.Optimizer), "
                        f"got {type(optimizer).__name__}")
    params = model.parameters()
    with_accuracy = _labels_are_classes(y, loss_name)
    rng = random.Random(seed)
    history = {"step": [], "loss": [], "accuracy": [], "lr": []}
    bar = _progress_bar(progress, steps, file)
    try:
        for k in range(steps):
            if batch_size is None:
                Xb, yb = X, y
            else:
                picked = rng.sample(range(len(X)), batch_size)
                Xb, yb = [X[i] for i in picked], [y[i] for i in picked]
            # The collector would only re-scan the process's objects: graphs have no cycles.
            with collector_paused():
                scores = [model(x) for x in Xb]
                total = loss_fn(scores, yb)
                if l2:
                    total = total + _losses.l2(params, alpha=l2)
                if not isinstance(total, Value):
                    raise TypeError(f"fit: the loss must be a Value, got {type(total).__name__}")
                if not math.isfinite(total.data):
                    raise FloatingPointError(f"fit: the loss is {total.data} at step {k}; "
                                             "try a smaller learning rate")
                rate = optimizer.current_lr()
                optimizer.zero_grad()
                total.backward()
                optimizer.step()
            acc = accuracy(scores, yb) if with_accuracy else None
            history["step"].append(k)
            history["loss"].append(total.data)
            history["accuracy"].append(acc)
            history["lr"].append(rate)
            bar.update(k + 1, total.data, acc)
            # Let this step's graph go now rather than keep it alive while the next
            # one is built: half the memory.
            del scores, total
    finally:
        bar.close()
    return history


def accuracy(scores: Iterable[Any], targets: Iterable[Any]) -> float:
    """The fraction of examples classified correctly.

    One score per example: positive means class 1, and the targets are class
    labels (1/True positive; 0, -1 or False negative).  A list of scores per
    example: the largest one names the class, and the targets are class indices.

    >>> accuracy([2.0, -1.0, 0.5], [1, 0, -1])
    0.6666666666666666
    """
    scores, targets = list(scores), list(targets)
    if len(scores) != len(targets) or not scores:
        raise ValueError(f"accuracy needs as many scores as targets (at least one), "
                         f"got {len(scores)} and {len(targets)}")
    correct = 0
    for s, t in zip(scores, targets):
        if isinstance(s, (list, tuple)):
            values = [_data(v) for v in s]
            correct += values.index(max(values)) == t
        else:
            correct += (_data(s) > 0) == _is_positive_label(t)
    return correct / len(scores)


def evaluate(model: Model, X: Sequence[Sequence[float]], y: Sequence[Any]) -> float:
    """Accuracy of ``model`` on ``(X, y)``, computed on plain numbers (no graph is built)."""
    X, y = _check_data(X, y)
    return accuracy([_predict(model, x) for x in X], y)


def plot_decision_boundary(model: Model, X: Sequence[Sequence[float]], y: Sequence[Any], ax: Any = None,
                           resolution: int = 80, padding: float = 0.5, title: str | None = None) -> Any:
    """Colour the plane by the class ``model`` predicts, and scatter the data on top.

    Needs matplotlib (the ``notebooks`` extra), imported only when called.
    Works for one output (the boundary is score = 0) and for several outputs
    (each point takes the class of its largest score).  Returns the matplotlib Axes.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plot_decision_boundary needs matplotlib: "
                          "pip install 'tinygrad_edu[notebooks]' (or pip install matplotlib)") from None
    X, y = _check_data(X, y)
    if any(len(x) != 2 for x in X):
        raise ValueError("plot_decision_boundary needs 2-D inputs (each x is [x1, x2])")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be an int >= 2, got {resolution!r}")
    xs = [x[0] for x in X]
    ys = [x[1] for x in X]
    x_lo, x_hi = min(xs) - padding, max(xs) + padding
    y_lo, y_hi = min(ys) - padding, max(ys) + padding
    gx = [x_lo + (x_hi - x_lo) * i / (resolution - 1) for i in range(resolution)]
    gy = [y_lo + (y_hi - y_lo) * j / (resolution - 1) for j in range(resolution)]
    grid = [[_predict(model, [a, b]) for a in gx] for b in gy]
    multiclass = isinstance(grid[0][0], (list, tuple))
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    if multiclass:
        classes = [[row_score.index(max(row_score)) for row_score in row] for row in grid]
        k = len(grid[0][0])
        ax.contourf(gx, gy, classes, levels=[c - 0.5 for c in range(k + 1)], cmap="Spectral", alpha=0.35)
    else:
        # score < 0 is class 0 (blue), score > 0 class 1 (red), as the points are coloured.
        ax.contourf(gx, gy, grid, levels=[-math.inf, 0.0, math.inf], colors=["#92c5de", "#f4a582"],
                    alpha=0.5)
        ax.contour(gx, gy, grid, levels=[0.0], colors="k", linewidths=1)
    labels = [_class_of(t) for t in y]
    if multiclass:      # the same colour scale as the regions: class c at the middle of its band
        ax.scatter(xs, ys, c=labels, cmap="Spectral", vmin=-0.5, vmax=k - 0.5, edgecolors="k", s=22)
    else:
        ax.scatter(xs, ys, c=labels, cmap="coolwarm", edgecolors="k", s=22)
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title if title is not None else f"decision boundary (accuracy {evaluate(model, X, y):.0%})")
    return ax


# --------------------------------------------------------------------------
# Progress bars
# --------------------------------------------------------------------------
class _NoBar:
    def update(self, step, loss, acc):
        pass

    def close(self):
        pass


class _SimpleBar:
    """A one-line text bar, redrawn in place with a carriage return (at most twice a second)."""

    def __init__(self, total, file, width=24):
        self.total, self.file, self.width = total, file, width
        self.start = self.last = time.perf_counter()
        self.drawn = False

    def update(self, step, loss, acc):
        now = time.perf_counter()
        if step < self.total and now - self.last < 0.5:
            return
        self.last = now
        filled = self.width * step // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        text = f"\rstep {step:>{len(str(self.total))}}/{self.total} [{bar}] {_status(loss, acc)}"
        text += f" ({now - self.start:.1f}s)"
        self.file.write(text)
        self.file.flush()
        self.drawn = True

    def close(self):
        if self.drawn:
            self.file.write("\n")
            self.file.flush()


class _TqdmBar:
    def __init__(self, tqdm, total, file):
        self.bar = tqdm(total=total, file=file, desc="fit", leave=True, ascii=True, mininterval=0.5)
        self.status = ""

    def update(self, step, loss, acc):
        self.status = _status(loss, acc)
        self.bar.set_postfix_str(self.status, refresh=False)
        self.bar.update(step - self.bar.n)

    def close(self):
        self.bar.close()
        if hasattr(self.bar, "container"):          # tqdm.notebook's bar (an ipywidget)
            # A saved notebook (or a front end without widgets) shows only the widget's
            # first frame, "0%": the outcome is also written as a line of text.
            print(f"fit: {self.bar.n}/{self.bar.total} steps, {self.status}")


def _status(loss, acc):
    return f"loss {loss:.4f}" + (f" acc {acc:.1%}" if acc is not None else "")


def _progress_bar(progress, total, file):
    if progress not in (True, False, None, "tqdm", "simple"):
        raise ValueError(f"fit: progress must be True, False, 'tqdm' or 'simple', got {progress!r}")
    if not progress:
        return _NoBar()
    if progress in (True, "tqdm"):
        tqdm = _tqdm_class(notebook=file is None)
        if tqdm is not None:
            return _TqdmBar(tqdm, total, sys.stdout if file is None else file)
        if progress == "tqdm":
            raise ImportError("fit(progress='tqdm') needs tqdm: pip install tqdm "
                              "(or use progress=True for the built-in bar)")
    return _SimpleBar(total, sys.stdout if file is None else file)


def _tqdm_class(notebook):
    """tqdm's bar class, or None without tqdm.  In Jupyter (and ``notebook``) it is
    ``tqdm.auto``'s choice, the notebook widget; in a terminal the text bar."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    if not (notebook and _in_jupyter_kernel()):
        return tqdm
    with warnings.catch_warnings():
        # Without ipywidgets, tqdm.auto warns and falls back to the text bar: the
        # fallback is what we want, the warning would be a red box in the notebook.
        warnings.simplefilter("ignore")
        try:
            from tqdm.auto import tqdm as notebook_tqdm
        except ImportError:
            return tqdm
    return notebook_tqdm


def _in_jupyter_kernel():
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code), False in a terminal or IPython."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def _check_model(model):
    # Without this, fit("m", ...) or fit(X, y, model) ends in "'str' object has no attribute ...".
    if not (callable(model) and callable(getattr(model, "parameters", None))):
        raise TypeError(f"fit: model must be a network that has .parameters() and is called as "
                        f"model(x), e.g. MLP(2, [16, 16, 1]); got {type(model).__name__} "
                        "(the order is fit(model, X, y))")


def _check_data(X, y):
    try:
        X, y = list(X), list(y)
    except TypeError:
        raise TypeError("X and y must be sequences (lists or arrays) of examples and targets") from None
    if len(X) != len(y):
        raise ValueError(f"X has {_count(len(X), 'example')} but y has {_count(len(y), 'target')}")
    if not X:
        raise ValueError("no examples: X is empty")
    return X, y


def _loss_function(loss):
    if callable(loss):
        return loss, getattr(loss, "__name__", "custom")
    if loss in LOSSES:
        return LOSSES[loss], loss
    raise ValueError(f"fit: unknown loss {loss!r}; choose one of {', '.join(map(repr, LOSSES))} "
                     "or pass a function loss(scores, targets)")


def _labels_are_classes(y, loss_name):
    """Whether accuracy means something for these targets."""
    if loss_name == "cross_entropy":
        return True
    allowed = {1.0, -1.0} if loss_name == "mse" else {1.0, 0.0, -1.0}
    try:
        return all(float(_data(t)) in allowed for t in y)
    except (TypeError, ValueError):
        return False


def _is_positive_label(t):
    return float(_data(t)) == 1.0


def _class_of(t):
    t = _data(t)
    return int(t) if not isinstance(t, float) or t.is_integer() else t


def _data(x):
    return x.data if isinstance(x, Value) else x


def _predict(model, x):
    """The model's output on plain numbers: ``model.predict`` if it has one, else a no-grad call."""
    if hasattr(model, "predict"):
        return model.predict(x)
    with no_grad():
        out = model(x)
    return [_data(o) for o in out] if isinstance(out, (list, tuple)) else _data(out)


def _count(n, noun):
    """'1 example', '3 examples'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"

