"""Renderer discovery: system dot, the graphviz-pure fallback, and the no-renderer error."""

import os
import shutil
import struct
import xml.etree.ElementTree as ET

import graphviz
import graphviz.backend.dot_command as dot_command
import pytest

from tinygrad_edu.engine import Value, tanh
from tinygrad_edu.draw import draw
from tinygrad_edu import render
from tinygrad_edu.render import (GraphvizNotFound, Drawing, find_renderer, render_bytes,
                                 png_css_size, render_svg, save)

HAS_DOT = shutil.which("dot") is not None
RENDERERS = [pytest.param("system", marks=pytest.mark.skipif(
                 not HAS_DOT, reason="system Graphviz `dot` is not installed on this machine")),
             "pure"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def small_graph():
    x, w = Value(0.5, label="x"), Value(-3.0, label="w")
    y = tanh(x * w + 2)
    y.label = "y"
    y.backward()      # by hand: 1 - tanh(0.5)^2 = 0.78645, so x.grad = -3 * 0.78645 = -2.359
    return y


@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    """PATH without any `dot`; the graphviz package's setting restored afterwards."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(dot_command, "DOT_BINARY", dot_command.DOT_BINARY)
    assert shutil.which("dot") is None


@pytest.fixture
def no_renderer_at_all(no_system_dot, monkeypatch):
    """Neither dot nor graphviz-pure: look for a program name that does not exist."""
    monkeypatch.setattr(render, "_PURE_NAME", "graphviz-pure-not-installed")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_each_renderer_draws_svg_and_png(renderer):
    g = draw(small_graph(), show_local=True)
    kind, path = find_renderer(renderer)
    assert kind == renderer and os.path.isfile(path)
    svg = render_svg(g, renderer)
    tree = ET.fromstring(svg.encode("utf-8"))
    text = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert "y" in text and "data 0.5" in text and "grad -2.359" in text
    assert render_bytes(g, "png", renderer).startswith(PNG_MAGIC)


def test_system_renderer_is_dot_on_path():
    if not HAS_DOT:
        pytest.skip("system Graphviz `dot` is not installed on this machine")
    assert find_renderer("system") == ("system", shutil.which("dot"))
    assert find_renderer("auto")[0] == "system"      # system dot wins when present


def test_auto_falls_back_to_graphviz_pure_and_points_the_graphviz_package_at_it(no_system_dot):
    kind, path = find_renderer("auto")
    assert kind == "pure" and os.path.basename(path).startswith("graphviz-pure")
    assert str(dot_command.DOT_BINARY) == path
    # The graphviz package itself now renders (it would fail looking for `dot`).
    plain = graphviz.Digraph()
    plain.edge("a", "b")
    assert plain.pipe(format="svg", quiet=True).startswith(b"<?xml")
    with pytest.raises(GraphvizNotFound, match="renderer='system'"):
        find_renderer("system")


def test_jupyter_display_uses_the_fallback(no_system_dot):
    g = draw(small_graph())
    bundle, metadata = g._repr_mimebundle_()
    tree = ET.fromstring(bundle["image/svg+xml"].encode("utf-8"))
    assert "grad -2.359" in [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert g._repr_svg_().startswith("<?xml")
    only_png, _ = g._repr_mimebundle_(include=["image/png"])
    assert list(only_png) == ["image/png"] and only_png["image/png"].startswith(PNG_MAGIC)


def test_jupyter_display_carries_a_png_as_big_as_the_svg():
    """Untrusted JupyterLab output shows PNG, not SVG: both come, at the same size on screen."""
    g = draw(small_graph())
    bundle, metadata = g._repr_mimebundle_()
    assert {"image/svg+xml", "image/png", "text/plain"} <= set(bundle)
    png = bundle["image/png"]
    assert png.startswith(PNG_MAGIC)
    root = ET.fromstring(bundle["image/svg+xml"].encode("utf-8"))
    svg_pt = [float(root.get(side).removesuffix("pt")) for side in ("width", "height")]
    pixels = struct.unpack(">II", png[16:24])               # the PNG's own header
    size = metadata["image/png"]
    for side, pt, px in zip(("width", "height"), svg_pt, pixels):
        assert abs(size[side] - pt * 96 / 72) <= 2          # CSS pixels of the SVG (1 pt = 4/3 px)
        assert px >= 1.4 * size[side]                       # and sharper than one pixel each
    assert png_css_size(png) == (size["width"], size["height"])
    with pytest.raises(ValueError, match="not a PNG"):
        png_css_size(b"GIF89a" + bytes(30))
    without_png, meta = g._repr_mimebundle_(exclude=["image/png"])
    assert "image/png" not in without_png and meta == {}


def test_no_renderer_error_says_how_to_install(no_renderer_at_all, tmp_path):
    g = draw(small_graph())
    with pytest.raises(GraphvizNotFound) as caught:
        render_svg(g)
    error = caught.value
    assert isinstance(error, graphviz.ExecutableNotFound)
    message = str(error)
    for hint in ("sudo apt-get install graphviz", "brew install graphviz", "winget install graphviz",
                 "pip install graphviz-pure", "graph.source"):
        assert hint in message, hint
    with pytest.raises(GraphvizNotFound, match="graphviz-pure is not installed"):
        find_renderer("pure")
    # The DOT text stays usable, and a notebook shows the help instead of a traceback.
    assert "grad -2.359" in g.source
    assert save(g, tmp_path / "g.dot").endswith("g.dot")
    bundle, _ = g._repr_mimebundle_()
    assert "brew install graphviz" in bundle["text/plain"] and "digraph" in bundle["text/plain"]
    with pytest.raises(GraphvizNotFound):
        save(g, tmp_path / "g.svg")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_rendering_is_quiet(renderer, capfd):
    noisy = 'digraph { a [shape=no_such_shape]; a -> b }'      # Graphviz warns about the shape
    assert render_bytes(noisy, "svg", renderer).startswith(b"<?xml")
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("renderer", RENDERERS)
def test_graphviz_errors_are_reported_with_its_message(renderer):
    with pytest.raises(RuntimeError, match="failed with exit code"):
        render_bytes("digraph { a -> }", "svg", renderer)


def test_save_picks_the_format_from_the_extension(tmp_path):
    g = draw(small_graph())
    assert (tmp_path / "g.svg").exists() is False
    save(g, tmp_path / "g.svg")
    save(g, tmp_path / "g.png")
    save(g, tmp_path / "g.gv")
    g.save_as(tmp_path / "h.dot")
    assert (tmp_path / "g.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert (tmp_path / "g.png").read_bytes().startswith(PNG_MAGIC)
    assert (tmp_path / "g.gv").read_text(encoding="utf-8") == g.source
    assert (tmp_path / "h.dot").read_text(encoding="utf-8") == g.source
    with pytest.raises(ValueError, match="cannot tell the format from 'g.pdf'"):
        save(g, tmp_path / "g.pdf")


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="PDF is not supported"):
        render_bytes("digraph {}", "pdf")
    with pytest.raises(ValueError, match="renderer must be one of"):
        find_renderer("cairo")
    with pytest.raises(TypeError, match="expected a graphviz graph or DOT text, got int"):
        render_bytes(42)


def test_graphviz_version_is_never_asked(monkeypatch, tmp_path):
    def forbidden(*args, **kwargs):
        raise AssertionError("graphviz.version() was called")
    monkeypatch.setattr(graphviz, "version", forbidden)
    g = draw(small_graph())
    g.save_as(tmp_path / "g.svg")
    assert isinstance(g, Drawing) and g._repr_mimebundle_()[0]["image/svg+xml"]


def test_ipython_shows_svg_without_system_dot(no_system_dot):
    shell_module = pytest.importorskip("IPython.core.interactiveshell")
    shell = shell_module.InteractiveShell.instance()
    data, _ = shell.display_formatter.format(draw(small_graph()))
    assert data["image/svg+xml"].startswith("<?xml")


def test_graphviz_pure_is_found_from_its_installed_files(no_system_dot, monkeypatch, tmp_path):
    """Neither PATH nor the interpreter's folder: importlib.metadata still finds the program."""
    monkeypatch.setattr(render.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(render.sysconfig, "get_path", lambda name: str(tmp_path))
    kind, path = find_renderer("pure")
    assert kind == "pure" and os.access(path, os.X_OK)
