"""One training step of the two-moons MLP: tinygrad_edu next to micrograd, same run.

The step is micrograd's demo step: 100 points, MLP(2, [16, 16, 1]), hinge loss
+ 1e-4 * L2, full batch, forward -> zero_grad -> backward -> SGD update.  Both
networks start from the same weights and see the same data.  The time counted
is what a user pays: building the graph, backward, the update, and freeing the
graph (micrograd's graph is full of reference cycles, so part of its cost is
the garbage collector's).  Rounds alternate between the engines; the median of
the per-step times is reported.

    python benchmarks/moons_step.py [--rounds 5] [--steps 10] [--no-gc]

``--no-gc`` switches the cyclic garbage collector off while timing (and collects
between rounds, untimed): what is left is building, backward and the update.
"""

import argparse
import gc
import statistics
import time

from tinygrad_edu import MLP, SGD, make_moons, hinge, l2
from tinygrad_edu.engine import topological_order


def ours_step(model, opt, X, y, k, steps):
    scores = [model(x) for x in X]
    loss = hinge(scores, y) + l2(model, alpha=1e-4)
    opt.lr = 1.0 - 0.9 * k / steps
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.data


def micrograd_step(model, X, y, k, steps):
    from micrograd.engine import Value as MGValue
    inputs = [list(map(MGValue, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    lr = 1.0 - 0.9 * k / steps
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10, help="consecutive steps per round")
    parser.add_argument("--no-gc", action="store_true", help="time with the cyclic GC off")
    args = parser.parse_args()
    from micrograd import nn as mg_nn

    X, y01 = make_moons(100, noise=0.1, seed=0)
    y = [2 * t - 1 for t in y01]                     # micrograd's demo uses ±1 labels
    ours = MLP(2, [16, 16, 1], seed=0)
    theirs = mg_nn.MLP(2, [16, 16, 1])
    for p_theirs, p_ours in zip(theirs.parameters(), ours.parameters()):
        p_theirs.data = p_ours.data
    opt = SGD(ours, lr=1.0)

    # Same numbers: both engines compute the same first loss.
    scores = [ours(x) for x in X]
    loss = hinge(scores, y) + l2(ours, alpha=1e-4)
    nodes = len(topological_order(loss))
    del scores, loss

    times = {"tinygrad_edu": [], "micrograd": []}
    first = {}
    k = 0
    for _ in range(args.rounds):
        for name in ("micrograd", "tinygrad_edu"):
            gc.collect()
            if args.no_gc:
                gc.disable()
            start = time.perf_counter()
            for j in range(args.steps):
                if name == "micrograd":
                    value = micrograd_step(theirs, X, y, k + j, 100)
                else:
                    value = ours_step(ours, opt, X, y, k + j, 100)
                first.setdefault(name, value)
            times[name].append((time.perf_counter() - start) / args.steps)
            gc.enable()
        k += args.steps
    ours_t = statistics.median(times["tinygrad_edu"])
    mg_t = statistics.median(times["micrograd"])
    print(f"graph of one step: {nodes} nodes (loss included)")
    print(f"first loss: tinygrad_edu {first['tinygrad_edu']:.12f}  micrograd {first['micrograd']:.12f}")
    gc_note = ", garbage collector off" if args.no_gc else ""
    print(f"one step (median of {args.rounds} rounds x {args.steps} steps{gc_note}):")
    print(f"  tinygrad_edu {ours_t * 1000:7.1f} ms")
    print(f"  micrograd    {mg_t * 1000:7.1f} ms")
    print(f"  ratio        {ours_t / mg_t:7.2f} (tinygrad_edu / micrograd)")


if __name__ == "__main__":
    main()
