"""The playground's Python side (web/playground/playground.py) in CPython: the module the
page runs in Pyodide.  Error lines are compared with what the `tinygrad-edu` command prints."""

import importlib.util
import math
import subprocess
import sys

from site_support import WEB
from tinygrad_edu.draw import format_number


def _playground_module():
    spec = importlib.util.spec_from_file_location("playground", WEB / "playground" / "playground.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cli_error(*args):
    """The error line the `tinygrad-edu` command prints (exit code 2)."""
    done = subprocess.run([sys.executable, "-m", "tinygrad_edu", *args], capture_output=True,
                          text=True)
    assert done.returncode == 2
    return done.stderr.strip()


def test_update_reports_the_cli_error_line_for_bad_input():
    playground = _playground_module()
    for bad in ("x ^ 2", "foo(x)", "__import__('os')", "log(x)"):
        out = playground.update(bad, {"x": -0.5})
        assert out == {"ok": False, "error": cli_error("grad", bad, "x=-0.5")}


def test_update_rejects_non_finite_slider_values():
    playground = _playground_module()
    out = playground.update("x*2", {"x": float("nan")})
    assert not out["ok"] and "finite" in out["error"]


def test_update_checks_gradients_against_central_differences():
    playground = _playground_module()
    out = playground.update("x*y + sin(x)", {"x": 2.0, "y": -1.25})
    assert out["ok"] and out["value"] == format_number(2.0 * -1.25 + math.sin(2.0))
    rows = {r["name"]: r for r in out["rows"]}
    assert rows["x"]["grad"] == format_number(-1.25 + math.cos(2.0))
    assert rows["y"]["grad"] == format_number(2.0)
    assert all(r["agree"] is True for r in rows.values())
    # a new variable gets the default value
    out = playground.update("x*z", {"x": 2.0})
    assert out["variables"] == [{"name": "x", "value": 2.0},
                                {"name": "z", "value": playground.DEFAULT_VALUE}]


def test_the_player_frames_are_the_traces_own():
    from tinygrad_edu import Value
    from tinygrad_edu.trace import trace_backward
    playground = _playground_module()
    assert playground.player_frames() == {"frames": [], "note": ""}   # nothing drawn yet
    assert playground.update("tanh(x*w + b)", {"x": 0.5, "w": -3.0, "b": 2.0})["ok"]
    frames = playground.player_frames()["frames"]
    x, w, b = Value(0.5, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    out = (x * w + b).tanh(); out.label = "f"
    trace = trace_backward(out)
    assert [f["caption"] for f in frames] == [trace.caption(i) for i in range(len(trace) + 1)]
    assert frames[0]["current"] == "" and all(f["current"].startswith("v") for f in frames[1:])
    assert all(f["dot"].startswith("digraph") for f in frames)
    playground.update("x*", {})                                    # a bad formula: no player
    assert playground.player_frames() == {"frames": [], "note": ""}


def test_a_long_backward_pass_gets_a_note_instead_of_frames():
    playground = _playground_module()
    steps = playground.MAX_PLAYER_STEPS + 1          # x*1.01 + x ... : 2 op nodes per term
    text = "x" + "*1.01+x" * ((steps + 1) // 2)
    assert playground.update(text, {"x": 1.0})["ok"]
    out = playground.player_frames()
    assert out["frames"] == [] and f"up to {playground.MAX_PLAYER_STEPS}" in out["note"]
    assert playground.update("x*1.01+x", {"x": 1.0})["ok"]
    assert len(playground.player_frames()["frames"]) == 3           # start + two steps


def test_the_json_entry_points_and_the_docstring_examples():
    import doctest
    import json
    playground = _playground_module()
    out = json.loads(playground.update_json("x**2", json.dumps({"x": 3.0})))
    assert out["value"] == "9" and out["rows"][0]["grad"] == "6"
    assert len(json.loads(playground.player_json())["frames"]) == 2   # start + one step
    result = doctest.testmod(playground)
    assert result.attempted > 0 and result.failed == 0
