"""Answer key, notebook 03: a complete submission for its exercises.

Teachers only: this folder is not installed with the package.
"""

from tinygrad_edu.exercises.nb03 import BareValue


def mul_backward(x, y, out):
    x.grad += y.data * out.grad
    y.grad += x.data * out.grad


manual_grads = {"L": 1.0, "d": -4.0, "f": -1.0, "c": -4.0, "e": -4.0, "a": 8.0, "b": -12.0}


class ReflectedValue(BareValue):
    def __radd__(self, other):            # other + self
        return self + other

    def __rsub__(self, other):            # other - self
        return type(self)(other) - self

    def __rtruediv__(self, other):        # other / self
        return type(self)(other) / self

    def __neg__(self):
        return self * -1
