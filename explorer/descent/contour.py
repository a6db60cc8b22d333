"""Flat views of the cost: the contour map of C(v1, v2), and the curve C(v) of the
one-variable exercise. Both show one trail and ball per update rule; a click starts the
ball there.

The contour map is an image coloured by the cost with level lines on top (computed once
per function by ``engine.surfaces.contour_segments``). At the readout's ball, arrows
show the step the readout describes and the rule's inside: the velocity carried and the
push (momentum), the look-ahead point (Nesterov), the gradient's own direction beside the
per-coordinate step (AdaGrad, RMSProp, Adam, Newton). The view follows balls thrown out
by a large eta only so far: the surface stays the main thing. The curve view draws, for the readout's rule, the tangent line the
step relies on: along it the cost would change by C'(v) dv (the prediction), while the
curve changes by the actual amount. With a large eta the two part visibly.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from engine.optimizers import METHODS
from engine.surfaces import contour_segments
from explorer.descent.model import COLOURS, DescentModel, surface_colours
from explorer.descent.trail_items import follow_model, sync_trails
from explorer.paint_turns import TURN_MS


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


DRAWN = 600        # a trail is drawn through at most this many of its points ...
DOTS = 300         # ... and with a dot at each point only up to this many


def thin(n: int, limit: int = DRAWN) -> np.ndarray:
    """Indices of at most ``limit`` of n points, evenly spread, the first and last kept:
    a 5,000-step trail is drawn as fast as a short one."""
    if n <= limit:
        return np.arange(n)
    return (np.arange(limit) * (n - 1)) // (limit - 1)


def set_trail(item, x, y) -> None:
    """Draw a trail through (x, y), thinned, with dots only while it is short."""
    keep = thin(len(x))
    dots = len(x) <= DOTS
    if getattr(item, "_dots", True) != dots:
        item._dots = dots
        item.setSymbol("o" if dots else None)
    # long (noisy) trails without antialiasing: they paint several times faster
    item.setData(np.asarray(x)[keep], np.asarray(y)[keep], antialias=dots)


ACTUAL_COLOUR = "#8c564b"      # the curve's real change (brown: no rule uses it)
MARGIN = 0.25                  # the map follows balls this far beyond the region (x its size)

# arrows at the ball: (name, label, colour); which ones a rule draws is in ``arrows``
ARROW_STYLE = {
    "step": ("Δv", "#000000"),
    "carried": ("μu (carried)", "#2ca02c"),
    "push": ("−η∇C (push)", "#d62728"),
    "ahead_push": ("−η∇C at look-ahead", "#d62728"),
    "downhill": ("−∇C direction", "#555555"),
    "m_hat": ("−m̂ direction", "#1f77b4"),
}


# where each arrow's label sits against its tip, so labels of one step do not overlap
LABEL_ANCHORS = {"step": (0, 0), "carried": (1, 1), "push": (0, 1), "ahead_push": (0, 1),
                 "downhill": (1, 0), "m_hat": (0, 1)}


def arrows(method: str, v: np.ndarray, dv: np.ndarray, grad: np.ndarray,
           state: Dict[str, np.ndarray]) -> List[Tuple[str, np.ndarray, np.ndarray]]:
    """(name, from, to) of the arrows that show what ``method`` did in one step: the
    step itself, and the parts or directions it was made of."""
    out = [("step", v, v + dv)]
    length = float(np.linalg.norm(dv))

    def direction(d):
        n = float(np.linalg.norm(d))
        return d / n * length if n > 0 and length > 0 else np.zeros_like(d)

    if method == "momentum" and "carried" in state:
        out += [("carried", v, v + state["carried"]),
                ("push", v + state["carried"], v + state["carried"] + state["push"])]
    elif method == "nesterov" and "ahead" in state:
        out += [("carried", v, state["ahead"]),
                ("ahead_push", state["ahead"], state["ahead"] + state["push"])]
    elif method in ("adagrad", "rmsprop", "newton"):
        out.append(("downhill", v, v + direction(-grad)))
    elif method == "adam" and "m_hat" in state:
        out += [("downhill", v, v + direction(-grad)),
                ("m_hat", v, v + direction(-state["m_hat"]))]
    return [(n, a, b) for n, a, b in out if np.all(np.isfinite(a)) and np.all(np.isfinite(b))]


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
        # the start: a ring under the balls (a ball at the start stays visible)
        self.start_item = pg.ScatterPlotItem(symbol="o", size=16, pen=pg.mkPen("k", width=2),
                                             brush=None)
        self.start_item.setZValue(1)
        pi.addItem(self.start_item)
        self.arrow_items = {}
        for name, (label, colour) in ARROW_STYLE.items():
            line = pg.PlotDataItem(pen=_pen(colour, 2.2, Qt.DashLine if name == "step"
                                            else Qt.SolidLine))
            head = pg.ArrowItem(headLen=11, tipAngle=35, brush=colour, pen=None)
            text = pg.TextItem(label, color=colour, anchor=LABEL_ANCHORS[name])
            for item in (line, head, text):
                item.setZValue(6)
                item.hide()
                pi.addItem(item)
            self.arrow_items[name] = (line, head, text)
        self.step_arrow, self.arrow_head = self.arrow_items["step"][:2]
        self.shown_arrows: List[str] = []
        self.trails: Dict[str, pg.PlotDataItem] = {}
        self.balls: Dict[str, pg.ScatterPlotItem] = {}
        self._fitted = None
        # every rule's line and ball made ahead, one rule per idle turn of the event loop:
        # trails that arrive for all eight rules at once then need only setData (making
        # the items is ~60 ms of the window's time for eight rules)
        self._spare: Dict[str, tuple] = {}
        self._spare_timer = QTimer(self)
        self._spare_timer.setInterval(2 * TURN_MS)     # (not in the same turn as a paint)
        self._spare_timer.timeout.connect(self._make_spare)
        follow_model(self)

    def _make_spare(self) -> None:
        """Make the items of one rule that has none yet (stop when all have them)."""
        for key in METHODS:
            if key not in self.trails and key not in self._spare:
                self._spare[key] = self._make_trail(key)
                return
        self._spare_timer.stop()

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
        if sync_trails(self, self.model.dim == 2, self._new_trail, self.plotItem.addItem,
                       self.plotItem.removeItem):
            self._fit_trails()
        if len(self.trails) + len(self._spare) < len(METHODS):
            self._spare_timer.start()
        # (the model's step_changed follows every new set of trails and draws them)

    def _new_trail(self, key: str):
        """(line, ball) for a rule: the ones made ahead if there are, else new ones."""
        spare = self._spare.pop(key, None)
        return spare if spare is not None else self._make_trail(key)

    def _make_trail(self, key: str):
        c = COLOURS[key]
        line = pg.PlotDataItem(pen=_pen(c, 2.2), symbol="o", symbolSize=3.5,
                               symbolPen=None, symbolBrush=c, name=METHODS[key].name)
        ball = pg.ScatterPlotItem(size=13, pen=pg.mkPen("w", width=1.5), brush=pg.mkBrush(c))
        line.setZValue(2)
        ball.setZValue(3)
        return line, ball

    def _fit_trails(self) -> None:
        """Show the plotted region and, around it, where the balls went: a ball thrown
        out by a large eta stays in sight (up to half the region's size beyond it).
        The view is set only when that extent changes, so zooming by hand is kept."""
        m = self.model
        (x0, x1), (y0, y1) = m.surface.domain
        target = [x0, x1, y0, y1]
        mx, my = MARGIN * (x1 - x0), MARGIN * (y1 - y0)
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
            set_trail(self.trails[key], v[:, 0], v[:, 1])
            self.balls[key].setData([v[-1, 0]], [v[-1, 1]])
        self._show_arrows(k)

    def _show_arrows(self, k: int) -> None:
        """The arrows of the step the readout describes (the last one at a trail's end)."""
        m = self.model
        t = m.trajectories.get(m.primary)
        wanted = []
        if t is not None and t.steps > 0 and t.v.shape[1:] == (2,):
            i = min(m.index(m.primary, k), t.steps - 1)
            with np.errstate(all="ignore"):
                wanted = arrows(m.primary, t.v[i], t.dv[i], t.grad[i], t.state_at(i))
        vb = self.plotItem.vb
        sx, sy = vb.viewPixelSize()
        self.shown_arrows = []
        for name, (line, head, text) in self.arrow_items.items():
            line.hide()
            head.hide()
            text.hide()
        for name, a, b in wanted:
            line, head, text = self.arrow_items[name]
            d = b - a
            if not (np.hypot(*d) > 0 and np.all(np.abs(b) < 1e6)):
                continue
            line.setData([a[0], b[0]], [a[1], b[1]])
            # ArrowItem's angle is in screen degrees; account for the axis scales
            angle = np.degrees(np.arctan2(-d[1] / sy, d[0] / sx))
            head.setStyle(angle=180 + angle)
            head.setPos(b[0], b[1])
            text.setPos(b[0], b[1])
            for item in (line, head):
                item.show()
            text.setVisible(name != "step" or len(wanted) > 1)
            self.shown_arrows.append(name)

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
        self.actual = pg.PlotDataItem(pen=pg.mkPen(ACTUAL_COLOUR, width=3.5), symbol="o",
                                      symbolSize=7, symbolBrush=ACTUAL_COLOUR, symbolPen=None)
        pi.addItem(self.actual)
        for item in (self.tangent, self.predicted, self.actual):
            item.setZValue(4)       # over the trails
        self.start_item = pg.ScatterPlotItem(symbol="o", size=18, pen=pg.mkPen("k", width=2),
                                             brush=None)
        self.start_item.setZValue(1)
        pi.addItem(self.start_item)
        self.trails: Dict[str, pg.PlotDataItem] = {}
        self.balls: Dict[str, pg.ScatterPlotItem] = {}
        self.home = ((0.0, 1.0), (0.0, 1.0))    # the curve's own x and y ranges
        self.fitted = None
        follow_model(self)

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
        self.home = ((x0, x1), (lo - pad, hi + pad))
        self.fitted = None
        self._fit([])
        self._show_start()

    def _fit(self, points) -> None:
        """Show the curve and, around it, the points of the step drawn (tangent, predicted
        and actual change), which matter most at a large eta: up to 1,000 times the
        curve's width and height beyond it. Set only when that extent changes."""
        (x0, x1), (y0, y1) = self.home
        w, h = x1 - x0, y1 - y0
        for x, y in points:
            if np.isfinite(x) and np.isfinite(y):
                x0 = min(x0, max(x, self.home[0][0] - 1000 * w))
                x1 = max(x1, min(x, self.home[0][1] + 1000 * w))
                y0 = min(y0, max(y, self.home[1][0] - 1000 * h))
                y1 = max(y1, min(y, self.home[1][1] + 1000 * h))
        target = (x0, x1, y0, y1)
        if self.fitted is None or not np.allclose(target, self.fitted, rtol=0, atol=1e-3 * w):
            self.fitted = target
            self.plotItem.vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)
            # the curve itself reaches as far as the view, where the balls went
            vs = np.linspace(x0, x1, 600) if (x0, x1) != self.home[0] else self.model.axes[0]
            with np.errstate(all="ignore"):
                c = np.broadcast_to(self.model.surface.value(vs), vs.shape).astype(float)
            self.curve.setData(vs, np.where(np.isfinite(c), c, np.nan), connect="finite")

    def _show_start(self) -> None:
        m = self.model
        if m.dim == 1:
            self.start_item.setData([m.start[0]], [m.surface.value_at(m.start)])

    def rebuild_trails(self) -> None:
        sync_trails(self, self.model.dim == 1, self._new_trail, self.plotItem.addItem,
                    self.plotItem.removeItem)
        # (the model's step_changed follows every new set of trails and draws them)

    def _new_trail(self, key: str):
        c = QColor(COLOURS[key])
        faint = QColor(c)
        faint.setAlpha(140)
        line = pg.PlotDataItem(pen=pg.mkPen(faint, width=1.2), symbol="o",
                               symbolSize=6, symbolPen=None, symbolBrush=faint)
        ball = pg.ScatterPlotItem(size=15, pen=pg.mkPen("w", width=1.5), brush=pg.mkBrush(c))
        line.setZValue(2)
        ball.setZValue(3)
        return line, ball

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
            set_trail(self.trails[key], v, c)
            self.balls[key].setData([v[-1]], [c[-1]])
        t = m.trajectories.get(m.primary)
        if t is not None and t.steps > 0 and t.v.shape[1:] == (1,):
            # the step the readout describes: the next one, or the last at the trail's end
            i = min(m.index(m.primary, k), t.steps - 1)
            v, c, g, dv = t.v[i, 0], t.C[i], t.grad[i, 0], t.dv[i, 0]
            (x0, x1), = m.surface.domain
            span = max(0.3 * (x1 - x0), 1.2 * abs(dv))
            xs = np.array([v - span, v + span])
            self.tangent.setData(xs, c + g * (xs - v))
            # along the tangent: the predicted change; the curve's own change in brown
            self.predicted.setData([v, v + dv], [c, c + t.predicted[i]])
            self.actual.setData([v + dv, v + dv], [c + t.predicted[i], c + t.actual[i]])
            self._fit([(v, c), (v + dv, c + t.predicted[i]), (v + dv, c + t.actual[i])])
        else:
            for item in (self.tangent, self.predicted, self.actual):
                item.setData([], [])

    def on_click(self, x: float, y: float) -> None:
        (x0, x1), = self.model.surface.domain
        if x0 <= x <= x1:
            self.model.set_start((x,))
