#!/usr/bin/env python
"""Benchmark: grading a class of 200 on this machine, with the sandboxed grader.

    python benchmarks/grade_class.py               # 200 well-behaved + the hostile set, prints figures
    python benchmarks/grade_class.py --size 20     # a smaller class (the test suite's smoke run)

The class is generated from the answer key (``teacher/solutions``): about 70 % of the
students hand in every answer right, the others one to three classic mistakes (a few
lines of the key replaced), and all of them a single ``.py`` file.  Then each hostile
file of ``tests/exercises/class/`` (loops, exits, memory, patching, forging...) is graded
on its own, to show what it costs.  Every honest student's score is checked against what
their mistakes should cost, so the figures are of a run that graded right.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from tinygrad_edu.exercises import EXERCISES, grading

ROOT = Path(__file__).resolve().parent.parent
KEY = ROOT / "teacher" / "solutions"
HOSTILE = ROOT / "tests" / "exercises" / "class"

#: Mistakes a generated student may make: (exercise ids it costs, code appended after the key).
#: A wrong topological_sort also breaks the key's backward, which uses it: three exercises.
MISTAKES = [
    (("nb01_ex2",), "h_forward = 1e-15\n"),
    (("nb01_ex3",), "def grad_F(a, b, c):\n    return 2 * a * b, a * a, b / c ** 2\n"),
    (("nb02_ex2",), "def chain_derivative(n, m, x):\n    return 0.0\n"),
    (("nb03_ex1",), "def mul_backward(x, y, out):\n    x.grad += x.data * out.grad\n    y.grad += y.data * out.grad\n"),
    (("nb03_ex2",), "manual_grads = dict(manual_grads, a=-8.0)\n"),
    (("nb04_ex1", "nb04_ex2", "nb04_ex3"), "def topological_sort(root):\n    return [root]\n"),
    (("nb07_ex3",), "taylor_tolerance = 0.5\n"),
    (("nb08_ex3",), "trace_prediction = ['sin', '*', '+']\n"),
    (("nb09_ex3",), "mode_predictions = {}\n"),
]


def make_class(folder, size, seed=0):
    """Write ``size`` submissions; returns {file: set of exercise ids it should fail}."""
    rng = random.Random(seed)
    key = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(KEY.glob("*.py")))
    expected = {}
    for k in range(size):
        wrong = rng.sample(MISTAKES, rng.randint(1, 3)) if rng.random() < 0.3 else []
        path = Path(folder) / f"student_{k:03d}.py"
        path.write_text(key + "\n\n# -- this student's own changes\n" + "".join(code for _, code in wrong),
                        encoding="utf-8")
        expected[str(path)] = {eid for ids, _ in wrong for eid in ids}
    return expected


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-hostile", action="store_true")
    args = parser.parse_args(argv)
    options = grading.Options()
    print(f"sandbox: {grading.sandbox_kind(options)}; {os.cpu_count()} cores; --jobs {args.jobs}")
    with tempfile.TemporaryDirectory() as folder:
        expected = make_class(folder, args.size)
        start = time.perf_counter()
        rows = grading.grade_all(list(expected), None, options, args.jobs)
        seconds = time.perf_counter() - start
        wrong = [r for r in rows if {e for e, x in r.results.items() if x.outcome != "pass"}
                 != expected[r.submission.path]]
        slowest = max(r.seconds for r in rows)
        print(f"{args.size} well-behaved submissions ({len(EXERCISES)} exercises each): {seconds:.1f} s "
              f"({seconds / args.size:.2f} s per submission; slowest {slowest:.1f} s)")
        if wrong:
            r = wrong[0]
            print(f"MISGRADED {len(wrong)}: {r.submission.path}: "
                  f"{ {e: (x.outcome, x.message) for e, x in r.results.items() if x.outcome != 'pass'} }")
            return 1
    if not args.no_hostile:
        print(f"hostile files, each graded alone (per-submission timeout {options.timeout:.0f} s):")
        for path in sorted(HOSTILE.glob("*.py")):
            start = time.perf_counter()
            row = grading.grade_all([path], None, options, 1)[0]
            took = time.perf_counter() - start
            outcomes = sorted({r.outcome for r in row.results.values()})
            print(f"  {path.name:28s} {took:6.1f} s   score {row.score:g}/{row.max:g}   {', '.join(outcomes)}")
            if took > options.timeout + 15:
                print("  ^ took longer than its timeout")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
