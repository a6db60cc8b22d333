"""Tab 2 of the Real network panel: dC ~ grad C . dw on the real network.

During the panel's training run a ``LinearityProbe`` measures, every so many
mini-batches, the real change of the cost on 500 fixed probe images over one step and
the change predicted by the gradient, grad C . dw. Three plots, against the step
(mini-batch) number: the two changes, their ratio coloured by the descent panel's
verdicts (``engine.verdict``: green when the prediction holds), with the textbook step
-eta grad C's ratio in grey, and the angle between the step and -grad C. A sentence says
what the readings show.
"""

from __future__ import annotations

import math
from typing import List

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from engine.probe import ProbeReading
from engine.verdict import COLOURS, GOOD_RATIO
from explorer.network.common import plot, titled, wrap_label
from explorer.paint_turns import paint_in_turns

RATIO_RANGE = (-1.0, 3.0)     # the ratio plot's y range (uphill readings can be far out)


def summary(readings: List[ProbeReading], saturated: bool = False) -> str:
    """One paragraph for the learner on what the readings show. The textbook step's
    ratio is judged on the readings where a step really moved C (its predicted change at
    least 1% of the largest): once the network has saturated, steps change C by next to
    nothing and every prediction holds trivially. ``saturated``: the run ended no better
    than guessing."""
    if not readings:
        return ("Train in the bar above: every few dozen mini-batches the probe measures how "
                "much C really changed over one step and how much grad C . dw predicted.")
    eta = readings[-1].eta
    words = [r.verdict.word for r in readings]
    good = words.count("good")
    sizes = np.array([abs(r.gd_predicted) for r in readings], dtype=float)
    top = float(np.nanmax(sizes)) if np.isfinite(sizes).any() else 0.0
    moving = [r for r, size in zip(readings, sizes)
              if math.isfinite(r.gd_ratio) and size >= 0.01 * top]
    gd_med = float(np.median([r.gd_ratio for r in moving])) if moving else math.nan
    angle = float(np.nanmedian([r.angle for r in readings]))
    text = (f"At eta = {eta:g}: {good} of {len(readings)} readings hold (green). For the "
            f"textbook step -eta grad C the median actual/predicted is {gd_med:.3f} (over "
            f"{len(moving)} reading{'s' if len(moving) != 1 else ''} where a step moved C): ")
    if math.isfinite(gd_med) and GOOD_RATIO[0] <= gd_med <= GOOD_RATIO[1]:
        text += ("<b>the approximation holds</b>: on the scale of one step the cost of 23,860 "
                 "variables is as straight as the book's one-variable picture.")
    elif math.isfinite(gd_med) and gd_med > 0:
        text += ("<b>the approximation weakens</b>: the cost bends within one step, so C "
                 "falls by a different amount than predicted.")
    else:
        text += ("<b>the approximation breaks</b>: the step is so long that C rises although "
                 "the prediction said it would fall.")
    if saturated:
        text += (" <b>The network saturated</b> (it ends no better than guessing): its sigmoid "
                 "units are pinned near 0 or 1, so later steps hardly change C and their "
                 "predictions hold trivially. A too-large eta did that in the first steps.")
    text += (f" The mini-batch's own step lies {angle:.0f}° from -grad C of the probe images "
             f"(90°: across the slope): with m = {readings[-1].mini_batch_size} a step is "
             f"mostly noise, and its ratio scatters. Try eta = 0.01, 3 and 30 to see the "
             f"approximation hold, weaken and break.")
    return text


class ProbeTab(QWidget):
    """The probe's readings; ``show_readings(list)`` draws them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        grid = QGridLayout()
        self.change_plot = plot("step (mini-batch)", "change of C over one step", legend=True)
        self.predicted_line = self.change_plot.plot(
            [], [], pen=pg.mkPen("#555555", width=1.5), symbol="t1", symbolSize=6,
            symbolBrush="#555555", symbolPen=None, name="predicted grad C · Δw")
        # one item per verdict, each of one colour: per-point brushes made pyqtgraph spend
        # 100 ms on the window's thread for 120 points
        self.actual_points = self._by_verdict(self.change_plot, 7)
        self.change_plot.getPlotItem().legend.addItem(self.actual_points["good"],
                                                      "actual ΔC (verdict colour)")
        self.ratio_plot = plot("step (mini-batch)", "actual / predicted", legend=True)
        band = pg.LinearRegionItem(GOOD_RATIO, orientation="horizontal", movable=False,
                                   brush=pg.mkBrush(27, 126, 27, 40), pen=pg.mkPen(None))
        self.ratio_plot.addItem(band)
        self.ratio_plot.addItem(pg.InfiniteLine(1.0, angle=0, pen=pg.mkPen("#1b7e1b",
                                                                           style=Qt.DashLine)))
        self.gd_points = pg.PlotDataItem([], [], pen=None, symbol="+", symbolSize=8,
                                         symbolPen=pg.mkPen("#777", width=1.5))
        self.ratio_plot.addItem(self.gd_points)
        self.ratio_points = self._by_verdict(self.ratio_plot, 8)
        legend = self.ratio_plot.getPlotItem().legend
        legend.addItem(self.ratio_points["good"], "SGD step (verdict colour)")
        legend.addItem(self.gd_points, "textbook step −η∇C")
        self.ratio_plot.setYRange(*RATIO_RANGE)
        self.angle_plot = plot("step (mini-batch)", "angle between Δw and −∇C (°)")
        self.angle_plot.addItem(pg.InfiniteLine(90.0, angle=0, pen=pg.mkPen("#888",
                                                                            style=Qt.DashLine)))
        self.angle_points = self.angle_plot.plot([], [], pen=pg.mkPen("#1f3fbf", width=1.5),
                                                 symbol="o", symbolSize=4,
                                                 symbolBrush="#1f3fbf", symbolPen=None)
        self.angle_plot.setYRange(0, 180)
        grid.addWidget(titled("Actual and predicted change of C over one step (probe images)",
                              self.change_plot), 0, 0)
        grid.addWidget(titled("Ratio actual/predicted: green band 0.9–1.1, the prediction holds",
                              self.ratio_plot), 0, 1)
        grid.addWidget(titled("Angle between the step and −∇C", self.angle_plot), 1, 0)
        key = wrap_label(" ".join(f"<span style='color:{c}'>■ {w}</span>"
                                  for w, c in COLOURS.items()), "verdict-key")
        self.summary = wrap_label(summary([]), "probe-summary")
        side = QWidget()
        s_lay = QVBoxLayout(side)
        s_lay.addWidget(key)
        s_lay.addWidget(self.summary)
        s_lay.addStretch(1)
        grid.addWidget(side, 1, 1)
        lay.addLayout(grid, 1)
        self.readings: List[ProbeReading] = []
        self.saturated = False
        self._stale = False

    @staticmethod
    def _by_verdict(plot_widget, size: int):
        items = {}
        for word, colour in COLOURS.items():
            item = pg.PlotDataItem([], [], pen=None, symbol="o", symbolSize=size,
                                   symbolBrush=colour, symbolPen=None)
            item.setZValue(3)
            plot_widget.addItem(item)
            items[word] = item
        return items

    def show_readings(self, readings: List[ProbeReading], saturated: bool = False) -> None:
        """Draw the readings (at once if the tab is shown, else when it is)."""
        if len(readings) == len(self.readings) and saturated == self.saturated and (
                not readings or readings[-1] is self.readings[-1]):
            return
        self.readings = list(readings)
        self.saturated = saturated
        self._stale = True
        if self.isVisible():
            self._draw()

    def showEvent(self, event) -> None:       # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self._draw()

    def _draw(self) -> None:
        self._stale = False
        readings, saturated = self.readings, self.saturated
        x = np.array([r.update for r in readings], dtype=float)
        actual = np.array([r.actual for r in readings], dtype=float)
        predicted = np.array([r.predicted for r in readings], dtype=float)
        ratio = np.clip(np.nan_to_num(np.array([r.ratio for r in readings], float), nan=0.0),
                        *RATIO_RANGE)
        words = np.array([r.verdict.word for r in readings])
        self.predicted_line.setData(x, predicted)
        for word in COLOURS:
            pick = words == word
            self.actual_points[word].setData(x[pick], actual[pick])
            self.ratio_points[word].setData(x[pick], ratio[pick])
        gd = np.array([r.gd_ratio for r in readings], dtype=float)
        ok = np.isfinite(gd)
        self.gd_points.setData(x[ok], np.clip(gd[ok], *RATIO_RANGE))
        self.angle_points.setData(x, np.array([r.angle for r in readings], dtype=float))
        self.summary.setText(summary(readings, saturated))
        paint_in_turns(self.change_plot, self.ratio_plot, self.angle_plot)
