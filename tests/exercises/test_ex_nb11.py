"""Checkers of notebook 11: pass on the solutions, fail on typical wrong answers with the right hint."""

import numpy as np
import pytest
from exhelp import S, fails

from tinygrad_edu import grad, jvp
from tinygrad_edu.exercises import check_hvp_fwd_rev, check_matmul_vjp, check_unbroadcast, nb11
from tinygrad_edu.exercises._exercise import to_wire


def test_answer_key_passes_for_several_students():
    for student in (None, "ada", "bo"):
        assert check_unbroadcast(S.unbroadcast, student_id=student)
        assert check_matmul_vjp(S.matmul_vjp, student_id=student)
        assert check_hvp_fwd_rev(S.hvp_fwd_rev, student_id=student)


@pytest.mark.parametrize("shape, big", [((4,), (3, 4)), ((3, 1), (3, 4)), ((), (2, 3)), ((2, 1, 4), (5, 2, 3, 4))])
def test_unbroadcast_reference_matches_the_scalar_engine(shape, big):
    # Independent oracle: broadcast references to the same Values, let backward add the copies.
    from tinygrad_edu import Value
    rng = np.random.default_rng(1)
    g = rng.normal(size=big)
    small = np.array([Value(float(v)) for v in rng.normal(size=shape).ravel()], dtype=object).reshape(shape)
    out = np.sum((np.zeros(big) + small) * g)
    out.backward()
    grads = np.vectorize(lambda v: v.grad)(small).astype(float)
    assert nb11.unbroadcast_reference(g, shape).shape == shape
    assert np.allclose(nb11.unbroadcast_reference(g, shape), grads, rtol=1e-12, atol=1e-12)


def test_cases_are_random_per_student_and_reproducible():
    for ex in nb11.EXERCISES:
        a, b = ex.make_cases("ada"), ex.make_cases("bo")
        assert a == ex.make_cases("ada") and a != b
    shapes = [tuple(c["shape"]) for c in nb11.EX1.make_cases("ada")]
    assert shapes[:2] == [(4,), (3, 1)] and {(), (1, 1), (2, 1, 4)} <= set(shapes)
    assert len(nb11.EX2.make_cases("ada")[0]["A"]) == len(nb11.EX2.make_cases("ada")[0]["A"][0])   # square first


def test_probes_return_plain_data():
    for ex, name in ((nb11.EX1, "unbroadcast"), (nb11.EX2, "matmul_vjp"), (nb11.EX3, "hvp_fwd_rev")):
        cases = ex.make_cases("ada")
        to_wire(ex._probe(cases, getattr(S, name)))          # raises TypeError on anything not plain


def test_stubs_are_not_attempted():
    def stub(*args):
        raise NotImplementedError()
    for check in (check_unbroadcast, check_matmul_vjp, check_hvp_fwd_rev):
        assert "not written yet" in fails(check, stub)


def test_unbroadcast_wrong_shape_and_raising():
    fails(check_unbroadcast, lambda g, shape: np.zeros(shape), match="returned")
    fails(check_unbroadcast, lambda g, shape: g.reshape(shape), match="raised ValueError")
    fails(check_unbroadcast, lambda g, shape: "no", match="should be a numpy array")


def test_matmul_vjp_not_a_pair_and_wrong_shape():
    fails(check_matmul_vjp, lambda g, A, B: g @ B.T, match="should return a pair")
    fails(check_matmul_vjp, lambda g, A, B: (np.zeros((1, 1)), A.T @ g), match="expected")
    fails(check_matmul_vjp, lambda g, A, B: (g @ B.T, A.T @ g + 1e-3), match="dL/dB wrong")


def test_hvp_judge_reads_sweeps_from_the_probe():
    # The probe counts (the student's process), the judge decides (the grader's).
    cases = nb11.EX3.make_cases("ada")
    seen = nb11.EX3.observe(cases, S.hvp_fwd_rev)
    assert all((obs["forward"], obs["reverse"]) == (1, 1) for obs in seen)
    forged = [dict(obs, forward=0, reverse=2) for obs in seen]
    with pytest.raises(AssertionError, match="reverse-over-reverse"):
        nb11.EX3.verdict(cases, forged)
    wrong = [dict(obs, values=[v + 1.0 for v in obs["values"]]) for obs in seen]
    with pytest.raises(AssertionError, match="expected H·v"):
        nb11.EX3.verdict(cases, wrong)


def test_hvp_exact_but_with_an_extra_sweep_is_told_the_counts():
    def extra(f, x, v):
        grad(f)(x)                               # a wasted reverse sweep
        return [float(h) for h in jvp(grad(f), x, v)[1]]
    fails(check_hvp_fwd_rev, extra, match="1 forward and 2 reverse sweeps")


def test_hvp_reference_matches_central_differences_of_the_gradient():
    case = nb11.EX3.make_cases("ada")[0]
    f = nb11.hvp_test_function(case["A"])
    x, v = np.array(case["x"]), np.array(case["v"])
    eps = 1e-5
    numeric = (np.array(grad(f)(list(x + eps * v))) - np.array(grad(f)(list(x - eps * v)))) / (2 * eps)
    exact, gradient = nb11._hvp_reference(case["A"], case["x"], case["v"])
    assert np.allclose(exact, numeric, rtol=1e-7, atol=1e-8)
    assert np.allclose(gradient, grad(f)(list(x)), rtol=1e-12)


def test_the_exercises_import_without_numpy_and_say_what_is_missing():
    # numpy is an optional extra of the package: the checkers of notebook 11 import it when used.
    import subprocess
    import sys
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'numpy': raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import tinygrad_edu.exercises as ex\n"
        "assert 'nb11_ex1' in ex.EXERCISES\n"
        "try:\n"
        "    ex.check_unbroadcast(lambda g, shape: g)\n"
        "except ImportError as err:\n"
        "    print(err)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "notebook 11's checkers need numpy" in done.stdout
