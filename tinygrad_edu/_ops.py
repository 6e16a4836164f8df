"""The engine's op vocabulary as the layers above it use it, derived from ``engine.PRIMITIVES``.

Shared by forward mode (``Dual``'s methods), ``nodecheck`` (how to recompute an op from
numbers), ``draw`` (the op bubble) and ``trace`` (the step's formula), so that an op added
to the engine reaches all of them and no list is written twice.

>>> "sin" in ONE_OPERAND_METHODS, "leaky_relu" in ONE_OPERAND_METHODS, "+" in ONE_OPERAND_METHODS
(True, False, False)
>>> OP_SYMBOLS["*"], OP_SYMBOLS.get("tanh", "tanh")
('×', 'tanh')
"""

from __future__ import annotations

import inspect

from .engine import PRIMITIVES, Value

__all__ = ["ONE_OPERAND_METHODS", "OP_SYMBOLS"]


def _is_one_operand_method(name: str) -> bool:
    """True when ``Value.<name>()`` is the op itself, called with no further argument."""
    method = inspect.getattr_static(Value, name, None)
    return inspect.isfunction(method) and len(inspect.signature(method).parameters) == 1


#: The primitive ops that are Value methods of one operand, ``x.exp()``, ``x.tanh()``...,
#: in the engine's order.
ONE_OPERAND_METHODS: tuple[str, ...] = tuple(name for name in PRIMITIVES if _is_one_operand_method(name))

#: How an op is written for a person, where its name is not already its symbol
#: (the arithmetic ops; an op missing here is written by its name, e.g. ``tanh``).
#: ``neg`` has one operand, so it is never written between two.
OP_SYMBOLS: dict[str, str] = {"+": "+", "-": "−", "*": "×", "/": "÷", "**": "**", "neg": "−x"}
