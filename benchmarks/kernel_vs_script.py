#!/usr/bin/env python
"""A moons training step timed in a plain script and in a live Jupyter kernel (nbclient).

A kernel keeps some hundred thousand long-lived objects (IPython, zmq, numpy,
matplotlib); every full collection of Python's cyclic garbage collector scans
them all.  The step is MLP(2, [16, 16, 1]) on 100 moons points, hinge loss +
1e-4 * L2, SGD, timed two ways:

* ``fit``: ``tinygrad_edu.fit`` (which pauses the collector during its steps);
* ``manual``: the loop written out (forward, zero_grad, backward, step), as in
  notebook 06 -- only ``backward()`` pauses the collector there.

Times are this thread's CPU time (other processes on the machine do not count),
medians of 5 rounds of 6 steps.

    python benchmarks/kernel_vs_script.py [REPO]   # REPO: the tinygrad_edu to import (default: here)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

STEP_CODE = r'''
import gc, json, statistics, time
from tinygrad_edu import MLP, SGD, fit, hinge, l2, make_moons
X, y = make_moons(100, noise=0.1, seed=0)

def manual_steps(n):
    model = MLP(2, [16, 16, 1], seed=1)
    opt = SGD(model.parameters(), lr=0.5)
    times = []
    for k in range(n):
        start = time.thread_time()
        scores = [model(x) for x in X]
        loss = hinge(scores, y) + l2(model, alpha=1e-4)
        opt.zero_grad()
        loss.backward()
        opt.step()
        del scores, loss
        times.append(time.thread_time() - start)
    return statistics.median(times)

def fit_step(n):
    model = MLP(2, [16, 16, 1], seed=1)
    start = time.thread_time()
    fit(model, X, y, steps=n, progress=False, lr=0.5, l2=1e-4)
    return (time.thread_time() - start) / n

manual_steps(2); fit_step(2)                       # warm up
rounds = [(manual_steps(6), fit_step(6)) for _ in range(5)]
print(json.dumps({"manual": statistics.median(r[0] for r in rounds),
                  "fit": statistics.median(r[1] for r in rounds),
                  "objects": len(gc.get_objects())}))
'''

# What a notebook has loaded before it trains: numpy, matplotlib and a figure.
KERNEL_SETUP = ("import numpy as np, matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
                "fig = plt.figure(); plt.plot([1, 2, 3]); plt.close(fig)\nimport tinygrad_edu")


def in_script(repo):
    env = dict(os.environ, PYTHONPATH=str(repo))
    out = subprocess.run([sys.executable, "-c", STEP_CODE], capture_output=True, text=True,
                         env=env, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def in_kernel(repo):
    import nbformat
    from nbclient import NotebookClient
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(KERNEL_SETUP), nbformat.v4.new_code_cell(STEP_CODE)]
    os.environ["PYTHONPATH"] = str(repo)           # the kernel inherits our environment
    NotebookClient(notebook, timeout=900, kernel_name="python3").execute()
    text = "".join(o.get("text", "") for o in notebook.cells[1].outputs)
    return json.loads(text.strip().splitlines()[-1])


def main():
    repo = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    script, kernel = in_script(repo), in_kernel(repo)
    print(f"objects alive: script {script['objects']:,}, kernel {kernel['objects']:,}")
    for kind in ("fit", "manual"):
        print(f"{kind:6s} step: kernel {kernel[kind] * 1000:6.1f} ms, script {script[kind] * 1000:6.1f} ms, "
              f"kernel/script {kernel[kind] / script[kind]:.2f}")


if __name__ == "__main__":
    main()
