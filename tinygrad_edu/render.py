"""Turning DOT text into pictures, on any machine.

Graphviz's ``dot`` program does the layout.  Many machines (a fresh laptop, a
Windows lab PC, a hosted notebook) do not have it, so this module looks in two
places, in this order:

1. the system ``dot`` on ``PATH`` (``apt install graphviz``, ``brew install graphviz``...);
2. the ``graphviz-pure`` program from PyPI (a self-contained build of Graphviz
   installed next to this package as a dependency).

If neither exists, rendering raises :class:`GraphvizNotFound`, which says how
to install one; the DOT text (``graph.source``) stays available either way.

In a web browser (Pyodide, e.g. the course on JupyterLite) no program can run
at all: there a notebook shows a :class:`Drawing` by handing its DOT text to
viz.js, Graphviz compiled to WebAssembly, in the page (see the end of this
module); the step-through player's frames reach the page the same way.  Writing
picture files still needs Graphviz on a computer.

>>> import graphviz
>>> g = graphviz.Digraph(); g.edge("a", "b")
>>> render_bytes(g, "svg").startswith(b"<?xml")      # doctest: +SKIP
True

Rendering always runs quietly (``-q``): a notebook gets the picture, not
Graphviz's warnings.  Only SVG, PNG and DOT are needed (``graphviz-pure`` has
no PDF), and the Graphviz version is never asked for.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any, Union

import itertools
import json
import struct

import graphviz
import graphviz.backend.dot_command as _dot_command

#: What the rendering functions accept: a graphviz graph (a :class:`Drawing` too) or DOT text.
DotSource = Union[str, graphviz.Graph, graphviz.Digraph, graphviz.Source]

__all__ = ["GraphvizNotFound", "Drawing", "find_renderer", "render_bytes", "render_svg", "save",
           "RENDERERS", "IN_BROWSER", "browser_bundle", "png_css_size", "PNG_DPI"]

#: Names accepted by ``renderer=``: "auto" tries "system" then "pure".
RENDERERS = ("auto", "system", "pure")

#: True under Pyodide (Python in a web browser), where no Graphviz program can run;
#: see the end of this module.
IN_BROWSER = sys.platform == "emscripten"

_PURE_NAME = "graphviz-pure"
_PICTURE_FORMATS = {".svg": "svg", ".png": "png"}
_TEXT_FORMATS = {".dot", ".gv"}

INSTALL_HELP = """\
Graphviz's `dot` program is needed to turn the graph into a picture, and neither the system
`dot` nor the `graphviz-pure` program was found.  Install one of them:
  * any platform:    pip install graphviz-pure      (no admin rights needed)
  * Debian/Ubuntu:   sudo apt-get install graphviz
  * macOS:           brew install graphviz
  * Windows:         winget install graphviz   (or choco install graphviz), then open a new terminal
The DOT text is still available as `graph.source` (paste it into any Graphviz viewer)."""


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """No Graphviz renderer on this machine; the message says how to get one.

    A subclass of ``graphviz.ExecutableNotFound``, so code that already catches
    that error keeps working.
    """

    def __init__(self, detail: str = "") -> None:
        # ExecutableNotFound formats its own message from a command; we write ours.
        text = BROWSER_HELP if IN_BROWSER else INSTALL_HELP
        RuntimeError.__init__(self, text + (f"\n({detail})" if detail else ""))


# ---------------------------------------------------------------------------
# Finding a renderer
# ---------------------------------------------------------------------------
def _system_dot() -> str | None:
    return shutil.which("dot")


def _pure_dot() -> str | None:
    """Where the graphviz-pure program is, or None.

    A notebook kernel started from a virtual environment that was never
    "activated" does not have the environment's bin folder on PATH, so besides
    PATH look next to the running Python and in the installed files of the
    graphviz-pure distribution.
    """
    exe = _PURE_NAME + (".exe" if os.name == "nt" else "")
    found = shutil.which(_PURE_NAME)
    if found:
        return found
    candidates = [Path(sys.executable).parent / exe, Path(sysconfig.get_path("scripts")) / exe]
    try:
        for file in importlib.metadata.distribution(_PURE_NAME).files or ():
            if file.name in (_PURE_NAME, exe):
                candidates.append(Path(file.locate()))
    except importlib.metadata.PackageNotFoundError:
        pass
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def find_renderer(renderer: str = "auto") -> tuple[str, str]:
    """``(kind, path)`` of the Graphviz program to use: kind is "system" or "pure".

    ``renderer="system"`` or ``"pure"`` insists on one of them.  When the
    automatic choice is graphviz-pure, the ``graphviz`` package is pointed at it
    too, so ``Digraph.pipe()`` and ``render()`` work without a system Graphviz.

    >>> find_renderer()[0] in ("system", "pure")        # doctest: +SKIP
    True
    """
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {RENDERERS}, got {renderer!r}")
    if renderer in ("auto", "system"):
        path = _system_dot()
        if path:
            return "system", path
        if renderer == "system":
            raise GraphvizNotFound("renderer='system' was asked for, but `dot` is not on PATH")
    path = _pure_dot()
    if path:
        if renderer == "auto" and Path(str(_dot_command.DOT_BINARY)).name == "dot":
            # Nothing called `dot` exists here, so the graphviz package's own
            # default could only fail: point it at the working program instead.
            _dot_command.DOT_BINARY = Path(path)
        return "pure", path
    raise GraphvizNotFound("renderer='pure' was asked for, but graphviz-pure is not installed"
                           if renderer == "pure" else "")


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------
def _source_of(graph: DotSource) -> str:
    if isinstance(graph, str):
        return graph
    source = getattr(graph, "source", None)
    if not isinstance(source, str):
        raise TypeError(f"expected a graphviz graph or DOT text, got {type(graph).__name__}")
    return source


#: Resolution of PNG files: twice Graphviz's 72 dpi, so small numbers stay sharp.
PNG_DPI = 144


def render_bytes(graph: DotSource, fmt: str = "svg", renderer: str = "auto",
                 timeout: float = 120) -> bytes:
    """Run Graphviz on ``graph`` (a Digraph or DOT text) and return the output bytes.

    ``fmt`` is "svg" or "png" (or "dot" for the laid-out DOT).  Raises
    :class:`GraphvizNotFound` when no renderer exists and ``RuntimeError`` with
    Graphviz's message when it rejects the input.
    """
    if fmt not in ("svg", "png", "dot"):
        raise ValueError(f"fmt must be 'svg', 'png' or 'dot', got {fmt!r} "
                         "(PDF is not supported: the graphviz-pure fallback cannot write it)")
    source = _source_of(graph)
    kind, path = find_renderer(renderer)
    try:
        extra = [f"-Gdpi={PNG_DPI}"] if fmt == "png" else []
        done = subprocess.run([path, "-q", f"-T{fmt}", *extra], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout)
    except FileNotFoundError as error:       # removed between finding and running it
        raise GraphvizNotFound(str(error)) from None
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"Graphviz ({kind}: {path}) took longer than {timeout} s; "
                           "draw fewer nodes (max_nodes=...)") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz ({kind}: {path}) failed with exit code {done.returncode}: "
                           f"{message or 'no output'}")
    return done.stdout


def png_css_size(png: bytes) -> tuple[int, int]:
    """``(width, height)`` in CSS pixels at which a PNG from :func:`render_bytes` matches the SVG.

    Graphviz measures in points (1/72 inch, 4/3 of a CSS pixel); the PNG has ``PNG_DPI``
    pixels per inch.
    """
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG picture")
    width, height = struct.unpack(">II", png[16:24])
    return round(width * 96 / PNG_DPI), round(height * 96 / PNG_DPI)


def render_svg(graph: DotSource, renderer: str = "auto") -> str:
    """The SVG picture of ``graph`` as text."""
    return render_bytes(graph, "svg", renderer).decode("utf-8")


def save(graph: DotSource, path: str | os.PathLike[str], renderer: str = "auto") -> str:
    """Write ``graph`` to ``path``; the extension picks the format: .svg, .png, .dot or .gv.

    Returns the path.  ``.dot``/``.gv`` write the DOT text itself and need no Graphviz.

    >>> import graphviz, tempfile, os
    >>> g = graphviz.Digraph(); g.edge("a", "b")
    >>> save(g, os.path.join(tempfile.mkdtemp(), "g.dot")).endswith("g.dot")
    True
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _TEXT_FORMATS:
        path.write_text(_source_of(graph), encoding="utf-8")
    elif suffix in _PICTURE_FORMATS:
        path.write_bytes(render_bytes(graph, _PICTURE_FORMATS[suffix], renderer))
    else:
        raise ValueError(f"cannot tell the format from {path.name!r}: use a name ending in "
                         ".svg, .png, .dot or .gv")
    return str(path)


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with :func:`find_renderer`'s choice.

    It behaves exactly like a Digraph (``.source``, ``.node()``, ``.pipe()``...);
    in Jupyter it shows as SVG via the system ``dot`` or graphviz-pure.  With no
    renderer at all the notebook shows the install instructions and the DOT
    text instead of a traceback.
    """

    #: Which Graphviz program renders it: "auto", "system" or "pure".
    #: (Not called `renderer`: graphviz.Digraph uses that name for its own option.)
    dot_program = "auto"

    def _repr_image_svg_xml(self) -> str | None:  # type: ignore[override]
        if IN_BROWSER:            # IPython asks for every format; the browser has only HTML
            return None
        return render_svg(self, self.dot_program)

    def _repr_image_png(self) -> bytes | None:  # type: ignore[override]
        if IN_BROWSER:
            return None
        return render_bytes(self, "png", self.dot_program)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,  # type: ignore[override]
                          **_: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(data, metadata)``: SVG for the front ends that trust the output, PNG for the others.

        JupyterLab shows SVG only in trusted output (a notebook just run), so a
        notebook opened from a file would show no picture; the PNG, drawn at the
        same size, shows everywhere.  (In a browser: :func:`browser_bundle`'s HTML.)
        """
        if IN_BROWSER:
            return browser_bundle(self.source), {}
        try:
            svg = render_svg(self, self.dot_program)
            png = render_bytes(self, "png", self.dot_program)
        except GraphvizNotFound as error:
            return {"text/plain": f"{error}\n\n{self.source}"}, {}
        width, height = png_css_size(png)
        data = {"image/svg+xml": svg, "image/png": png, "text/plain": repr(self)}
        wanted = [m for m in data if (not include or m in include) and m not in (exclude or ())]
        return ({m: data[m] for m in wanted},
                {"image/png": {"width": width, "height": height}} if "image/png" in wanted else {})

    def _repr_svg_(self) -> str | None:
        return self._repr_image_svg_xml()

    def svg(self) -> str:
        """The picture as SVG text."""
        return render_svg(self, self.dot_program)

    def save_as(self, path: str | os.PathLike[str]) -> str:
        """Save as .svg, .png, .dot or .gv (by extension); returns the path.

        (``Digraph.save`` keeps its graphviz meaning: write the DOT source.)
        """
        return save(self, path, self.dot_program)


# ---------------------------------------------------------------------------
# In a web browser (Pyodide): the page draws the picture with viz.js
# ---------------------------------------------------------------------------
#: Where viz.js (Graphviz in WebAssembly) is, relative to a JupyterLite page
#: (``course/lab/index.html``); ``make site`` puts it there.
VIZ_URL = "../static/viz/viz-standalone.js"

BROWSER_HELP = """\
This Python runs in a web browser, where Graphviz's `dot` program cannot run.  A notebook still
shows a drawing and the step-through player (the page draws them with viz.js: end a cell with
the drawing or the player), but writing .svg or .png files and render_svg() need Graphviz on a
computer (pip install tinygrad_edu there).  The DOT text is available as `graph.source`."""

_browser_ids = itertools.count()


def script_json(value: Any) -> str:
    """``value`` as JSON that can sit inside ``<script>``: a "</script>" in it cannot end the script."""
    return json.dumps(value).replace("</", "<\\/")


def browser_bundle(source: str) -> dict[str, str]:
    """A notebook output that draws DOT text in the page with viz.js (Pyodide only).

    The script loads viz.js once per page, then replaces the placeholder with the
    SVG picture; if viz.js cannot be had, the placeholder says so and shows the DOT text.

    >>> bundle = browser_bundle("digraph { a -> b }")
    >>> sorted(bundle), "a -> b" in bundle["text/plain"]
    (['text/html', 'text/plain'], True)
    """
    box = f"tge-viz-{next(_browser_ids)}"
    page = (f'<div id="{box}" class="tge-viz"><pre style="font-size:11px">'
            f"drawing the graph with viz.js…</pre></div>"
            f"<script>{VIZ_LOADER_JS}{_BROWSER_JS.replace('{box}', box).replace('{dot}', script_json(source))}"
            f"</script>")
    return {"text/html": page, "text/plain": f"(a graph drawn by viz.js)\n{source}"}


#: Defines ``tgeViz()``: a promise of one viz.js instance for the whole page, loaded
#: on first use from VIZ_URL (a drawing and the step-through player both use it).
#: A failed load is forgotten, so the next picture tries again.
VIZ_LOADER_JS = """
window.tgeViz = window.tgeViz || function () {
  if (!window.tgeVizReady) {
    window.tgeVizReady = new Promise(function (resolve, reject) {
      if (window.Viz) return resolve();
      var s = document.createElement("script");
      s.src = new URL("{url}", document.baseURI).href;
      s.onload = resolve;
      s.onerror = function () { reject("viz.js was not found at {url}"); };
      document.head.appendChild(s);
    }).then(function () { return Viz.instance(); });
    window.tgeVizReady.catch(function () { window.tgeVizReady = null; });
  }
  return window.tgeVizReady;
};
""".replace("{url}", VIZ_URL)

_BROWSER_JS = """
(function () {
  var box = document.getElementById("{box}"), dot = {dot};
  if (!box) return;
  tgeViz().then(function (viz) { box.replaceChildren(viz.renderSVGElement(dot)); })
    .catch(function (why) {
      box.firstChild.textContent = "viz.js could not draw this graph (" + why + "); its DOT text:\\n" + dot;
    });
})();
"""
