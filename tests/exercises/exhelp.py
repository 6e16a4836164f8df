"""Helpers shared by the exercise tests."""

import pytest

from tinygrad_edu.exercises import ExerciseFailed


def fails(checker, *args, match=(), **kwargs):
    """The checker must raise ExerciseFailed whose message holds every string in ``match``."""
    with pytest.raises(ExerciseFailed) as info:
        checker(*args, **kwargs)
    text = str(info.value)
    for m in ([match] if isinstance(match, str) else match):
        assert m in text, f"expected {m!r} in the failure message:\n{text}"
    return text
