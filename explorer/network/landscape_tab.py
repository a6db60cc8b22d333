"""Tab 1 of the Real network panel: the landscape with its path.

The cost of the real network on a plane through weight space, drawn by the descent
panel's own ``Surface3DView`` and ``ContourView`` from a ``PlaneModel``; the SGD path of
the panel's training run projected onto the plane as the ball's trail (start ringed,
end at the ball and marked +). A sentence says how far the path lies from the plane.
Beside it, Goodfellow et al.'s straight line: the training and test cost at
w(alpha) = (1 - alpha) w_initial + alpha w_final for alpha from -0.5 to 1.5.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer.descent.contour import ContourView
from explorer.gl_check import opengl_available
from explorer.network.common import JobBar, plot, titled, wrap_label
from explorer.network.jobs import LandscapeSnapshot, landscape_job
from explorer.network.model import LandscapeSettings, PlaneModel
from explorer.network.worker import JobWorker
from explorer.paint_turns import paint_in_turns

PATH_BUTTON = "Landscape of the training path"
PAD_BUTTON = "Landscape around the pad's network"


class LandscapeTab(QWidget):
    """See the module's docstring. ``host`` is the panel (data, networks, the run)."""

    def __init__(self, host, parent=None):
        super().__init__(parent)
        self.host = host
        self.plane = PlaneModel()
        self.result: LandscapeSnapshot | None = None
        self.worker = JobWorker("landscape", self)

        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Directions:"))
        self.directions = QComboBox()
        self.directions.addItem("top two PCA directions of the path", "pca")
        self.directions.addItem("two random filter-normalised directions", "random")
        row.addWidget(self.directions)
        row.addWidget(QLabel("Images:"))
        self.sample = QSpinBox()
        self.sample.setRange(100, 60_000)
        self.sample.setSingleStep(1000)
        self.sample.setValue(2000)
        self.sample.setToolTip("How many images the cost is averaged over at each grid point")
        row.addWidget(self.sample)
        row.addWidget(QLabel("Cost on:"))
        self.cost_on = QComboBox()
        self.cost_on.addItem("training images", "training")
        self.cost_on.addItem("test images", "test")
        row.addWidget(self.cost_on)
        row.addWidget(QLabel("Grid:"))
        self.points = QSpinBox()
        self.points.setRange(11, 61)
        self.points.setSingleStep(2)
        self.points.setValue(31)
        self.points.setSuffix(" × same")
        row.addWidget(self.points)
        row.addStretch(1)
        lay.addLayout(row)
        self.bar = JobBar({PATH_BUTTON: self.draw_path, PAD_BUTTON: self.draw_pad},
                          self.worker.cancel)
        self.bar.follow(self.worker, self._progress, self._finished,
                        "The landscape could not be computed", "Cancelled.")
        self.bar.buttons[PAD_BUTTON].setToolTip(
            "Two random filter-normalised directions through the pad's network (it has no path "
            "here); the directions choice is for the training path")
        lay.addWidget(self.bar)

        self.gl_ok, self.gl_reason = opengl_available()
        self.view3d = None
        if self.gl_ok:
            try:
                from explorer.descent.view3d import Surface3DView
                self.view3d = Surface3DView(self.plane)
                self.view3d.setToolTip("Drag to turn, wheel to zoom.")
                # the descent view names its axes v1, v2: here they are a and b
                for old_name, new_name in (("v1", "a"), ("v2", "b")):
                    label = getattr(self.view3d, "axis_labels", {}).get(old_name)
                    if label is not None:
                        label.setData(text=new_name)
            except Exception as exc:  # pragma: no cover - depends on the machine
                self.gl_ok, self.gl_reason = False, f"The 3-D view failed to start: {exc}"
        self.contour = ContourView(self.plane)
        self.contour.setBackground("w")
        self.contour.setToolTip("The cost on the plane; red: the SGD path projected onto it. "
                                "Wheel zooms; drag pans.")
        self.contour.plotItem.setLabel("bottom", "a (along d1)")
        self.contour.plotItem.setLabel("left", "b (along d2)")
        views = QSplitter(Qt.Horizontal)
        views.setChildrenCollapsible(False)
        self.no_gl_message = None
        if self.view3d is not None:
            views.addWidget(titled("Cost surface C(w0 + a d1 + b d2)", self.view3d.container))
        else:
            self.no_gl_message = wrap_label(
                f"<b>3-D view unavailable.</b> {html.escape(self.gl_reason)} The contour "
                f"map shows the same surface.", "no-gl-message")
            self.no_gl_message.setStyleSheet(
                "background:#fff4d6; border:1px solid #e0c060; padding:6px; color:#5a4500;")
        views.addWidget(titled("Contour map: the path's start ringed, its end at the ball (+)",
                               self.contour))
        self.line_plot = plot("alpha (0: initial weights, 1: final weights)", "cost C",
                              legend=True)
        self.train_line = self.line_plot.plot([], [], pen=pg.mkPen("#1f3fbf", width=2.5),
                                              name="training cost")
        self.test_line = self.line_plot.plot([], [], pen=pg.mkPen("#d62728", width=2.5,
                                                                   style=Qt.DashLine),
                                             name="test cost")
        for alpha, text in ((0.0, "start"), (1.0, "end")):
            self.line_plot.addItem(pg.InfiniteLine(alpha, angle=90, pen=pg.mkPen("#888"),
                                                   label=text, labelOpts={"position": 0.9}))
        views.addWidget(titled("The straight line from the initial to the final weights",
                               self.line_plot))
        views.setSizes([450, 450, 350])
        if self.no_gl_message is not None:
            lay.addWidget(self.no_gl_message)
        lay.addWidget(views, 1)
        self.note = wrap_label("Train in the bar above, then draw the landscape of its path; or "
                               "draw the landscape around the pad's network at once.",
                               "projection-note")
        lay.addWidget(self.note)

    # ------------------------------------------------------------------ settings
    def settings(self) -> LandscapeSettings:
        return LandscapeSettings(self.directions.currentData(), self.sample.value(),
                                 self.cost_on.currentData(), self.points.value() | 1)

    # ------------------------------------------------------------------ jobs
    def draw_path(self) -> bool:
        """The landscape of the panel's last training run, with its path."""
        run = self.host.last_run
        if run is None or run.path is None or run.net is None:
            self.bar.say("Train first (the bar above): the path is recorded while it trains.",
                         "warning")
            return False
        if len(run.path) < 3:
            self.bar.say("The run recorded fewer than three points: train a little longer.",
                         "warning")
            return False
        return self._start("path", run.net.copy(), run.path, self.settings())

    def draw_pad(self) -> bool:
        """The landscape around the pad's network, along two random directions."""
        net = self.host.pad_network()
        if net is None:
            self.bar.say("The pad has no network to look at.", "warning")
            return False
        s = self.settings()
        return self._start("pad", net, None, LandscapeSettings("random", s.sample, s.cost_on,
                                                               s.points, s.seed))

    def _start(self, tag, net, path, settings: LandscapeSettings) -> bool:
        problem = settings.check()
        if problem:
            self.bar.say(problem, "error")
            return False
        data = self.host.require_data(
            "The landscape", retry=lambda: self._start(tag, net, path, settings))
        if data is None:
            self.bar.say(self.host.needs_text, "warning")
            return False
        if not self.worker.start(tag, lambda: landscape_job(net, data, settings, path)):
            return False
        self.bar.set_running(True)
        self.bar.say("Finding the plane…")
        return True

    def _progress(self, tag, snap: LandscapeSnapshot) -> None:
        paint_in_turns(self.line_plot, self.contour)     # the status line may move them
        self.bar.set_progress(snap.fraction)
        if snap.stage == "plane":
            self.bar.say("Finding the plane…")
        elif snap.stage == "grid":
            self.bar.say(f"Computing the cost on the grid: row {snap.rows_done} of {snap.rows} "
                         f"({snap.sample_size:,} {snap.cost_on} images a point)…")
        elif snap.stage == "line":
            self.bar.say("The cost along the straight line from the initial to the final "
                         "weights…")

    def _finished(self, tag, snap: LandscapeSnapshot) -> None:
        self.show_result(snap, tag)
        self.bar.say(f"Done: a {len(snap.a_values)} × {len(snap.b_values)} grid on "
                     f"{snap.sample_size:,} {snap.cost_on} images.")

    # ------------------------------------------------------------------ drawing
    def show_result(self, snap: LandscapeSnapshot, tag: str = "path") -> None:
        self.result = snap
        self.plane.show(snap.a_values, snap.b_values, snap.cost, snap.coords, snap.path_costs)
        self.note.setText(self.describe(snap, tag))
        if snap.line:
            alphas = np.array([p.alpha for p in snap.line])
            self.train_line.setData(alphas, np.array([p.train_cost for p in snap.line]))
            test = [p.test_cost for p in snap.line]
            if all(t is not None for t in test):
                self.test_line.setData(alphas, np.array(test, dtype=float))
            else:
                self.test_line.setData([], [])
        else:
            self.train_line.setData([], [])
            self.test_line.setData([], [])
        paint_in_turns(self.line_plot, self.contour)

    def describe(self, snap: LandscapeSnapshot, tag: str) -> str:
        on = f"{snap.sample_size:,} {snap.cost_on} images"
        if snap.coords is None:
            return (f"The cost of the pad's network on a plane through its "
                    f"{self.host.pad_parameters():,}-dimensional weight space (the book's "
                    f"784-30-10 has 23,860 weights and biases), along two random "
                    f"filter-normalised directions: a = 1 changes every unit's weights by as "
                    f"much as their own length. At the centre (0, 0) C = {snap.center_cost:.4f}, "
                    f"the network's own cost on {on}. No path: the pad's network was not "
                    f"trained here.")
        if snap.kind == "pca":
            d1, d2 = (100 * snap.explained).tolist()
            where = (f"The plane of the path's two main directions (d1 holds {d1:.1f}% of its "
                     f"variance, d2 {d2:.1f}%)")
        else:
            where = "Two random filter-normalised directions through the final weights"
        return (f"{where}; cost on {on}. The red trail is the SGD path projected onto the "
                f"plane: <b>the path does not lie exactly in it.</b> "
                f"{html.escape(snap.projection_text, quote=False)} The heights along the trail are the "
                f"plane's cost at the projected points; C at the end (0, 0) is "
                f"{snap.center_cost:.4f}.")
