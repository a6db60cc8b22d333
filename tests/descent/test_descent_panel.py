"""The descent panel with real widgets and real mouse and keyboard events."""

from __future__ import annotations

import numpy as np
import pytest
from descent_helpers import click, view_pos
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.narrate import fmt
from engine.surfaces import SURFACES


# ---------------------------------------------------------------- the Qt binding itself
def test_repainting_does_not_eat_references_to_none(qtbot):
    """PySide6 6.12.0 loses a reference to None each time Qt calls a Python override of a
    virtual method (paintEvent, pyqtgraph's paint ...). An animated panel then dies with
    "Fatal Python error: none_dealloc" after a few hundred steps. 6.11.3 is fine."""
    import sys

    import pyqtgraph as pg

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.plot([1.0, 2.0, 3.0])
    plot.show()
    qtbot.waitExposed(plot)
    plot.viewport().repaint()
    before = sys.getrefcount(None)
    for _ in range(50):
        plot.viewport().repaint()
    lost = before - sys.getrefcount(None)
    assert lost < 50, (f"{lost} references to None lost in 50 repaints: this PySide6 build "
                       f"has a refcount bug; the app will crash. Use PySide6 != 6.12.0.")


# ---------------------------------------------------------------- fallback without OpenGL
def test_without_opengl_the_contour_map_shows_and_a_message_says_why(panel):
    assert panel.view3d is None
    msg = panel.no_gl_message
    assert msg is not None and msg.isVisible()
    assert "3-D view unavailable" in msg.text() and "switched off" in msg.text()
    assert panel.contour.isVisible()
    assert len(panel.contour.trails) == 3           # gd, momentum, adam by default


def test_clicking_the_contour_map_starts_the_ball_there(panel, qtbot):
    c = panel.contour
    pos = view_pos(c, 2.0, -1.5)
    click(c.viewport(), pos, qtbot)
    panel.model.wait()
    assert np.allclose(panel.model.start, [2.0, -1.5], atol=0.1)
    t = panel.model.trajectories["gd"]
    assert np.allclose(t.v[0], panel.model.start)
    assert panel.controls.start_x.value() == pytest.approx(panel.model.start[0], abs=1e-3)
    # the ball and trail are drawn from the new start
    xs, ys = c.trails["gd"].getData()
    assert xs[0] == pytest.approx(panel.model.start[0])


def test_typing_eta_recomputes_the_trails_with_the_books_rule(panel, qtbot):
    spin = panel.controls.eta
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.002")
    panel.model.wait()
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)
    panel.model.wait()
    m = panel.model
    assert m.settings.eta == pytest.approx(0.002)
    t = m.trajectories["gd"]
    assert np.allclose(t.dv[0], -0.002 * SURFACES["himmelblau"].gradient_at(m.start))
    # the slider followed
    from explorer.descent.controls import slider_to_eta
    assert slider_to_eta(panel.controls.eta_slider.value()) == pytest.approx(0.002, rel=0.02)


def test_dragging_the_eta_slider_with_the_mouse(panel, qtbot):
    slider = panel.controls.eta_slider
    m = panel.model
    before = m.settings.eta
    y = slider.height() // 2
    handle_x = round(slider.value() / slider.maximum() * (slider.width() - 1))
    QTest.mousePress(slider, Qt.LeftButton, pos=QPoint(handle_x, y))
    for dx in range(5, 80, 5):
        QTest.mouseMove(slider, QPoint(handle_x + dx, y))
    QTest.mouseRelease(slider, Qt.LeftButton, pos=QPoint(handle_x + 80, y))
    qtbot.waitUntil(lambda: m.settings.eta > before * 1.5, timeout=2000)
    panel.controls.flush()
    m.wait()
    assert m.settings.eta == pytest.approx(panel.controls.eta.value(), rel=0.01)
    t = m.trajectories["gd"]
    assert np.allclose(t.dv[0], -m.settings.eta * t.grad[0])


def test_readout_shows_prediction_holding_and_breaking(panel, qtbot):
    m = panel.model
    m.set_function("bowl")
    panel.model.wait()
    m.set_settings(eta=0.001, steps=10)
    panel.model.wait()
    m.set_step(0)
    text = panel.readout.text()
    t = m.trajectories["gd"]
    assert "predicted" in text and "actual" in text
    assert fmt(t.predicted[0]) in text and fmt(t.actual[0]) in text
    assert "Prediction holds" in text
    m.set_settings(eta=0.7)
    panel.model.wait()
    m.set_step(0)
    assert "breaking down" in panel.readout.text()
    m.set_settings(eta=1.5)
    panel.model.wait()
    m.set_step(0)
    assert "C went up" in panel.readout.text()


def test_divergence_is_reported_not_crashed(panel):
    m = panel.model
    m.set_function("ravine")
    panel.model.wait()
    m.set_settings(eta=2.0, steps=500)
    panel.model.wait()
    t = m.trajectories["gd"]
    assert t.status == "diverged"
    m.set_step(m.max_step())
    assert "Diverged" in panel.readout.text()
    xs, ys = panel.contour.trails["gd"].getData()
    assert np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))


def test_ticking_a_rule_with_the_mouse_adds_its_trail(panel, qtbot):
    box = panel.controls.method_boxes["nesterov"]
    click(box, QPoint(8, box.height() // 2), qtbot)
    panel.model.wait()
    assert "nesterov" in panel.model.trajectories
    assert "nesterov" in panel.contour.trails and "nesterov" in panel.cost_plot.curves
    assert panel.controls.primary.findData("nesterov") >= 0
    click(box, QPoint(8, box.height() // 2), qtbot)
    panel.model.wait()
    assert "nesterov" not in panel.contour.trails


def test_step_play_and_rewind_buttons(panel, qtbot):
    m = panel.model
    c = panel.controls
    m.set_settings(steps=20)
    panel.model.wait()
    qtbot.mouseClick(c.rewind, Qt.LeftButton)
    assert m.step == 0
    qtbot.mouseClick(c.step_button, Qt.LeftButton)
    panel.model.wait()
    qtbot.mouseClick(c.step_button, Qt.LeftButton)
    panel.model.wait()
    assert m.step == 2 and c.position.value() == 2
    xs, _ = panel.contour.trails["gd"].getData()
    assert len(xs) == 3
    c.speed.setValue(60)
    qtbot.mouseClick(c.play, Qt.LeftButton)
    assert panel.timer.isActive() and "Pause" in c.play.text()
    qtbot.waitUntil(lambda: m.step == m.max_step() and not panel.timer.isActive(),
                    timeout=5000)
    assert "Play" in c.play.text()


def test_formula_typed_and_applied(panel, qtbot):
    c = panel.controls
    c.function.setCurrentIndex(c.function.findData("formula"))
    c.function.activated.emit(c.function.currentIndex())
    panel.model.wait()
    assert c.formula_row.isVisible()
    c.formula.clear()
    qtbot.keyClicks(c.formula, "x^2 + 2*y**2 + x*y")
    panel.model.wait()
    qtbot.mouseClick(c.apply_formula, Qt.LeftButton)
    panel.model.wait()
    m = panel.model
    assert m.key == "formula" and not c.error.isVisible()
    assert m.surface.value(1.0, 1.0) == pytest.approx(4.0)
    assert np.allclose(m.trajectories["gd"].grad[0],
                       [2 * m.start[0] + m.start[1], 4 * m.start[1] + m.start[0]])
    assert c.method_boxes["newton"].isEnabled()


@pytest.mark.parametrize("bad, words", [
    ("x**2 + y**", "not a formula"),
    ("import os", "not a formula"),
    ("z**2", "unknown name 'z'"),
    ("x**99999", "powers are limited"),
    ("log(x - 10)", "not defined anywhere"),
])
def test_bad_formula_shows_a_message_and_keeps_the_surface(panel, qtbot, bad, words):
    c = panel.controls
    m = panel.model
    c.function.setCurrentIndex(c.function.findData("formula"))
    c.function.activated.emit(c.function.currentIndex())
    panel.model.wait()
    good = m.surface                      # the stored formula, which parses
    assert good.key == "formula" and not c.error.isVisible()
    image = panel.contour.image.image.copy()
    trail = panel.contour.trails["gd"].getData()[0].copy()
    c.formula.clear()
    qtbot.keyClicks(c.formula, bad)
    panel.model.wait()
    qtbot.keyClick(c.formula, Qt.Key_Return)
    panel.model.wait()
    assert c.error.isVisible()
    assert words in c.error.text()
    # the last good surface stays: in the model, on the contour map, in the trails
    assert m.surface is good and m.surface.text != bad
    assert np.array_equal(panel.contour.image.image, image)
    assert np.array_equal(panel.contour.trails["gd"].getData()[0], trail)
    assert good.text in c.about.text()
    # fixing it clears the message
    c.formula.clear()
    qtbot.keyClicks(c.formula, "x**2 + y**2")
    panel.model.wait()
    qtbot.keyClick(c.formula, Qt.Key_Return)
    panel.model.wait()
    assert not c.error.isVisible() and m.surface.text == "x**2 + y**2"


def test_one_variable_mode_shows_the_curve_and_the_tangent(panel, qtbot):
    c = panel.controls
    click(c.one_d, QPoint(8, c.one_d.height() // 2), qtbot)
    panel.model.wait()
    m = panel.model
    assert m.dim == 1 and panel.views.currentIndex() == 1
    assert panel.curve.isVisible() and not panel.contour.isVisible()
    assert not c.start_y.isVisible()
    m.set_settings(eta=0.05)
    panel.model.wait()
    m.set_step(2)
    t = m.trajectories["gd"]
    xs, ys = panel.curve.tangent.getData()
    slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    assert slope == pytest.approx(t.grad[2, 0])
    px, py = panel.curve.predicted.getData()
    assert py[1] - py[0] == pytest.approx(t.predicted[2])
    # click on the curve view: the ball starts at that v
    pos = view_pos(panel.curve, -1.0, 1.0)
    click(panel.curve.viewport(), pos, qtbot)
    panel.model.wait()
    assert m.start[0] == pytest.approx(-1.0, abs=0.05)
    click(c.two_d, QPoint(8, c.two_d.height() // 2), qtbot)
    panel.model.wait()
    assert m.dim == 2 and panel.contour.isVisible()


def test_noise_changes_the_path_and_the_seed_reproduces_it(panel):
    m = panel.model
    clean = m.trajectories["gd"].v.copy()
    panel.controls.noise.setValue(2.0)
    panel.model.wait()
    noisy = m.trajectories["gd"].v.copy()
    n = min(len(clean), len(noisy))
    assert not np.allclose(clean[:n], noisy[:n])
    panel.controls.seed.setValue(5)
    panel.model.wait()
    other = m.trajectories["gd"].v.copy()
    panel.controls.seed.setValue(0)
    panel.model.wait()
    assert np.array_equal(m.trajectories["gd"].v, noisy)
    assert not np.allclose(other[:n], noisy[:n])


def test_state_round_trip_and_garbage(panel, make_panel, tmp_path):
    m = panel.model
    m.set_function("rosenbrock")
    panel.model.wait()
    m.set_settings(eta=0.0007, steps=321, mu=0.8, noise=0.25, seed=9)
    panel.model.wait()
    m.set_methods(["gd", "nesterov", "newton"])
    panel.model.wait()
    m.set_start((0.5, 2.5))
    panel.model.wait()
    m.set_primary("newton")
    state = panel.settings_state()
    other = make_panel()
    assert other.apply_settings(state) == []
    o = other.model
    assert o.key == "rosenbrock" and o.methods == ["gd", "nesterov", "newton"]
    assert o.settings.eta == pytest.approx(0.0007) and o.settings.steps == 321
    assert o.settings.mu == pytest.approx(0.8) and o.settings.seed == 9
    assert np.allclose(o.start, [0.5, 2.5]) and o.primary == "newton"
    assert other.controls.steps.value() == 321
    assert other.controls.method_boxes["nesterov"].isChecked()

    bad = {"dim": "seven", "function": "nope", "eta": -3, "steps": 1e99, "mu": float("nan"),
           "methods": "x,,y", "start": [1, "abc"], "speed": "fast", "splitter": "junk",
           "formula2": "x**", "range": float("inf"), "primary": 5}
    third = make_panel()
    notes = third.apply_settings(bad)
    for name in ("dim", "eta", "steps", "mu", "methods", "start", "speed", "range", "primary"):
        assert any(f"saved {name} " in n for n in notes), (name, notes)
    t = third.model
    assert t.key == "himmelblau" and t.settings.eta == pytest.approx(0.01)
    assert t.settings.steps == 150
    assert t.methods == [] or t.methods == ["gd", "momentum", "adam"]


def test_formula_restored_from_settings_even_if_broken(panel):
    panel.apply_settings({"function": "formula", "formula2": "x**2 + "})
    assert panel.controls.error.isVisible()
    assert panel.model.key == "himmelblau"


# ---------------------------------------------------------------- with OpenGL
@pytest.mark.gl
def test_3d_view_renders_the_surface(with_gl, make_panel, qtbot):
    panel = make_panel()
    view = panel.view3d
    assert view is not None and panel.no_gl_message is None
    # the view is a native child window; it is exposed (and its context made) on its own
    qtbot.waitUntil(view.isExposed, timeout=5000)
    qtbot.wait(100)
    image = view.grabFramebuffer()
    assert not image.isNull() and image.width() > 100
    ptr = image.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=image.sizeInBytes()).reshape(
        image.height(), image.bytesPerLine())[:, : image.width() * 4]
    rgb = arr.reshape(image.height(), image.width(), 4)[..., :3].astype(float)
    assert rgb.std() > 20                      # not a blank (white) picture
    # the surface's blue valleys and warm ridges are both there
    blue = (rgb[..., 2] > rgb[..., 0] + 40).mean()
    warm = (rgb[..., 0] > rgb[..., 2] + 40).mean()
    assert blue > 0.01 and warm > 0.01
    assert set(view.trails) == {"gd", "momentum", "adam"}


@pytest.mark.gl
def test_clicking_the_3d_surface_starts_the_ball_there(with_gl, make_panel, qtbot):
    panel = make_panel()
    view = panel.view3d
    m = panel.model
    # the middle of the view looks at the middle of the surface
    v = view.pick(0.0, 0.0)
    assert v is not None
    assert abs(v[0]) < 3 and abs(v[1]) < 3
    assert view.pick(0.0, 0.99) is None            # the sky above the surface
    before = m.start.copy()
    centre = QPoint(view.width() // 2, view.height() // 2)
    qtbot.mouseClick(view, Qt.LeftButton, pos=centre)
    panel.model.wait()
    assert not np.allclose(m.start, before)
    assert np.allclose(m.start, v, atol=0.2)
    # a drag turns the view and does not move the ball
    start = m.start.copy()
    azimuth = view.opts["azimuth"]
    QTest.mousePress(view, Qt.LeftButton, pos=centre)
    QTest.mouseMove(view, centre + QPoint(60, 10))
    QTest.mouseRelease(view, Qt.LeftButton, pos=centre + QPoint(60, 10))
    assert np.array_equal(m.start, start)
    assert view.opts["azimuth"] != azimuth
    # the wheel zooms; "Reset camera" brings back the first view
    distance = view.opts["distance"]
    wheel = QWheelEvent(QPointF(centre), QPointF(view.mapToGlobal(centre)), QPoint(0, 0),
                        QPoint(0, -240), Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(view, wheel)
    assert view.opts["distance"] > distance
    qtbot.mouseClick(panel.reset_camera_button, Qt.LeftButton)
    panel.model.wait()
    assert view.opts["azimuth"] == azimuth and view.opts["distance"] == distance


@pytest.mark.gl
def test_the_3d_view_leaves_the_window_raster_composed(with_gl, make_panel, qtbot):
    """A QOpenGLWidget would make Qt compose the whole top-level window through OpenGL
    on every repaint (slow with software Mesa, and it slowed the training tab). The 3-D
    view is a native child QOpenGLWindow in a container instead."""
    from PySide6.QtGui import QSurface, QWindow
    from PySide6.QtOpenGLWidgets import QOpenGLWidget

    panel = make_panel()
    view = panel.view3d
    assert isinstance(view, QWindow) and view.container.isVisible()
    assert view.container.window() is panel.window()
    assert not panel.window().findChildren(QOpenGLWidget)
    qtbot.waitUntil(view.isExposed, timeout=5000)
    assert panel.window().windowHandle().surfaceType() == QSurface.RasterSurface
    # what is drawn on screen has a depth buffer (else the floor grid shows through)
    qtbot.waitUntil(view.isValid, timeout=5000)
    assert view.context().format().depthBufferSize() >= 16


def test_fast_vertex_normals_equal_pyqtgraphs():
    """The 3-D surface's normals are computed with whole-array operations (pyqtgraph's
    loop over vertices took ~0.6 s for 200x200); they must be the same normals."""
    from pyqtgraph.opengl import GLSurfacePlotItem
    from pyqtgraph.opengl.MeshData import MeshData

    from explorer.descent.view3d import SurfaceItem

    rng = np.random.default_rng(3)
    x, y = np.linspace(-2, 2, 12), np.linspace(-1, 3, 9)
    z = rng.normal(size=(12, 9)).astype(np.float32)
    z[:3, :3] = 0.0                                   # a flat corner too
    ours, theirs = SurfaceItem(computeNormals=True, smooth=True), \
        GLSurfacePlotItem(computeNormals=True, smooth=True)
    for item in (ours, theirs):
        item.setData(x=x.astype(np.float32), y=y.astype(np.float32), z=z)
    fast = ours.opts["meshdata"].vertexNormals()
    slow = MeshData.vertexNormals(theirs.opts["meshdata"])
    assert fast.shape == slow.shape == (12 * 9, 3)
    np.testing.assert_allclose(fast, slow, atol=1e-5)
    np.testing.assert_allclose(ours.opts["meshdata"].vertexNormals(indexed="faces"),
                               theirs.opts["meshdata"].vertexNormals(indexed="faces"), atol=1e-5)
