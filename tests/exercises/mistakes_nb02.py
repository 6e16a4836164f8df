"""Classic mistakes for notebook 02's exercises (see test_mistakes.py)."""

import math

from exhelp import Mistake, S


def _links(**changes):
    """The answer key's chain_links with some links replaced by f(n, m, x, u, v, w)."""
    def chain_links(n, m, x):
        u = 2 * x * x + x + 1
        v = u ** m
        w = math.sin(v)
        links = S.chain_links(n, m, x)
        for key, fn in changes.items():
            links[key.replace("_", "/")] = fn(n, m, x, u, v, w)
        return links
    return chain_links


def _keys_swapped(n, m, x):
    links = S.chain_links(n, m, x)
    links["dv/du"], links["dw/dv"] = links["dw/dv"], links["dv/du"]
    return links


def _derivative(combine):
    return lambda n, m, x: combine(S.chain_links(n, m, x))


def _numeric_derivative(n, m, x, h=1e-6):
    f = lambda t: math.sin((2 * t * t + t + 1) ** m) ** n  # noqa: E731
    return (f(x + h) - f(x - h)) / (2 * h)


def _with_link(**changes):
    return lambda n, m, x: math.prod(_links(**changes)(n, m, x).values())


def _path_sum(seed=1.0, along=lambda weight, sent: weight * sent, combine=sum):
    """The answer key's reverse accumulation with its seed, edge rule or combination changed."""
    def path_sum(edges, source, target):
        nodes = {a for a, _ in edges} | {b for _, b in edges} | {source, target}
        total = {target: seed}
        remaining = set(nodes) - {target}
        while remaining:
            for node in sorted(remaining):
                consumers = [b for a, b in edges if a == node]
                if all(c in total for c in consumers):
                    sent = [along(edges[(node, c)], total[c]) for c in consumers]
                    total[node] = combine(sent) if sent else 0.0
                    remaining.discard(node)
                    break
        return total[source]
    return path_sum


def _skips_direct_edge(edges, source, target):
    return S.path_sum({k: v for k, v in edges.items() if k != (source, target)}, source, target)


MISTAKES = [
    Mistake("nb02_ex1", "value of w for dw/dv", _links(dw_dv=lambda n, m, x, u, v, w: math.sin(v)),
            named="you gave w itself"),
    Mistake("nb02_ex1", "running product for dv/du",
            _links(dv_du=lambda n, m, x, u, v, w: (4 * x + 1) * m * u ** (m - 1)), named="running product"),
    Mistake("nb02_ex1", "sign slip in df/dw", _links(df_dw=lambda n, m, x, u, v, w: -n * w ** (n - 1)),
            named="sign is flipped"),
    Mistake("nb02_ex1", "du/dx drops the x term", _links(du_dx=lambda n, m, x, u, v, w: 4 * x),
            named="dropped the derivative of the x term"),
    Mistake("nb02_ex1", "power rule keeps the exponent", _links(dv_du=lambda n, m, x, u, v, w: m * u ** m),
            named="exponent drops by one"),
    Mistake("nb02_ex1", "n fixed at 2 (right on one instance)", _links(df_dw=lambda n, m, x, u, v, w: 2 * w),
            named="you used n=2"),
    Mistake("nb02_ex1", "cos evaluated at u", _links(dw_dv=lambda n, m, x, u, v, w: math.cos(u)),
            named="evaluated at u"),
    Mistake("nb02_ex1", "two links swapped", _keys_swapped, named="keys are swapped"),
    Mistake("nb02_ex2", "links added", _derivative(lambda links: sum(links.values())), named="you added the links"),
    Mistake("nb02_ex2", "du/dx left out",
            _derivative(lambda links: math.prod(v for k, v in links.items() if k != "du/dx")),
            named="without du/dx"),
    Mistake("nb02_ex2", "sign slip", _derivative(lambda links: -math.prod(links.values())), named="sign is flipped"),
    Mistake("nb02_ex2", "finite difference instead of the chain rule", _numeric_derivative,
            named="close but not exact"),
    Mistake("nb02_ex2", "f itself", lambda n, m, x: math.sin((2 * x * x + x + 1) ** m) ** n,
            named="f(x) itself"),
    Mistake("nb02_ex2", "a wrong link inside", _with_link(du_dx=lambda n, m, x, u, v, w: 4 * x),
            named="the link du/dx is wrong"),
    Mistake("nb02_ex2", "m fixed at 3", lambda n, m, x: S.chain_derivative(n, 3, x), named="you used m=3"),
    Mistake("nb02_ex3", "seed 0", _path_sum(seed=0.0), named=["every answer is 0", "seed"]),
    Mistake("nb02_ex3", "adds along a path", _path_sum(along=lambda weight, sent: weight + sent),
            named="along a path the local derivatives multiply"),
    Mistake("nb02_ex3", "= instead of +=", _path_sum(combine=lambda sent: sent[-1]), named="use +="),
    Mistake("nb02_ex3", "multiplies what consumers send", _path_sum(combine=math.prod), named="you multiplied"),
    Mistake("nb02_ex3", "skips the direct edge", _skips_direct_edge, named="you missed the path"),
    Mistake("nb02_ex3", "weights ignored (counts paths)", _path_sum(along=lambda weight, sent: sent),
            named="you counted the paths"),
]
