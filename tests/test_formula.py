"""The safe formula parser: values, gradients, every refusal, the limits, and a fuzz test."""

import ast
import cmath
import math
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tinygrad_edu import Value, gradients
from tinygrad_edu.formula import (
    CONSTANTS, FUNCTIONS, MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, MAX_NODES, Formula, FormulaError,
    evaluate, parse, parse_assignment, parse_assignments, parse_value,
)


# --------------------------------------------------------------------------
# Values: the formula gives what the same expression gives in plain math
# --------------------------------------------------------------------------
X, Y = 0.7, -1.3
VALUE_CASES = [
    ("x*y + sin(x)", X * Y + math.sin(X)),
    ("tanh(x*w + b)", math.tanh(X * -3 + 2)),
    ("-x ** 2", -(X ** 2)),                          # ** binds tighter than unary minus
    ("2 ** -1", 0.5),
    ("+x - -y", X + Y),
    ("x / y / 2", X / Y / 2),
    ("2 ** 3 ** 2", 2.0 ** 9),                        # right-associative
    ("exp(log(x))", X),
    ("sqrt(x) * sqrt(x)", X),
    ("log1p(x) - log(1 + x)", 0.0),
    ("expm1(x) + 1 - exp(x)", 0.0),
    ("sigmoid(y) - 1/(1 + exp(-y))", 0.0),
    ("softplus(y) - log(1 + exp(y))", 0.0),
    ("relu(y) + relu(x)", X),
    ("leaky_relu(y, 0.1)", 0.1 * Y),
    ("leaky_relu(y)", 0.01 * Y),
    ("abs(y) + absolute(y)", 2 * abs(Y)),
    ("arctan(x) - atan(x)", 0.0),
    ("sinh(x) / cosh(x) - tanh(x)", 0.0),
    ("tan(x) - sin(x)/cos(x)", 0.0),
    ("sin(pi/2) + e", 1.0 + math.e),
    ("1e-3 * 2", 0.002),
    ("1_000 + 0x10", 1016.0),
    ("x**1000", X ** 1000),                           # the largest constant exponent
    ("2**1000", 2.0 ** 1000),                         # large, still a float
    ("   x   ", X),
]


@pytest.mark.parametrize("text, expected", VALUE_CASES)
def test_values_match_plain_math(text, expected):
    out = evaluate(text, x=X, y=Y, w=-3, b=2)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_complex_values():
    assert evaluate("z*z", z=1 + 2j).data == pytest.approx((1 + 2j) ** 2)
    assert evaluate("real(z) + imag(z) + abs(conj(z))", z=3 + 4j).data == pytest.approx(12.0)
    assert evaluate("2j * 2").data == 4j


def test_gradients_through_the_formula_match_hand_derived():
    f = parse("x*y + sin(x)")
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    out = f.evaluate({"x": x, "y": y})
    g = gradients(out, [x, y])
    assert g[x] == pytest.approx(2.0 + math.cos(1.0), rel=1e-15)     # y + cos x
    assert g[y] == pytest.approx(1.0, rel=1e-15)                     # x


def test_numbers_become_labelled_leaves():
    out = parse("x * 3").evaluate({"x": 2})
    leaf, const = out.children
    assert leaf.label == "x" and leaf.requires_grad and leaf.data == 2.0
    assert not const.requires_grad and const.data == 3.0


def test_a_constant_formula_gives_a_constant_value():
    out = evaluate("2 * 3")
    assert out.data == 6.0 and not out.requires_grad


def test_variables_in_order_of_appearance_without_constants():
    assert parse("b + a * sin(c) + a + pi + e").variables == ("b", "a", "c")
    assert isinstance(parse("x"), Formula) and "x" in repr(parse("x"))


def test_user_values_shadow_the_constants():
    assert evaluate("e * 2", e=5).data == 10.0
    assert evaluate("e * 2").data == pytest.approx(2 * math.e)


# --------------------------------------------------------------------------
# name=value
# --------------------------------------------------------------------------
@pytest.mark.parametrize("text, name, value", [
    ("x=0.5", "x", 0.5), ("w=-3", "w", -3.0), ("n=7", "n", 7.0), ("z=1+2j", "z", 1 + 2j),
    ("z=-2j", "z", -2j), ("a = 1e-3", "a", 1e-3), ("t=pi/4", "t", math.pi / 4),
    ("b=1.5+log(2)", "b", 1.5 + math.log(2)),
])
def test_parse_assignment(text, name, value):
    got_name, got = parse_assignment(text)
    assert got_name == name
    assert got == pytest.approx(value, rel=1e-15)
    assert isinstance(got, (float, complex))


@pytest.mark.parametrize("text, words", [
    ("x", "expected name=value"),
    ("=3", "bad variable name"),
    ("1x=3", "bad variable name"),
    ("x.y=3", "bad variable name"),
    ("_x=1", "starting with '_'"),
    ("sin=1", "function name"),
    ("x=", "missing value"),
    ("x=   ", "missing value"),
    ("x=y", "must be a number"),
    ("x=nan", "must be a number"),
    ("x=1e999", "too large"),
    ("x=__import__('os')", "starting with '_'"),
    ("x=(1", "unbalanced"),
    ("x=log(-1)", "log(-1.0)"),
    ("\u00e9=1", "bad variable name"),
])
def test_bad_assignments(text, words):
    with pytest.raises(FormulaError, match=None) as info:
        parse_assignment(text)
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_repeated_assignment_is_refused():
    with pytest.raises(FormulaError, match="given twice"):
        parse_assignments(["x=1", "y=2", "x=3"])
    assert parse_assignments(["x=1", "y=2"]) == {"x": 1.0, "y": 2.0}


def test_parse_value_refuses_names_and_accepts_constants():
    assert parse_value("-pi") == -math.pi
    with pytest.raises(FormulaError, match="got the name 'q'"):
        parse_value("q + 1")


# --------------------------------------------------------------------------
# Refusals: each names the problem (and where), in one line
# --------------------------------------------------------------------------
HOSTILE = [
    ("__import__('os').system('touch /tmp/pwned')", "attribute access"),
    ("__import__('os')", "starting with '_'"),
    ("x.__class__", "attribute access"),
    ("(1).real", "attribute access"),
    ("x.real", "attribute access"),
    ("x[0]", "subscripts"),
    ("x[1:2]", "subscripts"),
    ("lambda: 1", "lambda"),
    ("(lambda q: q)(1)", "only the engine's functions"),
    ("[q for q in x]", "comprehensions"),
    ("{q for q in x}", "comprehensions"),
    ("{q: 1 for q in x}", "comprehensions"),
    ("sum(q for q in x)", "unknown function 'sum'"),
    ("(q for q in x)", "generator"),
    ("open('x')", "unknown function 'open'"),
    ("eval('1')", "unknown function 'eval'"),
    ("exec('1')", "unknown function 'exec'"),
    ("globals()", "unknown function 'globals'"),
    ("sin(x=1)", "keyword arguments"),
    ("sin(**x)", "keyword arguments"),
    ("sin(*x)", "starred"),
    ("f'{x}'", "f-strings"),
    ("'abc'", "text strings"),
    ("b'abc'", "text strings"),
    ("(y := 1)", "assignment (:=)"),
    ("x if y else 1", "if/else"),
    ("x < 1", "comparisons"),
    ("x == 1", "comparisons"),
    ("x and y", "and/or"),
    ("not x", "operator not"),
    ("~x", "operator ~"),
    ("x // 2", "operator //"),
    ("x % 2", "operator %"),
    ("x @ y", "operator @"),
    ("x ^ 2", "for a power use **"),
    ("x | y", "operator |"),
    ("x << 2", "operator <<"),
    ("[x, y]", "lists"),
    ("(x, y)", "tuples"),
    ("x, y", "tuples"),
    ("{x}", "sets"),
    ("{1: x}", "dicts"),
    ("True", "True is not a number"),
    ("None", "None is not a number"),
    ("...", "Ellipsis is not a number"),
    ("await x", "await"),
    ("yield x", "bad formula syntax"),
    ("import os", "bad formula syntax"),
    ("x = 1", "bad formula syntax"),
    ("x; y", "bad formula syntax"),
    ("x +", "bad formula syntax"),
    ("1 2", "bad formula syntax"),
    ("sin", "sin is a function"),
    ("sin + 1", "sin is a function"),
    ("foo(x)", "unknown function 'foo'"),
    ("x(1)", "unknown function 'x'"),
    ("sin()", "sin takes 1 argument, got 0"),
    ("sin(x, y)", "sin takes 1 argument, got 2"),
    ("leaky_relu(x, y, 1)", "takes 1 or 2 arguments, got 3"),
    ("", "empty formula"),
    ("   ", "empty formula"),
    ("(x", "'(' at column 1 is never closed"),
    ("x)", "')' at column 2 closes nothing"),
    ("((x)", "never closed"),
    ("sin(x))", "closes nothing"),
    ("x\u00b2", "non-ASCII character U+00B2 at column 2"),
    ("\u03b1 + 1", "non-ASCII character U+03B1"),
    ("x\u200b+1", "non-ASCII"),
    ("x\x00", "control character U+0000 at column 2"),
    ("x\n+1", "control character U+000A"),
    ("x\r", "control character"),
    ("\x7f", "control character U+007F"),
    ("9**9**9", "exponent 387420489 is too large"),
    ("(2**1000)**1000", "too large"),
    ("10**400", "too large"),
    ("x**1001", f"limit +-{MAX_EXPONENT}"),
    ("x**-1001", "too large"),
    ("0.5**-2000", "too large"),
    ("x**(10**4)", "too large"),
    ("2**exp(800)", "overflow"),
    ("1e999", "number too large"),
    ("1" * 400, "number too large"),
    ("1" * 5000, "bad formula syntax"),
    ("(" * 1000 + "x" + ")" * 1000, "nested too deeply"),
    ("(" * 50_000 + ")" * 50_000, "formula too long"),
    ("sin(" * 150 + "x" + ")" * 150, "nested too deeply"),
    ("-" * 5000 + "x", "nested too deeply"),
    ("+".join(["x"] * 300), "nested too deeply"),
    ("2" + "**2" * 300, "nested too deeply"),
    ("x" * (MAX_LENGTH + 1), "formula too long: 10001 characters"),
]


@pytest.mark.parametrize("text, words", HOSTILE)
def test_hostile_formulas_are_refused_quickly_in_one_line(text, words):
    started = time.perf_counter()
    with pytest.raises(FormulaError) as info:
        evaluate(text, x=0.5, y=2.0)
    assert time.perf_counter() - started < 1.0
    message = str(info.value)
    assert words in message, message
    assert "\n" not in message and len(message) < 400


def test_the_parser_refuses_9_9_9_before_any_evaluation():
    with pytest.raises(FormulaError, match="too large"):
        parse("x * 9**9**9")               # refused by parse: nothing is evaluated


def test_length_limit_is_inclusive():
    text = "x" + " " * (MAX_LENGTH - 1)
    assert evaluate(text, x=3).data == 3.0
    with pytest.raises(FormulaError, match="too long"):
        parse(text + " ")


def test_node_limit():
    # Many short terms, kept shallow: 12 groups of 150 terms, multiplied together.
    group = "(" + "+".join(["x"] * 150) + ")"
    text = "*".join([group] * 12)
    assert len(text) < MAX_LENGTH
    with pytest.raises(FormulaError, match=f"more than {MAX_NODES} syntax nodes"):
        parse(text)
    assert evaluate("*".join([group] * 2), x=1).data == 150 ** 2


def test_just_under_the_depth_limit_works():
    text = "+".join(["x"] * (MAX_DEPTH - 5))
    assert evaluate(text, x=1).data == MAX_DEPTH - 5


def test_position_of_an_unknown_function():
    with pytest.raises(FormulaError, match="unknown function 'bar' at column 5"):
        parse("x + bar(1)")


def test_syntax_error_gives_a_column():
    with pytest.raises(FormulaError, match=r"bad formula syntax at column \d+"):
        parse("x + * 2")


def test_a_non_string_formula():
    with pytest.raises(FormulaError, match="must be text"):
        parse(42)


# --------------------------------------------------------------------------
# Evaluation errors: missing values and the engine's domain errors
# --------------------------------------------------------------------------
@pytest.mark.parametrize("text, values, words", [
    ("x + q", {"x": 1}, "unknown variable 'q'"),
    ("x + q", {"x": 1}, "q=1.5"),
    ("log(x)", {"x": -1}, "log(-1.0) is undefined"),
    ("log(x)", {"x": 0}, "log(0.0)"),
    ("sqrt(x - 3)", {"x": 1}, "sqrt(-2.0) is undefined"),
    ("log1p(x)", {"x": -2}, "log1p(-2.0)"),
    ("1 / x", {"x": 0}, "division by zero"),
    ("x / 0", {"x": 1}, "division by zero"),
    ("1 / 0", {}, "division by zero"),
    ("0 ** -1", {}, "0 ** -1 is undefined"),
    ("x ** -1", {"x": 0}, "undefined"),
    ("(-8) ** (1/3)", {}, "not a real number"),
    ("x ** 0.5", {"x": -4}, "not a real number"),
    ("exp(x)", {"x": 1000}, "overflow"),
    ("x * 1e308 * 10", {"x": 1}, "overflow"),
    ("cosh(x)", {"x": 1e4}, "overflow"),
    ("2 ** x", {"x": 5000}, "overflow"),
    ("relu(z)", {"z": 1j}, "relu is not defined for complex"),
    ("x", {"x": "3"}, "must be a number"),
    ("x", {"x": True}, "must be a number"),
    ("x", {"x": float("nan")}, "must be finite"),
    ("x", {"x": float("inf")}, "must be finite"),
])
def test_evaluation_errors_name_the_problem(text, values, words):
    with pytest.raises(FormulaError) as info:
        parse(text).evaluate(values)
    assert words in str(info.value), str(info.value)
    assert "\n" not in str(info.value)


def test_domain_error_says_where():
    with pytest.raises(FormulaError, match=r"in 'log\(x - 3\)' at column 5"):
        evaluate("1 + log(x - 3)", x=1)


def test_evaluation_time_limit(monkeypatch):
    f = parse("+".join(["sin(x)"] * 100))
    with pytest.raises(FormulaError, match="evaluation stopped"):
        f.evaluate({"x": 1.0}, time_limit=-1.0)     # already past the deadline
    assert f.evaluate({"x": 1.0}).data == pytest.approx(100 * math.sin(1.0))


def test_formula_error_is_a_value_error_and_one_line():
    err = FormulaError("a\nb   c")
    assert isinstance(err, ValueError) and str(err) == "a b c"


def test_every_listed_function_is_callable_on_a_value():
    for name, (fn, least, _) in FUNCTIONS.items():
        args = ", ".join(["x"] * least)
        out = evaluate(f"{name}({args})", x=1.3 if name == "arccosh" else 0.3)  # in every domain
        assert isinstance(out, Value), name
    assert set(CONSTANTS) == {"pi", "e"}


# --------------------------------------------------------------------------
# Fuzzing: the parser raises FormulaError or returns a Value -- nothing else
# --------------------------------------------------------------------------
def _outcome(text):
    try:
        out = evaluate(text, x=0.7, y=-1.3, z=2.0)
    except FormulaError as err:
        assert "\n" not in str(err)
        return None
    assert isinstance(out, Value)
    data = out.data
    assert cmath.isfinite(data) if isinstance(data, complex) else math.isfinite(data)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_fuzz_random_text(text):
    _outcome(text)


FORMULA_ALPHABET = "xyz0123456789.+-*/()e ,_[]'=:<jpisnlogqrt*"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=FORMULA_ALPHABET, max_size=40))
def test_fuzz_formula_like_text(text):
    _outcome(text)


_LEAVES = st.sampled_from([
    "x", "y", "z", "0", "1", "2", "0.5", "1e308", "1e-320", "2j", "pi", "e", "q", "True", "None",
    "'s'", "__import__", "9", "1000", "-1",
])
_CALLEES = st.sampled_from(sorted(FUNCTIONS) + ["open", "eval", "foo", "__import__"])


def _combine(children):
    unary = st.tuples(st.sampled_from(["-", "+", "~", "not "]), children).map(
        lambda t: f"{t[0]}({t[1]})")
    binary = st.tuples(children, st.sampled_from(
        ["+", "-", "*", "/", "**", "//", "%", "^", "@", "<", " and ", "=="]), children).map(
        lambda t: f"({t[0]}{t[1]}{t[2]})")
    call = st.tuples(_CALLEES, st.lists(children, max_size=3)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})")
    odd = st.tuples(st.sampled_from([
        "{0}.real", "{0}[0]", "(lambda q: {0})", "[{0} for q in x]", "f'{{{0}}}'", "(q := {0})",
        "sin(*{0})", "sin(x={0})", "({0}, {0})", "{0} if x else 1", "{{{0}}}", "abs({0}).imag",
    ]), children).map(lambda t: t[0].format(t[1]))
    return st.one_of(unary, binary, call, odd)


RANDOM_FORMULAS = st.recursive(_LEAVES, _combine, max_leaves=25)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RANDOM_FORMULAS)
def test_fuzz_random_syntax_trees(text):
    _outcome(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(st.sampled_from(["x", "y", "0.5", "2", "pi"]), lambda c: st.one_of(
    st.tuples(c, st.sampled_from(["+", "-", "*", "/", "**"]), c).map(
        lambda t: f"({t[0]}{t[1]}{t[2]})"),
    st.tuples(st.sampled_from(["sin", "cos", "exp", "tanh", "log", "sqrt", "sigmoid"]), c).map(
        lambda t: f"{t[0]}({t[1]})")), max_leaves=12))
def test_fuzz_allowed_formulas_match_python_where_both_succeed(text):
    """On formulas made only of allowed syntax, the value equals Python's own math."""
    ours = _outcome(text)
    if ours is None:
        return
    env = {name: getattr(math, name) for name in ("sin", "cos", "exp", "tanh", "log", "sqrt")}
    env.update(sigmoid=lambda t: 1 / (1 + math.exp(-t)), pi=math.pi, x=0.7, y=-1.3)
    try:
        # The oracle runs trusted, generated text only (test code, never user input).
        expected = eval(compile(ast.parse(text, mode="eval"), "<oracle>", "eval"),
                        {"__builtins__": {}}, env)
    except (ArithmeticError, ValueError):
        return
    if isinstance(expected, complex) or not math.isfinite(expected):
        return
    assert ours.data == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("text", ["1or x", "2if x else 3", "1in x"])
def test_text_python_only_warns_about_is_a_syntax_error_with_no_warning(text, recwarn):
    with pytest.raises(FormulaError, match="bad formula syntax at column 1: invalid decimal literal"):
        parse(text)
    assert [w for w in recwarn if issubclass(w.category, (SyntaxWarning, DeprecationWarning))] == []
