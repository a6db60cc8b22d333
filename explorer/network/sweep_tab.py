"""Tab 4 of the Real network panel: the learning-rate sweep.

Seven runs, eta = 0.01, 0.1, 1, 3, 10, 30, 100, from the same weights in the same
mini-batch order (``engine.lr_sweep``), trained side by side: their cost and accuracy
curves overlaid, each diverged run ended with a cross and each stuck one with a square,
the best eta named. Then the sharpness (the Hessian's largest eigenvalue,
``engine.sharpness``) of the starting weights and of each run's final weights, plotted
against eta with the line 2/eta above which a step overshoots.
"""

from __future__ import annotations

import math
from typing import Dict, Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from engine.lr_sweep import DEFAULT_ETAS
from engine.sharpness import EXPLANATION
from explorer.network.common import JobBar, plot, titled, wrap_label
from explorer.network.jobs import SweepSnapshot, sweep_job
from explorer.network.worker import JobWorker
from explorer.paint_turns import paint_in_turns

SWEEP_BUTTON = "Run the sweep"
STATE_SYMBOL = {"diverged": ("x", "#b00020"), "stuck": ("s", "#6a3d9a")}


def eta_colour(i: int, count: int) -> str:
    """Blue (small eta) to red (large eta)."""
    c = pg.colormap.get("plasma").map(0.05 + 0.85 * i / max(1, count - 1), mode="qcolor")
    return c.name()


class SweepTab(QWidget):
    """See the module's docstring. ``host`` is the panel (data, networks, settings)."""

    def __init__(self, host, parent=None):
        super().__init__(parent)
        self.host = host
        self.snapshot: Optional[SweepSnapshot] = None
        self.worker = JobWorker("sweep", self)
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(f"eta = {', '.join(f'{e:g}' for e in DEFAULT_ETAS)}; epochs:"))
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 10)
        self.epochs.setValue(1)
        row.addWidget(self.epochs)
        row.addWidget(QLabel("(m and the training images: the bar above)"))
        row.addStretch(1)
        lay.addLayout(row)
        self.bar = JobBar({SWEEP_BUTTON: self.run_sweep}, self.worker.cancel)
        self.bar.follow(self.worker, self._progress, self._finished, "The sweep failed",
                        "Cancelled: the curves so far stay.")
        lay.addWidget(self.bar)
        grid = QGridLayout()
        self.cost_plot = plot("epochs", "cost C (training sample)", legend=True)
        self.acc_plot = plot("epochs", "accuracy (training sample)")
        self.acc_plot.setYRange(0, 1)
        self.sharp_plot = plot("learning rate eta", "sharpness (largest Hessian eigenvalue)",
                               legend=True)
        self.sharp_plot.getPlotItem().setLogMode(x=True, y=True)
        grid.addWidget(titled("Cost, one curve per eta (× diverged, ■ stuck)", self.cost_plot),
                       0, 0)
        grid.addWidget(titled("Accuracy", self.acc_plot), 0, 1)
        etas = np.logspace(-2.2, 2.2, 60)
        self.limit_line = self.sharp_plot.plot(etas, 2.0 / etas, pen=pg.mkPen(
            "#b00020", width=2, style=Qt.DashLine), name="2/eta: the stability limit")
        self.sharp_points = self.sharp_plot.plot([], [], pen=None, symbol="o", symbolSize=10,
                                                 symbolBrush="#1f3fbf",
                                                 name="sharpness after training")
        self.start_line = pg.InfiniteLine(0.0, angle=0, pen=pg.mkPen("#555", style=Qt.DotLine),
                                          label="at the start", labelOpts={"position": 0.85})
        self.start_line.hide()
        self.sharp_plot.addItem(self.start_line)
        self.best = wrap_label("", "best-eta")
        self.states = wrap_label("", "sweep-states")
        self.explanation = wrap_label(EXPLANATION, "sharpness-explanation")
        side = QWidget()
        s_lay = QVBoxLayout(side)
        s_lay.addWidget(self.best)
        s_lay.addWidget(self.states)
        s_lay.addWidget(self.explanation)
        s_lay.addStretch(1)
        grid.addWidget(titled("Sharpness against 2/eta", self.sharp_plot), 1, 0)
        grid.addWidget(side, 1, 1)
        lay.addLayout(grid, 1)
        self.cost_curves: Dict[float, pg.PlotDataItem] = {}
        self.acc_curves: Dict[float, pg.PlotDataItem] = {}
        self.marks = pg.ScatterPlotItem(size=13, pxMode=True)
        self.marks.setZValue(5)
        self.cost_plot.addItem(self.marks)

    # ------------------------------------------------------------------ job
    def run_sweep(self) -> bool:
        inputs = self.host.job_inputs("The learning-rate sweep", self.bar, retry=self.run_sweep)
        if inputs is None:
            return False
        data, settings = inputs
        net, which = self.host.start_network()
        n = min(settings.subset, len(data.training.labels))
        epochs = self.epochs.value()
        if not self.worker.start("sweep", lambda: sweep_job(net, data, n,
                                                            settings.mini_batch_size, epochs,
                                                            seed=settings.seed)):
            return False
        self.clear()
        self.bar.set_running(True)
        self.bar.say(f"Training seven copies of {which} on {n:,} images (m = "
                     f"{settings.mini_batch_size}), side by side…")
        return True

    def _progress(self, tag, snap: SweepSnapshot) -> None:
        paint_in_turns(self.cost_plot, self.acc_plot, self.sharp_plot)
        self.bar.set_progress(snap.fraction)
        if snap.stage == "sharpness":
            self.bar.say("Measuring the sharpness of each run's final weights…")
        self.show_sweep(snap)

    def _finished(self, tag, snap: SweepSnapshot) -> None:
        self.show_sweep(snap)
        self.bar.say("Done.")

    # ------------------------------------------------------------------ drawing
    def clear(self) -> None:
        for curves, p in ((self.cost_curves, self.cost_plot), (self.acc_curves, self.acc_plot)):
            for c in curves.values():
                p.removeItem(c)
            curves.clear()
        legend = self.cost_plot.getPlotItem().legend
        if legend is not None:
            legend.clear()
        self.marks.setData([], [])
        self.sharp_points.setData([], [])
        self.start_line.hide()

    def show_sweep(self, snap: SweepSnapshot) -> None:
        self.snapshot = snap
        marks = []
        for i, eta in enumerate(snap.etas):
            points = snap.points.get(eta, [])
            colour = eta_colour(i, len(snap.etas))
            if eta not in self.cost_curves:
                self.cost_curves[eta] = self.cost_plot.plot(
                    [], [], pen=pg.mkPen(colour, width=2.2), name=f"eta = {eta:g}")
                self.acc_curves[eta] = self.acc_plot.plot([], [], pen=pg.mkPen(colour, width=2.2))
            x = np.array([p.epochs for p in points], float)
            cost = np.array([p.cost for p in points], float)
            acc = np.array([p.accuracy for p in points], float)
            ok = np.isfinite(cost)
            self.cost_curves[eta].setData(x[ok], cost[ok])
            self.acc_curves[eta].setData(x[ok], acc[ok])
            state = snap.states.get(eta, ("running", ""))[0]
            if state in STATE_SYMBOL and ok.any():
                symbol, c = STATE_SYMBOL[state]
                marks.append(dict(pos=(x[ok][-1], cost[ok][-1]), symbol=symbol,
                                  brush=pg.mkBrush(c), pen=pg.mkPen(c, width=2)))
        self.marks.setData(marks)
        self.best.setText(f"<b>{snap.best[1]}</b>" if snap.best else "")
        lines = []
        best_eta = snap.best[0] if snap.best else None
        for eta in snap.etas:
            state, note = snap.states.get(eta, ("running", ""))
            if state == "stuck" and best_eta is not None and eta < best_eta:
                # below the best eta "stuck" means slow, not saturated: say so
                note = (f"No better than guessing yet: eta = {eta:g} is too small to get far in "
                        f"{snap.epochs} epoch{'s' if snap.epochs != 1 else ''} (eta = "
                        f"{best_eta:g} does better).")
            if state != "running":
                lines.append(f"eta = {eta:g}: <b>{state}</b>. {note}")
        self.states.setText("<br>".join(lines))
        if snap.sharpness:
            lines.append("Sharpness after training: " + ", ".join(
                f"eta = {e:g}: {s:.3g}" if math.isfinite(s) else f"eta = {e:g}: diverged"
                for e, s in snap.sharpness) + " (values at or below 0 are not on the log plot: "
                "a saturated network's cost is flat).")
            self.states.setText("<br>".join(lines))
        pairs = [(e, s) for e, s in snap.sharpness if math.isfinite(s) and s > 0]
        if pairs:
            self.sharp_points.setData([e for e, _ in pairs], [s for _, s in pairs])
        if snap.initial_sharpness is not None and snap.initial_sharpness > 0:
            self.start_line.setValue(math.log10(snap.initial_sharpness))
            self.start_line.label.setFormat(f"at the start: {snap.initial_sharpness:.3g}")
            self.start_line.show()
        paint_in_turns(self.cost_plot, self.acc_plot, self.sharp_plot)
