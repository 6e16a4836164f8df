"""The bug museum: the backward pass with one named classic bug switched on.

``backward_with_bug(root, bug)`` runs reverse mode on an ordinary engine graph
using the engine's own local derivatives (``Value.local_grads``), but with one
mistake that learners (and micrograd's issue tracker) make again and again:

==============================  =====================================================
``assign_instead_of_accumulate``  ``child.grad = ...`` instead of ``+=``: a node used
                                  twice keeps only the last contribution.
``naive_recursive_backward``      each node passes its gradient on as soon as it is
                                  visited, then the walk descends into its children
                                  (recursion instead of reverse topological order): a
                                  node forwards a gradient that is not yet complete,
                                  and a shared node forwards it more than once.
``no_seed``                       the output's gradient is never set to 1: all zeros.
``no_reset``                      intermediate gradients are not reset between two
                                  ``backward`` calls, so stale ones compound.
``wrong_order``                   topological order walked forwards (inputs first)
                                  instead of backwards.
==============================  =====================================================

>>> from tinygrad_edu import Value
>>> a = Value(3.0); b = a + a
>>> backward_with_bug(b, "assign_instead_of_accumulate"); a.grad
1.0
>>> a.grad = 0.0; backward_with_bug(b); a.grad      # bug=None: the correct pass
2.0

``museum()`` recomputes the classic wrong numbers of notebook 04 live.
"""

from .engine import Value, topological_order

__all__ = ["BUGS", "backward_with_bug", "museum", "diamond", "shared_parents", "double_edge"]

BUGS = ("assign_instead_of_accumulate", "naive_recursive_backward", "no_seed", "no_reset",
        "wrong_order")


def backward_with_bug(root, bug=None):
    """Fill ``.grad`` on ``root``'s graph like ``root.backward()``, but with ``bug`` switched on.

    A deliberate teaching copy of the engine's ``backward_pass``: each step is
    spelled out here (not delegated to ``node._backward()``) so that each bug can
    be switched on at the line where learners make it.  ``bug=None`` is the
    correct pass (same semantics as the engine: the root is seeded with 1,
    intermediate gradients start from 0, leaves accumulate, constants get nothing).
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_with_bug needs a Value, got {type(root).__name__}")
    if bug is not None and bug not in BUGS:
        raise ValueError(f"unknown bug {bug!r}; choose one of {', '.join(BUGS)} (or None)")
    order = topological_order(root)
    if bug != "no_reset":              # a correct pass forgets stale intermediate grads
        for node in order:
            if not node.is_leaf:
                node.grad = 0.0
    if bug != "no_seed":
        root.grad = 1.0 if not root.is_leaf else root.grad + 1.0
    if bug == "naive_recursive_backward":
        _naive_recursive(root)
        return
    walk = order if bug == "wrong_order" else reversed(order)
    for node in walk:
        for child, local in zip(node.children, node.local_grads()):
            if local is None:                  # a constant: nothing flows into it
                continue
            if bug == "assign_instead_of_accumulate":
                child.grad = local * node.grad
            else:
                child.grad += local * node.grad


def _naive_recursive(root):
    """The visit order of ``def visit(n): push n's grad to its children; visit each child``.

    Written with an explicit stack (same order as the recursive version, no
    recursion limit), so the museum itself follows the team's iterative rule.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        for child, local in zip(node.children, node.local_grads()):
            if local is not None:
                child.grad += local * node.grad
        stack.extend(reversed(node.children))   # visit children in operand order


# -- the classic exhibits (the examples of notebook 04) ----------------------
def diamond(x=2.0, y=3.0):
    """f = (x·y)·(x+y); returns (f, x, y).  At (2, 3): df/dx = 21, df/dy = 16."""
    x = Value(x, label="x"); y = Value(y, label="y")
    p = x * y; p.label = "x·y"
    s = x + y; s.label = "x+y"
    f = p * s; f.label = "f"
    return f, x, y


def shared_parents(a=2.0, b=3.0):
    """y = (c+d) + c·d with c = a+b, d = a·b; returns (y, a, b).  At (2, 3): 25, 19."""
    a = Value(a, label="a"); b = Value(b, label="b")
    c = a + b; c.label = "c"
    d = a * b; d.label = "d"
    s = c + d; s.label = "c+d"
    q = c * d; q.label = "c·d"
    y = s + q; y.label = "y"
    return y, a, b


def double_edge(a=1.0):
    """b = a+a, c = b+b; returns (c, a).  dc/da = 4."""
    a = Value(a, label="a")
    b = a + a; b.label = "b"
    c = b + b; c.label = "c"
    return c, a


def museum():
    """Rows (exhibit, bug, correct gradients, buggy gradients), computed live.

    >>> rows = museum()
    >>> [r for r in rows if r[1] == "no_reset"][0][3]
    (63.0, 48.0)
    """
    def run(build, bug, passes=1):
        out, *leaves = build()
        for _ in range(passes):
            backward_with_bug(out, bug)
        return tuple(leaf.grad for leaf in leaves)

    exhibits = [
        ("b = a+a at a=3", lambda: (lambda a: (a + a, a))(Value(3.0, label="a")),
         "assign_instead_of_accumulate", 1),
        ("f = (x·y)·(x+y) at (2,3)", diamond, "assign_instead_of_accumulate", 1),
        ("f = (x·y)·(x+y) at (2,3), backward twice", diamond, "no_reset", 2),
        ("f = (x·y)·(x+y) at (2,3)", diamond, "no_seed", 1),
        ("y = (c+d)+c·d, c=a+b, d=a·b at (2,3)", shared_parents, "naive_recursive_backward", 1),
        ("c = b+b, b = a+a at a=1", double_edge, "naive_recursive_backward", 1),
        ("f = (x·y)·(x+y) at (2,3)", diamond, "wrong_order", 1),
    ]
    return [(name, bug, run(build, None, passes), run(build, bug, passes))
            for name, build, bug, passes in exhibits]
