"""The pad's look inside, through its widgets: what this digit costs, which pixels
matter, and teaching it (Learn this raises the label's output; Undo learning restores
the weights bit for bit; the shipped model file is never written)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from digit_strokes import DIGIT_STROKES
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from engine.digit_cost import digit_cost, digit_gradients
from engine.network import Network
from engine.unit_pictures import diverging_rgba
from explorer.drawing.panel import DrawingPanel
from explorer.inside.link import link_of
from explorer.session import SHIPPED_MODEL, Session


@pytest.fixture
def pad(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    session = Session(data_dir=str(tmp_path / "no-mnist"))
    assert session.model is not None, session.model_error
    p = DrawingPanel(session)
    qtbot.addWidget(p)
    p.resize(1400, 950)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()


def draw_digit(canvas, digit, step=6.0):
    for stroke in DIGIT_STROKES[digit]:
        pts = [canvas.pad_to_widget(QPointF(x, y)).toPoint() for x, y in stroke]
        QTest.mousePress(canvas, Qt.LeftButton, Qt.NoModifier, pts[0])
        last = pts[0]
        for q in pts[1:]:
            n = max(1, int(np.hypot(q.x() - last.x(), q.y() - last.y()) / step))
            for k in range(1, n + 1):
                QTest.mouseMove(canvas, QPoint(round(last.x() + (q.x() - last.x()) * k / n),
                                               round(last.y() + (q.y() - last.y()) * k / n)))
            last = q
        QTest.mouseRelease(canvas, Qt.LeftButton, Qt.NoModifier, pts[-1])


def test_empty_pad_asks_for_a_digit(pad, qtbot):
    v = pad.inside_views
    qtbot.waitUntil(lambda: "Draw a digit" in v.cost_table.summary.text())
    assert v.cost_table.cost is None
    assert v.saliency.gradient is None


def test_what_this_digit_costs_top_guess_then_a_chosen_label(pad, qtbot):
    draw_digit(pad.canvas, 7)
    v = pad.inside_views
    x = pad.network_input()
    qtbot.waitUntil(lambda: v.cost_table.cost is not None)
    want = digit_cost(pad.net, x, None)          # the top guess by default
    got = v.cost_table.cost
    assert got.label == want.label == int(np.argmax(pad.outputs))
    for r in range(10):
        assert v.cost_table.table.item(r, 1).text() == f"{want.outputs[r]:.4f}"
        assert v.cost_table.table.item(r, 2).text() == ("1" if r == want.label else "0")
        assert v.cost_table.table.item(r, 3).text() == f"{want.squared_errors[r]:.4f}"
    v.label_box.setCurrentIndex(1 + 3)           # "It is: 3"
    want = digit_cost(pad.net, x, 3)
    assert v.cost_table.cost.label == 3
    text = v.cost_table.summary.text()
    assert f"{want.sum_squared:.4f}" in text and f"{want.cost:.4f}" in text
    assert want.cost == pytest.approx(0.5 * want.sum_squared)
    assert "3Blue1Brown" in text
    # the Inside panel hears of the digit and the label
    link = link_of(pad.session)
    assert np.array_equal(link.x, x) and link.label == 3


def test_the_saliency_map_is_the_engines_gradient(pad, qtbot):
    draw_digit(pad.canvas, 2)
    v = pad.inside_views
    v.set_label(5)
    x = pad.network_input()
    g = digit_gradients(pad.net, x, 5, cost="quadratic").input
    assert np.allclose(v.saliency.gradient, g, rtol=1e-6, atol=0)
    assert v.saliency.scale == pytest.approx(float(np.abs(g).max()))
    assert np.array_equal(v.saliency.rgba, diverging_rgba(g.reshape(28, 28), v.saliency.scale))


def test_the_views_follow_the_answering_network(pad, qtbot):
    draw_digit(pad.canvas, 4)
    other = Network([784, 30, 10], seed=9)
    pad.session.set_model(other, "being trained: 784-30-10, epoch 0")
    x = pad.network_input()
    v = pad.inside_views
    qtbot.waitUntil(lambda: v.cost_table.cost is not None
                    and np.allclose(v.cost_table.cost.outputs, other.feedforward(x)))
    g = digit_gradients(other, x, None, cost="quadratic").input
    assert np.allclose(v.saliency.gradient, g, rtol=1e-6, atol=0)


def test_learn_this_raises_the_label_and_undo_restores_every_bit(pad, qtbot):
    shipped_hash = hashlib.sha256(SHIPPED_MODEL.read_bytes()).hexdigest()
    draw_digit(pad.canvas, 7)
    v = pad.inside_views
    teach = v.teach
    v.tabs.setCurrentWidget(teach)
    teach.learn_button.click()                   # no label chosen yet
    assert "Choose the right label" in teach.result.text()
    original = pad.session.model
    saved = [a.copy() for a in original.weights + original.biases]
    before = pad.outputs.copy()
    v.set_label(3)
    teach.steps.setValue(5)
    teach.eta.setValue(0.5)
    teach.learn_button.click()
    qtbot.waitUntil(lambda: teach.lesson is not None and pad.session.model is not original,
                    timeout=10_000)
    taught = pad.session.model
    assert taught is teach.lesson.network and "taught your digit" in pad.model_label
    assert pad.outputs[3] > before[3] + 0.05      # the pad answers with the taught copy
    assert teach.lesson.after.cost < teach.lesson.before.cost
    assert "→" in teach.result.text() and "needs MNIST" in teach.accuracy_label.text()
    table = teach.outputs_table
    assert table.isVisible()
    assert [table.item(1, j).text() for j in range(10)] == \
        [f"{a:.2f}" for a in teach.lesson.after.outputs]
    assert teach.undo_button.isEnabled()
    # a second lesson continues from the taught copy; undo goes back to the first network
    teach.learn_button.click()
    qtbot.waitUntil(lambda: pad.session.model is not taught, timeout=10_000)
    assert "2 lessons" in pad.model_label
    teach.undo_button.click()
    assert pad.session.model is original
    for a, b in zip(original.weights + original.biases, saved):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert np.array_equal(pad.outputs, before)
    assert not teach.undo_button.isEnabled()
    assert hashlib.sha256(SHIPPED_MODEL.read_bytes()).hexdigest() == shipped_hash


@pytest.mark.mnist
def test_teaching_one_test_image_alone_costs_test_accuracy_mixing_keeps_it(qtbot, mnist_dir,
                                                                        monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(mnist_dir))
    session = Session()
    p = DrawingPanel(session)
    qtbot.addWidget(p)
    p.show()
    session.mnist.request()
    session.mnist.wait()
    qtbot.waitUntil(lambda: p.model.test_set is not None, timeout=10_000)
    p.show_test_digit(9729)
    v = p.inside_views
    v.set_label(int(p.true_label))
    v.teach.eta.setValue(1.0)
    v.teach.learn_button.click()
    qtbot.waitUntil(lambda: v.teach.accuracy is not None, timeout=60_000)
    before, alone = v.teach.accuracy
    assert before > 0.95 and alone < 0.6
    v.teach.undo_button.click()
    v.teach.mix_box.setChecked(True)
    v.teach.learn_button.click()
    qtbot.waitUntil(lambda: v.teach.accuracy is not None, timeout=60_000)
    assert v.teach.accuracy[1] > 0.95
    p.shutdown()
