"""Notebook 12 exercises: write the whole engine yourself, closures and all.

ex1  ``class MyValue``: ``MyValue(data)`` with ``.data``, ``.grad`` (0 at first), ``._prev``
     (the operands) and ``._backward`` (a closure that *adds* this node's contributions into
     its operands' ``.grad``; a leaf's does nothing).  Operators ``+ - *``, ``**`` with a
     number exponent, unary ``-``, the reflected ``2 + x``, ``2 - x``, ``2 * x``, and the
     methods ``tanh()`` and ``exp()``.
ex2  ``my_backward(self)`` (the notebook attaches it as ``MyValue.backward``): a topological
     order built with an explicit stack, the seed 1, the closures called in reverse.  As with
     ``Value.backward``: leaves accumulate across calls, intermediate nodes show the latest
     pass only.

Expressions cross the grader's boundary as plain *specs*: ``{"inputs": [numbers], "ops":
[[op, i, j, c], ...]}`` where ``op`` is a key of ``OPS`` (``"x * y"``, ``"c - x"``...), ``i``
and ``j`` index earlier nodes (inputs first, then op results) and ``c`` is the constant or
exponent; ``{"inputs": [x], "chain": n}`` is a chain of ``n`` ops.  Probe and judge each
build the expression from the spec -- the probe with the student's class, the judge with
the engine -- so an observation is the ``.data`` and ``.grad`` of every node of the spec.

ex1's probe walks the student's graph with its own topological order (over ``_prev``) and
calls the student's closures, so ex1 does not depend on ex2; ex2's probe runs the student's
``my_backward`` on the checker's own closure nodes (built from the engine's rules), so ex2
does not depend on ex1.  ``compare_engines(MyValue)`` runs the finished engine, its own
``backward()`` included, against the engine on the same traps.
"""

import math
import random
import warnings

from ..engine import Value, gradients, topological_order
from ._common import DEEP_CHAIN, call_student, close, fail, fmt, number, observations, observed
from ._exercise import Exercise
from ._programs import backward_situation

__all__ = ["check_my_value", "check_my_backward", "compare_engines", "OPS", "EXERCISES"]

#: The expressions an op spec can name: (how to compute it, the method Python calls for it).
OPS = {
    "x + y": (lambda x, y, c: x + y, "__add__"),
    "x + c": (lambda x, y, c: x + c, "__add__"),
    "c + x": (lambda x, y, c: c + x, "__radd__"),
    "x * y": (lambda x, y, c: x * y, "__mul__"),
    "x * c": (lambda x, y, c: x * c, "__mul__"),
    "c * x": (lambda x, y, c: c * x, "__rmul__"),
    "x - y": (lambda x, y, c: x - y, "__sub__"),
    "x - c": (lambda x, y, c: x - c, "__sub__"),
    "c - x": (lambda x, y, c: c - x, "__rsub__"),
    "-x": (lambda x, y, c: -x, "__neg__"),
    "x ** k": (lambda x, y, c: x ** c, "__pow__"),
    "x.tanh()": (lambda x, y, c: x.tanh(), "tanh"),
    "x.exp()": (lambda x, y, c: x.exp(), "exp"),
}
_LETTERS = "abcdefgh"


# -- specs: the same expression on both sides ------------------------------------------
def _ops_of(spec):
    """The op list of a spec ([op, i, j, c] each); a chain spec expands to * and + steps."""
    if "chain" in spec:
        return [["x * c", k, None, 1.0001] if k % 2 == 0 else ["x + c", k, None, 0.001]
                for k in range(spec["chain"])]
    return spec["ops"]


def _evaluate(spec, make):
    """Every node of the spec, inputs first: ``make(number)`` builds an input."""
    nodes = [make(v) for v in spec["inputs"]]
    for op, i, j, c in _ops_of(spec):
        nodes.append(OPS[op][0](nodes[i], None if j is None else nodes[j], c))
    return nodes


_TEXT = {"x + y": "{x} + {y}", "x + c": "{x} + {c}", "c + x": "{c} + {x}", "x * y": "{x} * {y}",
         "x * c": "{x} * {c}", "c * x": "{c} * {x}", "x - y": "{x} - {y}", "x - c": "{x} - {c}",
         "c - x": "{c} - {x}", "-x": "-{x}", "x ** k": "{x} ** {c}", "x.tanh()": "tanh({x})",
         "x.exp()": "exp({x})"}


def _names(spec):
    n = len(spec["inputs"])
    return spec.get("labels") or [_LETTERS[i] for i in range(n)] + [f"t{m + 1}" for m in range(len(_ops_of(spec)))]


def _node_name(spec, k, formula=True):
    """'a' for an input, 't3 = t1 * b' for the third op (or the spec's own labels)."""
    names, n = _names(spec), len(spec["inputs"])
    if k < n or not formula:
        return names[k]
    op, i, j, c = _ops_of(spec)[k - n]
    text = _TEXT[op].format(x=names[i], y="" if j is None else names[j], c="" if c is None else fmt(c))
    return f"{names[k]} = {text}"


def _engine_nodes(spec):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _evaluate(spec, Value)


def _ordinary(spec, pow_base=0.2):
    """True if the spec's numbers are ordinary: finite, not huge, no pow of a tiny base."""
    try:
        nodes = _engine_nodes(spec)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grads = gradients(nodes[-1])
    except (ArithmeticError, ValueError):
        return False
    numbers = [n.data for n in nodes] + list(grads.values())
    if not all(isinstance(x, float) and math.isfinite(x) and abs(x) < 1e4 for x in numbers):
        return False
    n = len(spec["inputs"])
    for op, i, j, c in _ops_of(spec):
        if op == "x ** k" and abs(nodes[i].data) < pow_base:
            return False
        if op == "x.exp()" and nodes[i].data > 4:
            return False
    return len(nodes) > n


def _random_spec(rng, inputs=(1, 3), ops=(3, 9)):
    """A random expression over the ops above, reusing nodes (fan-out) often."""
    while True:
        n = rng.randint(*inputs)
        spec = {"inputs": [round(rng.choice([-1, 1]) * rng.uniform(0.3, 1.5), 2) for _ in range(n)], "ops": []}
        for k in range(rng.randint(*ops)):
            size = n + k
            i = rng.randrange(max(0, size - 3), size) if rng.random() < 0.7 else rng.randrange(size)
            r = rng.random()
            if r < 0.45:
                spec["ops"].append([rng.choice(["x + y", "x * y", "x - y"]), i, rng.randrange(size), None])
            elif r < 0.7:
                spec["ops"].append([rng.choice(["x + c", "c + x", "x * c", "c * x", "x - c", "c - x"]), i, None,
                                    rng.choice([2.0, -1.5, 0.5, 3.0])])
            elif r < 0.78:
                spec["ops"].append(["-x", i, None, None])
            elif r < 0.88:
                spec["ops"].append(["x ** k", i, None, rng.choice([2.0, 3.0, -1.0])])
            else:
                spec["ops"].append([rng.choice(["x.tanh()", "x.exp()"]), i, None, None])
        if _ordinary(spec):
            return spec


#: The bug museum's traps, as specs (labels as in notebook 04).
TRAPS = {
    "a + a": {"inputs": [3.0], "ops": [["x + y", 0, 0, None]], "labels": ["a", "b"]},
    "a * a": {"inputs": [-1.5], "ops": [["x * y", 0, 0, None]], "labels": ["a", "b"]},
    "diamond": {"inputs": [2.0, 3.0], "ops": [["x * y", 0, 1, None], ["x + y", 0, 1, None], ["x * y", 2, 3, None]],
                "labels": ["x", "y", "p", "s", "f"]},
    "shared parents": {"inputs": [2.0, 3.0], "ops": [["x + y", 0, 1, None], ["x * y", 0, 1, None],
                                                     ["x + y", 2, 3, None], ["x * y", 2, 3, None],
                                                     ["x + y", 4, 5, None]],
                       "labels": ["a", "b", "c", "d", "s", "q", "y"]},
    "double edge": {"inputs": [1.0], "ops": [["x + y", 0, 0, None], ["x + y", 1, 1, None]],
                    "labels": ["a", "b", "c"]},
    "chain": {"inputs": [0.5], "chain": DEEP_CHAIN},
}
_TRAP_TITLES = {"a + a": "b = a + a", "a * a": "b = a * a", "diamond": "the diamond f = (x·y)·(x+y)",
                "shared parents": "the shared parents y = (c+d) + c·d", "double edge": "c = b+b, b = a+a",
                "chain": f"a chain of {DEEP_CHAIN} ops"}


# -- the probe's own walk over a student's graph ---------------------------------------
def _children(node):
    prev = getattr(node, "_prev", None)
    if prev is None:
        raise AttributeError(f"{type(node).__name__} has no attribute '_prev'")
    return list(prev)


def _order(root):
    """Post-order DFS over ``_prev`` with an explicit stack (the checker's own)."""
    order, seen, stack = [], {id(root)}, [(root, iter(_children(root)))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(_children(child))))
                break
        else:
            stack.pop()
            order.append(node)
    return order


# -- ex1 -------------------------------------------------------------------------------
EX1 = Exercise("nb12_ex1", "your own Value: ops and closures", ("MyValue",))


def _unit(rng, op):
    """One op alone: operands away from 0 (and >0 for a square root), an upstream grad != 1, and
    operand grads that already hold something (a `=` would erase it)."""
    a = round(rng.choice([-1, 1]) * rng.uniform(0.4, 1.6), 2)
    b = round(rng.choice([-1, 1]) * rng.uniform(0.4, 1.6), 2)
    c = None
    if op.startswith("c ") or op.endswith(" c"):
        c = rng.choice([2.0, -1.5, 3.0, 0.5])
    if op == "x ** k":
        c = rng.choice([2.0, 3.0, -1.0, 0.5, -2.0])
        a = abs(a) if c == 0.5 else a
    same = op in ("x + x", "x * x")
    name = op.replace("x + x", "x + y").replace("x * x", "x * y")
    two = "y" in name
    spec = {"inputs": [a] if same or not two else [a, b],
            "ops": [[name, 0, 0 if same else (1 if two else None), c]]}
    return {"spec": spec, "seed": round(rng.uniform(0.5, 2.0), 2), "prior": round(rng.uniform(0.2, 1.0), 2),
            "unit": op}


_UNITS = ("x + y", "x + c", "x * y", "x * c", "-x", "x - y", "x - c", "c + x", "c * x", "c - x",
          "x ** k", "x.tanh()", "x.exp()", "x + x", "x * x")


@EX1.cases
def _value_cases(rng, count=20):
    """Each op alone (twice), the traps a + a, a * a, the diamond, then random expressions."""
    units = [_unit(rng, op) for op in _UNITS for _ in range(2)]
    traps = [{"spec": TRAPS[name], "seed": 1.0, "prior": 0.0} for name in ("diamond", "shared parents",
                                                                           "double edge")]
    rand = [{"spec": _random_spec(rng), "seed": 1.0, "prior": 0.0} for _ in range(count)]
    return units + traps + rand


def _probe_case(cls, case):
    """{"data": [...], "grad": [...], "moved": bool} for one case, or what went wrong."""
    spec = case["spec"]
    try:
        inputs = [cls(v) for v in spec["inputs"]]
        before = [getattr(x, "_backward", None) for x in inputs]
        nodes = list(inputs)
        for k, (op, i, j, c) in enumerate(_ops_of(spec)):
            where = k + len(inputs)
            try:
                nodes.append(OPS[op][0](nodes[i], None if j is None else nodes[j], c))
            except NotImplementedError:
                return {"not written": OPS[op][1], "at": where}
            except (MemoryError, RecursionError):
                raise
            except Exception as err:                 # noqa: BLE001 - the student's operator raised
                return {"raised": type(err).__name__, "message": str(err)[:200], "at": where}
            if not hasattr(nodes[-1], "data") or not hasattr(nodes[-1], "grad"):
                return {"not a value": repr(nodes[-1])[:60], "at": where}
        data = [observed(n.data) for n in nodes]
        moved = any(getattr(x, "_backward", None) is not b for x, b in zip(inputs, before))
        for x in inputs:
            x.grad = case["prior"]
        root = nodes[-1]
        order = _order(root)
        root.grad = case["seed"]
        for node in reversed(order):
            node._backward()
        return {"data": data, "grad": [observed(n.grad) for n in nodes], "moved": moved}
    except NotImplementedError:
        return {"not written": "__init__", "at": 0}
    except (MemoryError, RecursionError):
        raise
    except Exception as err:                         # noqa: BLE001 - e.g. no _backward, no _prev
        return {"raised": type(err).__name__, "message": str(err)[:200], "at": -1}


@EX1.probe
def _value_probe(cases, cls):
    if not isinstance(cls, type):
        fail(EX1.id, f"pass your class itself (MyValue), got {type(cls).__name__}")
    if cls is Value or issubclass(cls, Value):
        fail(EX1.id, "that is tinygrad_edu's own Value", "write your own class, one closure per op")
    return [_probe_case(cls, case) for case in cases]


def _gain_hint(op, operand, spec, got_gain, want_gain, prior, seed, same):
    """A hint that names the mistake behind a wrong gain of one operand of one op, or ''."""
    method = OPS[op][1]
    x = spec["inputs"][0]
    y = spec["inputs"][1] if len(spec["inputs"]) > 1 else None
    c = spec["ops"][0][3]
    node = _engine_nodes(spec)[-1]
    local = want_gain / seed
    t = node.data
    me, other = (x, y) if operand == "x" else (y, x)
    near = lambda v: close(got_gain, v, 1e-7, 1e-10)    # noqa: E731
    if same and near(want_gain / 2 - prior):
        return ("with = the second write erases the first (x is both operands): use += instead of = "
                "in both lines of the closure")
    if prior and near(want_gain - prior):
        return f"{operand}.grad lost the {fmt(prior)} it already had: use += instead of ="
    if prior and near(local * prior):
        return ("you multiplied by the operand's own grad: the chain factor is out.grad "
                "(self.grad and out.grad swapped)")
    if near(local) and seed != 1:
        return "missing chain factor: multiply the local derivative by out.grad"
    if near(0.0):
        return (f"nothing reached {operand}: does {method} set the closure on the new node "
                "(out._backward = _backward), and does it add into the operand's .grad?")
    if near(-want_gain):
        return f"sign slip: the local derivative of {op} wrt {operand} is {fmt(local)}"
    if op == "x * y" and not same and near(me * seed):
        return (f"partials swapped: d(x·y)/d{operand} is the *other* factor "
                f"({'y' if operand == 'x' else 'x'}), so {operand}.grad += other.data * out.grad")
    if op == "x * c" and near(x * seed):
        return "partials swapped: d(x·c)/dx is c, the other factor"
    if op == "c * x" and near(x * seed):
        return "partials swapped: d(c·x)/dx is c, the other factor"
    if op == "x ** k":
        if near(c * x ** c * seed):
            return f"pow rule: d(x**k)/dx = k·x**(k-1), not k·x**k (here {fmt(c)}·x**{fmt(c - 1)})"
        if near(x ** (c - 1) * seed):
            return "pow rule: d(x**k)/dx = k·x**(k-1): the factor k is missing"
        if near(c * x ** (c - 1)):
            return "missing chain factor: multiply k·x**(k-1) by out.grad"
        return "pow rule: d(x**k)/dx = k·x**(k-1) (k is the number exponent)"
    if op == "x.tanh()":
        if near((1 - x * x) * seed):
            return "tanh′ = 1 - t**2 where t = out.data is the *output*: you used the input x"
        if near((1 - t) * seed):
            return "tanh′ = 1 - t**2 (t squared), with t = out.data"
        return "tanh′ = 1 - t**2 with t = out.data"
    if op == "x.exp()":
        return "exp′(x) = exp(x), which is out.data: x.grad += out.data * out.grad"
    return ""


def _judge_unit(ex, case, got):
    spec, seed, prior = case["spec"], case["seed"], case["prior"]
    op, unit = spec["ops"][0][0], case["unit"]
    method = OPS[op][1]
    same = unit in ("x + x", "x * x")
    nodes = _engine_nodes(spec)
    out = nodes[-1]
    where = ", ".join(f"{n}={fmt(v)}" for n, v in zip("xy", spec["inputs"]))
    if spec["ops"][0][3] is not None:
        where += f", {'k' if op == 'x ** k' else 'c'}={fmt(spec['ops'][0][3])}"
    text = unit
    data = number(ex, got["data"][-1], f"({text}).data")
    if not close(data, out.data, 1e-9, 1e-12):
        hint = f"check the forward value in {method}"
        if method == "__rsub__" and close(data, -out.data, 1e-9, 1e-12):
            hint = "__rsub__(self, other) computes other - self (you computed self - other)"
        if method == "__neg__" and close(data, spec["inputs"][0], 1e-9, 1e-12):
            hint = "__neg__ must return a new value equal to -self"
        fail(ex, f"your {method}: {text} at {where} gave {fmt(data)}, expected {fmt(out.data)}", hint)
    root_grad = number(ex, got["grad"][-1], f"({text}).grad")
    if not close(root_grad, seed, 1e-12, 1e-12):
        fail(ex, f"your {method}'s backward changed out.grad of {text} (from {fmt(seed)} to {fmt(root_grad)})",
             "the closure reads out.grad and adds into the operands: self.grad += local * out.grad "
             "(self.grad and out.grad swapped?)")
    if got.get("moved"):
        fail(ex, f"your {method} replaced an operand's _backward ({text})",
             "store the closure on the new node: out._backward = _backward (not self._backward)")
    grads = gradients(out, seed=seed)
    for k, operand in enumerate("x" if same else "xy"[:len(spec["inputs"])]):
        want = prior + grads.get(nodes[k], 0.0)
        value = number(ex, got["grad"][k], f"{operand}.grad")
        if close(value, want, 1e-9, 1e-12):
            continue
        hint = _gain_hint(op, operand, spec, value - prior, want - prior, prior, seed, same)
        fail(ex, f"your {method}'s backward: {text} at {where}, out.grad={fmt(seed)}: {operand}.grad went "
                 f"from {fmt(prior)} to {fmt(value)}, expected {fmt(want)}",
             hint or f"{operand}.grad should gain d({text})/d{operand} · out.grad = "
                     f"{fmt((want - prior) / seed)} · {fmt(seed)}")


def _consumers(spec, k):
    """[(op index, op)] of the ops that use node k."""
    n = len(spec["inputs"])
    return [(n + m, op) for m, (op, i, j, c) in enumerate(_ops_of(spec)) if k in (i, j)]


def _judge_expression(ex, case, got):
    spec = case["spec"]
    nodes = _engine_nodes(spec)
    datas = observations(ex, got["data"], len(nodes))
    grads_seen = observations(ex, got["grad"], len(nodes))
    for k, (node, value) in enumerate(zip(nodes, datas)):
        value = number(ex, value, "a .data")
        if not close(value, node.data, 1e-9, 1e-12):
            method = OPS[_ops_of(spec)[k - len(spec["inputs"])][0]][1] if k >= len(spec["inputs"]) else "__init__"
            fail(ex, f"in {_expression_text(spec)}: {_node_name(spec, k)} has data {fmt(value)}, expected "
                     f"{fmt(node.data)}", f"check the forward value in your {method}")
    grads = gradients(nodes[-1])
    for k in reversed(range(len(nodes))):
        value = number(ex, grads_seen[k], "a .grad")
        want = grads.get(nodes[k], 0.0)
        if close(value, want, 1e-9, 1e-12):
            continue
        users = _consumers(spec, k)
        methods = sorted({OPS[op][1] for _, op in users})
        hint = f"check the backward of your {', '.join(methods)}"
        uses = sum((i == k) + (j == k) for op, i, j, c in _ops_of(spec))
        if uses > 1:
            parts = [gradients(nodes[m]).get(nodes[k], 0.0) * grads.get(nodes[m], 0.0) for m, _ in users]
            if any(close(value, p, 1e-9, 1e-12) for p in parts) or close(value, want / 2, 1e-9, 1e-12):
                hint = (f"it is used {uses} times, and only one contribution arrived: each closure must add "
                        "into the operand's grad: use += instead of =")
        fail(ex, f"in {_expression_text(spec)} (seed 1): the first wrong gradient from the root back is "
                 f"{_node_name(spec, k, formula=False)}'s: got {fmt(value)}, expected {fmt(want)}", hint)


def _trap_name(spec):
    return next((name for name, trap in TRAPS.items() if trap == spec), None)


def _expression_text(spec):
    """'[a=2, b=3; t1 = a * b; ...]': the inputs and the ops (a long one shortened)."""
    n, names = len(spec["inputs"]), _names(spec)
    steps = [_node_name(spec, k) for k in range(n, n + len(_ops_of(spec)))]
    shown = "; ".join(steps) if len(steps) <= 6 else "; ".join(steps[:3] + ["..."] + steps[-2:])
    return f"[{', '.join(f'{names[i]}={fmt(v)}' for i, v in enumerate(spec['inputs']))}; {shown}]"


@EX1.judge
def _value_judge(cases, seen):
    ex = EX1.id
    observations(ex, seen, len(cases))
    problems = [(case, got) for case, got in zip(cases, seen) if type(got) is not dict or "data" not in got]
    for case, got in problems:
        if type(got) is not dict:
            fail(ex, "the observations do not match the test cases (was the checker tampered with?)")
    # The notebook's stub gives __init__ and __add__: nothing else written is "not attempted".
    others = [got for case, got in zip(cases, seen) if "unit" in case and OPS[case["unit"].replace(
        "x + x", "x + y").replace("x * x", "x * y")][1] != "__add__"]
    if others and all("not written" in got for got in others):
        fail(ex, f"your {others[0]['not written']} is not written yet (it raised NotImplementedError)",
             "replace the `raise NotImplementedError()` lines with your code", kind="not-attempted")
    for case, got in zip(cases, seen):
        if "not written" in got:
            fail(ex, f"your {got['not written']} is not written yet (it raised NotImplementedError)",
                 "replace its `raise NotImplementedError()` with the forward value and its closure")
        if "raised" in got:
            what = _node_name(case["spec"], got["at"]) if got["at"] >= 0 else "building or walking the graph"
            hint = ""
            if "_backward" in got["message"]:
                hint = "every node needs ._backward: set self._backward = lambda: None in __init__"
            elif "_prev" in got["message"]:
                hint = "keep the operands: self._prev = tuple(_children) in __init__"
            elif got["raised"] == "TypeError" and got["at"] >= 0:
                method = OPS[_ops_of(case["spec"])[got["at"] - len(case["spec"]["inputs"])][0]][1]
                hint = (f"Python calls {method} for this; a number operand must be wrapped: "
                        "other = other if isinstance(other, MyValue) else MyValue(other)")
            fail(ex, f"{what} raised {got['raised']}: {got['message']}", hint)
        if "not a value" in got:
            fail(ex, f"{_node_name(case['spec'], got['at'])} returned {got['not a value']}, not a MyValue",
                 "every op must return a new MyValue (out), with its closure set")
        size = len(_engine_nodes(case["spec"]))
        observations(ex, got.get("data"), size)
        observations(ex, got.get("grad"), size)
        if "unit" in case:
            _judge_unit(ex, case, got)
        else:
            _judge_expression(ex, case, got)
    return (f"every op and its closure is right: {len(_UNITS) * 2} single ops (a + a and a * a among them), "
            f"three graphs of the bug museum and {len(cases) - len(_UNITS) * 2 - 3} random expressions")


def check_my_value(cls, cases=20, student_id=None):
    """ex1: each op alone (with grads already held), a + a, a * a, the traps, random expressions."""
    return EX1.check(cls, count=cases, student_id=student_id)


# -- ex2: the checker's own closure nodes, built from the engine's rules ----------------------
class _Node:
    """A node of a small closure engine: what ``my_backward`` receives as ``self``."""

    __slots__ = ("data", "grad", "_prev", "_backward", "_op", "__weakref__")

    def __repr__(self):
        return f"Node(data={fmt(self.data)}, grad={fmt(self.grad)})"


def _nothing():
    pass


def _closure(node, local):
    def _backward():
        for child, d in zip(node._prev, local):
            if d is not None:              # None: a constant operand, it gets no gradient
                child.grad += d * node.grad
    return _backward


def _closure_graph(spec):
    """(engine nodes in topological order, the matching closure nodes)."""
    root = _engine_nodes(spec)[-1]
    order = topological_order(root)
    made = {}
    for v in order:
        node = _Node()
        node.data, node.grad, node._op = v.data, 0.0, v.op
        node._prev = tuple(made[id(c)] for c in v.children)
        node._backward = _closure(node, v.local_grads()) if v.children else _nothing
        made[id(v)] = node
    return order, [made[id(v)] for v in order]


def _backward_cases(rng, count=24):
    """Scenarios {"spec", "start": grads to put first (None: all 0), "passes"}: the traps, random
    expressions fresh, twice and with stale grads, and a chain 3000 ops deep (last)."""
    scenarios = [{"spec": TRAPS[name], "start": None, "passes": passes}
                 for name, passes in (("a + a", 1), ("diamond", 1), ("shared parents", 1),
                                      ("double edge", 1), ("diamond", 2))]
    for k in range(count):
        spec = _random_spec(rng)
        kind = ("fresh", "twice", "stale")[k % 3]
        start = None
        if kind == "stale":
            start = [round(rng.uniform(-2, 2), 2) or 0.5 for _ in _closure_graph(spec)[1]]
        scenarios.append({"spec": spec, "start": start, "passes": 2 if kind == "twice" else 1})
    scenarios.append({"spec": TRAPS["chain"], "start": None, "passes": 1})
    return scenarios


EX2 = Exercise("nb12_ex2", "your own backward()", ("my_backward",), seconds=20.0)
EX2.cases(_backward_cases)


@EX2.probe
def _backward_probe(scenarios, my_backward):
    """Per scenario, per call: the grad of every node (in the engine's topological order)."""
    if my_backward is Value.backward:
        fail(EX2.id, "that is tinygrad_edu's own backward", "write your own, with the closures")
    seen = []
    for scenario in scenarios:
        _, nodes = _closure_graph(scenario["spec"])
        for node, g in zip(nodes, scenario["start"] or [0.0] * len(nodes)):
            node.grad = g
        passes = []
        for _ in range(scenario["passes"]):
            call_student(EX2.id, my_backward, nodes[-1], what="backward")
            passes.append([observed(n.grad) for n in nodes])
        seen.append(passes)
    return seen


# The wrong backward passes the judge tries, to name the mistake (run on its own closure nodes).
def _topo(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node._prev))
    return order


def _candidate(kind):
    def run(root):
        order = _topo(root)
        if kind != "no_reset":
            for node in order:
                if node._prev or kind == "reset_leaves":
                    node.grad = 0.0
        if kind != "no_seed":
            root.grad = 1.0
        if kind.startswith("naive"):
            stack = [root]
            while stack:
                node = stack.pop()
                node._backward()
                stack.extend(reversed(node._prev) if kind == "naive" else node._prev)
            return
        for node in (order if kind == "forward_order" else reversed(order)):
            node._backward()
    return run


_CANDIDATES = {
    "no_seed": "every gradient stayed 0: seed the root, self.grad = 1.0, before calling the closures",
    "no_reset": "grads from the previous backward() compounded: reset every intermediate node's grad "
                "to 0 at the start (nodes with _prev), then seed the root",
    "reset_leaves": "grads reset on every backward, the leaves' too: leaves accumulate across calls "
                    "(as in tinygrad_edu and PyTorch); reset only the intermediate nodes",
    "forward_order": "you called the closures in topological order (inputs first): call them in "
                     "reverse, from the root, so each node is complete before it passes its grad on",
    "naive": "no topological order: a node passed its grad on before all of its consumers had "
             "reported, and a node reached along two paths ran its closure twice; build the topological "
             "order first (post-order, with a visited set), then call the closures in reverse",
    # Walking from the root with a stack that pushes the operands in order runs the closures exactly
    # like a post-order list with repeats, reversed: the same wrong numbers, so the same hint.
    "naive_other": "no topological order: a node passed its grad on before all of its consumers had "
                   "reported, and a node reached along two paths ran its closure twice; build the "
                   "topological order first (post-order, with a visited set), then call the closures in reverse",
}


def _replay(scenario, run):
    """[[grad of each node] after each pass] of ``run`` on fresh closure nodes."""
    _, nodes = _closure_graph(scenario["spec"])
    for node, g in zip(nodes, scenario["start"] or [0.0] * len(nodes)):
        node.grad = g
    after = []
    for _ in range(scenario["passes"]):
        run(nodes[-1])
        after.append([n.grad for n in nodes])
    return after


def _truth(scenario):
    """The engine's own backward() on the same graph and the same starting grads."""
    nodes = _engine_nodes(scenario["spec"])
    root = nodes[-1]
    order = topological_order(root)
    index = {id(n): k for k, n in enumerate(nodes)}
    for node, g in zip(order, scenario["start"] or [0.0] * len(order)):
        node.grad = g
    after = []
    for _ in range(scenario["passes"]):
        root.backward()
        after.append([n.grad for n in order])
    return after, order, [index.get(id(n)) for n in order]


def _same(expected, got, order):
    return all(type(g) in (int, float) and close(g, e, 1e-9, 1e-12)
               for pe, pg in zip(expected, got) for n, e, g in zip(order, pe, pg) if n.requires_grad)



def _graph_name(spec, node, k):
    """The spec's name of an engine node ('t3 = t1 * b', 'x'), or 'the constant 2'."""
    if k is None:
        return f"the constant {fmt(node.data)}"
    return _node_name(spec, k, formula="labels" not in spec)


def _diagnose(scenarios, seen, scenario, passes, order):
    """The hint of the wrong pass that reproduces every observation (else this scenario's)."""
    here = [kind for kind in _CANDIDATES if _same(_replay(scenario, _candidate(kind)), passes, order)]
    for kind in here:
        if all(_reproduces(kind, sc, got) for sc, got in zip(scenarios, seen)):
            return _CANDIDATES[kind]
    if here:
        return _CANDIDATES[here[0]]
    return ("compare with: topological order (explicit stack), reset the non-leaf grads, seed 1, "
            "then node._backward() for node in reversed(order)")


def _reproduces(kind, scenario, got):
    if type(got) is not list:
        return False
    order = _truth(scenario)[1]
    return _same(_replay(scenario, _candidate(kind)), got, order)


@EX2.judge
def _backward_judge(scenarios, seen):
    ex = EX2.id
    observations(ex, seen, len(scenarios))
    for scenario, passes in zip(scenarios, seen):
        truth, order, index = _truth(scenario)
        observations(ex, passes, len(truth), len(order))
        for k, (right, got) in enumerate(zip(truth, passes)):
            for n in reversed(range(len(order))):
                if not order[n].requires_grad:
                    continue
                value = number(ex, got[n], "a grad")
                if close(value, right[n], 1e-9, 1e-12):
                    continue
                hint = _diagnose(scenarios, seen, scenario, passes, order)
                spec = scenario["spec"]
                trap = f"{_TRAP_TITLES[_trap_name(spec)]} " if _trap_name(spec) else "a random graph "
                fail(ex, f"first wrong gradient (from the root back) on {trap}"
                         f"{backward_situation(scenario, k)}: {_graph_name(spec, order[n], index[n])} has grad "
                         f"{fmt(value)}, expected {fmt(right[n])}", hint)
    return (f"backward() is right on {len(scenarios)} graphs: the traps, repeated calls, stale grads "
            f"and a chain of {DEEP_CHAIN} ops")


def check_my_backward(my_backward, cases=24, student_id=None):
    """ex2: the traps, random graphs (fresh, called twice, stale grads), a chain of 3000 ops."""
    return EX2.check(my_backward, count=cases, student_id=student_id)


# -- the finished engine against tinygrad_edu --------------------------------------------
def compare_engines(cls, count=10, seed=0):
    """Run ``cls`` (ops *and* its own ``backward()``) against the engine; one line, True or False.

    The traps a + a, a * a, the diamond (twice), shared parents, a chain of 3000 ops, then
    ``count`` random expressions; each compares every node's data and grad.
    """
    if not callable(getattr(cls, "backward", None)):
        print(f"\u2717 {getattr(cls, '__name__', 'your class')} has no backward() yet: attach yours "
              "with MyValue.backward = my_backward")
        return False
    rng = random.Random(seed)
    trials = [(_TRAP_TITLES[name] + (", backward() twice" if name == "diamond" else ""), TRAPS[name],
               2 if name == "diamond" else 1) for name in TRAPS] + \
             [(f"random expression {k + 1}", _random_spec(rng), 1) for k in range(count)]
    for title, spec, passes in trials:
        ran, problem = _compare_one(cls, spec, passes)
        if problem:
            print(f"\u2717 your engine differs from tinygrad_edu on {title}: {problem}" if ran else
                  f"\u2717 your engine could not run {title}: {problem}")
            return False
    print(f"\u2713 your engine agrees with tinygrad_edu on {len(trials)} graphs "
          f"(the traps, a chain of {DEEP_CHAIN} ops, backward() twice, random expressions)")
    return True


def _compare_one(cls, spec, passes):
    try:
        mine = _evaluate(spec, cls)
        for _ in range(passes):
            mine[-1].backward()
    except NotImplementedError:
        return False, "a part of it is not written yet (NotImplementedError)"
    except RecursionError:
        return False, "backward() hit Python's recursion limit: use an explicit stack"
    except Exception as err:                          # noqa: BLE001 - shown to the student
        return False, f"it raised {type(err).__name__}: {err}"
    ref = _engine_nodes(spec)
    for _ in range(passes):
        ref[-1].backward()
    for what in ("data", "grad"):
        for k in reversed(range(len(ref))):
            got, want = getattr(mine[k], what, None), getattr(ref[k], what)
            if not (isinstance(got, (int, float)) and close(float(got), want, 1e-9, 1e-12)):
                return True, f"{_node_name(spec, k, formula=False)}.{what} = {fmt(got)}, expected {fmt(want)}"
    return True, ""


EXERCISES = (EX1, EX2)
