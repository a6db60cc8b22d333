"""Flat views of the cost: the contour map of C(v1, v2), and the curve C(v) of the
one-variable exercise. Both show one trail and ball per update rule; a click starts the
ball there.

The contour map is an image coloured by the cost with level lines on top (computed once
per function by ``engine.surfaces.contour_segments``); the arrow at the readout's ball
is its next step dv. The curve view draws, for the readout's rule, the tangent line the
step relies on: along it the cost would change by C'(v) dv (the prediction), while the
curve changes by the actual amount. With a large eta the two part visibly.
"""

from __future__ import annotations

from typing import Dict

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from engine.optimizers import METHODS
from engine.surfaces import contour_segments
from explorer.descent.model import COLOURS, DescentModel, surface_colours


def _pen(colour: str, width: float = 2.0, style=Qt.SolidLine) -> "pg.QtGui.QPen":
    pen = pg.mkPen(colour, width=width)
    pen.setStyle(style)
    return pen


class _ClickablePlot(pg.PlotWidget):
    """A plot whose left click (not a drag) on the data area calls ``on_click(x, y)``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plotItem.scene().sigMouseClicked.connect(self._clicked)

    def _clicked(self, ev) -> None:
        if ev.button() != Qt.LeftButton or ev.double():
            return
        vb = self.plotItem.vb
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = vb.mapSceneToView(ev.scenePos())
        self.on_click(p.x(), p.y())

    def on_click(self, x: float, y: float) -> None:  # pragma: no cover - overridden
        pass


class ContourView(_ClickablePlot):
    """The contour map: colours by cost, level lines, trails, balls, next step."""

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.setMinimumSize(240, 200)
        pi = self.plotItem
        pi.setLabel("bottom", "v1")
        pi.setLabel("left", "v2")
        # equal scales, so the gradient is seen at right angles to the level lines
        pi.setAspectLocked(True, ratio=1.0)
        pi.setMenuEnabled(False)
        pi.hideButtons()
        self.setToolTip("Click to start the ball there. Wheel zooms; drag pans.")
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setZValue(-10)
        pi.addItem(self.image)
        self.lines = pg.PlotDataItem(connect="pairs", pen=pg.mkPen((60, 60, 60, 110), width=1))
        # thousands of segments that only change with the function: paint them from a
        # cached pixmap while the ball moves
        self.lines.curve.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.image.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        pi.addItem(self.lines)
        self.minima = pg.ScatterPlotItem(symbol="+", size=11, pen=pg.mkPen("k", width=1.5),
                                         brush=None)
        pi.addItem(self.minima)
        self.start_item = pg.ScatterPlotItem(symbol="o", size=12, pen=pg.mkPen("k", width=2),
                                             brush=pg.mkBrush(255, 255, 255, 220))
        self.start_item.setZValue(5)
        pi.addItem(self.start_item)
        self.step_arrow = pg.PlotDataItem(pen=_pen("k", 2.0, Qt.DashLine))
        self.step_arrow.setZValue(6)
        pi.addItem(self.step_arrow)
        self.arrow_head = pg.ArrowItem(headLen=12, tipAngle=35, brush="k", pen=None)
        self.arrow_head.setZValue(6)
        self.arrow_head.hide()
        pi.addItem(self.arrow_head)
        self.trails: Dict[str, pg.PlotDataItem] = {}
        self.balls: Dict[str, pg.ScatterPlotItem] = {}
        self._fitted = None
        model.surface_changed.connect(self.rebuild_surface)
        model.trajectories_changed.connect(self.rebuild_trails)
        model.step_changed.connect(self.show_step)
        model.start_changed.connect(self._show_start)
        self.rebuild_surface()
        self.rebuild_trails()

    def rebuild_surface(self) -> None:
        m = self.model
        if m.dim != 2:
            return
        (xs, ys), z = m.axes, m.z
        rgba = (surface_colours(m.colour_t) * 255).astype(np.ubyte)
        self.image.setImage(rgba, autoLevels=False)
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2,
                                  xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy))
        seg = contour_segments(xs, ys, z, m.levels)
        self.lines.setData(seg[:, 0], seg[:, 1]) if len(seg) else self.lines.setData([], [])
        mins = np.array(m.surface.minima, dtype=float).reshape(-1, 2)
        self.minima.setData(mins[:, 0], mins[:, 1])
        self._fitted = None          # the next trails set the view
        self._fit_trails()
        self._show_start()

    def _show_start(self) -> None:
        if self.model.dim == 2:
            self.start_item.setData([self.model.start[0]], [self.model.start[1]])

    def rebuild_trails(self) -> None:
        m = self.model
        for key in list(self.trails):
            if key not in m.trajectories or m.dim != 2:
                self.plotItem.removeItem(self.trails.pop(key))
                self.plotItem.removeItem(self.balls.pop(key))
        if m.dim != 2:
            return
        for key in m.trajectories:
            if key not in self.trails:
                c = COLOURS[key]
                line = pg.PlotDataItem(pen=_pen(c, 2.2), symbol="o", symbolSize=3.5,
                                       symbolPen=None, symbolBrush=c, name=METHODS[key].name)
                ball = pg.ScatterPlotItem(size=13, pen=pg.mkPen("w", width=1.5),
                                          brush=pg.mkBrush(c))
                line.setZValue(2)
                ball.setZValue(3)
                self.plotItem.addItem(line)
                self.plotItem.addItem(ball)
                self.trails[key], self.balls[key] = line, ball
        self._fit_trails()
        self.show_step(m.step)

    def _fit_trails(self) -> None:
        """Show the plotted region and, around it, where the balls went: a ball thrown
        out by a large eta stays in sight (up to half the region's size beyond it).
        The view is set only when that extent changes, so zooming by hand is kept."""
        m = self.model
        (x0, x1), (y0, y1) = m.surface.domain
        target = [x0, x1, y0, y1]
        mx, my = 0.5 * (x1 - x0), 0.5 * (y1 - y0)
        # (trails still of the last function, when the function has just changed, are left out)
        points = [t.v for t in m.trajectories.values() if t.v.shape[1:] == (2,)]
        v = np.concatenate(points) if points else np.zeros((0, 2))
        v = v[np.all(np.isfinite(v), axis=1)]
        if len(v):
            target = [min(x0, max(v[:, 0].min(), x0 - mx)), max(x1, min(v[:, 0].max(), x1 + mx)),
                      min(y0, max(v[:, 1].min(), y0 - my)), max(y1, min(v[:, 1].max(), y1 + my))]
        if self._fitted is None or not np.allclose(target, self._fitted, rtol=0, atol=1e-3 * mx):
            self._fitted = target
            self.plotItem.vb.setRange(xRange=target[:2], yRange=target[2:], padding=0.01)

    def show_step(self, k: int) -> None:
        m = self.model
        if m.dim != 2:
            return
        for key, t in m.trajectories.items():
            if key not in self.trails:
                continue
            i = m.index(key, k)
            v = t.v[: i + 1]
            # keep far-flung (diverged) points drawable
            v = np.clip(v, -1e6, 1e6)
            self.trails[key].setData(v[:, 0], v[:, 1])
            self.balls[key].setData([v[-1, 0]], [v[-1, 1]])
        t = m.trajectories.get(m.primary)
        if t is not None and m.index(m.primary, k) < t.steps:
            i = m.index(m.primary, k)
            a, b = t.v[i], t.v[i] + t.dv[i]
            self.step_arrow.setData([a[0], b[0]], [a[1], b[1]])
            d = b - a
            if np.hypot(*d) > 0 and np.all(np.abs(b) < 1e6):
                # ArrowItem's angle is in screen degrees; account for the axis scales
                vb = self.plotItem.vb
                sx, sy = vb.viewPixelSize()
                angle = np.degrees(np.arctan2(-d[1] / sy, d[0] / sx))
                self.arrow_head.setStyle(angle=180 + angle)
                self.arrow_head.setPos(b[0], b[1])
                self.arrow_head.show()
            else:
                self.arrow_head.hide()
        else:
            self.step_arrow.setData([], [])
            self.arrow_head.hide()

    def on_click(self, x: float, y: float) -> None:
        (x0, x1), (y0, y1) = self.model.surface.domain
        if x0 <= x <= x1 and y0 <= y <= y1:
            self.model.set_start((x, y))


class CurveView(_ClickablePlot):
    """C(v) for one variable: the curve, trails along it, and the tangent at the ball."""

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(parent)
        self.model = model
        pi = self.plotItem
        pi.setLabel("bottom", "v")
        pi.setLabel("left", "C(v)")
        pi.setMenuEnabled(False)
        pi.hideButtons()
        pi.showGrid(x=True, y=True, alpha=0.15)
        self.setToolTip("Click on the axis to start the ball at that v.")
        self.curve = pg.PlotDataItem(pen=pg.mkPen((40, 90, 160), width=3))
        pi.addItem(self.curve)
        self.tangent = pg.PlotDataItem(pen=_pen("#555555", 1.5, Qt.DashLine))
        pi.addItem(self.tangent)
        self.predicted = pg.PlotDataItem(pen=pg.mkPen("#555555", width=2.5),
                                         symbol="t1", symbolSize=9, symbolBrush="#555555")
        pi.addItem(self.predicted)
        self.actual = pg.PlotDataItem(pen=pg.mkPen("#d62728", width=2.5))
        pi.addItem(self.actual)
        for item in (self.tangent, self.predicted, self.actual):
            item.setZValue(4)       # over the trails
        self.start_item = pg.ScatterPlotItem(symbol="o", size=12, pen=pg.mkPen("k", width=2),
                                             brush=pg.mkBrush(255, 255, 255, 220))
        self.start_item.setZValue(5)
        pi.addItem(self.start_item)
        self.trails: Dict[str, pg.PlotDataItem] = {}
        self.balls: Dict[str, pg.ScatterPlotItem] = {}
        model.surface_changed.connect(self.rebuild_surface)
        model.trajectories_changed.connect(self.rebuild_trails)
        model.step_changed.connect(self.show_step)
        model.start_changed.connect(self._show_start)
        self.rebuild_surface()
        self.rebuild_trails()

    def rebuild_surface(self) -> None:
        m = self.model
        if m.dim != 1:
            return
        (vs,), c = m.axes, m.z
        self.curve.setData(vs, c, connect="finite")
        finite = c[np.isfinite(c)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0, 1)
        pad = 0.08 * (hi - lo or 1)
        (x0, x1), = m.surface.domain
        self.plotItem.vb.setRange(xRange=(x0, x1), yRange=(lo - pad, hi + pad), padding=0)
        self._show_start()

    def _show_start(self) -> None:
        m = self.model
        if m.dim == 1:
            self.start_item.setData([m.start[0]], [m.surface.value_at(m.start)])

    def rebuild_trails(self) -> None:
        m = self.model
        for key in list(self.trails):
            if key not in m.trajectories or m.dim != 1:
                self.plotItem.removeItem(self.trails.pop(key))
                self.plotItem.removeItem(self.balls.pop(key))
        if m.dim != 1:
            return
        for key in m.trajectories:
            if key not in self.trails:
                c = QColor(COLOURS[key])
                faint = QColor(c)
                faint.setAlpha(140)
                line = pg.PlotDataItem(pen=pg.mkPen(faint, width=1.2), symbol="o",
                                       symbolSize=6, symbolPen=None, symbolBrush=faint)
                ball = pg.ScatterPlotItem(size=15, pen=pg.mkPen("w", width=1.5),
                                          brush=pg.mkBrush(c))
                line.setZValue(2)
                ball.setZValue(3)
                self.plotItem.addItem(line)
                self.plotItem.addItem(ball)
                self.trails[key], self.balls[key] = line, ball
        self.show_step(m.step)

    def show_step(self, k: int) -> None:
        m = self.model
        if m.dim != 1:
            return
        for key, t in m.trajectories.items():
            if key not in self.trails:
                continue
            i = m.index(key, k)
            v = np.clip(t.v[: i + 1, 0], -1e6, 1e6)
            c = np.clip(np.nan_to_num(t.C[: i + 1], nan=0.0), -1e12, 1e12)
            self.trails[key].setData(v, c)
            self.balls[key].setData([v[-1]], [c[-1]])
        t = m.trajectories.get(m.primary)
        if t is not None and m.index(m.primary, k) < t.steps:
            i = m.index(m.primary, k)
            v, c, g, dv = t.v[i, 0], t.C[i], t.grad[i, 0], t.dv[i, 0]
            (x0, x1), = m.surface.domain
            span = x1 - x0
            xs = np.array([v - 0.3 * span, v + 0.3 * span])
            self.tangent.setData(xs, c + g * (xs - v))
            # along the tangent: the predicted change; the curve's own change in red
            self.predicted.setData([v, v + dv], [c, c + t.predicted[i]])
            self.actual.setData([v + dv, v + dv], [c + t.predicted[i], c + t.actual[i]])
        else:
            for item in (self.tangent, self.predicted, self.actual):
                item.setData([], [])

    def on_click(self, x: float, y: float) -> None:
        (x0, x1), = self.model.surface.domain
        if x0 <= x <= x1:
            self.model.set_start((x,))
