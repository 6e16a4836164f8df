"""How the pictures name the nodes they show: shared by ``draw``, ``trace`` and ``nodecheck``.

A node is called by the variable that holds it (``names=locals()``), else by its label,
else by its position ("#3") or, for a constant, by its number -- the same name in a
picture, a step of the backward pass and a faulty-node report.

>>> from tinygrad_edu.engine import Value, topological_order
>>> a = Value(2.0); b = Value(3.0, label="b"); c = a * b
>>> list(name_nodes(topological_order(c), {"a": a}).values())
['a', 'b', '#2']
"""

from __future__ import annotations

from typing import Any, Mapping

from ._numbers import format_number
from .engine import Value

__all__ = ["check_root", "names_from", "name_nodes"]


def check_root(root: Any, who: str) -> None:
    """A clear TypeError when a picture is asked for something that is not a Value."""
    if not isinstance(root, Value):
        raise TypeError(f"{who} needs a Value (the result of a computation), got "
                        f"{type(root).__name__}: {root!r}")


def names_from(names: Mapping[Any, Any] | None) -> dict[Value, str]:
    """``names=locals()`` (name -> Value) or a {Value: name} dict, as {Value: name}."""
    if names is None:
        return {}
    if not hasattr(names, "items"):
        raise TypeError(f"names must be a dict such as locals(), got {type(names).__name__}")
    found: dict[Value, str] = {}
    for key, value in names.items():
        if isinstance(key, Value) and isinstance(value, str):
            found.setdefault(key, value)
        elif isinstance(value, Value) and isinstance(key, str) and not key.startswith("_"):
            found.setdefault(value, key)          # first name wins, like reading top to bottom
    return found


def name_nodes(order: list[Value], names: Mapping[Any, Any] | None) -> dict[Value, str]:
    """A name for every node: its variable name or label, else "#position" (as drawn)."""
    chosen = names_from(names)
    result = {}
    for i, node in enumerate(order):
        result[node] = chosen.get(node) or node.label or (
            f"#{i}" if node.requires_grad else format_number(node.data))
    return result
