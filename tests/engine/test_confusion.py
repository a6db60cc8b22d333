"""The confusion matrix against a plain loop over the images."""

import numpy as np
import pytest

from engine import Network
from engine.confusion import confusion_matrix


def _data(n=600, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784)).astype(np.float32), rng.integers(0, 10, n)


def _loop(net, images, labels, share=False):
    """Cells and confidences one image at a time, the slow obvious way."""
    cells = {}
    for i, (x, d) in enumerate(zip(images, labels)):
        a = net.feedforward(x)
        g = int(np.argmax(a))
        conf = a[g] / a.sum() if share else a[g]
        cells.setdefault((int(d), g), []).append((float(conf), i))
    return cells


@pytest.mark.parametrize("confidence", ["output", "share"])
def test_cells_hold_exactly_the_right_images(confidence):
    net = Network([784, 20, 10], init="normal", seed=2)   # untrained: mistakes everywhere
    images, labels = _data()
    result = confusion_matrix(net, images, labels, confidence=confidence, chunk=128)
    cells = _loop(net, images, labels, share=confidence == "share")
    assert len(cells) > 10                                 # many cells are used
    for d in range(10):
        for g in range(10):
            got = result.cell(d, g)
            want = cells.get((d, g), [])
            assert result.counts[d, g] == len(want) == len(got)
            assert sorted(got.tolist()) == sorted(i for _, i in want)
            conf = {i: c for c, i in want}
            got_conf = [conf[i] for i in got]                  # most confident first
            assert all(a >= b - 1e-6 for a, b in zip(got_conf, got_conf[1:]))
    assert result.total == 600
    assert result.correct == sum(len(cells.get((d, d), [])) for d in range(10))
    assert result.accuracy == pytest.approx(result.correct / 600)
    for d in range(10):
        row = sum(len(cells.get((d, g), [])) for g in range(10))
        assert result.per_digit_accuracy[d] == pytest.approx(len(cells.get((d, d), [])) / row)


def test_most_confident_mistakes_across_digits():
    net = Network([784, 20, 10], seed=3)
    images, labels = _data(300, seed=5)
    result = confusion_matrix(net, images, labels)
    wrong = [(float(np.max(net.feedforward(x))), i)
             for i, (x, d) in enumerate(zip(images, labels)) if np.argmax(net.feedforward(x)) != d]
    got = result.mistakes()
    assert sorted(got.tolist()) == sorted(i for _, i in wrong)
    conf = dict((i, c) for c, i in wrong)
    assert conf[int(got[0])] == pytest.approx(max(c for c, _ in wrong))
    assert all(conf[int(a)] >= conf[int(b)] - 1e-6 for a, b in zip(got, got[1:]))
    assert len(result.mistakes(5)) == 5


def test_bad_input_is_refused():
    net = Network([784, 5, 10], seed=0)
    images, labels = _data(20)
    with pytest.raises(ValueError, match="shape"):
        confusion_matrix(net, images[:, :100], labels)
    with pytest.raises(ValueError, match="labels must be 0 to 9"):
        confusion_matrix(net, images, labels + 5)
    with pytest.raises(ValueError, match="confidence"):
        confusion_matrix(net, images, labels, confidence="loud")
    with pytest.raises(ValueError, match="digit must be"):
        confusion_matrix(net, images, labels).cell(10, 0)


def test_on_real_mnist(mnist_data):
    from engine import model_io
    from tests.paths import ROOT

    net = model_io.load(ROOT / "resources" / "model-784-100-10.npz")
    test = mnist_data.test
    result = confusion_matrix(net, test.images, test.labels)
    correct, _ = net.evaluate(test.images, test.labels)
    assert result.correct == correct and result.total == 10_000
    assert result.counts.sum(axis=1).tolist() == np.bincount(test.labels, minlength=10).tolist()
    first = result.mistakes(1)[0]
    assert net.predict(test.images[first]) != test.labels[first]
