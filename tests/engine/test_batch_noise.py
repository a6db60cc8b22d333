"""Mini-batch noise: per-example gradient norms against per-example backprop, the noise
estimates against explicit per-example gradients, agreement and the race's bookkeeping."""

import numpy as np
import pytest

from engine import Network, Trainer
from engine.batch_noise import (
    Agreement,
    NoiseEstimate,
    NoiseReading,
    NoiseScaleMonitor,
    batch_size_race,
    full_gradient,
    gradient_agreement,
    noise_estimate,
    updates_per_pass,
)
from engine.network import one_hot
from engine.weight_space import Sample, cost_and_gradient


def _data(n=80, n_in=7, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), rng.integers(0, n_out, n)


def _per_example_gradients(net, x, labels):
    """Each example's gradient by Network.backprop on a batch of one, flattened like params."""
    rows = []
    y = one_hot(labels, net.sizes[-1], np.float64)
    for i in range(len(x)):
        nb, nw, _ = net.backprop(x[i:i + 1], y[i:i + 1])
        rows.append(np.concatenate([np.hstack([w, b[:, None]]).ravel() for w, b in zip(nw, nb)]))
    return np.array(rows)


@pytest.mark.parametrize("activation,cost", [("sigmoid", "quadratic"), ("relu", "cross-entropy")])
def test_per_example_gradient_norms_match_backprop_one_example_at_a_time(activation, cost):
    x, labels = _data()
    net = Network([7, 6, 5, 3], activation=activation, cost=cost, init="scaled", seed=2,
                  dtype=np.float64)
    sample = Sample.from_data(x, labels, 3, np.float64)
    c, g, sq = cost_and_gradient(net, net.params, sample, per_example=True)
    per = _per_example_gradients(net, x, labels)
    np.testing.assert_allclose(sq, np.sum(per ** 2, axis=1), rtol=1e-10)
    np.testing.assert_allclose(g, per.mean(axis=0), rtol=1e-10, atol=1e-14)
    # the noise estimates are the sample covariance's trace and the unbiased |G|^2
    est = noise_estimate(sq, g)
    assert est.trace_sigma == pytest.approx(np.trace(np.cov(per.T)), rel=1e-9)
    assert est.gradient_sq == pytest.approx(g @ g - est.trace_sigma / len(x), rel=1e-9)


def test_noise_estimate_is_unbiased_on_synthetic_gradients():
    rng = np.random.default_rng(0)
    G = np.array([1.0, -2.0, 0.5])
    sigma = np.array([3.0, 1.0, 2.0])            # tr(Sigma) = 9 + 1 + 4 = 14
    tr, g2 = [], []
    for _ in range(3000):
        per = G + rng.standard_normal((8, 3)) * sigma
        est = noise_estimate(np.sum(per ** 2, axis=1), per.mean(axis=0))
        tr.append(est.trace_sigma)
        g2.append(est.gradient_sq)
    assert np.mean(tr) == pytest.approx(14.0, rel=0.03)
    assert np.mean(g2) == pytest.approx(G @ G, rel=0.1)
    assert NoiseEstimate(8, 14.0, 5.25).noise_scale == pytest.approx(14 / 5.25)
    with pytest.raises(ValueError, match="two"):
        noise_estimate(np.ones(1), G)


def test_gradient_agreement_full_batch_is_exact_and_small_batches_are_noisy():
    x, labels = _data(n=60)
    net = Network([7, 6, 3], seed=3)
    out = list(gradient_agreement(net, (x, labels), sizes=(1, 10, 60), batches=30))
    whole, a1, a10, a60 = out
    assert isinstance(whole, NoiseEstimate) and whole.batch_size == 60
    _, G, _ = full_gradient(net, (x, labels), chunk=25)       # chunked: the same G
    per = _per_example_gradients(_as64(net), x, labels)
    np.testing.assert_allclose(G, per.mean(axis=0), rtol=1e-4, atol=1e-7)
    assert whole.trace_sigma == pytest.approx(np.trace(np.cov(per.T)), rel=1e-4)
    assert all(isinstance(a, Agreement) for a in (a1, a10, a60))
    assert a60.cosine_mean == pytest.approx(1.0, abs=1e-5) and a60.error_mean < 1e-4
    assert a1.cosine_mean < a10.cosine_mean < a60.cosine_mean
    assert a1.error_mean > a10.error_mean
    assert a10.error_mean == pytest.approx(a10.error_predicted, rel=0.3)
    with pytest.raises(ValueError, match="between 1"):
        next(gradient_agreement(net, (x, labels), sizes=(0,)))


def _as64(net):
    other = Network(net.sizes, dtype=np.float64)
    other.set_parameters(net.weights, net.biases)
    return other


def test_noise_monitor_reads_every_k_batches():
    x, labels = _data(n=200)
    net = Network([7, 6, 3], seed=1)
    mon = NoiseScaleMonitor(net, (x, labels), every=5, batch_size=50, smoothing=0.5)
    out = list(mon.watch(Trainer(net, (x, labels), mini_batch_size=10, epochs=1, seed=0).run()))
    readings = [r for r in out if isinstance(r, NoiseReading)]
    assert [r.update for r in readings] == [5, 10, 15, 20]
    assert readings[0].noise_scale == readings[0].instant            # nothing to smooth yet
    assert all(np.isfinite(r.trace_sigma) and r.trace_sigma > 0 for r in readings)
    with pytest.raises(ValueError, match="batch_size"):
        NoiseScaleMonitor(net, (x, labels), batch_size=1)


def test_race_starts_level_and_counts_updates():
    x, labels = _data(n=100)
    net = Network([7, 6, 3], seed=1)
    before = [p.copy() for p in net.params]
    points = list(batch_size_race(net, (x, labels), sizes=(1, 10, None), epochs=2,
                                  points_per_epoch=4, eval_size=50))
    for p, q in zip(before, net.params):
        np.testing.assert_array_equal(p, q)                     # net itself untouched
    starts = [p for p in points if p.examples == 0]
    assert len(starts) == 3 and len({p.cost for p in starts}) == 1
    for p in points:
        assert p.updates == p.examples // p.m
    full = [p for p in points if p.label == "full batch"]
    assert [p.updates for p in full] == [0, 1, 2]
    ends = {p.m: p for p in points}
    assert ends[1].examples == ends[10].examples == 200
    assert updates_per_pass(60_000, 10) == 6_000
