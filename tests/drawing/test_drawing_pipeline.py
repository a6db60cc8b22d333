"""The whole drawing-pad pipeline on MNIST's own test images: each one put on the pad
(as "Random test digit" does), rasterised by the canvas, turned into the 28x28 input by
engine.digits.to_mnist, and answered by the shipped model, exactly as on screen."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.drawing.panel import DrawingPanel
from explorer.session import Session


@pytest.mark.mnist
def test_shipped_model_reads_1000_mnist_test_images_through_the_pad(qtbot, mnist_dir):
    session = Session(data_dir=str(mnist_dir))
    assert session.model_label == "shipped model"
    panel = DrawingPanel(session)
    qtbot.addWidget(panel)
    panel.random_button.click()                  # reads the test set, as a learner would
    qtbot.waitUntil(lambda: panel.model.test_set is not None, timeout=30000)
    test = panel.model.test_set
    assert test is not None and len(test) == 10_000
    right = 0
    changed = 0
    for i in range(1000):
        panel.show_test_digit(i)
        assert panel.canvas.picture_kind == "mnist" and panel.true_label == int(test.labels[i])
        guess = panel.guess_view.guess
        assert guess is not None and panel.guess_view.digit_label.text().startswith(str(guess))
        right += guess == panel.true_label
        # what the network is fed is the pad's drawing made MNIST-style, not the raw image
        changed += not np.array_equal(panel.input, test.images[i].reshape(-1))
    assert right >= 950, right
    assert changed >= 900, changed
