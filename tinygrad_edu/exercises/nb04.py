"""Notebook 04 exercises: topological order, accumulation, the bug hunt.

ex1  ``topological_sort(root) -> list`` of every node of root's graph once,
     each after all of its children (inputs first, root last).  Iterative:
     a chain 3000 deep must work.
ex2  ``backward(root)``: fill ``.grad`` on every node with d root / d node
     (seed the root with 1, walk in reverse topological order, accumulate
     with ``+=``; you may use ``engine.topological_order`` and
     ``node.local_grads()``).  As with ``Value.backward``, leaves accumulate
     across calls and intermediate nodes show the latest pass only.
ex3  the bug hunt: ``bug_hunt_source(student_id)`` is a ``backward(root)``
     with one planted bug; fix it and pass the fixed function to
     ``check_bug_hunt``.  Hidden tests include calling it twice on the same
     graph: leaves accumulate (as with ``Value.backward``), intermediate
     nodes show the latest pass only.

Graphs cross the grader's boundary as plain *specs* (``["random", seed, inputs, ops]``,
``["example", "diamond"]``, ``["chain", depth]``): the probe and the judge each rebuild
the same graph from the spec and name its nodes by their position in the engine's
topological order, so an observation is a list of numbers per node.  The judge names a
wrong ``backward`` by rerunning the bug museum (``bugs.py``) on its own copy of the graph.
"""

import random
import warnings

from .. import bugs
from ..engine import Value, gradients, topological_order
from ._common import DEEP_CHAIN, ExerciseFailed, call_student, close, fail, fmt, number, observations, observed, student_rng
from ._exercise import Exercise
from ._programs import backward_situation, labelled_graph

__all__ = ["check_topological_sort", "check_backward", "check_bug_hunt", "bug_hunt_source",
           "bug_hunt_function", "HUNT_BUGS", "EXERCISES"]


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



# -- graphs from plain specs (the same graph on both sides of the grader) -------------
def _a_plus_a():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    return b


_EXAMPLES = {
    "a+a": _a_plus_a,
    "diamond": lambda: bugs.diamond()[0],
    "shared_parents": lambda: bugs.shared_parents()[0],
    "double_edge": lambda: bugs.double_edge()[0],
}


def _build(spec):
    """The root of the graph a spec describes: a fresh graph each call, always the same one.

    >>> [n.label for n in topological_order(_build(["example", "a+a"]))]
    ['a', 'b']
    """
    kind = spec[0]
    if kind == "example":
        return _EXAMPLES[spec[1]]()
    if kind == "chain":
        return _chain(spec[1])
    _, seed, n_inputs, n_ops = spec
    return labelled_graph(random.Random(seed), n_inputs=n_inputs, n_ops=n_ops)[0]


def _random_spec(rng, inputs=(1, 3), ops=(3, 10)):
    """A random graph whose values and gradients are ordinary numbers (an overflow to inf
    would make a right answer look wrong: inf - inf is nan)."""
    while True:
        spec = ["random", rng.randrange(2 ** 31), rng.randint(*inputs), rng.randint(*ops)]
        root = _build(spec)
        with warnings.catch_warnings():          # an overflowing graph is skipped, not reported
            warnings.simplefilter("ignore")
            numbers = [n.data for n in topological_order(root)] + list(gradients(root).values())
        if all(isinstance(x, float) and abs(x) < 1e6 for x in numbers):
            return spec


# -- ex1 ------------------------------------------------------------------------
EX1 = Exercise("nb04_ex1", "topological sort", ("topological_sort",))


@EX1.cases
def _sort_cases(rng, count=30):
    """Random DAGs with shared subexpressions, then a chain 3000 deep (recursion breaks on it)."""
    return [_random_spec(rng) for _ in range(count)] + [["chain", DEEP_CHAIN]]


@EX1.probe
def _sort_probe(specs, topological_sort):
    """Per graph: the returned list as node numbers (-1: a Value not in the graph), or what it was."""
    if topological_sort is topological_order:
        fail(EX1.id, "that is the engine's own topological_order",
             "write your own: a depth-first search with an explicit stack, appending a node "
             "once all of its children are done")
    seen = []
    for spec in specs:
        root = _build(spec)
        number_of = {id(n): k for k, n in enumerate(topological_order(root))}
        got = call_student(EX1.id, topological_sort, root, what="topological_sort")
        if not isinstance(got, (list, tuple)):
            seen.append({"returned": type(got).__name__})
            continue
        if len(got) > 10 * len(number_of) + 10:
            seen.append({"too long": len(got)})
            continue
        seen.append([number_of.get(id(item), -1) if isinstance(item, Value)
                     else {"not a value": f"{type(item).__name__} ({repr(item)[:40]})"} for item in got])
    return seen


def _judge_order(ex, spec, got):
    """Fail with the first thing wrong in ``got`` (node numbers) as an order of spec's graph."""
    truth = topological_order(_build(spec))
    root = len(truth) - 1
    if type(got) is dict and "returned" in got:
        fail(ex, f"topological_sort should return a list of Values, got {got['returned']}")
    if type(got) is dict:
        fail(ex, f"topological_sort returned {got['too long']} items for a graph of {len(truth)} nodes",
             "keep a `visited` set so each node is listed once")
    if type(got) is not list:
        fail(ex, "the observations do not match the test cases (was the checker tampered with?)")
    bad = [g for g in got if type(g) is not int]
    if bad:
        what = bad[0].get("not a value", "?") if type(bad[0]) is dict else "?"
        fail(ex, f"the list holds {what} items; it should hold the Value nodes")
    if any(not -1 <= g <= root for g in got):
        fail(ex, "the observations do not match the test cases (was the checker tampered with?)")
    if len(got) > 1 and got[0] == root:
        fail(ex, "your list starts with the root", "inputs first, root last: reverse your list "
             "(append a node after all of its children are done)")
    position = {}
    for k, n in enumerate(got):
        if n >= 0 and n in position:
            fail(ex, f"node {_name(truth[n])} appears twice (positions {position[n]} and {k})",
                 "keep a `visited` set so a node reached along two paths is listed once")
        position[n] = k
    missing = [n for n in range(len(truth)) if n not in position]
    if missing:
        fail(ex, f"node {_name(truth[missing[0]])} is reachable from the root but missing "
                 f"({len(missing)} missing of {len(truth)})",
             "visit every child, constants included")
    if -1 in position:
        fail(ex, f"item {position[-1]} of your list is a Value that is not in the root's graph",
             "list only the nodes reachable from root through .children")
    number_of = {id(node): k for k, node in enumerate(truth)}
    for k, n in enumerate(got):
        for child in truth[n].children:
            c = number_of[id(child)]
            if position[c] > k:
                fail(ex, f"node {_name(child)} (position {position[c]}) comes after its consumer "
                         f"{_name(truth[n])} (position {k})",
                     "a node may be listed only after all of its children (post-order DFS: "
                     "append a node when you leave it, not when you enter it)")
    if got[-1] != root:
        fail(ex, "the root is not last")


@EX1.judge
def _sort_judge(specs, seen):
    observations(EX1.id, seen, len(specs))
    for spec, got in zip(specs, seen):
        _judge_order(EX1.id, spec, got)
    return f"valid orders on {len(specs) - 1} random graphs and a chain {DEEP_CHAIN} deep"


def check_topological_sort(topological_sort, cases=30) -> bool:
    """ex1: 30 random DAGs with shared subexpressions, plus a chain 3000 deep."""
    return EX1.check(topological_sort, count=cases)


# -- backward passes: scenarios, observations, the museum's diagnosis ------------------
# A scenario is {"graph": spec, "start": grads to put on the nodes first (None: all 0),
# "passes": how many times backward is called}.  The probe observes every node's grad
# after every pass; the judge replays the scenario with each museum bug switched on.

#: What a wrong backward can look like, beyond the museum's bugs: leaves zeroed too.
RESET_LEAVES = "reset_leaves"
_CANDIDATES = bugs.BUGS + (RESET_LEAVES,)


def _start(order, start):
    for node, g in zip(order, start or [0.0] * len(order)):
        node.grad = g


def _run_passes(scenario, backward):
    """[[grad of each node] after each pass]: ``backward(root)`` run ``passes`` times."""
    root = _build(scenario["graph"])
    order = topological_order(root)
    _start(order, scenario["start"])
    after = []
    for _ in range(scenario["passes"]):
        backward(root)
        after.append([n.grad for n in order])
    return after, order


def _replay(scenario, bug):
    """The grads a backward with ``bug`` (a museum bug, RESET_LEAVES, or None) leaves."""
    def museum(root):
        if bug == RESET_LEAVES:
            for n in topological_order(root):
                n.grad = 0.0
        bugs.backward_with_bug(root, None if bug == RESET_LEAVES else bug)
    return _run_passes(scenario, museum)[0]


def _call_backward(ex, backward, root, name):
    """The student's backward on ``root``; a None from ``local_grads()`` used as a number is named."""
    try:
        call_student(ex, backward, root, what=name)
    except ExerciseFailed as failure:
        if "NoneType" in failure.problem and any(
                local is None for node in topological_order(root) for local in node.local_grads()):
            fail(ex, failure.problem, "local_grads() gives None for an edge into a constant (the 2 "
                 "in x * 2): nothing needs its gradient, so skip it (if local is None: continue)")
        raise


def _probe_passes(ex, scenarios, backward, name="backward"):
    if backward is Value.backward or backward is bugs.backward_with_bug:
        fail(ex, "that is the library's own backward", "write your own: seed the root with 1, walk "
             "the topological order in reverse, child.grad += local * node.grad")
    seen = []
    for scenario in scenarios:
        root = _build(scenario["graph"])
        order = topological_order(root)
        _start(order, scenario["start"])
        passes = []
        for _ in range(scenario["passes"]):
            _call_backward(ex, backward, root, name)
            passes.append([observed(n.grad) for n in order])
        seen.append(passes)
    return seen


def _matches(expected, got, order):
    return all(type(g) in (int, float) and close(g, e, 1e-9, 1e-12) for ps_e, ps_g in zip(expected, got)
               for n, e, g in zip(order, ps_e, ps_g) if n.requires_grad)


def _diagnose(scenario, got):
    """The museum bug (or RESET_LEAVES) that reproduces ``got`` exactly, else None."""
    order = topological_order(_build(scenario["graph"]))
    for bug in _CANDIDATES:
        if _matches(_replay(scenario, bug), got, order):
            return bug
    return None


def _first_wrong(ex, scenario, passes):
    """(pass number, node, got, expected) of the first wrong grad, from the root back; or None."""
    truth, order = _replay(scenario, None), topological_order(_build(scenario["graph"]))
    observations(ex, passes, len(truth), len(order))
    for k, (right, got) in enumerate(zip(truth, passes)):
        for n in reversed(range(len(order))):
            if not order[n].requires_grad:
                continue
            value = number(ex, got[n], f"the grad of {_name(order[n])}")
            if not close(value, right[n], 1e-9, 1e-12):
                return k, order[n], value, right[n]
    return None



def _graph_cases(rng, count, kinds=("fresh", "twice", "stale")):
    """``count`` random scenarios, cycling through fresh graphs, two calls, and stale grads."""
    scenarios = []
    for k in range(count):
        spec = _random_spec(rng, ops=(3, 9))
        kind = kinds[k % len(kinds)]
        start = None
        if kind == "stale":
            size = len(topological_order(_build(spec)))
            start = [round(rng.uniform(-2, 2), 2) or 0.5 for _ in range(size)]
        scenarios.append({"graph": spec, "start": start, "passes": 2 if kind == "twice" else 1})
    return scenarios


# -- ex2 ------------------------------------------------------------------------
_BUG_HINTS = {
    "assign_instead_of_accumulate": "accumulation bug: a node used twice kept only its last "
                                    "contribution -- use += (the chain rule sums over consumers)",
    "naive_recursive_backward": "order bug: a node passed its gradient on before all of its consumers "
                                "had contributed -- process nodes in reverse topological order",
    "no_seed": "every gradient is 0: seed root.grad = 1 before the loop",
    "no_reset": "stale gradients from an earlier pass were used: reset the intermediate (non-leaf) "
                "nodes' grads to 0 at the start of backward, then seed the root",
    "wrong_order": "order bug: you walked the topological order forwards (inputs first); walk it "
                   "backwards, from the root",
    RESET_LEAVES: "you reset the leaves too: like Value.backward (and PyTorch), leaves accumulate "
                  "across backward calls (zero_grad is the user's job); reset only intermediate nodes",
}
_GENERIC_HINT = "compare your loop with: reset non-leaf grads, seed, reversed(order), " \
                "child.grad += local * node.grad"

EX2 = Exercise("nb04_ex2", "backward()", ("backward",))


@EX2.cases
def _backward_cases(rng, count=30):
    """The notebook's exhibits on fresh graphs, then random graphs: fresh, called twice, stale grads."""
    fresh = [{"graph": ["example", name], "start": None, "passes": 1}
             for name in ("diamond", "shared_parents", "double_edge")]
    return fresh + _graph_cases(rng, count)


@EX2.probe
def _backward_probe(scenarios, backward):
    """Per scenario, per call: the grad of every node (in the engine's topological order)."""
    return _probe_passes(EX2.id, scenarios, backward)


def _wrong_passes(ex, scenarios, seen):
    """(scenario, passes, first wrong (call, node, got, expected)) for each scenario with one."""
    observations(ex, seen, len(scenarios))
    for scenario, passes in zip(scenarios, seen):
        wrong = _first_wrong(ex, scenario, passes)
        if wrong is not None:
            yield scenario, passes, wrong


def _fail_first_wrong(ex, scenario, k, node, got, expected, hint):
    fail(ex, f"first wrong gradient (from the root back), {backward_situation(scenario, k)}: node "
             f"{_name(node)} has grad {fmt(got)}, expected {fmt(expected)}", hint)


@EX2.judge
def _backward_judge(scenarios, seen):
    ex = EX2.id
    for scenario, passes, (k, node, got, expected) in _wrong_passes(ex, scenarios, seen):
        hint = _BUG_HINTS.get(_diagnose(scenario, passes), _GENERIC_HINT)
        _fail_first_wrong(ex, scenario, k, node, got, expected, hint)
    return (f"backward matches on {len(scenarios)} graphs (shared nodes, repeated calls and "
            "stale gradients included)")


def check_backward(backward, cases=30) -> bool:
    """ex2: random graphs that reuse nodes, called twice or on stale grads; the exhibits too."""
    return EX2.check(backward, count=cases)


# -- ex3: the bug hunt ------------------------------------------------------------
HUNT_BUGS = ("assign_instead_of_accumulate", "no_seed", "no_reset")

_TEMPLATE = '''def backward(root):
    """Fill .grad on every node of root's graph with d root / d node."""
    order = topological_order(root)
{reset}{seed}    for node in reversed(order):
        for child, local in zip(node.children, node.local_grads()):
            if local is None:          # an edge into a constant carries no number
                continue
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


#: The hidden tests: (graph, calls, how the notebook states it, leaves to show).
_HIDDEN = [
    ("a+a", 1, "b = a + a at a=3", ("a",)),
    ("diamond", 2, "f = (x·y)·(x+y) at (2,3)", ("x", "y")),
    ("shared_parents", 1, "y = (c+d) + c·d at (2,3)", ("a", "b")),
    ("double_edge", 2, "c = b+b, b = a+a at a=1", ("a",)),
]
_HUNT_HINTS = dict(
    _BUG_HINTS,
    assign_instead_of_accumulate="a node used twice (a in b = a + a, x and y in the diamond): with = "
                                 "the second contribution overwrote the first; use += (accumulation)",
    no_seed="nothing flowed: the output's gradient must be seeded with 1 (root.grad = 1.0)",
    no_reset="stale intermediate gradients from the first pass compounded: reset every "
             "non-leaf node's grad to 0 at the start of backward",
)

EX3 = Exercise("nb04_ex3", "bug hunt", ("fixed_backward",))


@EX3.cases
def _hunt_cases(rng, count=4):
    """The hidden tests (b = a+a, the diamond twice, shared parents, a double edge twice), then
    random graphs called twice or on stale grads."""
    hidden = [{"graph": ["example", name], "start": None, "passes": passes} for name, passes, _, _ in _HIDDEN]
    return hidden + _graph_cases(rng, count, kinds=("twice", "stale"))


@EX3.probe
def _hunt_probe(scenarios, backward):
    return _probe_passes(EX3.id, scenarios, backward, "fixed_backward")


def _leaves_text(order, grads, names):
    """'a.grad = 2' or '(21, 16)' for the named leaves."""
    at = {n.label: k for k, n in enumerate(order) if n.is_leaf and n.label}
    values = [fmt(grads[at[name]]) for name in names]
    return f"{names[0]}.grad = {values[0]}" if len(names) == 1 else f"({', '.join(values)})"


@EX3.judge
def _hunt_judge(scenarios, seen):
    ex = EX3.id
    titles = {name: (title, leaves) for name, _, title, leaves in _HIDDEN}
    for scenario, passes, (k, node, got, expected) in _wrong_passes(ex, scenarios, seen):
        hint = _HUNT_HINTS.get(_diagnose(scenario, passes), _GENERIC_HINT)
        spec = scenario["graph"]
        if spec[0] == "example":
            title, leaves = titles[spec[1]]
            order = topological_order(_build(spec))
            truth = _replay(scenario, None)[k]
            shown = [number(ex, g, "a grad") if n.requires_grad else 0.0 for n, g in zip(order, passes[k])]
            said = _leaves_text(order, shown, leaves)
            right = _leaves_text(order, truth, leaves).split(" = ")[-1]
            if k:
                title = f"backward called twice on {title}: after the second call, leaves got"
            else:
                title += ": got" if len(leaves) > 1 else ":"
            fail(ex, f"{title} {said}, expected {right} (first wrong node: {_name(node)})", hint)
        _fail_first_wrong(ex, scenario, k, node, got, expected, hint)
    return "the bug is fixed: all hidden tests pass"


def check_bug_hunt(backward, student_id=None) -> bool:
    """ex3: hidden tests -- b = a+a, the diamond (once and twice), shared parents, stale grads."""
    return EX3.check(backward, student_id=student_id)


EXERCISES = (EX1, EX2, EX3)
