"""Answer key, notebook 02: a complete submission for its exercises.

Teachers only: this folder is not installed with the package.
"""

import math



def chain_links(n, m, x):
    u = 2 * x * x + x + 1
    v = u ** m
    w = math.sin(v)
    return {"du/dx": 4 * x + 1, "dv/du": m * u ** (m - 1), "dw/dv": math.cos(v), "df/dw": n * w ** (n - 1)}


def chain_derivative(n, m, x):
    return math.prod(chain_links(n, m, x).values())


def path_sum(edges, source, target):
    """Reverse accumulation on the edge list: total[node] = d target / d node."""
    nodes = {a for a, _ in edges} | {b for _, b in edges} | {source, target}
    total = {target: 1.0}
    remaining = set(nodes) - {target}
    while remaining:                      # settle a node once all of its consumers are settled
        for node in sorted(remaining):
            consumers = [b for a, b in edges if a == node]
            if all(c in total for c in consumers):
                total[node] = sum(edges[(node, c)] * total[c] for c in consumers)
                remaining.discard(node)
                break
        else:
            raise ValueError("the edges contain a cycle")
    return total[source]
