"""autograd's scalar vocabulary on Values: numpy's functions, checked against HIPS autograd."""

import math
import pickle
import random
import textwrap

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Value

pytestmark = pytest.mark.filterwarnings("ignore:Output seems independent of input")

RNG = random.Random(2024)


def points(lo, hi, edge_lo=False, edge_hi=False, count=25):
    """Random points in (lo, hi), plus points a hair inside an open domain edge."""
    xs = [RNG.uniform(lo, hi) for _ in range(count)]
    if edge_lo:
        xs += [lo + 1e-9, lo + 1e-6]
    if edge_hi:
        xs += [hi - 1e-9, hi - 1e-6]
    return xs


# name -> the points to try (near the edges of each function's domain)
UNARY = {
    "log2": points(0, 50, edge_lo=True), "log10": points(0, 50, edge_lo=True),
    "exp2": points(-50, 50), "arcsin": points(-1, 1, True, True), "arccos": points(-1, 1, True, True),
    "arcsinh": points(-50, 50) + [1e160, -1e200], "arccosh": points(1, 50, edge_lo=True),
    "arctanh": points(-1, 1, True, True), "rad2deg": points(-10, 10), "deg2rad": points(-500, 500),
    "radians": points(-500, 500), "degrees": points(-10, 10), "square": points(-10, 10),
    "reciprocal": points(0.1, 10), "sinc": points(-5, 5) + [1e-3, -2.5], "exp": points(-50, 50),
    "log": points(0, 50, edge_lo=True), "sqrt": points(0, 50, edge_lo=True), "sin": points(-10, 10),
    "cos": points(-10, 10), "tan": points(-1.5, 1.5), "tanh": points(-50, 50),
    "arctan": points(-50, 50), "sinh": points(-20, 20), "cosh": points(-20, 20),
    "log1p": points(-1, 50, edge_lo=True), "expm1": points(-50, 50), "abs": points(-5, 5),
    "absolute": points(-5, 5), "fabs": points(-5, 5), "negative": points(-5, 5),
    "real": points(-5, 5), "conj": points(-5, 5), "angle": points(-5, 5),
}


def close(a, b, rel=1e-12, abs_=1e-300):
    return a == b or math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_every_unary_function_matches_autograd(name):
    ours, theirs = getattr(np, name), getattr(anp, name)
    for x in UNARY[name]:
        if name == "arcsinh" and abs(x) > 1e150:
            expected = 1 / abs(x)             # autograd's x**2 + 1 overflows here
        elif name == "expm1":
            expected = math.exp(x)            # autograd's ans + 1 cancels for x << 0 (we don't)
        else:
            expected = autograd.grad(lambda t: theirs(t))(x)
        got = tg.grad(lambda t: ours(t))(x)
        assert type(got) is float
        assert close(got, expected, rel=1e-9), (name, x, got, expected)
        # second derivatives too, through the rules evaluated on Values
        if name not in ("abs", "absolute", "fabs", "angle", "sinc") and abs(x) < 1e150:
            expected2 = autograd.grad(autograd.grad(lambda t: theirs(t)))(x)
            got2 = tg.grad(tg.grad(lambda t: ours(t)))(x)
            assert close(got2, expected2, rel=1e-7, abs_=1e-12), (name, x, got2, expected2)


BINARY = {
    "arctan2": lambda: (RNG.uniform(-5, 5), RNG.uniform(-5, 5)),
    "hypot": lambda: (RNG.uniform(-5, 5), RNG.uniform(-5, 5)),
    "logaddexp": lambda: (RNG.uniform(-800, 800), RNG.uniform(-800, 800)),
    "logaddexp2": lambda: (RNG.uniform(-50, 50), RNG.uniform(-50, 50)),
    "mod": lambda: (RNG.uniform(-20, 20), RNG.choice([-1, 1]) * RNG.uniform(0.5, 5)),
    "remainder": lambda: (RNG.uniform(-20, 20), RNG.uniform(0.5, 5)),
    "power": lambda: (RNG.uniform(0.1, 5), RNG.uniform(-3, 3)),
    "maximum": lambda: (RNG.uniform(-5, 5), RNG.uniform(-5, 5)),
    "minimum": lambda: (RNG.uniform(-5, 5), RNG.uniform(-5, 5)),
    "fmax": lambda: (RNG.uniform(-5, 5), RNG.uniform(-5, 5)),
    "fmin": lambda: (RNG.uniform(-5, 5), RNG.uniform(-5, 5)),
    "true_divide": lambda: (RNG.uniform(-5, 5), RNG.uniform(0.5, 5)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_every_binary_function_matches_autograd(name):
    ours, theirs = getattr(np, name), getattr(anp, name)
    for _ in range(40):
        x, y = BINARY[name]()
        expected = autograd.grad(lambda a, b: theirs(a, b), argnum=(0, 1))(x, y)
        got = tg.grad(lambda a, b: ours(a, b), argnum=(0, 1))(x, y)
        for g, e in zip(got, expected):
            assert close(g, e, rel=1e-9), (name, x, y, got, expected)


def test_the_percent_operator_matches_autograd():
    for _ in range(50):
        x, y = RNG.uniform(-20, 20), RNG.choice([-1, 1]) * RNG.uniform(0.5, 5)
        got = tg.grad(lambda a, b: a % b, argnum=(0, 1))(x, y)
        expected = autograd.grad(lambda a, b: a % b, argnum=(0, 1))(x, y)
        assert got == pytest.approx([float(e) for e in expected], rel=1e-12)
    assert tg.grad(lambda a: 7.0 % a)(2.0) == autograd.grad(lambda a: 7.0 % a)(2.0) == -3.0
    assert (Value(7.5) % 2).data == 7.5 % 2


def test_complex_angle_matches_autograd():
    for _ in range(20):
        z = complex(RNG.uniform(-3, 3), RNG.uniform(-3, 3))
        assert tg.grad(lambda t: np.angle(t))(z) == pytest.approx(autograd.grad(lambda t: anp.angle(t))(z),
                                                                  rel=1e-12)


def test_piecewise_constant_functions_give_plain_numbers_and_zero_gradients():
    v = Value(2.7)
    assert np.floor(v) == 2.0 and np.ceil(v) == 3.0 and np.sign(Value(-2.0)) == -1.0
    assert math.floor(v) == 2 and math.ceil(v) == 3 and round(v) == 3 and math.trunc(v) == 2
    assert v // 2 == 1.0 and 7 // Value(2.0) == 3.0 and np.rint(v) == 3.0
    f = lambda t: np.floor(t) * t + np.sign(t) * t      # noqa: E731
    assert tg.grad(f)(2.7) == autograd.grad(lambda t: anp.floor(t) * t + anp.sign(t) * t)(2.7) == 3.0


def test_abs_is_a_method_and_a_module_function():
    v = Value(-3.0)
    y = v.abs()
    y.backward()
    assert (y.data, v.grad) == (3.0, -1.0)
    assert tg.abs(Value(-2.0)).data == 2.0 and tg.abs(-2.0) == 2.0
    assert tg.grad(tg.abs)(-1.5) == -1.0


# Programs written for HIPS autograd; only the two import lines change.
AUTOGRAD_HEADER = "import autograd.numpy as np\nfrom autograd import grad\n"
TINYGRAD_HEADER = "import numpy as np\nfrom tinygrad_edu import grad\n"
PROGRAMS = {
    "logistic_loss": ("""
        def f(w):
            z = 0.7 * w - 0.2
            return np.log1p(np.exp(-z)) + 0.1 * np.square(w)
        """, [-3.0, 0.0, 2.5]),
    "angles": ("""
        def f(t):
            x, y = np.cos(t) * 2.0, np.sin(t) * 3.0
            return np.arctan2(y, x) + np.hypot(x, y) + np.rad2deg(t) / 90.0
        """, [0.3, 1.2, 2.8]),
    "logs_and_powers": ("""
        def f(x):
            return np.log2(x) * np.log10(x + 1) + np.exp2(-x) + x ** 0.5 + 2.0 ** x
        """, [0.2, 1.0, 7.5]),
    "inverse_trig": ("""
        def f(x):
            return np.arcsin(x) * np.arccos(x / 2) + np.arctanh(x * 0.9) + np.arcsinh(3 * x)
        """, [-0.95, 0.0, 0.5, 0.999]),
    "hyperbolic_chain": ("""
        def f(x):
            return np.tanh(np.sinh(x) / np.cosh(x / 2)) + np.arccosh(1 + x * x)
        """, [0.1, -1.3, 4.0]),
    "softmax_free_energy": ("""
        def f(x):
            return np.logaddexp(x, 2 * x) - np.logaddexp2(x, -x) + np.sinc(x)
        """, [-2.2, 0.4, 3.3]),
    "sawtooth": ("""
        def f(x):
            return (x * 3.0) % 1.7 + np.remainder(x, 0.5) * x + np.floor(x) * x
        """, [0.31, 2.2, -1.1]),
    "loop_and_branch": ("""
        def f(x):
            total = 0.0
            for k in range(1, 6):
                term = np.sin(k * x) / k if x > 0 else np.cos(k * x) / k
                total = total + term * np.deg2rad(30.0 * k)
            return total + np.abs(x) + np.maximum(x, 0.5) - np.minimum(x, -0.5)
        """, [-0.7, 0.9, 1.6]),
    "complex_modulus": ("""
        def f(z):
            w = z * z + 1j * z
            return np.real(w) + np.imag(w) ** 2 + np.abs(w) + np.angle(w)
        """, [1.0 + 0.5j, -0.3 + 2.0j]),
    "expm1_and_degrees": ("""
        def f(x):
            return np.expm1(x) / (1 + x * x) + np.degrees(np.radians(x)) * np.reciprocal(2 + x)
        """, [-30.0, 0.001, 5.0]),
    "nested_grad": ("""
        def f(x):
            inner = grad(lambda y: np.tanh(x * y) * np.log2(1 + y * y))
            return inner(x) * x
        """, [0.4, 1.7]),
}


def run_program(header, body):
    namespace = {}
    exec(header + textwrap.dedent(body) + "df = grad(f)\n", namespace)
    return namespace["df"]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_autograd_programs_run_with_only_the_import_changed(name):
    body, inputs = PROGRAMS[name]
    ours, theirs = run_program(TINYGRAD_HEADER, body), run_program(AUTOGRAD_HEADER, body)
    for x in inputs:
        got, expected = ours(x), theirs(x)
        assert type(got) is type(expected) or isinstance(expected, (float, np.floating, complex))
        assert complex(got) == pytest.approx(complex(expected), rel=1e-9, abs=1e-12), (name, x)


@pytest.mark.parametrize("call, message", [
    (lambda: np.arcsin(Value(1.5)), r"arcsin\(1.5\) is undefined for real numbers: arcsin needs -1 <= x <= 1"),
    (lambda: np.arccos(Value(-1.01)), r"arccos\(-1.01\) is undefined .* needs -1 <= x <= 1"),
    (lambda: np.arccosh(Value(0.5)), r"arccosh\(0.5\) is undefined .* needs x >= 1"),
    (lambda: np.arctanh(Value(1.0)), r"arctanh\(1.0\) is undefined .* needs -1 < x < 1"),
    (lambda: np.log2(Value(0.0)), r"log2\(0.0\) is undefined for real numbers: log2 needs x > 0"),
    (lambda: np.log10(Value(-2.0)), r"log10\(-2.0\) is undefined .* needs x > 0"),
    (lambda: tg.arcsin(2.0), r"arcsin\(2.0\) is undefined"),
])
def test_domain_errors_name_the_function_and_its_operand(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_modulo_by_zero_and_undefined_derivatives_are_named():
    with pytest.raises(ZeroDivisionError, match=r"2.0 % 0.0 is undefined \(modulo by zero\)"):
        Value(2.0) % 0
    with pytest.raises(ZeroDivisionError, match=r"derivative of arcsin\(1.0\) is infinite"):
        tg.grad(np.arcsin)(1.0)
    with pytest.raises(ZeroDivisionError, match=r"derivative of arctan2\(0.0, 0.0\)"):
        tg.grad(lambda y: np.arctan2(y, 0.0))(0.0)
    with pytest.raises(TypeError, match="arctan2 is not defined for complex"):
        np.arctan2(Value(1j), 1.0)
    assert tg.grad(lambda x: np.hypot(x, 0.0))(0.0) == 0.0        # like abs'(0) = 0


def test_numpy_scalars_and_arrays_still_combine_with_values():
    v = Value(1.5)
    assert (np.float64(2.0) * v).data == 3.0 and (v * np.float64(2.0)).data == 3.0
    products = np.array([1.0, 2.0]) * v
    assert products.dtype == object and [p.data for p in products] == [1.5, 3.0]
    values = np.array([Value(0.5), Value(0.25)])
    logs = np.log2(values)
    assert [x.data for x in logs] == [-1.0, -2.0]
    assert [a.data for a in np.arctan2(values, np.array([1.0, 1.0]))] == [math.atan(0.5), math.atan(0.25)]
    assert np.clip(Value(3.0), 0.0, 1.0) == 1.0
    assert np.sum(v) is v


def test_module_functions_work_on_plain_numbers():
    assert tg.log2(8.0) == 3.0 and tg.exp2(3) == 8.0 and tg.sinc(0.0) == 1.0
    assert tg.arctan2(1.0, 1.0) == math.pi / 4 and tg.hypot(3, 4) == 5.0
    assert tg.rad2deg(math.pi) == 180.0 and tg.angle(-1.0) == math.pi
    assert tg.logaddexp(1000.0, 1000.0) == 1000.0 + math.log(2)
    assert list(tg.log10(np.array([10.0, 100.0]))) == [1.0, 2.0]


def test_module_functions_pickle_by_name():
    for fn in (tg.tanh, tg.log2, tg.arctan2, tg.sigmoid, tg.relu):
        assert pickle.loads(pickle.dumps(fn)) is fn


@pytest.mark.parametrize("program", [
    lambda np_, x: np_.clip(x * 3, -1.0, 2.0) + np_.where(x > 0.2, x * x, -x),
    lambda np_, x: np_.nan_to_num(x * 2) + np_.real_if_close(x) * np_.conjugate(x),
    lambda np_, x: np_.add(x, 1.0) * np_.multiply(x, x) - np_.subtract(2.0, x) / np_.divide(x, 3.0),
    lambda np_, x: np_.imag(x * (1 + 2j)) + np_.real(x * x) + np_.true_divide(1.0, x),
], ids=["clip_where", "nan_to_num_real_if_close", "arithmetic_ufuncs", "real_imag"])
def test_the_rest_of_autograds_list_on_values(program):
    for x in (-1.3, 0.4, 0.9):
        got = tg.grad(lambda t: program(np, t))(x)
        expected = autograd.grad(lambda t: program(anp, t))(x)
        assert got == pytest.approx(float(expected), rel=1e-12), x
