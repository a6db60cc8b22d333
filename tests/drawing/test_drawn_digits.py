"""The shipped model reads clearly drawn digits in many styles, drawn on the real pad.

540 digits in six styles (tests/drawn_digits/, made by make_drawn_digits.py) are
drawn with mouse events on the drawing pad, which turns each into its 28x28 input (its
strokes made as wide as MNIST's, relative to the digit) and asks the model, exactly as
for a person's drawing. Issue 12's goal: 97% overall and 90% for every digit. The old
784-100-10 model (MNIST alone) read 91.9% of them (6s 54%, 1s 81%); a 784-600-10
trained with affine, elastic and thickness distortions 94.6% (1s 74%: rotated and
sheared 7s taught it that a long-flagged 1 is a 7); the shipped 784-500-300-10, trained
with elastic and thickness distortions only, 98.7% (1s 93%, 6s 94%).
"""

from __future__ import annotations

import time

import pytest
from drawn_digits.drawn_set import load_samples, read_all, scores

from explorer.drawing.panel import DrawingPanel
from explorer.session import SHIPPED_MODEL, Session

# The augmented model made for issue 12: the pad's shipped model.
AUGMENTED_MODEL = SHIPPED_MODEL


@pytest.fixture(scope="module")
def samples():
    return load_samples()


@pytest.fixture
def pad_answers(samples, qtbot):
    session = Session()                         # the pad as it starts: the shipped model
    assert session.model is not None, session.model_error
    assert session.model.sizes == [784, 500, 300, 10]
    panel = DrawingPanel(session)
    qtbot.addWidget(panel)
    panel.resize(1200, 640)
    panel.show()
    qtbot.waitExposed(panel)
    start = time.perf_counter()
    outputs = read_all(panel, samples)
    seconds = time.perf_counter() - start
    return outputs, seconds


def test_the_set_is_what_it_says(samples):
    assert len(samples) >= 500
    styles = {s["style"] for s in samples}
    assert len(styles) >= 6
    for d in range(10):
        for st in styles:
            assert sum(s["digit"] == d and s["style"] == st for s in samples) >= 5, (d, st)
    for s in samples:
        assert s["strokes"] and all(len(st) >= 2 for st in s["strokes"])
        xs = [v for st in s["strokes"] for p in st for v in p]
        assert 0 <= min(xs) and max(xs) <= 280


def _report(samples, pad_answers):
    outputs, seconds = pad_answers
    sc = scores(samples, outputs)
    per_digit = ", ".join(f"{d}: {100 * a:.0f}%" for d, a in sc["digit"].items())
    per_style = ", ".join(f"{s}: {100 * a:.0f}%" for s, a in sc["style"].items())
    report = (f"{AUGMENTED_MODEL.name} on {len(samples)} drawn digits: "
              f"{100 * sc['overall']:.1f}% ({seconds:.0f} s); per digit {per_digit}; "
              f"per style {per_style}; wrong (index, digit, read as): {sc['wrong'][:20]}")
    return sc, report


def test_augmented_model_reads_drawn_digits(samples, pad_answers):
    """Issue 12's goal: at least 97% overall and 90% of every digit."""
    sc, report = _report(samples, pad_answers)
    print(report)
    assert sc["overall"] >= 0.97, report
    assert min(sc["digit"].values()) >= 0.90, report


def test_the_augmented_model_says_how_it_was_made():
    """How the model was made is in its metadata: the project's own train
    command with --augment elastic,thickness; small enough to ship (float32, under 5 MB)."""
    from engine import model_io

    net = model_io.load(AUGMENTED_MODEL)
    meta = net.metadata
    assert net.sizes[0] == 784 and net.sizes[-1] == 10
    assert meta["trained_by"] == "gd-explorer train"
    assert meta["augment"]["kinds"] == ["elastic", "thickness"]
    assert all(p.dtype.name == "float32" for p in net.params)
    assert AUGMENTED_MODEL.stat().st_size < 5 * 2**20


def test_the_augmented_model_on_mnist(mnist_data):
    from engine import model_io

    net = model_io.load(AUGMENTED_MODEL)
    correct, _ = net.evaluate(*mnist_data.test)
    assert correct / len(mnist_data.test[1]) >= 0.99      # 99.37% when made
