"""Classic mistakes for notebook 04's exercises (see test_mistakes.py)."""

from collections import deque

from exhelp import Mistake, S

from tinygrad_edu.engine import topological_order


# -- ex1: topological_sort --------------------------------------------------------
def _recursive(root):
    order, seen = [], set()

    def visit(n):
        if n not in seen:
            seen.add(n)
            for c in n.children:
                visit(c)
            order.append(n)
    visit(root)
    return order


def _no_visited(root):
    order, stack = [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.children))
    return order


def _root_first(root):
    return S.topological_sort(root)[::-1]


def _bfs(root):
    order, seen, queue = [], {root}, deque([root])
    while queue:
        node = queue.popleft()
        order.append(node)
        for c in node.children:
            if c not in seen:
                seen.add(c)
                queue.append(c)
    return order[::-1]


def _preorder_reversed(root):
    """Appends a node when it is entered (pre-order), then reverses: children can follow consumers."""
    order, visited, stack = [], {root}, [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for c in node.children:
            if c not in visited:
                visited.add(c)
                stack.append(c)
    return order[::-1]


def _skips_constants(root):
    return [n for n in S.topological_sort(root) if n.requires_grad]


# -- ex2 / ex3: backward ------------------------------------------------------------
def _backward(reset="inner", seed=True, update="+=", walk="reverse"):
    """The answer key's backward with one knob turned."""
    def backward(root):
        order = S.topological_sort(root)
        for node in order:
            if reset == "all" or (reset == "inner" and not node.is_leaf):
                node.grad = 0.0
        if seed:
            root.grad = 1.0
        for node in (reversed(order) if walk == "reverse" else order):
            for child, local in zip(node.children, node.local_grads()):
                if local is None:               # a constant: no gradient
                    continue
                if update == "=":
                    child.grad = local * node.grad
                else:
                    child.grad += local * node.grad
    return backward


def _recursive_push(root):
    """Push a node's gradient on as soon as it is visited (no topological order)."""
    for node in topological_order(root):
        if not node.is_leaf:
            node.grad = 0.0
    root.grad = 1.0
    stack = [root]
    while stack:
        node = stack.pop()
        for child, local in zip(node.children, node.local_grads()):
            if local is not None:
                child.grad += local * node.grad
        stack.extend(reversed(node.children))


MISTAKES = [
    Mistake("nb04_ex1", "recursion", _recursive, named=["recursion limit", "explicit stack"]),
    Mistake("nb04_ex1", "no visited set", _no_visited, named=["appears twice", "visited"]),
    Mistake("nb04_ex1", "root first", _root_first, named=["starts with the root", "reverse"]),
    Mistake("nb04_ex1", "breadth-first", _bfs, named="comes after its consumer"),
    Mistake("nb04_ex1", "pre-order", _preorder_reversed, named=["comes after its consumer", "post-order"]),
    Mistake("nb04_ex1", "skips constants", _skips_constants, named=["missing", "constants included"]),
    Mistake("nb04_ex1", "the engine's own", topological_order, named="write your own"),
    Mistake("nb04_ex2", "= instead of +=", _backward(update="="), named=["accumulation bug", "+="]),
    Mistake("nb04_ex2", "no seed", _backward(seed=False), named="seed root.grad = 1"),
    Mistake("nb04_ex2", "forwards", _backward(walk="forward"), named="walked the topological order forwards"),
    Mistake("nb04_ex2", "recursive push", _recursive_push, named=["order bug", "reverse topological order"]),
    Mistake("nb04_ex2", "no reset", _backward(reset="none"), named="stale gradients"),
    Mistake("nb04_ex2", "resets the leaves too", _backward(reset="all"), named="you reset the leaves too"),
    Mistake("nb04_ex3", "= left in", _backward(update="="), named=["overwrote", "use +="]),
    Mistake("nb04_ex3", "seed left out", _backward(seed=False), named="seeded with 1"),
    Mistake("nb04_ex3", "reset left out", _backward(reset="none"), named="stale intermediate gradients"),
    Mistake("nb04_ex3", "resets the leaves too", _backward(reset="all"), named="you reset the leaves too"),
    Mistake("nb04_ex3", "forwards", _backward(walk="forward"), named="walked the topological order forwards"),
]
