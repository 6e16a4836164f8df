"""draw(): DOT and SVG content, options, escaping of hostile labels, the node cap."""

import math
import re
import shutil
import xml.etree.ElementTree as ET

import graphviz
import pytest
from hypothesis import given, settings, strategies as st

from tinygrad_edu.engine import Value, tanh, topological_order
from tinygrad_edu.draw import draw, draw_dot, draw_gradient, format_number, html_escape
from tinygrad_edu.render import render_svg, find_renderer

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
HAS_DOT = shutil.which("dot") is not None
RENDERERS = [pytest.param("system", marks=pytest.mark.skipif(
                 not HAS_DOT, reason="system Graphviz `dot` is not installed on this machine")),
             "pure"]


def neuron():
    """NB03's neuron: n = ln 2, o = 0.6, do/dn = 0.64 (hand-derived in CURRICULUM)."""
    x1, w1 = Value(2.0, label="x1"), Value(-1.0, label="w1")
    x2, w2 = Value(1.0, label="x2"), Value(0.5, label="w2")
    b = Value(1.5 + math.log(2.0), label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = tanh(n)
    o.label = "o"
    o.backward()
    return o


def svg_tree(graph, renderer="auto"):
    return ET.fromstring(render_svg(graph, renderer).encode("utf-8"))


def node_groups(root):
    return {g.get("id"): g for g in root.iter(SVG + "g") if "node" in (g.get("class") or "").split()}


def texts(element):
    return [t.text or "" for t in element.iter(SVG + "text")]


# ---------------------------------------------------------------------------
# DOT content
# ---------------------------------------------------------------------------
def test_neuron_dot_shows_every_label_value_and_grad():
    src = draw(neuron()).source
    for name in ("x1", "w1", "x2", "w2", "b", "n", "o"):
        assert f"<B>{name}</B>" in src
    # Hand-derived (CURRICULUM NB03): grads x1 -0.64, w1 1.28, x2 0.32, w2 0.64, b 0.64; o = 0.6
    for text in ("grad -0.64", "grad 1.28", "grad 0.32", "grad 0.64", "data 0.6<", "data 0.6931",
                 "grad 1<"):
        assert text in src, text
    assert draw_dot is draw
    assert isinstance(draw(neuron()), graphviz.Digraph)


def test_a_times_a_has_two_edges_into_one_op_node():
    a = Value(3.0, label="a")
    y = a * a
    src = draw(y).source
    assert src.count("v0 -> o1") == 2          # one arrow per operand
    assert src.count("o1 -> v1") == 1
    tree = svg_tree(draw(y))
    edge_titles = [g.find(SVG + "title").text for g in tree.iter(SVG + "g")
                   if g.get("class") == "edge"]
    assert sorted(edge_titles) == ["o1->v1", "v0->o1", "v0->o1"]


def test_edges_keep_operand_order_and_show_local_derivatives():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a - b
    src = draw(c, show_local=True).source
    first, second = src.index("v0 -> o2"), src.index("v1 -> o2")
    assert first < second
    assert re.search(r"v0 -> o2:n \[label=<1> headlabel=<1st>", src)
    assert re.search(r"v1 -> o2:s \[label=<-1> headlabel=<2nd>", src)
    d = a * b                                   # dd/da = b = -3, dd/db = a = 2
    src = draw(d, show_local=True).source
    assert re.search(r"v0 -> o2 \[label=<-3>\]", src) and re.search(r"v1 -> o2 \[label=<2>\]", src)
    assert "label=<" not in draw(d).source.split("v0 -> o2")[1].split("\n")[0]


def _marks(src):
    """{edge text 'vA -> oB:port': headlabel} for every edge that carries an operand mark."""
    return dict(re.findall(r"(v\d+ -> o\d+(?::\w+)?) \[[^\]]*headlabel=<(\w+)>", src))


@pytest.mark.parametrize("make", [lambda a, b: a - b, lambda a, b: a / b, lambda a, b: a ** b,
                                  lambda a, b: b - a, lambda a, b: b / a, lambda a, b: b ** a])
def test_non_commutative_ops_show_which_operand_is_first(make):
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    out = make(a, b)
    ids = {node: i for i, node in enumerate(topological_order(out))}
    first, second = (f"v{ids[c]}" for c in out.children)
    assert _marks(draw(out).source) == {f"{first} -> o2:n": "1st", f"{second} -> o2:s": "2nd"}
    # Top to bottom, the 1st operand enters on the left, where reading starts.
    assert _marks(draw(out, rankdir="TB").source) == {f"{first} -> o2:w": "1st",
                                                      f"{second} -> o2:e": "2nd"}


def test_commutative_ops_carry_no_operand_marks_and_x_minus_x_carries_both():
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    for out in (a + b, a * b, a.hypot(b), -a, a.exp()):
        src = draw(out).source
        assert "headlabel" not in src and ":n " not in src and ":s " not in src, out.op
    src = draw(a - a).source                      # one Value, two roles: both arrows are marked
    assert sorted(_marks(src).items()) == [("v0 -> o1:n", "1st"), ("v0 -> o1:s", "2nd")]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_operand_marks_reach_the_picture(renderer):
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    words = texts(svg_tree(draw((a - b) / b, show_local=True), renderer))
    assert words.count("1st") == 2 and words.count("2nd") == 2


def test_show_grad_false_hides_gradients_and_grads_mapping_shows_question_marks():
    o = neuron()
    assert "grad" not in draw(o, show_grad=False).source
    src = draw(o, grads={o: 1.0}).source
    assert "grad ?" in src and src.count("grad 1<") == 1


def test_highlight_marks_only_the_given_node(tmp_path):
    o = neuron()
    n = o.children[0]
    tree = svg_tree(draw(o, highlight=n))
    groups = node_groups(tree)
    current = [gid for gid, g in groups.items() if "current" in g.get("class").split()]
    assert sorted(current) == ["o8", "v8"]              # n's box and the + that made it
    assert any("n" == t for t in texts(groups["v8"]))
    assert "penwidth=3" in draw(o, highlight=[n]).source


def test_node_kinds_look_different():
    x = Value(2.0, label="x")
    y = x * 3 + 1
    src = draw(y).source
    assert 'class="value input"' in src
    assert src.count('class="value constant"') == 2
    assert 'class="value intermediate"' in src and 'class="value output"' in src
    assert src.count("dashed") == 2              # constants are dashed
    constant_line = [l for l in src.splitlines() if "value constant" in l][0]
    assert "grad" not in constant_line           # a constant shows no gradient


def test_names_from_locals_and_labels():
    weight = Value(2.0)
    bias = Value(1.0, label="b0")
    _hidden = Value(5.0)
    out = weight * bias + _hidden
    src = draw(out, names=locals()).source
    assert "<B>weight</B>" in src and "<B>bias</B>" in src and "<B>out</B>" in src
    assert "_hidden" not in src
    assert "<B>b0</B>" in draw(out).source       # without names, the label


def test_complex_values_are_readable():
    z = Value(1 + 2j, label="z")
    w = z * z                                   # (1+2j)^2 = -3 + 4j
    w.backward()
    src = draw(w).source
    assert "data 1 + 2j" in src and "data -3 + 4j" in src
    assert format_number(complex(0.5, -0.25)) == "0.5 - 0.25j"
    assert format_number(3j) == "3j"


def test_format_number_examples():
    assert format_number(0.6000000000000001) == "0.6"
    assert format_number(-12.0) == "-12"
    assert format_number(6.294096) == "6.294"
    assert format_number(-0.0) == "0"
    assert format_number(123456789.0) == "1.235e+08"
    assert format_number(float("inf")) == "inf" and format_number(float("nan")) == "nan"
    assert format_number(2.5, precision=2) == "2.5"


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e300, max_value=1e300))     # rounding 1.7975e308 up overflows
def test_format_number_keeps_four_significant_digits(x):
    text = format_number(x)
    assert len(text) <= 11                       # e.g. "-2.061e+125"
    assert math.isclose(float(text), x, rel_tol=5e-4, abs_tol=1e-300)


def test_rankdir_and_bad_arguments():
    o = neuron()
    assert "rankdir=TB" in draw(o, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir must be"):
        draw(o, rankdir="sideways")
    with pytest.raises(TypeError, match="draw needs a Value.*float"):
        draw(3.0)
    with pytest.raises(TypeError, match="highlight must contain Values"):
        draw(o, highlight=["n"])
    with pytest.raises(TypeError, match="names must be a dict"):
        draw(o, names=["o"])
    big = sum((Value(float(i)) for i in range(20)), Value(0.0))
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        draw(big, max_nodes=0)


# ---------------------------------------------------------------------------
# Escaping: hostile labels through a real renderer
# ---------------------------------------------------------------------------
HOSTILE = [
    'say "hi"',
    "<b>bold</b> <script>alert(1)</script>",
    "&amp; & &lt;",
    "{braces} | pipe [x]",
    "back\\slash \\N \\G \\l \\",
    "]]> <!-- comment --> <?xml?>",
    "it's",
]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_hostile_labels_render_as_literal_text(renderer):
    values = [Value(float(i), label=text) for i, text in enumerate(HOSTILE)]
    root = values[0]
    for v in values[1:]:
        root = root + v
    root.label = "two\nlines"
    root.backward()
    svg = render_svg(draw(root, show_local=True), renderer)
    tree = ET.fromstring(svg.encode("utf-8"))          # well-formed XML
    # Only SVG elements: no markup got through from a label.
    assert {el.tag.split("}")[0] + "}" for el in tree.iter()} == {SVG}
    shown = texts(tree)
    for text in HOSTILE:
        assert text in shown, (text, shown)
    assert "two" in shown and "lines" in shown        # newline -> line break
    # Hover text holds only the full-precision numbers, never label text.
    tooltips = [a.get(XLINK + "title") for a in tree.iter(SVG + "a")]
    assert tooltips and all(t.startswith("data = ") for t in tooltips)
    assert "data = 21.0, grad = 1.0" in tooltips


@pytest.mark.parametrize("renderer", RENDERERS)
def test_control_characters_and_lone_surrogates_cannot_break_the_svg(renderer):
    v = Value(1.0, label="bell\x07 nul\x00 esc\x1b surrogate\ud800")
    svg = render_svg(draw(v * 2), renderer)
    tree = ET.fromstring(svg.encode("utf-8"))
    joined = " ".join(texts(tree))
    assert "bell\\x07" in joined and "nul\\x00" in joined and "surrogate\\ud800" in joined


def test_html_escape_covers_every_special_character():
    assert html_escape('<a href="x">&\'\n') == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;<BR/>"
    assert html_escape("x" * 100).endswith("…") and len(html_escape("x" * 100)) == 60


# ---------------------------------------------------------------------------
# The node cap
# ---------------------------------------------------------------------------
def test_cap_on_a_5000_node_graph_says_how_many_were_left_out():
    x = Value(0.5, label="x")
    y = x
    for _ in range(2499):                      # each step adds a constant and a product
        y = y * 1.0001
    y = -y
    assert len(topological_order(y)) == 5000
    g = draw(y, max_nodes=300)
    src = g.source
    assert "4,700 of 5,000 nodes not shown (max_nodes=300)" in src
    assert len(re.findall(r"^\tv\d+ \[", src, flags=re.M)) == 300
    assert "<B>x</B>" not in src and "id=more" in src     # x is farthest from the output
    assert "v4999" in src                                  # the output is always drawn
    tree = svg_tree(g)
    assert any("4,700 of 5,000 nodes not shown" in t for t in texts(tree))
    small = draw(Value(1.0) + 1)
    assert "not shown" not in small.source


def test_no_cap_draws_everything():
    y = Value(1.0)
    for _ in range(200):
        y = y + 1
    src = draw(y, max_nodes=None).source
    assert len(re.findall(r"^\tv\d+ \[", src, flags=re.M)) == 401 and "not shown" not in src
    assert "mclimit=0.2" in src                         # big: faster layout
    assert "mclimit" not in draw(Value(1.0) + 1).source


def one_input_feeds_every_step(steps=300):
    """The chain that used to hang dot: x feeds every one of 300 steps."""
    x = Value(0.5, label="x")
    y = x
    for i in range(steps):
        y = y * x if i % 2 == 0 else y + x
    return x, y


@pytest.mark.parametrize("renderer", RENDERERS)
def test_one_input_feeding_every_step_draws_in_seconds_with_default_options(renderer):
    import time
    x, y = one_input_feeds_every_step()
    start = time.perf_counter()
    tree = svg_tree(draw(y), renderer)
    assert time.perf_counter() - start < 5.0
    groups = node_groups(tree)
    copies = [g for g in groups.values() if "copy" in (g.get("class") or "").split()]
    assert len(copies) > 250                          # x drawn again near each far use...
    assert all(any(t.startswith("x = 0.5") for t in texts(g)) for g in copies)
    said = " ".join(texts(tree))
    assert f"{len(copies)} long arrows left out: the Value is drawn again (dashed)" in said
    assert "nodes not shown (max_nodes=300)" in said  # ...and the node cap is still said


def test_long_arrows_become_copies_and_short_ones_stay_arrows():
    x, y = one_input_feeds_every_step(20)
    src = draw(y, max_nodes=None).source
    x_id = "v0"
    arrows_from_x = re.findall(rf"^\t{x_id} -> o(\d+)", src, flags=re.M)
    copies = re.findall(r"^\t(c\d+_\d+) -> o\d+", src, flags=re.M)
    assert len(arrows_from_x) + len(copies) == 21           # every use (x * x: two) once
    assert len(arrows_from_x) == 7 and len(copies) == 14    # up to 6 layers away: an arrow
    assert "14 long arrows left out" in src
    plain = draw(neuron()).source                          # everyday graphs are unchanged
    assert "copy" not in plain and "long arrow" not in plain


# ---------------------------------------------------------------------------
# The graph of a gradient (create_graph=True)
# ---------------------------------------------------------------------------
def test_draw_gradient_draws_the_derivative_graph():
    x = Value(3.0, label="x")
    y = x ** 3
    g = draw_gradient(y, x)
    assert g.gradient.data == 27.0                  # 3 x^2
    assert "data 27" in g.source
    assert "<B>df/dx</B>" in g.source               # y has no label -> "f"
    assert 'class="value input faded"' in g.source   # x belongs to the original graph
    g.gradient.backward()
    assert x.grad == 18.0                          # d(3x^2)/dx = 6x
    with pytest.raises(TypeError, match="draw_gradient"):
        draw_gradient(y, 3.0)


def test_renderer_is_found():
    kind, path = find_renderer()
    assert kind in ("system", "pure") and path
