"""The learning-rate sweep: identical starts, identical mini-batch order, divergence
caught, the best eta named."""

import numpy as np
import pytest

from engine import Network, Trainer
from engine.lr_sweep import LearningRateSweep


def _data(n=200, n_in=8, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, n_in))
    labels = (x[:, 0] * 3).astype(int) % n_out      # learnable
    return x, labels


def test_runs_start_equal_and_see_the_same_mini_batches():
    x, labels = _data()
    net = Network([8, 6, 3], seed=1)
    sweep = LearningRateSweep(net, (x, labels), etas=(1.0, 1.0, 3.0), mini_batch_size=10,
                              epochs=2, points_per_epoch=3, eval_size=50, seed=7)
    assert sweep.initial_weights_equal()
    for r in sweep.runs:
        for p, q in zip(r.net.params, net.params):
            np.testing.assert_array_equal(p, q)
    points = list(sweep.run())
    a, b, c = (r.net.params for r in sweep.runs)
    for p, q in zip(a, b):                       # same eta, same order: the same weights
        np.testing.assert_array_equal(p, q)
    assert not all(np.array_equal(p, q) for p, q in zip(a, c))
    # and the order is the one a plain Trainer with that seed uses
    plain = net.copy()
    for _ in Trainer(plain, (x, labels), eta=3.0, mini_batch_size=10, epochs=2, seed=7).run():
        pass
    for p, q in zip(c, plain.params):
        np.testing.assert_array_equal(p, q)
    # interleaved: the runs take turns, each reporting at the same fractions of an epoch
    assert [p.run for p in points[:3]] == [0, 1, 2]
    fractions = [[round(p.epochs, 3) for p in r.points] for r in sweep.runs]
    assert fractions[0] == fractions[1] == fractions[2]
    assert fractions[0][0] == 0.0 and fractions[0][-1] == 2.0 and len(fractions[0]) == 7
    assert sum(p.epoch_end for p in sweep.runs[0].points) == 2
    assert sweep.throughput() > 0


@pytest.mark.filterwarnings("ignore:overflow", "ignore:invalid value")
def test_divergence_is_caught_and_marked_and_the_best_eta_named():
    x, labels = _data()
    net = Network([8, 6, 6, 6, 3], activation="relu", cost="cross-entropy", init="scaled", seed=1)
    # large inputs and the largest eta allowed: the third run's weights overflow in a few steps
    sweep = LearningRateSweep(net, (100 * x, labels), etas=(0.001, 0.01, 1e6),
                              mini_batch_size=10, epochs=2, points_per_epoch=2, eval_size=100,
                              test_data=(100 * _data(seed=1)[0], _data(seed=1)[1]), seed=0)
    points = list(sweep.run())
    blown = sweep.runs[2]
    assert blown.state == "diverged" and "too large" in blown.note
    assert points[-1].run != 2                   # the others went on
    assert [p.state for p in blown.points][-1] == "diverged"
    assert sweep.runs[0].examples == sweep.runs[1].examples == 400
    eta, text = sweep.best()
    assert eta in (0.001, 0.01) and "test accuracy" in text
    accs = {r.eta: r.points[-1].test_accuracy for r in sweep.runs[:2]}
    assert accs[eta] == max(accs.values())


def test_stop_ends_after_the_current_chunk_and_bad_input():
    x, labels = _data()
    sweep = LearningRateSweep(Network([8, 6, 3], seed=1), (x, labels), etas=(1.0, 2.0),
                              epochs=5, points_per_epoch=2, eval_size=20)
    gen = sweep.run()
    for k, _ in enumerate(gen):
        if k == 3:
            sweep.stop()
    assert all(r.examples < 5 * 200 for r in sweep.runs)
    with pytest.raises(ValueError, match="positive"):
        LearningRateSweep(Network([8, 6, 3]), (x, labels), etas=(1.0, -1.0))
    with pytest.raises(ValueError, match="points_per_epoch"):
        LearningRateSweep(Network([8, 6, 3]), (x, labels), points_per_epoch=0)
