"""Pictures: draw a graph, save it, show a gradient."""
from tinygrad_edu import Value, draw, draw_gradient

a = Value(2.0, label="a")
b = Value(-3.0, label="b")
L = (a * b + a).tanh()
L.backward()
picture = draw(L)
path: str = picture.save_as("/tmp/tinygrad_edu_snippet.svg")
text: str = picture.svg()
print(path, text[:10], picture.source)
draw(L, show_grad=False, rankdir="TB")
slope = draw_gradient(L, a).gradient
print(slope.data + 1.0)
