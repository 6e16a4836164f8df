"""A student's first cell: arithmetic on Values and plain numbers, on both sides."""
from tinygrad_edu import Value

a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = a * b + a**2
d = 2 - a
e = a / 3
f = 1.5 * b - a / b + 4**a - (-a) + abs(b) + (+a) % 2
g = (c + d + e + f).tanh() + a.exp() + b.relu() + a.sigmoid() + a.log() + a.sqrt()
g.backward()
print(a.grad + b.grad, a.data * 2.0, c.item())
if a > 1 and b <= 0.5:
    print(float(a), round(a.data, 2))
total: Value = sum([a, b, c], Value(0.0))
mean = sum([a * a, b * b], Value(0.0)) / 2
mean.backward()
