"""Drawing the computational graph: one box per Value, one small node per operation.

>>> from tinygrad_edu import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> c = a * b; c.label = "c"; c.backward()
>>> g = draw(c)                 # a graphviz.Digraph; in Jupyter it shows as a picture
>>> "grad -3" in g.source and "grad 2" in g.source
True

Every Value becomes a box ``name | data | grad``; the operation that made it is
a small oval in front of it, and arrows run in the direction the data flows
(inputs -> operation -> result).  An input used twice (``a * a``) sends two
arrows into the operation, one per operand, in operand order.  Where the order
matters (``a - b``, ``a / b``, ``a ** b``) each arrow head says "1st" or "2nd",
and the 1st operand enters the operation on the side read first (the top of a
left-to-right picture, the left of a top-to-bottom one).

The styles say what a node is:

* **input** (a leaf you made, blue), **constant** (a number written in the
  expression, grey and dashed, no gradient shown), **intermediate** (white),
  **output** (green);
* **current** (orange, thick border) for highlighted nodes, **done** (grey) for
  nodes a backward pass has finished, **faulty** (red) for nodes whose
  derivative rule disagrees with numerical differentiation.

Labels and numbers are escaped before they reach Graphviz, so any text (quotes,
``<``, ``&``, braces, backslashes, newlines) shows as itself.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .engine import Value, topological_order, gradients
from ._numbers import format_number       # shared with trace, nodecheck, the CLI... (and public here)
from ._node_names import check_root, names_from
from ._ops import OP_SYMBOLS

if TYPE_CHECKING:
    from .render import Drawing

    class GradientDrawing(Drawing):
        """For type checkers: what ``draw_gradient`` returns, a Drawing with its gradient Value."""
        gradient: Value

__all__ = ["draw", "draw_dot", "draw_gradient", "format_number", "html_escape", "PALETTE"]

#: The colours of every picture, in one place so all diagrams match.
PALETTE = {
    "input": ("#dbeafe", "#2563eb"),          # (fill, border)
    "constant": ("#f1f5f9", "#94a3b8"),
    "intermediate": ("#ffffff", "#475569"),
    "output": ("#dcfce7", "#16a34a"),
    "op": ("#fef3c7", "#d97706"),
    "current": ("#fed7aa", "#ea580c"),
    "done": ("#e2e8f0", "#64748b"),
    "faulty": ("#fee2e2", "#dc2626"),
    "faded": ("#f8fafc", "#cbd5e1"),
    "edge": "#64748b",
    "local": "#1d4ed8",                        # local-derivative labels on edges
    "grad": "#be123c",                         # gradient numbers
    "text": "#0f172a",
    "faded_text": "#94a3b8",
}
FONT = "Helvetica"

# How an op is written inside its oval.
_BIG_GRAPH = 250          # above this many Values, trade some layout polish for speed
# An arrow that skips many layers of the picture makes Graphviz route it through every
# layer in between; a few hundred of them (one input used by every step of a long
# chain) take dot minutes.  Arrows longer than this many layers are not drawn: the
# Value is drawn again (dashed) next to the operation that uses it.
_LONGEST_ARROW = 6
_LABEL_LIMIT = 60          # longer labels are shortened, so one node cannot swamp the picture
# Ops whose result does not depend on the order of their operands.  Every other op with
# two or more operands (a − b, a ÷ b, a ** b, arctan2, %) marks the head of each incoming
# arrow "1st", "2nd", ... so the picture shows which operand is which.
_COMMUTATIVE = frozenset({"+", "*", "hypot", "logaddexp"})
_ORDINALS = ("1st", "2nd", "3rd")


# ---------------------------------------------------------------------------
# Text: numbers a person can read, labels that cannot break anything
# ---------------------------------------------------------------------------
def _clean(text, limit=_LABEL_LIMIT):
    """Make any string printable: control characters become visible escapes."""
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    if limit and len(text) > limit:
        text = text[:limit - 1] + "…"
    out = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif ord(ch) < 32 or ord(ch) == 127 or 0xFFFE <= ord(ch) <= 0xFFFF:
            out.append(repr(ch)[1:-1])            # e.g. "\x07", shown literally
        else:
            out.append(ch)
    return "".join(out)


def html_escape(text: str, limit: int | None = _LABEL_LIMIT) -> str:
    """Escape ``text`` for a Graphviz HTML-like label; newlines become line breaks.

    >>> html_escape('a<b> & "c"\\n{d}')
    'a&lt;b&gt; &amp; &quot;c&quot;<BR/>{d}'
    >>> html_escape("\\\\N")           # one backslash in, two out: Graphviz shows one
    '\\\\\\\\N'
    """
    text = _clean(text, limit)
    # Graphviz expands \N, \G, \L... even inside HTML labels; a doubled
    # backslash comes out as one literal backslash.
    text = text.replace("\\", "\\\\")
    text = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))
    return text.replace("\n", "<BR/>")


def _tooltip(text):
    """A quoted DOT attribute for hover text.  Only numbers go in here: Graphviz
    gives backslashes in tooltips engine-specific meanings, so no user text."""
    import graphviz
    return graphviz.escape(_clean(text, limit=None))


# ---------------------------------------------------------------------------
# Which nodes to draw
# ---------------------------------------------------------------------------
def _select(root, order, max_nodes):
    """The nodes to draw: all of them, or the ``max_nodes`` nearest the output."""
    if max_nodes is None or len(order) <= max_nodes:
        return set(order)
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    keep = {root}
    queue = deque([root])
    while queue and len(keep) < max_nodes:       # breadth first: nearest the output first
        node = queue.popleft()
        for child in node.children:
            if child not in keep and len(keep) < max_nodes:
                keep.add(child)
                queue.append(child)
    return keep


def _kind(node, root):
    if node.is_leaf:
        return "input" if node.requires_grad else "constant"
    return "output" if node is root else "intermediate"


# ---------------------------------------------------------------------------
# The node boxes
# ---------------------------------------------------------------------------
def _value_label(name, node, grad_text, style, note, precision):
    cells = []
    if name:
        cells.append(f'<TD><B>{html_escape(name)}</B></TD>')
    cells.append(f'<TD>data {html_escape(format_number(node.data, precision))}</TD>')
    if grad_text is not None:
        grad_colour = PALETTE["faded_text"] if style == "faded" else PALETTE["grad"]
        cells.append(f'<TD><FONT COLOR="{grad_colour}">grad {html_escape(grad_text)}</FONT></TD>')
    rows = "<TR>" + "".join(cells) + "</TR>"
    if note:
        rows += (f'<TR><TD COLSPAN="{len(cells)}"><FONT POINT-SIZE="10" COLOR="{PALETTE["faulty"][1]}">'
                 f'{html_escape(note)}</FONT></TD></TR>')
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLUMNS="*" '
            f'ROWS="*">{rows}</TABLE>>')


def _grad_text(node, grads, show_grad, precision, unknown):
    if not show_grad:
        return None
    if grads is None:
        g = node.grad
    elif node in grads:
        g = grads[node]
    else:
        return unknown
    return format_number(g, precision)


def _local_texts(node, precision):
    """Each edge's local derivative as text, from the engine's own rule."""
    try:
        partials = node.local_grads()
    except (ArithmeticError, ValueError) as error:      # e.g. x**0.5 at x = 0
        return ["undefined"] * len(node.children), str(error)
    # None: an edge from a constant carries no derivative (nothing needs its gradient).
    return [None if p is None else format_number(p, precision) for p in partials], None


def draw(root: Value, *, show_grad: bool = True, show_local: bool = False,
         highlight: Value | Iterable[Value] = (), rankdir: str = "LR", max_nodes: int | None = 300,
         names: Mapping[str, Any] | None = None, grads: Mapping[Value, Any] | None = None,
         precision: int = 4, legend: bool = False, title: str | None = None,
         done: Value | Iterable[Value] = (), faulty: Mapping[Value, str] | None = None,
         faded: Value | Iterable[Value] = (), edge_notes: Mapping[tuple[Value, int], Any] | None = None,
         numbered: bool = False, unknown_grad: str = "?", renderer: str = "auto") -> Drawing:
    """Draw the graph that computed ``root``; returns a ``graphviz.Digraph`` (a :class:`Drawing`).

    Options:
      show_grad     show each node's gradient (``.grad``, or ``grads[node]`` if given)
      show_local    write each edge's local derivative d(result)/d(operand) on it
      highlight     a Value or list of Values to draw as "current" (orange)
      rankdir       "LR" (left to right, default), "TB", "RL" or "BT"
      max_nodes     draw at most this many Values (nearest the output); the picture
                    says how many were left out.  None draws everything.  Either way
                    an arrow that would skip more than a few layers is left out and
                    its Value drawn again (dashed) beside the use, so the layout stays
                    fast on any graph; the picture says how many.
      names         ``names=locals()`` labels nodes with your variable names
      grads         a {Value: gradient} dict to show instead of ``.grad``; nodes
                    missing from it show ``unknown_grad`` ("?")
      legend        add a key explaining the colours
      title         a caption under the picture
      done, faded   Values to draw as finished (grey) or de-emphasised
      faulty        {Value: message}: draw these red with the message
      edge_notes    {(node, operand_index): text or (text, colour)} replacing an edge's label
      numbered      prefix each Value with its position in topological order

    >>> from tinygrad_edu import Value
    >>> x = Value(3.0, label="x"); y = x * x
    >>> draw(y).source.count("-> o1")          # two arrows into the one ×
    2
    """
    check_root(root, "draw")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    highlight = _as_set(highlight, "highlight")
    done, faded = _as_set(done, "done"), _as_set(faded, "faded")
    faulty = dict(faulty or {})
    edge_notes = dict(edge_notes or {})
    order = topological_order(root)
    shown = _select(root, order, max_nodes)
    labels = names_from(names)
    ids = {node: i for i, node in enumerate(order)}

    from .render import Drawing         # imported here: graphviz is needed for pictures only
    graph = Drawing(name="computation", format="svg")
    graph.dot_program = renderer
    graph.attr(rankdir=rankdir, bgcolor="white", nodesep="0.25", ranksep="0.35",
               fontname=FONT, fontsize="12")
    if len(shown) > _BIG_GRAPH:
        # Fewer edge-crossing passes: a 1,000-node layout takes a few seconds
        # instead of half a minute, and such a picture is for scrolling anyway.
        graph.attr(mclimit="0.2")
    graph.attr("node", fontname=FONT, fontsize="12", color=PALETTE["edge"])
    graph.attr("edge", fontname=FONT, fontsize="10", color=PALETTE["edge"],
               arrowsize="0.7", fontcolor=PALETTE["local"])

    hidden_feeders = []
    layer = _layers(order, shown)
    copies = 0
    for node in order:
        if node not in shown:
            continue
        i = ids[node]
        kind = _kind(node, root)
        style = ("faulty" if node in faulty else "current" if node in highlight else
                 "done" if node in done else "faded" if node in faded else kind)
        fill, border = PALETTE[style]
        name = labels.get(node) or node.label
        if numbered:
            name = f"#{i} {name}".strip()
        # A constant's gradient is never used (nothing can change a written-down
        # number), so its box shows only the number.
        grad_text = None if kind == "constant" else _grad_text(node, grads, show_grad, precision,
                                                                unknown_grad)
        classes = " ".join(["value", kind] + [s for s, on in (
            ("current", node in highlight), ("done", node in done),
            ("faulty", node in faulty), ("faded", node in faded)) if on])
        graph.node(f"v{i}", _value_label(name, node, grad_text, style, faulty.get(node), precision),
                   shape="box", style="filled,rounded" + (",dashed" if kind == "constant" else ""),
                   fillcolor=fill, color=border, margin="0.04,0.02", height="0.3",
                   penwidth="3" if style in ("current", "faulty") else
                   "2" if kind == "output" else "1",
                   fontcolor=PALETTE["faded_text"] if style == "faded" else PALETTE["text"],
                   id=f"v{i}", tooltip=_tooltip(_node_tooltip(node, grads, grad_text is not None)),
                   **{"class": classes})
        if node.is_leaf:
            continue
        _draw_op(graph, node, i, style, highlight, faded)
        local_texts, _ = _local_texts(node, precision) if show_local else ([None] * len(node.children), None)
        for k, child in enumerate(node.children):
            note = edge_notes.get((node, k))
            colour = None
            if isinstance(note, tuple):               # (text, colour)
                note, colour = note
            text = note if note is not None else local_texts[k]
            if child not in shown:
                hidden_feeders.append(i)
                continue
            attrs = {"label": f"<{html_escape(text)}>"} if text else {}
            port, mark = _operand_mark(node, k, rankdir)
            attrs.update(mark)
            if show_local and not child.requires_grad:   # from a constant: no number flows back
                attrs.update(style="dashed", color=PALETTE["constant"][1])
            if colour:
                attrs.update(color=colour, fontcolor=colour, penwidth="2")
            tail = f"v{ids[child]}"
            if layer[node] - layer[child] > _LONGEST_ARROW:
                tail = f"c{i}_{k}"
                copies += 1
                _draw_copy(graph, tail, labels.get(child) or child.label, child, precision)
            graph.edge(tail, f"o{i}{port}", **attrs)

    notes = []                                   # what the picture leaves out
    hidden = len(order) - len(shown)
    if hidden:
        notes.append(_draw_cap_note(graph, hidden, len(order), max_nodes, sorted(set(hidden_feeders))))
    if copies:
        notes.append(_copies_note(copies))
    if legend:
        kinds = {_kind(node, root) for node in shown}
        _draw_legend(graph, kinds, faulty=bool(faulty), current=bool(highlight), done=bool(done),
                     faded=bool(faded))
    # One caption (Graphviz has one graph label): the title under the picture with the notes
    # below it, or the notes alone on top.
    lines = ([title] if title else []) + notes
    if lines:
        graph.attr(label="<" + "<br/>".join(html_escape(n, limit=200) for n in lines) + ">",
                   labelloc="b" if title else "t", fontsize="13")
    return graph


draw_dot = draw


def _as_set(nodes, what):
    if nodes is None:
        return set()
    if isinstance(nodes, Value):
        return {nodes}
    try:
        found = set(nodes)
    except TypeError:
        raise TypeError(f"{what} must be a Value or a list of Values, got "
                        f"{type(nodes).__name__}") from None
    for n in found:
        if not isinstance(n, Value):
            raise TypeError(f"{what} must contain Values, got {type(n).__name__}: {n!r}")
    return found


def _node_tooltip(node, grads, with_grad):
    """Hover text: the full-precision numbers behind the rounded ones."""
    text = f"data = {node.data!r}"
    if not with_grad:
        return text
    grad = node.grad if grads is None else grads.get(node, "?")
    if isinstance(grad, Value):
        grad = grad.data
    return f"{text}, grad = {grad!r}"


def _operand_mark(node, k, rankdir):
    """(head port, edge attributes) marking operand ``k`` of an op whose operand order matters.

    The 1st operand enters the op on the side read first (the top when the graph runs left
    to right, the left when it runs top to bottom), the 2nd on the opposite side, and each
    arrow head says "1st" or "2nd".  Ops where the order does not matter get ("", {}).

    >>> a, b = Value(5.0), Value(2.0)
    >>> _operand_mark(a - b, 1, "LR")[0], _operand_mark(a * b, 1, "LR")
    (':s', ('', {}))
    """
    if len(node.children) < 2 or node.op in _COMMUTATIVE:
        return "", {}
    mark = _ORDINALS[k] if k < len(_ORDINALS) else f"{k + 1}th"
    sides = ("n", "s") if rankdir in ("LR", "RL") else ("w", "e")
    port = f":{sides[k]}" if len(node.children) == 2 else ""
    # Turned away from the other arrow, so the two marks never sit on the same line.
    angle = ("-45" if k == 0 else "45") if rankdir in ("LR", "RL") else ("45" if k == 0 else "-45")
    return port, {"headlabel": f"<{mark}>", "labelfontsize": "9", "labelfontcolor": "#7c2d12",
                  "labeldistance": "1.5", "labelangle": angle}


def _draw_op(graph, node, i, style, highlight, faded):
    fill, border = PALETTE["faded"] if style == "faded" else PALETTE["op"]
    text = OP_SYMBOLS.get(node.op, node.op)
    graph.node(f"o{i}", f"<{html_escape(text)}>", shape="ellipse", style="filled",
               fillcolor=fill, color=border, fontsize="11", margin="0.02,0.01",
               width="0.3", height="0.3", ordering="in", id=f"o{i}",
               **{"class": "op" + (" current" if node in highlight else "")})
    graph.edge(f"o{i}", f"v{i}")


def _layers(order, shown):
    """Each shown node's layer in the picture: the longest path to it from a shown input.

    A constant (``x * 2.0``'s 2) has no inputs of its own: it sits one layer before its
    first use, so a chain of ``y = y + 1`` needs no long arrows for its 1s.
    """
    layer = {}
    for node in order:
        if node in shown and not _is_constant_leaf(node):
            layer[node] = 1 + max((layer[c] for c in node.children if c in layer), default=-1)
    for node in order:
        for child in node.children:
            if child in shown and _is_constant_leaf(child) and node in layer:
                layer[child] = min(layer.get(child, layer[node]), layer[node] - 1)
    for node in shown:
        layer.setdefault(node, 0)          # a constant that is itself the root
    return layer


def _is_constant_leaf(node):
    return node.is_leaf and not node.requires_grad



def _draw_copy(graph, node_id, name, node, precision):
    """A dashed copy of a Value, drawn next to a far-away use instead of a long arrow."""
    number = format_number(node.data, precision)
    text = f"{name} = {number}" if name else number
    graph.node(node_id, f"<<I>{html_escape(text)}</I>>", shape="box", style="rounded,dashed",
               color=PALETTE["edge"], fontsize="10", margin="0.04,0.02", height="0.25",
               id=node_id, tooltip=_tooltip(f"a copy of {text}, drawn beside its use: a long "
                                           "arrow from further back is left out"),
               **{"class": "copy"})


def _copies_note(copies):
    return (f"{copies:,} long arrow{'s' if copies > 1 else ''} left out: the Value is drawn again "
            "(dashed) next to where it is used")


def _draw_cap_note(graph, hidden, total, max_nodes, feeders):
    text = f"{hidden:,} of {total:,} nodes not shown (max_nodes={max_nodes})"
    graph.node("more", f"<<I>⋯ {html_escape(text)}</I>>", shape="note", style="filled",
               fillcolor="#fff7ed", color="#fb923c", id="more", **{"class": "more"})
    for i in feeders[:20]:                       # a few arrows say where the rest joins in
        graph.edge("more", f"o{i}", style="dashed", color="#fb923c")
    return text


def _draw_legend(graph, kinds, faulty=False, current=False, done=False, faded=False):
    entries = [(k, k) for k in ("input", "constant", "intermediate", "output") if k in kinds]
    entries.append(("op", "operation"))
    if current:
        entries.append(("current", "current"))
    if done:
        entries.append(("done", "done"))
    if faulty:
        entries.append(("faulty", "faulty rule"))
    if faded:
        entries.append(("faded", "reused from f"))
    cells = "".join(f'<TD BGCOLOR="{PALETTE[key][0]}" BORDER="1" COLOR="{PALETTE[key][1]}">'
                    f'{html_escape(text)}</TD>' for key, text in entries)
    graph.node("legend", f'<<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="3"><TR>'
                         f'<TD><I>key</I></TD>{cells}</TR></TABLE>>',
               shape="plain", fontsize="10", id="legend", **{"class": "legend"})


# ---------------------------------------------------------------------------
# Higher order: the graph of a gradient
# ---------------------------------------------------------------------------
def draw_gradient(root: Value, wrt: Value, **options: Any) -> GradientDrawing:
    """Build d(root)/d(wrt) as a graph (``create_graph=True``) and draw *that* graph.

    The nodes of the original computation that the gradient reuses are drawn
    faded, so the new nodes -- the derivative being built -- stand out.
    Returns the Drawing; the gradient Value is ``drawing.gradient``.

    >>> from tinygrad_edu import Value
    >>> x = Value(3.0, label="x"); y = x ** 3
    >>> g = draw_gradient(y, x)
    >>> g.gradient.data                         # 3 x^2
    27.0
    """
    check_root(root, "draw_gradient")
    check_root(wrt, "draw_gradient (wrt)")
    gradient = gradients(root, [wrt], create_graph=True)[wrt]
    if not isinstance(gradient, Value):           # root does not depend on wrt
        gradient = Value(gradient, requires_grad=False)
    if not gradient.label:
        gradient.label = f"d{root.label or 'f'}/d{wrt.label or 'x'}"
    original = set(topological_order(root))
    options.setdefault("faded", [n for n in topological_order(gradient) if n in original])
    options.setdefault("show_grad", False)
    drawing = draw(gradient, **options)
    drawing.gradient = gradient
    return drawing
