"""The tour's formulas drawn by a child process (the window's own GIL stays free), and by
a thread when the child cannot run."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPixmap

from explorer.tour import mathtext
from explorer.tour.formula_view import FormulaLabel, FormulaRenderer
from explorer.tour.steps import STEPS

pytestmark = pytest.mark.skipif(not mathtext.available(), reason="matplotlib is not installed")


def ink(pm: QPixmap) -> bool:
    img = pm.toImage()
    grey = [img.pixelColor(x, y).lightness() for x in range(0, img.width(), 2)
            for y in range(0, img.height(), 2)]
    return min(grey) < 80 and max(grey) > 240


def test_the_child_process_draws_every_formula_and_ends(qtbot):
    r = FormulaRenderer(use_process=True)
    done = []
    r.ready.connect(done.append)
    for s in STEPS:
        assert r.pixmap(s.formula) is None          # asked, not there yet
    assert r._proc is not None                       # a child, not a thread
    qtbot.waitUntil(lambda: r.pending() == 0, timeout=60_000)
    assert sorted(done) == sorted(s.formula for s in STEPS)
    assert r._thread is None                         # nothing was drawn in this process
    for s in STEPS:
        pm = r.pixmap(s.formula)
        assert pm is not None and pm.width() > 40 and ink(pm), s.key
        # the same picture as drawn here
        assert r.png(s.formula) == mathtext.render_png(s.formula, 15.0, 100), s.key
    qtbot.waitUntil(lambda: r._proc is None, timeout=10_000)    # it ended by itself


def test_a_formula_the_child_cannot_draw_is_reported(qtbot):
    r = FormulaRenderer(use_process=True)
    failed = []
    r.failed.connect(lambda tex, why: failed.append((tex, why)))
    r.request(r"$\frac{1}{$")
    qtbot.waitUntil(lambda: bool(failed), timeout=60_000)
    assert failed[0][0] == r"$\frac{1}{$" and "ValueError" in failed[0][1]
    r.shutdown()


def test_without_a_child_a_thread_draws_them(qtbot):
    r = FormulaRenderer(use_process=True)
    r.program = "/nonexistent/python"
    label = FormulaLabel(r)
    qtbot.addWidget(label)
    label.resize(400, 80)
    label.show_formula(STEPS[3].formula, STEPS[3].formula_plain)
    assert label.text() == STEPS[3].formula_plain and not label.has_picture()
    qtbot.waitUntil(label.has_picture, timeout=60_000)
    assert not r.use_process and r._thread is not None
    assert ink(label.pixmap())
