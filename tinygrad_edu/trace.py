"""Watching backward happen: the backward pass, one node at a time.

``trace_backward(root)`` does exactly what ``root.backward()`` does -- same
order, same step per node (``node._backward()``, run by the engine's
``backward_pass``), so the numbers are identical -- but instead of only filling
in ``.grad`` it records every step:

>>> from tinygrad_edu import Value
>>> a = Value(3.0, label="a"); b = a * a; b.label = "b"
>>> trace = trace_backward(b)
>>> step = trace[0]
>>> step.node is b, step.upstream, step.local
(True, 1.0, (3.0, 3.0))
>>> [(c.name, c.contribution, c.running_sum) for c in step.contributions]
[('a', 3.0, 3.0), ('a', 3.0, 6.0)]

The running sum shows fan-out: ``a`` is used twice, receives twice, and its
gradient is the sum.  ``trace.frames()`` draws one picture per step and
``trace.player()`` puts them in a small HTML page with previous/next buttons
and a slider (it shows inline in Jupyter; ``.save("trace.html")`` writes it).

``.grad`` attributes are not touched: the trace computes a fresh pass, as if
``zero_grad()`` had been called first.
"""

from __future__ import annotations

import base64
import hashlib
import html
import uuid
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, TypeVar

from .engine import Value, gradients, topological_order
from .draw import draw
from ._numbers import format_number
from ._node_names import check_root, name_nodes, names_from
from ._ops import OP_SYMBOLS

if TYPE_CHECKING:
    from .render import Drawing

_Result = TypeVar("_Result")

__all__ = ["trace_backward", "print_trace", "BackwardTrace", "Step", "Contribution", "BackwardPlayer"]


@dataclass(frozen=True)
class Contribution:
    """What one operand received from the node being processed."""
    child: Value
    operand: int            # position among the node's children (0 = first operand)
    name: str
    local: object           # d node / d child, from the engine's rule
    contribution: object    # local * upstream
    running_sum: object     # the child's gradient so far, this contribution included


@dataclass(frozen=True)
class Step:
    """One node visited by the backward pass."""
    index: int              # 1, 2, ... in processing order
    node: Value
    name: str
    upstream: object        # d root / d node, complete when the node is processed
    local: tuple            # d node / d child for each child, in operand order
    contributions: tuple = field(default=())

    formula: str = ""

    def describe(self, precision: int = 4) -> str:
        """One line of prose: what happened at this step."""
        f = lambda x: format_number(x, precision)
        parts = [f"{c.name} gets ∂{self.name}/∂{c.name} × grad = {f(c.local)} × {f(self.upstream)} "
                 f"= {f(c.contribution)} (its sum so far: {f(c.running_sum)})"
                 for c in self.contributions]
        return (f"Step {self.index}: {self.name} = {self.formula or self.node.op}, grad "
                f"{f(self.upstream)}. " + "; ".join(parts) + ".")


def _formula(step_node: Value, names: Mapping[Value, str]) -> str:
    """How a node was made, in words: "c = a × b", "o = tanh(n)"."""
    args = [names[c] for c in step_node.children]
    if step_node.op in OP_SYMBOLS and len(args) == 2:
        return f"{args[0]} {OP_SYMBOLS[step_node.op]} {args[1]}"
    return f"{step_node.op}({', '.join(args)})"


def trace_backward(root: Value, names: Mapping[str, Any] | None = None,
                   seed: float | complex = 1.0) -> BackwardTrace:
    """Run a backward pass step by step and return a :class:`BackwardTrace`.

    ``names=locals()`` names the nodes after your variables.
    """
    check_root(root, "trace_backward")
    order = topological_order(root)
    label = name_nodes(order, names)
    steps = []

    def record(node):                        # the engine's step, watched
        before = [child.grad for child in node.children]
        node._backward()
        if node.is_leaf:
            return
        g, local = node.grad, node.local_grads()     # node.grad: the part _backward used
        received, running = [], {}
        for k, (child, p, had) in enumerate(zip(node.children, local, before)):
            if p is None:                    # an edge into a constant carries no number
                continue
            contribution = p * g             # the same sums _backward made, in the same order
            running[child] = running.get(child, had) + contribution
            received.append(Contribution(child, k, label[child], p, contribution, running[child]))
        steps.append(Step(len(steps) + 1, node, label[node], g, local, tuple(received),
                          _formula(node, label)))

    grads = gradients(root, order=order, seed=seed, step=record)
    return BackwardTrace(root, order, steps, grads, label, seed, names_from(names))


class BackwardTrace(list[Step]):
    """The steps of one backward pass (a list of :class:`Step`), plus the results.

    ``.grads`` maps every node to its final gradient (equal to what ``backward()``
    puts in ``.grad`` after ``zero_grad()``).
    """

    def __init__(self, root: Value, order: list[Value], steps: Sequence[Step], grads: dict[Value, Any],
                 names: dict[Value, str], seed: float | complex,
                 user_names: Mapping[Value, str] | None = None) -> None:
        super().__init__(steps)
        self.root, self.order, self.grads, self.names, self.seed = root, order, grads, names, seed
        self.user_names = user_names or {}

    # -- as a table ---------------------------------------------------------
    def rows(self, precision: int = 4) -> list[dict[str, Any]]:
        """The table as a list of dicts (step, node, op, upstream, local, contributions)."""
        f = lambda x: format_number(x, precision)
        return [{"step": s.index, "node": s.name, "op": s.node.op, "upstream": f(s.upstream),
                 "local": ", ".join(f"∂/∂{c.name}={f(c.local)}" for c in s.contributions),
                 "contributions": ", ".join(f"{c.name} += {f(c.contribution)} → {f(c.running_sum)}"
                                            for c in s.contributions)} for s in self]

    def table(self, precision: int = 4) -> str:
        """The trace as plain text, one line per step."""
        rows = self.rows(precision)
        heads = ["step", "node", "op", "upstream", "local", "contributions"]
        widths = {h: max([len(h)] + [len(str(r[h])) for r in rows]) for h in heads}
        line = lambda r: "  ".join(str(r[h]).ljust(widths[h]) for h in heads).rstrip()
        return "\n".join([line({h: h for h in heads})] + [line(r) for r in rows])

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        rows = self.rows()
        heads = ["step", "node", "op", "upstream", "local", "contributions"]
        head = "".join(f"<th>{h}</th>" for h in heads)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r[h]))}</td>" for h in heads)
                       + "</tr>" for r in rows)
        return f'<table class="tge-trace"><tr>{head}</tr>{body}</table>'

    def __repr__(self) -> str:
        return f"<BackwardTrace: {len(self)} steps over {len(self.order)} nodes>"

    # -- as pictures --------------------------------------------------------
    def frames(self, precision: int = 4, **draw_options: Any) -> list[Drawing]:
        """One Drawing per moment: the seeded output, then after each step.

        The node being processed is highlighted, finished nodes are grey, each
        Value shows the gradient it has received so far ("?" if nothing yet),
        and the current node's edges show ``local × upstream = contribution``.
        """
        options: dict[str, Any] = dict(show_local=True, precision=precision, names=self.user_names,
                                       legend=True, numbered=True)
        options.update(draw_options)
        f = lambda x: format_number(x, precision)
        grads: dict[Value, Any] = {self.root: self.seed}
        pictures = [draw(self.root, grads=dict(grads), title=self.short_caption(0, precision), **options)]
        done = []
        for step in self:
            grads[step.node] = step.upstream
            notes = {}
            for c in step.contributions:
                grads[c.child] = c.running_sum
                notes[(step.node, c.operand)] = f"{f(c.local)} × {f(step.upstream)} = {f(c.contribution)}"
            pictures.append(draw(self.root, grads=dict(grads), highlight=step.node, done=list(done),
                                 edge_notes=notes, title=self.short_caption(step.index, precision),
                                 **options))
            done.append(step.node)
        return pictures

    def short_caption(self, frame: int, precision: int = 4) -> str:
        """A few words for the picture itself: "Step 2: d = e + c"."""
        if frame == 0:
            return f"Start: grad of {self.names[self.root]} = {format_number(self.seed, precision)}"
        step = self[frame - 1]
        return f"Step {step.index}: {step.name} = {step.formula}"

    def caption(self, frame: int, precision: int = 4) -> str:
        """The sentence under frame ``frame`` (0 is the seed)."""
        if frame == 0:
            return (f"Start: the output {self.names[self.root]} gets grad "
                    f"{format_number(self.seed, precision)} (d output / d output).")
        return self[frame - 1].describe(precision)

    def player(self, precision: int = 4, renderer: str = "auto", max_frames: int = 200,
               **draw_options: Any) -> BackwardPlayer:
        """A self-contained HTML player of the frames (see :class:`BackwardPlayer`).

        In a web browser (Pyodide) the page draws the frames with viz.js and ``renderer``
        is not used.
        """
        if len(self) + 1 > max_frames:
            raise ValueError(f"this backward pass has {len(self)} steps, more than "
                             f"max_frames={max_frames}; draw a smaller graph or raise max_frames")
        from . import render                # graphviz: only for pictures
        pictures = self.frames(precision, **draw_options)
        captions = [self.caption(i, precision) for i in range(len(pictures))]
        position = {node: i for i, node in enumerate(self.order)}      # draw's node ids: v<i>
        current = [""] + [f"v{position[s.node]}" for s in self]
        if render.IN_BROWSER:
            # No Graphviz program runs in a web browser: the page draws each frame from its
            # DOT text with viz.js, as for draw().  There is no still picture either: where
            # scripts cannot run, viz.js cannot draw, so the live player is the only part.
            return BackwardPlayer([], captions, current, self._repr_html_(),
                                  dots=[p.source for p in pictures])
        svgs = [render.render_svg(p, renderer) for p in pictures]
        still = render.render_bytes(pictures[0], "png", renderer)      # shown where scripts cannot run
        return BackwardPlayer(svgs, captions, current, self._repr_html_(), still_png=still)


# Colours come from JupyterLab's theme when there is one (light or dark), else from
# the page's colour scheme (an exported page follows the reader's system setting).
# The pictures themselves keep their white background: Graphviz draws dark ink.
_PLAYER_CSS = """
#{id} {{ --tge-ink: var(--jp-ui-font-color1, #0f172a); --tge-paper: var(--jp-layout-color1, #ffffff);
  --tge-line: var(--jp-border-color1, #cbd5e1); --tge-button: var(--jp-layout-color2, #f1f5f9);
  --tge-focus: var(--jp-brand-color1, #2563eb);
  font-family: var(--jp-ui-font-family, Helvetica, Arial, sans-serif); color: var(--tge-ink);
  max-width: 100%; outline: none; border-radius: 4px; }}
@media (prefers-color-scheme: dark) {{
  #{id} {{ --tge-ink: var(--jp-ui-font-color1, #e2e8f0); --tge-paper: var(--jp-layout-color1, #111827);
    --tge-line: var(--jp-border-color1, #475569); --tge-button: var(--jp-layout-color2, #1f2937);
    --tge-focus: var(--jp-brand-color1, #60a5fa); }}
}}
#{id}:focus-visible, #{id}:focus {{ box-shadow: 0 0 0 2px var(--tge-focus); }}
#{id} .tge-controls {{ display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 6px 0;
  position: sticky; left: 0; }}
#{id} button {{ font: inherit; font-size: 14px; padding: 4px 12px; color: var(--tge-ink);
  border: 1px solid var(--tge-line); border-radius: 6px; background: var(--tge-button); cursor: pointer; }}
#{id} button:focus-visible, #{id} input:focus-visible {{ outline: 2px solid var(--tge-focus); outline-offset: 1px; }}
#{id} button:disabled {{ opacity: 0.45; cursor: default; }}
#{id} input[type=range] {{ flex: 1; min-width: 120px; max-width: 420px; accent-color: var(--tge-focus); }}
#{id} .tge-count {{ font-size: 13px; color: var(--tge-ink); }}
#{id} .tge-caption {{ margin: 4px 0 8px; font-size: 14px; line-height: 1.4; color: var(--tge-ink);
  position: sticky; left: 0; }}  /* stays in view when a wide picture scrolls */
#{id} .tge-frame {{ border-top: 1px solid var(--tge-line); padding-top: 6px; overflow-x: auto; }}
#{id} .tge-frame svg {{ max-width: none; height: auto; display: block; }}  /* natural size: numbers stay readable */
#{id}.tge-js .tge-frame {{ display: none; }}
#{id}.tge-js .tge-frame.tge-on {{ display: block; }}
#{id} details {{ margin-top: 6px; font-size: 13px; }}
#{id} summary {{ cursor: pointer; color: var(--tge-ink); }}
#{id} table.tge-trace {{ border-collapse: collapse; font-size: 12px; color: var(--tge-ink); }}
#{id} table.tge-trace td, #{id} table.tge-trace th {{ border: 1px solid var(--tge-line); padding: 2px 6px; text-align: left; }}
"""

# Works with or without a notebook: everything is looked up inside this player's
# own <div>, so several players on one page do not interfere.  The keys it uses
# stop at the player (JupyterLab would otherwise also move between cells).
_PLAYER_JS = """
(function () {
  var root = document.getElementById("{id}");
  if (!root || root.classList.contains("tge-js")) return;
  var live = root.querySelector(".tge-live"), still = root.querySelector(".tge-still");
  var frames = root.querySelectorAll(".tge-frame");
  var slider = root.querySelector(".tge-slider");
  var prev = root.querySelector(".tge-prev"), next = root.querySelector(".tge-next");
  var count = root.querySelector(".tge-count");
  var at = 0;
  var dots = {dots}, viz = null;    // dots: DOT text of each frame, only in a browser (else null)
  function picture(frame, k) {      // a browser's frame is drawn by viz.js when first shown
    if (!dots || !viz || frame.querySelector("svg")) return;
    frame.querySelector(".tge-wait").replaceWith(viz.renderSVGElement(dots[k]));
  }
  function show(i) {
    at = Math.max(0, Math.min(frames.length - 1, i));
    picture(frames[at], at);
    for (var k = 0; k < frames.length; k++) frames[k].classList.toggle("tge-on", k === at);
    slider.value = at;
    prev.disabled = at === 0; next.disabled = at === frames.length - 1;
    count.textContent = "frame " + (at + 1) + " / " + frames.length;
    root.setAttribute("data-frame", at);
    fit(frames[at]);
    reveal(frames[at]);
  }
  function fit(frame) {
    // A picture a little wider than the view shrinks to fit it (not below 3/4 of its
    // size, where numbers get hard to read); a wider one scrolls sideways.
    var svg = frame.querySelector("svg"), room = frame.clientWidth;
    if (!svg || !room) return;
    var w = svg.width.baseVal.value, h = svg.height.baseVal.value;
    var scale = Math.max(0.75, Math.min(1, room / w));
    svg.style.width = (w * scale) + "px"; svg.style.height = (h * scale) + "px";
  }
  function reveal(frame) {
    // A picture wider than the view scrolls sideways.  Scroll only as far as needed to
    // bring the node being processed (at the start, the output) into view, so a picture
    // slightly too wide keeps its left edge (the inputs' labels) where it is.
    var node = frame.querySelector("g.value.current") || frame.querySelector("g.value.output");
    if (!node || frame.scrollWidth <= frame.clientWidth) return;
    var n = node.getBoundingClientRect(), f = frame.getBoundingClientRect(), margin = 16;
    if (n.left < f.left + margin) frame.scrollLeft -= (f.left + margin) - n.left;
    else if (n.right > f.right - margin) frame.scrollLeft += n.right - (f.right - margin);
  }
  var keys = {ArrowLeft: function () { return at - 1; }, ArrowRight: function () { return at + 1; },
              Home: function () { return 0; }, End: function () { return frames.length - 1; }};
  prev.addEventListener("click", function () { show(at - 1); });
  next.addEventListener("click", function () { show(at + 1); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  root.addEventListener("keydown", function (e) {
    var to = keys[e.key];
    if (!to || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault(); e.stopPropagation();
    show(to());
  });
  if (still) still.style.display = "none";
  live.hidden = false; live.style.display = "";
  root.classList.add("tge-js");
  show(0);
  if (dots) tgeViz().then(function (v) { viz = v; show(at); }).catch(function (why) {
    root.querySelectorAll(".tge-wait").forEach(function (w) {
      w.textContent = "viz.js could not draw this frame (" + why + ")";
    });
  });
  if (window.ResizeObserver) {          // the notebook's width changes: fit again
    var width = 0;
    new ResizeObserver(function () {
      if (root.clientWidth !== width) { width = root.clientWidth; fit(frames[at]); reveal(frames[at]); }
    }).observe(root);
  }
})();
"""

# Scripts of a notebook opened from a file do not run until it is trusted or re-run.
_STILL_NOTE = ("Frame 1 of {n}: to step through them, run the cells up to here or trust the "
               "notebook (command palette: Trust Notebook).")


class BackwardPlayer:
    """Step through the frames of a backward pass: previous/next buttons, a slider, ← → keys.

    All pictures are inline SVG and the script is inline, so the page works
    offline and from a file.  ``_repr_html_`` makes it appear in Jupyter;
    ``save(path)`` writes a complete HTML page.  Where scripts cannot run (a
    notebook that is not trusted), the output shows the first frame as a
    picture and says how to make it interactive.

    In a web browser (Pyodide), where no Graphviz program runs, the player gets
    ``dots`` (each frame's DOT text) instead of ``svgs`` and the page draws the
    frames with viz.js (see :mod:`tinygrad_edu.render`).
    """

    def __init__(self, svgs: Sequence[str], captions: Sequence[str], current: Sequence[str],
                 table_html: str = "", still_png: bytes | None = None,
                 dots: Sequence[str] = ()) -> None:
        if bool(svgs) == bool(dots):
            raise ValueError("a player needs its frames either as SVG pictures or as DOT text")
        if not (len(svgs or dots) == len(captions) == len(current)):
            raise ValueError("a player needs the same, non-zero number of frames, captions and nodes")
        self.svgs = [_well_formed(_inline_svg(s)) for s in svgs]
        self.dots = [_well_formed(d) for d in dots]
        self.captions = [_well_formed(c) for c in captions]
        self.current = list(current)
        self.table_html = _well_formed(table_html)
        self.still_png = still_png
        digest = hashlib.sha1("".join(self.svgs + self.dots + self.captions).encode("utf-8")).hexdigest()
        #: The start of every display's element id (each display adds its own suffix,
        #: so two displays of one player on a page both work).
        self.element_id = "tge-player-" + digest[:10]

    def __len__(self) -> int:
        return len(self.captions)

    def _still(self) -> str:
        """The first frame as a picture, for pages where the script cannot run."""
        note = html.escape(_STILL_NOTE.format(n=len(self)))
        picture = ""
        if self.still_png:
            from .render import png_css_size
            width, height = png_css_size(self.still_png)
            data = base64.b64encode(self.still_png).decode("ascii")
            # A background image, not <img>: JupyterLab's sanitizer drops data: URLs in src
            # (and role/aria attributes) but keeps inline styles, class and title.
            picture = (f'<div class="tge-still-picture" title="{html.escape(self.captions[0])}" style="'
                       f"width:{width}px;height:{height}px;max-width:100%;background-color:#fff;"
                       f"background-image:url(data:image/png;base64,{data});"
                       "background-size:contain;background-repeat:no-repeat;background-position:left top"
                       '"></div>')
        return (f'<div class="tge-still"><div style="margin:4px 0 8px;font-size:14px">'
                f"{html.escape(self.captions[0])}</div>{picture}"
                f'<div style="margin-top:6px;font-size:13px;font-style:italic">{note}</div></div>')

    def _repr_html_(self) -> str:
        from .render import VIZ_LOADER_JS, script_json
        pid = f"{self.element_id}-{uuid.uuid4().hex[:8]}"
        pictures = self.svgs or ['<pre class="tge-wait" style="font-size:11px">drawing the frame '
                                 "with viz.js…</pre>"] * len(self)
        frames = "".join(
            f'<div class="tge-frame" data-frame="{i}" data-current="{html.escape(node)}">'
            f'<div class="tge-caption">{html.escape(caption)}</div>{picture}</div>'
            for i, (picture, caption, node) in enumerate(zip(pictures, self.captions, self.current)))
        script = _PLAYER_JS.replace("{id}", pid).replace("{dots}", script_json(self.dots or None))
        table = (f"<details><summary>the whole trace as a table</summary>{self.table_html}</details>"
                 if self.table_html else "")
        return (f'<div id="{pid}" class="tge-player" tabindex="0" data-lm-suppress-shortcuts="true" '
                f'role="group" aria-label="backward pass player: left and right arrow keys step">'
                f"<style>{_PLAYER_CSS.format(id=pid)}</style>{'' if self.dots else self._still()}"
                f'<div class="tge-live" hidden="hidden" style="display:none">'
                f'<div class="tge-controls"><button type="button" class="tge-prev">◀ previous</button>'
                f'<input type="range" class="tge-slider" min="0" max="{len(self) - 1}" value="0" '
                f'aria-label="frame"><button type="button" class="tge-next">next ▶</button>'
                f'<span class="tge-count">{len(self)} frames</span></div>'
                f"{frames}{table}</div>"
                f"<script>{VIZ_LOADER_JS if self.dots else ''}{script}</script></div>")

    def __repr__(self) -> str:
        return f"<BackwardPlayer: {len(self)} frames; {self.captions[0]}>"

    def html(self, title: str = "Backward pass, step by step") -> str:
        """A complete HTML page (its colours follow the reader's light or dark setting)."""
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"color-scheme\" content=\"light dark\">"
                f"<title>{html.escape(_well_formed(title))}</title></head><body>"
                f"<h2 style=\"font-family: Helvetica, Arial, sans-serif\">{html.escape(_well_formed(title))}</h2>"
                f"{self._repr_html_()}</body></html>\n")

    def save(self, path: str | os.PathLike[str], title: str = "Backward pass, step by step") -> str:
        """Write the page to ``path`` (UTF-8); returns the path."""
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.html(title))
        return str(path)


def _well_formed(text: str) -> str:
    """``text`` with any lone surrogate (which UTF-8 cannot encode) replaced by U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _inline_svg(svg: str) -> str:
    """Graphviz SVG without its XML prologue and DOCTYPE, ready to sit inside HTML."""
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("not an SVG picture")
    return svg[start:]


class _Tape:
    """An engine observer that remembers every op node in the order it ran."""

    def __init__(self) -> None:
        self.nodes: list[Value] = []

    def on_node(self, node: Value) -> None:
        self.nodes.append(node)

    def on_sweep(self, kind: str, multiplies: int) -> None:
        pass


def print_trace(f: Callable[..., _Result], *args: float | complex,
                file: IO[str] | None = None) -> _Result:
    """Run ``f`` on Values and print the tape: one line per primitive, in the order it ran.

    Arguments become leaves named x0, x1... (just ``x`` for one argument); the
    result of ``f`` is returned, so you can go on and call ``backward()``.

    >>> from tinygrad_edu import sin
    >>> out = print_trace(lambda x: sin(x * x) + x, 1.5)
    t0 = x * x          = 2.25
    t1 = sin(t0)        = 0.7781
    t2 = t1 + x         = 2.278
    """
    from . import engine
    leaves = [Value(a, label="x" if len(args) == 1 else f"x{i}") for i, a in enumerate(args)]
    names = {leaf: leaf.label for leaf in leaves}
    tape = _Tape()
    engine.add_observer(tape)
    try:
        out = f(*leaves)
    finally:
        engine.remove_observer(tape)
    for i, node in enumerate(tape.nodes):
        names[node] = f"t{i}"
    for node in tape.nodes:
        operands = [names.get(c, format_number(c.data)) for c in node.children]
        if len(operands) == 2 and not node.op.isalpha():
            expression = f"{operands[0]} {node.op} {operands[1]}"
        else:
            expression = f"{node.op}({', '.join(operands)})"
        print(f"{names[node]} = {expression:<14} = {format_number(node.data)}", file=file)
    return out
