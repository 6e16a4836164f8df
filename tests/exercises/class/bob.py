# Honest, partly wrong: the partials of mul_backward are swapped; the rest is right.
from tinygrad_edu.exercises.nb03 import BareValue


def mul_backward(x, y, out):
    x.grad += x.data * out.grad
    y.grad += y.data * out.grad


manual_grads = {"L": 1.0, "d": -4.0, "f": -1.0, "c": -4.0, "e": -4.0, "a": 8.0, "b": -12.0}


class ReflectedValue(BareValue):
    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return type(self)(other) - self

    def __rtruediv__(self, other):
        return type(self)(other) / self

    def __neg__(self):
        return self * -1
