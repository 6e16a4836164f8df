"""Formulas typed by a person, turned into Value graphs -- safely.

``tinygrad-edu draw "tanh(x*w + b)" x=0.5 w=-3 b=2`` has to turn a string from
the command line into a graph.  Python's ``eval`` would run *anything*
(``__import__('os').system(...)``), so this module never evaluates code.  It
asks Python's own parser (``ast.parse``) for the syntax tree, checks every node
of that tree against a short allow-list, and then walks the tree itself,
calling the engine's operations:

* numbers (``2``, ``0.5``, ``1e-3``, ``2j``) and the constants ``pi`` and ``e``;
* named variables (``x``, ``w1``), whose values you give;
* ``+ - * / **``, unary ``-`` and ``+``, parentheses;
* calls, by name, of the engine's functions (``sin(x)``, ``log1p(x)``...).

Everything else -- attributes, subscripts, strings, lambdas, comprehensions,
keyword arguments, comparisons -- is refused with a :class:`FormulaError` whose
one-line message names the problem and where it is.  Limits keep hostile
input harmless: the length of the text, how deeply it nests, how many nodes it
has, how large a constant exponent may be (``9**9**9`` is refused before it is
computed), and a time bound on evaluation.

>>> f = parse("x*y + sin(x)")
>>> f.variables
('x', 'y')
>>> out = f.evaluate({"x": 1.0, "y": 2.0})
>>> round(out.data, 6)
2.841471
>>> parse("__import__('os')")
Traceback (most recent call last):
...
tinygrad_edu.formula.FormulaError: names starting with '_' are not allowed: '__import__' at column 1
"""

from __future__ import annotations

import ast
import math
import time
import warnings
from typing import Mapping

from . import engine
from ._numbers import is_finite
from ._ops import ONE_OPERAND_METHODS
from .engine import Number, Value

__all__ = [
    "FormulaError", "Formula", "parse", "evaluate", "parse_value", "parse_assignment",
    "parse_assignments", "FUNCTIONS", "CONSTANTS",
    "MAX_LENGTH", "MAX_DEPTH", "MAX_NODES", "MAX_EXPONENT", "MAX_MAGNITUDE", "TIME_LIMIT",
]

#: The longest formula accepted, in characters.
MAX_LENGTH = 10_000
#: How deeply a formula may nest (parentheses, calls, operators), in syntax-tree levels.
MAX_DEPTH = 200
#: How many syntax-tree nodes a formula may have.
MAX_NODES = 5_000
#: The largest constant exponent, in absolute value (``x**1000`` is fine, ``x**1001`` is not).
MAX_EXPONENT = 1_000
#: A power of two constants must stay below 10**MAX_MAGNITUDE (floats end near 1e308).
MAX_MAGNITUDE = 307
#: Seconds an evaluation may take before it is stopped.
TIME_LIMIT = 5.0


class FormulaError(ValueError):
    """A formula (or a ``name=value``) that cannot be parsed or evaluated.

    The message is one line that names the problem and, where it can, the
    column (1-based) where it is.
    """

    def __init__(self, message):
        super().__init__(" ".join(str(message).split()))   # always one line


# --------------------------------------------------------------------------
# What a formula may use
# --------------------------------------------------------------------------
#: name -> (function, smallest and largest number of arguments)
FUNCTIONS = {name: (getattr(engine, name), 1, 1)        # every one-operand primitive, x.exp() ...
             for name in ONE_OPERAND_METHODS if name != "abs"}
FUNCTIONS.update({
    "abs": (engine.absolute, 1, 1), "absolute": (engine.absolute, 1, 1), "atan": (engine.arctan, 1, 1),
    "conj": (engine.conj, 1, 1), "real": (engine.real, 1, 1), "imag": (engine.imag, 1, 1),
    "leaky_relu": (engine.leaky_relu, 1, 2), "arctan2": (engine.arctan2, 2, 2),
    "hypot": (engine.hypot, 2, 2),
})

#: Names that mean a number unless you give them a value yourself.
CONSTANTS = {"pi": math.pi, "e": math.e}

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_OPERATOR_NAMES = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Not: "not", ast.Invert: "~",
}
# Why a kind of syntax is refused, in words a student understands.
_REFUSED = {
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Subscript: "subscripts (a[i]) are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed", ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.List: "lists are not allowed: a formula is one number",
    ast.Tuple: "tuples are not allowed: a formula is one number (a stray comma?)",
    ast.Set: "sets are not allowed", ast.Dict: "dicts are not allowed",
    ast.JoinedStr: "f-strings are not allowed", ast.FormattedValue: "f-strings are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed",
    ast.Starred: "starred arguments (*args) are not allowed",
    ast.Compare: "comparisons (<, ==, ...) are not allowed: a formula computes a number",
    ast.BoolOp: "and/or are not allowed", ast.IfExp: "if/else is not allowed",
    ast.Await: "await is not allowed", ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed", ast.Slice: "slices are not allowed",
}


def _where(node):
    col = getattr(node, "col_offset", None)
    return f" at column {col + 1}" if col is not None else ""


def _is_number(x):
    return x.__class__ in (float, complex)


# --------------------------------------------------------------------------
# Checking the text and the tree
# --------------------------------------------------------------------------
def _check_text(text):
    """Length, characters and parentheses -- before the parser sees the text."""
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text (str), got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula too long: {len(text)} characters (limit {MAX_LENGTH})")
    if not text.strip():
        raise FormulaError("empty formula")
    depth = deepest = 0
    opened = []
    for i, ch in enumerate(text):
        if not (" " <= ch <= "~") and ch != "\t":
            kind = "control character" if ord(ch) < 32 or ord(ch) == 127 else "non-ASCII character"
            raise FormulaError(f"{kind} U+{ord(ch):04X} at column {i + 1}: formulas use "
                               "plain ASCII (letters, digits, + - * / ** ( ) . ,)")
        if ch in "([{":
            depth += 1
            opened.append(i)
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH // 2:
                raise FormulaError(f"formula nested too deeply: more than {MAX_DEPTH // 2} "
                                   f"open parentheses at column {i + 1}")
        elif ch in ")]}":
            if depth == 0:
                raise FormulaError(f"unbalanced parentheses: '{ch}' at column {i + 1} "
                                   "closes nothing")
            depth -= 1
            opened.pop()
    if depth:
        raise FormulaError(f"unbalanced parentheses: '(' at column {opened[-1] + 1} "
                           "is never closed")


def _syntax_tree(text):
    try:
        with warnings.catch_warnings():
            # "1or x": Python warns (invalid decimal literal; a DeprecationWarning before 3.11)
            # and parses on; here the warning becomes the SyntaxError below, with its message.
            warnings.simplefilter("error", SyntaxWarning)
            warnings.simplefilter("error", DeprecationWarning)
            return ast.parse(text, mode="eval")
    except SyntaxError as err:
        msg = (err.msg or "invalid syntax").strip()
        msg = msg if len(msg) <= 80 else msg[:77] + "..."
        col = f" at column {err.offset}" if err.offset else ""
        raise FormulaError(f"bad formula syntax{col}: {msg}") from None
    except (RecursionError, MemoryError):
        raise FormulaError(f"formula nested too deeply for the parser (limit {MAX_DEPTH} "
                           "levels)") from None
    except ValueError as err:         # e.g. NUL bytes on some Python versions
        raise FormulaError(f"bad formula: {err}") from None


def _check_constant(node):
    value = node.value
    if value.__class__ is bool or value is None or value is Ellipsis:
        raise FormulaError(f"{value!r} is not a number{_where(node)}")
    if isinstance(value, (str, bytes)):
        raise FormulaError(f"text strings are not allowed in a formula{_where(node)}")
    if isinstance(value, int):
        try:
            value = float(value)
        except OverflowError:
            raise FormulaError(f"number too large{_where(node)}: floats end near 1e308") from None
    if not isinstance(value, (float, complex)):
        raise FormulaError(f"{type(value).__name__} is not a number{_where(node)}")
    if not is_finite(value):
        raise FormulaError(f"number too large{_where(node)}: floats end near 1e308")
    return value


def _check_node(node, variables):
    """Refuse anything not on the allow-list; note the variables used."""
    kind = type(node)
    if kind is ast.Expression:
        return
    if kind is ast.Constant:
        _check_constant(node)
    elif kind is ast.Name:
        name = node.id
        if name.startswith("_"):
            raise FormulaError(f"names starting with '_' are not allowed: {name!r}{_where(node)}")
        if name in FUNCTIONS:
            raise FormulaError(f"{name} is a function: call it as {name}(...){_where(node)}")
        variables.setdefault(name, None)
    elif kind is ast.BinOp:
        op = type(node.op)
        if op not in _BINARY:
            sym = _OPERATOR_NAMES.get(op, op.__name__)
            hint = "; for a power use **" if op is ast.BitXor else ""
            raise FormulaError(f"operator {sym} is not supported{_where(node)}: "
                               f"use + - * / **{hint}")
    elif kind is ast.UnaryOp:
        op = type(node.op)
        if op not in _UNARY:
            sym = _OPERATOR_NAMES.get(op, op.__name__)
            raise FormulaError(f"operator {sym} is not supported{_where(node)}: use + - * / **")
    elif kind is ast.Call:
        _check_call(node)
    elif kind in (ast.Load,) or isinstance(node, (ast.operator, ast.unaryop)):
        return
    else:
        reason = _REFUSED.get(kind, f"{kind.__name__} is not allowed in a formula")
        raise FormulaError(f"{reason}{_where(node)}")


def _check_call(node):
    func = node.func
    if type(func) is not ast.Name:
        if type(func) is ast.Attribute:
            raise FormulaError(f"attribute access (.{func.attr}) is not allowed in a formula"
                               f"{_where(func)}")
        raise FormulaError(f"only the engine's functions can be called, by name, e.g. sin(x)"
                           f"{_where(node)}")
    name = func.id
    if name.startswith("_"):
        raise FormulaError(f"names starting with '_' are not allowed: {name!r}{_where(func)}")
    if name not in FUNCTIONS:
        raise FormulaError(f"unknown function {name!r}{_where(func)}; available: "
                           + ", ".join(sorted(FUNCTIONS)))
    if node.keywords:
        raise FormulaError(f"keyword arguments are not allowed{_where(node)}: "
                           f"write {name}(x), arguments by position")
    for arg in node.args:
        if type(arg) is ast.Starred:
            raise FormulaError(f"starred arguments (*args) are not allowed in a formula"
                               f"{_where(arg)}")
    _, least, most = FUNCTIONS[name]
    if not least <= len(node.args) <= most:
        wanted = str(least) if least == most else f"{least} or {most}"
        raise FormulaError(f"{name} takes {wanted} argument{'s' if most > 1 else ''}, "
                           f"got {len(node.args)}{_where(node)}")


def _walk_checked(tree):
    """Check every node (iteratively); return the variable names in order of appearance."""
    variables = {}
    count = 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise FormulaError(f"formula too large: more than {MAX_NODES} syntax nodes")
        if depth > MAX_DEPTH:
            raise FormulaError(f"formula nested too deeply: more than {MAX_DEPTH} levels")
        _check_node(node, variables)
        # A call's function name was checked by _check_call; only its arguments remain.
        children = node.args if type(node) is ast.Call else list(ast.iter_child_nodes(node))
        # reversed so that the left operand is visited first (order of appearance)
        stack.extend((child, depth + 1) for child in reversed(children))
    return tuple(name for name in variables if name not in CONSTANTS)


# --------------------------------------------------------------------------
# Evaluation: an explicit stack over the checked tree
# --------------------------------------------------------------------------
def _segment(text, node):
    piece = ast.get_source_segment(text, node) if text else None
    if piece is None:
        return ""
    if len(piece) > 60:
        piece = piece[:57] + "..."
    return f" (in {piece!r}{_where(node)})"


def _check_power(base, k, node, text):
    """Refuse a power that is too large *before* computing it."""
    if not _is_number(k):
        return
    size = abs(k)
    if size > MAX_EXPONENT:
        raise FormulaError(f"exponent {_show(k)} is too large (limit +-{MAX_EXPONENT})"
                           f"{_segment(text, node)}")
    if _is_number(base):
        b = abs(base)
        if b != 0 and size * abs(math.log10(b)) > MAX_MAGNITUDE and (
                b > 1) == ((k.real if k.__class__ is complex else k) > 0):
            raise FormulaError(f"{_show(base)} ** {_show(k)} is too large (beyond "
                               f"1e{MAX_MAGNITUDE}){_segment(text, node)}")


def _number_power(base, k):
    """base ** k for two plain numbers, with the engine's domain rules."""
    if base == 0 and (k.real if k.__class__ is complex else k) < 0:
        raise ZeroDivisionError(f"0 ** {_show(k)} is undefined (division by zero)")
    if base.__class__ is float and k.__class__ is float and base < 0 and not k.is_integer():
        raise ValueError(f"{_show(base)} ** {_show(k)} is not a real number: a negative base "
                         "needs an integer exponent")
    return base ** k


def _apply_binary(op, a, b):
    if op is ast.Add:
        return a + b
    if op is ast.Sub:
        return a - b
    if op is ast.Mult:
        return a * b
    if op is ast.Div:
        if _is_number(a) and _is_number(b) and b == 0:
            raise ZeroDivisionError(f"division by zero in a / b with a={_show(a)}, b=0")
        return a / b
    if _is_number(a) and _is_number(b):
        return _number_power(a, b)
    return a ** b


def _show(x):
    x = x.data if isinstance(x, Value) else x
    if x.__class__ is float and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x) if x.__class__ is float else str(x)


def _run(tree, lookup, text="", deadline=None):
    """Evaluate a checked tree bottom-up with an explicit stack (no recursion)."""
    results = []
    stack = [(tree.body if isinstance(tree, ast.Expression) else tree, False)]
    steps = 0
    while stack:
        node, ready = stack.pop()
        steps += 1
        if deadline is not None and steps % 64 == 0 and time.monotonic() > deadline:
            raise FormulaError(f"evaluation stopped: it took longer than {TIME_LIMIT:g} s")
        kind = type(node)
        if not ready:
            children = _operands(node)
            if children:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))
                continue
        if kind is ast.Constant:
            results.append(_check_constant(node))
        elif kind is ast.Name:
            results.append(lookup(node))
        else:
            n = len(_operands(node))
            args = results[-n:]
            del results[-n:]
            results.append(_compute(node, args, text))
    return results[-1]


def _operands(node):
    kind = type(node)
    if kind is ast.BinOp:
        return [node.left, node.right]
    if kind is ast.UnaryOp:
        return [node.operand]
    if kind is ast.Call:
        return list(node.args)
    return []


def _compute(node, args, text):
    kind = type(node)
    try:
        if kind is ast.BinOp:
            op = type(node.op)
            if op is ast.Pow:
                _check_power(args[0], args[1], node, text)
            out = _apply_binary(op, *args)
        elif kind is ast.UnaryOp:
            out = -args[0] if type(node.op) is ast.USub else +args[0]
        else:
            out = FUNCTIONS[node.func.id][0](*args)
    except FormulaError:
        raise
    except (ValueError, ZeroDivisionError, OverflowError, TypeError, ArithmeticError) as err:
        raise FormulaError(f"{err}{_segment(text, node)}") from None
    if not is_finite(out):
        raise FormulaError(f"overflow: the result is {_show(out)}{_segment(text, node)}")
    return out


# --------------------------------------------------------------------------
# The public face
# --------------------------------------------------------------------------
class Formula:
    """A checked formula: its text, syntax tree and variable names.

    >>> f = parse("tanh(x*w + b)")
    >>> f.variables
    ('x', 'w', 'b')
    >>> round(f.evaluate({"x": 0.5, "w": -3, "b": 2}).data, 6)
    0.462117
    """

    def __init__(self, text: str, tree: ast.AST, variables: tuple[str, ...]) -> None:
        self.text = text
        self.tree = tree
        self.variables = variables   # in order of first appearance; pi and e excluded

    def __repr__(self):
        return f"Formula({self.text!r})"

    def evaluate(self, values: Mapping[str, Value | Number] | None = None,
                 time_limit: float | None = None) -> Value:
        """The formula's Value for the given ``{name: number or Value}``.

        Numbers become leaf Values labelled with their name; Values are used
        as they are (so you can keep them and read their gradients).
        """
        values = dict(values or {})
        leaves = {}
        for name, v in values.items():
            if isinstance(v, Value):
                leaves[name] = v
            else:
                leaves[name] = Value(_as_number(v, name), label=name)
        missing = [n for n in self.variables if n not in leaves and n not in CONSTANTS]
        if missing:
            given = ", ".join(values) or "none"
            raise FormulaError(f"unknown variable {missing[0]!r}: give its value, e.g. "
                               f"{missing[0]}=1.5 (values given: {given})")

        def lookup(node):
            name = node.id
            return leaves[name] if name in leaves else CONSTANTS[name]

        limit = TIME_LIMIT if time_limit is None else time_limit
        out = _run(self.tree, lookup, self.text, time.monotonic() + limit)
        return out if isinstance(out, Value) else Value(out, requires_grad=False)


def _as_number(v, name):
    if isinstance(v, bool) or not isinstance(v, (int, float, complex)):
        raise FormulaError(f"the value of {name!r} must be a number, got {type(v).__name__}")
    try:
        v = complex(v) if isinstance(v, complex) else float(v)
    except OverflowError:
        raise FormulaError(f"the value of {name!r} is too large") from None
    if not is_finite(v):
        raise FormulaError(f"the value of {name!r} must be finite, got {v}")
    return v


def parse(text: str) -> Formula:
    """Check ``text`` and return a :class:`Formula` (raises :class:`FormulaError`).

    Exponents that are constants are checked here, so ``9**9**9`` is refused
    before anything is computed.

    >>> parse("x ^ 2")
    Traceback (most recent call last):
    ...
    tinygrad_edu.formula.FormulaError: operator ^ is not supported at column 1: use + - * / **; for a power use **
    """
    _check_text(text)
    text = text.strip(" \t")            # as eval() does: leading blanks are no indentation
    tree = _syntax_tree(text)
    variables = _walk_checked(tree)
    _check_constant_powers(tree, text)
    return Formula(text, tree, variables)


def _check_constant_powers(tree, text):
    """Fold each constant exponent (with the guarded evaluator) and check its size."""
    for node in ast.walk(tree):
        if type(node) is ast.BinOp and type(node.op) is ast.Pow and _is_constant(node.right):
            k = _run(node.right, _constant_lookup, text)
            base = _run(node.left, _constant_lookup, text) if _is_constant(node.left) else None
            _check_power(base, k, node, text)


def _is_constant(node):
    return all(type(n) is not ast.Name or n.id in CONSTANTS for n in ast.walk(node))


def _constant_lookup(node):
    return CONSTANTS[node.id]


def evaluate(text: str, values: Mapping[str, Value | Number] | None = None,
             **kw_values: Value | Number) -> Value:
    """Parse and evaluate in one call: ``evaluate("x**2", x=3).data == 9.0``.

    >>> evaluate("sin(pi/2) + x", x=1).data
    2.0
    """
    merged = dict(values or {})
    merged.update(kw_values)
    return parse(text).evaluate(merged)


def parse_value(text):
    """A number written as a small constant formula: ``"0.5"``, ``"-3"``, ``"1+2j"``, ``"pi/4"``.

    >>> parse_value("1+2j"), parse_value("-3"), parse_value("pi/2") == math.pi / 2
    ((1+2j), -3.0, True)
    """
    formula = parse(text)
    if formula.variables:
        raise FormulaError(f"a value must be a number, got the name {formula.variables[0]!r}")
    return _run(formula.tree, _constant_lookup, text)


def parse_assignment(text):
    """``"x=0.5"`` -> ``("x", 0.5)``; the value may be int, float, complex or e.g. ``pi/2``.

    >>> parse_assignment("z=1+2j")
    ('z', (1+2j))
    """
    if not isinstance(text, str) or "=" not in text:
        raise FormulaError(f"expected name=value, got {_clip(text)}")
    name, _, value = text.partition("=")
    name = name.strip()
    if not name.isidentifier() or not name.isascii():
        raise FormulaError(f"bad variable name {_clip(name)} in {_clip(text)}: use letters, "
                           "digits and _ (not first)")
    if name.startswith("_"):
        raise FormulaError(f"names starting with '_' are not allowed: {name!r}")
    if name in FUNCTIONS:
        raise FormulaError(f"{name!r} is a function name and cannot be a variable")
    if not value.strip():
        raise FormulaError(f"missing value in {_clip(text)}: write {name}=<number>")
    try:
        number = parse_value(value)
    except FormulaError as err:
        raise FormulaError(f"bad value for {name}: {err}") from None
    return name, number


def parse_assignments(items):
    """Several ``name=value`` strings -> an ordered dict; a repeated name is an error."""
    values = {}
    for item in items:
        name, number = parse_assignment(item)
        if name in values:
            raise FormulaError(f"{name} is given twice")
        values[name] = number
    return values


def _clip(text):
    text = repr(text)
    return text if len(text) <= 40 else text[:37] + "..."
