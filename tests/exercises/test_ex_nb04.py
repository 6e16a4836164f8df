"""Checkers of notebook 04: pass on the solutions, fail on typical wrong answers with the right hint."""

import sys

import pytest

import mistakes_nb04                      # the classic wrong answers, written once
from exhelp import S, fails

from tinygrad_edu import bugs
from tinygrad_edu.engine import Value, topological_order
from tinygrad_edu.exercises import (bug_hunt_function, bug_hunt_source, check_backward, check_bug_hunt,
                                    check_topological_sort)

from tinygrad_edu.exercises.nb04 import HUNT_BUGS


def test_topological_sort():
    assert check_topological_sort(S.topological_sort)
    assert check_topological_sort(lambda root: topological_order(root))
    fails(check_topological_sort, topological_order, match=["engine's own", "write your own"])

    def skips_constants(root):
        return [n for n in S.topological_sort(root) if n.requires_grad]

    assert sys.getrecursionlimit() < 3000
    fails(check_topological_sort, mistakes_nb04._recursive, match=["recursion limit", "explicit stack"])
    fails(check_topological_sort, mistakes_nb04._no_visited, match=["appears twice", "visited"])
    fails(check_topological_sort, mistakes_nb04._root_first, match=["starts with the root", "reverse"])
    fails(check_topological_sort, mistakes_nb04._bfs, match=["comes after its consumer", "position"])
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


# -- issue 18 ---------------------------------------------------------------------
def no_reset(root):
    """Seeds and accumulates, but never resets the intermediate nodes' grads."""
    order = topological_order(root)
    root.grad = 1.0
    for node in reversed(order):
        for child, local in zip(node.children, node.local_grads()):
            if local is not None:
                child.grad += local * node.grad


def resets_leaves_too(root):
    for n in topological_order(root):
        n.grad = 0.0
    S.backward(root)


def test_backward_without_a_reset_fails_with_the_stale_hint():
    # The old checker zeroed every grad and called backward once: no_reset passed.
    fails(check_backward, no_reset, match=["stale gradients", "reset the intermediate"])
    fails(check_backward, buggy("no_reset"), match="stale gradients")


def test_backward_that_resets_the_leaves_is_named():
    fails(check_backward, resets_leaves_too, match=["you reset the leaves too", "accumulate"])


def test_backward_contract_is_value_backward_and_the_museum():
    # The same contract as ex3 and Value.backward: leaves accumulate, intermediates show the last pass.
    assert check_backward(buggy(None))
    assert check_bug_hunt(buggy(None))
    fails(check_backward, Value.backward, match="write your own")


def test_bug_hunt_names_a_forward_walk():
    # The old checker told a forward walk "both contributions must add up" (the accumulation hint).
    text = fails(check_bug_hunt, buggy("wrong_order"), match=["(0, 0)", "expected (21, 16)", "forwards"])
    assert "+=" not in text and "accumulation" not in text


def test_bug_hunt_names_the_naive_recursion():
    fails(check_bug_hunt, buggy("naive_recursive_backward"), match=["(25", "expected (25, 19)", "order bug"])


def test_judges_pass_only_complete_honest_observations():
    from tinygrad_edu.exercises import EXERCISES, ExerciseFailed
    for eid, answer in (("nb04_ex1", S.topological_sort), ("nb04_ex2", S.backward),
                        ("nb04_ex3", S.fixed_backward)):
        ex = EXERCISES[eid]
        cases = ex.make_cases("tess")
        seen = ex.observe(cases, answer)
        assert ex.verdict(cases, seen)
        for forged in (seen[:1], [], None, {"passed": True}):
            with pytest.raises(ExerciseFailed, match="do not match the test cases"):
                ex.verdict(cases, forged)
    ex = EXERCISES["nb04_ex1"]
    cases = ex.make_cases("tess")
    seen = ex.observe(cases, S.topological_sort)
    seen[0] = [-2] + seen[0]                   # a number no honest probe sends
    with pytest.raises(ExerciseFailed):
        ex.verdict(cases, seen)


def test_backward_that_multiplies_a_none_local_names_constants():
    # Written before local_grads() gave None for an edge into a constant: the hint says to skip it.
    def backward(root):
        order = topological_order(root)
        for node in order:
            if not node.is_leaf:
                node.grad = 0.0
        root.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node.children, node.local_grads()):
                child.grad += local * node.grad
    fails(check_backward, backward, match=["NoneType", "edge into a constant", "if local is None"])
