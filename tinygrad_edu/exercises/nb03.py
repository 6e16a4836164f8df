"""Notebook 03 exercises: a Value that remembers, and backprop by hand.

ex1  ``mul_backward(x, y, out)``: x, y, out are engine ``Value``s with
     ``out = x * y`` and ``out.grad`` already known.  *Add* this product's
     contributions into ``x.grad`` and ``y.grad`` (return nothing).
ex2  ``grads`` : a dict ``{"L": .., "d": .., "f": .., "c": .., "e": .., "a": .., "b": ..}``
     with dL/d(node) for L = (a·b + c)·f, e = a·b, d = e + c, at a=3, b=-2, c=5, f=-4.
ex3  ``class ReflectedValue(BareValue)`` adding ``__radd__``, ``__rsub__``, ``__rtruediv__``
     and ``__neg__`` to ``BareValue`` (which only has the forward operators and
     ``__rmul__`` as an example).
"""

from ..engine import Value
from ._common import call_student, close, fail, fmt, number, observations, observed
from ._exercise import Exercise

__all__ = ["check_mul_backward", "check_manual_grads", "check_reflected_ops", "BareValue",
           "manual_graph", "EXERCISES"]


# -- ex1 ------------------------------------------------------------------------
EX1 = Exercise("nb03_ex1", "backward of mul", ("mul_backward",))


@EX1.cases
def _mul_cases(rng, count=50):
    """[a, b, same, out.grad, prior grad]: zeros, x*x with one Value, grads already gathered."""
    pairs = [(1.3, -0.7, False), (0.0, 2.5, False), (-2.0, 0.0, False), (1.5, 1.5, True), (-3.0, -3.0, True)]
    while len(pairs) < count:
        same = rng.random() < 0.2
        a = rng.choice([0.0, round(rng.uniform(-3, 3), 2)]) if rng.random() < 0.1 else round(rng.uniform(-3, 3), 2)
        pairs.append((a, a if same else round(rng.uniform(-3, 3), 2), same))
    # An upstream gradient other than 1, and grads the operands already gathered elsewhere.
    return [[a, b, same, round(rng.uniform(0.5, 2.0), 2), round(rng.uniform(-1, 1), 2) or 0.5]
            for a, b, same in pairs]


@EX1.probe
def _mul_probe(cases, mul_backward):
    """[x.grad, y.grad, what mul_backward returned (None or its repr)] per case."""
    seen = []
    for a, b, same, g, prior in cases:
        x = Value(a, label="x")
        y = x if same else Value(b, label="y")
        out = x * y
        out.grad, x.grad, y.grad = g, prior, prior
        returned = call_student(EX1.id, mul_backward, x, y, out, what="mul_backward")
        seen.append([observed(x.grad), observed(y.grad), None if returned is None else repr(returned)[:60]])
    return seen


@EX1.judge
def _mul_judge(cases, seen):
    ex = EX1.id
    for (a, b, same, g, prior), (x_grad, y_grad, returned) in zip(cases, observations(ex, seen, len(cases), 3)):
        local = (Value(a) * Value(b)).local_grads()          # the engine's rule: (d/dx, d/dy)
        where = f"x=y={fmt(a)} (x*x, one Value used twice)" if same else f"x={fmt(a)}, y={fmt(b)}"
        x_grad = number(ex, x_grad, "x.grad")
        if same:
            expected = prior + (local[0] + local[1]) * g
            if not close(x_grad, expected, 1e-9, 1e-12):
                hint = "accumulate with +=: x receives one contribution per operand"
                if close(x_grad, prior + local[1] * g, 1e-9, 1e-12) or close(x_grad, local[1] * g, 1e-9, 1e-12):
                    hint = "with = the second write erases the first (x is both operands): use += for both"
                fail(ex, f"d(x·x)/dx wrong at {where}, out.grad={fmt(g)}: x.grad went from {fmt(prior)} "
                         f"to {fmt(x_grad)}, expected {fmt(expected)}", hint)
            continue
        y_grad = number(ex, y_grad, "y.grad")
        for grad, k, data, other, name in ((x_grad, 0, a, b, "x"), (y_grad, 1, b, a, "y")):
            gained = grad - prior
            expected = local[k] * g
            if close(gained, expected, 1e-9, 1e-12):
                continue
            partner = "y" if name == "x" else "x"
            if grad == prior and returned is not None:
                hint = (f"mul_backward returned {returned} but changed no .grad: add into "
                        "x.grad and y.grad instead of returning")
            elif close(grad, expected, 1e-9, 1e-12) and prior != 0:
                hint = f"{name}.grad lost the {fmt(prior)} it already had: use += instead of ="
            elif close(gained, data * g, 1e-9, 1e-12) and a != b:
                hint = (f"you used {name} (={fmt(data)}); the derivative of x·y wrt {name} is the "
                        f"*other* factor, {partner} (={fmt(other)}): partials swapped")
            elif close(gained, local[k], 1e-9, 1e-12):
                hint = "multiply by out.grad (the chain rule): the local derivative alone is not enough"
            else:
                hint = (f"{name}.grad should gain ∂(x·y)/∂{name} · out.grad: which value is "
                        f"∂(x·y)/∂{name}? (check with x={fmt(a)}, y={fmt(b)})")
            fail(ex, f"∂(x·y)/∂{name} wrong at {where}, out.grad={fmt(g)}: {name}.grad gained "
                     f"{fmt(gained)}, expected {fmt(expected)}", hint)
    return f"mul_backward is right on {len(cases)} products, including x*x"


def check_mul_backward(mul_backward, student_id=None) -> bool:
    """ex1: 50 products (negatives, zeros, x*x with one Value): compares the grads gained."""
    return EX1.check(mul_backward, student_id=student_id)


# -- ex2 ------------------------------------------------------------------------
def manual_graph(a=3.0, b=-2.0, c=5.0, f=-4.0):
    """L = (a·b + c)·f as labelled Values; returns {label: node} after backward()."""
    nodes = {k: Value(v, label=k) for k, v in zip("abcf", (a, b, c, f))}
    e = nodes["a"] * nodes["b"]; e.label = "e"
    d = e + nodes["c"]; d.label = "d"
    L = d * nodes["f"]; L.label = "L"
    L.backward()
    nodes.update(e=e, d=d, L=L)
    return nodes


def _consumer_hint(name, nodes):
    """'d feeds L through *, so dL/dd = dL/dL · f' built from the graph itself."""
    if name == "L":
        return "dL/dL = 1: the output's gradient wrt itself is the seed of backprop"
    node = nodes[name]
    for parent in nodes.values():
        if node in parent.children:
            other = [c for c in parent.children if c is not node]
            if parent.op == "*":
                return (f"{name} feeds {parent.label} through *, so dL/d{name} = dL/d{parent.label} · "
                        f"{other[0].label} = {fmt(parent.grad)} · {fmt(other[0].data)}")
            return (f"{name} feeds {parent.label} through +, which passes the gradient on unchanged: "
                    f"dL/d{name} = dL/d{parent.label} = {fmt(parent.grad)}")
    return ""


EX2 = Exercise("nb03_ex2", "gradients by hand", ("manual_grads",))
_NODES = ("L", "d", "f", "c", "e", "a", "b")


@EX2.cases
def _manual_cases(rng, values=(3.0, -2.0, 5.0, -4.0)):
    """The point the notebook gives (a, b, c, f); ``values=`` in the notebook for practice."""
    return [float(v) for v in values]


@EX2.probe
def _manual_probe(values, grads):
    if not isinstance(grads, dict):
        fail(EX2.id, f"grads should be a dict like {{'L': 1.0, 'd': ...}}, got {type(grads).__name__}")
    if all(v is None for v in grads.values()):
        fail(EX2.id, "no gradients filled in yet (every entry is None)",
             "replace each None with dL/d(node), from the output back", kind="not-attempted")
    return {name: None if grads.get(name) is None else observed(grads[name])
            for name in _NODES if name in grads}


@EX2.judge
def _manual_judge(values, seen):
    """Node by node from the output back (L, d, f, c, e, a, b)."""
    ex = EX2.id
    if type(seen) is not dict:
        fail(ex, "the checker got observations of the wrong shape; was the grader tampered with?")
    nodes = manual_graph(*values)
    for name in _NODES:
        if seen.get(name) is None:
            fail(ex, f"no gradient given for {name!r}", _consumer_hint(name, nodes))
        got = number(ex, seen[name], f"grads[{name!r}]")
        expected = nodes[name].grad
        if not close(got, expected, 1e-6, 1e-9):
            hint = _consumer_hint(name, nodes)
            if close(got, nodes[name].data, 1e-9, 1e-12) and name != "L":
                hint = f"{fmt(got)} is the value of {name}, not dL/d{name}. " + hint
            fail(ex, f"dL/d{name}: got {fmt(got)}, expected {fmt(expected)}", hint)
    return "all seven gradients right (a: {}, b: {})".format(fmt(nodes["a"].grad), fmt(nodes["b"].grad))


def check_manual_grads(grads, values=(3.0, -2.0, 5.0, -4.0)) -> bool:
    """ex2: node by node from the output back (L, d, f, c, e, a, b)."""
    return EX2.check(grads, values=values)


# -- ex3 ------------------------------------------------------------------------
class BareValue:
    """A Value with forward operators only: ``x + 2``, ``x - y``, ``x * 3``, ``x / y``, ``3 * x``.

    It wraps an engine Value (``.node``) so gradients work; what it lacks are the
    reflected operators Python needs for ``2 + x``, ``2 - x``, ``2 / x`` and ``-x``.

    >>> x = BareValue(3.0); y = 2 * x + 1
    >>> y.backward(); x.grad
    2.0
    """

    def __init__(self, data, _node=None):
        self.node = _node if _node is not None else Value(float(data))

    @classmethod
    def _lift(cls, other):
        if isinstance(other, BareValue):
            return other.node
        if isinstance(other, (int, float)):
            return Value(float(other), requires_grad=False)
        raise TypeError(f"unsupported operand: {type(other).__name__}")

    def _wrap(self, node):
        return type(self)(None, _node=node)

    def __add__(self, other): return self._wrap(self.node + self._lift(other))
    def __sub__(self, other): return self._wrap(self.node - self._lift(other))
    def __mul__(self, other): return self._wrap(self.node * self._lift(other))
    def __truediv__(self, other): return self._wrap(self.node / self._lift(other))

    def __rmul__(self, other):          # other * self, when other is a number
        return self * other

    @property
    def data(self): return self.node.data

    @property
    def grad(self): return self.node.grad

    def backward(self): self.node.backward()

    def __repr__(self):
        return f"{type(self).__name__}(data={fmt(self.data)}, grad={fmt(self.grad)})"


_REFLECTED = [  # (expression, how to compute it, method Python calls)
    ("2 + x", lambda x: 2 + x, lambda t: 2 + t, "__radd__"),
    ("2 - x", lambda x: 2 - x, lambda t: 2 - t, "__rsub__"),
    ("2 / x", lambda x: 2 / x, lambda t: 2 / t, "__rtruediv__"),
    ("x / 2", lambda x: x / 2, lambda t: t / 2, "__truediv__"),
    ("-x", lambda x: -x, lambda t: -t, "__neg__"),
    ("3 - 2 / (1 + x)", lambda x: 3 - 2 / (1 + x), lambda t: 3 - 2 / (1 + t), "__rsub__"),
]


EX3 = Exercise("nb03_ex3", "reflected operators", ("ReflectedValue",))


@EX3.cases
def _reflected_cases(rng):
    """The x values each expression is tried at: away from 0 (2/x) and -1 (2/(1+x))."""
    xs = [1.5, -0.7]
    while len(xs) < 8:
        x = round(rng.choice([-1, 1]) * rng.uniform(0.3, 3), 2)
        if abs(1 + x) >= 0.2:
            xs.append(x)
    return xs


@EX3.probe
def _reflected_probe(xs, cls):
    """Per expression and x: {"raised": ...}, {"not a value": ...} or {"data", "grad"}."""
    if not isinstance(cls, type):
        fail(EX3.id, f"pass your class itself (e.g. ReflectedValue), got {type(cls).__name__}")
    if cls is BareValue or (issubclass(cls, BareValue) and not any(
            m in vars(c) for c in cls.__mro__[:cls.__mro__.index(BareValue)] for m in _METHODS)):
        fail(EX3.id, f"{cls.__name__} adds none of {', '.join(_METHODS)} yet",
             "define them in your class (see the hint in the exercise)", kind="not-attempted")
    seen = []
    for _, student_expr, _, _ in _REFLECTED:
        row = []
        for x0 in xs:
            x = call_student(EX3.id, cls, x0, what=cls.__name__)
            try:
                y = student_expr(x)
                if not hasattr(y, "data") or not hasattr(y, "backward"):
                    row.append({"not a value": repr(y)[:60]})
                    continue
                data = observed(y.data)
                y.backward()
                row.append({"data": data, "grad": observed(x.grad)})
            except (MemoryError, RecursionError):
                raise
            except Exception as err:           # noqa: BLE001 - the student's operators raised
                row.append({"raised": type(err).__name__, "message": str(err)[:200]})
        seen.append(row)
    return seen


@EX3.judge
def _reflected_judge(xs, seen):
    ex = EX3.id
    for (text, _, plain, method), row in zip(_REFLECTED, observations(ex, seen, len(_REFLECTED))):
        for x0, got in zip(xs, observations(ex, row, len(xs))):
            if type(got) is not dict:
                fail(ex, "the checker got observations of the wrong shape; was the grader tampered with?")
            if "raised" in got:
                if got["raised"] == "TypeError":
                    hint = (f"define {method}(self, other): Python calls it for `{text}` because the "
                            "left operand is a plain number that does not know your class"
                            if method != "__neg__" else "define __neg__(self) for -x (e.g. return self * -1)")
                    fail(ex, f"{text} raised TypeError: {got['message']}", hint)
                fail(ex, f"{text} at x={fmt(x0)} raised {got['raised']}: {got['message']}")
            if "not a value" in got:
                fail(ex, f"{text} returned {got['not a value']}, not a value of your class",
                     f"{method} must return a value of your class (build it from self's operators)")
            data = number(ex, got["data"], f"({text}).data")
            expected = plain(x0)
            if not close(data, expected, 1e-9, 1e-12):
                hint = f"check {method}"
                if method == "__rsub__" and close(data, -expected, 1e-9, 1e-12):
                    hint = "__rsub__(self, other) computes other - self (you computed self - other)"
                if method == "__rtruediv__" and close(data, 1 / expected, 1e-9, 1e-12):
                    hint = "__rtruediv__(self, other) computes other / self (you computed self / other)"
                if method == "__neg__" and close(data, x0, 1e-9, 1e-12):
                    hint = "__neg__ must return a new value equal to -self"
                fail(ex, f"{text} at x={fmt(x0)} gave {fmt(data)}, expected {fmt(expected)}", hint)
            h = 1e-6
            slope = (plain(x0 + h) - plain(x0 - h)) / (2 * h)
            grad = number(ex, got["grad"], "x.grad")
            if not close(grad, slope, 1e-5, 1e-7):
                fail(ex, f"d({text})/dx at x={fmt(x0)}: got {fmt(grad)}, central difference gives {fmt(slope)}",
                     f"{method} must build the result from operations that record the graph "
                     "(no new value made from .data, which would cut the gradient)")
    return "2+x, 2-x, 2/x, x/2 and -x give the right values and gradients"


_METHODS = ("__radd__", "__rsub__", "__rtruediv__", "__neg__")


def check_reflected_ops(cls) -> bool:
    """ex3: 2+x, 2-x, 2/x, x/2, -x (and a mix): values and gradients, several x."""
    return EX3.check(cls)


EXERCISES = (EX1, EX2, EX3)
