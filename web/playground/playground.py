"""The playground's Python side: a formula and its values in, all the page shows out.

The page (playground.js) runs this module in Pyodide and turns the DOT text
into pictures with viz.js.  Everything numeric comes from tinygrad_edu itself:
the formula parser the command line uses, the engine's backward pass, ``draw``
for the picture, ``trace_backward`` for the step-through player and
``numerical_grad`` for the central-difference check.  Nothing here is
browser-specific, so the tests run it in ordinary Python too.

>>> out = update("x*y", {"x": 2.0, "y": 3.0})
>>> out["ok"], out["value"], [(r["name"], r["grad"]) for r in out["rows"]]
(True, '6', [('x', '3'), ('y', '2')])
>>> update("x*", {})["error"]
'tinygrad-edu: error: bad formula syntax: invalid syntax'
"""

import json
import math

from tinygrad_edu.draw import draw, format_number
from tinygrad_edu.engine import topological_order
from tinygrad_edu.formula import FormulaError, parse
from tinygrad_edu.numeric import numerical_grad
from tinygrad_edu.trace import trace_backward

#: The value a variable gets when the formula first mentions it.
DEFAULT_VALUE = 1.0
#: As the command line words its errors: "tinygrad-edu: error: <one line>".
ERROR_PREFIX = "tinygrad-edu: error: "
_MESSAGE_LIMIT = 400
#: The longest backward pass the player draws frame by frame.
MAX_PLAYER_STEPS = 60
#: Relative agreement between autodiff and central differences shown as a tick.
AGREEMENT = 1e-5

# The last good graph, so the player can be built after the picture is shown.
_last = {}


def _one_line(error):
    """The command line's error line: prefix, one line, not endless."""
    message = " ".join(str(error).split()) or type(error).__name__
    if len(message) > _MESSAGE_LIMIT:
        message = f"{message[:_MESSAGE_LIMIT - 30]}... ({len(message)} characters)"
    return ERROR_PREFIX + message


def _real(number):
    """A slider value as a float (the page only sends finite reals; be strict anyway)."""
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
        raise FormulaError(f"a value must be a finite number, got {number!r}")
    return float(number)


def _check_row(name, grad, numeric):
    """One line of the table: autodiff against central differences."""
    grad = grad.data if hasattr(grad, "data") else grad
    agree = None
    if numeric is not None and isinstance(grad, (int, float)) and math.isfinite(grad):
        agree = abs(grad - numeric) <= AGREEMENT * max(1.0, abs(grad), abs(numeric))
    return {"name": name, "grad": format_number(grad), "grad_full": repr(grad),
            "numeric": "—" if numeric is None else format_number(numeric), "agree": agree}


def _central_differences(formula, values):
    """Each partial by central differences, or None where that cannot be had
    (a domain edge within the step, or a complex result)."""
    try:
        found = numerical_grad(lambda d: formula.evaluate(d), dict(values))
    except (ArithmeticError, ValueError, TypeError):
        return {name: None for name in values}
    return {name: found.get(name) for name in values}


def update(text, values, rankdir="LR"):
    """Parse, evaluate, run backward and draw.  Returns a plain dict (JSON-ready).

    ``{"ok": False, "error": "tinygrad-edu: error: ..."}`` for anything the
    command line would refuse; otherwise the variables with their values, the
    picture's DOT text, the output's value and one table row per variable.
    """
    _last.clear()
    try:
        formula = parse(text)
        used = {name: _real(values[name]) if name in values else DEFAULT_VALUE
                for name in formula.variables}
        leaves = {}
        root = formula.evaluate(used)
        for node in _leaves_of(root):
            leaves.setdefault(node.label, node)
        try:
            root.backward()
        except (ArithmeticError, ValueError, TypeError) as error:
            raise FormulaError(f"the derivative is undefined here: {error}") from None
    except FormulaError as error:
        return {"ok": False, "error": _one_line(error)}
    except (RecursionError, MemoryError) as error:
        return {"ok": False, "error": _one_line(f"the formula is too large to handle "
                                                f"({type(error).__name__})")}
    if root.children and not root.label:
        root.label = "f"
    numeric = _central_differences(formula, used)
    rows = [_check_row(name, leaves[name].grad if name in leaves else 0.0, numeric[name])
            for name in used]
    _last.update(root=root, rankdir=rankdir)
    return {"ok": True, "variables": [{"name": n, "value": v} for n, v in used.items()],
            "dot": draw(root, show_local=True, rankdir=rankdir).source,
            "value": format_number(root.data), "value_full": repr(root.data), "rows": rows}


def _leaves_of(root):
    return [node for node in topological_order(root) if node.is_leaf and node.requires_grad]


def player_frames():
    """The step-through of the last good graph's backward pass: one frame per step.

    Returns ``{"frames": [...], "note": text}``.  Each frame is ``{"dot", "caption",
    "current"}``; ``current`` is the id of the node being processed in the picture
    (``v<i>``, as ``draw`` names them), "" at the start.  A pass longer than
    :data:`MAX_PLAYER_STEPS` gets no frames, only a note (drawing every step of a huge
    graph would freeze the page for seconds).
    """
    root = _last.get("root")
    if root is None:
        return {"frames": [], "note": ""}
    trace = trace_backward(root)
    if len(trace) > MAX_PLAYER_STEPS:
        return {"frames": [], "note": f"This backward pass has {len(trace)} steps; the player "
                                      f"steps through up to {MAX_PLAYER_STEPS}."}
    pictures = trace.frames(rankdir=_last["rankdir"])
    position = {node: i for i, node in enumerate(trace.order)}
    current = [""] + [f"v{position[step.node]}" for step in trace]
    frames = [{"dot": picture.source, "caption": trace.caption(i), "current": current[i]}
              for i, picture in enumerate(pictures)]
    return {"frames": frames, "note": ""}


def update_json(text, values_json, rankdir="LR"):
    """:func:`update` with JSON in and out (the form the page calls)."""
    return json.dumps(update(text, json.loads(values_json), rankdir))


def player_json():
    """:func:`player_frames` as JSON."""
    return json.dumps(player_frames())
