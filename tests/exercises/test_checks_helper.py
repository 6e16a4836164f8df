"""The notebooks' quiet checks: one line per idea, a loud stop on any disagreement."""

import math

import pytest

from tinygrad_edu import Value
from tinygrad_edu.exercises import checks


def test_one_line_for_all_checks_of_an_idea(capsys):
    with checks("squares against central differences") as agree:
        for x in (1.0, 2.0, 3.0):
            central = ((x + 1e-6) ** 2 - (x - 1e-6) ** 2) / 2e-6
            agree(f"d/dx x² at {x}", 2 * x, central, 1e-6)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert out[0].startswith("✓ squares against central differences  (3 checks, largest difference ")


def test_a_disagreement_stops_with_both_numbers(capsys):
    with pytest.raises(AssertionError, match=r"✗ slope: got \+2, expected \+3, difference 1\.0e\+00"):
        with checks("slopes") as agree:
            agree("slope", 2.0, 3.0, 1e-9)
    assert capsys.readouterr().out == ""          # no ✓ line after a failure


def test_nan_never_agrees():
    with pytest.raises(AssertionError, match="nan"):
        with checks("nan") as agree:
            agree("nan", math.nan, 1.0, 1e9)


def test_values_and_show(capsys):
    with checks("values", show=True) as agree:
        agree("a Value", Value(2.0), 2.0, 0.0)
    out = capsys.readouterr().out.splitlines()
    assert out == ["  a Value: got +2, expected +2, difference 0.0e+00",
                   "✓ values  (1 check, largest difference 0.0e+00)"]


def test_numpy_numbers_are_numbers():
    np = pytest.importorskip("numpy")
    with checks("numpy") as agree:
        agree("np.float64", np.float64(2.0), np.float64(2.0) + 1e-12, 1e-9)
