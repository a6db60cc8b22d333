"""The descent panel, continued: pausing, each rule's own parameters, the cost plot's
log scale, balls thrown out of the map, and the -grad C arrow in the 3-D view."""

from __future__ import annotations

import numpy as np
import pytest
from descent_helpers import click, view_pos
from PySide6.QtCore import QPoint, Qt


def test_pause_stops_the_steps(panel, qtbot):
    m, c = panel.model, panel.controls
    m.set_settings(steps=400)
    panel.model.wait()
    c.speed.setValue(40)
    qtbot.mouseClick(c.rewind, Qt.LeftButton)
    qtbot.mouseClick(c.play, Qt.LeftButton)
    qtbot.waitUntil(lambda: m.step >= 3, timeout=3000)
    qtbot.mouseClick(c.play, Qt.LeftButton)          # the same button now says Pause
    assert not panel.timer.isActive() and "Play" in c.play.text()
    paused_at = m.step
    qtbot.wait(300)
    assert m.step == paused_at < m.max_step()
    assert len(panel.contour.trails["gd"].getData()[0]) == paused_at + 1
    # play again: it carries on from there, not from the start
    qtbot.mouseClick(c.play, Qt.LeftButton)
    qtbot.waitUntil(lambda: m.step > paused_at, timeout=3000)
    qtbot.mouseClick(c.play, Qt.LeftButton)
    assert m.step > paused_at


def _row_shown(controls, field) -> bool:
    return controls.step_form.isRowVisible(field.parentWidget())


def test_each_rules_parameters_show_with_it_and_change_its_path(panel, qtbot):
    m, c = panel.model, panel.controls
    m.set_function("bowl")
    panel.model.wait()
    assert not _row_shown(c, c.epsilon) and not _row_shown(c, c.rho)   # gd, momentum, adam
    assert _row_shown(c, c.mu)
    fixed = c.method_boxes["fixed"]
    click(fixed, QPoint(8, fixed.height() // 2), qtbot)
    panel.model.wait()
    assert _row_shown(c, c.epsilon)
    c.epsilon.setValue(0.25)
    panel.model.wait()
    t = m.trajectories["fixed"]
    assert np.allclose(np.linalg.norm(t.dv[:3], axis=1), 0.25)   # its length, not eta
    c.eta.setValue(0.2)
    panel.model.wait()
    assert np.allclose(np.linalg.norm(m.trajectories["fixed"].dv[:3], axis=1), 0.25)

    m.set_methods(["rmsprop", "adam"])
    panel.model.wait()
    assert _row_shown(c, c.rho) and not _row_shown(c, c.epsilon) and not _row_shown(c, c.mu)
    before = m.trajectories["rmsprop"].v.copy()
    c.rho.setValue(0.5)
    panel.model.wait()
    assert m.settings.rho == pytest.approx(0.5)
    assert not np.allclose(m.trajectories["rmsprop"].v[:5], before[:5])
    before = m.trajectories["adam"].v.copy()
    c.beta1.setValue(0.5)
    panel.model.wait()
    c.beta2.setValue(0.9)
    panel.model.wait()
    assert (m.settings.beta1, m.settings.beta2) == pytest.approx((0.5, 0.9))
    assert not np.allclose(m.trajectories["adam"].v[:5], before[:5])


def test_cost_plot_log_scale_is_an_option(panel, qtbot):
    m = panel.model
    plot = panel.cost_plot
    box = plot.log_box
    m.set_function("bowl")
    panel.model.wait()
    m.set_settings(eta=0.1, steps=50)
    panel.model.wait()
    assert box.isVisible() and box.isEnabled()
    auto = box.isChecked()
    assert plot.plotItem.getAxis("left").logMode == auto
    click(box, QPoint(8, box.height() // 2), qtbot)
    panel.model.wait()
    assert box.isChecked() != auto
    assert plot.plotItem.getAxis("left").logMode == (not auto)
    m.set_settings(eta=0.05)                 # the learner's choice survives a new run
    panel.model.wait()
    assert plot.plotItem.getAxis("left").logMode == (not auto)
    # a cost that goes below zero keeps the log axis: C - min C is drawn on it
    m.set_function("saddle")
    panel.model.wait()
    assert box.isEnabled() and plot.plotItem.getAxis("left").logMode == (not auto)
    if plot.log:
        assert "C − (" in plot.plotItem.getAxis("left").labelText
    # every rule is named above the plot, in its colour
    names = plot.legend.text()
    assert all(f"{c}" in names for c in ("Gradient descent", "Momentum", "Adam"))


def test_a_ball_thrown_out_of_the_map_stays_in_sight(panel):
    m = panel.model
    m.set_function("bowl")
    panel.model.wait()
    vb = panel.contour.plotItem.vb
    region = np.array(vb.viewRange())
    assert region[0, 0] < -1.9 and region[0, 1] > 1.9 and region[1, 0] < -1.9
    m.set_settings(eta=1.05, steps=8)                       # each step overshoots further
    panel.model.wait()
    ball = m.trajectories["gd"].v[-1]
    assert np.abs(ball).max() > 2.0                          # outside the plotted region
    (x0, x1), (y0, y1) = vb.viewRange()
    assert x0 <= ball[0] <= x1 and y0 <= ball[1] <= y1
    assert not (region[0, 0] <= ball[0] <= region[0, 1] and region[1, 0] <= ball[1] <= region[1, 1])
    m.set_settings(eta=0.1)                                  # back inside: back to the region
    panel.model.wait()
    assert np.allclose(vb.viewRange(), region, atol=0.05)


@pytest.mark.gl
def test_3d_view_shows_minus_the_gradient_at_the_ball(with_gl, make_panel, qtbot):
    from explorer.descent.view3d import ARROW

    panel = make_panel()
    view, m = panel.view3d, panel.model
    m.set_function("bowl")
    panel.model.wait()
    m.set_settings(eta=0.05, steps=40)
    panel.model.wait()
    m.set_step(2)
    seg = view.gradient_segments(2)
    assert seg is not None and view.gradient_arrow.visible()
    tail, tip = seg[0], seg[1]
    t = m.trajectories["gd"]
    assert np.allclose(tail, view.scene_points(t.v[2:3], t.C[2:3])[0])
    d = tip - tail
    assert np.linalg.norm(d) == pytest.approx(ARROW)
    # downhill: against the gradient in the plane, and lower on the surface
    assert np.dot(d[:2], t.grad[2]) < 0 and d[2] < 0
    horizontal = d[:2] / np.linalg.norm(d[:2])
    assert np.allclose(horizontal, -t.grad[2] / np.linalg.norm(t.grad[2]), atol=1e-6)
    # the arrow follows the ball
    m.set_step(5)
    assert np.allclose(np.asarray(view.gradient_arrow.pos)[0], view._points["gd"][5])
    # none where the slope is flat
    m.set_start((0.0, 0.0))
    panel.model.wait()
    assert view.gradient_segments(0) is None and not view.gradient_arrow.visible()


@pytest.mark.gl
def test_a_click_on_the_contour_map_moves_the_3d_ball(with_gl, make_panel, qtbot):
    panel = make_panel()
    view, m, c = panel.view3d, panel.model, panel.contour
    before = np.asarray(view.balls["gd"].pos).copy()
    click(c.viewport(), view_pos(c, 2.0, -1.5), qtbot)
    panel.model.wait()
    assert np.allclose(m.start, [2.0, -1.5], atol=0.1)
    m.set_step(0)
    expected = view.scene_points(m.start[None, :], np.array([m.surface.value_at(m.start)]))
    assert np.allclose(np.asarray(view.balls["gd"].pos), expected)
    assert np.allclose(np.asarray(view.start_item.pos), expected)
    assert not np.allclose(np.asarray(view.balls["gd"].pos), before)


def test_rule_parameters_and_log_choice_are_remembered(panel, make_panel, tmp_path):
    m = panel.model
    m.set_settings(epsilon=0.37, rho=0.8, beta1=0.7, beta2=0.99)
    panel.model.wait()
    panel.cost_plot.log_box.click()
    choice = panel.cost_plot.log_choice
    state = panel.settings_state()
    other = make_panel()
    other.apply_settings(state)
    o = other.model.settings
    assert (o.epsilon, o.rho, o.beta1, o.beta2) == pytest.approx((0.37, 0.8, 0.7, 0.99))
    assert other.controls.epsilon.value() == pytest.approx(0.37)
    assert other.cost_plot.log_choice == choice is not None


def test_playback_keeps_the_speed_setting_when_frames_are_slow(panel, qtbot):
    """With software OpenGL a frame can take longer than a step's time; the ball then
    jumps over the steps that are due rather than falling behind the speed setting."""
    import time

    m, c = panel.model, panel.controls
    m.set_settings(steps=2000)
    panel.model.wait()
    c.speed.setValue(40)
    frames = []
    slow = lambda *_: (frames.append(m.step), time.sleep(0.06))   # noqa: E731
    m.step_changed.connect(slow)
    try:
        qtbot.mouseClick(c.rewind, Qt.LeftButton)
        frames.clear()
        qtbot.mouseClick(c.play, Qt.LeftButton)
        t0 = time.monotonic()
        qtbot.wait(1500)
        qtbot.mouseClick(c.play, Qt.LeftButton)
        seconds = time.monotonic() - t0
    finally:
        m.step_changed.disconnect(slow)
    assert len(frames) < 30                      # frames are slow (60 ms each) ...
    assert m.step >= 0.7 * 40 * seconds          # ... yet the ball keeps about 40 steps/s
    assert frames == sorted(frames)              # and only moves forward
