"""Notebook 04 exercises: topological order, accumulation, the bug hunt.

ex1  ``topological_sort(root) -> list`` of every node of root's graph once,
     each after all of its children (inputs first, root last).  Iterative:
     a chain 3000 deep must work.
ex2  ``backward(root)``: fill ``.grad`` on every node with d root / d node
     (seed the root with 1, walk in reverse topological order, accumulate
     with ``+=``; you may use ``engine.topological_order`` and
     ``node.local_grads()``).
ex3  the bug hunt: ``bug_hunt_source(student_id)`` is a ``backward(root)``
     with one planted bug; fix it and pass the fixed function to
     ``check_bug_hunt``.  Hidden tests include calling it twice on the same
     graph: leaves accumulate (as with ``Value.backward``), intermediate
     nodes show the latest pass only.
"""

from .. import bugs
from ..engine import Value, gradients, topological_order
from ._common import call_student, close, fail, fmt, passed, student_rng
from ._programs import labelled_graph

__all__ = ["check_topological_sort", "check_backward", "check_bug_hunt", "bug_hunt_source",
           "bug_hunt_function", "HUNT_BUGS"]


def _name(node):
    if node.label:
        return repr(node.label)
    if not node.requires_grad:
        return f"the constant {fmt(node.data)}"
    return f"a node with op {node.op!r} and value {fmt(node.data)}"


def _chain(depth):
    x = Value(0.5, label="x")
    y = x
    for _ in range(depth):
        y = y * 1.0001 + 0.0
    y.label = "out"
    return y


def _check_order(ex, root, got):
    if not isinstance(got, (list, tuple)):
        fail(ex, f"topological_sort should return a list of Values, got {type(got).__name__}")
    bad = [g for g in got if not isinstance(g, Value)]
    if bad:
        fail(ex, f"the list holds {type(bad[0]).__name__} items ({bad[0]!r}); it should hold the Value nodes")
    truth = topological_order(root)
    if len(got) > 1 and got[0] is root:
        fail(ex, "your list starts with the root", "inputs first, root last: reverse your list "
             "(append a node after all of its children are done)")
    seen = {}
    for k, node in enumerate(got):
        if node in seen:
            fail(ex, f"node {_name(node)} appears twice (positions {seen[node]} and {k})",
                 "keep a `visited` set so a node reached along two paths is listed once")
        seen[node] = k
    missing = [n for n in truth if n not in seen]
    if missing:
        fail(ex, f"node {_name(missing[0])} is reachable from the root but missing "
                 f"({len(missing)} missing of {len(truth)})",
             "visit every child, constants included")
    in_graph = set(truth)
    extra = [n for n in got if n not in in_graph]
    if extra:
        fail(ex, f"node {_name(extra[0])} is not in the root's graph")
    for k, node in enumerate(got):
        for child in node.children:
            if seen[child] > k:
                fail(ex, f"node {_name(child)} (position {seen[child]}) comes after its consumer "
                         f"{_name(node)} (position {k})",
                     "a node may be listed only after all of its children (post-order DFS: "
                     "append a node when you leave it, not when you enter it)")
    if got[-1] is not root:
        fail(ex, "the root is not last")


def check_topological_sort(topological_sort, cases=30):
    """ex1: 30 random DAGs with shared subexpressions, plus a chain 3000 deep."""
    ex = "nb04_ex1"
    rng = student_rng(ex)
    for _ in range(cases):
        root, _ = labelled_graph(rng, n_inputs=rng.randint(1, 3), n_ops=rng.randint(3, 10))
        _check_order(ex, root, call_student(ex, topological_sort, root, what="topological_sort"))
    deep = _chain(3000)
    _check_order(ex, deep, call_student(ex, topological_sort, deep, what="topological_sort"))
    return passed(ex, f"valid orders on {cases} random graphs and a chain 3000 deep")


# -- ex2 ------------------------------------------------------------------------
_BUG_HINTS = {
    "assign_instead_of_accumulate": "accumulation bug: a node used twice kept only its last "
                                    "contribution -- use += (the chain rule sums over consumers)",
    "naive_recursive_backward": "order bug: a node passed its gradient on before all of its consumers "
                                "had contributed -- process nodes in reverse topological order",
    "no_seed": "every gradient is 0: seed root.grad = 1 before the loop",
    "no_reset": "stale gradients from an earlier pass were used: reset intermediate grads to 0 first",
    "wrong_order": "order bug: you walked the topological order forwards (inputs first); walk it "
                   "backwards, from the root",
}


def _snapshot(order):
    return [n.grad for n in order]


def _restore(order, grads):
    for n, g in zip(order, grads):
        n.grad = g


def _diagnose_backward(root, order, got, start):
    """Which museum bug reproduces the student's numbers?  (None if none does.)"""
    for bug in bugs.BUGS:
        _restore(order, start)
        bugs.backward_with_bug(root, bug)
        if all(close(n.grad, g, 1e-9, 1e-12) for n, g in zip(order, got) if n.requires_grad):
            _restore(order, got)
            return bug
    _restore(order, got)
    return None


def _compare_backward(ex, backward, root, inputs):
    order = topological_order(root)
    for n in order:
        n.grad = 0.0
    start = _snapshot(order)
    call_student(ex, backward, root, what="backward")
    got = _snapshot(order)
    truth = gradients(root)
    for node in reversed(order):
        if not node.requires_grad:
            continue
        expected = truth.get(node, 0.0)
        if not close(node.grad, expected, 1e-9, 1e-12):
            bug = _diagnose_backward(root, order, got, start)
            hint = _BUG_HINTS.get(bug, "compare your loop with: seed, reversed(order), "
                                       "child.grad += local * node.grad")
            fail(ex, f"first wrong gradient (from the root back): node {_name(node)} has grad "
                     f"{fmt(node.grad)}, expected {fmt(expected)}", hint)
    return truth


def check_backward(backward, cases=30):
    """ex2: random graphs that reuse nodes; leaves also checked against central differences."""
    ex = "nb04_ex2"
    rng = student_rng(ex)
    examples = [bugs.diamond()[0], bugs.shared_parents()[0], bugs.double_edge()[0]]
    for root in examples:
        _compare_backward(ex, backward, root, None)
    for _ in range(cases):
        n = rng.randint(1, 3)
        root, xs = labelled_graph(rng, n_inputs=n, n_ops=rng.randint(3, 9))
        _compare_backward(ex, backward, root, xs)
    return passed(ex, f"backward matches on {cases + len(examples)} graphs (shared nodes included)")


# -- ex3: the bug hunt ------------------------------------------------------------
HUNT_BUGS = ("assign_instead_of_accumulate", "no_seed", "no_reset")

_TEMPLATE = '''def backward(root):
    """Fill .grad on every node of root's graph with d root / d node."""
    order = topological_order(root)
{reset}{seed}    for node in reversed(order):
        for child, local in zip(node.children, node.local_grads()):
            {update}
'''
_RESET = "    for node in order:\n        if not node.is_leaf:\n            node.grad = 0.0\n"
_SEED = "    root.grad = 1.0\n"


def bug_hunt_source(student_id=None):
    """The source of a ``backward(root)`` with one planted bug (chosen by the student id)."""
    bug = student_rng("nb04_ex3", student_id).choice(HUNT_BUGS)
    return _TEMPLATE.format(
        reset="" if bug == "no_reset" else _RESET,
        seed="" if bug == "no_seed" else _SEED,
        update="child.grad = local * node.grad" if bug == "assign_instead_of_accumulate"
        else "child.grad += local * node.grad")


def bug_hunt_function(student_id=None):
    """The buggy ``backward`` itself, ready to run (to see its wrong numbers)."""
    namespace = {"topological_order": topological_order}
    exec(bug_hunt_source(student_id), namespace)   # our own fixed template, not user input
    return namespace["backward"]


def check_bug_hunt(backward, student_id=None):
    """ex3: hidden tests -- b = a+a, the diamond (once and twice), shared parents."""
    ex = "nb04_ex3"
    c, a = (lambda a: (a + a, a))(Value(3.0, label="a"))
    call_student(ex, backward, c, what="backward")
    if not close(a.grad, 2.0):
        hint = ("a is used twice in b = a + a: with = the second contribution overwrote the first; use +="
                if close(a.grad, 1.0) else "check the seed and the update line")
        if a.grad == 0:
            hint = "nothing flowed: the output's gradient must be seeded with 1"
        fail(ex, f"b = a + a at a=3: a.grad = {fmt(a.grad)}, expected 2", hint)
    f, x, y = bugs.diamond()
    call_student(ex, backward, f, what="backward")
    if not (close(x.grad, 21.0) and close(y.grad, 16.0)):
        fail(ex, f"f = (x·y)·(x+y) at (2,3): got ({fmt(x.grad)}, {fmt(y.grad)}), expected (21, 16)",
             "x and y each reach f along two paths; both contributions must add up")
    call_student(ex, backward, f, what="backward")
    if not (close(x.grad, 42.0) and close(y.grad, 32.0)):
        hint = "leaves accumulate across calls (twice the single-pass gradient)"
        if close(x.grad, 63.0) and close(y.grad, 48.0):
            hint = ("stale intermediate gradients from the first pass compounded: reset every "
                    "non-leaf node's grad to 0 at the start of backward")
        elif close(x.grad, 21.0) and close(y.grad, 16.0):
            hint = ("you reset the leaves too: like PyTorch, leaves accumulate across backward calls "
                    "(zero_grad is the user's job); reset only intermediate nodes")
        fail(ex, f"backward called twice on the diamond: leaves got ({fmt(x.grad)}, {fmt(y.grad)}), "
                 "expected (42, 32)", hint)
    y_, a_, b_ = bugs.shared_parents()
    call_student(ex, backward, y_, what="backward")
    if not (close(a_.grad, 25.0) and close(b_.grad, 19.0)):
        fail(ex, f"y = (c+d) + c·d at (2,3): got ({fmt(a_.grad)}, {fmt(b_.grad)}), expected (25, 19)")
    return passed(ex, "the bug is fixed: all hidden tests pass")
