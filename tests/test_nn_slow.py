"""The accuracy targets of issue 5: micrograd's two-moons demo recipe, on our own data and init.

Recipe: 100 moons points (noise 0.1), MLP(2, [16, 16, 1]), hinge loss + 1e-4 * L2,
SGD with lr = 1.0 - 0.9 * k / 100, 100 full-batch steps.  The data and the initial
weights both come from our seeded generators, so the default seed is a choice: seed 0
(DEFAULT_SEED) was fixed before looking, and seeds 0-6 all reached 100 % when checked.
Run time: about 8-15 s per seed on an idle 2-core machine; skip with -m "not slow".
"""

import pytest

from tinygrad_edu import MLP, evaluate, fit, make_moons
from tinygrad_edu.data import DEFAULT_SEED


def _micrograd_recipe(seed):
    X, y = make_moons(100, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], seed=seed)
    history = fit(model, X, y, steps=100, loss="hinge", l2=1e-4,
                  lr=lambda k: 1.0 - 0.9 * k / 100, progress=False)
    return history, evaluate(model, X, y)


@pytest.mark.slow
def test_default_seed_reaches_100_percent():
    history, final = _micrograd_recipe(DEFAULT_SEED)
    assert final == 1.0
    assert history["accuracy"][-1] == 1.0
    assert history["loss"][-1] < 0.1 * history["loss"][0]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_other_seeds_reach_95_percent(seed):
    _, final = _micrograd_recipe(seed)
    assert final >= 0.95
