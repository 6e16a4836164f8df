"""Answer key, notebook 04: a complete submission for its exercises.

Teachers only: this folder is not installed with the package.
"""

def topological_sort(root):
    order, visited, stack = [], {root}, [(root, iter(root.children))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child not in visited:
                visited.add(child)
                stack.append((child, iter(child.children)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def backward(root):
    order = topological_sort(root)
    for node in order:
        if not node.is_leaf:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for child, local in zip(node.children, node.local_grads()):
            if local is not None:              # None: a constant, it needs no gradient
                child.grad += local * node.grad


fixed_backward = backward
