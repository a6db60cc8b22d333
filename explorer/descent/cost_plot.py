"""The descent panel's cost-per-step plot: C against step for every rule.

Each curve stays readable whatever the others do. The view is fitted to the rules that
did not diverge; a diverged curve is drawn until it leaves the view and ends in a cross
with its name and step. On a log axis the values are C itself when every C shown is
positive, else C - min C (plus a small offset), so one rule reaching C <= 0 does not
take the log scale from the others. Values beyond the view are left out, never drawn
as a flat line at a cap.
"""

from __future__ import annotations

import html
import math
from typing import Dict, Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QLabel

from engine.optimizers import METHODS
from explorer.descent.model import COLOURS, DescentModel
from explorer.paint_turns import TURN_MS, forget, paint_in_turns, waiting

# From this many costs over all trails on, new trails are plotted in a turn of the event
# loop after they arrive: the other views take them (and paint) first, so the window
# never does both at once (8 x 5,000-step trails: ~10 ms here, ~20 ms for the rest).
# Fewer are plotted at once, on curves made ahead (the first 60 steps of 8 rules).
LATER = 1000


def peaks(y: np.ndarray, bins: int = 400):
    """(x, y) to draw for the values ``y`` at steps 0, 1, ...: all of them when few,
    else the lowest and highest of each of ``bins`` runs of steps (a 5,000-step noisy
    curve looks the same and paints ten times faster). NaN gaps stay gaps."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    if n <= 2 * bins:
        return np.arange(n, dtype=float), y
    w = -(-n // bins)
    rows = -(-n // w)
    blocks = np.full(rows * w, np.nan)
    blocks[:n] = y
    blocks = blocks.reshape(rows, w)
    finite = np.isfinite(blocks)
    i = np.where(finite, blocks, np.inf).argmin(axis=1)
    j = np.where(finite, blocks, -np.inf).argmax(axis=1)
    first, second = np.minimum(i, j), np.maximum(i, j)
    r = np.arange(rows)
    xs = np.stack([r * w + first, r * w + second], axis=1).ravel()
    ys = np.stack([blocks[r, first], blocks[r, second]], axis=1).ravel()
    keep = xs < n
    xs, ys = np.append(xs[keep], n - 1), np.append(ys[keep], y[-1])
    return xs.astype(float), ys


class CostPlot(pg.PlotWidget):
    """C against step for every rule, with a line at the step being shown.

    The y axis goes logarithmic by itself when C spans more than a factor 50; the
    ``log_box`` check box (shown beside the plot's title) overrides that choice."""

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(parent)
        self.model = model
        pi = self.plotItem
        pi.setLabel("bottom", "step")
        pi.setLabel("left", "C")
        pi.showGrid(x=True, y=True, alpha=0.15)
        pi.setMenuEnabled(False)
        pi.hideButtons()
        self.legend = QLabel()
        self.legend.setObjectName("cost-legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.RichText)
        pi.getAxis("left").enableAutoSIPrefix(False)
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen((0, 0, 0, 120), width=1))
        pi.addItem(self.cursor)
        self.curves: Dict[str, pg.PlotDataItem] = {}
        self.ends: Dict[str, pg.PlotDataItem] = {}
        self.labels: Dict[str, pg.TextItem] = {}
        self.empty = pg.TextItem("", color=(120, 120, 120), anchor=(0.5, 0.5))
        pi.addItem(self.empty)
        self.log_choice: Optional[bool] = None      # None: decided by the data
        self.log = False
        self.shift = 0.0                            # plotted value = C - shift
        self.view_y = (0.0, 1.0)                    # the y range shown (data units)
        self.log_box = QCheckBox("log scale")
        self.log_box.setObjectName("cost-log")
        self.log_box.setToolTip("Plot C on a logarithmic axis: equal drops by a factor look "
                                "equal. Where C reaches zero or below, C − min C is plotted.")
        self.log_box.toggled.connect(self._log_toggled)
        self._made: Dict[str, pg.PlotDataItem] = {}
        self._make_timer = QTimer(self)
        self._make_timer.setInterval(2 * TURN_MS)
        self._make_timer.timeout.connect(self._make_one)
        self._make_timer.start()
        model.trajectories_changed.connect(self._trails_changed)
        model.step_changed.connect(lambda k: self.cursor.setValue(k))
        self.rebuild()

    def _curve(self, key: str) -> pg.PlotDataItem:
        """The curve of rule ``key``: made ahead (or kept from before) if it was."""
        item = self._made.get(key)
        if item is None:
            item = self._made[key] = self.plotItem.plot(pen=pg.mkPen(COLOURS[key], width=2))
        return item

    def _make_one(self) -> None:
        """Make one rule's curve ahead, in an idle turn of the event loop: the first
        trails of all eight rules then need only setData (making eight curves at once
        took 11-17 ms of the window's time)."""
        if self.plotItem is None:              # closed meanwhile
            self._make_timer.stop()
            return
        for key in METHODS:
            if key not in self._made:
                self._curve(key)
                return
        self._make_timer.stop()

    def _drop(self, key: str) -> None:
        curve = self.curves.pop(key, None)
        if curve is not None:
            curve.setData([], [])           # kept (empty) for when the rule comes back
        for table in (self.ends, self.labels):
            item = table.pop(key, None)
            if item is not None:
                self.plotItem.removeItem(item)

    def _trails_changed(self) -> None:
        """Plot new trails: now when short; when long, in a turn of the event loop of its
        own, after the views that were changed before it have painted (``paint_in_turns``)."""
        if sum(len(t.C) for t in self.model.trajectories.values()) >= LATER:
            paint_in_turns(self.rebuild, self)      # held until then, painted a turn later
        else:
            self.rebuild()

    @property
    def pending(self) -> bool:
        """Whether new trails wait to be plotted (in a later turn of the event loop)."""
        return waiting(self.rebuild)

    def rebuild(self) -> None:
        forget(self.rebuild)
        if self.plotItem is None:              # closed before its turn came
            return
        m = self.model
        pi = self.plotItem
        for key in list(self.curves):
            if key not in m.trajectories:
                self._drop(key)
        finite = {k: t.C[np.isfinite(t.C) & (np.abs(t.C) < 1e300)]
                  for k, t in m.trajectories.items()}
        calm = [k for k, t in m.trajectories.items() if t.status != "diverged" and finite[k].size]
        base = calm or [k for k in finite if finite[k].size]
        values = np.concatenate([finite[k] for k in base]) if base else np.zeros(0)
        steps = max(1, m.max_step())
        if values.size == 0:
            for key in list(self.curves):
                self._drop(key)
            self.empty.setText("C is not defined along these trails." if m.trajectories
                               else "")
            self.empty.setPos(steps / 2, 0.5)
            pi.setLogMode(y=False)
            pi.setXRange(0, steps, padding=0.02)
            pi.setYRange(0, 1, padding=0)
            self.legend.setText("")
            return
        self.empty.setText("")
        lo, hi = float(values.min()), float(values.max())
        positive = lo > 0
        self.shift = 0.0 if positive else lo - max(hi - lo, 1e-12) * 1e-3
        shifted_lo = lo - self.shift
        auto = (hi - self.shift) / max(shifted_lo, 1e-300) > 50
        self.log = auto if self.log_choice is None else self.log_choice
        self.log_box.blockSignals(True)
        self.log_box.setChecked(self.log)
        self.log_box.blockSignals(False)
        if self.log:
            top = (hi - self.shift) * 3
            bottom = max(shifted_lo, (hi - self.shift) * 1e-12) / 2
            self.view_y = (bottom, top)
        else:
            pad = 0.06 * (hi - lo or 1.0)
            self.view_y = (lo - pad, hi + pad)
        pi.setLogMode(y=False)          # data below are already in the axis' units
        for key, t in m.trajectories.items():
            if key not in self.curves:
                self.curves[key] = self._curve(key)
            y = self._plotted(t.C)
            # long curves without antialiasing: a noisy 5,000-step curve paints 3x faster
            self.curves[key].setData(*peaks(y), connect="finite", antialias=len(y) <= 400)
            gone = t.status == "diverged" or (t.C.size and not np.isfinite(y[-1]))
            self._mark(key, t, y, gone)
        if self.log:
            pi.setLogMode(y=True)
            pi.setLabel("left", "C (log scale)" if positive else
                        f"C − ({self.shift:.4g}) (log scale)")
        else:
            pi.setLabel("left", "C")
        pi.setXRange(0, steps, padding=0.02)
        y0, y1 = self.view_y
        if self.log:
            pi.setYRange(math.log10(y0), math.log10(y1), padding=0)
        else:
            pi.setYRange(y0, y1, padding=0)
        self.cursor.setValue(m.step)
        self.legend.setText(" &nbsp; ".join(
            f"<span style='color:{COLOURS[k]}; font-size:large'>━</span>&nbsp;"
            f"{html.escape(METHODS[k].name)}" for k in m.methods if k in m.trajectories))

    def _plotted(self, c: np.ndarray) -> np.ndarray:
        """The values drawn for costs ``c``: shifted for the log axis, and NaN (a gap,
        not a flat line) beyond the view."""
        y = np.asarray(c, dtype=float) - self.shift
        y0, y1 = self.view_y
        with np.errstate(invalid="ignore"):
            outside = ~np.isfinite(y) | (y > y1 + (y1 - y0)) | (self.log & (y <= 0))
        return np.where(outside, np.nan, y)

    def _mark(self, key: str, t, y: np.ndarray, gone: bool) -> None:
        """A cross and a label where a diverged curve leaves the view."""
        if not gone:
            self._drop_mark(key)
            return
        ok = np.flatnonzero(np.isfinite(y))
        last = int(ok[-1]) if ok.size else 0
        top = self.view_y[1]
        yy = min(float(y[last]), top) if ok.size else top
        if key not in self.ends:
            self.ends[key] = self.plotItem.plot(pen=None, symbol="x", symbolSize=12,
                                                symbolPen=pg.mkPen(COLOURS[key], width=2.5),
                                                symbolBrush=None)
            self.labels[key] = pg.TextItem(color=COLOURS[key], anchor=(0, 1))
            self.plotItem.addItem(self.labels[key])
        self.ends[key].setData([last], [yy])
        self.labels[key].setText(f"{METHODS[key].name} diverged (step {t.steps})")
        self.labels[key].setPos(last, math.log10(yy) if self.log and yy > 0 else yy)

    def _drop_mark(self, key: str) -> None:
        for table in (self.ends, self.labels):
            item = table.pop(key, None)
            if item is not None:
                self.plotItem.removeItem(item)

    def _log_toggled(self, on: bool) -> None:
        self.log_choice = on
        self.rebuild()
