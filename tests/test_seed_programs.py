"""The seed's two programs, as printed, run with only their import lines changed.

Each program is run twice from the same text: once as written (HIPS autograd,
the oracle) and once with ``import numpy as np`` / ``from tinygrad_edu import grad``.
"""

import contextlib
import difflib
import io
import math

import pytest

TAYLOR_SINE = '''\
import autograd.numpy as np
from autograd import grad

def taylor_sine(x):  # Taylor approximation to sine function
    ans = currterm = x
    i = 0
    while np.abs(currterm) > 0.001:
        currterm = -currterm * x**2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        i += 1
    return ans

grad_sine = grad(taylor_sine)
print("Gradient of sin(pi) is", grad_sine(np.pi))
'''

LOGISTIC_REGRESSION = '''\
import autograd.numpy as np
from autograd import grad

def sigmoid(x):
    return 0.5 * (np.tanh(x / 2.) + 1)

def logistic_predictions(weights, inputs):
    # Outputs probability of a label being true according to logistic model.
    return sigmoid(np.dot(inputs, weights))

def training_loss(weights):
    # Training loss is the negative log-likelihood of the training labels.
    preds = logistic_predictions(weights, inputs)
    label_probabilities = preds * targets + (1 - preds) * (1 - targets)
    return -np.sum(np.log(label_probabilities))

# Build a toy dataset.
inputs = np.array([[0.52, 1.12,  0.77],
                   [0.88, -1.08, 0.15],
                   [0.52, 0.06, -1.30],
                   [0.74, -2.49, 1.39]])
targets = np.array([True, True, False, True])

# Define a function that returns gradients of training loss using Autograd.
training_gradient_fun = grad(training_loss)

# Optimize weights using gradient descent.
weights = np.array([0.0, 0.0, 0.0])
print("Initial loss:", training_loss(weights))
for i in range(100):
    weights -= training_gradient_fun(weights) * 0.01

print("Trained loss:", training_loss(weights))
'''


def with_our_imports(source):
    return (source.replace("import autograd.numpy as np\n", "import numpy as np\n")
                  .replace("from autograd import grad\n", "from tinygrad_edu import grad\n"))


def run(source):
    """Run a program; return its namespace and the numbers it printed."""
    namespace = {"__name__": "seed"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<seed program>", "exec"), namespace)
    printed = [float(line.rsplit(" ", 1)[1]) for line in out.getvalue().splitlines()]
    return namespace, printed


@pytest.mark.parametrize("source", [TAYLOR_SINE, LOGISTIC_REGRESSION], ids=["taylor", "logistic"])
def test_only_the_two_import_lines_change(source):
    ours = with_our_imports(source)
    changed = [line for line in difflib.ndiff(source.splitlines(), ours.splitlines())
               if line.startswith(("- ", "+ "))]
    assert changed == ["- import autograd.numpy as np", "+ import numpy as np",
                       "- from autograd import grad", "+ from tinygrad_edu import grad"]


def test_taylor_sine_matches_autograd():
    ours, [our_grad] = run(with_our_imports(TAYLOR_SINE))
    _, [their_grad] = run(TAYLOR_SINE)
    assert our_grad == pytest.approx(their_grad, rel=1e-12)
    assert our_grad == pytest.approx(-0.999900, abs=1e-6)
    assert type(ours["grad_sine"](math.pi)) is float


def test_logistic_regression_matches_autograd():
    ours, [our_initial, our_trained] = run(with_our_imports(LOGISTIC_REGRESSION))
    theirs, [their_initial, their_trained] = run(LOGISTIC_REGRESSION)
    assert our_initial == pytest.approx(their_initial, rel=1e-12)
    assert our_trained == pytest.approx(their_trained, rel=1e-10)
    assert round(our_initial, 6) == 2.772589 and round(our_trained, 6) == 1.067271
    # the trained weights are a float array, equal to autograd's
    weights = ours["weights"]
    assert weights.dtype.kind == "f" and weights.shape == (3,)
    assert weights.tolist() == pytest.approx(theirs["weights"].tolist(), rel=1e-10)


def test_logistic_gradient_is_a_float_array_like_autograds():
    ours, _ = run(with_our_imports(LOGISTIC_REGRESSION))
    theirs, _ = run(LOGISTIC_REGRESSION)
    import numpy as np
    w = np.array([0.1, -0.2, 0.3])
    g = ours["training_gradient_fun"](w)
    assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == (3,)
    np.testing.assert_allclose(g, theirs["training_gradient_fun"](w), rtol=1e-12)
