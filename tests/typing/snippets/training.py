"""Training by hand and with fit: MLP, losses, an optimizer, no_grad."""
from tinygrad_edu import MLP, SGD, Adam, Value, fit, make_moons, mse, no_grad

model = MLP(2, [4, 1])
out = model([1.0, 2.0])
out.backward()
loss = (out - 1.0) ** 2
model.zero_grad()
loss.backward()
for p in model.parameters():
    p.data -= 0.1 * p.grad

scores = [model(x) for x in [[0.0, 1.0], [1.0, 0.0]]]
loss2 = mse(scores, [1.0, -1.0])
loss2.backward()
opt = SGD(model.parameters(), lr=0.05)
opt.step()
Adam(model.parameters(), lr=1e-3).zero_grad()

with no_grad():
    y: Value = model([0.5, 0.5])

X, labels = make_moons(20, noise=0.1, seed=0)
history = fit(model, X, labels, steps=2, progress=False)
print(history["loss"][-1], model.predict([0.0, 0.0]), model.num_parameters())
