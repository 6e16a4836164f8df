def mul_backward(x, y, out)
    x.grad += y.data * out.grad
