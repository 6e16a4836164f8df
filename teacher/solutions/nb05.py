"""Answer key, notebook 05: a complete submission for its exercises.

Teachers only: this folder is not installed with the package.
"""

from tinygrad_edu.engine import exp, log


unary_rules = {
    "exp": lambda x, out: out,
    "log": lambda x, out: 1 / x,
    "tanh": lambda x, out: 1 - out * out,
    "sigmoid": lambda x, out: out * (1 - out),
}


def softmax_nll(logits, label):
    m = max(z.data for z in logits)              # a constant shift: softmax does not change
    shifted = [z - m for z in logits]
    return log(sum(exp(s) for s in shifted)) - shifted[label]


kink_predictions = {"relu_at_0": 0.0, "abs_at_0": 0.0, "relu_minus_relu_at_0": 0.0,
                    "central_abs_near_0": 0.01, "sqrt_of_square_at_0": "error"}
