# Honest, partly wrong: uses = instead of +=, and one gradient by hand has the wrong sign.
def mul_backward(x, y, out):
    x.grad = y.data * out.grad
    y.grad = x.data * out.grad


manual_grads = {"L": 1.0, "d": -4.0, "f": -1.0, "c": -4.0, "e": -4.0, "a": -8.0, "b": -12.0}
