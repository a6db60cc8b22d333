"""What a newcomer stumbles on (issue 11, items 2-8, 16-17) and user text shown as
plain text (issue 10, item 11), through the panel's widgets."""

from __future__ import annotations

import numpy as np
import pytest
from descent_helpers import click
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyle

from engine import optimizers
from engine.narrate import fmt, fmt_ratio, fmt_vec
from engine.surfaces import PRESETS


def pick(panel, key, qtbot):
    """Choose a function in the combo box, as a user does."""
    c = panel.controls
    c.function.setCurrentIndex(c.function.findData(key))
    c.function.activated.emit(c.function.currentIndex())
    panel.model.wait()


def type_into(spin, text, qtbot):
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)


# ---------------------------------------------------------------- item 11: plain text
def test_user_text_is_shown_as_plain_text(panel, qtbot):
    c = panel.controls
    pick(panel, "formula", qtbot)
    # a comment is allowed in a formula: it must show as text, never as a heading
    hostile = "x**2 # <h1 style='color:red'>BIG</h1><img src='x.png'>"
    c.formula.clear()
    qtbot.keyClicks(c.formula, hostile)
    qtbot.keyClick(c.formula, Qt.Key_Return)
    panel.model.wait()
    about = c.about.text()
    assert "<h1" not in about and "<img" not in about and "&lt;h1" in about
    # an error that quotes the user's text is a plain-text label
    c.formula.clear()
    qtbot.keyClicks(c.formula, "z**2 + <h1>BIG</h1>")
    qtbot.keyClick(c.formula, Qt.Key_Return)
    panel.model.wait()
    assert c.error.isVisible() and c.error.textFormat() == Qt.PlainText
    assert c.notice.textFormat() == Qt.PlainText
    # the readout's and the legend's rich text hold no markup from the user
    assert "<h1" not in panel.readout.text() and "<img" not in panel.readout.text()
    assert "<h1" not in panel.cost_plot.legend.text()


# ---------------------------------------------------------------- item 2: fair races
def test_each_surface_opens_with_settings_that_show_its_point(panel, qtbot):
    m, c = panel.model, panel.controls
    m.set_methods(["gd", "momentum", "adam"])
    m.wait()
    pick(panel, "rosenbrock", qtbot)
    assert m.settings.eta == PRESETS["rosenbrock"]["eta"] == c.eta.value()
    assert all(t.status != "diverged" for t in m.trajectories.values())
    pick(panel, "rastrigin", qtbot)
    gd = m.trajectories["gd"]
    assert gd.status == "converged"                      # settles in the nearest dip ...
    assert np.linalg.norm(gd.v[-1] - m.start) < 0.5      # ... near where it started
    assert np.all(np.diff(gd.C) <= 1e-12)                # without bouncing
    pick(panel, "himmelblau", qtbot)
    adam = m.trajectories["adam"]
    assert adam.C[-1] < 0.01                             # Adam has its own step size
    assert m.settings.alpha == pytest.approx(c.alpha.value()) != m.settings.eta


def test_same_eta_for_all_gives_the_adaptive_rules_eta(panel, qtbot):
    m, c = panel.model, panel.controls
    pick(panel, "bowl", qtbot)
    m.set_methods(["gd", "adam"])
    c.eta.setValue(0.02)
    m.wait()
    first = np.abs(m.trajectories["adam"].dv[0])
    assert np.allclose(first, m.settings.alpha, rtol=1e-3)       # about alpha per coordinate
    click(c.same_eta, QPoint(8, c.same_eta.height() // 2), qtbot)
    m.wait()
    assert m.same_eta and not c.alpha.isEnabled()
    assert np.allclose(np.abs(m.trajectories["adam"].dv[0]), 0.02, rtol=1e-3)


# ---------------------------------------------------------------- item 3: the readout adds up
def test_the_readouts_lines_describe_one_step_at_the_end_of_a_trail(panel, qtbot):
    m = panel.model
    click(panel.controls.one_d, QPoint(8, panel.controls.one_d.height() // 2), qtbot)
    m.wait()
    pick(panel, "parabola", qtbot)
    m.set_settings(eta=1.0, steps=12)
    m.wait()
    assert m.step == m.max_step() == 12
    t = m.trajectories["gd"]
    lines = panel.readout.lines
    assert lines["title"] == "step 11: from v11 to v12"
    assert lines["v11"] == fmt_vec(t.v[11]) and lines["∇C(v11)"] == fmt_vec(t.grad[11])
    assert lines["Δv"] == fmt_vec(t.dv[11])
    # every line is about the same step: predicted = grad C(v11) . dv
    assert lines["predicted ΔC = ∇C·Δv"] == fmt(float(t.grad[11] @ t.dv[11]))
    assert lines["actual ΔC = C(v12) − C(v11)"] == fmt(float(t.C[12] - t.C[11]))
    assert "step 11: from v11 to v12" in panel.readout.text()


# ---------------------------------------------------------------- item 4: the right advice
def test_the_verdict_blames_the_noise_or_the_rules_own_parameter(panel, qtbot):
    m = panel.model
    pick(panel, "bowl", qtbot)
    m.set_methods(["gd", "fixed"])
    panel.controls.noise.setValue(5.0)
    m.set_settings(eta=0.05, steps=60)
    m.wait()
    t = m.trajectories["gd"]
    k = int(np.flatnonzero(t.predicted > 0)[0])          # the noise pushed it uphill here
    m.set_step(k)
    text = panel.readout.text()
    assert "pointed uphill" in text and "noise" in text and "eta is too large" not in text
    # the fixed step overshoots the bottom of the bowl: its advice is about epsilon
    panel.controls.noise.setValue(0.0)
    m.set_settings(epsilon=1.5)
    m.set_primary("fixed")
    m.wait()
    f = m.trajectories["fixed"]
    k = int(np.flatnonzero(f.actual > 0)[0])
    m.set_step(k)
    text = panel.readout.text()
    assert "C went up" in text and "step length ε" in text and "η is too" not in text


# ---------------------------------------------------------------- item 5: one variable
def test_one_variable_mode_shows_the_last_step_in_view_in_its_own_colour(panel, qtbot):
    from explorer.descent.contour import ACTUAL_COLOUR
    from explorer.descent.model import COLOURS

    m, cv = panel.model, panel.curve
    click(panel.controls.one_d, QPoint(8, panel.controls.one_d.height() // 2), qtbot)
    m.wait()
    pick(panel, "parabola", qtbot)
    m.set_settings(eta=1.08, steps=10)                   # each step overshoots further
    m.wait()
    assert m.step == m.max_step()                        # the end of the trail
    for item in (cv.tangent, cv.predicted, cv.actual):
        assert len(item.getData()[0]) == 2
    t = m.trajectories["gd"]
    (x0, x1), (y0, y1) = cv.plotItem.vb.viewRange()
    for x, y in zip(*cv.actual.getData()):
        assert x0 <= x <= x1 and y0 <= y <= y1          # drawn where it can be seen
    assert abs(t.v[-1, 0]) > 2.0 and x1 > 2.0            # the view grew past the curve's +-2
    assert cv.actual.opts["pen"].color().name() == ACTUAL_COLOUR != COLOURS["gd"]


# ---------------------------------------------------------------- item 6: cost plot
def test_cost_plot_keeps_each_curve_readable(panel, qtbot):
    m, plot = panel.model, panel.cost_plot
    pick(panel, "saddle", qtbot)                          # C goes below zero
    m.set_methods(["gd", "momentum", "adam"])
    plot.log_box.setChecked(True)
    m.wait()
    assert plot.log and plot.log_box.isEnabled()
    ys = plot.curves["gd"].getData()[1]
    assert np.isfinite(ys).sum() > 10                    # drawn on the log axis
    # one rule diverges: the others keep their scale, the diverged one is marked
    plot.log_box.setChecked(False)
    m.set_function("bowl")
    m.set_settings(eta=0.9, mu=0.9)
    m.wait()
    assert m.trajectories["momentum"].status != "diverged" or True
    m.set_settings(eta=2.5)
    m.wait()
    diverged = [k for k, t in m.trajectories.items() if t.status == "diverged"]
    assert diverged
    top = plot.view_y[1]
    calm = [t.C.max() for t in m.trajectories.values() if t.status != "diverged"]
    if calm:
        assert top < 10 * max(calm) + 10
    for k in diverged:
        assert "diverged" in plot.labels[k].textItem.toPlainText()
        ys = plot.curves[k].getData()[1]
        assert not np.any(ys[np.isfinite(ys)] >= 1e12)   # no flat line at a cap


# ---------------------------------------------------------------- item 7: formulas
def test_a_formula_whose_balls_leave_the_range_and_one_undefined_at_the_start(panel, qtbot):
    m, c = panel.model, panel.controls
    pick(panel, "formula", qtbot)
    c.formula.clear()
    qtbot.keyClicks(c.formula, "x**2 + 3*sin(y)")
    qtbot.keyClick(c.formula, Qt.Key_Return)
    m.wait()
    assert m.outside_range() and c.notice.isVisible() and "range" in c.notice.text()
    click(c.widen, QPoint(5, 5), qtbot)
    m.wait()
    assert m.formula_range > 4.8 and not m.outside_range()
    # undefined at the usual start: said plainly, and the ball starts where it is defined
    c.formula.clear()
    qtbot.keyClicks(c.formula, "exp(exp(exp(x*y)))")
    qtbot.keyClick(c.formula, Qt.Key_Return)
    m.wait()
    assert c.notice.isVisible() and "not defined at the usual start" in c.notice.text()
    assert np.isfinite(m.surface.value_at(m.start))
    plot = panel.cost_plot
    ys = np.concatenate([plot.curves[k].getData()[1] for k in plot.curves])
    assert np.isfinite(ys).any() and np.all(np.isfinite(plot.view_y))
    (x0, x1), _ = plot.plotItem.vb.viewRange()
    assert x0 > -5 and x1 <= m.max_step() * 1.1 + 1


# ---------------------------------------------------------------- item 8: small things
def test_noisy_trails_do_not_shrink_the_map(panel, qtbot):
    m = panel.model
    pick(panel, "bowl", qtbot)
    panel.controls.noise.setValue(100.0)
    m.wait()
    (x0, x1), (y0, y1) = panel.contour.plotItem.vb.viewRange()
    # (the map keeps equal scales, so only its narrower side is fitted)
    assert min(x1 - x0, y1 - y0) <= 4.0 * 1.5 * 1.05     # the surface stays the main thing


def test_small_readout_words_and_numbers(panel, qtbot):
    m = panel.model
    pick(panel, "himmelblau", qtbot)
    m.set_methods(["gd", "momentum"])
    m.wait()
    gd = m.trajectories["gd"]
    assert gd.status == "converged" and gd.steps < m.max_step()
    m.set_primary("gd")
    m.set_step(m.max_step())
    text = panel.readout.lines["where"]
    assert f"step {m.max_step()} of {m.max_step()}" in text
    assert panel.controls.position.maximum() == m.max_step()
    assert f"this trail ended at step {gd.steps}" in text
    assert fmt_ratio(-1e-5) != "-0.00" and "−0.00" not in fmt_ratio(-1e-5)
    assert fmt(-0.0) == "0"
    from explorer.descent.model import DescentModel
    one = optimizers.run(DescentModel().surface, (3.0, 2.0), "newton",
                         optimizers.Settings(steps=5))
    assert "1 steps" not in one.message
    # the start ring is drawn under the balls
    c = panel.contour
    assert c.start_item.zValue() < c.balls["gd"].zValue()


def test_the_eta_box_says_its_range(panel, qtbot):
    c = panel.controls
    before = panel.model.settings.eta
    type_into(c.eta, "7", qtbot)
    assert c.error.isVisible() and "between 0.0001 and 5" in c.error.text()
    assert panel.model.settings.eta == before
    c.show_error("")
    type_into(c.eta, "0.00001", qtbot)
    assert c.error.isVisible() and "between 0.0001 and 5" in c.error.text()
    assert "0.00001" in c.error.text() and panel.model.settings.eta == before


def test_step_at_the_last_step_stays_there(panel, qtbot):
    m = panel.model
    m.set_step(m.max_step())
    qtbot.mouseClick(panel.controls.step_button, Qt.LeftButton)
    assert m.step == m.max_step() > 0
    assert f"step {m.step} of {m.step}" in panel.readout.lines["where"]


# ---------------------------------------------------------------- items 16-17
def test_keyboard_shortcuts_and_standard_icons(panel, qtbot):
    m, c = panel.model, panel.controls
    m.set_settings(steps=400)
    m.wait()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=3000)
    panel.contour.setFocus()
    QApplication.processEvents()
    QTest.keyClick(panel.contour, Qt.Key_Home)
    assert m.step == 0
    QTest.keyClick(panel.contour, Qt.Key_Right)
    QTest.keyClick(panel.contour, Qt.Key_Right)
    assert m.step == 2
    QTest.keyClick(panel.contour, Qt.Key_Space)
    assert panel.timer.isActive() and c.play.text() == "Pause"
    pause = panel.style().standardIcon(QStyle.SP_MediaPause).pixmap(16).toImage()
    assert c.play.icon().pixmap(16).toImage() == pause
    QTest.keyClick(panel.contour, Qt.Key_Space)
    assert not panel.timer.isActive() and c.play.text() == "Play"
    assert not any(ch in c.play.text() + c.rewind.text() for ch in "⏸▶◀")
    texts = [a.shortcut().toString() for a in panel.shortcut_actions]
    assert texts == ["Space", "Right", "Home"]


def test_every_control_is_reachable_in_a_1280x720_window(panel, qtbot):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QSlider

    panel.resize(1280, 720 - 60)          # the window's menu and status bar take the rest
    qtbot.wait(50)
    QApplication.processEvents()
    side = panel.controls.parentWidget().parentWidget()       # the scroll area
    widgets = [w for kind in (QAbstractButton, QAbstractSpinBox, QComboBox, QSlider)
               for w in panel.controls.findChildren(kind) if w.isVisibleTo(panel.controls)]
    assert len(widgets) > 20
    for w in widgets:
        side.ensureWidgetVisible(w)
        QApplication.processEvents()
        assert not w.visibleRegion().isEmpty(), w.objectName() or w.text()
    assert panel.minimumSizeHint().width() <= 1280
