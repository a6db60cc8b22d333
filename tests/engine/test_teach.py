"""Teaching one digit: the label's output rises, the original network stays as it was."""

import numpy as np
import pytest

from engine import Network
from engine.teach import accuracy, accuracy_before_after, teach


def _snapshot(net):
    return [p.tobytes() for p in net.params]


def _setup(cost="quadratic"):
    net = Network([784, 20, 10], cost=cost, init="scaled", seed=5)
    x = np.random.default_rng(6).random(784).astype(np.float32)
    out = net.feedforward(x)
    label = int(np.argsort(out)[0])          # the digit it believes least
    return net, x, label


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_teaching_raises_the_labels_output_and_leaves_the_original(cost):
    net, x, label = _setup(cost)
    before = _snapshot(net)
    out_before = net.feedforward(x).copy()
    lesson = teach(net, x, label, steps=10, eta=3.0)
    assert _snapshot(net) == before                        # untouched, bit for bit
    assert np.array_equal(net.feedforward(x), out_before)
    assert lesson.network is not net
    assert lesson.before.outputs[label] == pytest.approx(float(out_before[label]))
    assert lesson.after.outputs[label] > lesson.before.outputs[label] + 0.1
    assert lesson.after.guess == label
    assert lesson.after.network_cost < lesson.before.network_cost
    assert len(lesson.costs) == 11 and lesson.costs[-1] < lesson.costs[0]
    assert lesson.costs[0] == pytest.approx(lesson.before.network_cost, rel=1e-5)
    # the copy really changed, the original's arrays are not shared with it
    assert not np.array_equal(lesson.network.params[0], net.params[0])
    assert all(not np.shares_memory(a, b) for a, b in zip(lesson.network.params, net.params))


def test_one_step_is_the_books_update():
    net, x, label = _setup()
    lesson = teach(net, x, label, steps=1, eta=0.5)
    y = np.zeros((1, 10), np.float32)
    y[0, label] = 1
    nabla_b, nabla_w, _ = net.backprop(x[None, :], y)
    for w0, w1, nw in zip(net.weights, lesson.network.weights, nabla_w):
        assert np.allclose(w1, w0 - 0.5 * nw, atol=1e-7)


def test_mixing_in_training_images():
    net, x, label = _setup()
    rng = np.random.default_rng(1)
    train = (rng.random((50, 784)).astype(np.float32), rng.integers(0, 10, 50))
    a = teach(net, x, label, steps=5, eta=3.0, mix=4, training_data=train, seed=2)
    b = teach(net, x, label, steps=5, eta=3.0, mix=4, training_data=train, seed=2)
    c = teach(net, x, label, steps=5, eta=3.0)
    assert all(np.array_equal(p, q) for p, q in zip(a.network.params, b.network.params))
    assert not np.array_equal(a.network.params[0], c.network.params[0])
    assert a.after.outputs[label] > a.before.outputs[label]
    assert a.mix == 4


def test_accuracy_before_after():
    net, x, label = _setup()
    rng = np.random.default_rng(3)
    images = rng.random((40, 784)).astype(np.float32)
    labels = net.predict(images)
    labels[:10] = (labels[:10] + 1) % 10                  # 30 of 40 right
    assert accuracy(net, (images, labels)) == pytest.approx(0.75)
    lesson = teach(net, x, label, steps=3, eta=1.0)
    before, after = accuracy_before_after(net, lesson.network, (images, labels))
    assert before == pytest.approx(0.75)
    assert after == accuracy(lesson.network, (images, labels))


def test_bad_settings_are_refused_before_anything_happens():
    net, x, label = _setup()
    for kwargs, match in (({"eta": 0}, "eta"), ({"eta": float("nan")}, "eta"),
                          ({"steps": -1}, "steps"), ({"steps": 2.5}, "steps"),
                          ({"mix": 3}, "training_data"), ({"mix": -1}, "mix")):
        with pytest.raises(ValueError, match=match):
            teach(net, x, label, **kwargs)
    with pytest.raises(ValueError, match="label"):
        teach(net, x, 11)
    with pytest.raises(ValueError, match="784 input values"):
        teach(net, x[:10], 1)
