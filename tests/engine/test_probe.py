"""The dC ~ grad C . dw probe against an independent computation, and the verdict rule."""

import math

import numpy as np
import pytest

from engine import Network, Trainer
from engine.network import one_hot
from engine.probe import LinearityProbe, ProbeReading
from engine.verdict import COLOURS, GOOD_RATIO, linear_verdict
from engine.weight_space import Sample


def _data(n=120, n_in=8, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)).astype(np.float32), rng.integers(0, n_out, n)


def _as64(net):
    other = Network(net.sizes, activation=net.activation_name, cost=net.cost_name,
                    dtype=np.float64)
    other.set_parameters(net.weights, net.biases)
    return other


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_predicted_change_is_the_gradient_dotted_with_the_step(cost):
    x, labels = _data()
    net = Network([8, 6, 5, 3], cost=cost, seed=1)
    probe = LinearityProbe(net, (x, labels), every=3, probe_size=50, seed=4)
    trainer = Trainer(net, (x, labels), eta=2.0, mini_batch_size=10, epochs=1, seed=0)
    before = after = None
    readings = []
    for record in probe.watch(trainer.run()):
        if isinstance(record, ProbeReading):
            readings.append(record)
            continue
        if probe.updates == 2:          # the watch observes after yielding: updates is j - 1
            before = _as64(net)         # weights after mini-batch 3 (observed next)
        if probe.updates == 3:
            after = _as64(net)
    assert len(readings) == 3            # after batches 3, 6, 9 of 12; read at 4, 7, 10
    r = readings[0]
    assert (r.update, r.batch) == (4, 4)
    # independent: Network.backprop in float64 on the same probe images
    xs, ys = probe.sample.xa[:, :-1].astype(np.float64), one_hot(probe.sample.labels, 3, np.float64)
    nabla_b, nabla_w, c0 = before.backprop(xs, ys)
    dw = [wa - wb for wa, wb in zip(after.weights, before.weights)]
    db = [ba - bb for ba, bb in zip(after.biases, before.biases)]
    g_dot_dw = sum(float(np.sum(gw * d)) for gw, d in zip(nabla_w, dw)) + \
        sum(float(np.sum(gb * d)) for gb, d in zip(nabla_b, db))
    assert r.predicted == pytest.approx(g_dot_dw, rel=1e-5)
    assert r.cost_before == pytest.approx(c0, rel=1e-6)
    c1 = after.cost.total(after.feedforward(xs), ys) / len(xs)
    assert r.actual == pytest.approx(c1 - c0, rel=1e-4)
    assert r.ratio == pytest.approx(r.actual / r.predicted)
    g = np.concatenate([a.ravel() for a in nabla_w + nabla_b])
    d = np.concatenate([a.ravel() for a in dw + db])
    cos = -(g @ d) / np.linalg.norm(g) / np.linalg.norm(d)
    assert r.angle == pytest.approx(math.degrees(math.acos(cos)), abs=1e-3)
    assert r.step_length == pytest.approx(np.linalg.norm(d), rel=1e-5)
    # the textbook step -eta g on the probe cost: predicted -eta |g|^2, actual from a network
    assert r.gd_predicted == pytest.approx(-2.0 * (g @ g), rel=1e-5)
    moved = before.copy()
    for w, b, gw, gb in zip(moved.weights, moved.biases, nabla_w, nabla_b):
        w -= 2.0 * gw
        b -= 2.0 * gb
    c_gd = moved.cost.total(moved.feedforward(xs), ys) / len(xs)
    assert r.gd_actual == pytest.approx(c_gd - c0, rel=1e-4)
    assert r.gd_ratio == pytest.approx(r.gd_actual / r.gd_predicted)
    assert r.gd_verdict.word in ("good", "breaking down", "overshoot")


def test_full_batch_step_on_the_probe_set_goes_straight_down_and_small_steps_are_linear():
    x, labels = _data(n=60)
    net = Network([8, 6, 3], seed=1)
    probe = LinearityProbe(net, Sample.from_data(x, labels, 3), every=1)
    # m = n: the step is -eta times the gradient of exactly the probe cost
    for eta, good in ((0.01, True), (30.0, False)):
        trainer = Trainer(net, (x, labels), eta=eta, mini_batch_size=60, epochs=3, seed=0)
        readings = [r for r in probe.watch(trainer.run()) if isinstance(r, ProbeReading)]
        r = readings[-1]
        assert r.angle < 0.1                   # dw is parallel to -g
        assert r.predicted < 0
        if good:
            assert r.ratio == pytest.approx(1.0, abs=2e-3)
            assert r.verdict.word == "good"
        else:
            assert abs(r.ratio - 1.0) > 0.1


def test_verdict_thresholds_and_colours():
    assert linear_verdict(-1.0, -1.05).word == "good"
    assert linear_verdict(-1.0, -GOOD_RATIO[0] + 0.01).word == "breaking down"
    assert linear_verdict(-1.0, -0.5).colour == COLOURS["breaking down"]
    assert linear_verdict(-1.0, 0.2).word == "overshoot"
    assert linear_verdict(0.5, 0.4).word == "uphill"
    assert linear_verdict(1e-15, 0.0).word == "stopped"
    assert linear_verdict(-1.0, float("nan")).word == "overshoot"
    assert linear_verdict(-2.0, -1.0).ratio == 0.5


def test_bad_input():
    x, labels = _data()
    net = Network([8, 6, 3], seed=1)
    with pytest.raises(ValueError, match="every"):
        LinearityProbe(net, (x, labels), every=0)
    with pytest.raises(ValueError, match="input layer"):
        LinearityProbe(net, (x[:, :5], labels))
