# sys.exit inside one exercise (and a KeyboardInterrupt in another); the hand-computed gradients are right.
import sys

from tinygrad_edu.exercises.nb03 import BareValue


def mul_backward(x, y, out):
    sys.exit(0)


manual_grads = {"L": 1.0, "d": -4.0, "f": -1.0, "c": -4.0, "e": -4.0, "a": 8.0, "b": -12.0}


class ReflectedValue(BareValue):
    def __init__(self, data, _node=None):
        raise KeyboardInterrupt

    def __radd__(self, other):
        return self + other
