"""The Inside panel's plain-Python model: no Qt, unit pictures, the confusion matrix's
stale results dropped, the gallery behind a cell, undoing lessons."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from paths import ROOT

from engine.confusion import confusion_matrix
from engine.digit_cost import digit_gradients
from engine.network import Network
from engine.teach import teach
from engine.unit_pictures import diverging_rgba
from explorer.inside.model import InsideModel, TeachState, network_problem


def test_the_model_imports_no_qt():
    # what the package ``explorer`` itself loads is not this module's doing
    code = ("import sys, explorer\n"
            "before = set(sys.modules)\n"
            "import explorer.inside.model\n"
            "print(','.join(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in "
            "('PySide6', 'pyqtgraph', 'shiboken6'))))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


@pytest.fixture
def test_set():
    rng = np.random.default_rng(5)
    return rng.random((300, 784), dtype=np.float32), rng.integers(0, 10, 300)


def test_unit_grid_and_detail_follow_the_weights():
    net = Network([784, 16, 10], seed=2)
    m = InsideModel(net, "a 3Blue1Brown network")
    assert m.units() == 16
    rgba, columns, scale = m.unit_grid()
    assert columns == 10 and rgba.shape == (2 * 28 + 2, 10 * 28 + 9 * 2, 4)
    w = net.weights[0]
    assert scale == pytest.approx(float(np.abs(w).max()))
    # unit 13 sits at row 1, column 3 of the grid, coloured by its weights
    expected = diverging_rgba(w[13].reshape(28, 28), scale)
    assert np.array_equal(rgba[30:58, 90:118], expected)
    m.set_unit(13)
    d = m.unit_detail()
    assert np.array_equal(d.rgba, expected) and d.activation is None
    assert np.array_equal(d.outgoing, net.weights[1][:, 13])
    x = np.random.default_rng(0).random(784, dtype=np.float32)
    m.set_digit(x)
    z = w[13] @ x + net.biases[0][13]
    assert m.unit_detail().activation == pytest.approx(1 / (1 + np.exp(-z)), rel=1e-5)
    with pytest.raises(ValueError, match="unit must be 0 to 15"):
        m.set_unit(16)


def test_gradient_mode_draws_the_digits_weight_gradients():
    net = Network([784, 12, 10], seed=4)
    m = InsideModel(net, "n")
    x = np.random.default_rng(1).random(784, dtype=np.float32)
    m.set_digit(x, 3)
    m.set_mode("gradient")
    values, scale, signed = m.unit_values()
    g = np.abs(digit_gradients(net, x, 3, cost="quadratic").nabla_w[0])
    assert not signed and np.allclose(values.reshape(12, -1), g)
    assert scale == pytest.approx(float(g.max()))
    with pytest.raises(ValueError, match="mode must be"):
        m.set_mode("edges")


def test_stale_confusion_is_dropped_and_cells_fill_the_gallery(test_set):
    a, b = Network([784, 20, 10], seed=1), Network([784, 20, 10], seed=2)
    m = InsideModel(a, "a")
    assert m.set_test(*test_set) is None
    gen_a, job_a = m.confusion_job()
    m.set_network(b, "b")
    gen_b, job_b = m.confusion_job()
    assert not m.set_confusion(gen_a, job_a())          # made for a: stale
    assert m.confusion is None
    assert m.set_confusion(gen_b, job_b())
    images, labels = test_set
    out = b.feedforward(images)
    guesses = out.argmax(axis=1)
    d, g = np.unravel_index(np.argmax(m.confusion.counts), (10, 10))
    m.show_cell(int(d), int(g))
    want = np.flatnonzero((labels == d) & (guesses == g))
    assert sorted(m.gallery.tolist()) == want.tolist() and len(want) > 0
    conf = out[m.gallery, g]
    assert np.all(np.diff(conf) <= 1e-7)                  # the most confident first
    i, x, label, guess, c = m.gallery_item(0)
    assert (label, guess) == (d, g) and np.array_equal(x, images[i])
    m.show_mistakes()
    assert np.all(labels[m.gallery] != guesses[m.gallery])
    assert len(m.gallery) == int((labels != guesses).sum())


def test_the_job_works_on_a_copy(test_set):
    net = Network([784, 10, 10], seed=3)
    m = InsideModel(net, "n")
    m.set_test(*test_set)
    gen, job = m.confusion_job()
    expected = confusion_matrix(net, *test_set).counts
    for w in net.weights:                               # the trainer changes weights in place
        w[...] = 0
    assert np.array_equal(job().counts, expected)


def test_bad_networks_and_test_sets_are_named():
    assert "No network" in network_problem(None)
    assert "does not read MNIST" in network_problem(Network([4, 3, 2], seed=0))
    m = InsideModel(Network([784, 5, 10], seed=0), "n")
    assert "images (n, 784)" in m.set_test(np.zeros((3, 10)), np.zeros(3))
    assert "digits 0 to 9" in m.set_test(np.zeros((3, 784)), np.array([0, 1, 12]))
    assert m.test is None and m.confusion_job() is None


def test_teach_state_chains_lessons_and_undoes_to_the_first_network():
    net = Network([784, 8, 10], seed=0)
    x = np.random.default_rng(2).random(784, dtype=np.float32)
    s = TeachState()
    first = teach(net, x, 4, steps=2, eta=0.5)
    label = s.taught(net, "shipped model", first)
    assert "shipped model" in label and "1 lesson" in label
    second = teach(first.network, x, 4, steps=2, eta=0.5)
    assert "2 lessons" in s.taught(first.network, label, second)
    back, back_label = s.undo()
    assert back is net and back_label == "shipped model" and not s.can_undo
