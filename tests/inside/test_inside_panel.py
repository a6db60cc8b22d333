"""The Inside panel through its widgets: unit pictures, clicking a unit, the confusion
matrix and the gallery behind a cell, the pad showing a clicked image, per-digit
accuracy, following a network while it changes, random labels, and no MNIST."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTabWidget

from engine.digit_cost import digit_gradients
from engine.network import Network
from engine.unit_pictures import diverging_rgba
from explorer.inside.link import link_of
from explorer.inside.panel import InsidePanel
from explorer.session import Session


def synthetic(n, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784), dtype=np.float32) * 0.6, rng.integers(0, 10, n)


@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    return Session(data_dir=str(tmp_path / "no-mnist"))


def make_panel(qtbot, session, test=None, training=None):
    p = InsidePanel(session)
    qtbot.addWidget(p)
    if test is not None:
        assert p.set_mnist(test, training) is None
    p.resize(1400, 950)
    p.show()
    qtbot.waitExposed(p)
    return p


def wait_confusion(qtbot, p, net=None):
    qtbot.waitUntil(lambda: p.model.confusion is not None
                    and p.model.confusion_generation == p.model.generation, timeout=10_000)
    if net is not None:
        assert p.model.net is net


def click(widget, x, y):
    QTest.mouseClick(widget, Qt.LeftButton, Qt.NoModifier, QPoint(int(x), int(y)))


# ------------------------------------------------------------------ 1. unit pictures
def test_every_unit_is_drawn_and_a_click_shows_it_large(qtbot, session):
    net = Network([784, 16, 10], seed=7)
    session.set_model(net, "3Blue1Brown's 784-16-16-10, first layer")
    p = make_panel(qtbot, session)
    qtbot.waitUntil(lambda: p.unit_grid.count == 16)
    assert "784-16-10 (12,730 weights and biases)" in p.header.text()
    assert "All 16 units" in p.units_title.text()
    r = p.unit_grid.unit_rect(11)
    click(p.unit_grid, r.center().x(), r.center().y())
    assert p.model.unit == 11
    scale = float(np.abs(net.weights[0]).max())
    assert np.array_equal(p.model.unit_detail().rgba,
                          diverging_rgba(net.weights[0][11].reshape(28, 28), scale))
    assert np.allclose(p.outgoing.values, net.weights[1][:, 11])
    assert "Unit 11" in p.unit_info.text() and "draw a digit" in p.unit_info.text()
    # the digit on the pad: its activation is shown
    x = np.random.default_rng(3).random(784, dtype=np.float32)
    link_of(session).set_digit(x, None)
    z = float(net.weights[0][11] @ x + net.biases[0][11])
    assert f"{1 / (1 + np.exp(-z)):.3f}" in p.unit_info.text()
    # the toggle: |dC/dw| of this digit on the pictures
    p.gradient_radio.setChecked(True)
    values, scale, signed = p.model.unit_values()
    g = np.abs(digit_gradients(net, x, None, cost="quadratic").nabla_w[0])
    assert not signed and np.allclose(values.reshape(16, -1), g)
    assert "|dC_x/dw|" in p.units_title.text()
    p.shutdown()


def test_hundreds_of_units_scroll_and_redraw_quickly(qtbot, session):
    net = Network([784, 300, 10], seed=1)
    session.set_model(net, "wide")
    p = make_panel(qtbot, session)
    qtbot.waitUntil(lambda: p.unit_grid.count == 300)
    assert p.unit_grid.height() > p.unit_scroll.viewport().height()     # it scrolls
    session.set_model(Network([784, 100, 10], seed=2), "100 units")
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        p._refresh_units()
        times.append(time.perf_counter() - t0)
    assert p.unit_grid.count == 100
    assert sorted(times)[3] < 0.05, times           # goal 20 ms; slack for a busy machine
    p.shutdown()


# ------------------------------------------------------------------ 2, 3. confusion
def test_a_cell_shows_exactly_its_test_images_and_a_click_puts_one_on_the_pad(qtbot, session):
    from explorer.drawing.panel import DrawingPanel

    images, labels = synthetic(500, 1)
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    pad = DrawingPanel(session)
    inside = InsidePanel(session)
    tabs.addTab(pad, "Drawing pad")
    tabs.addTab(inside, "Inside the network")
    inside.set_mnist((images, labels))
    tabs.resize(1400, 950)
    tabs.show()
    tabs.setCurrentWidget(inside)
    qtbot.waitExposed(inside)
    wait_confusion(qtbot, inside)
    net = session.model
    out = net.feedforward(images)
    guesses = out.argmax(axis=1)
    expected = np.zeros((10, 10), int)
    np.add.at(expected, (labels, guesses), 1)
    assert np.array_equal(inside.confusion_view.counts, expected)
    # 3: per-digit and overall accuracy beside it
    per = np.diag(expected) / np.maximum(expected.sum(axis=1), 1)
    assert np.allclose(inside.accuracy_view.per_digit, per)
    assert inside.accuracy_view.overall == pytest.approx(np.trace(expected) / 500)
    # click the fullest off-diagonal cell
    off = expected.copy()
    np.fill_diagonal(off, 0)
    d, g = map(int, np.unravel_index(np.argmax(off), off.shape))
    assert off[d, g] >= 2
    click(inside.confusion_view, *inside.confusion_view.cell_center(d, g))
    shown = [inside.gallery.model().data(inside.gallery.model().index(r), Qt.UserRole)
             for r in range(inside.gallery.model().rowCount())]
    assert sorted(shown) == np.flatnonzero((labels == d) & (guesses == g)).tolist()
    conf = out[shown, g]
    assert np.all(np.diff(conf) <= 1e-6)                     # most confident first
    assert f"of a {d} answered {g}" in inside.gallery_title.text()
    # click the first image: it goes on the pad, and the pad's tab comes forward
    rect = inside.gallery.visualRect(inside.gallery.model().index(0))
    click(inside.gallery.viewport(), rect.center().x(), rect.center().y())
    assert tabs.currentWidget() is pad
    assert np.allclose(pad.canvas.picture.reshape(-1), images[shown[0]])
    assert pad.true_label == d
    # the most confident mistakes across all digits
    inside.mistakes_button.click()
    n_wrong = int((labels != guesses).sum())
    assert inside.gallery.model().rowCount() == n_wrong
    first = inside.gallery.model().data(inside.gallery.model().index(0), Qt.UserRole)
    wrong = np.flatnonzero(labels != guesses)
    assert out[first, guesses[first]] == pytest.approx(out[wrong, guesses[wrong]].max())
    inside.shutdown()
    pad.shutdown()


def test_it_follows_the_network_and_drops_stale_matrices(qtbot, session):
    images, labels = synthetic(300, 2)
    p = make_panel(qtbot, session, (images, labels))
    wait_confusion(qtbot, p)
    nets = [Network([784, 30, 10], seed=s) for s in range(5)]
    for i, net in enumerate(nets):          # faster than the worker can keep up
        session.set_model(net, f"being trained, step {i}")
    wait_confusion(qtbot, p, nets[-1])
    guesses = nets[-1].feedforward(images).argmax(axis=1)
    assert np.array_equal(p.model.confusion.guesses, guesses)
    qtbot.waitUntil(lambda: not p._redraw.isActive())
    assert p.unit_grid.count == 30 and "784-30-10 (23,860" in p.header.text()
    assert p.confusion_ms is not None and "computed in" in p.confusion_info.text()
    p.shutdown()


# ------------------------------------------------------------------ 4. random labels
def test_random_labels_runs_with_tiny_settings(qtbot, session):
    training, test = synthetic(200, 3), synthetic(100, 4)
    p = make_panel(qtbot, session, test, training)
    p.rl_images.setValue(60)
    p.rl_epochs.setValue(2)
    assert p.rl_start.isEnabled()
    assert p.start_random_labels() is None
    assert not p.rl_start.isEnabled() and p.rl_stop.isEnabled()
    qtbot.waitUntil(lambda: p.rl_worker is None, timeout=60_000)
    assert [r.epoch for r in p.rl_records] == [0, 1, 2]
    x, y = p.rl_curves["shuffled_train_accuracy"].getData()
    assert list(x) == [0, 1, 2]
    assert np.allclose(y, [100 * r.shuffled_train_accuracy for r in p.rl_records])
    assert "Finished 2 epochs" in p.rl_status.text() and p.rl_start.isEnabled()
    p.shutdown()


def test_random_labels_stops(qtbot, session):
    training, test = synthetic(400, 5), synthetic(100, 6)
    p = make_panel(qtbot, session, test, training)
    p.rl_images.setValue(400)
    p.rl_epochs.setValue(1000)
    p.start_random_labels()
    qtbot.waitUntil(lambda: len(p.rl_records) >= 2, timeout=60_000)
    p.rl_stop.click()
    qtbot.waitUntil(lambda: p.rl_worker is None, timeout=20_000)
    assert "Stopped after" in p.rl_status.text()
    assert p.rl_records[-1].epoch < 1000
    p.shutdown()


# ------------------------------------------------------------------ no MNIST
def test_without_mnist_it_says_what_it_needs(qtbot, session):
    p = make_panel(qtbot, session)
    qtbot.waitUntil(lambda: p.get_button.isVisible(), timeout=10_000)
    text = p.mnist_note.text()
    assert "need MNIST" in text and "10,000 test images" in text
    assert p.read_button.isVisible() and not p.rl_start.isEnabled()
    assert "needs MNIST" in p.start_random_labels()
    assert p.confusion_view.counts is None
    assert p.unit_grid.count == 500             # the unit pictures work without it (first layer)
    p.shutdown()


def test_settings_round_trip_and_bad_values_fall_back(qtbot, session):
    p = make_panel(qtbot, session)
    p.gradient_radio.setChecked(True)
    p.rl_epochs.setValue(7)
    state = p.settings_state()
    q = make_panel(qtbot, session)
    assert q.apply_settings(state) == []
    assert q.model.mode == "gradient" and q.rl_epochs.value() == 7
    notes = q.apply_settings({"mode": "edges", "random_epochs": -3, "per_unit": "yes"})
    assert len(notes) == 3 and q.model.mode == "weights" and q.rl_epochs.value() == 100
    p.shutdown()
    q.shutdown()


def test_a_gallery_of_thousands_paints_only_what_is_visible(qtbot, session):
    images = np.random.default_rng(8).random((6000, 784), dtype=np.float32)
    labels = np.full(6000, 3)
    net = Network([784, 5, 10], seed=0)
    net.biases[-1][3] += 30.0                  # it answers 3 to everything
    session.set_model(net, "always 3")
    p = make_panel(qtbot, session, (images, labels))
    wait_confusion(qtbot, p, net)
    delegate = p.gallery.itemDelegate()
    t0 = time.perf_counter()
    click(p.confusion_view, *p.confusion_view.cell_center(3, 3))
    QApplication.processEvents()
    p.gallery.viewport().repaint()
    ms = 1000 * (time.perf_counter() - t0)
    assert p.gallery.model().rowCount() == 6000
    assert 0 < delegate.painted < 300, delegate.painted   # the visible rows, not 6,000
    assert ms < 500, ms
    # scrolling to the end paints the last rows, still only a screenful
    delegate.painted = 0
    p.gallery.scrollToBottom()
    p.gallery.viewport().repaint()
    assert 0 < delegate.painted < 300
    p.shutdown()


def test_a_deeper_network_votes_for_the_next_layer(qtbot, session):
    net = Network([784, 16, 16, 10], seed=3)
    session.set_model(net, "3Blue1Brown's network")
    p = make_panel(qtbot, session)
    qtbot.waitUntil(lambda: p.unit_grid.count == 16)
    r = p.unit_grid.unit_rect(4)
    click(p.unit_grid, r.center().x(), r.center().y())
    assert np.allclose(p.outgoing.values, net.weights[1][:, 4]) and len(p.outgoing.values) == 16
    assert "16 units of the next hidden layer" in p.outgoing_title.text()
    assert "784-16-16-10 (13,002 weights and biases)" in p.header.text()
    p.shutdown()
