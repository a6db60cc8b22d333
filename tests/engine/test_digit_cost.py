"""One digit's cost, and its gradients against finite differences."""

import numpy as np
import pytest

from engine import Network
from engine.digit_cost import digit_cost, digit_gradients


def _cost(net, x, label, cost):
    """C_x by a plain forward pass, in the named cost."""
    a = net.feedforward(x)
    y = np.zeros_like(a)
    y[label] = 1.0
    if cost == "quadratic":
        return 0.5 * np.sum((a - y) ** 2)
    return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a))


def _net(activation="sigmoid", cost="quadratic", sizes=(16, 7, 5, 4)):
    return Network(list(sizes), activation=activation, cost=cost, init="normal", seed=7,
                   dtype=np.float64)


def test_the_table_of_one_digit():
    net = Network([784, 30, 10], cost="cross-entropy", seed=1)
    x = np.random.default_rng(0).random(784)
    c = digit_cost(net, x, label=3)
    a = net.feedforward(x).astype(np.float64)
    assert np.allclose(c.outputs, a)
    assert c.target.tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert np.allclose(c.squared_errors, (a - c.target) ** 2)
    assert c.sum_squared == pytest.approx(float(np.sum((a - c.target) ** 2)))
    assert c.cost == pytest.approx(c.sum_squared / 2)
    assert c.network_cost_name == "cross-entropy"
    assert c.network_cost == pytest.approx(-np.log(a[3]) - np.sum(np.log(1 - np.delete(a, 3))),
                                           rel=1e-4)
    top = digit_cost(net, x.reshape(28, 28))
    assert top.label == top.guess == int(np.argmax(a))
    with pytest.raises(ValueError, match="label"):
        digit_cost(net, x, label=10)
    with pytest.raises(ValueError, match="finite"):
        digit_cost(net, np.full(784, np.nan))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("net_cost, cost", [("quadratic", None), ("cross-entropy", None),
                                            ("cross-entropy", "quadratic")])
def test_saliency_matches_finite_differences(activation, net_cost, cost):
    net = _net(activation, net_cost)
    x = np.random.default_rng(2).random(16)
    g = digit_gradients(net, x, label=1, cost=cost)
    used = cost or net_cost
    assert g.cost_name == used
    assert g.cost == pytest.approx(_cost(net, x, 1, used), rel=1e-10)
    h = 1e-6
    numeric = np.empty(16)
    for k in range(16):
        e = np.zeros(16)
        e[k] = h
        numeric[k] = (_cost(net, x + e, 1, used) - _cost(net, x - e, 1, used)) / (2 * h)
    assert g.input.shape == (16,)
    assert np.allclose(g.input, numeric, rtol=1e-5, atol=1e-9)
    assert np.abs(numeric).max() > 1e-4          # not a vacuous comparison of zeros


@pytest.mark.parametrize("net_cost", ["quadratic", "cross-entropy"])
def test_weight_gradients_match_finite_differences(net_cost):
    net = _net("sigmoid", net_cost)
    x = np.random.default_rng(3).random(16)
    g = digit_gradients(net, x, label=2)
    h = 1e-6
    for layer in range(3):
        w, b = net.weights[layer], net.biases[layer]
        assert g.nabla_w[layer].shape == w.shape and g.nabla_b[layer].shape == b.shape
        for j in range(w.shape[0]):
            for k in range(w.shape[1]):
                old = w[j, k]
                w[j, k] = old + h
                up = _cost(net, x, 2, net_cost)
                w[j, k] = old - h
                down = _cost(net, x, 2, net_cost)
                w[j, k] = old
                assert g.nabla_w[layer][j, k] == pytest.approx((up - down) / (2 * h),
                                                              rel=1e-5, abs=1e-9)
    assert np.allclose(g.first_layer_weights, np.abs(g.nabla_w[0]))
    assert np.allclose(g.unit_totals, np.abs(g.nabla_w[0]).sum(axis=1))
    assert g.unit_totals.shape == (7,)


def test_gradients_agree_with_the_networks_backprop():
    net = _net("sigmoid", "cross-entropy")
    x = np.random.default_rng(4).random(16)
    y = np.zeros((1, 4))
    y[0, 3] = 1.0
    nabla_b, nabla_w, cost = net.backprop(x[None, :], y)
    g = digit_gradients(net, x, label=3)
    assert g.cost == pytest.approx(cost)
    for a, b in zip(g.nabla_w + g.nabla_b, nabla_w + nabla_b):
        assert np.allclose(a, b, rtol=1e-10, atol=1e-14)
