"""Finding the faulty node: check every node's derivative rule on its own.

A wrong gradient at the end of a long computation says *that* something is
wrong, not *where*.  ``check_nodes`` looks at every operation node separately:
it re-runs that node's own operation with one operand nudged a little up and
down (central differences) and compares the slope with the node's local
derivative from its rule.  Nodes that disagree are the faulty ones;
``report.draw()`` paints them red.

>>> from tinygrad_edu import Value
>>> x = Value(3.0, label="x"); y = Value(-2.0, label="y"); z = x * y
>>> check_nodes(z).ok
True
>>> swapped = {"*": lambda out, a, b: (a, b)}      # a student's rule with the partials swapped
>>> report = check_nodes(z, rules=swapped)
>>> report.ok, [r.status for r in report.results]
(False, ['wrong', 'wrong'])

``rules`` maps an op name to a rule with the engine's signature
``rule(out, *inputs) -> one local derivative per input`` (numbers in, numbers
out), so an exercise can check a student's rule on a real graph.  ``forwards``
maps an op name to its forward function ``f(*inputs) -> number``, for custom
operations the checker does not know.
"""

from dataclasses import dataclass

from .engine import Value, topological_order
from .draw import draw
from ._node_names import check_root, name_nodes
from ._numbers import format_number, relative_step
from ._ops import ONE_OPERAND_METHODS

__all__ = ["check_nodes", "draw_faulty", "NodeCheck", "NodeReport", "FORWARDS"]


def _v(x):
    return Value(x, requires_grad=False)


#: How to recompute each engine op from plain numbers (through the engine itself,
#: so its domain errors and conventions apply).
FORWARDS = {
    "+": lambda x, y: (_v(x) + _v(y)).data,
    "-": lambda x, y: (_v(x) - _v(y)).data,
    "*": lambda x, y: (_v(x) * _v(y)).data,
    "/": lambda x, y: (_v(x) / _v(y)).data,
    "**": lambda x, y: (_v(x) ** _v(y)).data,
    "neg": lambda x: (-_v(x)).data,
    "abs": lambda x: abs(_v(x)).data,
    "real": lambda z: _v(z).real.data,
    "imag": lambda z: _v(z).imag.data,
    "leaky_relu": lambda x, slope: _v(x).leaky_relu(_v(slope)).data,
}
for _name in ONE_OPERAND_METHODS:
    FORWARDS.setdefault(_name, (lambda method: lambda x: getattr(_v(x), method)().data)(_name))


@dataclass(frozen=True)
class NodeCheck:
    """The verdict on one (node, operand) pair."""
    node: Value
    name: str
    operand: int
    status: str              # "ok", "wrong", "kink", "skipped"
    rule: object = None      # the local derivative the rule gives
    numeric: object = None   # the central-difference slope
    message: str = ""


class NodeReport:
    """All verdicts of :func:`check_nodes`; ``.faulty`` lists the nodes to fix."""

    def __init__(self, root, results, names):
        self.root, self.results, self.names = root, results, names

    @property
    def ok(self):
        """True when no node's rule disagrees with the numbers."""
        return not any(r.status == "wrong" for r in self.results)

    @property
    def faulty(self):
        """{node: message} for nodes with at least one wrong local derivative."""
        found = {}
        for r in self.results:
            if r.status == "wrong":
                found[r.node] = (found[r.node] + "; " if r.node in found else "") + r.message
        return found

    def __str__(self):
        if not self.results:
            return "no operations to check"
        lines = [f"{r.status:8} {r.name}: {r.message}" for r in self.results]
        bad = len(self.faulty)
        lines.append(f"{bad} faulty node(s)" if bad else "every node's rule agrees with the numbers")
        return "\n".join(lines)

    def __repr__(self):
        return f"<NodeReport: {len(self.results)} checks, {len(self.faulty)} faulty node(s)>"

    def draw(self, precision=4, **draw_options):
        """The graph with faulty nodes in red, their wrong edges labelled rule vs numeric."""
        notes, faulty = {}, {}
        red = "#dc2626"
        for r in self.results:
            if r.status != "wrong":
                continue
            swapped = "swapped" in r.message
            faulty[r.node] = "✗ rule ≠ numeric" + (" (partials swapped?)" if swapped else "")
            if r.rule is not None and r.numeric is not None:
                notes[(r.node, r.operand)] = (f"rule {format_number(r.rule, precision)} ≠ "
                                              f"numeric {format_number(r.numeric, precision)}", red)
            else:
                faulty[r.node] = "✗ " + _first_words(r.message)
        options = dict(show_local=True, legend=True, precision=precision, numbered=True,
                       faulty=faulty, edge_notes=notes)
        options.update(draw_options)
        return draw(self.root, **options)

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        bundle, metadata = self.draw()._repr_mimebundle_(include, exclude)
        bundle["text/plain"] = str(self)
        return bundle, metadata


def _first_words(message, limit=50):
    return message if len(message) <= limit else message[:limit - 1] + "…"


def check_nodes(root, rules=None, forwards=None, h=1e-6, rtol=1e-5, atol=1e-7, names=None):
    """Compare each node's local derivatives with central differences of its own op.

    Returns a :class:`NodeReport`.  Operands that are constants are not
    checked (nothing flows into them).  A point where the slope from the left
    and from the right differ (relu or abs at 0) is reported as "kink", not as
    wrong.  Unknown ops are "skipped" unless ``forwards`` says how to compute them.
    """
    check_root(root, "check_nodes")
    rules = _mapping(rules, "rules")
    forwards = {**FORWARDS, **_mapping(forwards, "forwards")}
    if not h > 0:
        raise ValueError(f"h must be a positive step, got {h!r}")
    order = topological_order(root)
    label = name_nodes(order, names)
    results = []
    for node in order:
        if node.is_leaf:
            continue
        results.extend(_check_node(node, label, rules.get(node.op), forwards.get(node.op),
                                   h, rtol, atol))
    return NodeReport(root, results, label)


def draw_faulty(root, rules=None, forwards=None, **draw_options):
    """``check_nodes(root, rules, forwards).draw(...)``: the graph with faulty nodes in red."""
    return check_nodes(root, rules=rules, forwards=forwards).draw(**draw_options)


def _mapping(value, what):
    if value is None:
        return {}
    if not hasattr(value, "items"):
        raise TypeError(f"{what} must be a dict op name -> function, got {type(value).__name__}")
    for op, fn in value.items():
        if not callable(fn):
            raise TypeError(f"{what}[{op!r}] must be callable, got {type(fn).__name__}")
    return dict(value)


def _check_node(node, label, rule, forward, h, rtol, atol):
    name = label[node]
    inputs = [c.data for c in node.children]
    say = lambda k, status, msg, r=None, n=None: NodeCheck(node, name, k, status, r, n, msg)
    # 1. what the rule says
    try:
        partials = tuple(rule(node.data, *inputs)) if rule else tuple(node.local_grads())
    except Exception as error:                   # a student's rule may fail in any way
        return [say(0, "wrong", f"the rule for {node.op!r} raised {type(error).__name__}: {error}")]
    if len(partials) != len(inputs):
        return [say(0, "wrong", f"the rule for {node.op!r} returned {len(partials)} derivative(s) "
                                f"for {len(inputs)} operand(s)")]
    if forward is None:
        return [say(0, "skipped", f"no forward function for op {node.op!r}; pass "
                                  f"forwards={{{node.op!r}: f}} to check it")]
    # 2. what the numbers say, operand by operand
    numerics = {}
    checks = []
    for k, child in enumerate(node.children):
        where = f"∂{name}/∂{label[child]} ({node.op}, operand {k + 1})"
        if not child.requires_grad:
            continue                              # a constant: nothing flows into it
        try:
            numeric, kink, noise = _slope(forward, inputs, k, h, node.data)
        except (ArithmeticError, ValueError, TypeError) as error:
            checks.append(say(k, "skipped", f"{where}: cannot nudge the operand here ({error})",
                              partials[k]))
            continue
        numerics[k] = numeric
        rule_value = partials[k]
        if kink:
            checks.append(say(k, "kink", f"{where}: not differentiable here (slopes from the left "
                                         f"and right differ); rule gives {format_number(rule_value)}",
                              rule_value, numeric))
            continue
        try:
            gap = abs(rule_value - numeric)
            scale = max(abs(rule_value), abs(numeric))
        except TypeError:
            checks.append(say(k, "wrong", f"{where}: the rule gave {rule_value!r}, not a number",
                              None, numeric))
            continue
        if gap <= atol + rtol * scale + 10 * noise:
            checks.append(say(k, "ok", f"{where} = {format_number(rule_value)}", rule_value, numeric))
        else:
            checks.append(say(k, "wrong", f"{where}: rule gives {format_number(rule_value)}, "
                                          f"numeric {format_number(numeric)}", rule_value, numeric))
    return _explain_swaps(checks, numerics)


def _slope(forward, inputs, k, h, out):
    """Central-difference slope of ``forward`` in operand ``k``, a kink flag, a noise level.

    For a complex operand z = x + iy the slope follows the engine's convention:
    df/dz for complex results (holomorphic ops), df/dx - i df/dy for real results.
    """
    x = inputs[k]
    step = relative_step(h, x)

    def at(delta):
        moved = list(inputs)
        moved[k] = x + delta
        return forward(*moved)

    up, down = at(step), at(-step)
    slope = (up - down) / (2 * step)
    forward_slope, backward_slope = (up - out) / step, (out - down) / step
    noise = 2.3e-16 * (abs(up) + abs(down) + abs(out)) / step
    kink = abs(forward_slope - backward_slope) > max(1e-3 * (abs(forward_slope) + abs(backward_slope)),
                                                     1e-4 + 100 * noise)
    if isinstance(x, complex) and not isinstance(out, complex):
        slope_y = (at(1j * step) - at(-1j * step)) / (2 * step)
        slope = slope - 1j * slope_y
    return slope, kink, noise


def _explain_swaps(checks, numerics):
    """If a wrong value equals another operand's true slope, say "swapped"."""
    result = []
    for c in checks:
        if c.status == "wrong" and c.rule is not None:
            for j, value in numerics.items():
                if j != c.operand and _close(c.rule, value) and not _close(c.rule, c.numeric):
                    c = NodeCheck(c.node, c.name, c.operand, c.status, c.rule, c.numeric,
                                  c.message + f" (that is the slope of operand {j + 1}: "
                                              "partials swapped?)")
                    break
        result.append(c)
    return result


def _close(a, b):
    try:
        return abs(a - b) <= 1e-6 * (1 + abs(b))
    except TypeError:
        return False
