"""What the editor shows on hover: every expression below is a Value."""
from tinygrad_edu import Value

a = Value(2.0)
b = Value(-3.0)
reveal_type(a * b + a**2)
reveal_type(2 - a)
reveal_type(a / 3)
reveal_type(a.tanh())
