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

from ._common import ExerciseFailed, checks, try_check
from ._exercise import Exercise
from . import nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10, nb11, nb12
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
from .nb11 import check_hvp_fwd_rev, check_matmul_vjp, check_unbroadcast
from .nb12 import check_my_backward, check_my_value, compare_engines

__all__ = [
    "ExerciseFailed", "try_check", "checks", "EXERCISES", "Exercise",
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
    "check_unbroadcast", "check_matmul_vjp", "check_hvp_fwd_rev",
    "check_my_value", "check_my_backward", "compare_engines",
]


def _registry():
    """{exercise id: Exercise}, in course order, from each notebook module's EXERCISES."""
    table = {}
    for module in (nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10, nb11, nb12):
        for ex in module.EXERCISES:
            table[ex.id] = ex
    return table


EXERCISES = _registry()
