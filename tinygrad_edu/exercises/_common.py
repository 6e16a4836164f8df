"""Shared machinery of the exercise checkers: failures, success lines, numbers.

A checker either prints one success line and returns ``True``, or raises
``ExerciseFailed`` -- an ``AssertionError``, so pytest sees a plain failure --
whose message says what is wrong and gives a hint.  In a notebook the failure
shows as one clean line instead of a traceback (see ``_render_traceback_``);
``try_check`` prints it and returns ``False`` instead of raising.
"""

import hashlib
import random
import sys

from ..engine import Value, gradients
from .._numbers import central_difference, format_number, is_finite


#: How long the checkers' deep chains are: deeper than Python's usual recursion limit (1000), so
#: a recursive walk fails on them.  The browser course's Python frees a graph on a much smaller
#: stack (freeing a chain about 3,000 nodes deep stops its kernel), so there they are 800 long.
DEEP_CHAIN = 800 if sys.platform == "emscripten" else 3000


class ExerciseFailed(AssertionError):
    """A student's answer is wrong; ``str(err)`` is the explanation.

    >>> err = ExerciseFailed("nb01_ex1", "mul(5,10) wrt arg 1 returned 10.0, expected 5.0")
    >>> str(err)
    'nb01_ex1: mul(5,10) wrt arg 1 returned 10.0, expected 5.0'
    """

    def __init__(self, exercise, message, hint="", *, earned=0.0, kind="fail"):
        self.exercise = exercise
        self.problem = message
        self.hint = hint
        #: the share of the exercise's independent parts that were right (partial credit)
        self.earned = earned
        #: "fail", or "not-attempted" for an answer that is still the notebook's stub
        self.kind = kind
        text = f"{exercise}: {message}"
        if hint:
            text += f"\n  hint: {hint}"
        super().__init__(text)

    def _render_traceback_(self):
        # IPython calls this instead of printing a traceback: the student sees
        # the explanation, not the checker's internals.
        return ["\u2717 " + line for line in str(self).splitlines()[:1]] + \
               ["  " + line.strip() for line in str(self).splitlines()[1:]]


def fail(exercise, message, hint="", *, earned=0.0, kind="fail"):
    raise ExerciseFailed(exercise, message, hint, earned=earned, kind=kind)


def passed(exercise, message):
    """Print the success line and return True (so a notebook cell shows both)."""
    print(f"\u2713 {exercise}: {message}")
    return True


def try_check(checker, *args, **kwargs):
    """Run a checker; on failure print the explanation and return False instead of raising.

    >>> try_check(lambda: fail("demo", "wrong"))
    ✗ demo: wrong
    False
    """
    try:
        return checker(*args, **kwargs)
    except ExerciseFailed as err:
        print("\u2717 " + str(err))
        return False


class checks:
    """The checks of one idea in a notebook, shown as one short line.

    Every ``agree(name, got, expected, tol)`` inside the block is a real test: a
    disagreement stops the notebook with both numbers.  When all agree, one
    line says how many checks passed and the largest difference seen
    (``show=True`` prints every comparison as well).

    >>> with checks("derivatives against central differences") as agree:
    ...     agree("d/dx x**2 at 3", 6.0, 6.00000000004, tol=1e-8)
    ...     agree("d/dx sin at 0", 1.0, 0.99999999998, tol=1e-8)
    ✓ derivatives against central differences  (2 checks, largest difference 4.0e-11)
    """

    def __init__(self, idea, show=False):
        self.idea, self.show = idea, show
        self.count, self.largest = 0, 0.0

    def __enter__(self):
        return self.agree

    def __exit__(self, kind, error, trace):
        if kind is None:
            print(f"\u2713 {self.idea}  ({self.count} check{'s' if self.count != 1 else ''}, "
                  f"largest difference {self.largest:.1e})")
        return False

    def agree(self, name, got, expected, tol):
        """Check |got - expected| <= tol (numbers or Values); stop with both numbers if not."""
        got = got.data if isinstance(got, Value) else got        # numpy numbers stay numbers
        expected = expected.data if isinstance(expected, Value) else expected
        difference = abs(got - expected)
        line = f"{name}: got {got:+.10g}, expected {expected:+.10g}, difference {difference:.1e}"
        if not difference <= tol:            # also catches NaN
            raise AssertionError(f"\u2717 {line} (more than the tolerance {tol:g})")
        self.count += 1
        self.largest = max(self.largest, difference)
        if self.show:
            print("  " + line)


def call_student(exercise, fn, *args, what=None, **kwargs):
    """Call the student's code; turn any exception into a clear ExerciseFailed."""
    name = what or getattr(fn, "__name__", "your code")
    if not callable(fn):
        fail(exercise, f"expected a function for {name}, got {type(fn).__name__}: {fn!r}")
    try:
        return fn(*args, **kwargs)
    except ExerciseFailed:
        raise
    except NotImplementedError:
        fail(exercise, f"{name} is not written yet (it raised NotImplementedError)",
             "replace the `raise NotImplementedError` line with your code", kind="not-attempted")
    except MemoryError:           # the grader reports it as its own outcome, "memory"
        raise
    except RecursionError:
        fail(exercise, f"{name} hit Python's recursion limit",
             "walk the graph with an explicit stack (a list) instead of recursion")
    except Exception as err:  # any bug in student code becomes a readable message
        shown = ", ".join(_fmt_arg(a) for a in args)
        fail(exercise, f"{name}({shown}) raised {type(err).__name__}: {err}")


def _fmt_arg(a):
    if isinstance(a, float):
        return fmt(a)
    if isinstance(a, Value):
        return a.label or f"Value({fmt(a.data)})"
    if callable(a):
        return getattr(a, "__name__", "f")
    text = repr(a)
    return text if len(text) < 40 else text[:37] + "..."


def fmt(x):
    """A number for a message: 6 significant digits, like a student writes it."""
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, bool) or x is None:
        return repr(x)
    if isinstance(x, float) and x != x:
        return "nan"                            # never "-nan"
    if isinstance(x, (int, float, complex)):
        return format_number(x, 6, plain=True)
    return repr(x)


def as_number(exercise, x, what):
    """The float inside a student's answer (a float, int or Value)."""
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        try:                      # numpy scalars
            return float(x)
        except (TypeError, ValueError):
            fail(exercise, f"{what} should be a number, got {type(x).__name__}: {x!r}")
    return float(x)


def close(got, expected, rtol=1e-6, atol=1e-9):
    """Relative closeness with an absolute floor (NaN never matches)."""
    if got != got or expected != expected:
        return False
    return abs(got - expected) <= atol + rtol * abs(expected)


def partial_difference(f, args, i, h=1e-5):
    """(f(.., x_i + h, ..) - f(.., x_i - h, ..)) / 2h on plain floats: the slope in argument i."""
    def f_of_one(moved):
        return f(*args[:i], moved, *args[i + 1:])
    return central_difference(f_of_one, args[i], h)


def engine_gradient(f, args):
    """d f / d args via the engine (its own local_grads rules), as floats."""
    xs = [Value(float(a)) for a in args]
    out = f(*xs)
    grads = gradients(out, xs)
    return [float(grads[x]) for x in xs]


def value_of(f, args):
    """f on plain numbers through Values (so engine functions work), as a float."""
    out = f(*[Value(float(a)) for a in args])
    return out.data if isinstance(out, Value) else float(out)


def student_rng(exercise, student_id=None):
    """A random generator fixed by the exercise and the student id.

    The same student always gets the same instance; two students get different ones.
    """
    key = f"{exercise}:{'' if student_id is None else student_id}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def isfinite(x):
    """A finite real number (a complex answer is not what any exercise asks for)."""
    return isinstance(x, (int, float)) and is_finite(x)


# -- crossing the grader's boundary (see _exercise.py) -----------------------------------------
def observed(x):
    """A student's number as plain data: a float, or ``{"not a number": description}``.

    Probes send these; judges read them back with ``number``.

    >>> observed(Value(2.5)), observed(3), observed("3")
    (2.5, 3.0, {'not a number': "str '3'"})
    """
    if isinstance(x, Value):
        x = x.data
    if not isinstance(x, (bool, complex, str, bytes)):
        try:
            value = float(x)
            if type(value) is float:
                return value
        except Exception:                    # noqa: BLE001 - whatever it raises, it is not a number
            pass
    try:
        shown = repr(x)
    except Exception:                        # noqa: BLE001
        shown = "?"
    return {"not a number": f"{type(x).__name__} {shown[:60]}"}


def number(exercise, seen, what):
    """The float a probe observed, or a failure that says what the student gave instead."""
    if type(seen) is float:
        return seen
    if type(seen) is int and type(seen) is not bool:
        return float(seen)
    if type(seen) is dict and "not a number" in seen:
        fail(exercise, f"{what} should be a number, got {seen['not a number']}")
    fail(exercise, f"{what} should be a number, got {seen!r:.60}")


def observations(exercise, seen, count, width=None):
    """The probe's list of ``count`` observations (each a list of ``width``), or a failure.

    A judge must never let a short or missing report pass: ``zip`` would judge nothing.
    Only a probe the submission tampered with sends another shape.
    """
    if type(seen) is not list or len(seen) != count or (
            width is not None and any(type(row) is not list or len(row) != width for row in seen)):
        fail(exercise, f"the observations do not match the test cases ({count} expected; was the "
                       "checker tampered with?)")
    return seen


def distinct_digits(got, expected):
    """Two numbers shown with just enough digits to tell them apart.

    >>> distinct_digits(3.00000001, 3.0001)
    ('3', '3.0001')
    """
    for digits in range(6, 17):
        a, b = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if a != b:
            return a, b
    return fmt(got), fmt(expected)
