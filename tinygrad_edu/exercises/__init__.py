"""Self-checking exercises for the notebooks.

Every exercise has one checker.  Call it on your answer in the notebook::

    from tinygrad_edu.exercises import check_mul_backward
    check_mul_backward(mul_backward)      # ✓ nb03_ex1: ...   or   ✗ nb03_ex1: <what is wrong>

A checker runs your code on many inputs.  It prints one ✓ line and returns
``True``, or raises ``ExerciseFailed`` (an ``AssertionError``) whose message
names what is wrong -- which op, which partial, expected vs got -- and a hint.
Jupyter shows that message without a traceback; ``try_check(checker, ...)``
prints it and returns ``False`` instead (handy in a loop over exercises).

Teachers: ``EXERCISES`` maps each exercise id (``nb03_ex1``...) to its
``Exercise`` (cases, probe, judge: see ``_exercise.py``).  Grade a class, each
submission in its own sandboxed interpreter, with
``python -m tinygrad_edu.exercises grade --out results submissions/*``
(``grading.py``).  The answer key is not part of the package: it lives in the
repository's ``teacher/`` folder.
"""

from ._common import ExerciseFailed, try_check
from ._exercise import Exercise
from . import nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10
from .nb01 import check_best_h, check_central_difference, check_gradient_F
from .nb02 import chain_instance, check_chain_derivative, check_chain_links, check_path_sum
from .nb03 import BareValue, check_manual_grads, check_mul_backward, check_reflected_ops
from .nb04 import bug_hunt_function, bug_hunt_source, check_backward, check_bug_hunt, check_topological_sort
from .nb05 import KINK_CASES, check_kink_quiz, check_softmax_nll, check_unary_rules
from .nb06 import check_moons, check_parameters_zero_grad, check_training_loop
from .nb07 import check_grad_impl, check_logistic_regression, check_taylor_tolerance, taylor_sine
from .nb08 import VJP_OPS, check_softplus_primitive, check_trace_order, check_vjp_table
from .nb09 import MODE_SHAPES, check_dual, check_jacobians, check_mode_prediction
from .nb10 import ELEMENTWISE_CHOICES, check_elementwise_vs_jacobian, check_hvp, check_nested_grads

__all__ = [
    "ExerciseFailed", "try_check", "EXERCISES", "Exercise",
    "check_central_difference", "check_best_h", "check_gradient_F",
    "check_chain_links", "check_chain_derivative", "check_path_sum", "chain_instance",
    "check_mul_backward", "check_manual_grads", "check_reflected_ops", "BareValue",
    "check_topological_sort", "check_backward", "check_bug_hunt", "bug_hunt_source", "bug_hunt_function",
    "check_unary_rules", "check_softmax_nll", "check_kink_quiz", "KINK_CASES",
    "check_parameters_zero_grad", "check_training_loop", "check_moons",
    "check_grad_impl", "check_logistic_regression", "check_taylor_tolerance", "taylor_sine",
    "check_vjp_table", "check_softplus_primitive", "check_trace_order", "VJP_OPS",
    "check_dual", "check_jacobians", "check_mode_prediction", "MODE_SHAPES",
    "check_hvp", "check_elementwise_vs_jacobian", "check_nested_grads", "ELEMENTWISE_CHOICES",
]


def _legacy(id, title, check, names, seconds=10.0):
    """TEMPORARY: an exercise whose checker has not been split into cases/probe/judge yet.

    Its probe runs the whole old checker in the student's process, so a patched
    checker could pass it: not safe for grading.  Removed when every notebook is split.
    """
    ex = Exercise(id, title, names, seconds=seconds)
    ex.cases(lambda rng: None)
    ex.probe(lambda cases, *answers: {"passed": bool(check(*answers))})
    ex.judge(lambda cases, seen: "passed" if seen == {"passed": True} else None)
    return ex


_LEGACY = [
    ("nb01_ex1", "central difference", check_central_difference, ("central_difference",)),
    ("nb01_ex2", "best step size h", check_best_h, ("h_forward", "h_central")),
    ("nb01_ex3", "gradient of F by hand", check_gradient_F, ("grad_F",)),
    ("nb02_ex1", "the chain's local derivatives", check_chain_links, ("chain_links",)),
    ("nb02_ex2", "the chain's derivative", check_chain_derivative, ("chain_derivative",)),
    ("nb02_ex3", "sum over paths", check_path_sum, ("path_sum",)),
    ("nb03_ex1", "backward of mul", check_mul_backward, ("mul_backward",)),
    ("nb03_ex2", "gradients by hand", check_manual_grads, ("manual_grads",)),
    ("nb03_ex3", "reflected operators", check_reflected_ops, ("ReflectedValue",)),
    ("nb04_ex1", "topological sort", check_topological_sort, ("topological_sort",)),
    ("nb04_ex2", "backward()", check_backward, ("backward",)),
    ("nb04_ex3", "bug hunt", check_bug_hunt, ("fixed_backward",)),
    ("nb05_ex1", "unary backward rules", check_unary_rules, ("unary_rules",)),
    ("nb05_ex2", "softmax + NLL", check_softmax_nll, ("softmax_nll",)),
    ("nb05_ex3", "kink quiz", check_kink_quiz, ("kink_predictions",)),
    ("nb06_ex1", "parameters() and zero_grad()", check_parameters_zero_grad, ("MLP",)),
    ("nb06_ex2", "the training loop", check_training_loop, ("training_step",)),
    ("nb06_ex3", "two moons", check_moons, ("train_moons",), 60.0),
    ("nb07_ex1", "grad as a transform", check_grad_impl, ("grad",)),
    ("nb07_ex2", "logistic regression", check_logistic_regression, ("train_logistic",)),
    ("nb07_ex3", "Taylor tolerance", check_taylor_tolerance, ("taylor_tolerance",)),
    ("nb08_ex1", "the VJP table", check_vjp_table, ("vjp_table",)),
    ("nb08_ex2", "a stable softplus primitive", check_softplus_primitive, ("softplus", "softplus_vjp")),
    ("nb08_ex3", "trace order", check_trace_order, ("trace_prediction",)),
    ("nb09_ex1", "dual numbers", check_dual, ("Dual",)),
    ("nb09_ex2", "forward and reverse Jacobians", check_jacobians, ("jacobian_fwd", "jacobian_rev")),
    ("nb09_ex3", "which mode is cheaper", check_mode_prediction, ("mode_predictions",)),
    ("nb10_ex1", "Hessian-vector product", check_hvp, ("hvp",)),
    ("nb10_ex2", "elementwise_grad vs jacobian", check_elementwise_vs_jacobian,
     ("egrad_value", "jacobian_value", "elementwise_choice")),
    ("nb10_ex3", "gradients of nested containers", check_nested_grads, ("grad_nested",)),
]


def _registry():
    """{exercise id: Exercise}, in course order, from each notebook module's EXERCISES."""
    found = {}
    for module in (nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10):
        for ex in getattr(module, "EXERCISES", ()):
            found[ex.id] = ex
    table = {}
    for entry in _LEGACY:
        eid = entry[0]
        table[eid] = found.pop(eid) if eid in found else _legacy(*entry)
    table.update(found)
    return dict(sorted(table.items()))


EXERCISES = _registry()
