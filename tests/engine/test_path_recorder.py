"""Recording the training path: bounded, evenly thinned, initial and final kept."""

import numpy as np
import pytest

from engine import Network, Trainer
from engine.path_recorder import PathRecorder
from engine.weight_space import flatten


def test_records_initial_weights_every_k_batches_and_the_end():
    rng = np.random.default_rng(0)
    x, labels = rng.random((200, 6)), rng.integers(0, 3, 200)
    net = Network([6, 5, 3], seed=1)
    start = flatten(net.params)
    rec = PathRecorder(net, every=4, capacity=8)
    trainer = Trainer(net, (x, labels), eta=1.0, mini_batch_size=10, epochs=3, seed=0)
    records = list(rec.watch(trainer.run()))
    assert len(records) == 3 * 20 + 3            # passed through unchanged
    path, steps = rec.path(), rec.steps()
    assert rec.updates == 60
    assert len(path) <= 8 and len(path) == len(steps)
    np.testing.assert_array_equal(path[0], start)
    np.testing.assert_array_equal(path[-1], flatten(net.params))
    assert steps[0] == 0 and steps[-1] == 60
    assert np.all(np.diff(steps) > 0)
    assert rec.every == 16           # 4 -> 8 -> 16 as the store filled up twice
    assert set(steps[1:-1] % 16) == {0}
    assert len(rec.path()) == len(path)          # asking again adds nothing


def test_snapshot_matches_weights_at_that_step():
    rng = np.random.default_rng(0)
    x, labels = rng.random((100, 6)), rng.integers(0, 3, 100)
    net = Network([6, 5, 3], seed=1)
    rec = PathRecorder(net, every=3)
    seen = {}
    for r in rec.watch(Trainer(net, (x, labels), mini_batch_size=10, epochs=1, seed=0).run()):
        seen[rec.updates] = flatten(net.params)
    path, steps = rec.path(), rec.steps()
    for p, s in zip(path[1:], steps[1:]):
        np.testing.assert_array_equal(p, seen[s])


def test_bad_settings():
    net = Network([6, 5, 3], seed=1)
    with pytest.raises(ValueError, match="every"):
        PathRecorder(net, every=0)
    with pytest.raises(ValueError, match="capacity"):
        PathRecorder(net, capacity=2)
