"""``from tinygrad_edu import *`` gives the names of the course, not the submodules."""
from tinygrad_edu import *

a = Value(1.0)
c = a * 2 + exp(a) - tanh(a)
c.backward()
model = MLP(2, [3, 1])
print(grad(lambda x: x * x)(3.0), model([1.0, 1.0]), jacobian(lambda v: [v[0]], 0), c)
