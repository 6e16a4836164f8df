"""Self-checking exercises for the ten notebooks.

Every exercise has one checker.  Call it on your answer in the notebook::

    from tinygrad_edu.exercises import check_mul_backward
    check_mul_backward(mul_backward)      # ✓ nb03_ex1: ...   or   ✗ nb03_ex1: <what is wrong>

A checker runs your code on many inputs.  It prints one ✓ line and returns
``True``, or raises ``ExerciseFailed`` (an ``AssertionError``) whose message
names what is wrong -- which op, which partial, expected vs got -- and a hint.
Jupyter shows that message without a traceback; ``try_check(checker, ...)``
prints it and returns ``False`` instead (handy in a loop over exercises).

Teachers: ``EXERCISES`` maps each exercise id (``nb03_ex1``...) to its checker
and the names a submission module must define; ``grade(module)`` runs them
all, and ``python -m tinygrad_edu.exercises grade alice.py bob.py`` prints a
table.  The same checks run under pytest, one marker per exercise:
``TINYGRAD_EDU_STUDENT=submissions/alice.py pytest -m nb03_ex1``.

The reference solutions live in ``tinygrad_edu.exercises.solutions`` (not
imported here, so they stay out of a student's way).
"""

import importlib.util
import inspect
import os
from dataclasses import dataclass

from ._common import ExerciseFailed, try_check
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
    "ExerciseFailed", "try_check", "EXERCISES", "Exercise", "grade", "load_submission",
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


@dataclass(frozen=True)
class Exercise:
    """One exercise: its checker and the names a submission defines for it (in argument order)."""
    id: str
    title: str
    check: object
    names: tuple


EXERCISES = {e.id: e for e in [
    Exercise("nb01_ex1", "central difference", check_central_difference, ("central_difference",)),
    Exercise("nb01_ex2", "best step size h", check_best_h, ("h_forward", "h_central")),
    Exercise("nb01_ex3", "gradient of F by hand", check_gradient_F, ("grad_F",)),
    Exercise("nb02_ex1", "the chain's local derivatives", check_chain_links, ("chain_links",)),
    Exercise("nb02_ex2", "the chain's derivative", check_chain_derivative, ("chain_derivative",)),
    Exercise("nb02_ex3", "sum over paths", check_path_sum, ("path_sum",)),
    Exercise("nb03_ex1", "backward of mul", check_mul_backward, ("mul_backward",)),
    Exercise("nb03_ex2", "gradients by hand", check_manual_grads, ("manual_grads",)),
    Exercise("nb03_ex3", "reflected operators", check_reflected_ops, ("ReflectedValue",)),
    Exercise("nb04_ex1", "topological sort", check_topological_sort, ("topological_sort",)),
    Exercise("nb04_ex2", "backward()", check_backward, ("backward",)),
    Exercise("nb04_ex3", "bug hunt", check_bug_hunt, ("fixed_backward",)),
    Exercise("nb05_ex1", "unary backward rules", check_unary_rules, ("unary_rules",)),
    Exercise("nb05_ex2", "softmax + NLL", check_softmax_nll, ("softmax_nll",)),
    Exercise("nb05_ex3", "kink quiz", check_kink_quiz, ("kink_predictions",)),
    Exercise("nb06_ex1", "parameters() and zero_grad()", check_parameters_zero_grad, ("MLP",)),
    Exercise("nb06_ex2", "the training loop", check_training_loop, ("training_step",)),
    Exercise("nb06_ex3", "two moons", check_moons, ("train_moons",)),
    Exercise("nb07_ex1", "grad as a transform", check_grad_impl, ("grad",)),
    Exercise("nb07_ex2", "logistic regression", check_logistic_regression, ("train_logistic",)),
    Exercise("nb07_ex3", "Taylor tolerance", check_taylor_tolerance, ("taylor_tolerance",)),
    Exercise("nb08_ex1", "the VJP table", check_vjp_table, ("vjp_table",)),
    Exercise("nb08_ex2", "a stable softplus primitive", check_softplus_primitive, ("softplus", "softplus_vjp")),
    Exercise("nb08_ex3", "trace order", check_trace_order, ("trace_prediction",)),
    Exercise("nb09_ex1", "dual numbers", check_dual, ("Dual",)),
    Exercise("nb09_ex2", "forward and reverse Jacobians", check_jacobians, ("jacobian_fwd", "jacobian_rev")),
    Exercise("nb09_ex3", "which mode is cheaper", check_mode_prediction, ("mode_predictions",)),
    Exercise("nb10_ex1", "Hessian-vector product", check_hvp, ("hvp",)),
    Exercise("nb10_ex2", "elementwise_grad vs jacobian", check_elementwise_vs_jacobian,
             ("egrad_value", "jacobian_value", "elementwise_choice")),
    Exercise("nb10_ex3", "gradients of nested containers", check_nested_grads, ("grad_nested",)),
]}


def load_submission(path):
    """Import a student's ``.py`` file (or a directory of them, merged) as a module-like namespace."""
    path = os.fspath(path)
    if os.path.isdir(path):
        merged = _Namespace(os.path.basename(os.path.normpath(path)))
        for name in sorted(os.listdir(path)):
            if name.endswith(".py"):
                vars(merged).update({k: v for k, v in vars(load_submission(os.path.join(path, name))).items()
                                     if not k.startswith("__")})
        return merged
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no submission at {path!r} (give a .py file or a directory of .py files)")
    stem = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(f"tinygrad_edu_submission_{stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Namespace:
    def __init__(self, name):
        self.__name__ = name


def run_exercise(exercise_id, submission, student_id=None):
    """Run one exercise's checker on a submission (module or namespace); raises ExerciseFailed."""
    ex = EXERCISES[exercise_id]
    missing = [n for n in ex.names if not hasattr(submission, n)]
    if missing:
        raise ExerciseFailed(exercise_id, f"the submission defines no {', '.join(missing)}",
                             f"define {', '.join(ex.names)} for this exercise")
    args = [getattr(submission, n) for n in ex.names]
    kwargs = {}
    if "student_id" in inspect.signature(ex.check).parameters:
        kwargs["student_id"] = getattr(submission, "STUDENT_ID", student_id)
    return ex.check(*args, **kwargs)


def grade(submission, exercises=None, student_id=None):
    """{exercise id: "pass" or the failure message} for a submission module or path."""
    if isinstance(submission, (str, os.PathLike)):
        if student_id is None:
            student_id = os.path.splitext(os.path.basename(os.path.normpath(submission)))[0]
        submission = load_submission(submission)
    results = {}
    for exercise_id in exercises or EXERCISES:
        try:
            run_exercise(exercise_id, submission, student_id)
            results[exercise_id] = "pass"
        except ExerciseFailed as err:
            results[exercise_id] = str(err)
    return results
