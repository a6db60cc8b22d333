"""The drawing pad's fixes for a newcomer (issues 11 and 12), driven through its widgets:
the model menu, the missing-MNIST dialog, the noise note, strokes on pictures, a drawing
too small to read, the runner-up when unsure, and file names shown as plain text."""

from __future__ import annotations

import numpy as np
import pytest
from mnist_files import write_mnist_folder
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFileDialog, QLabel
from test_drawing_panel import draw_digit, draw_stroke

from engine import model_io
from engine.network import Network
from explorer.drawing.panel import DrawingPanel
from explorer.session import Session

HTML = "<h1>BIG</h1><img src=x>"


@pytest.fixture
def panel(qtbot):
    session = Session()
    p = DrawingPanel(session)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()


def shown(label: QLabel) -> str:
    """The text a label shows on screen (its HTML rendered, when it is rich text)."""
    if label.textFormat() == Qt.PlainText or (label.textFormat() == Qt.AutoText
                                              and "<" not in label.text()):
        return label.text()
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def fixed_net(outputs) -> Network:
    """A 784-10 network that answers ``outputs`` whatever it is shown (zero weights,
    biases at the logits)."""
    out = np.asarray(outputs, dtype=np.float64)
    net = Network([784, 10], cost="cross-entropy", seed=0)
    net.set_parameters([np.zeros((10, 784))], [np.log(out / (1 - out))])
    return net


def pick(qtbot, menu, key) -> None:
    """Choose the entry ``key`` in a combo box with the keyboard, as a user would."""
    menu.setFocus()
    target = menu.findData(key)
    assert target >= 0, key
    while menu.currentIndex() != target:
        qtbot.keyClick(menu, Qt.Key_Down if menu.currentIndex() < target else Qt.Key_Up)


# ---------------------------------------------------------------------- item 1
def test_the_model_menu_lists_follows_and_switches_only_when_beaten(qtbot, panel):
    s, menu = panel.session, panel.model_menu
    assert menu.count() == 1 and menu.currentText() == (
        "Shipped model: 784-500-300-10, 99.37% test accuracy")
    draw_digit(panel.canvas, 3)
    shipped_out = panel.outputs.copy()
    # a network in training, below the shipped model: listed, the pad keeps the shipped one
    first = fixed_net([0.1] * 3 + [0.8] + [0.1] * 6)
    s.set_training(first, 1, 0.91)
    assert menu.count() == 2 and menu.itemText(1) == (
        "Being trained: 784-10, epoch 1, 91.00% test accuracy")
    assert menu.currentIndex() == 0 and np.allclose(panel.outputs, shipped_out)
    # the learner picks it: it answers, and is followed live
    pick(qtbot, menu, "training")
    np.testing.assert_allclose(panel.outputs, first.feedforward(panel.input), rtol=1e-5)
    assert "being trained: 784-10, epoch 1" in shown(panel.model_info)
    second = fixed_net([0.1] * 5 + [0.9] + [0.1] * 4)
    s.set_training(second, 2, 0.93)
    assert panel.guess_view.guess == 5 and menu.currentText().startswith(
        "Being trained: 784-10, epoch 2, 93.00%")
    assert s.model is second and s.model_label == "being trained: 784-10, epoch 2"
    # back to the shipped model by the menu
    pick(qtbot, menu, "shipped")
    assert np.allclose(panel.outputs, shipped_out) and s.model_label == "shipped model"


def test_a_newcomer_keeps_the_shipped_model_until_a_trained_one_beats_it(qtbot, panel):
    s = panel.session
    draw_digit(panel.canvas, 3)
    net = fixed_net([0.1] * 7 + [0.9] + [0.1] * 2)
    s.set_training(net, 1, 0.9917)          # equal is not above
    assert s.model_label == "shipped model" and panel.switch_note == ""
    s.set_training(net, 2, 0.9951)
    assert s.model is net and panel.guess_view.guess == 7
    assert panel.model_menu.currentData() == "training"
    assert "Switched to the network being trained" in shown(panel.model_info)
    assert "99.51%" in shown(panel.model_info) and "99.37%" in shown(panel.model_info)


def test_a_model_loaded_on_the_pad_joins_the_menu_and_a_bad_one_changes_nothing(
        qtbot, panel, tmp_path, monkeypatch):
    s = panel.session
    net = fixed_net([0.1] * 9 + [0.95])
    good = tmp_path / f"{HTML.replace('/', '|')}.npz"
    model_io.save(net, good, {"test_accuracy": 0.5})
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    draw_digit(panel.canvas, 3)
    panel.load_button.click()
    assert panel.guess_view.guess == 9 and panel.model_menu.count() == 2
    assert panel.model_menu.currentText() == f"File {good.name}: 784-10, 50.00% test accuracy"
    assert f"file {good.name}" in shown(panel.model_info)     # the name, not a heading
    before = (s.model, s.models.keys())
    bad = tmp_path / f"{HTML.replace('/', '|')}-bad.npz"
    bad.write_bytes(b"no model")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    panel.load_button.click()
    assert (s.model, s.models.keys()) == before and panel.guess_view.guess == 9
    assert bad.name in shown(panel.info)


# ---------------------------------------------------------------------- item 4
def test_random_test_digit_without_mnist_offers_the_download_dialog(qtbot, tmp_path,
                                                                    monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    p = DrawingPanel(Session(data_dir=str(tmp_path / "empty")))
    qtbot.addWidget(p)
    p.show()
    p.random_button.click()
    qtbot.waitUntil(lambda: p.mnist_dialog is not None and p.mnist_dialog.isVisible(),
                    timeout=5000)
    intro = p.mnist_dialog.findChild(QLabel, "mnist-intro").text()
    assert intro.startswith("The pad's test digits come from the MNIST handwritten digits")
    assert "The folder you named" in intro and "does not hold MNIST" in intro
    folder = write_mnist_folder(tmp_path / "mnist")
    assert p.mnist_dialog.use_folder(str(folder))
    qtbot.waitUntil(lambda: p.canvas.picture_kind == "mnist", timeout=10000)
    assert p.session.data_dir == str(folder) and p.true_label is not None
    assert f"true label {p.true_label}" in shown(p.info)


# ---------------------------------------------------------------------- item 6
def test_the_noise_note_says_what_the_outputs_show(panel):
    s = panel.session
    s.set_model(fixed_net([0.02] * 4 + [0.10] + [0.02] * 5), "low")
    panel.noise_button.click()
    note = shown(panel.info)
    assert "top output is only 0.10" in note and "picks 4" in note
    assert "confident" not in note.replace("no output neuron is sure", "")
    s.set_model(fixed_net([0.02] * 2 + [0.52] + [0.02] * 7), "middling")
    panel.noise_button.click()
    assert "It answers 2 with an output of 0.52: fairly sure" in shown(panel.info)
    assert "confident" not in shown(panel.info)
    s.set_model(fixed_net([0.02] * 6 + [0.93] + [0.02] * 3), "high")
    panel.noise_button.click()
    assert "It answers 6 with an output of 0.93: confident, and wrong" in shown(panel.info)


# ---------------------------------------------------------------------- item 7
@pytest.mark.parametrize("picture", ["noise", "mnist"])
def test_a_stroke_on_a_picture_wipes_it_and_undo_brings_it_back_with_its_caption(
        panel, picture):
    c = panel.canvas
    if picture == "noise":
        panel.noise_button.click()
        caption = shown(panel.info)
        assert caption.startswith("Random pixels")
    else:
        seven = np.zeros((28, 28), np.float32)
        seven[6:9, 6:22] = 1.0
        seven[9:24, 18:21] = 1.0
        panel.model.test_set = type("T", (), {"images": [seven.reshape(-1)],
                                              "labels": [7], "__len__": lambda self: 1})()
        panel.show_test_digit(0)
        caption = shown(panel.info)
        assert caption == "MNIST test image #0: true label 7" and panel.true_label == 7
    draw_stroke(c, [(140, 40), (140, 240)])
    assert c.picture is None and len(c.strokes) == 1
    assert shown(panel.info) == "" and panel.true_label is None     # the caption went too
    assert panel.guess_view.guess == 1
    panel.undo_button.click()               # one Undo: the stroke goes, the picture is back
    assert c.picture_kind == picture and c.strokes == []
    assert shown(panel.info) == caption
    assert panel.undo_button.isEnabled()


# ---------------------------------------------------------------------- item 8
def test_a_dot_is_too_small_to_read(panel):
    draw_stroke(panel.canvas, [(140, 140), (141, 140)])      # a click, the hand moving 1
    assert panel.guess_view.digit_label.text() == "too small"
    assert panel.outputs is None and panel.bars.outputs is None
    assert "too small to read" in shown(panel.info)
    panel.clear_button.click()
    draw_stroke(panel.canvas, [(140, 140), (150, 145)])     # a short dash: too
    assert panel.guess_view.digit_label.text() == "too small"
    panel.clear_button.click()
    draw_digit(panel.canvas, 1)                             # a real (narrow) digit is read
    assert panel.guess_view.guess == 1 and "too small" not in shown(panel.info)


# ---------------------------------------------------------------------- item 9
def test_an_unsure_answer_names_the_runner_up(panel):
    s = panel.session
    draw_digit(panel.canvas, 3)
    s.set_model(fixed_net([0.05] * 6 + [0.5] + [0.05] + [0.6] + [0.05]), "close")
    g = panel.guess_view
    assert g.guess == 8 and g.runner_up == 6
    assert shown(g.digit_label) == "8, or perhaps 6"
    assert "two top outputs are close (0.60 and 0.50)" in shown(g.detail_label)
    s.set_model(fixed_net([0.01] * 2 + [0.3] + [0.01] * 6 + [0.02]), "low")
    assert (g.guess, g.runner_up) == (2, 9) and "0.30, is below 0.5" in shown(g.detail_label)
    s.set_model(fixed_net([0.06] * 8 + [0.07, 0.4]), "flat")   # 0.4 is 42% of the ten
    assert (g.guess, g.runner_up) == (9, 8) and "no output stands out" in shown(g.detail_label)
    s.set_model(fixed_net([0.02] * 8 + [0.9] + [0.1]), "sure")
    assert (g.guess, g.runner_up) == (8, None) and shown(g.digit_label) == "8"
    assert "unsure" not in shown(g.detail_label)
