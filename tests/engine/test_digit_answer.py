"""engine.digits: the runner-up the pad names when unsure, and stroke width relative to
the digit's size."""

from __future__ import annotations

import numpy as np
import pytest

from engine import digits
from engine.digits import normalize_width, render_strokes, runner_up, stroke_width_of


def outputs(**values):
    out = np.full(10, 0.001)
    for k, v in values.items():
        out[int(k[1:])] = v
    return out


def test_a_sure_answer_names_no_runner_up():
    assert runner_up(outputs(d8=0.97, d6=0.02)) is None


def test_close_top_two_name_the_runner_up():
    assert runner_up(outputs(d8=0.72, d6=0.25)) == 6          # 0.25 >= 0.25 * 0.72
    assert runner_up(outputs(d8=0.72, d6=0.10)) is None


def test_a_low_first_share_names_the_runner_up():
    # no close second, but ten middling outputs: the first has under 60% of the sum
    out = np.full(10, 0.05)
    out[3], out[5] = 0.5, 0.1
    assert out[3] / out.sum() < 0.6 and out[5] < 0.25 * out[3]
    assert runner_up(out) == 5


@pytest.mark.parametrize("bad", [np.zeros(10), np.full(10, np.nan), np.ones(9),
                                 -np.ones(10)])
def test_no_runner_up_for_outputs_that_are_no_answer(bad):
    assert runner_up(bad) is None


def test_thresholds_are_the_documented_ones():
    assert runner_up(outputs(d1=0.9, d7=0.2), ratio=0.2) == 7
    assert runner_up(outputs(d1=0.9, d7=0.2)) is None
    assert digits.RUNNER_UP_RATIO == 0.25 and digits.RUNNER_UP_LOW == 0.6


@pytest.mark.parametrize("pen", [8.0, 14.0, 22.0, 36.0])
def test_stroke_width_of_a_drawn_bar(pen):
    img = render_strokes([[(40, 140), (240, 140)], [(140, 30), (140, 250)]], 280, pen)
    assert stroke_width_of(img) == pytest.approx(pen, rel=0.12)
    assert stroke_width_of(np.zeros((50, 50))) == 0.0


def test_normalize_width_makes_strokes_a_share_of_the_digit():
    # a 200-unit-tall 1 drawn with a fat pen and with a thin one: after normalising,
    # both have strokes 2.6/20 of the digit's height
    for pen in (40.0, 8.0):
        img = render_strokes([[(140, 40), (140, 240)]], 280, pen)
        out = normalize_width(img, 2.6)
        height = 200 + pen              # the ink's box, the round caps included
        want = 2.6 * height / 20
        assert stroke_width_of(out) == pytest.approx(want, rel=0.2), pen
        assert out.shape == img.shape and out.dtype == np.float32
    # close enough already: returned as it is
    img = render_strokes([[(140, 40), (140, 240)]], 280, 29.0)
    assert np.array_equal(normalize_width(img, 2.6), img)


def test_to_mnist_with_stroke_width_gives_mnist_like_strokes():
    thin = render_strokes([[(80, 60), (200, 60), (120, 230)]], 280, 6.0)   # a 7
    plain = digits.to_mnist(thin)
    wide = digits.to_mnist(thin, stroke_width=digits.MNIST_STROKE_WIDTH)
    assert plain.shape == wide.shape == (784,)
    assert (wide > 0.5).sum() > 1.5 * (plain > 0.5).sum()
