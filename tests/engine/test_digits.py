"""engine.digits: a drawing -> the MNIST-style 28x28 input (no Qt here)."""

from __future__ import annotations

import numpy as np
import pytest
from digit_strokes import DIGIT_STROKES, arc  # noqa: F401
from paths import ROOT

from engine import digits
from engine.model_io import load

SHIPPED_MODEL = ROOT / "resources" / "model-784-100-10.npz"


def transformed(strokes, scale, dx, dy, centre=140.0):
    """The strokes scaled about the pad's centre and moved by (dx, dy)."""
    return [[(centre + (x - centre) * scale + dx, centre + (y - centre) * scale + dy)
             for x, y in s] for s in strokes]


@pytest.fixture(scope="module")
def shipped():
    return load(SHIPPED_MODEL)


# ------------------------------------------------------------------ the 28x28 input
def test_output_is_28x28_in_unit_range_with_a_20_pixel_box_and_centred_mass():
    img = digits.render_strokes(DIGIT_STROKES[7], 280, 22)
    x = digits.to_mnist(img)
    assert x.shape == (784,) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() == pytest.approx(1.0)
    field = x.reshape(28, 28)
    top, bottom, left, right = digits.ink_box(field, 0.05)
    assert max(bottom - top, right - left) in (20, 21)   # longer side scaled to 20 px
    rows, cols = np.indices(field.shape)
    mass = field.sum()
    assert (rows * field).sum() / mass == pytest.approx(14.0, abs=0.35)
    assert (cols * field).sum() / mass == pytest.approx(14.0, abs=0.35)
    assert digits.to_mnist(img, flat=False).shape == (28, 28)


def test_aspect_ratio_is_kept():
    # a 1 is tall and thin: its 28x28 version must stay tall and thin, not be stretched
    x = digits.to_mnist(digits.render_strokes([[(140, 40), (140, 240)]], 280, 20), flat=False)
    top, bottom, left, right = digits.ink_box(x, 0.05)
    assert bottom - top >= 19
    assert right - left <= 4


def test_small_in_a_corner_and_large_off_centre_give_the_same_input():
    for digit in (2, 4, 7):
        small = digits.render_strokes(transformed(DIGIT_STROKES[digit], 0.35, -85, -85), 280, 22 * 0.35)
        large = digits.render_strokes(transformed(DIGIT_STROKES[digit], 1.15, 12, 14), 280, 22 * 1.15)
        a, b = digits.to_mnist(small), digits.to_mnist(large)
        assert np.abs(a - b).mean() < 0.03, digit
        assert np.abs(a - b).max() < 0.35, digit
        # and a different digit is far away, so the tolerance means something
        other = digits.to_mnist(digits.render_strokes(DIGIT_STROKES[(digit + 1) % 10], 280, 22))
        assert np.abs(a - other).mean() > 0.1


def test_canvas_size_does_not_matter():
    a = digits.to_mnist(digits.render_strokes(DIGIT_STROKES[3], 280, 22))
    half = [[(x / 2, y / 2) for x, y in s] for s in DIGIT_STROKES[3]]
    b = digits.to_mnist(digits.render_strokes(half, 140, 11))
    assert np.abs(a - b).mean() < 0.03


def test_uint8_images_and_mnist_rows_are_accepted():
    img = digits.render_strokes(DIGIT_STROKES[0], 280, 22)
    a = digits.to_mnist(img)
    b = digits.to_mnist((img * 255).round().astype(np.uint8))
    assert np.abs(a - b).max() < 0.02
    assert digits.to_mnist(a).shape == (784,)   # a (784,) row is a 28x28 image


# ------------------------------------------------------------------ empty drawings
def test_an_empty_drawing_says_draw_a_digit():
    blank = np.zeros((280, 280), np.float32)
    assert digits.is_empty(blank)
    with pytest.raises(digits.EmptyDrawing, match="draw a digit"):
        digits.to_mnist(blank)
    faint = np.full((280, 280), 0.05, np.float32)     # below the ink threshold
    assert digits.is_empty(faint)
    speck = digits.render_strokes([[(100, 100)]], 280, 3)   # a click, not a digit
    assert digits.is_empty(speck)
    assert not digits.is_empty(digits.render_strokes(DIGIT_STROKES[1], 280, 22))


@pytest.mark.parametrize("bad", [np.zeros((3, 4, 5)), np.zeros((0, 5)),
                                 np.full((10, 10), np.nan)])
def test_bad_arrays_are_refused_with_a_message(bad):
    with pytest.raises(ValueError):
        digits.to_mnist(bad)


# ------------------------------------------------------------------ the pen
def test_pen_is_round_and_anti_aliased():
    img = digits.render_strokes([[(50, 50)]], 100, 20)
    assert img[49, 49] == 1.0 and img[49, 70] == 0.0
    values = np.unique(img)
    assert ((values > 0) & (values < 1)).any()              # grey edge pixels
    area = img.sum()
    assert area == pytest.approx(np.pi * 10 ** 2, rel=0.03)  # a disc, not a square


# ------------------------------------------------------------------ with the shipped model
def test_shipped_model_reads_the_test_strokes(shipped):
    right = [d for d, s in DIGIT_STROKES.items()
             if int(shipped.predict(digits.to_mnist(digits.render_strokes(s, 280, 22)))) == d]
    assert len(right) >= 8, right


@pytest.mark.mnist
def test_mnist_test_images_survive_the_preprocessing(mnist_data, shipped):
    test = mnist_data.test.subset(1000)
    processed = np.stack([digits.to_mnist(img) for img in test.images])
    assert processed.shape == (1000, 784)
    accuracy = float(np.mean(shipped.predict(processed) == test.labels))
    assert accuracy >= 0.95, accuracy
    # the images stay nearly the same, and so does the answer
    assert float(np.abs(processed - test.images).mean()) < 0.05
    same = np.mean(shipped.predict(processed) == shipped.predict(test.images))
    assert same >= 0.98, same


# ------------------------------------------------------------------ stroke width, fast
@pytest.mark.parametrize("pen", [6.0, 40.0])
def test_stroke_width_on_the_shrunk_copy_matches_the_full_size_drawing(pen):
    # to_mnist(stroke_width=...) normalises the width on a copy shrunk to
    # WIDTH_RESOLUTION pixels per output pixel; its error must stay well below the
    # change the normalisation itself makes (thin and fat pens on 170-pixel digits)
    for d in range(10):
        img = digits.render_strokes(DIGIT_STROKES[d], 280, pen)
        fast = digits.to_mnist(img, stroke_width=digits.MNIST_STROKE_WIDTH)
        full = digits.to_mnist(digits.normalize_width(img, digits.MNIST_STROKE_WIDTH))
        plain = digits.to_mnist(img)
        assert np.abs(fast - full).mean() < 0.02, d
        assert np.abs(fast - full).mean() < 0.3 * np.abs(plain - full).mean(), d


def test_a_small_digit_has_its_width_normalised_at_full_size():
    # a digit no taller than WIDTH_RESOLUTION * 20 pixels is not shrunk first
    small = transformed(DIGIT_STROKES[4], 0.4, 0, 0)
    img = digits.render_strokes(small, 280, 14.0)
    top, bottom, left, right = digits.ink_box(img)
    assert max(bottom - top, right - left) <= digits.WIDTH_RESOLUTION * digits.BOX
    fast = digits.to_mnist(img, stroke_width=digits.MNIST_STROKE_WIDTH)
    full = digits.to_mnist(digits.normalize_width(img, digits.MNIST_STROKE_WIDTH))
    assert not np.array_equal(fast, digits.to_mnist(img))      # the width did change
    assert np.array_equal(fast, full)
