"""One exercise = cases, a probe and a judge: the split that makes grading safe.

A checker used to call the student's code and judge the result in one go, in
one process.  For a class that is unsafe: a submission can patch the checker
it runs beside.  So every exercise is written in three parts:

``cases(rng, **options)``
    the inputs, as plain data (numbers, strings, lists, dicts), drawn from a
    generator seeded by the exercise and the student;
``probe(cases, *answers)``
    runs the student's answers on those inputs and returns what it *observed*,
    again as plain data -- it judges nothing;
``judge(cases, seen)``
    compares the observations with the reference, names the mistake, and
    returns the success message or raises ``ExerciseFailed``.

In a notebook all three run in the student's kernel (``Exercise.check``).  The
class grader runs ``probe`` in a sandboxed child process and ``cases`` and
``judge`` in its own, where no student code ever ran: a probe patched by a
student can only send numbers, and numbers get marks only if they are right.
Observations cross the boundary as JSON (``to_plain`` checks the types), and
the notebook path makes the same round trip, so both see identical data.

    >>> ex = Exercise("demo_ex1", "double it", ("double",))
    >>> @ex.cases
    ... def _(rng): return [1.0, 2.5]
    >>> @ex.probe
    ... def _(cases, double): return [double(x) for x in cases]
    >>> @ex.judge
    ... def _(cases, seen):
    ...     if seen != [2 * x for x in cases]: fail("demo_ex1", f"got {seen}")
    ...     return "doubles every number"
    >>> ex.check(lambda x: 2 * x)
    ✓ demo_ex1: doubles every number
    True
"""

import json

from ._common import fail, passed, student_rng

__all__ = ["Exercise", "to_plain", "from_wire", "to_wire"]


class Exercise:
    """An exercise: its id, title, the names a submission defines, and cases/probe/judge.

    ``parts`` counts independent parts (partial credit: 4 of 5 right earns 0.8);
    ``seconds`` is the wall-clock time the grader allows one honest run of the probe.
    """

    def __init__(self, id, title, names, *, parts=1, seconds=10.0):
        self.id = id
        self.title = title
        self.names = tuple(names)
        self.parts = parts
        self.seconds = seconds
        self._cases = self._probe = self._judge = None

    def __repr__(self):
        return f"Exercise({self.id!r}, {self.title!r}, names={self.names})"

    # Decorators: each exercise module fills in its three parts.
    def cases(self, fn):
        self._cases = fn
        return fn

    def probe(self, fn):
        self._probe = fn
        return fn

    def judge(self, fn):
        self._judge = fn
        return fn

    # The three steps, as the grader calls them.
    def make_cases(self, student_id=None, **options):
        """The inputs for this student (plain data; the same student always gets the same)."""
        return from_wire(to_wire(self._cases(student_rng(self.id, student_id), **options)))

    def observe(self, cases, *answers):
        """Run the student's answers on the cases; plain data, as it would cross the wire."""
        return from_wire(to_wire(self._probe(cases, *answers)))

    def verdict(self, cases, seen):
        """The success message, or ExerciseFailed naming the mistake."""
        return self._judge(cases, seen)

    def check(self, *answers, student_id=None, **options):
        """Check answers in this process (the notebook's checker): print ✓ and return True, or raise."""
        if len(answers) != len(self.names):
            fail(self.id, f"the checker takes {len(self.names)} answer(s): {', '.join(self.names)}")
        cases = self.make_cases(student_id, **options)
        return passed(self.id, self.verdict(cases, self.observe(cases, *answers)))


# -- plain data on the wire ---------------------------------------------------------
_SCALARS = (type(None), bool, int, float, str)


def to_plain(x, _depth=0):
    """``x`` as JSON-able plain data (tuples become lists); anything else is our bug: TypeError.

    Exact types are required (``type(x) is float``), so an object that pretends to be a
    number never crosses: a probe turns a student's answer into a number first.

    >>> to_plain({"a": (1, 2.5, None)})
    {'a': [1, 2.5, None]}
    """
    kind = type(x)
    if kind in _SCALARS:
        return x
    if _depth > 20:
        raise TypeError("observation nested deeper than 20 levels")
    if kind in (list, tuple):
        return [to_plain(v, _depth + 1) for v in x]
    if kind is dict:
        if any(type(k) is not str for k in x):
            raise TypeError("observation dict keys must be str")
        return {k: to_plain(v, _depth + 1) for k, v in x.items()}
    raise TypeError(f"a probe returned a {kind.__name__}; observations are plain data only")


def to_wire(x):
    """Plain data as one line of JSON (NaN and infinities allowed: they are observations too)."""
    return json.dumps(to_plain(x), allow_nan=True, separators=(",", ":"))


def from_wire(text):
    """The inverse of ``to_wire``; ``json`` can only build plain types, whatever the text says."""
    return json.loads(text)
