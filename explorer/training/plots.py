"""The training panel's live plots, and the bounded series that feed them.

A run of 1,000 epochs at m = 10 makes five million mini-batch costs. ``BoundedSeries``
keeps at most ``capacity`` points whatever arrives: each stored point is the mean of
``stride`` raw points, and when the store fills up, neighbouring pairs are averaged
and the stride doubles. Old and new points alike end up at the same resolution, memory
stays fixed, and every redraw draws at most ``capacity`` points.

Plot items are made once; new data goes in with ``setData``.
"""

from __future__ import annotations

from itertools import accumulate
from typing import List, Optional, Tuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

MAX_MARKERS = 40
MARKER_LABEL_ROWS = (0.92, 0.80, 0.68)   # successive markers' labels, so close ones don't overlap
MIN_ACCURACY_SPAN = 2.0                  # percentage points the accuracy axis shows at least
EPOCH_PLOTS = ("epoch-cost", "epoch-accuracy")
EMPTY_EPOCHS = (0.5, 10.5)               # the epoch axis before the first epoch ends
REDRAW_INTERVAL_MS = 250     # plots redraw at most 4 times a second while data streams in
# (every repaint also costs a composition of the whole window when it holds an OpenGL
# view, as the descent panel's; with software OpenGL that costs more than the drawing)


class BoundedSeries:
    """(x, y) points, at most ``capacity`` of them, merged pairwise as more arrive."""

    def __init__(self, capacity: int = 2000):
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number of at least 2")
        self.capacity = capacity
        self._x = np.empty(capacity)
        self._y = np.empty(capacity)
        self.n = 0             # stored points
        self.stride = 1        # raw points per stored point
        self.raw_count = 0     # raw points received in all
        self._px = self._py = 0.0     # sums of the raw points of the unfinished bin
        self._pk = 0

    def clear(self) -> None:
        self.n = 0
        self.stride = 1
        self.raw_count = 0
        self._px = self._py = 0.0
        self._pk = 0

    def extend(self, xs, ys) -> None:
        xs = np.asarray(xs, dtype=np.float64).ravel()
        ys = np.asarray(ys, dtype=np.float64).ravel()
        if len(xs) != len(ys):
            raise ValueError("x and y must have the same length")
        self.raw_count += len(xs)
        while len(xs):
            s = self.stride
            if self._pk:                       # finish the bin left open last time
                need = s - self._pk
                k = min(need, len(xs))
                self._px += float(xs[:k].sum())
                self._py += float(ys[:k].sum())
                self._pk += k
                xs, ys = xs[k:], ys[k:]
                if self._pk < s:
                    return
                self._store(np.array([self._px / s]), np.array([self._py / s]))
                self._px = self._py = 0.0
                self._pk = 0
                continue
            bins = min(len(xs) // s, self.capacity - self.n)
            if bins:
                k = bins * s
                self._store(xs[:k].reshape(bins, s).mean(axis=1),
                            ys[:k].reshape(bins, s).mean(axis=1))
                xs, ys = xs[k:], ys[k:]
            elif len(xs) < s:                  # too few for a bin: keep their sums
                self._px = float(xs.sum())
                self._py = float(ys.sum())
                self._pk = len(xs)
                return

    def _store(self, bx: np.ndarray, by: np.ndarray) -> None:
        k = len(bx)
        self._x[self.n:self.n + k] = bx
        self._y[self.n:self.n + k] = by
        self.n += k
        if self.n == self.capacity:            # full: average pairs, double the stride
            half = self.capacity // 2
            self._x[:half] = self._x[:self.capacity].reshape(half, 2).mean(axis=1)
            self._y[:half] = self._y[:self.capacity].reshape(half, 2).mean(axis=1)
            self.n = half
            self.stride *= 2

    def data(self) -> Tuple[np.ndarray, np.ndarray]:
        """Copies of the points to draw (the open bin's mean last, if any)."""
        x, y = self._x[:self.n], self._y[:self.n]
        if self._pk:
            x = np.append(x, self._px / self._pk)
            y = np.append(y, self._py / self._pk)
        else:
            x, y = x.copy(), y.copy()
        return x, y

    def last(self) -> Optional[Tuple[float, float]]:
        x, y = self.data()
        return (x[-1], y[-1]) if len(x) else None

    def nbytes(self) -> int:
        return self._x.nbytes + self._y.nbytes


class Smoother:
    """An exponential moving average of the mini-batch cost, carried across chunks."""

    def __init__(self):
        self.value: Optional[float] = None

    def clear(self) -> None:
        self.value = None

    def apply(self, costs: np.ndarray, alpha: float) -> np.ndarray:
        """s_i = (1 - alpha) s_{i-1} + alpha c_i over ``costs``, continuing the last chunk."""
        costs = np.asarray(costs, dtype=np.float64)
        if not len(costs):
            return costs
        alpha = float(min(max(alpha, 1e-6), 1.0))
        keep = 1.0 - alpha
        prev = float(costs[0]) if self.value is None else self.value
        # accumulate runs the recurrence in C, calling the lambda: ~0.1 us a point.
        out = np.fromiter(accumulate(costs.tolist(), lambda s, c: keep * s + alpha * c,
                                     initial=prev), dtype=np.float64, count=len(costs) + 1)[1:]
        self.value = float(out[-1])
        return out


class DottedCurve(pg.PlotCurveItem):
    """A line with a round dot at each point, drawn in one ``drawPoints`` call.

    pyqtgraph's ``symbol="o"`` puts a ScatterPlotItem beside the curve, whose ``setData``
    and range updates run a lot of Python: at each epoch's end the four epoch curves kept
    the window from answering for 60-110 ms while training ran. A cosmetic pen with
    round caps draws the same dots for almost nothing."""

    DOT = 5

    def __init__(self, color, name: str):
        super().__init__(pen=pg.mkPen(color, width=1), name=name, skipFiniteCheck=True)
        self._dot_pen = QPen(QColor(*color))
        self._dot_pen.setWidthF(self.DOT)
        self._dot_pen.setCapStyle(Qt.RoundCap)
        self._dot_pen.setCosmetic(True)
        self._dots = None                 # the points as a QPolygonF, made once per data

    def updateData(self, *args, **kargs):   # noqa: N802 (pyqtgraph's name)
        super().updateData(*args, **kargs)
        self._dots = None

    def paint(self, p, opt, widget):
        super().paint(p, opt, widget)
        if self._dots is None:
            x, y = self.getData()
            if x is None or not len(x):
                return
            self._dots = pg.functions.create_qpolygonf(len(x))
            pts = pg.functions.ndarray_from_qpolygonf(self._dots)
            pts[:, 0], pts[:, 1] = x, y
        p.setPen(self._dot_pen)
        p.drawPoints(self._dots)

    def pixelPadding(self) -> float:
        return max(super().pixelPadding(), self.DOT / 2 + 1)


def _nice_ceil(v: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is >= v."""
    if v <= 0:
        return 1.0
    k = 10.0 ** np.floor(np.log10(v))
    for f in (1.0, 2.0, 5.0, 10.0):
        if f * k >= v:
            return f * k
    return 10.0 * k


def _whole(spacing: float) -> float:
    """A tick spacing of whole epochs: 1, 2, 5, 10, 20, 50, ... (at least 1)."""
    if spacing <= 1:
        return 1.0
    return _nice_ceil(spacing)


class EpochAxis(pg.AxisItem):
    """An epoch axis: ticks and labels at whole epochs only (never 0.6, 1.4 or 2.5)."""

    def tickSpacing(self, minVal, maxVal, size):   # noqa: N802 (pyqtgraph's name)
        levels = super().tickSpacing(minVal, maxVal, size) or [(1.0, 0.0)]
        major = _whole(levels[0][0])
        out = [(major, 0.0)]
        if len(levels) > 1 and levels[1][0] >= 1 and _whole(levels[1][0]) < major:
            out.append((_whole(levels[1][0]), 0.0))
        return out

    def tickStrings(self, values, scale, spacing):   # noqa: N802
        return [f"{v * scale:.0f}" for v in values]


class ValueAxis(pg.AxisItem):
    """A y axis whose tick labels fit beside its title: at most 4 significant digits
    (fixed width, see ``LEFT_AXIS_WIDTH``), and on a log scale labels at the powers of
    ten only (at 1, 2 and 5 times them when the axis spans less than two decades)."""

    def tickStrings(self, values, scale, spacing):   # noqa: N802
        if self.logMode:
            return self.logTickStrings(values, scale, spacing)
        places = max(0, int(np.ceil(-np.log10(spacing * scale)))) if spacing > 0 else 0
        out = []
        for v in values:
            t = f"{v * scale:.{min(places, 4)}f}"
            if len(t) > 6:
                t = f"{v * scale:.3g}"
            out.append(t)
        return out

    def logTickStrings(self, values, scale, spacing):   # noqa: N802
        values = [float(v) for v in values]
        decades = [v for v in values if abs(v - round(v)) < 1e-9]
        out = []
        for v in values:
            x = 10.0 ** v * scale
            if abs(v - round(v)) < 1e-9:
                out.append(f"{x:g}")
            else:
                mant = round(10.0 ** (v - np.floor(v)))
                out.append(f"{x:.1g}" if len(decades) < 2 and mant in (2, 5) else "")
        return out


LEFT_AXIS_WIDTH = 72     # the title plus the widest tick label ("0.0025", "100")


def _titled(plot: pg.PlotWidget, title: str, name: str, parent: QWidget) -> QWidget:
    """The plot with a title row holding a "Save PNG…" button."""
    box = QWidget(parent)
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    row = QHBoxLayout()
    label = QLabel(f"<b>{title}</b>")
    row.addWidget(label)
    row.addStretch(1)
    button = QToolButton()
    button.setText("Save PNG…")
    button.setObjectName(f"save-png-{name}")
    button.setToolTip(f"Save the plot '{title}' as a PNG image")
    row.addWidget(button)
    lay.addLayout(row)
    lay.addWidget(plot, 1)
    box.save_button = button
    return box


class TrainingPlots(QWidget):
    """Three plots: mini-batch cost (raw and smoothed) against examples seen; per epoch,
    training and test cost; per epoch, training and test accuracy."""

    COLORS = {"train": (31, 119, 180), "test": (214, 39, 40), "raw": (160, 160, 160),
              "smooth": (240, 140, 30), "marker": (148, 103, 189)}

    def __init__(self, parent=None, capacity: int = 2000, auto_redraw: bool = True):
        """``auto_redraw=False``: new data is only stored; the owner calls ``redraw_now``
        (the training panel redraws plots and status line together, one repaint)."""
        super().__init__(parent)
        self.auto_redraw = auto_redraw
        self.batch_raw = BoundedSeries(capacity)
        self.batch_smooth = BoundedSeries(capacity)
        self.train_cost = BoundedSeries(capacity)
        self.test_cost = BoundedSeries(capacity)
        self.train_acc = BoundedSeries(capacity)
        self.test_acc = BoundedSeries(capacity)
        self.smoother = Smoother()
        self._markers: List[Tuple[pg.InfiniteLine, ...]] = []
        self._marker_serial = -1          # markers added since the last clear

        c = self.COLORS
        self.batch_plot = pg.PlotWidget(axisItems={"left": ValueAxis("left")})
        self.batch_plot.setObjectName("plot-batch-cost")
        bp = self.batch_plot.getPlotItem()
        bp.setLabel("bottom", "examples seen")
        bp.setLabel("left", "cost")
        # No grid here: its many antialiased lines cost more than the curves (~10 ms a frame).
        bp.addLegend(offset=(-10, 10))
        self.raw_curve = bp.plot([], [], pen=pg.mkPen(c["raw"], width=1), name="mini-batch cost",
                                 skipFiniteCheck=True, antialias=False)
        self.smooth_curve = bp.plot([], [], pen=pg.mkPen(c["smooth"], width=1), name="smoothed",
                                    skipFiniteCheck=True)

        self.cost_plot = pg.PlotWidget(axisItems={"left": ValueAxis("left"),
                                                  "bottom": EpochAxis("bottom")})
        self.cost_plot.setObjectName("plot-epoch-cost")
        cp = self.cost_plot.getPlotItem()
        cp.setLabel("bottom", "epoch")
        cp.setLabel("left", "cost")
        cp.showGrid(x=False, y=True, alpha=0.12)
        cp.addLegend(offset=(-10, 10))
        self.train_cost_curve = DottedCurve(c["train"], "training")
        cp.addItem(self.train_cost_curve)
        self.test_cost_curve = DottedCurve(c["test"], "test")
        cp.addItem(self.test_cost_curve)

        self.acc_plot = pg.PlotWidget(axisItems={"left": ValueAxis("left"),
                                                 "bottom": EpochAxis("bottom")})
        self.acc_plot.setObjectName("plot-epoch-accuracy")
        ap = self.acc_plot.getPlotItem()
        ap.setLabel("bottom", "epoch")
        ap.setLabel("left", "accuracy", units="%")
        ap.showGrid(x=False, y=True, alpha=0.12)
        ap.addLegend(offset=(-10, -10))
        # At least 2 percentage points tall: a run stuck at 10.28% test and 10.35% training
        # accuracy must not look like two far-apart lines.
        ap.getViewBox().setLimits(minYRange=MIN_ACCURACY_SPAN)
        self.train_acc_curve = DottedCurve(c["train"], "training")
        ap.addItem(self.train_acc_curve)
        self.test_acc_curve = DottedCurve(c["test"], "test")
        ap.addItem(self.test_acc_curve)
        for p in (bp, cp, ap):
            p.setMenuEnabled(True)
            p.getViewBox().setMouseEnabled(x=True, y=False)
            p.getAxis("left").setWidth(LEFT_AXIS_WIDTH)   # no relayout when the labels change
            for side in ("left", "bottom"):     # nor when a scale prefix ("x0.001") would
                p.getAxis(side).enableAutoSIPrefix(False)
        self._xlim = 0.0
        self._epoch_xlim = {"epoch-cost": 0.0, "epoch-accuracy": 0.0}
        self._dirty = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self.redraw_now)

        self.plots = {"batch-cost": (self.batch_plot, "Mini-batch cost"),
                      "epoch-cost": (self.cost_plot, "Cost per epoch"),
                      "epoch-accuracy": (self.acc_plot, "Accuracy per epoch")}
        boxes = {}
        for name, (plot, title) in self.plots.items():
            boxes[name] = _titled(plot, title, name, self)
            boxes[name].save_button.clicked.connect(lambda _=False, n=name: self.save_png_dialog(n))
        self.save_buttons = {n: b.save_button for n, b in boxes.items()}
        # The first mini-batches cost far more than the rest; a log axis shows both.
        self.log_button = QToolButton()
        self.log_button.setObjectName("log-cost")
        self.log_button.setText("log scale")
        self.log_button.setCheckable(True)
        self.log_button.setToolTip("Show the mini-batch cost on a logarithmic axis")
        self.log_button.toggled.connect(lambda on: bp.setLogMode(x=False, y=on))
        row = boxes["batch-cost"].layout().itemAt(0).layout()
        row.insertWidget(row.count() - 1, self.log_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(boxes["batch-cost"], 3)
        row = QHBoxLayout()
        row.addWidget(boxes["epoch-cost"], 1)
        row.addWidget(boxes["epoch-accuracy"], 1)
        lay.addLayout(row, 2)
        self._reset_ranges()

    def _reset_ranges(self) -> None:
        """Empty plots show neutral axes (cost 0-1, accuracy 0-100%, epochs 1 to 10),
        not the last run's."""
        for plot, yrange in ((self.batch_plot, (0.0, 1.0)), (self.cost_plot, (0.0, 1.0)),
                             (self.acc_plot, (0.0, 100.0))):
            vb = plot.getPlotItem().getViewBox()
            vb.setRange(xRange=(0.0, 1.0), yRange=yrange, padding=0.02)
            vb.enableAutoRange()
            if plot is not self.batch_plot:
                vb.setXRange(*EMPTY_EPOCHS, padding=0)

    # ------------------------------------------------------------------ data in
    def clear(self) -> None:
        for s in (self.batch_raw, self.batch_smooth, self.train_cost, self.test_cost,
                  self.train_acc, self.test_acc):
            s.clear()
        self.smoother.clear()
        for items in self._markers:
            for plot, item in zip((self.batch_plot, self.cost_plot, self.acc_plot), items):
                plot.removeItem(item)
        self._markers.clear()
        self._marker_serial = -1
        self._dirty = {"batches", *EPOCH_PLOTS}
        self.redraw_now()
        self._reset_ranges()

    def add_batches(self, examples: np.ndarray, costs: np.ndarray, batches_per_epoch: int) -> None:
        """New mini-batch costs; the smoothing spans about a tenth of an epoch (10 to 200
        mini-batches), so online and full-batch learning both get a readable line."""
        if not len(costs):
            return
        span = min(200.0, max(10.0, batches_per_epoch / 10.0)) if batches_per_epoch > 1 else 1.0
        smooth = self.smoother.apply(costs, 2.0 / (span + 1.0))
        self.batch_raw.extend(examples, costs)
        self.batch_smooth.extend(examples, smooth)
        self._schedule("batches")

    def add_epochs(self, results) -> None:
        if not results:
            return
        ep = np.array([r.epoch for r in results], dtype=np.float64)

        def put(series, values, scale=1.0):
            keep = [i for i, v in enumerate(values) if v is not None and np.isfinite(v)]
            if keep:
                series.extend(ep[keep], np.array([values[i] for i in keep]) * scale)

        put(self.train_cost, [r.train_cost for r in results])
        put(self.test_cost, [r.test_cost for r in results])
        put(self.train_acc, [r.train_accuracy for r in results], 100.0)
        put(self.test_acc, [r.test_accuracy for r in results], 100.0)
        self._schedule(*EPOCH_PLOTS)

    def add_marker(self, examples: float, epoch: float, text: str) -> None:
        """Mark a change of eta or m on all three plots (the oldest go beyond MAX_MARKERS)."""
        pen = pg.mkPen(self.COLORS["marker"], width=1, style=Qt.DashLine)
        items = []
        self._marker_serial += 1
        row = MARKER_LABEL_ROWS[self._marker_serial % len(MARKER_LABEL_ROWS)]
        for plot, x in ((self.batch_plot, examples), (self.cost_plot, epoch),
                        (self.acc_plot, epoch)):
            line = pg.InfiniteLine(pos=x, angle=90, pen=pen, movable=False,
                                   label=text if plot is self.batch_plot else None,
                                   labelOpts={"position": row, "color": self.COLORS["marker"],
                                              "fill": (255, 255, 255, 200)})
            plot.addItem(line)
            items.append(line)
        self._markers.append(tuple(items))
        while len(self._markers) > MAX_MARKERS:
            old = self._markers.pop(0)
            for plot, item in zip((self.batch_plot, self.cost_plot, self.acc_plot), old):
                plot.removeItem(item)

    @property
    def marker_count(self) -> int:
        return len(self._markers)

    def _schedule(self, *what: str) -> None:
        """Data arrived: redraw soon, at most every REDRAW_INTERVAL_MS (drawing is the
        window's main cost, and it shares Python's GIL with the training thread)."""
        self._dirty.update(what)
        if self.auto_redraw and not self._timer.isActive():
            self._timer.start()

    @property
    def dirty(self) -> bool:
        return bool(self._dirty)

    def redraw_now(self, only: Optional[str] = None) -> None:
        """Push the stored data into the plot items (they repaint on the next frame).
        ``only``: "batches", "epochs" (both epoch plots), or one of EPOCH_PLOTS."""
        if only is None:
            self._timer.stop()
        wanted = {None: {"batches", *EPOCH_PLOTS}, "epochs": set(EPOCH_PLOTS)}.get(only, {only})
        for what in [w for w in ("batches", *EPOCH_PLOTS) if w in wanted & self._dirty]:
            self._dirty.discard(what)
            if what == "batches":
                self._redraw_batches()
            else:
                self._redraw_epochs(what)

    def _redraw_batches(self) -> None:
        x, y = self.batch_raw.data()
        self.raw_curve.setData(x, y)
        self.smooth_curve.setData(*self.batch_smooth.data())
        # The x axis grows in steps (1, 2, 5 x 10^k) rather than with every refresh, so
        # its ticks and labels are not laid out and drawn again on every frame.
        vb = self.batch_plot.getPlotItem().getViewBox()
        if not len(x):
            self._xlim = 0.0
            vb.enableAutoRange(x=True)
        elif x[-1] > self._xlim:
            self._xlim = _nice_ceil(x[-1] * 1.05)
            vb.setXRange(0, self._xlim, padding=0.02)

    def _redraw_epochs(self, which: str) -> None:
        """One epoch plot ("epoch-cost" or "epoch-accuracy"); both share the x range."""
        if which == "epoch-cost":
            plot, pairs = self.cost_plot, ((self.train_cost_curve, self.train_cost),
                                           (self.test_cost_curve, self.test_cost))
        else:
            plot, pairs = self.acc_plot, ((self.train_acc_curve, self.train_acc),
                                          (self.test_acc_curve, self.test_acc))
        for curve, series in pairs:
            curve.setData(*series.data())
        last = max([s.last()[0] for s in (self.train_cost, self.test_cost, self.train_acc,
                                          self.test_acc) if s.last()] or [0.0])
        vb = plot.getPlotItem().getViewBox()
        if last <= 0:
            self._epoch_xlim[which] = 0.0
            vb.setXRange(*EMPTY_EPOCHS, padding=0)
        elif last > self._epoch_xlim[which]:                # x grows in 1-2-5 steps
            self._epoch_xlim[which] = lim = _nice_ceil(last)
            lo, hi = (0.5, lim + 0.5) if lim <= 10 else (0.0, lim * 1.02)
            vb.setXRange(lo, hi, padding=0)

    def fit_batches(self) -> None:
        """Fit the mini-batch plot's x range to the data (a run ended: the steps in which
        the range grows while data streams in would leave part of it empty)."""
        self.redraw_now(only="batches")
        x, _ = self.batch_raw.data()
        if len(x):
            self._xlim = float(x[-1])
            self.batch_plot.getPlotItem().getViewBox().setXRange(0, float(x[-1]),
                                                                 padding=0.02)

    # ------------------------------------------------------------------ PNG
    def save_png(self, name: str, path: str) -> bool:
        plot = self.plots[name][0]
        return plot.grab().save(path, "PNG")

    def save_png_dialog(self, name: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, f"Save {self.plots[name][1]} as PNG",
                                              f"{name}.png", "PNG images (*.png)")
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        if not self.save_png(name, path):
            QMessageBox.warning(self, "Save PNG", f"Could not write {path}.")
