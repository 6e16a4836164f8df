"""render.py's browser path (Pyodide): a Drawing and the player show through viz.js in the page.

Pyodide itself runs in tests/test_course_browser.py; here IN_BROWSER is switched
on in CPython to check what the notebook receives.
"""

import re

import pytest

from tinygrad_edu import Value, draw
from tinygrad_edu import render
from tinygrad_edu.render import GraphvizNotFound, browser_bundle


@pytest.fixture
def in_browser(monkeypatch):
    monkeypatch.setattr(render, "IN_BROWSER", True)
    monkeypatch.setattr(render, "_system_dot", lambda: None)      # as in Pyodide: no programs
    monkeypatch.setattr(render, "_pure_dot", lambda: None)


def _dot_in(page):
    """The DOT text the page's script will hand to viz.js (a JSON string in the script)."""
    import json
    found = re.search(r"dot = (\".*?(?<!\\)\");", page, re.S)
    assert found, page
    return json.loads(found.group(1).replace("<\\/", "</"))


def test_a_drawing_in_the_browser_is_html_that_carries_its_dot_text(in_browser):
    a = Value(2.0, label="a"); b = a * a; b.backward()
    graph = draw(b)
    bundle, metadata = graph._repr_mimebundle_()
    assert metadata == {}
    assert set(bundle) == {"text/html", "text/plain"}
    assert _dot_in(bundle["text/html"]) == graph.source
    assert render.VIZ_URL in bundle["text/html"]
    # IPython also asks each image formatter; they must step aside, not raise.
    assert graph._repr_image_svg_xml() is None and graph._repr_image_png() is None


def test_dot_text_cannot_close_the_script():
    source = 'digraph { a [label="</script><b>x"] }'
    page = browser_bundle(source)["text/html"]
    assert page.count("</script>") == 1                # only the real end of the script
    assert _dot_in(page) == source                     # and viz.js still gets the text as it was


def test_each_output_gets_its_own_element():
    first, second = browser_bundle("digraph {a}"), browser_bundle("digraph {a}")
    ids = [re.search(r'id="(tge-viz-\d+)"', b["text/html"]).group(1) for b in (first, second)]
    assert ids[0] != ids[1]
    assert all(f'getElementById("{i}")' in b["text/html"] for i, b in zip(ids, (first, second)))


def test_rendering_files_in_the_browser_explains_itself(in_browser):
    a = Value(1.0, label="a"); b = a * 2
    with pytest.raises(GraphvizNotFound, match="runs in a web browser") as caught:
        render.render_svg(draw(b))
    assert "viz.js" in str(caught.value) and "pip install graphviz-pure" not in str(caught.value)


def test_outside_the_browser_nothing_changes():
    assert render.IN_BROWSER is False
    a = Value(1.0, label="a"); b = a * 2
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "_system_dot", lambda: None)
        patch.setattr(render, "_pure_dot", lambda: None)
        with pytest.raises(GraphvizNotFound, match="pip install graphviz-pure"):
            render.render_svg(draw(b))


def _dots_in(page):
    """The DOT text of each frame that the player's script hands to viz.js (a JSON list)."""
    import json
    found = re.search(r"var dots = (\[.*?\]), viz = null;", page, re.S)
    assert found, page[:2000]
    return json.loads(found.group(1).replace("<\\/", "</"))


def test_the_player_in_the_browser_carries_dot_frames_and_no_png(in_browser):
    from tinygrad_edu.trace import trace_backward
    x = Value(2.0, label="x"); y = x * x + x
    trace = trace_backward(y)
    player = trace.player()                     # no Graphviz program: it must not try one
    page = player._repr_html_()
    assert _dots_in(page) == [frame.source for frame in trace.frames()]
    assert len(player) == len(trace) + 1 == page.count('class="tge-frame"')
    assert player.still_png is None and player.svgs == []
    assert "image/png" not in page and 'class="tge-still"' not in page and "<svg" not in page
    assert render.VIZ_URL in page and "tgeViz()" in page
    assert page.count("</script>") == 1
    # The keys, buttons and slider are the same as on a computer.
    assert all(f'class="{c}"' in page for c in ("tge-prev", "tge-next", "tge-slider", "tge-live"))
    assert "ArrowRight" in page and 'data-lm-suppress-shortcuts="true"' in page


def test_dot_text_cannot_close_the_players_script(in_browser):
    from tinygrad_edu.trace import BackwardPlayer
    source = 'digraph { a [label="</script><b>x"] }'
    page = BackwardPlayer([], ["start"], [""], dots=[source])._repr_html_()
    assert page.count("</script>") == 1 and _dots_in(page) == [source]


def test_a_player_takes_its_frames_as_svg_or_as_dot_text_not_both():
    from tinygrad_edu.trace import BackwardPlayer
    with pytest.raises(ValueError, match="either as SVG pictures or as DOT text"):
        BackwardPlayer([], ["start"], [""])
    with pytest.raises(ValueError, match="either as SVG pictures or as DOT text"):
        BackwardPlayer(["<svg></svg>"], ["start"], [""], dots=["digraph {a}"])
    with pytest.raises(ValueError, match="same, non-zero number"):
        BackwardPlayer([], ["start", "step 1"], [""], dots=["digraph {a}"])


def test_outside_the_browser_the_player_has_svg_frames_and_a_still():
    from tinygrad_edu.trace import trace_backward
    x = Value(2.0, label="x"); y = x * x + x
    trace = trace_backward(y)
    page = trace.player()._repr_html_()
    assert "var dots = null" in page and "tgeViz = " not in page      # no viz.js to load
    assert 'class="tge-still"' in page and "image/png" in page
    assert page.count("<svg") == len(trace) + 1
