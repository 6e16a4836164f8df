"""The tour: the seed's path through automatic differentiation, in one command.

``tinygrad-edu demo`` runs :func:`run_tour`.  Five short sections, each printing
its numbers next to an *independent* value (a closed form, a central
difference, HIPS autograd's published result), with a mark saying whether they
agree:

1. the derivative of x² at 2, as a limit and by autodiff;
2. the chain rule on f(x) = sin²((2x² + x + 1)²) at 0.5 (f' = 12 sin 8);
3. the Taylor-series sine and its gradient at π (autodiff differentiates the program);
4. the seed's logistic regression, before and after 100 gradient steps;
5. a neuron, then the two-moons MLP trained with a progress bar.

The diagrams go into a folder (``diagrams/`` by default) and the tour ends by
listing them.  Returns the number of checks that failed (0 when all agree).
"""

import math
import sys
import time
from pathlib import Path

from . import engine
from .engine import Value, sin, tanh, log

__all__ = ["run_tour", "taylor_sine", "training_loss", "HIPS_AUTOGRAD_TRAINED_LOSS"]

#: The seed's logistic regression after 100 steps of lr 0.01, as computed by HIPS
#: autograd 1.9.1 (with sigmoid(x) = 0.5 * (tanh(x / 2) + 1)): the reference value.
HIPS_AUTOGRAD_TRAINED_LOSS = 1.0672706757870163

_WIDTH = 78


# --------------------------------------------------------------------------
# The seed's programs, written for Values (they run on floats too)
# --------------------------------------------------------------------------
def taylor_sine(x, tol=1e-3, max_terms=1000):
    """The seed's Taylor-series sine: add terms until one is smaller than ``tol``.

    Written with a data-dependent ``while`` loop on purpose: autodiff follows whichever
    iterations actually ran.  The one copy in the package: the diagrams draw it and
    exercise nb07 differentiates it.

    >>> round(taylor_sine(1.0), 6)
    0.841468
    """
    ans = currterm = x
    i = 0
    while abs(currterm) > tol:
        if i >= max_terms:
            raise ValueError(f"taylor_sine did not converge in {max_terms} terms (tol={tol})")
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        i += 1
    return ans


def _toy_data():
    from .data import logistic_regression_toy
    return logistic_regression_toy()


def training_loss(weights, inputs=None, targets=None):
    """The seed's logistic-regression loss: -sum log P(label) with sigmoid = (tanh(z/2)+1)/2.

    >>> round(training_loss([0.0, 0.0, 0.0]), 6)     # 4 log 2
    2.772589
    """
    if inputs is None:
        inputs, targets = _toy_data()
    total = 0.0
    for x, t in zip(inputs, targets):
        z = sum(w * xi for w, xi in zip(weights, x))
        p = 0.5 * (tanh(z / 2.0) + 1.0)
        label_probability = p * t + (1 - p) * (1 - t)
        total = total - log(label_probability)
    return total


def _grad(f):
    from .transforms import grad
    return grad(f)


def _central_difference(f, x, h=1e-5):
    from .numeric import numerical_grad
    return numerical_grad(f, x, h=h)


# --------------------------------------------------------------------------
# Printing: headers, aligned numbers, a mark per check
# --------------------------------------------------------------------------
class _Report:
    def __init__(self, stream):
        self.stream = stream
        self.failures = 0
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "✓✗²π·′".encode(encoding)
            self.fancy = True
        except (UnicodeEncodeError, LookupError):
            self.fancy = False

    def say(self, text=""):
        if not self.fancy:
            text = (text.replace("²", "^2").replace("π", "pi").replace("·", "*")
                    .replace("′", "'").replace("×", "x").replace("→", "->").replace("—", "-"))
        print(text, file=self.stream, flush=True)

    def header(self, number, title):
        self.say()
        self.say(f"{number}. {title}")
        self.say("-" * min(_WIDTH, len(title) + 3))

    def check(self, what, value, expected, expected_text, tol=1e-9):
        """One line: what, the value, the independent value, and whether they agree."""
        ok = _close(value, expected, tol)
        self.failures += not ok
        mark = ("✓" if ok else "✗ MISMATCH") if self.fancy else ("ok" if ok else "MISMATCH")
        self.say(f"  {what:<34}{_fmt(value):>13}   {expected_text:<25} {mark}")
        return ok

    def show(self, what, value, note=""):
        self.say(f"  {what:<34}{_fmt(value):>13}   {note}".rstrip())


def _close(a, b, tol):
    a, b = _plain(a), _plain(b)
    return abs(a - b) <= tol * max(1.0, abs(b))


def _plain(x):
    return x.data if isinstance(x, Value) else x


def _fmt(x):
    x = _plain(x)
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(_fmt(v).strip() for v in x) + ")"
    if isinstance(x, int):
        return str(x)
    if x == 0 or 1e-3 <= abs(x) < 1e6:
        return f"{x:.6f}"
    return f"{x:.3e}"


# --------------------------------------------------------------------------
# Diagrams
# --------------------------------------------------------------------------
class _Diagrams:
    """Saves pictures into the folder and remembers what was written."""

    def __init__(self, folder, report):
        self.folder = Path(folder)
        self.report = report
        self.written = []
        self.no_graphviz = False

    def save(self, graph, stem, formats=("svg", "png")):
        from .render import save, GraphvizNotFound
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.no_graphviz:
            try:
                for fmt in formats:
                    self.written.append(save(graph, self.folder / f"{stem}.{fmt}"))
                return
            except GraphvizNotFound:
                self.no_graphviz = True
                self.report.say("  (Graphviz's dot was not found: writing .dot files instead; "
                                "pip install graphviz-pure for pictures)")
        self.written.append(save(graph, self.folder / f"{stem}.dot"))

    def save_figure(self, figure, name):
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / name
        figure.savefig(path, dpi=110, bbox_inches="tight")
        self.written.append(str(path))


def _draw(root, **options):
    from .draw import draw
    return draw(root, **options)


# --------------------------------------------------------------------------
# The five sections
# --------------------------------------------------------------------------
def _section_limit(r):
    r.header(1, "The derivative as a limit: d(x²)/dx at x = 2")
    r.say("  slope of the secant (f(x+h) - f(x)) / h, and the central (f(x+h) - f(x-h)) / 2h")
    square = lambda x: x * x
    h = 1e-3
    forward = (square(2.0 + h) - square(2.0)) / h
    r.check("forward difference, h = 1e-3", forward, 4.0 + h, "exact: 2x + h = 4.001", 1e-9)
    r.check("central difference, h = 1e-5", _central_difference(square, 2.0), 4.0,
            "exact: 2x = 4", 1e-8)
    r.check("autodiff (reverse mode)", _grad(square)(2.0), 4.0, "exact: 2x = 4", 0.0)
    r.say("  The forward difference is off by exactly h; autodiff has no h at all.")


def _section_chain_rule(r, pictures):
    r.header(2, "The chain rule: f(x) = sin²((2x² + x + 1)²) at x = 0.5")
    x = Value(0.5, label="x")
    u = 2 * x ** 2 + x + 1
    v = u ** 2
    w = sin(v)
    f = w ** 2
    for node, name in ((u, "u"), (v, "v"), (w, "w"), (f, "f")):
        node.label = name
    r.say(f"  u = 2x² + x + 1 = {_fmt(u).strip()},  v = u² = {_fmt(v).strip()},  "
          f"w = sin v = {_fmt(w).strip()},  f = w² = {_fmt(f).strip()}")
    links = [("du/dx", u, x), ("dv/du", v, u), ("dw/dv", w, v), ("df/dw", f, w)]
    local = [engine.gradients(out, [inp])[inp] for _, out, inp in links]
    r.say("  local derivatives: " + ",  ".join(f"{name} = {_fmt(d).strip()}"
                                               for (name, _, _), d in zip(links, local)))
    forward = list(_running_products(local))
    backward = list(_running_products(local[::-1]))
    r.say("  products x → f (forward):  " + ", ".join(_fmt(p).strip() for p in forward))
    r.say("  products f → x (reverse):  " + ", ".join(_fmt(p).strip() for p in backward))
    f.backward()
    exact = 12 * math.sin(8)
    r.check("autodiff f'(0.5)", x.grad, exact, "closed form 12 sin 8", 1e-12)
    r.check("central difference, h = 1e-5", _central_difference(
        lambda t: math.sin((2 * t * t + t + 1) ** 2) ** 2, 0.5), exact, "12 sin 8 (to 1e-6)", 1e-6)
    pictures.save(_draw(f, show_local=True, rankdir="LR", title="f = sin²((2x² + x + 1)²), "
                        "edges show local derivatives"), "chain_rule_sin2")


def _running_products(numbers):
    product = 1.0
    for n in numbers:
        product *= n
        yield product


def _section_taylor(r):
    r.header(3, "The Taylor-series sine and its gradient at π")
    r.say("  while |term| > 0.001: add the next term  (the seed's loop, run on Values)")
    terms = _taylor_term_count(math.pi)
    value = taylor_sine(math.pi)
    r.check("taylor_sine(π)", value, _taylor_polynomial(math.pi, terms), "its own polynomial", 1e-12)
    r.show("sin(π)", 0.0, "the true value, for comparison")
    slope = _grad(taylor_sine)(math.pi)
    r.check("grad(taylor_sine)(π)", slope, _taylor_polynomial_slope(math.pi, terms),
            "slope of that polynomial", 1e-12)
    r.show("cos(π)", -1.0, "the true derivative: the loop stopped at |term| < 1e-3")
    r.say(f"  The loop ran {terms} times; autodiff differentiated exactly the program that ran.")


def _taylor_term_count(x):
    currterm = x
    i = 0
    while abs(currterm) > 0.001:
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        i += 1
    return i


def _taylor_polynomial(x, n):
    return sum((-1) ** k * x ** (2 * k + 1) / math.factorial(2 * k + 1) for k in range(n + 1))


def _taylor_polynomial_slope(x, n):
    return sum((-1) ** k * x ** (2 * k) / math.factorial(2 * k) for k in range(n + 1))


def _section_logistic(r):
    r.header(4, "Logistic regression (the seed's 4 examples, 3 features)")
    inputs, targets = _toy_data()
    gradient = _grad(lambda w: training_loss(w, inputs, targets))
    weights = [0.0, 0.0, 0.0]
    r.check("initial loss, weights = 0", training_loss(weights, inputs, targets),
            4 * math.log(2), "4 log 2", 1e-12)
    g0 = [_plain(v) for v in gradient(weights)]
    by_hand = [-sum((t - 0.5) * x[j] for x, t in zip(inputs, targets)) for j in range(3)]
    for j in range(3):
        r.check(f"d loss / d w{j} at 0", g0[j], by_hand[j], "-sum (t - 1/2) x", 1e-12)
    for _ in range(100):
        step = gradient(weights)
        weights = [w - 0.01 * _plain(d) for w, d in zip(weights, step)]
    r.check("loss after 100 steps, lr 0.01", training_loss(weights, inputs, targets),
            HIPS_AUTOGRAD_TRAINED_LOSS, "HIPS autograd 1.0672707", 1e-9)
    r.say("  trained weights: " + _fmt(weights))


def _neuron():
    """o = tanh(x1*w1 + x2*w2 + b) with NB03's numbers."""
    from .diagrams import neuron
    return neuron()


def _section_network(r, pictures, steps):
    r.header(5, "A neuron, then a network on two moons")
    o = _neuron()
    o.backward()
    named = {node.label: node for node in engine.topological_order(o)}
    r.say("  o = tanh(x1·w1 + x2·w2 + b) with b chosen so that n = log 2")
    r.check("o", o, 0.6, "tanh(log 2) = 3/5", 1e-12)
    r.check("do/dn", named["n"].grad, 0.64, "1 - o² = 16/25", 1e-12)
    r.check("do/dw1", named["w1"].grad, 0.64 * 2.0, "x1 · 16/25", 1e-12)
    r.check("do/dx1", named["x1"].grad, 0.64 * -1.0, "w1 · 16/25", 1e-12)
    from .nn import MLP
    from .data import make_moons
    from .train import fit, evaluate
    X, y = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    r.say(f"  {model}")
    r.say("  micrograd's recipe: 100 points, hinge loss + 1e-4·L2, SGD with lr = 1 - 0.9·k/100;")
    r.say(f"  {steps} full-batch steps:")
    started = time.perf_counter()
    history = fit(model, X, y, steps=steps, loss="hinge", lr=lambda k: 1.0 - 0.9 * k / 100,
                  l2=1e-4, progress=True, file=r.stream)
    seconds = time.perf_counter() - started
    recount = sum((model(x).data > 0) == (t == 1) for x, t in zip(X, y))
    r.show("final loss", history["loss"][-1], f"after {steps} steps, {seconds:.1f} s")
    r.check(f"points right (of {len(X)})", round(evaluate(model, X, y) * len(X)), recount,
            "recounted by hand", 0.0)
    _save_boundary(model, X, y, pictures, r)


def _seed_diagrams(r, pictures):
    """The seed's diagrams (diagrams.write_diagrams): neuron, chain rule, Taylor sine..."""
    from .diagrams import write_diagrams
    from .render import GraphvizNotFound
    if pictures.no_graphviz:
        return
    try:
        pictures.written.extend(write_diagrams(pictures.folder))
    except GraphvizNotFound:
        r.say("  (Graphviz's dot was not found: the seed's diagrams were not drawn)")


def _save_boundary(model, X, y, pictures, r):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from .train import plot_decision_boundary
    except ImportError:
        r.say("  (matplotlib is not installed: no decision-boundary picture)")
        return
    ax = plot_decision_boundary(model, X, y, resolution=60)
    pictures.save_figure(ax.figure, "moons_boundary.png")
    plt.close(ax.figure)


# --------------------------------------------------------------------------
def run_tour(out="diagrams", stream=None, steps=100):
    """Run the five sections, write the diagrams into ``out``; return the number of failed checks."""
    stream = stream or sys.stdout
    r = _Report(stream)
    pictures = _Diagrams(out, r)
    started = time.perf_counter()
    title = "tinygrad_edu: a tour of automatic differentiation"
    r.say(title)
    r.say("=" * len(title))
    r.say("Each number is printed next to an independent value it must agree with.")
    _section_limit(r)
    _section_chain_rule(r, pictures)
    _section_taylor(r)
    _section_logistic(r)
    _section_network(r, pictures, steps)
    _seed_diagrams(r, pictures)
    r.say()
    r.say(f"Diagrams written into {pictures.folder}/:")
    for path in pictures.written:
        r.say(f"  {path}")
    verdict = ("all checks agree" if not r.failures else
               f"{r.failures} check{'s' if r.failures > 1 else ''} did NOT agree")
    r.say(f"\nDone in {time.perf_counter() - started:.1f} s: {verdict}.")
    return r.failures
