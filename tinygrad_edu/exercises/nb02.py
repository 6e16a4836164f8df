"""Notebook 02 exercises: the chain rule by hand.

The function is f(x) = sinⁿ((2x² + x + 1)ᵐ), taken apart as
u = 2x² + x + 1,  v = uᵐ,  w = sin v,  f = wⁿ.

ex1  ``chain_links(n, m, x) -> {"du/dx": .., "dv/du": .., "dw/dv": .., "df/dw": ..}``
     the four local derivatives.  ``chain_instance(student_id)`` gives each
     student their own (n, m, x); the checker tries that one first, then others.
ex2  ``chain_derivative(n, m, x) -> f'(x)``.
ex3  ``path_sum(edges, source, target) -> float``: the sum over all paths from
     ``source`` to ``target`` of the product of the edge weights, where
     ``edges`` maps ``(from_name, to_name)`` to a local derivative.

Each exercise is cases / probe / judge (see ``_exercise.py``).  The judges keep the
classic slips as formulas (or wrong algorithms) of their own and name the one that
explains the student's numbers on *every* instance.
"""

import math

from ..engine import Value, gradients, sin, topological_order
from ._common import (call_student, partial_difference, close, distinct_digits, fail, fmt, number,
                      observations, observed, student_rng)
from ._exercise import Exercise

__all__ = ["check_chain_links", "check_chain_derivative", "check_path_sum", "chain_instance",
           "chain_stages", "LINKS", "EXERCISES"]

LINKS = ("du/dx", "dv/du", "dw/dv", "df/dw")




def chain_instance(student_id=None):
    """This student's (n, m, x) for notebook 02 (same id, same instance)."""
    rng = student_rng("nb02", student_id)
    return rng.choice([2, 3]), rng.choice([2, 3]), round(rng.uniform(-0.8, 0.8), 2)


def chain_stages(n, m, x):
    """The four stages as engine Values: (x, u, v, w, f)."""
    x = Value(float(x), label="x")
    u = 2 * x * x + x + 1; u.label = "u"
    v = u ** m; v.label = "v"
    w = sin(v); w.label = "w"
    f = w ** n; f.label = "f"
    return x, u, v, w, f


def _true_links(n, m, x):
    """Each link from the engine's own rules: du/dx over the u subgraph, the others from local_grads."""
    xv, u, v, w, f = chain_stages(n, m, x)
    return {"du/dx": gradients(u, [xv])[xv], "dv/du": v.local_grads()[0],
            "dw/dv": w.local_grads()[0], "df/dw": f.local_grads()[0]}, (xv, u, v, w, f)


def _instance_cases(rng, mine=None, count=10):
    """[n, m, x]: the student's own instance first, then every (n, m) twice and two more at random.

    x stays away from -1/4, where du/dx = 0 would hide the links behind it.
    """
    def x_value():
        while True:
            x = round(rng.uniform(-0.8, 0.8), 2)
            if abs(4 * x + 1) > 0.2:
                return x
    first = list(mine) if mine is not None else [rng.choice([2, 3]), rng.choice([2, 3]), x_value()]
    others = [[n, m, x_value()] for n in (2, 3) for m in (2, 3) for _ in range(2)]
    others += [[rng.choice([2, 3]), rng.choice([2, 3]), x_value()] for _ in range(count - len(others))]
    rng.shuffle(others)
    return [first] + others


def _stage_values(n, m, x):
    u = 2 * x * x + x + 1
    v = u ** m
    w = math.sin(v)
    return u, v, w


# Classic slips per link: (formula of (n, m, x, u, v, w), the hint that names it).
_POWER_EXPONENT = "power rule: the exponent drops by one"
_LINK_SLIPS = {
    "du/dx": [(lambda n, m, x, u, v, w: 4 * x, "you dropped the derivative of the x term (it is 1)"),
              (lambda n, m, x, u, v, w: 2 * x + 1, "d(2x²)/dx: bring the exponent 2 down and keep the factor 2"),
              (lambda n, m, x, u, v, w: 4 * x + 2, "the constant 1 in u has derivative 0")],
    "dv/du": [(lambda n, m, x, u, v, w: m * u ** m, _POWER_EXPONENT),
              (lambda n, m, x, u, v, w: u ** (m - 1), "power rule: the factor m comes down in front"),
              (lambda n, m, x, u, v, w: m * x ** (m - 1),
               "evaluated at x: the link dv/du is evaluated at u, the input of this stage")],
    "dw/dv": [(lambda n, m, x, u, v, w: -math.cos(v), "the sign is flipped: the derivative of sin is +cos"),
              (lambda n, m, x, u, v, w: math.cos(u),
               "evaluated at u: the link dw/dv is evaluated at v, the input of this stage"),
              (lambda n, m, x, u, v, w: math.cos(x),
               "evaluated at x: the link dw/dv is evaluated at v, the input of this stage")],
    "df/dw": [(lambda n, m, x, u, v, w: n * w ** n, _POWER_EXPONENT),
              (lambda n, m, x, u, v, w: w ** (n - 1), "power rule: the factor n comes down in front"),
              (lambda n, m, x, u, v, w: n * v ** (n - 1),
               "evaluated at v: the link df/dw is evaluated at w, the input of this stage")],
}


def _link_slips(link):
    """[(formula of (n, m, x), hint)] for one link."""
    return [(lambda n, m, x, fn=fn: fn(n, m, x, *_stage_values(n, m, x)), hint) for fn, hint in _LINK_SLIPS[link]]


def _true_link(link, n, m, x):
    return _true_links(n, m, x)[0][link]


def _instance_slip(link, instances, got):
    """A hint for a slip that explains this link's values on every instance, or None."""
    def everywhere(formula):
        return all(close(g, formula(n, m, x), 1e-9, 1e-12) for (n, m, x), g in zip(instances, got))
    for formula, hint in _link_slips(link):
        if everywhere(formula):
            return hint
    inner, outer = link[4], link[1]
    name = {"df/dw": "n", "dv/du": "m"}.get(link)
    if name:
        for fixed in (2, 3):
            if everywhere(lambda n, m, x: _true_link(link, *((fixed, m) if name == "n" else (n, fixed)), x)):
                return (f"you used {name}={fixed} on every instance: use the argument {name} "
                        "(your own instance is only the first one tried)")
    if everywhere(lambda n, m, x: dict(zip("uvwf", _stage_values(n, m, x) + (_f(n, m)(x),)))[outer]):
        return f"you gave {outer} itself, its value, not its derivative d{outer}/d{inner}"
    if everywhere(lambda n, m, x: -_true_link(link, n, m, x)):
        return "the sign is flipped"
    if LINKS.index(link) > 0 and everywhere(
            lambda n, m, x: math.prod(_true_link(k, n, m, x) for k in LINKS[:LINKS.index(link) + 1])):
        return f"that is d{outer}/dx (the running product); the link is only d{outer}/d{inner}"
    for other in LINKS:
        if other != link and everywhere(lambda n, m, x: _true_link(other, n, m, x)):
            return f"that is the value of {other}: the keys are swapped"
    return None


# -- ex1 ------------------------------------------------------------------------
EX1 = Exercise("nb02_ex1", "the chain's local derivatives", ("chain_links",))


@EX1.cases
def _links_cases(rng, mine=None):
    return _instance_cases(rng, mine)


@EX1.probe
def _links_probe(instances, chain_links):
    """Per instance: {link: value} for the keys given, or {"type": what was returned instead}."""
    seen = []
    for n, m, x in instances:
        got = call_student(EX1.id, chain_links, n, m, x, what="chain_links")
        if not isinstance(got, dict):
            seen.append({"type": type(got).__name__})
            continue
        try:                # a dict subclass runs the student's code on every lookup
            seen.append({"links": {link: observed(got[link]) for link in LINKS if link in got}})
        except (MemoryError, RecursionError):
            raise
        except Exception as err:               # noqa: BLE001 - reported as what it is
            seen.append({"type": f"a dict whose lookups raise {type(err).__name__}"})
    return seen


@EX1.judge
def _links_judge(instances, seen):
    ex = EX1.id
    observations(ex, seen, len(instances))
    for (n, m, x), got in zip(instances, seen):
        if type(got) is not dict or not (type(got.get("type")) is str or type(got.get("links")) is dict):
            fail(ex, "the observations do not match the cases (the checker's probe was changed?)")
        if "type" in got:
            fail(ex, f"chain_links({n}, {m}, {x}) should return a dict with keys {', '.join(LINKS)}; "
                     f"got {str(got['type'])[:60]}")
        for link in LINKS:
            if link not in got["links"]:
                fail(ex, f"chain_links({n}, {m}, {x}) has no entry {link!r}", f"use the keys {LINKS}")
    for link in LINKS:
        values = [number(ex, got["links"][link], link) for got in seen]
        for (n, m, x), g in zip(instances, values):
            links, stages = _true_links(n, m, x)
            if close(g, links[link], 1e-9, 1e-12):
                continue
            inner = dict(zip("xuvwf", stages))[link[4]]
            hint = _instance_slip(link, instances, values) or (
                f"a link is the derivative of {link[1]} wrt {link[4]} alone, evaluated at "
                f"{link[4]} = {fmt(inner.data)}")
            shown = distinct_digits(g, links[link])
            fail(ex, f"{link} wrong for n={n}, m={m}, x={x}: got {shown[0]}, expected {shown[1]}", hint)
    return f"all four links right on {len(instances)} instances (first: n, m, x = {tuple(instances[0])})"


def check_chain_links(chain_links, student_id=None) -> bool:
    """ex1: each link against the engine's local derivative, the student's instance first."""
    return EX1.check(chain_links, student_id=student_id, mine=list(chain_instance(student_id)))


# -- ex2 ------------------------------------------------------------------------
EX2 = Exercise("nb02_ex2", "the chain's derivative", ("chain_derivative",))


def _f(n, m):
    return lambda x: math.sin((2 * x * x + x + 1) ** m) ** n


@EX2.cases
def _derivative_cases(rng, mine=None):
    return _instance_cases(rng, mine)


@EX2.probe
def _derivative_probe(instances, chain_derivative):
    return [observed(call_student(EX2.id, chain_derivative, n, m, x, what="chain_derivative"))
            for n, m, x in instances]


def _derivative_slips(n, m, x):
    """[(what a classic slip gives at this instance, the hint that names it)]."""
    links, _ = _true_links(n, m, x)
    out = [(sum(links.values()), "you added the links; the chain rule multiplies them"),
           (-math.prod(links.values()), "the sign is flipped")]
    # One or more links left out of the product.
    for size in (3, 2, 1):
        for kept in _subsets(LINKS, size):
            missing = [k for k in LINKS if k not in kept]
            out.append((math.prod(links[k] for k in kept),
                        f"your answer is the product without {' and '.join(missing)}: "
                        f"{'one link is' if len(missing) == 1 else 'links are'} missing"))
    out.append((_f(n, m)(x), "that is f(x) itself, not its derivative"))
    for link in LINKS:
        for formula, why in _link_slips(link):
            wrong = dict(links, **{link: formula(n, m, x)})
            out.append((math.prod(wrong.values()), f"the chain is right but the link {link} is wrong: {why}"))
    return out


def _subsets(items, size):
    if size == 0:
        return [[]]
    if len(items) < size:
        return []
    first, rest = items[0], items[1:]
    return [[first] + s for s in _subsets(rest, size - 1)] + _subsets(rest, size)


@EX2.judge
def _derivative_judge(instances, seen):
    ex = EX2.id
    values = [number(ex, v, "f'(x)") for v in observations(ex, seen, len(instances))]
    for (n, m, x), got in zip(instances, values):
        links, _ = _true_links(n, m, x)
        exact = math.prod(links.values())
        # Exact to rounding: the product of four formulas is good to ~1e-15; a finite difference is not.
        if close(got, exact, 1e-12, 1e-13):
            continue
        expected = partial_difference(_f(n, m), (x,), 0, 1e-6)
        hint = "multiply the four local derivatives: f' = df/dw · dw/dv · dv/du · du/dx"
        per_instance = [_derivative_slips(*inst) for inst in instances]
        for k, (_, why) in enumerate(per_instance[0]):
            if all(close(v, slips[k][0], 1e-9, 1e-12) for v, slips in zip(values, per_instance)):
                hint = why
                break
        else:
            for name in ("n", "m"):
                for fixed in (2, 3):
                    def assumed(n, m, x):
                        return math.prod(_true_links(*((fixed, m) if name == "n" else (n, fixed)), x)[0].values())
                    if all(close(v, assumed(*inst), 1e-9, 1e-12) for v, inst in zip(values, instances)):
                        hint = (f"you used {name}={fixed} on every instance: use the argument {name} "
                                "(your own instance is only the first one tried)")
            if hint.startswith("multiply") and all(
                    close(v, math.prod(_true_links(*inst)[0].values()), 1e-5, 1e-8)
                    for v, inst in zip(values, instances)):
                hint = ("your values are close but not exact, as a finite difference would be: multiply "
                        "the four links instead (the chain rule is exact)")
        shown = distinct_digits(got, exact)
        fail(ex, f"f'({x}) for n={n}, m={m}: got {shown[0]}, the central difference gives {fmt(expected)}"
                 + (f" (exactly {shown[1]})" if shown[1] != fmt(expected) else ""), hint)
    return f"f' is exact on {len(instances)} instances"


def check_chain_derivative(chain_derivative, student_id=None) -> bool:
    """ex2: f'(x) against the product of the engine's links (exact), several instances."""
    return EX2.check(chain_derivative, student_id=student_id, mine=list(chain_instance(student_id)))


# -- ex3: sum over paths --------------------------------------------------------
EX3 = Exercise("nb02_ex3", "sum over paths", ("path_sum",))


def _random_dag(rng, names):
    """Nodes in order, a random subset of forward edges; source→first and last→target always there."""
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    edges = {}
    for pair in pairs:
        if rng.random() < 0.75:
            edges[pair] = round(rng.uniform(-3, 3), 2) or 1.0
    edges.setdefault((names[0], names[1]), 2.0)
    edges.setdefault((names[1], names[-1]), -1.5)
    return [[a, b, w] for (a, b), w in edges.items()]


def _engine_dag():
    """colah's e = (a+b)(b+1) as named edges from the engine's local derivatives."""
    a = Value(2.0, label="a"); b = Value(1.0, label="b")
    c = a + b; c.label = "c"
    d = b + 1; d.label = "d"
    e = c * d; e.label = "e"
    edges = {}
    for node in reversed(topological_order(e)):
        for child, local in zip(node.children, node.local_grads()):
            if child.label and local is not None:     # None: an edge into a constant
                edges[(child.label, node.label)] = edges.get((child.label, node.label), 0.0) + local
    return sorted([a, b, w] for (a, b), w in edges.items())


def _paths(edges, source, target):
    """Every path from source to target as a list of names (edges: [[from, to, weight], ...])."""
    out, stack = [], [[source]]
    while stack:
        path = stack.pop()
        if path[-1] == target:
            out.append(path)
            continue
        for a, b, _ in reversed(edges):
            if a == path[-1]:
                stack.append(path + [b])
    return out


def _weights(edges):
    return {(a, b): w for a, b, w in edges}


def _reference(edges, source, target):
    """The judge's own path sum: enumerate the paths, multiply along each, add them up."""
    w = _weights(edges)
    return sum(math.prod(w[(p[i], p[i + 1])] for i in range(len(p) - 1)) for p in _paths(edges, source, target))


def _accumulate(edges, source, target, seed, along, combine):
    """Reverse accumulation with a chosen seed, rule along an edge, and way of combining consumers."""
    w = _weights(edges)
    total = {target: seed}

    def settle(node):
        if node not in total:
            sent = [along(w[(node, b)], settle(b)) for a, b, _ in edges if a == node]
            total[node] = combine(sent) if sent else 0.0
        return total[node]
    return settle(source)


# Wrong algorithms the judge runs itself: (name, fn(edges, source, target), the hint that names it).
_WRONG_ALGORITHMS = [
    ("seed 0", lambda e, s, t: 0.0,
     "every answer is 0: seed the target with 1 (d target/d target = 1, and a path's product starts "
     "at 1, not 0); and follow the edges from source towards target"),
    ("add along a path", lambda e, s, t: sum(sum(_weights(e)[(p[i], p[i + 1])] for i in range(len(p) - 1))
                                             for p in _paths(e, s, t)),
     "along a path the local derivatives multiply (you added them); paths add up"),
    ("add along a path, reverse", lambda e, s, t: _accumulate(e, s, t, 1.0, lambda a, b: a + b, sum),
     "along a path the local derivatives multiply (you added the edge to what the consumer sent: "
     "multiply it)"),
    ("add along a path, reverse, seed 0", lambda e, s, t: _accumulate(e, s, t, 0.0, lambda a, b: a + b, sum),
     "along a path the local derivatives multiply (you added the edge to what the consumer sent: "
     "multiply it)"),
    ("multiply the paths", lambda e, s, t: math.prod(
        math.prod(_weights(e)[(p[i], p[i + 1])] for i in range(len(p) - 1)) for p in _paths(e, s, t)),
     "the paths' products add up (you multiplied them): sum over paths, product along each"),
    ("last consumer only", lambda e, s, t: _accumulate(e, s, t, 1.0, lambda a, b: a * b, lambda xs: xs[-1]),
     "a node with several consumers adds what each sends: use += (with = only the last one counts)"),
    ("first consumer only", lambda e, s, t: _accumulate(e, s, t, 1.0, lambda a, b: a * b, lambda xs: xs[0]),
     "a node with several consumers adds what each sends: use += (only one consumer counted)"),
    ("multiply the consumers", lambda e, s, t: _accumulate(e, s, t, 1.0, lambda a, b: a * b, math.prod),
     "what a node's consumers send adds up (you multiplied it): sum over consumers, multiply along an edge"),
    ("count paths", lambda e, s, t: float(len(_paths(e, s, t))),
     "you counted the paths: multiply the edge weights along each path, then add"),
]


@EX3.cases
def _path_cases(rng, count=30):
    """colah's example from a and from b, then random DAGs of 4 and 5 nodes."""
    engine = _engine_dag()
    cases = [{"edges": engine, "source": "a", "target": "e"}, {"edges": engine, "source": "b", "target": "e"}]
    for k in range(count):
        names = ["s", "p", "q", "t"] if k % 2 == 0 else ["s", "p", "q", "r", "t"]
        cases.append({"edges": _random_dag(rng, names), "source": "s", "target": "t"})
    return cases


@EX3.probe
def _path_probe(cases, path_sum):
    """The student's path sum per case (each call gets its own fresh dict)."""
    return [observed(call_student(EX3.id, path_sum, {(a, b): w for a, b, w in case["edges"]},
                                  case["source"], case["target"], what="path_sum"))
            for case in cases]


def _path_hint(cases, values, case, got, expected):
    """Name the wrong algorithm that explains every answer, else what is wrong with this graph."""
    for _, algorithm, hint in _WRONG_ALGORITHMS:
        if all(close(v, algorithm(c["edges"], c["source"], c["target"]), 1e-9, 1e-9)
               for c, v in zip(cases, values)):
            return hint
    edges, src, dst = case["edges"], case["source"], case["target"]
    w = _weights(edges)
    products = {"→".join(p): math.prod(w[(p[i], p[i + 1])] for i in range(len(p) - 1))
                for p in _paths(edges, src, dst)}
    one_path = (f"you returned one path's product; there are {len(products)} paths: " + ", ".join(products))
    for name, prod in products.items():
        if close(got, expected - prod, 1e-9, 1e-9):
            return f"you missed the path {name} (its product is {fmt(prod)})" + (
                f"; {one_path}" if len(products) == 2 else "")
    if len(products) > 1 and any(close(got, v, 1e-9, 1e-9) for v in products.values()):
        return one_path
    for name, prod in products.items():
        if close(got, expected + prod, 1e-9, 1e-9):
            return f"you counted the path {name} twice"
    return ("add, over every path, the product of the local derivatives along it; the paths here: "
            + ", ".join(f"{name} ({fmt(prod)})" for name, prod in products.items()))


@EX3.judge
def _path_judge(cases, seen):
    ex = EX3.id
    values = [number(ex, v, "path_sum's result") for v in observations(ex, seen, len(cases))]
    for case, got in zip(cases, values):
        expected = _reference(case["edges"], case["source"], case["target"])
        if not close(got, expected, 1e-9, 1e-9):
            shown = {(a, b): w for a, b, w in case["edges"]}
            fail(ex, f"d{case['target']}/d{case['source']} on edges {shown}: got {fmt(got)}, "
                     f"expected {fmt(expected)}", _path_hint(cases, values, case, got, expected))
    return f"path sums right on {len(cases)} graphs"


def check_path_sum(path_sum, cases=30, student_id=None) -> bool:
    """ex3: random 4- and 5-node DAGs plus e = (a+b)(b+1); names the wrong algorithm or path."""
    return EX3.check(path_sum, student_id=student_id, count=cases)


EXERCISES = (EX1, EX2, EX3)
