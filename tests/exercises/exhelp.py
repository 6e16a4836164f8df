"""Helpers shared by the exercise tests: the answer key, and failure matching."""

import types
from pathlib import Path

import pytest

from tinygrad_edu.exercises import ExerciseFailed

ROOT = Path(__file__).resolve().parents[2]
#: The answer key: a folder of .py files outside the package (a complete submission).
SOLUTIONS = ROOT / "teacher" / "solutions"
if not SOLUTIONS.is_dir():      # an unpacked sdist: the tests that import this module are skipped
    pytest.skip("the answer key (teacher/) is not distributed", allow_module_level=True)


def load_solutions(folder=SOLUTIONS):
    """Every name the answer key defines, as one namespace (run from the files, not imported)."""
    merged = types.SimpleNamespace()
    for path in sorted(Path(folder).glob("*.py")):
        namespace = {"__name__": f"teacher_{path.stem}"}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        vars(merged).update({k: v for k, v in namespace.items() if not k.startswith("__")})
    return merged


S = load_solutions()


def fails(checker, *args, match=(), **kwargs):
    """The checker must raise ExerciseFailed whose message holds every string in ``match``."""
    with pytest.raises(ExerciseFailed) as info:
        checker(*args, **kwargs)
    text = str(info.value)
    for m in ([match] if isinstance(match, str) else match):
        assert m in text, f"expected {m!r} in the failure message:\n{text}"
    return text


class Mistake:
    """A classic beginner's mistake: the answer key with one small edit.

    ``answers`` are the objects the exercise's names get (in ``Exercise.names`` order).
    ``named`` are words the hint (or message) must contain because they name this mistake;
    ``named=()`` marks a mistake that cannot be named from what the checker observes -- then
    the failure must show the observed numbers and one concrete next step (``generic``).
    """

    def __init__(self, exercise, name, *answers, named=(), options=None):
        self.exercise = exercise
        self.name = name
        self.answers = answers
        self.named = (named,) if isinstance(named, str) else tuple(named)
        self.options = options or {}

    def __repr__(self):
        return f"{self.exercise}: {self.name}"
