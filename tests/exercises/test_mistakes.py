"""Mutation testing of the checkers: every classic mistake must fail, and its hint name it.

Each ``tests/exercises/mistakes_nbXX.py`` lists ``MISTAKES``: the answer key changed by one
classic beginner's mistake.  Every one must fail its exercise's checker; a mistake with
``named`` words must get a failure that contains them; the others must at least show numbers.
``test_coverage_report`` prints, per notebook, how many mistakes were caught, named, generic.
"""

import importlib
import re
from collections import defaultdict
from pathlib import Path

import pytest

from tinygrad_edu.exercises import EXERCISES, ExerciseFailed

HERE = Path(__file__).resolve().parent
MODULES = sorted(p.stem for p in HERE.glob("mistakes_nb*.py"))
ALL = [m for name in MODULES for m in importlib.import_module(name).MISTAKES]
_NUMBER = re.compile(r"\d")


def _run(mistake):
    ex = EXERCISES[mistake.exercise]
    try:
        ex.check(*mistake.answers, **mistake.options)
    except ExerciseFailed as err:
        return err
    return None


@pytest.mark.parametrize("mistake", ALL, ids=[f"{m.exercise}-{m.name}" for m in ALL])
def test_mistake_fails_with_a_hint_that_names_it(mistake):
    err = _run(mistake)
    assert err is not None, f"{mistake} passed the checker"
    text = str(err)
    for word in mistake.named:
        assert word.lower() in text.lower(), f"{mistake}: {word!r} not in the failure:\n{text}"
    if not mistake.named:
        assert _NUMBER.search(text), f"{mistake}: a generic failure must show the numbers:\n{text}"


def test_every_exercise_has_at_least_four_mistakes():
    counts = defaultdict(int)
    for m in ALL:
        counts[m.exercise] += 1
    converted = [e for e in EXERCISES if any(m.exercise == e for m in ALL)]
    thin = {e: counts[e] for e in converted if counts[e] < 4}
    assert not thin, f"exercises with fewer than four mistakes in the table: {thin}"


def test_coverage_report(capsys):
    per = defaultdict(lambda: [0, 0, 0, 0])          # total, caught, named, generic
    for m in ALL:
        row = per[m.exercise[:4]]
        err = _run(m)
        row[0] += 1
        if err is None:
            continue
        row[1] += 1
        text = str(err).lower()
        if m.named and all(w.lower() in text for w in m.named):
            row[2] += 1
        else:
            row[3] += 1
    total = [sum(r[k] for r in per.values()) for k in range(4)]
    with capsys.disabled():
        print("\nmistake table: notebook  mistakes  caught  named  generic")
        for nb in sorted(per):
            print(f"               {nb}      {per[nb][0]:>5}  {per[nb][1]:>6}  {per[nb][2]:>5}  {per[nb][3]:>7}")
        print(f"               all       {total[0]:>5}  {total[1]:>6}  {total[2]:>5}  {total[3]:>7}")
    assert total[1] == total[0]
    if total[0]:
        assert total[2] >= 0.9 * total[0], "fewer than 90 % of the mistakes get a hint that names them"
