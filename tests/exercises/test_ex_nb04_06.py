"""Checkers of notebooks 04-06: pass on the solutions, fail on typical wrong answers with the right hint."""

import math
import sys
from collections import deque

from exhelp import fails

from tinygrad_edu import bugs
from tinygrad_edu.engine import Value, topological_order
from tinygrad_edu.exercises import (bug_hunt_function, bug_hunt_source, check_backward, check_bug_hunt,
                                    check_kink_quiz, check_moons, check_parameters_zero_grad,
                                    check_softmax_nll, check_topological_sort, check_training_loop,
                                    check_unary_rules)
from tinygrad_edu.exercises import solutions as S
from tinygrad_edu.exercises.nb04 import HUNT_BUGS


# ---------------------------------------------------------------- nb04
def test_topological_sort():
    assert check_topological_sort(S.topological_sort)
    assert check_topological_sort(topological_order)

    def recursive(root):
        order, seen = [], set()

        def visit(n):
            if n not in seen:
                seen.add(n)
                for c in n.children:
                    visit(c)
                order.append(n)
        visit(root)
        return order

    def no_visited_set(root):
        order, stack = [], [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(node.children))
        return order

    def reversed_order(root):
        return S.topological_sort(root)[::-1]

    def bfs(root):        # every node once, but breadth-first from the root, then reversed
        order, seen, queue = [], {root}, deque([root])
        while queue:
            node = queue.popleft()
            order.append(node)
            for c in node.children:
                if c not in seen:
                    seen.add(c)
                    queue.append(c)
        return order[::-1]

    def skips_constants(root):
        return [n for n in S.topological_sort(root) if n.requires_grad]

    assert sys.getrecursionlimit() < 3000
    fails(check_topological_sort, recursive, match=["recursion limit", "explicit stack"])
    fails(check_topological_sort, no_visited_set, match=["appears twice", "visited"])
    fails(check_topological_sort, reversed_order, match=["starts with the root", "reverse"])
    fails(check_topological_sort, bfs, match=["comes after its consumer", "position"])
    fails(check_topological_sort, skips_constants, match=["the constant", "reachable from the root but missing"])
    fails(check_topological_sort, lambda root: [n.data for n in S.topological_sort(root)],
          match="should hold the Value nodes")


def buggy(bug):
    return lambda root: bugs.backward_with_bug(root, bug)


def test_backward():
    assert check_backward(S.backward)
    assert check_backward(lambda root: root.backward())
    fails(check_backward, buggy("assign_instead_of_accumulate"), match=["accumulation bug", "+="])
    fails(check_backward, buggy("naive_recursive_backward"), match=["order bug", "reverse topological order"])
    fails(check_backward, buggy("no_seed"), match=["has grad 0", "expected 1", "seed root.grad = 1"])
    fails(check_backward, buggy("wrong_order"), match="walked the topological order forwards")
    text = fails(check_backward, buggy("naive_recursive_backward"), match="first wrong gradient")
    assert "'a'" in text or "'b'" in text or "'c'" in text     # names a node of the shared-parents graph


def student_with(bug):
    for k in range(200):
        sid = f"s{k}"
        if bug_hunt_function(sid)(*_probe()) is None and _planted(sid) == bug:
            return sid
    raise AssertionError(f"no student id gets {bug}")


def _probe():
    return (Value(1.0) * 1.0,)


def _planted(sid):
    src = bug_hunt_source(sid)
    if "child.grad = local" in src:
        return "assign_instead_of_accumulate"
    if "root.grad = 1.0" not in src:
        return "no_seed"
    if "node.grad = 0.0" not in src:
        return "no_reset"
    return None


def test_bug_hunt():
    assert check_bug_hunt(S.fixed_backward, student_id="alice")
    ids = {bug: student_with(bug) for bug in HUNT_BUGS}
    fails(check_bug_hunt, bug_hunt_function(ids["assign_instead_of_accumulate"]),
          match=["a.grad = 1", "expected 2", "use +="])
    fails(check_bug_hunt, bug_hunt_function(ids["no_seed"]), match=["a.grad = 0", "seeded with 1"])
    fails(check_bug_hunt, bug_hunt_function(ids["no_reset"]),
          match=["backward called twice", "(63, 48)", "expected (42, 32)", "stale intermediate"])

    def resets_everything(root):
        for n in topological_order(root):
            n.grad = 0.0
        S.backward(root)
    fails(check_bug_hunt, resets_everything, match=["(21, 16)", "you reset the leaves too"])


def test_bug_hunt_source_is_per_student_and_runs():
    assert bug_hunt_source("alice") == bug_hunt_source("alice")
    assert {_planted(f"s{k}") for k in range(40)} == set(HUNT_BUGS)
    f, x, y = bugs.diamond()
    bug_hunt_function(student_with("assign_instead_of_accumulate"))(f)
    assert (x.grad, y.grad) == (15.0, 10.0)


# ---------------------------------------------------------------- nb05
def test_unary_rules():
    assert check_unary_rules(S.unary_rules)
    fails(check_unary_rules, dict(S.unary_rules, tanh=lambda x, out: 1 - x * x),
          match=["tanh'(x)", "1-x² instead of 1-tanh(x)²"])
    fails(check_unary_rules, dict(S.unary_rules, sigmoid=lambda x, out: x * (1 - x)),
          match=["sigmoid", "uses x where the output belongs"])
    fails(check_unary_rules, dict(S.unary_rules, tanh=S.unary_rules["sigmoid"]),
          match="that is the rule of sigmoid")
    fails(check_unary_rules, dict(S.unary_rules, log=lambda x, out: -1 / x), match=["log", "sign is flipped"])
    fails(check_unary_rules, dict(S.unary_rules, log=lambda x, out: x), match=["log", "reciprocal"])
    fails(check_unary_rules, {k: v for k, v in S.unary_rules.items() if k != "exp"}, match="no rule for 'exp'")


def naive_softmax_nll(logits, label):
    from tinygrad_edu.engine import exp, log
    return log(sum(exp(z) for z in logits)) - logits[label]


def test_softmax_nll():
    assert check_softmax_nll(S.softmax_nll)
    from tinygrad_edu.engine import exp, log
    xs = [Value(z) for z in (1.0, 2.0, 0.5, -1.0)]
    assert abs(S.softmax_nll(xs, 1).data - 0.495182) < 1e-6          # CURRICULUM NB05

    def cuts_graph(logits, label):
        m = max(z.data for z in logits)
        return log(sum(exp(z.data - m) for z in logits)) - (logits[label] - m)

    fails(check_softmax_nll, naive_softmax_nll, match=["loss is inf", "subtract the largest logit"])
    fails(check_softmax_nll, lambda z, k: -S.softmax_nll(z, k), match="minus the log-probability")
    fails(check_softmax_nll, lambda z, k: S.softmax_nll(z, (k + 1) % len(z)), match="the label picks logit")
    fails(check_softmax_nll, cuts_graph, match=["d loss / d z", ".data"])
    fails(check_softmax_nll, lambda z, k: 0.5, match="should return a Value")


def test_kink_quiz(capsys):
    assert check_kink_quiz(S.kink_predictions)
    assert "AD differentiates the program" in capsys.readouterr().out
    text = fails(check_kink_quiz, dict(S.kink_predictions, relu_minus_relu_at_0=1.0),
                 match=["1 of 5", "relu_minus_relu_at_0: you predicted 1", "the package gives 0"])
    assert "equals x" in text
    fails(check_kink_quiz, dict(S.kink_predictions, central_abs_near_0=1.0), match=["0.01", "straddle the kink"])
    fails(check_kink_quiz, dict(S.kink_predictions, relu_at_0=0.5, abs_at_0=1.0), match="2 of 5")
    fails(check_kink_quiz, {"relu_at_0": 0}, match="no prediction for 'abs_at_0'")


def test_kink_quiz_truths_are_the_curriculum_numbers():
    from tinygrad_edu.exercises.nb05 import _truth
    assert _truth("relu_at_0") == 0.0 and _truth("abs_at_0") == 0.0
    assert _truth("relu_minus_relu_at_0") == 0.0
    assert abs(_truth("central_abs_near_0") - 0.01) < 1e-12
    assert _truth("sqrt_of_square_at_0") == "error" or math.isnan(_truth("sqrt_of_square_at_0"))


# ---------------------------------------------------------------- nb06
class NoBiasMLP(S.MLP):
    def parameters(self):
        return [p for layer in self.layers for ws, b in layer for p in ws]


class DuplicateMLP(S.MLP):
    def parameters(self):
        ps = super().parameters()
        return ps + ps[:3]


class LazyZeroGrad(S.MLP):
    def zero_grad(self):
        params = self.parameters()
        params = [0.0 for _ in params]   # rebinds a list; grads untouched


def test_parameters_zero_grad():
    assert check_parameters_zero_grad(S.MLP)
    fails(check_parameters_zero_grad, NoBiasMLP, match=["has 32 parameters, expected 41", "biases are missing"])
    fails(check_parameters_zero_grad, DuplicateMLP, match="more than once")
    fails(check_parameters_zero_grad, LazyZeroGrad, match=["still have a grad", "p.grad = 0"])


def no_zero_grad(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def uphill(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    model.zero_grad(); loss.backward()
    for p in model.parameters():
        p.data += lr * p.grad
    return loss


def zero_after(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    model.zero_grad()
    return loss


def mean_loss(model, xs, ys, lr):
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
    model.zero_grad(); loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def test_training_loop():
    assert check_training_loop(S.training_step)
    text = fails(check_training_loop, no_zero_grad, match=["step 2", "grads accumulate across steps", "zero_grad"])
    assert "× the fresh gradient" in text
    fails(check_training_loop, uphill, match="stepped uphill")
    fails(check_training_loop, zero_after, match="zero_grad() goes *before* backward()")
    fails(check_training_loop, mean_loss, match="sum of squared errors")


def linear_model(X, y):
    w = [0.0, 0.0, 0.0]
    for _ in range(200):
        for (x1, x2), t in zip(X, y):
            if t * (w[0] * x1 + w[1] * x2 + w[2]) < 1:
                w = [w[0] + 0.01 * t * x1, w[1] + 0.01 * t * x2, w[2] + 0.01 * t]
    return lambda x: w[0] * x[0] + w[1] * x[1] + w[2]


def test_moons():
    assert check_moons(S.train_moons)
    fails(check_moons, linear_model, match=["training accuracy", "< 95%", "straight line"])
    fails(check_moons, S.train_moons, time_limit=0.01, match=["over the 0 s limit", "fewer steps"])
    fails(check_moons, lambda X, y: (lambda x: float("nan")), match=["is nan", "diverged"])
