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
"""

import math

from ..engine import Value, gradients, sin, topological_order
from ._common import as_number, call_student, central_difference, close, fail, fmt, passed, student_rng

__all__ = ["check_chain_links", "check_chain_derivative", "check_path_sum", "chain_instance",
           "chain_stages", "LINKS"]

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


def _instances(student_id, count=10):
    rng = student_rng("nb02:extra", student_id)
    mine = chain_instance(student_id)
    others = [(rng.choice([2, 3]), rng.choice([2, 3]), round(rng.uniform(-0.8, 0.8), 2)) for _ in range(count)]
    return [mine] + others


def _link_hint(link, got, stages, links):
    """Compare a wrong link with the usual slips: a stage's value, a running product."""
    names = dict(zip("xuvwf", stages))
    inner, outer = link[4], link[1]        # "dw/dv": inner "v", outer "w"
    if close(got, names[outer].data, 1e-6, 1e-9):
        return (f"you gave {outer} itself ({fmt(names[outer].data)}), its value, not its "
                f"derivative: expected d{outer}/d{inner} = {fmt(links[link])}")
    if close(got, -links[link], 1e-6, 1e-9):
        return "the sign is flipped"
    running = 1.0
    for l in LINKS:
        running *= links[l]
        if l == link:
            break
    if LINKS.index(link) > 0 and close(got, running, 1e-6, 1e-9):
        return f"that is d{outer}/dx (the running product); the link is only d{outer}/d{inner}"
    return f"a link is the derivative of {outer} wrt {inner} alone, evaluated at {inner} = {fmt(names[inner].data)}"


def check_chain_links(chain_links, student_id=None):
    """ex1: each link against the engine's local derivative, the student's instance first."""
    ex = "nb02_ex1"
    for n, m, x in _instances(student_id):
        links, stages = _true_links(n, m, x)
        got = call_student(ex, chain_links, n, m, x, what="chain_links")
        if not isinstance(got, dict):
            fail(ex, f"chain_links({n}, {m}, {x}) should return a dict with keys {', '.join(LINKS)}; "
                     f"got {type(got).__name__}")
        for link in LINKS:
            if link not in got:
                fail(ex, f"chain_links({n}, {m}, {x}) has no entry {link!r}", f"use the keys {LINKS}")
            g = as_number(ex, got[link], link)
            # Each link checked numerically too: the stage as a function of its input.
            if not close(g, links[link], 1e-6, 1e-9):
                fail(ex, f"{link} wrong for n={n}, m={m}, x={x}: got {fmt(g)}, expected {fmt(links[link])}",
                     _link_hint(link, g, stages, links))
    return passed(ex, f"all four links right on {len(_instances(student_id))} instances "
                      f"(yours: n, m, x = {chain_instance(student_id)})")


def _f(n, m):
    return lambda x: math.sin((2 * x * x + x + 1) ** m) ** n


def check_chain_derivative(chain_derivative, student_id=None):
    """ex2: f'(x) against the central difference (relative tolerance 1e-6)."""
    ex = "nb02_ex2"
    for n, m, x in _instances(student_id):
        expected = central_difference(_f(n, m), (x,), 0, 1e-6)
        links, _ = _true_links(n, m, x)
        exact = math.prod(links.values())
        got = as_number(ex, call_student(ex, chain_derivative, n, m, x, what="chain_derivative"), "f'(x)")
        if not close(got, exact, 1e-6, 1e-8):
            hint = "multiply the four local derivatives: f' = df/dw · dw/dv · dv/du · du/dx"
            if close(got, sum(links.values()), 1e-6, 1e-9):
                hint = "you added the links; the chain rule multiplies them"
            for left_out in LINKS:
                partial = math.prod(v for k, v in links.items() if k != left_out)
                if close(got, partial, 1e-6, 1e-9):
                    hint = f"your answer is the product without {left_out}: one link is missing"
            fail(ex, f"f'({x}) for n={n}, m={m}: got {fmt(got)}, the central difference gives "
                     f"{fmt(expected)}", hint)
    return passed(ex, f"f' agrees with central differences on {len(_instances(student_id))} instances")


# -- ex3: sum over paths --------------------------------------------------------
def _random_dag(rng):
    """4 nodes s → p, q → t with a random subset of forward edges (s→t always reachable)."""
    names = ["s", "p", "q", "t"]
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    edges = {}
    for pair in pairs:
        if rng.random() < 0.75:
            edges[pair] = round(rng.uniform(-3, 3), 2) or 1.0
    edges.setdefault(("s", "p"), 2.0); edges.setdefault(("p", "t"), -1.5)
    return edges


def _paths(edges, source, target):
    """Every path as a list of names (enumerated, for the hints)."""
    out, stack = [], [[source]]
    while stack:
        path = stack.pop()
        if path[-1] == target:
            out.append(path)
            continue
        for (a, b) in edges:
            if a == path[-1]:
                stack.append(path + [b])
    return out


def _engine_dag():
    """colah's e = (a+b)(b+1) as named edges from the engine's local derivatives."""
    a = Value(2.0, label="a"); b = Value(1.0, label="b")
    c = a + b; c.label = "c"
    d = b + 1; d.label = "d"
    e = c * d; e.label = "e"
    edges = {}
    for node in topological_order(e):
        for child, local in zip(node.children, node.local_grads()):
            if child.label:
                edges[(child.label, node.label)] = edges.get((child.label, node.label), 0.0) + local
    return edges, {"a": gradients(e, [a])[a], "b": gradients(e, [b])[b]}


def check_path_sum(path_sum, cases=30):
    """ex3: random 4-node DAGs plus e = (a+b)(b+1); names a missing or extra path."""
    ex = "nb02_ex3"
    rng = student_rng(ex)
    problems = []
    edges, truth = _engine_dag()
    for src in ("a", "b"):
        problems.append((edges, src, "e", truth[src]))
    for _ in range(cases):
        edges = _random_dag(rng)
        expected = sum(math.prod(edges[(p[i], p[i + 1])] for i in range(len(p) - 1))
                       for p in _paths(edges, "s", "t"))
        problems.append((edges, "s", "t", expected))
    for edges, src, dst, expected in problems:
        got = as_number(ex, call_student(ex, path_sum, dict(edges), src, dst, what="path_sum"),
                        "path_sum's result")
        if close(got, expected, 1e-9, 1e-9):
            continue
        paths = _paths(edges, src, dst)
        products = {"→".join(p): math.prod(edges[(p[i], p[i + 1])] for i in range(len(p) - 1))
                    for p in paths}
        hint = "add, over every path, the product of the local derivatives along it"
        for name, prod in products.items():
            if close(got, expected - prod, 1e-9, 1e-9):
                hint = f"you missed the path {name} (its product is {fmt(prod)})"
            elif close(got, expected + prod, 1e-9, 1e-9):
                hint = f"you counted the path {name} twice"
        sums = {name: sum(edges[(p[i], p[i + 1])] for i in range(len(p) - 1))
                for name, p in zip(products, paths)}
        if close(got, sum(sums.values()), 1e-9, 1e-9):
            hint = "along a path the local derivatives multiply (you added them)"
        if len(products) > 1 and any(close(got, v, 1e-9, 1e-9) for v in products.values()):
            hint = f"you returned one path's product; there are {len(products)} paths: " + \
                   ", ".join(products)
        fail(ex, f"d{dst}/d{src} on edges {edges}: got {fmt(got)}, expected {fmt(expected)}", hint)
    return passed(ex, f"path sums right on {len(problems)} graphs")

