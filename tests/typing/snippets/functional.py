"""The functional API: grad, value_and_grad, jacobian, jvp, numeric checks, math functions."""
import tinygrad_edu as tg
from tinygrad_edu import grad, hessian, jacobian, jvp, numerical_grad, value_and_grad


def f(x):
    return x**3 + 2 * x


def g(v):
    return [v[0] * v[1], tg.sin(v[0]) + tg.exp(v[1])]


slope = grad(f)(2.0)
print(slope + 1.0)
value, slope2 = value_and_grad(f)(3.0)
J = jacobian(g)([1.0, 2.0])
H = hessian(lambda v: v[0] ** 2 * v[1])([1.0, 3.0])
out, tangent = jvp(f, 2.0, 1.0)
print(numerical_grad(f, 2.0), J[0][1], H[1][0], value, slope2, out, tangent)
x = tg.Value(0.5)
y = tg.tanh(x) * tg.log(x) + tg.relu(x) - tg.sqrt(x) / tg.cos(x)
y.backward()
print(tg.exp(1.0) + tg.sin(0.5), x.grad)
