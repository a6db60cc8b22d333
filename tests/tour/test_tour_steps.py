"""The tour's steps and its place in them: plain Python, no window."""

from __future__ import annotations

import pytest

from engine.network import parameter_count
from explorer.tour import mathtext
from explorer.tour.model import TourModel
from explorer.tour.show_me import ACTIONS
from explorer.tour.steps import (
    BOOK_PARAMETERS,
    SECOND_DERIVATIVES,
    STEPS,
    UPDATES_PER_EPOCH,
    VIDEO_PARAMETERS,
)


def test_the_numbers_in_the_text_are_the_engines():
    assert BOOK_PARAMETERS == parameter_count([784, 30, 10]) == 23_860
    assert VIDEO_PARAMETERS == parameter_count([784, 16, 16, 10]) == 13_002
    # the Hessian is symmetric: n(n+1)/2 different second derivatives, "about 285 million"
    assert SECOND_DERIVATIVES == 23_860 * 23_861 // 2 == 284_661_730
    assert UPDATES_PER_EPOCH == 6_000
    text = {s.key: " ".join(s.text) for s in STEPS}
    assert "284,661,730" in text["newton"] and "285 million" in text["newton"]
    assert "6,000" in text["sgd"] and "m = 1" in text["sgd"]
    assert "13,002" in text["video"] and "94.51%" in text["video"] and "96%" in text["video"]


def test_the_steps_cover_the_chapter_and_each_has_an_action():
    keys = [s.key for s in STEPS]
    assert len(keys) == len(set(keys)) and 14 <= len(keys) <= 20
    for needed in ("cost", "smooth", "calculus", "ball", "not_physics", "linear", "choose",
                   "eta_large", "eta_small", "fixed", "one_variable", "newton", "many",
                   "sgd", "conventions", "video", "inside"):
        assert needed in keys
    for s in STEPS:
        assert s.show in ACTIONS, s.key
        assert s.formula.startswith("$") and s.formula.endswith("$")
        assert s.formula_plain and s.look and 1 <= len(s.text) <= 3
        assert all(20 < len(p) < 600 for p in s.text)


def test_next_back_and_the_saved_place():
    t = TourModel()
    heard = []
    t.step_changed.connect(heard.append)
    t.back()                                # already at the start: nothing
    assert t.index == 0 and heard == []
    t.next()
    t.next()
    assert t.index == 2 and heard == [1, 2] and t.saved() == STEPS[2].key
    t.go(10_000)
    assert t.at_end() and t.index == len(STEPS) - 1
    t.next()
    assert heard[-1] == len(STEPS) - 1 and len(heard) == 3
    again = TourModel()
    assert again.restore(STEPS[5].key) and again.index == 5
    for bad in (None, 5, "no such step", "x" * 10_000, ["cost"]):
        assert not again.restore(bad) and again.index == 5
    with pytest.raises(ValueError):
        TourModel(steps=())


@pytest.mark.skipif(not mathtext.available(), reason="matplotlib is not installed")
def test_every_formula_is_typeset_by_mathtext():
    import io

    from PIL import Image

    cache = mathtext.FormulaCache()
    for s in STEPS:
        png = cache.render(s.formula, 15, 100)
        assert png[:8] == b"\x89PNG\r\n\x1a\n", s.key
        im = Image.open(io.BytesIO(png)).convert("RGBA")
        w, h = im.size
        assert 40 < w < 1200 and 10 < h < 200, (s.key, im.size)
        grey = im.convert("L").getextrema()
        assert grey[0] < 80 and grey[1] > 240, s.key   # dark ink on white paper
        assert cache.get(s.formula, 15, 100) is png    # kept, not drawn again
    with pytest.raises(ValueError):
        mathtext.render_png(r"$\frac{1}{$")


def test_the_tour_data_loads_no_qt():
    """The steps, the place in them and the formula drawing import no Qt (as
    tests/test_panel_models.py checks for every panel's model)."""
    import subprocess
    import sys

    from paths import ROOT

    code = ("import sys\n"
            "import explorer.tour.steps, explorer.tour.model, explorer.tour.mathtext\n"
            "from explorer.tour.mathtext import render_png\n"
            "from explorer.tour.steps import STEPS\n"
            "render_png(STEPS[0].formula) if explorer.tour.mathtext.available() else None\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph'))))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
