"""The seed's diagrams, written into a folder (``diagrams/`` in the repository).

>>> paths = write_diagrams("diagrams")            # doctest: +SKIP

Each example is also a function returning its output Value, so notebooks and
the command line can draw the same graphs.
"""

import math
from pathlib import Path

from . import tour
from .engine import Value, tanh
from .draw import draw, draw_gradient
from .trace import trace_backward
from .nodecheck import check_nodes
from .render import save

__all__ = ["neuron", "chain_rule", "taylor_sine", "fan_out", "write_diagrams"]


def neuron():
    """o = tanh(x1*w1 + x2*w2 + b) with NB03's numbers: n = ln 2, so o = 0.6."""
    x1, w1 = Value(2.0, label="x1"), Value(-1.0, label="w1")
    x2, w2 = Value(1.0, label="x2"), Value(0.5, label="w2")
    b = Value(1.5 + math.log(2.0), label="b")
    x1w1 = x1 * w1; x1w1.label = "x1·w1"
    x2w2 = x2 * w2; x2w2.label = "x2·w2"
    s = x1w1 + x2w2; s.label = "x1w1+x2w2"
    n = s + b; n.label = "n"
    o = tanh(n); o.label = "o"
    return o


def chain_rule():
    """L = (a*b + c) * f with a=3, b=-2, c=5, f=-4 (NB03): L = 4."""
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    c, f = Value(5.0, label="c"), Value(-4.0, label="f")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    L = d * f; L.label = "L"
    return L


def taylor_sine(x=math.pi, tolerance=1e-3):
    """sin(x) by its Taylor series, with the seed's while loop; the loop unrolls into a graph."""
    x = x if isinstance(x, Value) else Value(x, label="x")
    ans = tour.taylor_sine(x, tolerance)
    ans.label = "sin x"
    return ans


def fan_out():
    """b = a + a; c = b * b at a = 3: each use of a node sends its own arrow (dc/da = 24)."""
    a = Value(3.0, label="a")
    b = a + a; b.label = "b"
    c = b * b; c.label = "c"
    return c


def write_diagrams(folder="diagrams", formats=("svg", "png"), renderer="auto"):
    """Draw the seed's examples into ``folder``; returns the list of files written.

    neuron, chain_rule, taylor_sine, fan_out, second_derivative, faulty_node
    (each as .svg/.png) and backward_steps.html (the step-through player).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pictures = {}

    o = neuron(); o.backward()
    # Top to bottom, so the README can show it at full size (left to right it is too wide).
    pictures["neuron"] = draw(o, show_local=True, legend=True, rankdir="TB",
                              title="o = tanh(x1·w1 + x2·w2 + b): every value and gradient")
    L = chain_rule(); L.backward()
    pictures["chain_rule"] = draw(L, show_local=True, legend=True,
                                  title="L = (a·b + c)·f: the chain rule edge by edge, "
                                        "dL/da = f·b = 8, dL/db = f·a = -12")
    x = Value(math.pi, label="x"); s = taylor_sine(x); s.backward()
    pictures["taylor_sine"] = draw(s, rankdir="TB", legend=True,
                                   title=f"Taylor sine at x = π, loop unrolled: sin x ≈ {s.data:.6f}, "
                                         f"d/dx = {x.grad:.6f} (cos π = -1)")
    c = fan_out(); c.backward()
    pictures["fan_out"] = draw(c, show_local=True, legend=True,
                               title="a used twice: two arrows, two contributions, dc/da = 24")
    y = Value(0.5, label="x"); f = tanh(y) ** 2; f.label = "f"
    pictures["second_derivative"] = draw_gradient(f, y, legend=True,
                                                  title="The graph of df/dx for f = tanh(x)², "
                                                        "built by backward(create_graph=True); "
                                                        "faded: reused nodes of f")
    L2 = chain_rule(); L2.backward()
    # Top to bottom: the long red notes on the edges make a left-to-right picture too wide to
    # read at the size a page shows it.
    pictures["faulty_node"] = check_nodes(L2, rules={"*": _swapped_mul_rule}).draw(
        rankdir="TB", title="A student's × rule with the partials swapped:\nthe faulty nodes are red")

    written = []
    for name, picture in pictures.items():
        for fmt in formats:
            written.append(save(picture, folder / f"{name}.{fmt}", renderer))
    o = neuron()
    player = trace_backward(o).player(renderer=renderer)
    written.append(player.save(folder / "backward_steps.html",
                               title="Backward through o = tanh(x1·w1 + x2·w2 + b), step by step"))
    return [str(p) for p in written]


def _swapped_mul_rule(out, x, y):
    """A deliberately wrong rule for the faulty-node diagram: d/dx = x, d/dy = y."""
    return x, y
