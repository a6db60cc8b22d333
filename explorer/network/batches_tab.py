"""Tab 3 of the Real network panel: why mini-batches.

* the gradient agreement: for m = 1, 10, 100, 1000, the cosine between a mini-batch's
  gradient and the full gradient (mean, with the 10th-90th percentile spread) and the
  relative error ||g_m - G|| / ||G|| (mean +- standard deviation, and what the noise
  predicts, sqrt(tr(Sigma) / (m |G|^2)));
* the batch-size race: cost against examples processed or against seconds (a switch),
  for m = 1, 10, 100 and the full batch from the same weights, and the book's n/m
  sentence (``tradeoff_text``);
* the gradient noise scale B during the panel's training run, with the run's m marked.
"""

from __future__ import annotations

from typing import Dict, Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QVBoxLayout, QWidget

from engine.batch_noise import tradeoff_text
from explorer.network.common import JobBar, plot, titled, wrap_label
from explorer.network.jobs import AgreementSnapshot, RaceSnapshot, agreement_job, race_job
from explorer.network.worker import JobWorker
from explorer.paint_turns import paint_in_turns

RACE_COLOURS = {"m = 1": "#9467bd", "m = 10": "#d62728", "m = 100": "#2ca02c",
                "full batch": "#1f3fbf"}
AGREE_BUTTON = "Measure gradient agreement"
RACE_BUTTON = "Run the batch-size race"


class BatchesTab(QWidget):
    """See the module's docstring. ``host`` is the panel (data, networks, settings)."""

    def __init__(self, host, parent=None):
        super().__init__(parent)
        self.host = host
        self.agreement: Optional[AgreementSnapshot] = None
        self.race: Optional[RaceSnapshot] = None
        self.worker = JobWorker("batches", self)
        lay = QVBoxLayout(self)
        self.bar = JobBar({AGREE_BUTTON: self.measure_agreement, RACE_BUTTON: self.run_race},
                          self.worker.cancel)
        self.bar.follow(self.worker, self._progress, self._finished,
                        "The experiment failed", "Cancelled.")
        lay.addWidget(self.bar)
        grid = QGridLayout()
        # agreement: cosine and relative error against m
        self.cos_plot = plot("mini-batch size m", "cosine(g_m, G)", log_x=True)
        self.cos_plot.setYRange(-0.1, 1.05)
        self.cos_spread = pg.ErrorBarItem(pen=pg.mkPen("#1f3fbf", width=1.5), beam=0.08)
        self.cos_plot.addItem(self.cos_spread)
        self.cos_points = self.cos_plot.plot([], [], pen=pg.mkPen("#1f3fbf", width=2),
                                             symbol="o", symbolBrush="#1f3fbf", symbolSize=8)
        self.err_plot = plot("mini-batch size m", "||g_m − G|| / ||G||", log_x=True, legend=True)
        self.err_spread = pg.ErrorBarItem(pen=pg.mkPen("#d62728", width=1.5), beam=0.08)
        self.err_plot.addItem(self.err_spread)
        self.err_points = self.err_plot.plot([], [], pen=pg.mkPen("#d62728", width=2),
                                             symbol="o", symbolBrush="#d62728", symbolSize=8,
                                             name="measured (mean ± sd)")
        self.err_predicted = self.err_plot.plot([], [], pen=pg.mkPen("#555", width=1.5,
                                                                      style=Qt.DashLine),
                                                name="predicted √(tr Σ / m|G|²)")
        agree = QWidget()
        a_lay = QGridLayout(agree)
        a_lay.setContentsMargins(0, 0, 0, 0)
        a_lay.addWidget(self.cos_plot, 0, 0)
        a_lay.addWidget(self.err_plot, 0, 1)
        self.agree_note = wrap_label("", "agreement-note")
        a_lay.addWidget(self.agree_note, 1, 0, 1, 2)
        grid.addWidget(titled("How well does a mini-batch estimate the gradient? (bars: 10th–90th "
                              "percentile of the cosine)", agree), 0, 0)
        # the race
        self.race_axis = QComboBox()
        self.race_axis.addItem("against examples processed", "examples")
        self.race_axis.addItem("against seconds", "seconds")
        self.race_axis.currentIndexChanged.connect(lambda _i: self._draw_race())
        self.race_plot = plot("training examples processed", "cost C (2,000 training images)",
                              legend=True)
        self.race_curves: Dict[str, pg.PlotDataItem] = {}
        race = QWidget()
        r_lay = QVBoxLayout(race)
        r_lay.setContentsMargins(0, 0, 0, 0)
        r_lay.addWidget(self.race_plot, 1)
        self.tradeoff = wrap_label("", "tradeoff-text")
        r_lay.addWidget(self.tradeoff)
        grid.addWidget(titled("The batch-size race: many rough steps or one exact step?", race,
                              self.race_axis), 0, 1)
        # the noise scale during training
        self.noise_plot = plot("training examples processed", "noise scale B = tr Σ / |G|²")
        self.noise_plot.getPlotItem().setLogMode(x=False, y=True)
        self.noise_curve = self.noise_plot.plot([], [], pen=pg.mkPen("#9467bd", width=2),
                                                symbol="o", symbolSize=4, symbolBrush="#9467bd",
                                                symbolPen=None)
        self.m_line = pg.InfiniteLine(1.0, angle=0, pen=pg.mkPen("#d62728", width=2,
                                                                 style=Qt.DashLine),
                                      label="your m", labelOpts={"position": 0.1,
                                                                 "color": "#d62728"})
        self.noise_plot.addItem(self.m_line)
        self.noise_note = wrap_label("The noise scale appears while the bar above trains.",
                                     "noise-note")
        noise = QWidget()
        n_lay = QVBoxLayout(noise)
        n_lay.setContentsMargins(0, 0, 0, 0)
        n_lay.addWidget(self.noise_plot, 1)
        n_lay.addWidget(self.noise_note)
        grid.addWidget(titled("The gradient noise scale during training (McCandlish et al. "
                              "2018)", noise), 1, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        lay.addLayout(grid, 1)

    # ------------------------------------------------------------------ jobs
    def measure_agreement(self) -> bool:
        return self._start("agreement")

    def run_race(self) -> bool:
        return self._start("race")

    def _start(self, tag: str) -> bool:
        inputs = self.host.job_inputs("The mini-batch experiments", self.bar,
                                      retry=lambda: self._start(tag))
        if inputs is None:
            return False
        data, settings = inputs
        # the agreement at the trained weights (if any); the race from the start, as in the book
        net, which = (self.host.experiment_network() if tag == "agreement"
                      else self.host.start_network())
        n = min(settings.subset, len(data.training.labels))
        if tag == "agreement":
            started = self.worker.start(tag, lambda: agreement_job(net, data, n,
                                                                   seed=settings.seed))
            what = f"Comparing mini-batch gradients with the full gradient over {n:,} images"
        else:
            started = self.worker.start(tag, lambda: race_job(net, data, n, settings.eta,
                                                              seed=settings.seed))
            what = (f"Racing m = 1, 10, 100 and the full batch over {n:,} images "
                    f"(eta = {settings.eta:g})")
        if not started:
            self.bar.say("One experiment at a time: cancel the running one first.", "warning")
            return False
        self.bar.set_running(True)
        self.bar.say(f"{what}, at {which}…")
        if tag == "race":
            self.tradeoff.setText(tradeoff_text(n, settings.mini_batch_size))
        return True

    def _progress(self, tag, snap) -> None:
        self.bar.set_progress(snap.fraction)
        self._show(tag, snap)

    def _finished(self, tag, snap) -> None:
        self._show(tag, snap)
        self.bar.say("Done.")

    def _show(self, tag, snap) -> None:
        paint_in_turns(self.cos_plot, self.err_plot, self.race_plot, self.noise_plot)
        if tag == "agreement":
            self.show_agreement(snap)
        else:
            self.show_race(snap)

    # ------------------------------------------------------------------ drawing
    def show_agreement(self, snap: AgreementSnapshot) -> None:
        self.agreement = snap
        rows = snap.rows
        if not rows:
            for item in (self.cos_points, self.err_points, self.err_predicted):
                item.setData([], [])
            return
        m = np.array([r.m for r in rows], dtype=float)
        lx = np.log10(m)          # the error bars live in the log-x plot's own coordinates
        cos = np.array([r.cosine_mean for r in rows])
        self.cos_points.setData(m, cos)
        self.cos_spread.setData(x=lx, y=cos, top=np.array([r.cosine_p90 for r in rows]) - cos,
                                bottom=cos - np.array([r.cosine_p10 for r in rows]))
        err = np.array([r.error_mean for r in rows])
        sd = np.array([r.error_std for r in rows])
        self.err_points.setData(m, err)
        self.err_spread.setData(x=lx, y=err, top=sd, bottom=sd)
        self.err_predicted.setData(m, np.array([r.error_predicted for r in rows]))
        text = ", ".join(f"m = {r.m}: cosine {r.cosine_mean:.2f}, error {r.error_mean:.2f}"
                         for r in rows)
        self.agree_note.setText(
            f"{text}. The error shrinks like 1/√m: averaging m independent guesses divides "
            f"their variance by m. Over {snap.n:,} images.")

    def show_race(self, snap: RaceSnapshot) -> None:
        self.race = snap
        self._draw_race()

    def _draw_race(self) -> None:
        snap = self.race
        if snap is None:
            return
        by = self.race_axis.currentData()
        self.race_plot.getPlotItem().setLabel(
            "bottom", "training examples processed" if by == "examples" else
            "seconds of training")
        for label, points in snap.runs.items():
            curve = self.race_curves.get(label)
            if curve is None:
                colour = RACE_COLOURS.get(label, "#444")
                curve = self.race_plot.plot([], [], pen=pg.mkPen(colour, width=2.2), symbol="o",
                                            symbolSize=5, symbolBrush=colour, symbolPen=None,
                                            name=label)
                self.race_curves[label] = curve
            x = [p.examples if by == "examples" else p.seconds for p in points]
            curve.setData(np.array(x, float), np.array([p.cost for p in points], float))

    def show_noise(self, readings, m: int) -> None:
        """The run's noise-scale readings, and its mini-batch size ``m`` as a line."""
        self.m_line.setValue(np.log10(max(m, 1)))
        self.m_line.label.setFormat(f"your m = {m}")
        if not readings:
            self.noise_curve.setData([], [])
            return
        x = np.array([r.examples_seen for r in readings], float)
        b = np.array([r.noise_scale for r in readings], float)
        ok = np.isfinite(b) & (b > 0)
        self.noise_curve.setData(x[ok], b[ok])
        if ok.any():
            last = b[ok][-1]
            side = "far below" if m < last / 10 else ("below" if m < last else "above")
            self.noise_note.setText(
                f"B is now about {last:,.0f}: the mini-batch size at which a step's noise is as "
                f"large as its signal. Your m = {m} is {side} it"
                + (": each step is mostly noise, and a larger m would help almost linearly."
                   if m < last else ": extra examples in a mini-batch are mostly wasted.")
                + " B grows as training proceeds and the true gradient shrinks.")
