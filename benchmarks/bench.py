#!/usr/bin/env python
"""Benchmarks: tinygrad_edu against its peers on the same scalar computations.

Run it with ``make bench`` (installs the ``bench`` extra: micrograd, HIPS
autograd, numpy) or directly::

    python benchmarks/bench.py            # full run, rewrites benchmarks/RESULTS.md
    python benchmarks/bench.py --quick    # smoke run on tiny sizes, prints only
    python benchmarks/bench.py --profile  # where tinygrad_edu spends its time
    python benchmarks/bench.py --engine-file /tmp/engine_exp.py   # also time a copy of engine.py

Engines: tinygrad_edu, micrograd 0.1.0, HIPS autograd on Python floats, and
PyTorch on 0-d float64 tensors when ``torch`` is importable (skipped otherwise).

Workloads -- the same computation on every engine, results asserted equal:

1. ``mlp``:   one training step (forward, zero_grad + backward, freeing the
   graph) of ``MLP(2, [16, 16, 1])`` on 100 two-moons points with micrograd's
   demo loss (mean hinge + 1e-4 * L2), identical weights for every engine;
2. ``chain``: a deep chain of 100,002 ops (``x = x*1.0001 + 0.0001``, a tanh
   every 10 steps: 21 ops per block of 10 steps);
3. ``wide``:  a sum of 100,000 products of leaves;
4. memory: bytes per op node of workload 2 (tracemalloc; RSS for torch), each
   engine in a fresh subprocess;
5. depth: the longest chain each engine survives (build, backward, free) with
   the default recursion limit, found by doubling then bisection, capped at
   1,000,000 ops; every try runs in a subprocess so a crash cannot end the run.

How time is measured: engines run INTERLEAVED (A, B, C, B, C, A, ...: the
order rotates each round) in one process, garbage collector on, default
settings.  Each trial times three phases separately: build (the forward
pass), backward, and freeing (dropping the last reference to the graph, plus,
only if a ``gc.collect()`` then finds garbage -- reference cycles -- that
collection's time minus an empty collection's).  Every trial ends with a
collection so no engine leaves garbage for the next one to pay for.  Phases
are this thread's CPU time (``--clock wall`` for elapsed time; the total is
shown on both): on a shared machine other processes then do not count.
Figures are medians; ratios are medians of per-round ratios to micrograd.
torch, when installed, runs in a second process beside micrograd and
tinygrad_edu (``--torch-in-process`` to change that): importing it multiplies
the heap every full garbage collection must scan.
"""

import argparse
import datetime
import gc
import importlib
import importlib.util
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:          # benchmark the working tree, installed or not
    sys.path.insert(0, str(REPO))

# Full-size workloads (the figures) and the tiny ones of --quick.
FULL = {"mlp_points": 100, "chain_ops": 100_000, "wide_terms": 100_000, "reps": 6,
        "depth_cap": 1_000_000, "memory_ops": 100_000}
QUICK = {"mlp_points": 10, "chain_ops": 2_000, "wide_terms": 2_000, "reps": 2,
         "depth_cap": 5_000, "memory_ops": 2_000}

MLP_SIZES = [2, 16, 16, 1]
L2_ALPHA = 1e-4
CHAIN_MUL, CHAIN_ADD, CHAIN_START = 1.0001, 0.0001, 0.5
OPS_PER_BLOCK = 21                      # 10 * (mul, add) + 1 tanh
REL_TOL = 1e-9


# ==========================================================================
# Inputs shared by every engine (plain floats, seeded, standard library only)
# ==========================================================================
def make_moons(n, noise=0.1, seed=1337):
    """Two interleaving half circles, labels -1 (outer) / +1 (inner), as in micrograd's demo."""
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    X, y = [], []
    for i in range(n_outer):
        t = math.pi * i / max(n_outer - 1, 1)
        X.append([math.cos(t) + rng.gauss(0, noise), math.sin(t) + rng.gauss(0, noise)])
        y.append(-1.0)
    for i in range(n_inner):
        t = math.pi * i / max(n_inner - 1, 1)
        X.append([1 - math.cos(t) + rng.gauss(0, noise), 0.5 - math.sin(t) + rng.gauss(0, noise)])
        y.append(1.0)
    return X, y


def mlp_weights(sizes=MLP_SIZES, seed=42):
    """Flat parameter list in micrograd's order: layer by layer, neuron by neuron, (w..., b)."""
    rng = random.Random(seed)
    flat = []
    for nin, nout in zip(sizes, sizes[1:]):
        for _ in range(nout):
            flat.extend(rng.uniform(-1, 1) for _ in range(nin))
            flat.append(0.0)
    return flat


def mlp_index(sizes=MLP_SIZES):
    """For each layer, for each neuron: (indices of its weights, index of its bias) in the flat list."""
    layers, k = [], 0
    for nin, nout in zip(sizes, sizes[1:]):
        layer = []
        for _ in range(nout):
            layer.append((list(range(k, k + nin)), k + nin))
            k += nin + 1
        layers.append(layer)
    return layers


def wide_inputs(n, seed=7):
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) for _ in range(n)], [rng.uniform(-1, 1) for _ in range(n)]


def chain_blocks(n_ops):
    """Number of 10-step blocks (21 ops each) giving at least ``n_ops`` ops."""
    return max(1, -(-n_ops // OPS_PER_BLOCK))


# ==========================================================================
# Engines.  Each one offers, per workload W: setup_W (untimed: leaves and
# parameters), build_W (timed: the forward pass, returns the graph's root),
# backward_W (timed), readout_W (untimed: plain floats for the equality check).
# A readout never keeps a reference into the graph.
# ==========================================================================
class Engine:
    name = "?"

    def available(self):
        return True


def _scalar_mlp_loss(model_call, params, inputs, y):
    """micrograd's demo loss, written once for engines whose values use operators."""
    scores = [model_call(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = L2_ALPHA * sum(p * p for p in params)
    return data_loss + reg_loss


class ValueEngine(Engine):
    """tinygrad_edu (or an experimental copy of its engine.py, for --engine-file)."""

    def __init__(self, module=None, name="tinygrad_edu", use_nn=True):
        self.module = module
        self.name = name
        self.use_nn = use_nn

    def available(self):
        if self.module is None:
            try:
                self.module = importlib.import_module("tinygrad_edu.engine")
            except ImportError:
                return False
        return True

    # -- workload 1 -----------------------------------------------------------
    def setup_mlp(self, weights, X, y):
        V = self.module.Value
        if self.use_nn:                 # the package's own MLP (a copied engine.py uses _LocalMLP)
            nn = importlib.import_module("tinygrad_edu.nn")
            model = nn.MLP(MLP_SIZES[0], MLP_SIZES[1:])
            params = model.parameters()
            if len(params) != len(weights):
                raise RuntimeError(f"tinygrad_edu.nn.MLP has {len(params)} parameters, expected {len(weights)}")
            for p, w in zip(params, weights):
                p.data = w
            return {"params": params, "call": model, "X": X, "y": y, "wrap": False}
        params = [V(w) for w in weights]
        return {"params": params, "call": _LocalMLP(params, mlp_index()), "X": X, "y": y, "wrap": True}

    def build_mlp(self, s):
        # tinygrad_edu.nn takes the points as plain numbers (it makes them constants);
        # the local stand-in wraps them in Values as micrograd's demo does.
        V = self.module.Value
        inputs = [[V(a), V(b)] for a, b in s["X"]] if s["wrap"] else s["X"]
        return _scalar_mlp_loss(s["call"], s["params"], inputs, s["y"])

    def backward_mlp(self, root, s):
        for p in s["params"]:
            p.grad = 0.0
        root.backward()

    def readout_mlp(self, root, s):
        return float(root.data), [float(p.grad) for p in s["params"]]

    # -- workload 2 -----------------------------------------------------------
    def setup_chain(self, blocks):
        return {"x0": self.module.Value(CHAIN_START), "blocks": blocks}

    def build_chain(self, s):
        x = s["x0"]
        for _ in range(s["blocks"]):
            for _ in range(10):
                x = x * CHAIN_MUL + CHAIN_ADD
            x = x.tanh()
        return x

    def backward_chain(self, root, s):
        root.backward()

    def readout_chain(self, root, s):
        return float(root.data), [float(s["x0"].grad)]

    # -- workload 3 -----------------------------------------------------------
    def setup_wide(self, A, B):
        V = self.module.Value
        return {"A": [V(a) for a in A], "B": [V(b) for b in B]}

    def build_wide(self, s):
        return sum(a * b for a, b in zip(s["A"], s["B"]))

    def backward_wide(self, root, s):
        root.backward()

    def readout_wide(self, root, s):
        return float(root.data), [a.grad for a in s["A"]] + [b.grad for b in s["B"]]


class _LocalMLP:
    """micrograd's MLP forward pass over given parameters (for an experimental copy of engine.py)."""

    def __init__(self, params, index):
        self.layers = [[([params[i] for i in w], params[b]) for w, b in layer] for layer in index]

    def __call__(self, x):
        last = len(self.layers) - 1
        for k, layer in enumerate(self.layers):
            out = []
            for w, b in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                out.append(act.relu() if k != last else act)
            x = out
        return x[0] if len(x) == 1 else x




class MicrogradEngine(Engine):
    """micrograd 0.1.0 from PyPI, used the way its demo notebook uses it."""
    name = "micrograd"

    def available(self):
        try:
            from micrograd.engine import Value
            from micrograd.nn import MLP
        except ImportError:
            return False
        self.Value, self.MLP = Value, MLP
        return True

    def tanh(self, x):
        """micrograd 0.1.0 has no tanh: this is the lecture version's, in micrograd's own closure style."""
        Value = self.Value
        t = math.tanh(x.data)
        out = Value(t, (x,), "tanh")

        def _backward():
            x.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def setup_mlp(self, weights, X, y):
        model = self.MLP(MLP_SIZES[0], MLP_SIZES[1:])
        params = model.parameters()
        for p, w in zip(params, weights):
            p.data = w
        return {"model": model, "params": params, "X": X, "y": y}

    def build_mlp(self, s):
        V = self.Value
        inputs = [list(map(V, row)) for row in s["X"]]
        return _scalar_mlp_loss(s["model"], s["params"], inputs, s["y"])

    def backward_mlp(self, root, s):
        s["model"].zero_grad()
        root.backward()

    def readout_mlp(self, root, s):
        return float(root.data), [float(p.grad) for p in s["params"]]

    def setup_chain(self, blocks):
        return {"x0": self.Value(CHAIN_START), "blocks": blocks}

    def build_chain(self, s):
        x = s["x0"]
        tanh = self.tanh
        for _ in range(s["blocks"]):
            for _ in range(10):
                x = x * CHAIN_MUL + CHAIN_ADD
            x = tanh(x)
        return x

    def backward_chain(self, root, s):
        _deep_recursion(root.backward)

    def readout_chain(self, root, s):
        return float(root.data), [float(s["x0"].grad)]

    def setup_wide(self, A, B):
        V = self.Value
        return {"A": [V(a) for a in A], "B": [V(b) for b in B]}

    def build_wide(self, s):
        return sum(a * b for a, b in zip(s["A"], s["B"]))

    def backward_wide(self, root, s):
        _deep_recursion(root.backward)

    def readout_wide(self, root, s):
        return float(root.data), [float(a.grad) for a in s["A"]] + [float(b.grad) for b in s["B"]]


#: micrograd's backward sorts the graph recursively: with the default limit (1000)
#: it dies near 1,000 ops, so workloads 2 and 3 raise the limit for its backward
#: only.  Workload 5 (depth) measures it at the default limit.
DEEP_RECURSION_LIMIT = 1_000_000
_depth_mode = False


def _deep_recursion(fn):
    if _depth_mode:
        return fn()
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, DEEP_RECURSION_LIMIT))
    try:
        return fn()
    finally:
        sys.setrecursionlimit(old)


class AutogradEngine(Engine):
    """HIPS autograd on scalars: make_vjp of a plain Python function (build = trace, backward = vjp).

    Every operation is a scalar one.  Many inputs enter as one numpy array that
    the function indexes element by element: with a Python list, autograd copies
    the whole list for each indexed element's gradient (O(n^2): 11 s for a sum
    of only 2,000 products).
    """
    name = "autograd"

    def available(self):
        try:
            from autograd import make_vjp
            import autograd.numpy as anp
        except ImportError:
            return False
        self.make_vjp, self.anp = make_vjp, anp
        return True

    @staticmethod
    def _relu(x):
        return x if x > 0 else 0.0

    def setup_mlp(self, weights, X, y):
        import numpy as np
        index = mlp_index()
        relu = self._relu
        last = len(index) - 1

        def loss(params):
            params = [params[i] for i in range(len(weights))]    # index each parameter once

            def model(x):
                for k, layer in enumerate(index):
                    out = []
                    for w, b in layer:
                        act = sum((params[i] * xi for i, xi in zip(w, x)), params[b])
                        out.append(relu(act) if k != last else act)
                    x = out
                return x[0]
            scores = [model(x) for x in X]
            losses = [relu(1 + -yi * si) for yi, si in zip(y, scores)]
            data_loss = sum(losses) * (1.0 / len(losses))
            reg_loss = L2_ALPHA * sum(params[i] * params[i] for i in range(len(weights)))
            return data_loss + reg_loss
        return {"f": loss, "x": np.array(weights)}

    def _build(self, s):
        return self.make_vjp(s["f"])(s["x"])       # (vjp, value): the traced graph lives in vjp

    def _backward(self, root, s):
        s["grads"] = root[0](1.0)

    build_mlp = build_chain = build_wide = _build
    backward_mlp = backward_chain = backward_wide = _backward

    def readout_mlp(self, root, s):
        return float(root[1]), [float(g) for g in s.pop("grads")]

    def setup_chain(self, blocks):
        tanh = self.anp.tanh

        def chain(x):
            for _ in range(blocks):
                for _ in range(10):
                    x = x * CHAIN_MUL + CHAIN_ADD
                x = tanh(x)
            return x
        return {"f": chain, "x": CHAIN_START}

    def readout_chain(self, root, s):
        return float(root[1]), [float(s.pop("grads"))]

    def setup_wide(self, A, B):
        import numpy as np

        def wide(ab):
            a, b = ab
            return sum(ai * bi for ai, bi in zip(a, b))
        return {"f": wide, "x": (np.array(A), np.array(B))}

    def readout_wide(self, root, s):
        ga, gb = s.pop("grads")
        return float(root[1]), [float(g) for g in ga] + [float(g) for g in gb]


class TorchEngine(Engine):
    """PyTorch on 0-d float64 tensors (optional: skipped when torch is not importable)."""
    name = "torch"

    def available(self):
        try:
            import torch
        except ImportError:
            return False
        self.torch = torch
        return True

    def _leaf(self, x):
        return self.torch.tensor(x, dtype=self.torch.float64, requires_grad=True)

    def setup_mlp(self, weights, X, y):
        params = [self._leaf(w) for w in weights]
        return {"params": params, "call": _LocalMLP(params, mlp_index()), "X": X, "y": y}

    def build_mlp(self, s):
        t, f64 = self.torch.tensor, self.torch.float64
        inputs = [[t(a, dtype=f64), t(b, dtype=f64)] for a, b in s["X"]]
        return _scalar_mlp_loss(s["call"], s["params"], inputs, s["y"])

    def backward_mlp(self, root, s):
        for p in s["params"]:
            p.grad = None
        root.backward()

    def readout_mlp(self, root, s):
        return root.item(), [p.grad.item() for p in s["params"]]

    def setup_chain(self, blocks):
        return {"x0": self._leaf(CHAIN_START), "blocks": blocks}

    def build_chain(self, s):
        x = s["x0"]
        tanh = self.torch.tanh
        for _ in range(s["blocks"]):
            for _ in range(10):
                x = x * CHAIN_MUL + CHAIN_ADD
            x = tanh(x)
        return x

    def backward_chain(self, root, s):
        root.backward()

    def readout_chain(self, root, s):
        return root.item(), [s["x0"].grad.item()]

    def setup_wide(self, A, B):
        return {"A": [self._leaf(a) for a in A], "B": [self._leaf(b) for b in B]}

    def build_wide(self, s):
        return sum(a * b for a, b in zip(s["A"], s["B"]))

    def backward_wide(self, root, s):
        root.backward()

    def readout_wide(self, root, s):
        return root.item(), [a.grad.item() for a in s["A"]] + [b.grad.item() for b in s["B"]]


ENGINE_CLASSES = {"tinygrad_edu": ValueEngine, "micrograd": MicrogradEngine,
                  "autograd": AutogradEngine, "torch": TorchEngine}


def load_engine_file(path, name=None):
    """An experimental copy of engine.py, benchmarked beside the real one (uses the local MLP)."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return ValueEngine(module, name=name or f"exp:{path.stem}", use_nn=False)


def available_engines(names=None, engine_files=()):
    """The engines that can run here, micrograd first (it is the reference of every ratio)."""
    names = names or ["micrograd", "tinygrad_edu", "autograd", "torch"]
    engines = [e for e in (ENGINE_CLASSES[n]() for n in names) if e.available()]
    engines += [load_engine_file(p) for p in engine_files]
    engines.sort(key=lambda e: e.name != "micrograd")
    return engines


# ==========================================================================
# Workload setup and the equality check
# ==========================================================================
def workload_args(work, sizes):
    if work == "mlp":
        X, y = make_moons(sizes["mlp_points"])
        return (mlp_weights(), X, y)
    if work == "chain":
        return (chain_blocks(sizes["chain_ops"]),)
    if work == "wide":
        return wide_inputs(sizes["wide_terms"])
    raise ValueError(f"unknown workload {work!r}; expected mlp, chain or wide")


def workload_label(work, sizes):
    if work == "mlp":
        return f"1. MLP(2,[16,16,1]) training step, {sizes['mlp_points']} moons points"
    if work == "chain":
        return f"2. chain of {chain_blocks(sizes['chain_ops']) * OPS_PER_BLOCK:,} ops"
    return f"3. sum of {sizes['wide_terms']:,} products"


def check_equal(results, work):
    """Assert every engine computed the same value and gradients as the first one."""
    names = list(results)
    ref_name = names[0]
    ref_value, ref_grads = results[ref_name]
    for name in names[1:]:
        value, grads = results[name]
        assert math.isclose(value, ref_value, rel_tol=REL_TOL, abs_tol=1e-12), (
            f"{work}: {name} computed {value!r}, {ref_name} computed {ref_value!r}")
        assert len(grads) == len(ref_grads), (
            f"{work}: {name} gave {len(grads)} gradients, {ref_name} gave {len(ref_grads)}")
        for k, (g, r) in enumerate(zip(grads, ref_grads)):
            assert math.isclose(g, r, rel_tol=REL_TOL, abs_tol=1e-12), (
                f"{work}: gradient #{k} differs: {name} {g!r} vs {ref_name} {r!r}")


def run_once(engine, work, args):
    """One untimed run: (value, gradients) as plain floats."""
    s = getattr(engine, f"setup_{work}")(*args)
    root = getattr(engine, f"build_{work}")(s)
    getattr(engine, f"backward_{work}")(root, s)
    out = getattr(engine, f"readout_{work}")(root, s)
    del root
    gc.collect()
    return out


def check_workload(engines, work, sizes):
    """Run ``work`` once on every engine and assert the results agree; returns them."""
    args = workload_args(work, sizes)
    results = {e.name: run_once(e, work, args) for e in engines}
    check_equal(results, work)
    return results


# ==========================================================================
# Timing
# ==========================================================================
#: "cpu": this thread's CPU time (default); "wall": elapsed time.  Set by --clock.
CLOCKS = {"cpu": time.thread_time, "wall": time.perf_counter}
CLOCK = "cpu"


class GCMeter:
    """Counts collections and the time spent in them, via gc.callbacks."""

    def __init__(self):
        self.seconds = 0.0
        self.full = 0
        self.collections = 0
        self.by_generation = [[0, 0.0] for _ in range(3)]     # [collections, seconds]
        self._start = None

    def __call__(self, phase, info):
        if phase == "start":
            self._start = CLOCKS[CLOCK]()
        else:
            spent = CLOCKS[CLOCK]() - self._start
            self.seconds += spent
            self.collections += 1
            self.by_generation[info["generation"]][0] += 1
            self.by_generation[info["generation"]][1] += spent
            self.full += info["generation"] == 2

    def snapshot(self):
        return self.seconds, self.full, self.collections


def time_trial(engine, work, args, meter):
    """Time build, backward and freeing of one run; returns a dict of seconds (and GC counts).

    Phases use ``CLOCK`` (this thread's CPU time by default: on a shared machine
    it leaves out the time other processes hold the core); ``total_wall`` is the
    same run on the wall clock.
    """
    setup = getattr(engine, f"setup_{work}")
    build = getattr(engine, f"build_{work}")
    backward = getattr(engine, f"backward_{work}")
    s = setup(*args)
    gc.collect()
    clock, wall = CLOCKS[CLOCK], time.perf_counter
    g0 = meter.snapshot()
    w0, t0 = wall(), clock()
    root = build(s)
    t1 = clock()
    g1 = meter.snapshot()
    backward(root, s)
    t2 = clock()
    s.pop("grads", None)
    t3 = clock()
    del root
    t4, w4 = clock(), wall()
    found = gc.collect()
    t5, w5 = clock(), wall()
    gc_free = gc_free_wall = 0.0
    if found:
        # Charge only the collector's extra work for this graph: a full collection
        # also scans the whole heap (large once torch is imported), which periodic
        # collections pay anyway, garbage or not.  The baseline is a second,
        # empty collection of the same heap.
        gc.collect()
        gc_free = max(0.0, (t5 - t4) - (clock() - t5))
        gc_free_wall = max(0.0, (w5 - w4) - (wall() - w5))
    return {"build": t1 - t0, "backward": t2 - t1, "free": (t4 - t3) + gc_free,
            "free_gc": gc_free, "garbage": found,
            "total": (t1 - t0) + (t2 - t1) + (t4 - t3) + gc_free,
            "total_wall": (w4 - w0) + gc_free_wall,
            "gc_build": g1[0] - g0[0], "full_gcs_build": g1[1] - g0[1]}


def time_workload(engines, work, sizes, reps, log=print):
    """Interleaved rounds: every engine once per round. Returns {engine: [trial, ...]}.

    The order rotates from round to round: the engine that runs right after
    micrograd (whose freed graph leaves the allocator many warm, empty pools)
    measured up to 20 % faster than the same code in another position.
    """
    args = workload_args(work, sizes)
    meter = GCMeter()
    gc.callbacks.append(meter)
    trials = {e.name: [] for e in engines}
    try:
        for r in range(reps):
            k = r % len(engines)
            for e in engines[k:] + engines[:k]:
                trials[e.name].append(time_trial(e, work, args, meter))
            log(f"  round {r + 1}/{reps}: " + ", ".join(
                f"{n} {t[-1]['total'] * 1e3:.0f} ms" for n, t in trials.items()))
    finally:
        gc.callbacks.remove(meter)
    return trials


def summarize(trials, ref="micrograd", subject="tinygrad_edu"):
    """Median per phase, and medians of per-round ratios.

    ``speedup``: ref's total / the engine's total (how many times faster than micrograd);
    ``vs_subject``: the engine's total / subject's total (how many times faster tinygrad_edu is).
    """
    rows = {}
    for name, ts in trials.items():
        row = {k: statistics.median(t[k] for t in ts)
               for k in ("build", "backward", "free", "free_gc", "total", "total_wall", "gc_build",
                         "full_gcs_build")}
        row["garbage"] = max(t["garbage"] for t in ts)
        if ref in trials:
            row["speedup"] = statistics.median(
                r["total"] / t["total"] for r, t in zip(trials[ref], ts))
            row["speedup_wall"] = statistics.median(
                r["total_wall"] / t["total_wall"] for r, t in zip(trials[ref], ts))
        if subject in trials:
            row["vs_subject"] = statistics.median(
                t["total"] / u["total"] for u, t in zip(trials[subject], ts))
        rows[name] = row
    return rows


# ==========================================================================
# Memory and depth: one fresh subprocess per measurement
# ==========================================================================
def _engine_by_name(name, engine_files):
    for path in engine_files:
        e = load_engine_file(path)
        if e.name == name:
            return e
    e = ENGINE_CLASSES[name]()
    if not e.available():
        raise SystemExit(f"engine {name} is not available")
    return e


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _child_memory(engine, blocks, method):
    """Bytes of the chain graph per op node: after build, and after backward (gradients stored)."""
    s = engine.setup_chain(blocks)
    n_ops = blocks * OPS_PER_BLOCK
    gc.collect()
    if method == "tracemalloc":
        tracemalloc.start()
        measure = lambda: tracemalloc.get_traced_memory()[0]     # noqa: E731
    else:
        measure = _rss_bytes
    base = measure()
    root = engine.build_chain(s)
    built = measure()
    engine.backward_chain(root, s)
    after = measure()
    return {"build": (built - base) / n_ops, "backward": (after - base) / n_ops}


def _child_depth(engine, blocks):
    """Build, back-propagate and free a chain; exit 0 only if it all worked."""
    global _depth_mode
    _depth_mode = True                 # the default recursion limit, for every engine
    s = engine.setup_chain(blocks)
    root = engine.build_chain(s)
    engine.backward_chain(root, s)
    value, grads = engine.readout_chain(root, s)
    del root
    gc.collect()
    if not all(math.isfinite(g) for g in grads):
        raise SystemExit(f"non-finite gradient {grads}")
    return "ok"


def _run_child(args, timeout):
    cmd = [sys.executable, str(Path(__file__).resolve())] + args
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["(no message)"])[-1]
        return None, f"exit {p.returncode}: {tail[:120]}"
    return json.loads(p.stdout.strip().splitlines()[-1]), ""


def measure_memory(engine_name, n_ops, engine_files=(), timeout=600):
    blocks = chain_blocks(n_ops)
    method = "rss" if engine_name == "torch" else "tracemalloc"
    out = {"method": method}
    for m in ("tracemalloc", "rss") if method == "tracemalloc" else ("rss",):
        res, err = _run_child(["--_child", "memory", engine_name, str(blocks), m]
                              + _files_args(engine_files), timeout)
        out[m] = res if res is not None else {"error": err}
    return out


def _files_args(engine_files):
    return [a for p in engine_files for a in ("--engine-file", str(p))]


def find_max_depth(survives, cap, start=64):
    """Largest n <= cap with survives(n), assuming survival is monotone: doubling, then bisection.

    Returns (n, first_failure_or_None).  ``survives`` is called with integers.
    """
    lo, hi = 0, None
    n = min(start, cap)
    while True:
        if survives(n):
            lo = n
            if n >= cap:
                return lo, None
            n = min(2 * n, cap)
        else:
            hi = n
            break
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if survives(mid):
            lo = mid
        else:
            hi = mid
    return lo, hi


def measure_depth(engine_name, cap_ops, engine_files=(), timeout=600, log=print):
    """Largest chain (in ops, a multiple of 21) the engine survives, each try in a subprocess."""
    errors = {}

    def survives(blocks):
        res, err = _run_child(["--_child", "depth", engine_name, str(blocks)]
                              + _files_args(engine_files), timeout)
        if err:
            errors[blocks] = err
        return res == "ok"
    lo, hi = find_max_depth(survives, chain_blocks(cap_ops), start=4)
    failure = errors.get(hi, "") if hi is not None else ""
    log(f"  {engine_name}: survives {lo * OPS_PER_BLOCK:,} ops"
        + (f"; fails at {hi * OPS_PER_BLOCK:,} ({failure})" if hi else " (the cap)"))
    return {"ops": lo * OPS_PER_BLOCK, "fails_at": hi * OPS_PER_BLOCK if hi else None,
            "failure": failure}


# ==========================================================================
# Profiling (for the engine's authors): cProfile + GC counts on tinygrad_edu
# ==========================================================================
def build_with_and_without_gc(engine, work, args, reps=3):
    """Median build time with the collector on and off: the collector's share, without cProfile."""
    clock = CLOCKS[CLOCK]
    times = {True: [], False: []}
    for _ in range(reps):
        for collector in (True, False):
            s = getattr(engine, f"setup_{work}")(*args)
            gc.collect()
            if not collector:
                gc.disable()
            t0 = clock()
            root = getattr(engine, f"build_{work}")(s)
            times[collector].append(clock() - t0)
            gc.enable()
            del root
            gc.collect()
    return statistics.median(times[True]), statistics.median(times[False])


def profile(engine, sizes, top=12):
    import cProfile
    import pstats
    for work in ("mlp", "chain", "wide"):
        args = workload_args(work, sizes)
        on, off = build_with_and_without_gc(engine, work, args)
        print(f"\n=== {workload_label(work, sizes)}: build {on * 1e3:.0f} ms with the garbage collector, "
              f"{off * 1e3:.0f} ms without ({100 * (1 - off / on):.0f} % is the collector)")
        s = getattr(engine, f"setup_{work}")(*args)
        gc.collect()
        meter = GCMeter()
        gc.callbacks.append(meter)
        prof = cProfile.Profile()
        prof.enable()
        root = getattr(engine, f"build_{work}")(s)
        getattr(engine, f"backward_{work}")(root, s)
        del root
        prof.disable()
        gc.callbacks.remove(meter)
        gens = ", ".join(f"gen{g}: {n} in {t * 1e3:.0f} ms" for g, (n, t) in enumerate(meter.by_generation))
        print(f"\n=== {workload_label(work, sizes)}: {meter.collections} collections, "
              f"{meter.seconds * 1e3:.0f} ms in the collector ({gens}; cProfile inflates the rest)")
        pstats.Stats(prof).sort_stats("tottime").print_stats(top)


# ==========================================================================
# Report
# ==========================================================================
def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        cpu = platform.processor() or cpu
    versions = []
    for mod in ("micrograd", "autograd", "numpy", "torch"):
        try:
            from importlib.metadata import version
            versions.append(f"{mod} {version(mod)}")
        except Exception:
            versions.append(f"{mod} absent")
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        engine = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s", "--",
                                 "tinygrad_edu/engine.py"], capture_output=True, text=True, timeout=10).stdout.strip()
        edited = subprocess.run(["git", "-C", str(REPO), "diff", "--quiet", "HEAD", "--",
                                 "tinygrad_edu/engine.py"], timeout=10).returncode != 0
        commit += f"; engine.py as of {engine}" + (" plus uncommitted edits" if edited else "")
    except Exception:
        commit = "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "os": platform.platform(),
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "versions": ", ".join(versions), "commit": commit or "?"}


def _ms(x):
    return f"{x * 1e3:.1f}" if x < 10 else f"{x * 1e3:.0f}"


def time_table(label, rows):
    lines = [f"### {label}", "",
             "| engine | build ms | backward ms | free ms (gc part) | total ms | speedup vs micrograd "
             "| wall total ms (speedup) | GC % of build | full GCs in build |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in rows.items():
        speed = f"{r['speedup']:.2f}×" if "speedup" in r else "–"
        wall = _ms(r["total_wall"]) + (f" ({r['speedup_wall']:.2f}×)" if "speedup_wall" in r else "")
        gc_share = 100 * r["gc_build"] / r["build"] if r["build"] else 0
        mark = "†" if r.get("process") == "separate" else ""
        lines.append(f"| {name}{mark} | {_ms(r['build'])} | {_ms(r['backward'])} | "
                     f"{_ms(r['free'])} ({_ms(r['free_gc'])}) | {_ms(r['total'])} | {speed} | {wall} | "
                     f"{gc_share:.0f} % | {r['full_gcs_build']:.0f} |")
    return lines


def memory_table(memory, n_ops):
    lines = [f"### 4. memory of the chain ({chain_blocks(n_ops) * OPS_PER_BLOCK:,} ops), bytes per op node",
             "", "| engine | after build | after backward | RSS after build | ratio to micrograd (build) |",
             "|---|---:|---:|---:|---:|"]
    ref = _mem_primary(memory.get("micrograd"))
    for name, m in memory.items():
        tm = m.get("tracemalloc") or {}
        rss = m.get("rss") or {}
        primary = _mem_primary(m)
        build = f"{tm['build']:.0f}" if "build" in tm else "–"
        back = f"{tm['backward']:.0f}" if "backward" in tm else "–"
        rss_b = f"{rss['build']:.0f}" if "build" in rss else rss.get("error", "–")
        ratio = f"{primary / ref:.2f}" if primary and ref else "–"
        if m["method"] == "rss":
            ratio += " (RSS)"
        lines.append(f"| {name} | {build} | {back} | {rss_b} | {ratio} |")
    return lines


def _mem_primary(m):
    if not m:
        return None
    part = m.get(m["method"]) or {}
    return part.get("build")


def depth_table(depth):
    lines = ["### 5. deepest chain survived (default recursion limit; build, backward, free)", "",
             "| engine | survives (ops) | first failure (ops) | failure |", "|---|---:|---:|---|"]
    for name, d in depth.items():
        fail = f"{d['fails_at']:,}" if d["fails_at"] else "none up to the cap"
        lines.append(f"| {name} | {d['ops']:,} | {fail} | {d['failure'] or ''} |")
    return lines


def targets(times, memory, depth, subject="tinygrad_edu", depth_cap=1_000_000):
    """The issue's targets, each with the measured figure and PASS/FAIL."""
    out = []

    def add(ok, text):
        out.append(f"- {'PASS' if ok else 'FAIL'}: {text}")
    for work, need in (("mlp", 2.5), ("chain", 4.0), ("wide", 3.0)):
        rows = times.get(work)
        if not rows or subject not in rows or "speedup" not in rows[subject]:
            continue
        sp = rows[subject]["speedup"]
        add(sp >= need, f"{work}: {sp:.2f}× faster than micrograd (target ≥ {need}×)")
        for peer in ("torch", "autograd"):
            if peer in rows and "vs_subject" in rows[peer]:
                ratio = rows[peer]["vs_subject"]
                add(ratio > 1, f"{work}: {ratio:.2f}× faster than {peer} on scalars (target > 1×)")
    if memory and subject in memory and "micrograd" in memory:
        mine, ref = _mem_primary(memory[subject]), _mem_primary(memory["micrograd"])
        if mine and ref:
            add(mine <= ref / 2, f"memory: {mine:.0f} bytes/node vs micrograd's {ref:.0f} "
                f"({mine / ref:.2f}; target ≤ 0.5)")
    if depth and subject in depth:
        d = depth[subject]
        add(d["fails_at"] is None and d["ops"] >= depth_cap,
            f"depth: {d['ops']:,} ops survived (target {depth_cap:,})")
    return out


def render(info, sizes, times, memory, depth, quick):
    lines = ["# Benchmark results", "",
             "Written by `make bench` (`python benchmarks/bench.py`); the latest full run replaces this file.",
             "", f"- machine: {info['cpu']}, {info['cores']} cores; {info['os']}",
             f"- Python {info['python']} ({info['implementation']}), garbage collector on, default settings",
             f"- peers: {info['versions']}", f"- tinygrad_edu commit: {info['commit']}",
             f"- date: {info['date']}" + ("  (QUICK smoke run: tiny sizes, not meaningful)" if quick else ""),
             f"- time figures: medians of {sizes['reps']} interleaved rounds, on "
             + ("this thread's CPU time (time.thread_time: a shared machine's other processes do not count), "
                "the total also on the wall clock" if CLOCK == "cpu" else "the wall clock")
             + "; speedup = median over rounds of micrograd's total ÷ the engine's total "
             "(build + backward + free)",
             "- free = dropping the last reference to the graph, plus, when a gc.collect() then finds "
             "garbage (reference cycles), that collection's time minus an empty collection's",
             "- micrograd's backward is recursive: for workloads 2 and 3 its recursion limit is raised "
             "(it dies near 1,000 ops otherwise, see 5.); micrograd 0.1.0 has no tanh, so the chain uses "
             "the lecture version's tanh written in micrograd's closure style", ""]
    torch_apart = any(r.get("process") == "separate" for rows in times.values() for r in rows.values())
    for work in ("mlp", "chain", "wide"):
        if work in times:
            lines += time_table(workload_label(work, sizes), times[work]) + [""]
    if torch_apart:
        lines += ["† torch runs in a second process, interleaved with micrograd and tinygrad_edu there; "
                  "its speedup is against that process's micrograd and the targets use its ratio to that "
                  "process's tinygrad_edu. Importing torch adds ~150,000 GC-tracked objects, which makes "
                  "every full collection ~30× slower and shifts every engine's figures; "
                  "`--torch-in-process` runs it beside the others instead.", ""]
    if memory:
        lines += memory_table(memory, sizes["memory_ops"]) + [
            "", "tracemalloc counts Python allocations (torch's tensors live outside it, so its ratio "
            "uses RSS); RSS growth is coarse (pages, allocator reuse).", ""]
    if depth:
        lines += depth_table(depth) + [""]
    goals = targets(times, memory, depth, depth_cap=sizes["depth_cap"])
    if goals:
        lines += ["### Targets (issue 8) for tinygrad_edu", ""] + goals + [""]
    return "\n".join(lines)


# ==========================================================================
# Main
# ==========================================================================
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes, 2 rounds: a smoke run")
    p.add_argument("--reps", type=int, help="interleaved rounds per workload (default 6)")
    p.add_argument("--only", nargs="+", choices=["mlp", "chain", "wide", "memory", "depth"],
                   help="run only these parts")
    p.add_argument("--engines", nargs="+", choices=list(ENGINE_CLASSES),
                   help="engines to run (default: all available)")
    p.add_argument("--engine-file", action="append", default=[],
                   help="also benchmark this copy of engine.py (repeatable)")
    p.add_argument("--clock", choices=list(CLOCKS), default="cpu",
                   help="clock of the phase figures: this thread's CPU time (default) or wall time")
    p.add_argument("--torch-in-process", action="store_true",
                   help="time torch in the main process instead of a second one")
    p.add_argument("--results", help="where to write the table (default benchmarks/RESULTS.md; "
                   "--quick and --only write nothing unless given)")
    p.add_argument("--profile", action="store_true", help="cProfile tinygrad_edu on workloads 1-3")
    p.add_argument("--_child", nargs="+", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _stderr_log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_times(engines, works, sizes, log=print):
    """Check then time each workload; returns {work: {engine: row}}."""
    times = {}
    for work in works:
        log(f"\n{workload_label(work, sizes)}: checking results agree across engines...")
        check_workload(engines, work, sizes)
        times[work] = summarize(time_workload(engines, work, sizes, sizes["reps"], log=log))
        log("\n".join(time_table(workload_label(work, sizes), times[work])))
    return times


def child_main(args):
    kind = args._child[0]
    if kind == "times":                 # torch's own process: micrograd, tinygrad_edu, torch
        sizes = json.loads(args._child[1])
        engines = available_engines(["micrograd", "tinygrad_edu", "torch"])
        print(json.dumps(run_times(engines, args._child[2:], sizes, log=_stderr_log)))
        return
    name, blocks = args._child[1], int(args._child[2])
    engine = _engine_by_name(name, args.engine_file)
    if kind == "memory":
        print(json.dumps(_child_memory(engine, blocks, args._child[3])))
    elif kind == "depth":
        print(json.dumps(_child_depth(engine, blocks)))
    else:
        raise SystemExit(f"unknown child job {kind!r}")


def torch_times(works, sizes, timeout=3600):
    """Time torch in a second process beside micrograd and tinygrad_edu; its rows, marked."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--clock", CLOCK,
           "--_child", "times", json.dumps(sizes)] + works
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, timeout=timeout)   # its log: our stderr
    if p.returncode != 0:
        raise RuntimeError(f"the torch process failed (exit {p.returncode})")
    rows = json.loads(p.stdout.strip().splitlines()[-1])
    out = {}
    for work, r in rows.items():
        out[work] = dict(r["torch"], process="separate")
    return out


def main(argv=None):
    global CLOCK
    args = parse_args(argv)
    CLOCK = args.clock
    if args._child:
        return child_main(args)
    sizes = dict(QUICK if args.quick else FULL)
    if args.reps:
        sizes["reps"] = args.reps
    wanted = args.engines or list(ENGINE_CLASSES)
    # torch is only looked for here, not imported: its import alone would grow
    # this process's heap ~7x and slow every engine's garbage collections.
    torch_apart = ("torch" in wanted and not args.torch_in_process and not args.profile
                   and importlib.util.find_spec("torch") is not None)
    engines = available_engines([n for n in wanted if not (torch_apart and n == "torch")],
                                args.engine_file)
    if args.profile:
        subject = next(e for e in engines if e.name.startswith(("tinygrad_edu", "exp:")))
        return profile(subject, sizes)
    names = [e.name for e in engines] + (["torch"] if torch_apart else [])
    missing = [n for n in wanted if n not in names]
    print(f"engines: {', '.join(names)}" + (f"  (not available, skipped: {', '.join(missing)})"
                                               if missing else ""), flush=True)
    parts = args.only or ["mlp", "chain", "wide", "memory", "depth"]
    works = [w for w in ("mlp", "chain", "wide") if w in parts]
    times = run_times(engines, works, sizes)
    if torch_apart and works:
        print("\ntorch, in a second process beside micrograd and tinygrad_edu...", flush=True)
        for work, row in torch_times(works, sizes).items():
            times[work]["torch"] = row
    memory, depth = {}, {}
    if "memory" in parts:
        print("\n4. memory (each engine in a fresh subprocess)...", flush=True)
        for name in names:
            memory[name] = measure_memory(name, sizes["memory_ops"], args.engine_file)
        print("\n".join(memory_table(memory, sizes["memory_ops"])))
    if "depth" in parts:
        print(f"\n5. depth (doubling + bisection, cap {sizes['depth_cap']:,} ops, subprocesses)...",
              flush=True)
        for name in names:
            depth[name] = measure_depth(name, sizes["depth_cap"], args.engine_file)
    report = render(machine(), sizes, times, memory, depth, args.quick)
    print("\n" + report)
    target = args.results or (None if args.quick or args.only else str(HERE / "RESULTS.md"))
    if target:
        Path(target).write_text(report + "\n")
        print(f"written to {target}")


if __name__ == "__main__":
    main()
