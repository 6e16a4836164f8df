"""write_diagrams(): the seed's pictures, with the numbers the curriculum derives by hand."""

import math
import xml.etree.ElementTree as ET

from tinygrad_edu.diagrams import neuron, chain_rule, taylor_sine, fan_out, write_diagrams
from tinygrad_edu.engine import topological_order

SVG_TEXT = "{http://www.w3.org/2000/svg}text"


def svg_texts(path):
    return [t.text for t in ET.parse(path).getroot().iter(SVG_TEXT)]


def test_examples_compute_the_curriculum_numbers():
    o = neuron(); o.backward()
    assert math.isclose(o.data, 0.6) and math.isclose(o.children[0].grad, 0.64)
    L = chain_rule(); L.backward()
    leaves = {n.label: n.grad for n in topological_order(L) if n.is_leaf}
    assert L.data == 4.0 and leaves == {"a": 8.0, "b": -12.0, "c": -4.0, "f": -1.0}
    s = taylor_sine(); s.backward()
    x = [n for n in topological_order(s) if n.label == "x"][0]
    assert abs(s.data - 2.1e-5) < 1e-6 and round(x.grad, 6) == -0.9999
    c = fan_out(); c.backward()
    assert c.children[0].children[0].grad == 24.0


def test_write_diagrams_writes_every_file(tmp_path):
    written = write_diagrams(tmp_path, formats=("svg",))
    names = sorted(p.split("/")[-1] for p in written)
    assert names == ["backward_steps.html", "chain_rule.svg", "fan_out.svg", "faulty_node.svg",
                     "neuron.svg", "second_derivative.svg", "taylor_sine.svg"]
    neuron_text = svg_texts(tmp_path / "neuron.svg")
    for text in ("grad -0.64", "grad 1.28", "grad 0.32", "data 0.6", "0.64"):
        assert text in neuron_text, text
    assert "grad -12" in svg_texts(tmp_path / "chain_rule.svg")
    assert "data 0.7269" in svg_texts(tmp_path / "second_derivative.svg")   # 2 tanh(x) sech²(x) at 0.5
    page = (tmp_path / "backward_steps.html").read_text(encoding="utf-8")
    assert page.count('class="tge-frame"') == 6                         # seed + 5 operations
