"""Smoke test of benchmarks/bench.py: tiny sizes, correctness only (speed is the benchmark's job).

Each workload is run on micrograd, tinygrad_edu and HIPS autograd, the harness's
cross-engine check must pass, and the shared answer is compared with the same
computation done independently on plain floats.
"""

import importlib.util
import math
from pathlib import Path

import pytest

pytest.importorskip("micrograd", reason="micrograd==0.1.0 (the test extra) is the benchmark's reference engine")
pytest.importorskip("autograd", reason="HIPS autograd (the test extra) is one of the benchmark's peers")

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
TINY = {"mlp_points": 6, "chain_ops": 63, "wide_terms": 50, "reps": 1, "depth_cap": 2_000,
        "memory_ops": 2_000}
ENGINES = ["micrograd", "tinygrad_edu", "autograd"]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def engines(bench):
    found = bench.available_engines(ENGINES)
    assert [e.name for e in found] == ENGINES
    return found


# ---- independent oracles on plain floats -------------------------------------
def float_mlp(bench, weights, X, y):
    """micrograd's demo loss and its gradient wrt every weight, by central differences."""
    index = bench.mlp_index()

    def loss(w):
        total = 0.0
        for x, yi in zip(X, y):
            for k, layer in enumerate(index):
                out = []
                for wi, b in layer:
                    act = w[b] + sum(w[i] * xi for i, xi in zip(wi, x))
                    out.append(max(act, 0.0) if k != len(index) - 1 else act)
                x = out
            total += max(1 - yi * x[0], 0.0)
        return total / len(X) + 1e-4 * sum(v * v for v in w)

    h = 1e-6
    grads = []
    for i in range(len(weights)):
        up, down = list(weights), list(weights)
        up[i] += h
        down[i] -= h
        grads.append((loss(up) - loss(down)) / (2 * h))
    return loss(weights), grads


def test_mlp_step_agrees_across_engines_and_with_floats(bench, engines):
    results = bench.check_workload(engines, "mlp", TINY)
    value, grads = results["micrograd"]
    assert len(grads) == 337
    expected, numeric = float_mlp(bench, bench.mlp_weights(), *bench.make_moons(TINY["mlp_points"]))
    assert value == pytest.approx(expected, rel=1e-12)
    assert grads == pytest.approx(numeric, abs=1e-6)
    assert any(g != 0 for g in grads)


def test_chain_agrees_across_engines_and_with_floats(bench, engines):
    results = bench.check_workload(engines, "chain", TINY)
    blocks = bench.chain_blocks(TINY["chain_ops"])
    assert blocks * bench.OPS_PER_BLOCK == 63
    x, dx = bench.CHAIN_START, 1.0
    for _ in range(blocks):
        for _ in range(10):
            x = x * bench.CHAIN_MUL + bench.CHAIN_ADD
            dx *= bench.CHAIN_MUL
        x = math.tanh(x)
        dx *= 1 - x * x
    for name, (value, grads) in results.items():
        assert value == pytest.approx(x, rel=1e-12), name
        assert grads == [pytest.approx(dx, rel=1e-12)], name


def test_wide_sum_agrees_across_engines_and_with_floats(bench, engines):
    results = bench.check_workload(engines, "wide", TINY)
    A, B = bench.wide_inputs(TINY["wide_terms"])
    for name, (value, grads) in results.items():
        assert value == pytest.approx(math.fsum(a * b for a, b in zip(A, B)), rel=1e-12), name
        assert grads == pytest.approx(B + A, rel=1e-15), name      # d/da_i = b_i, d/db_i = a_i


def test_torch_agrees_when_installed(bench):
    pytest.importorskip("torch", reason="torch is optional for the benchmark (not in any extra)")
    found = bench.available_engines(["micrograd", "torch"])
    for work in ("mlp", "chain", "wide"):
        bench.check_workload(found, work, TINY)


def test_check_equal_catches_a_wrong_gradient(bench):
    good = (1.5, [0.25, -2.0])
    with pytest.raises(AssertionError, match="gradient #1 differs"):
        bench.check_equal({"a": good, "b": (1.5, [0.25, -2.0 * (1 + 1e-6)])}, "wide")
    with pytest.raises(AssertionError, match="computed 1.6"):
        bench.check_equal({"a": good, "b": (1.6, [0.25, -2.0])}, "wide")
    with pytest.raises(AssertionError, match="1 gradients"):
        bench.check_equal({"a": good, "b": (1.5, [0.25])}, "wide")
    bench.check_equal({"a": good, "b": (1.5 * (1 + 1e-12), [0.25, -2.0])}, "wide")


def test_interleaved_timing_reports_every_phase(bench, engines):
    trials = bench.time_workload(engines, "chain", TINY, reps=2, log=lambda msg: None)
    assert set(trials) == set(ENGINES)
    rows = bench.summarize(trials)
    for name, row in rows.items():
        assert len(trials[name]) == 2
        for phase in ("build", "backward", "free", "total"):
            assert row[phase] >= 0, (name, phase)
        assert row["total"] == pytest.approx(row["build"] + row["backward"] + row["free"], rel=0.5)
    assert rows["micrograd"]["speedup"] == 1.0
    assert rows["tinygrad_edu"]["vs_subject"] == 1.0
    # micrograd's closures capture their own node: its graph is garbage for the cyclic collector.
    assert rows["micrograd"]["garbage"] > 0
    assert rows["tinygrad_edu"]["garbage"] == 0


@pytest.mark.parametrize("limit,cap,expected", [
    (1234, 10**6, (1234, 1235)), (10**9, 3000, (3000, None)), (0, 100, (0, 1)), (64, 1000, (64, 65)),
])
def test_find_max_depth_doubles_then_bisects(bench, limit, cap, expected):
    calls = []

    def survives(n):
        calls.append(n)
        return n <= limit
    assert bench.find_max_depth(survives, cap, start=1) == expected
    assert len(calls) <= 2 * math.log2(cap) + 2


def test_depth_isolates_micrograds_recursion_error(bench):
    found = bench.measure_depth("micrograd", 2_000, log=lambda msg: None)
    assert 900 <= found["ops"] < 1000           # 987 with CPython's default limit
    assert found["fails_at"] == found["ops"] + bench.OPS_PER_BLOCK
    assert "RecursionError" in found["failure"]


def test_memory_per_node_is_measured_in_a_subprocess(bench):
    mine = bench.measure_memory("tinygrad_edu", 2_000)
    theirs = bench.measure_memory("micrograd", 2_000)
    for m in (mine, theirs):
        assert m["method"] == "tracemalloc"
        assert 50 < m["tracemalloc"]["build"] < 5_000
        assert m["tracemalloc"]["backward"] >= m["tracemalloc"]["build"] * 0.9


def test_quick_run_writes_a_results_table(bench, tmp_path):
    out = tmp_path / "RESULTS.md"
    bench.main(["--quick", "--only", "mlp", "--engines", "micrograd", "tinygrad_edu",
                "--results", str(out)])
    text = out.read_text()
    assert "QUICK smoke run" in text
    assert "| micrograd |" in text and "| tinygrad_edu |" in text
    assert "Python " in text and "machine:" in text
