"""trace_backward: its numbers equal backward(); frames; the HTML player (structure only)."""

import base64
import re

import pytest
from hypothesis import given, settings, strategies as st

from tinygrad_edu import diagrams
from tinygrad_edu.engine import Value, tanh, sin, exp, topological_order
from tinygrad_edu.draw import draw
from tinygrad_edu.render import png_css_size
from tinygrad_edu.trace import trace_backward, BackwardPlayer


def chain_rule():
    """NB03's L = (a*b + c) * f (the shared diagram), and its other nodes by label."""
    L = diagrams.chain_rule()
    return L, {n.label: n for n in topological_order(L) if n is not L}


def test_chain_rule_steps_match_the_hand_computation():
    L, v = chain_rule()
    trace = trace_backward(L)
    assert [s.name for s in trace] == ["L", "d", "e"]           # reverse topological order
    assert [s.upstream for s in trace] == [1.0, -4.0, -4.0]
    assert trace[0].local == (-4.0, -1.0)                      # dL/dd = f, dL/df = d
    assert trace[2].local == (-2.0, 3.0)                       # de/da = b, de/db = a
    received = {c.name: c.contribution for s in trace for c in s.contributions}
    # CURRICULUM NB03: a 8, b -12, c -4, f -1, d -4, e -4
    assert received == {"d": -4.0, "f": -1.0, "e": -4.0, "c": -4.0, "a": 8.0, "b": -12.0}
    assert {n: trace.grads[x] for n, x in v.items()} == {
        "a": 8.0, "b": -12.0, "c": -4.0, "f": -1.0, "d": -4.0, "e": -4.0}
    assert "Step 3: e = a × b, grad -4." in trace[2].describe()
    assert "a gets ∂e/∂a × grad = -2 × -4 = 8" in trace[2].describe()


def test_fan_out_shows_running_sums():
    a = Value(3.0, label="a")
    y = a * a
    step, = trace_backward(y)
    assert [(c.name, c.contribution, c.running_sum) for c in step.contributions] == [
        ("a", 3.0, 3.0), ("a", 3.0, 6.0)]
    # NB04: a = 1, b = a + a, c = b + b: dc/da = 4 (not 8)
    a = Value(1.0, label="a"); b = a + a; c = b + b
    assert trace_backward(c).grads[a] == 4.0
    # NB04 diamond f = (x*y)*(x+y) at (2, 3): 21 and 16
    x, y = Value(2.0), Value(3.0)
    grads = trace_backward((x * y) * (x + y)).grads
    assert (grads[x], grads[y]) == (21.0, 16.0)


def test_trace_does_not_touch_grad():
    L, v = chain_rule()
    trace_backward(L)
    assert all(x.grad == 0.0 for x in v.values()) and L.grad == 0.0


OPS = [lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x - y,
       lambda x, y: x * 0.5 + y, lambda x, y: tanh(x) * y, lambda x, y: sin(x) + exp(y * 0.1),
       lambda x, y: x / (1.5 + y * y)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=2, max_size=4),
       st.lists(st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 50), st.integers(0, 50)),
                min_size=1, max_size=12))
def test_trace_numbers_equal_backward_exactly(inputs, program):
    """Random DAGs with shared subexpressions: the same floats, bit for bit."""
    pool = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    for op, i, j in program:
        pool.append(OPS[op](pool[i % len(pool)], pool[j % len(pool)]))
    root = pool[-1]
    trace = trace_backward(root)
    root.backward()
    for node in topological_order(root):
        if node.requires_grad:
            assert trace.grads.get(node, 0.0) == node.grad, node
    assert len(trace) == sum(1 for n in topological_order(root) if not n.is_leaf)


def test_complex_trace_equals_backward():
    z = Value(1 + 2j, label="z")
    y = abs(exp(z) * z)
    trace = trace_backward(y)
    y.backward()
    assert trace.grads[z] == z.grad and isinstance(z.grad, complex)


def test_table_and_html():
    L, _ = chain_rule()
    trace = trace_backward(L)
    lines = trace.table().splitlines()
    assert lines[0].split() == ["step", "node", "op", "upstream", "local", "contributions"]
    assert lines[3].startswith("3") and "a += 8 → 8" in lines[3] and "b += -12 → -12" in lines[3]
    assert trace._repr_html_().count("<tr>") == 4
    with pytest.raises(TypeError, match="trace_backward needs a Value"):
        trace_backward([L])


def test_frames_highlight_each_step_and_fill_grads_in_order():
    L, v = chain_rule()
    trace = trace_backward(L)
    frames = trace.frames()
    assert len(frames) == len(trace) + 1 == 4
    first, last = frames[0].source, frames[-1].source
    assert "current" not in first and first.count("grad ?") == 6      # only L is known
    assert "grad ?" not in last
    for k, step in enumerate(trace, start=1):
        src = frames[k].source
        i = trace.order.index(step.node)
        assert re.search(rf'v{i} \[[^\n]*class="value \w+ current"', src)
        assert src.count("current") == 3          # the box, its op, the legend key
    # Step 3 (e = a*b, upstream -4): the edges say local x upstream = contribution.
    assert "-2 × -4 = 8" in frames[3].source and "3 × -4 = -12" in frames[3].source
    # After step 1 only L's inputs have grads: d and f; e, c, a, b still unknown.
    assert frames[1].source.count("grad ?") == 4


def test_player_is_self_contained(tmp_path):
    L, _ = chain_rule()
    player = trace_backward(L).player()
    assert isinstance(player, BackwardPlayer) and len(player) == 4
    page = player.html()
    assert page.count('class="tge-frame"') == 4 and page.count("<svg") == 4
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    # no network: no external scripts, styles, images or links
    assert not re.search(r'(src|href)\s*=\s*"https?:', page) and "<link" not in page
    assert "@import" not in page
    assert player._repr_html_().startswith(f'<div id="{player.element_id}-')
    path = player.save(tmp_path / "p.html")
    saved = open(path, encoding="utf-8").read()
    strip_ids = lambda text: re.sub(r"tge-player-[0-9a-f]{10}-[0-9a-f]{8}", "ID", text)
    assert strip_ids(saved) == strip_ids(page)
    with pytest.raises(ValueError, match="more than max_frames=3"):
        trace_backward(L).player(max_frames=3)


def test_each_display_of_a_player_has_its_own_element_id():
    player = trace_backward(chain_rule()[0]).player()
    ids = [re.match(r'<div id="([^"]+)"', player._repr_html_()).group(1) for _ in range(2)]
    assert ids[0] != ids[1] and all(i.startswith(player.element_id) for i in ids)
    first = player._repr_html_()
    pid = re.match(r'<div id="([^"]+)"', first).group(1)
    assert f"#{pid} " in first and f'getElementById("{pid}")' in first


def test_player_without_scripts_shows_the_first_frame_as_a_picture_and_how_to_step():
    """Untrusted notebook output loses <script>, <style> and <svg>: what is left must read well."""
    L, _ = chain_rule()
    player = trace_backward(L).player()
    page = player._repr_html_()
    still = re.search(r'<div class="tge-still">(.*?)</div></div><div class="tge-live" hidden="hidden" style="display:none">', page)
    assert still, "the still picture comes first, the interactive part is hidden until the script runs"
    png = base64.b64decode(re.search(r"url\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", still.group(1)).group(1))
    assert png == player.still_png and png.startswith(b"\x89PNG")
    width, height = png_css_size(png)
    assert f"width:{width}px;height:{height}px" in still.group(1) and width > 50 and height > 20
    assert "run the cells up to here" in still.group(1) and "Frame 1 of 4" in still.group(1)
    assert "Trust Notebook" in still.group(1)
    assert "<img" not in still.group(1)        # JupyterLab's sanitizer drops data: in img src


def test_player_save_survives_a_lone_surrogate_in_a_label(tmp_path):
    a = Value(2.0, label="a\ud800")
    b = a * a
    b.label = "b"
    draw(b).svg()                                   # drawing accepts the label...
    path = trace_backward(b).player().save(tmp_path / "odd.html")       # ...so the player does too
    text = open(path, encoding="utf-8").read()
    assert "a\ufffd" in text and text.count("<svg") == 2


def test_player_keys_stop_at_the_player():
    page = trace_backward(chain_rule()[0]).player()._repr_html_()
    assert 'data-lm-suppress-shortcuts="true"' in page and 'tabindex="0"' in page
    assert "e.preventDefault(); e.stopPropagation();" in page
    assert all(key in page for key in ("ArrowLeft", "ArrowRight", "Home", "End"))
    for variable in ("--jp-ui-font-color1", "--jp-layout-color1", "--jp-border-color1",
                     "prefers-color-scheme: dark"):
        assert variable in page
