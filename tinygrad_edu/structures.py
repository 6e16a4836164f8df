"""Inputs of every shape: take the numbers out of a structure, and put new ones back.

A transform such as ``grad`` must accept a float, a complex number, a Value, a
list, a tuple, a dict, a numpy array, or any nesting of those, and give the
gradient back *in the same structure*.  This module is the one place that
knows how: it walks a structure, lists its differentiable numbers (the
"leaves", in a fixed order), and rebuilds the structure around new leaves.

>>> x = {"w": [1.0, 2], "name": "layer 1", "b": 3j}
>>> leaves(x)
[1.0, 2, 3j]
>>> rebuild(x, [10.0, 20.0, 30j])
{'w': [10.0, 20.0], 'name': 'layer 1', 'b': 30j}

Which leaves are differentiable
-------------------------------
* numbers: int and float (including numpy's), complex, and Values;
* **not** bool (True/False are flags, not quantities), str, None, or any other
  object: those are passed through untouched where a container holds them.

numpy arrays are containers of their elements (in C order).  When an array is
rebuilt, its dtype follows what was put in: Values give an object array (so
``np.tanh`` and ``np.dot`` work on it), plain numbers give a float array of the
original float dtype (a complex array when the numbers are complex; int and
object arrays become float64).  numpy is never imported here: an array can only
exist if the caller already imported numpy.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from .engine import Value

__all__ = ["leaves", "rebuild", "leaf_paths", "is_differentiable", "describe",
           "is_array", "match_kind", "is_complex_number"]

# Marks an "assemble the parts of this container" step on the walk's stack.
_ASSEMBLE = object()


def _numpy():
    """The numpy module if the program has imported it, else None."""
    return sys.modules.get("numpy")


def is_array(x: Any) -> bool:
    """True for a numpy ndarray (without importing numpy)."""
    np = _numpy()
    return np is not None and isinstance(x, np.ndarray)


def is_differentiable(x: Any) -> bool:
    """True for the leaves a derivative can be taken with respect to.

    >>> is_differentiable(2), is_differentiable(1j), is_differentiable(True), is_differentiable("a")
    (True, True, False, False)
    """
    if x.__class__ in (float, Value, int, complex):
        return True
    if isinstance(x, bool):
        return False
    if isinstance(x, (int, float, complex, Value)):
        return True
    np = _numpy()
    return np is not None and isinstance(x, np.number)   # np.bool_ is not an np.number


def is_complex_number(x: Any) -> bool:
    """True for a complex leaf (a complex number or a Value holding one)."""
    if isinstance(x, Value):
        return x.data.__class__ is complex
    if isinstance(x, complex):
        return True
    np = _numpy()
    return np is not None and isinstance(x, np.complexfloating)


def match_kind(original, g):
    """A gradient number in the kind of its input: complex for complex inputs, else float.

    >>> match_kind(3, 2.0), match_kind(1j, 2.0)
    (2.0, (2+0j))
    """
    if is_complex_number(original):
        return complex(g)
    return float(g.real) if isinstance(g, complex) else float(g)


def describe(x: Any) -> str:
    """A short description of a value for error messages: ``str ('abc')``."""
    text = repr(x)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(x).__name__} ({text})"


def leaves(tree: Any) -> list[Any]:
    """The differentiable numbers of ``tree``, in order (lists/tuples in order,
    dicts in insertion order, arrays in C order).

    >>> leaves([1.0, (2.0, None), {"a": 3.0, "flag": True}])
    [1.0, 2.0, 3.0]
    """
    found = []

    def collect(leaf, path):
        found.append(leaf)
        return leaf

    _walk(tree, collect)
    return found


def rebuild(tree: Any, new_leaves: Sequence[Any]) -> Any:
    """``tree`` with its differentiable leaves replaced, in order, by ``new_leaves``.

    >>> rebuild((1.0, [2.0, "keep"]), [5.0, 6.0])
    (5.0, [6.0, 'keep'])
    """
    supply = iter(new_leaves)
    missing = object()

    def replace(leaf, path):
        new = next(supply, missing)
        if new is missing:
            raise ValueError("rebuild: fewer new leaves than the structure has numbers")
        return new

    result = _walk(tree, replace)
    if next(supply, missing) is not missing:
        raise ValueError("rebuild: more new leaves than the structure has numbers")
    return result


def leaf_paths(tree: Any, name: str = "x") -> list[str]:
    """A readable name for every differentiable leaf, in the order of ``leaves``.

    >>> leaf_paths({"w": [1.0, 2.0], "b": 0.5}, "params")
    ["params['w'][0]", "params['w'][1]", "params['b']"]
    """
    paths = []

    def collect(leaf, path):
        paths.append(path)
        return leaf

    _walk(tree, collect, root_path=name)
    return paths


# --------------------------------------------------------------------------
# The walk: iterative (an explicit stack), so nesting depth is unlimited.
# --------------------------------------------------------------------------
def _walk(tree, on_leaf, root_path=None):
    """Rebuild ``tree`` bottom-up, replacing each differentiable leaf by ``on_leaf(leaf, path)``.

    Non-differentiable leaves are kept as they are.  Paths are only computed
    when ``root_path`` is given (they cost time for big arrays).
    """
    with_paths = root_path is not None
    finished = []                                   # results of completed subtrees, in order
    todo = [(tree, root_path)]
    open_containers = set()                         # to refuse a list that contains itself
    while todo:
        frame = todo.pop()
        if frame[0] is _ASSEMBLE:
            _, node, count = frame
            parts = finished[len(finished) - count:]
            del finished[len(finished) - count:]
            open_containers.discard(id(node))
            finished.append(_assemble(node, parts))
            continue
        node, path = frame
        kids = _children(node, with_paths)
        if kids is None:                             # a leaf
            finished.append(on_leaf(node, path) if is_differentiable(node) else node)
            continue
        if id(node) in open_containers:
            raise ValueError(f"the input contains itself (a {type(node).__name__} inside itself); "
                             "it cannot be differentiated")
        open_containers.add(id(node))
        todo.append((_ASSEMBLE, node, len(kids)))
        for suffix, child in reversed(kids):
            todo.append((child, path + suffix if with_paths else None))
    return finished[0]


def _children(node, with_paths):
    """(path suffix, child) pairs of a container, or None for a leaf."""
    cls = node.__class__
    if cls is list or cls is tuple or isinstance(node, (list, tuple)):
        return [(f"[{i}]" if with_paths else "", child) for i, child in enumerate(node)]
    if isinstance(node, dict):
        return [(f"[{key!r}]" if with_paths else "", child) for key, child in node.items()]
    if is_array(node):
        elements = node.ravel().tolist() if node.dtype.kind == "O" else list(node.ravel())
        if not with_paths:
            return [("", e) for e in elements]
        np = _numpy()
        return [(_index_text(index), e) for index, e in zip(np.ndindex(node.shape), elements)]
    return None


def _index_text(index):
    return "[" + ", ".join(str(i) for i in index) + "]"


def _assemble(node, parts):
    """A new container of the same kind as ``node`` holding ``parts``."""
    if isinstance(node, list):
        return parts
    if isinstance(node, tuple):
        if hasattr(node.__class__, "_fields"):      # a namedtuple
            return node.__class__(*parts)
        return tuple(parts)
    if isinstance(node, dict):
        rebuilt = dict(zip(node.keys(), parts))
        if node.__class__ is not dict:
            try:
                rebuilt = node.__class__(rebuilt)
            except TypeError:                        # e.g. defaultdict: a plain dict will do
                pass
        return rebuilt
    return _assemble_array(node, parts)


def _assemble_array(original, parts):
    """An array shaped like ``original`` holding ``parts``, with a dtype that fits them."""
    np = _numpy()
    shape = original.shape
    kind = original.dtype.kind
    if not parts:                                    # an empty array stays empty
        return original.copy() if kind in "bO" else np.zeros(shape, np.float64 if kind in "iu" else original.dtype)
    if all(is_array(p) for p in parts) and len({p.shape for p in parts}) == 1:
        # One array per element (a Jacobian row per output): stack them.
        return np.stack(parts).reshape(shape + parts[0].shape)
    if kind not in "fciuO" and not any(is_differentiable(p) for p in parts):
        return original                              # a bool or str array passes through unchanged
    if all(_plain_number(p) for p in parts):         # plain numbers: a numeric array
        if any(isinstance(p, (complex, np.complexfloating)) for p in parts):
            dtype = original.dtype if kind == "c" else np.complex128
        else:
            dtype = original.dtype if kind in "fc" else np.float64
        return np.array(parts, dtype=dtype).reshape(shape)
    result = np.empty(len(parts), dtype=object)
    for i, part in enumerate(parts):                 # one by one: numpy must not unpack tuples
        result[i] = part
    return result.reshape(shape)


def _plain_number(x):
    np = _numpy()
    return isinstance(x, (int, float, complex, np.number)) and not isinstance(x, bool)
