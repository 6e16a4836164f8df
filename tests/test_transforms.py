"""The functional transforms against HIPS autograd (test-only oracle) and hand-derived values."""

import collections

import numpy as np
import pytest
import autograd
import autograd.numpy as anp
from hypothesis import given, settings, strategies as st

import tinygrad_edu as tg
from tinygrad_edu import (Value, grad, value_and_grad, elementwise_grad, jacobian, jacrev, hessian,
                          hvp, vjp, holomorphic_grad)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def assert_close(ours, theirs, rtol=1e-9, atol=1e-12):
    """Same structure (container types, array shapes) and the same numbers."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs)
        for key in theirs:
            assert_close(ours[key], theirs[key], rtol, atol)
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs), (type(ours), type(theirs))
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_close(a, b, rtol, atol)
    else:
        theirs = np.asarray(theirs)
        if theirs.shape != ():
            assert isinstance(ours, np.ndarray) and ours.shape == theirs.shape
        else:
            assert not isinstance(ours, np.ndarray), f"a scalar input gave an array: {ours!r}"
        np.testing.assert_allclose(np.asarray(ours, dtype=complex), theirs.astype(complex),
                                   rtol=rtol, atol=atol)


# Functions written once, run with either numpy module (ours: numpy on Values; autograd's).
def poly(x, np=np):
    return 3 * x ** 3 - 2 * x * x + x - 7


def wavy(x, np=np):
    return np.sin(x) * np.exp(np.cos(x)) + np.tanh(x) / (1 + x * x)


def logs(x, np=np):
    return np.log(x) * np.sqrt(x) + x ** 2.5 - np.arctan(x)


def hyper(x, np=np):
    return np.sinh(x) * np.cosh(x) + np.log1p(x * x) + np.expm1(x / 3)


SCALAR_FUNCTIONS = [poly, wavy, logs, hyper]


def rosenbrock(x, np=np):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


# --------------------------------------------------------------------------
# grad for each input kind
# --------------------------------------------------------------------------
@pytest.mark.parametrize("f", SCALAR_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [0.3, 1.7, 2.9])
def test_grad_scalar_matches_autograd(f, x):
    ours = grad(f)(x)
    assert type(ours) is float
    assert_close(ours, autograd.grad(lambda t: f(t, anp))(x))


@pytest.mark.parametrize("order", [2, 3])
@pytest.mark.parametrize("f", SCALAR_FUNCTIONS, ids=lambda f: f.__name__)
def test_higher_derivatives_match_autograd(f, order):
    ours, theirs = f, (lambda t: f(t, anp))
    for _ in range(order):
        ours, theirs = grad(ours), autograd.grad(theirs)
    assert_close(ours(1.3), theirs(1.3), rtol=1e-8)


def test_fourth_derivative_by_hand():
    assert grad(grad(grad(grad(lambda x: x ** 4))))(2.0) == 24.0
    assert grad(grad(grad(lambda x: x ** 4)))(2.0) == 48.0     # 24x


def test_int_input_gives_float_gradient():
    result = grad(lambda x: x ** 3)(2)                 # autograd refuses ints; we accept them
    assert type(result) is float and result == 12.0


def test_numpy_scalar_input():
    assert grad(poly)(np.float64(1.5)) == pytest.approx(autograd.grad(poly)(1.5))


def structured(p, np=np):
    """f of a nested structure: tuple (a, [b, {'c': c}])."""
    a, (b, d) = p
    return np.sin(a) * b + d["c"] ** 2 * a


@pytest.mark.parametrize("point", [
    (0.5, 2.0),
    [0.5, 2.0, -1.5],
    {"w": 0.5, "b": -1.5},
    (0.7, [1.5, {"c": 3.0}]),
], ids=["tuple", "list", "dict", "nested"])
def test_grad_of_containers_matches_autograd(point):
    if isinstance(point, tuple) and isinstance(point[1], list):
        f = structured
    elif isinstance(point, dict):
        f = lambda p, np=np: np.exp(p["w"]) * p["b"] ** 2
    else:
        f = lambda p, np=np: p[0] * np.tanh(p[1]) + (p[2] ** 3 if len(p) > 2 else 0.0)
    ours = grad(f)(point)
    theirs = autograd.grad(lambda p: f(p, anp))(point)
    assert_close(ours, theirs)


def test_grad_of_arrays_matches_autograd():
    rng = np.random.default_rng(0)
    for shape in [(5,), (3, 4)]:
        x = rng.normal(size=shape)
        f = lambda a, np=np: np.sum(np.tanh(a) * a ** 2) + np.sum(np.sin(a)) ** 2
        ours = grad(f)(x)
        assert ours.dtype == np.float64 and ours.shape == shape
        assert_close(ours, autograd.grad(lambda a: f(a, anp))(x))


def test_matrix_vector_function_of_2d_array():
    rng = np.random.default_rng(1)
    W, v = rng.normal(size=(3, 2)), rng.normal(size=2)
    f = lambda W, v, np=np: np.sum(np.tanh(np.dot(W, v)) ** 2)
    ours = grad(f, argnum=(0, 1))(W, v)
    theirs = autograd.grad(lambda W, v: f(W, v, anp), argnum=(0, 1))(W, v)
    assert_close(ours, theirs)


def test_float32_and_int_arrays():
    x32 = np.array([1.0, 2.0], dtype=np.float32)
    assert grad(lambda a: np.sum(a * a))(x32).dtype == np.float32
    g = grad(lambda a: np.sum(a * a))(np.array([1, 2, 3]))
    assert g.dtype == np.float64 and g.tolist() == [2.0, 4.0, 6.0]


def test_object_array_of_values_gives_values():
    x = np.array([Value(1.0), Value(2.0)], dtype=object)
    g = grad(lambda a: np.sum(a ** 3))(x)
    assert g.dtype == object and [v.data for v in g] == [3.0, 12.0]
    assert x[0].grad == 0.0 and x[1].grad == 0.0


def test_namedtuple_kept():
    Point = collections.namedtuple("Point", "x y")
    g = grad(lambda p: p.x * p.y ** 2)(Point(2.0, 3.0))
    assert isinstance(g, Point) and g == Point(9.0, 12.0)


def test_non_differentiable_leaves_pass_through():
    p = {"w": [1.0, 2.0], "name": "layer", "frozen": True, "note": None}
    g = grad(lambda p: p["w"][0] * p["w"][1])(p)
    assert g == {"w": [2.0, 1.0], "name": "layer", "frozen": True, "note": None}
    flags = np.array([True, False])
    g = grad(lambda a, m: np.sum(a[m]), argnum=0)(np.array([3.0, 4.0]), flags)
    assert g.tolist() == [1.0, 0.0]


def test_empty_container():
    with pytest.warns(UserWarning, match="does not depend"):
        assert grad(lambda x, y: y * 2)([], 1.0) == []


# --------------------------------------------------------------------------
# argnum, value_and_grad, complex, holomorphic
# --------------------------------------------------------------------------
def f3(x, y, z, np=np):
    return np.sin(x) * y ** 2 + z * x


@pytest.mark.parametrize("argnum", [0, 1, 2, (0, 2), (2, 0, 1)])
def test_argnum_matches_autograd(argnum):
    ours = grad(f3, argnum)(0.4, 1.5, -2.0)
    theirs = autograd.grad(lambda x, y, z: f3(x, y, z, anp), argnum)(0.4, 1.5, -2.0)
    assert_close(ours, theirs)


def test_keyword_arguments_pass_through():
    assert grad(lambda x, scale=1.0: scale * x * x)(3.0, scale=2.0) == 12.0


def test_value_and_grad_matches_autograd():
    value, g = value_and_grad(wavy)(0.8)
    v2, g2 = autograd.value_and_grad(lambda t: wavy(t, anp))(0.8)
    assert type(value) is float
    assert_close((value, g), (v2, g2))


@pytest.mark.parametrize("f", [
    lambda z, np=np: np.abs(z) ** 2,
    lambda z, np=np: np.real(z * z * np.conj(z) + np.exp(z)),
    lambda z, np=np: np.imag(np.sin(z) * z),
    lambda z, np=np: np.abs(np.log(z) + 1j * z),
], ids=["modulus2", "real", "imag", "abs-log"])
def test_complex_input_real_output_matches_autograd(f):
    z = 0.7 - 1.3j
    ours = grad(f)(z)
    assert type(ours) is complex
    assert_close(ours, autograd.grad(lambda t: f(t, anp))(z))


def test_complex_convention_by_hand():
    assert grad(lambda z: abs(z) ** 2)(3 + 4j) == pytest.approx(6 - 8j)


def test_complex_array_input():
    z = np.array([1 + 2j, -0.5 + 0.25j])
    f = lambda z, np=np: np.sum(np.abs(z * z + 1) ** 2)
    ours = grad(f)(z)
    assert ours.dtype.kind == "c"
    assert_close(ours, autograd.grad(lambda t: f(t, anp))(z))


@pytest.mark.parametrize("f", [
    lambda z, np=np: z * z,
    lambda z, np=np: np.sin(z) * z,
    lambda z, np=np: 1 / (z + 2) + np.exp(z),
], ids=["square", "z-sin", "inverse-exp"])
def test_holomorphic_grad_matches_autograd(f):
    z = 1 + 1j
    ours = holomorphic_grad(f)(z)
    assert type(ours) is complex
    assert_close(ours, autograd.holomorphic_grad(lambda t: f(t, anp))(z))


def test_holomorphic_grad_by_hand_and_real_input_warns():
    assert holomorphic_grad(lambda z: z ** 3)(1 + 1j) == pytest.approx(3 * (1 + 1j) ** 2)
    with pytest.warns(UserWarning, match="not complex"):
        assert holomorphic_grad(lambda z: z ** 3)(2.0) == pytest.approx(12.0)


# --------------------------------------------------------------------------
# nesting, no leftovers, Value inputs
# --------------------------------------------------------------------------
def test_no_perturbation_confusion():
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0
    # the inner variable is the outer one: d/dx [d/dy (x*y) at y=x] = d/dx x = 1
    ours = grad(lambda x: grad(lambda y: x * y)(x))(3.0)
    theirs = autograd.grad(lambda x: autograd.grad(lambda y: x * y)(x))(3.0)
    assert ours == theirs == 1.0


def test_nested_with_closures_matches_autograd():
    def outer(x, grad=grad, np=np):
        inner = grad(lambda y: np.sin(x * y) * y)
        return inner(x) * x + inner(2.0)
    ours = grad(outer)(0.7)
    theirs = autograd.grad(lambda x: outer(x, autograd.grad, anp))(0.7)
    assert ours == pytest.approx(theirs, rel=1e-10)


def test_no_gradient_left_on_callers_values():
    w = Value(1.5, label="w")
    x = Value(2.0, label="x")
    g = grad(lambda x: w * x ** 2)(x)
    assert g.data == 6.0                   # d/dx (w x²) = 2wx
    assert w.grad == 0.0 and x.grad == 0.0
    hessian(lambda p: p[0] * p[1] * w)([x, w])
    assert w.grad == 0.0 and x.grad == 0.0


def test_value_input_gives_differentiable_value():
    x = Value(2.0)
    g = grad(lambda t: t ** 3)(x)          # 3x²
    assert isinstance(g, Value) and g.data == 12.0
    g.backward()                           # d(3x²)/dx = 6x
    assert x.grad == 12.0


def test_inner_closure_value_does_not_leak():
    x = Value(3.0)
    assert grad(lambda y: x * y)(x).data == 3.0     # not 2x


# --------------------------------------------------------------------------
# elementwise_grad, jacobian, hessian, hvp, vjp
# --------------------------------------------------------------------------
def test_elementwise_grad_matches_autograd():
    x = np.linspace(-2, 2, 7)
    f = lambda x, np=np: np.tanh(x) * x + np.exp(-x * x)
    ours = elementwise_grad(f)(x)
    assert ours.dtype == np.float64
    assert_close(ours, autograd.elementwise_grad(lambda t: f(t, anp))(x))


def test_elementwise_grad_of_list_output():
    assert elementwise_grad(lambda x: [x * x, 3 * x])(2.0) == 7.0


@pytest.mark.parametrize("shape", [(3,), (2, 2)])
def test_jacobian_matches_autograd(shape):
    rng = np.random.default_rng(2)
    x = rng.normal(size=shape)
    f = lambda x, np=np: np.sin(x) * np.sum(x ** 2) + x[..., ::-1]
    ours = jacobian(f)(x)
    assert ours.shape == shape + shape
    assert_close(ours, autograd.jacobian(lambda t: f(t, anp))(x))


def test_jacobian_shapes_and_jacrev():
    assert jacrev is jacobian
    # scalar in, vector out
    J = jacobian(lambda t: np.array([t, t * t, t ** 3]))(2.0)
    assert J.tolist() == [1.0, 4.0, 12.0]
    # list in, list out: nested lists
    assert jacobian(lambda p: [p[0] * p[1], p[0] + p[1]])([2.0, 5.0]) == [[5.0, 2.0], [1.0, 1.0]]
    # scalar out: the gradient
    assert jacobian(lambda p: p[0] * p[1])([2.0, 5.0]) == [5.0, 2.0]


def test_jacobian_complex_output_is_holomorphic_derivative():
    J = jacobian(lambda z: np.array([z * z, 3 * z]))(1 + 1j)
    assert J.tolist() == [pytest.approx(2 + 2j), pytest.approx(3 + 0j)]


def test_rosenbrock_hessian_at_1_1():
    expected = [[802.0, -400.0], [-400.0, 200.0]]
    assert hessian(rosenbrock)([1.0, 1.0]) == expected
    H = hessian(rosenbrock)(np.array([1.0, 1.0]))
    assert isinstance(H, np.ndarray) and H.dtype == np.float64 and H.tolist() == expected


def test_hessian_matches_autograd():
    rng = np.random.default_rng(3)
    x = rng.uniform(0.5, 1.5, size=4)
    f = lambda x, np=np: np.sum(np.sin(x) * x ** 3) + np.prod(x) + np.log(np.sum(x * x))
    ours = hessian(f)(x)
    assert ours.shape == (4, 4)
    assert_close(ours, autograd.hessian(lambda t: f(t, anp))(x), rtol=1e-9)


def test_hessian_of_2d_input_shape():
    x = np.arange(1.0, 5.0).reshape(2, 2)
    H = hessian(lambda a: np.sum(a ** 3))(x)
    assert H.shape == (2, 2, 2, 2)
    assert_close(H, autograd.hessian(lambda a: anp.sum(a ** 3))(x))


def test_hessian_of_dict_input():
    H = hessian(lambda p: p["a"] ** 2 * p["b"])({"a": 1.0, "b": 3.0})
    assert H == {"a": {"a": 6.0, "b": 2.0}, "b": {"a": 2.0, "b": 0.0}}


def test_hvp_equals_hessian_times_v():
    rng = np.random.default_rng(4)
    x, v = rng.uniform(0.5, 2.0, size=5), rng.normal(size=5)
    f = lambda x, np=np: np.sum(np.exp(x[:-1] * x[1:])) + np.sum(np.sin(x) ** 2)
    ours = hvp(f)(x, v)
    assert ours.shape == (5,) and ours.dtype == np.float64
    np.testing.assert_allclose(ours, hessian(f)(x) @ v, rtol=1e-10)
    theirs = autograd.hessian_tensor_product(lambda t: f(t, anp))(x, v)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_hvp_rosenbrock_and_argnum():
    assert hvp(rosenbrock)([1.0, 1.0], [1.0, 0.0]) == [802.0, -400.0]
    # H·v of the second argument only
    f = lambda a, b: a * b[0] ** 2 * b[1]
    assert hvp(f, argnum=1)(2.0, [1.0, 3.0], [1.0, 1.0]) == [2 * 2 * 3 + 2 * 2, 2 * 2]


def test_vjp_matches_autograd():
    x = np.array([0.3, -1.2, 2.0])
    f = lambda x, np=np: np.tanh(x) * x[0] + x ** 2
    u = np.array([1.0, -2.0, 0.5])
    value, vjp_fn = vjp(f, x)
    their_vjp, their_value = autograd.make_vjp(lambda t: f(t, anp))(x)
    assert value.dtype == np.float64
    assert_close(value, their_value)
    assert_close(vjp_fn(u), their_vjp(u))
    assert_close(vjp_fn(np.ones(3)), autograd.elementwise_grad(lambda t: f(t, anp))(x))


def test_vjp_structures():
    value, vjp_fn = vjp(lambda x: [x * x, 3 * x], 2.0)
    assert value == [4.0, 6.0] and vjp_fn([1.0, 10.0]) == 34.0
    with pytest.raises(ValueError, match="shaped like f's output"):
        vjp_fn([1.0])


def test_constant_output_gives_zeros_with_warning():
    with pytest.warns(UserWarning, match="does not depend"):
        assert grad(lambda x: 5.0)(2.0) == 0.0
    with pytest.warns(UserWarning):
        g = grad(lambda x: 1.0)(np.ones(3))
    assert g.tolist() == [0.0, 0.0, 0.0]
    g = grad(lambda x, y: y * 2, argnum=0)(1.0, Value(3.0))     # a Value that does not use x
    assert type(g) is float and g == 0.0


def test_function_names():
    assert grad(poly).__name__ == "grad_of_poly"
    assert hessian(poly).__name__ == "hessian_of_poly"


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------
def test_non_scalar_output_error_names_the_alternatives():
    for bad in (lambda x: np.ones(3) * x, lambda x: [x, x], lambda x: (x, x)):
        with pytest.raises(TypeError) as info:
            grad(bad)(1.0)
        message = str(info.value)
        assert "elementwise_grad" in message and "jacobian" in message
        assert "holomorphic_grad" in message and "\n" not in message


def test_complex_output_error():
    with pytest.raises(TypeError, match="holomorphic_grad") as info:
        grad(lambda z: z * z)(1 + 1j)
    assert "complex" in str(info.value)


@pytest.mark.parametrize("arg, word", [("abc", "str"), (None, "NoneType"), (True, "bool"),
                                        (["a", None], "holds no numbers"), (object(), "object")])
def test_non_differentiable_argument_errors(arg, word):
    with pytest.raises(TypeError, match="cannot differentiate with respect to argument 0") as info:
        grad(lambda x: 1.0)(arg)
    assert word in str(info.value)


def test_string_output_error():
    with pytest.raises(TypeError, match="returned a str"):
        grad(lambda x: "no")(1.0)
    with pytest.raises(TypeError, match="jacobian needs f to return numbers"):
        jacobian(lambda x: "no")(1.0)


def test_argnum_errors():
    with pytest.raises(IndexError, match=r"argnum=2 is out of range.*2 positional argument.*0\.\.1"):
        grad(lambda x, y: x * y, argnum=2)(1.0, 2.0)
    with pytest.raises(IndexError, match="out of range"):
        grad(lambda x, y: x * y, argnum=(0, 5))(1.0, 2.0)
    with pytest.raises(IndexError, match="out of range"):
        grad(lambda x, y: x * y, argnum=-1)(1.0, 2.0)
    with pytest.raises(TypeError, match="argnum must be an int or a tuple of ints"):
        grad(lambda x: x, argnum="x")(1.0)
    with pytest.raises(ValueError, match="same argument twice"):
        grad(lambda x, y: x * y, argnum=(0, 0))(1.0, 2.0)
    with pytest.raises(TypeError, match="no positional arguments"):
        grad(lambda x=1.0: x)()


def test_not_a_function_and_no_grad_errors():
    with pytest.raises(TypeError, match="needs a function"):
        grad(3.0)
    with pytest.raises(RuntimeError, match="no_grad"):
        with tg.no_grad():
            grad(lambda x: x * x)(1.0)


def test_hvp_errors():
    with pytest.raises(TypeError, match=r"hvp\(f\)\(x, v\)"):
        hvp(rosenbrock)([1.0, 1.0])
    with pytest.raises(ValueError, match="same structure as x"):
        hvp(rosenbrock)([1.0, 1.0], [1.0])


def test_self_containing_input_error():
    loop = [1.0]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        grad(lambda x: x[0])(loop)


def test_deeply_nested_input_no_recursion_error():
    deep = 2.0
    for _ in range(5000):
        deep = [deep]

    def first(x):
        while isinstance(x, list):
            x = x[0]
        return x * x
    g = grad(first)(deep)
    for _ in range(5000):
        g = g[0]
    assert g == 4.0


# --------------------------------------------------------------------------
# random expressions vs autograd (hypothesis)
# --------------------------------------------------------------------------
UNARY = {
    "sin": (tg.sin, anp.sin), "cos": (tg.cos, anp.cos), "tanh": (tg.tanh, anp.tanh),
    "arctan": (tg.arctan, anp.arctan),
    "exp_tanh": (lambda a: tg.exp(tg.tanh(a)), lambda a: anp.exp(anp.tanh(a))),
    "log_1_sq": (lambda a: tg.log(1 + a * a), lambda a: anp.log(1 + a * a)),
    "sqrt_1_sq": (lambda a: tg.sqrt(1 + a * a), lambda a: anp.sqrt(1 + a * a)),
    # a positive base: the engine's create_graph rule for ** fails on negative bases (reported)
    "pow_1_sq": (lambda a: (1 + a * a) ** 1.5, lambda a: (1 + a * a) ** 1.5),
}
BINARY = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "safe/": lambda a, b: a / (1 + b * b),
}


def expressions(depth):
    leaf = st.sampled_from(["x", "y"]) | st.floats(-2, 2).map(lambda c: round(c, 3))
    if depth == 0:
        return leaf
    sub = expressions(depth - 1)
    return (leaf
            | st.tuples(st.sampled_from(sorted(UNARY)), sub)
            | st.tuples(st.sampled_from(sorted(BINARY)), sub, sub))


def evaluate(expr, x, y, which):
    if isinstance(expr, str):
        return x if expr == "x" else y
    if isinstance(expr, float):
        return expr
    if len(expr) == 2:
        return UNARY[expr[0]][which](evaluate(expr[1], x, y, which))
    return BINARY[expr[0]](evaluate(expr[1], x, y, which), evaluate(expr[2], x, y, which))


@pytest.mark.filterwarnings("ignore:Output seems independent of input")
@pytest.mark.filterwarnings("ignore:grad. the output of f does not depend")
@settings(max_examples=60, deadline=None)
@given(expr=expressions(4), x=st.floats(-1.5, 1.5), y=st.floats(-1.5, 1.5))
def test_random_expressions_match_autograd(expr, x, y):
    ours_f = lambda a, b: evaluate(expr, a, b, 0) + 0.5 * a * b
    their_f = lambda a, b: evaluate(expr, a, b, 1) + 0.5 * a * b
    ours = grad(ours_f, argnum=(0, 1))(x, y)
    theirs = autograd.grad(their_f, argnum=(0, 1))(x, y)
    np.testing.assert_allclose(ours, [float(t) for t in theirs], rtol=1e-9, atol=1e-12)
    second = grad(grad(ours_f))(x, y)
    their_second = autograd.grad(autograd.grad(their_f))(x, y)
    assert second == pytest.approx(float(their_second), rel=1e-8, abs=1e-10)


def test_jacobian_and_hessian_with_tuple_argnum():
    x, y = np.array([1.0, 2.0]), 3.0
    f = lambda x, y: np.sin(x) * y ** 2
    Jx, Jy = jacobian(f, argnum=(0, 1))(x, y)
    np.testing.assert_allclose(Jx, jacobian(f, 0)(x, y))
    np.testing.assert_allclose(Jy, jacobian(f, 1)(x, y))
    np.testing.assert_allclose(Jx, autograd.jacobian(lambda t: anp.sin(t) * y ** 2)(x))
    # the Hessian blocks: d²/dx², d²/dxdy, d²/dy²
    H = hessian(lambda a, b: a * b ** 2, argnum=(0, 1))(2.0, 3.0)
    assert H == ((0.0, 6.0), (6.0, 4.0))


def test_works_without_numpy():
    import subprocess
    import sys
    code = ("import sys; sys.modules['numpy'] = None\n"
            "import tinygrad_edu as t\n"
            "assert t.grad(lambda p: p['a'] * p['b'][0])({'a': 2.0, 'b': [3.0]}) == {'a': 3.0, 'b': [2.0]}\n"
            "assert t.hessian(lambda x: x[0] ** 2 * x[1])([1.0, 3.0]) == [[6.0, 2.0], [2.0, 0.0]]\n"
            "assert t.jvp(lambda x: x * x, 3.0, 1.0) == (9.0, 6.0)\n"
            "t.check_grads(lambda x: x[0] * t.sin(x[1]), [1.0, 2.0], order=2)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
