"""The Descent panel: a ball rolling down a cost surface by v -> v - eta grad C.

Layout: the 3-D surface and its contour map side by side (or the curve C(v) in the
one-variable mode), the controls in a side panel, and below them the readout (C, grad C,
the step, predicted against actual change) and the cost-per-step plot of every rule.
Without OpenGL the 3-D view is replaced by a message saying why, and the contour map
does the work.
"""

from __future__ import annotations

import html
import math
import time
from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine.optimizers import METHODS
from explorer.descent.contour import ContourView, CurveView
from explorer.descent.controls import DescentControls
from explorer.descent.model import COLOURS, FORMULA, DescentModel
from explorer.gl_check import opengl_available


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.4g}"
    return f"{x:.3e}"


def _vec(v) -> str:
    return "(" + ", ".join(_fmt(float(x)) for x in np.atleast_1d(v)) + ")"


class CostPlot(pg.PlotWidget):
    """C against step for every rule, with a line at the step being shown.

    The y axis goes logarithmic by itself when C spans more than a factor 50; the
    ``log_box`` check box (shown beside the plot's title) overrides that choice. A log
    scale needs C > 0, so the box is off and disabled where C reaches zero or below."""

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(parent)
        self.model = model
        pi = self.plotItem
        pi.setLabel("bottom", "step")
        pi.setLabel("left", "C")
        pi.showGrid(x=True, y=True, alpha=0.15)
        pi.setMenuEnabled(False)
        pi.hideButtons()
        # the legend sits above the plot, not on it: inside, it hid the curves it names
        self.legend = QLabel()
        self.legend.setObjectName("cost-legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.RichText)
        pi.getAxis("left").enableAutoSIPrefix(False)
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen((0, 0, 0, 120), width=1))
        pi.addItem(self.cursor)
        self.curves = {}
        self.log_choice: Optional[bool] = None      # None: decided by the data
        self.log_box = QCheckBox("log scale")
        self.log_box.setObjectName("cost-log")
        self.log_box.toggled.connect(self._log_toggled)
        model.trajectories_changed.connect(self.rebuild)
        model.step_changed.connect(lambda k: self.cursor.setValue(k))
        self.rebuild()

    def rebuild(self) -> None:
        m = self.model
        for key in list(self.curves):
            if key not in m.trajectories:
                self.plotItem.removeItem(self.curves.pop(key))
        positive = all(np.all(t.C[np.isfinite(t.C)] > 0) for t in m.trajectories.values())
        spread = [t.C[np.isfinite(t.C)] for t in m.trajectories.values()]
        spread = np.concatenate(spread) if spread else np.zeros(0)
        auto = bool(positive and spread.size and spread.max() / max(spread.min(), 1e-300) > 50)
        log = positive and (auto if self.log_choice is None else self.log_choice)
        self.log_box.blockSignals(True)
        self.log_box.setChecked(log)
        self.log_box.setEnabled(positive)
        self.log_box.setToolTip(
            "Plot C on a logarithmic axis: equal drops by a factor look equal." if positive
            else "C reaches zero or below here, which a logarithmic axis cannot show.")
        self.log_box.blockSignals(False)
        # a log axis shows 12 decades below the start at most: 1e-30 says no more than 1e-12
        start = max((float(t.C[0]) for t in m.trajectories.values()
                     if np.isfinite(t.C[0])), default=1.0)
        floor = abs(start) * 1e-12 if log else -1e12
        for key, t in m.trajectories.items():
            if key not in self.curves:
                self.curves[key] = self.plotItem.plot(pen=pg.mkPen(COLOURS[key], width=2))
            # below the floor the line leaves the plot (a flat line there would look
            # like a run that stalled)
            c = np.where(t.C < floor, np.nan, np.minimum(t.C, 1e12))
            self.curves[key].setData(np.arange(len(c)), c, connect="finite")
        self.plotItem.setLogMode(y=log)
        self.plotItem.setLabel("left", "C (log scale)" if log else "C")
        self.plotItem.enableAutoRange()
        self.cursor.setValue(m.step)
        self.legend.setText(" &nbsp; ".join(
            f"<span style='color:{COLOURS[k]}; font-size:large'>━</span>&nbsp;"
            f"{html.escape(METHODS[k].name)}" for k in m.methods if k in m.trajectories))

    def _log_toggled(self, on: bool) -> None:
        self.log_choice = on
        self.rebuild()


class Readout(QLabel):
    """The numbers of the readout rule at the step shown, and how the race stands."""

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.setObjectName("readout")
        self.setTextFormat(Qt.RichText)
        self.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.setMinimumWidth(480)
        model.step_changed.connect(self.refresh)
        model.trajectories_changed.connect(self.refresh)
        self.refresh()

    def verdict(self, predicted: float, actual: float, scale: float = 1.0) -> str:
        if abs(predicted) <= 1e-12 * max(1.0, abs(scale)):
            return ("<span style='color:#555'>The changes are down at rounding level: "
                    "the ball has stopped moving.</span>")
        ratio = actual / predicted
        if actual > 0:
            return ("<span style='color:#b00020'><b>C went up.</b> The step overshot: "
                    "eta is too large for this slope.</span>")
        if 0.9 <= ratio <= 1.1:
            return ("<span style='color:#1b7e1b'>Prediction holds (actual/predicted = %.2f): "
                    "the step is small enough for ∇C·Δv to be a good guide.</span>" % ratio)
        return ("<span style='color:#b35c00'>Actual/predicted = %.2f: the linear "
                "approximation is breaking down; a smaller eta keeps it honest.</span>" % ratio)

    def refresh(self, *_):
        m = self.model
        t = m.trajectories.get(m.primary)
        if t is None:
            self.setText("<i>Tick an update rule to see the ball roll.</i>")
            return
        shown = m.index(m.primary)
        i = shown
        name = METHODS[m.primary].name
        colour = COLOURS[m.primary]
        head = (f"<b style='color:{colour}'>● {html.escape(name)}</b> &nbsp; step {i} of "
                f"{t.steps}")
        rows = [("v", _vec(t.v[i])), ("C(v)", _fmt(float(t.C[i]))),
                ("∇C", _vec(t.grad[i])), ("|∇C|", _fmt(float(np.linalg.norm(t.grad[i]))))]
        verdict = ""
        if i == t.steps and i > 0:   # at the end of the trail: the step that came here
            i -= 1
            rows.append(("", f"<i>last step, {i} → {i + 1}:</i>"))
        if i < t.steps:
            rows.append(("Δv", _vec(t.dv[i])))
            rows.append(("|Δv|", _fmt(float(np.linalg.norm(t.dv[i])))))
            rows.append(("predicted ΔC = ∇C·Δv", _fmt(float(t.predicted[i]))))
            rows.append(("actual ΔC", _fmt(float(t.actual[i]))))
            verdict = self.verdict(float(t.predicted[i]), float(t.actual[i]), float(t.C[0]))
        table = "".join(f"<tr><td style='color:#555; padding-right:8px'>{k}</td>"
                        f"<td><tt>{v}</tt></td></tr>" for k, v in rows)
        status = ""
        if t.message and shown >= t.steps:
            colour_msg = "#b00020" if t.status in ("diverged", "domain", "singular") else "#1b7e1b"
            status = f"<p style='color:{colour_msg}'><b>{html.escape(t.message)}</b></p>"
        race = []
        for key, tr in m.trajectories.items():
            j = m.index(key)
            flag = {"diverged": " — diverged", "domain": " — left the domain",
                    "singular": " — stopped", "converged": " — at rest"}.get(tr.status, "")
            flag = flag if j >= tr.steps and tr.status != "ok" else ""
            race.append(f"<span style='color:{COLOURS[key]}'>●</span> "
                        f"{html.escape(METHODS[key].name)}: C = {_fmt(float(tr.C[j]))}{flag}")
        skipped = [METHODS[k].name for k in m.methods if k not in m.trajectories]
        note = ""
        if skipped:
            note = (f"<br><span style='color:#777'>{', '.join(skipped)}: needs the Hessian, "
                    f"not available for this function.</span>")
        self.setText(
            f"<table width='100%' cellspacing='0' cellpadding='0'><tr>"
            f"<td valign='top' style='padding-right:14px'>{head}"
            f"<table cellspacing='0'>{table}</table></td>"
            f"<td valign='top'>{verdict}{status}"
            f"<p style='color:#333'><b>At this step</b><br>{'<br>'.join(race)}{note}</p>"
            f"</td></tr></table>")


class DescentPanel(QWidget):
    """Tab 1: gradient descent on a surface, step by step."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.model = DescentModel()
        self.gl_ok, self.gl_reason = opengl_available()

        # ---- views: 3-D + contour (two variables) or the curve (one variable)
        self.view3d = None
        two = QSplitter(Qt.Horizontal)
        two.setChildrenCollapsible(False)
        if self.gl_ok:
            try:
                from explorer.descent.view3d import Surface3DView
                self.view3d = Surface3DView(self.model)
            except Exception as exc:  # pragma: no cover - depends on the machine
                self.gl_ok, self.gl_reason = False, f"The 3-D view failed to start: {exc}"
        self.contour = ContourView(self.model)
        if self.view3d is not None:
            # the view is a native child window (QOpenGLWindow); its container goes in
            self.reset_camera_button = QPushButton("Reset camera")
            self.reset_camera_button.setToolTip("Back to the starting view of the 3-D surface")
            self.reset_camera_button.clicked.connect(self.view3d.reset_camera)
            two.addWidget(self._titled("Cost surface C(v1, v2) — black arrow: −∇C at the ball; "
                                       "drag to turn, wheel to zoom",
                                       self.view3d.container, self.reset_camera_button))
            two.addWidget(self._titled("Contour map — click to start the ball", self.contour))
            two.setSizes([500, 500])
            self.no_gl_message = None
            two_widget = two
        else:
            self.no_gl_message = QLabel(
                f"<b>3-D view unavailable.</b> {html.escape(self.gl_reason)} "
                f"The contour map below shows the same surface.")
            self.no_gl_message.setObjectName("no-gl-message")
            self.no_gl_message.setWordWrap(True)
            self.no_gl_message.setStyleSheet(
                "background:#fff4d6; border:1px solid #e0c060; padding:6px; color:#5a4500;")
            two_widget = QWidget()
            lay = QVBoxLayout(two_widget)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(self.no_gl_message)
            lay.addWidget(self._titled("Contour map — click to start the ball", self.contour), 1)
        self.curve = CurveView(self.model)
        self.views = QStackedWidget()
        self.views.addWidget(two_widget)
        self.views.addWidget(self._titled(
            "C(v) — the tangent (dashed) is what the step trusts: along it C would change by "
            "C′(v)·Δv (grey); the curve's real change is red", self.curve))

        # ---- below: readout + cost plot
        self.readout = Readout(self.model)
        readout_frame = QScrollArea()
        readout_frame.setWidget(self.readout)
        readout_frame.setWidgetResizable(True)
        readout_frame.setFrameShape(QFrame.StyledPanel)
        self.cost_plot = CostPlot(self.model)
        bottom = QSplitter(Qt.Horizontal)
        bottom.addWidget(readout_frame)
        cost_box = self._titled("Cost per step", self.cost_plot, self.cost_plot.log_box)
        cost_box.layout().insertWidget(1, self.cost_plot.legend)
        bottom.addWidget(cost_box)
        bottom.setSizes([600, 400])

        main = QSplitter(Qt.Vertical)
        main.setChildrenCollapsible(False)
        main.addWidget(self.views)
        main.addWidget(bottom)
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 1)
        main.setSizes([560, 250])
        self.main_splitter = main

        # ---- side panel
        self.controls = DescentControls(self.model)
        side = QScrollArea()
        side.setWidget(self.controls)
        side.setWidgetResizable(True)
        side.setFrameShape(QFrame.NoFrame)
        side.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        side.setMinimumWidth(self.controls.sizeHint().width() + 18)
        side.setMaximumWidth(380)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(main, 1)
        layout.addWidget(side)

        # ---- playback
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self._set_speed(self.controls.speed.value())
        self.controls.play_toggled.connect(self.set_playing)
        self.controls.step_requested.connect(self.step_once)
        self.controls.rewind_requested.connect(self.rewind)
        self.controls.speed_changed.connect(self._set_speed)
        self.model.surface_changed.connect(self._show_mode)
        self.model.start_changed.connect(self._restart_if_playing)
        self._show_mode()

    @staticmethod
    def _titled(title: str, widget: QWidget, corner: Optional[QWidget] = None) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        label = QLabel(title)
        label.setStyleSheet("color:#444; font-weight:600; padding-left:4px;")
        label.setWordWrap(True)
        if corner is None:
            lay.addWidget(label)
        else:
            head = QHBoxLayout()
            head.addWidget(label, 1)
            head.addWidget(corner)
            lay.addLayout(head)
        lay.addWidget(widget, 1)
        return box

    def _show_mode(self) -> None:
        self.views.setCurrentIndex(0 if self.model.dim == 2 else 1)

    # ------------------------------------------------------------------ playback
    def _set_speed(self, per_second: int) -> None:
        self._speed = max(1, per_second)
        self.timer.setInterval(max(15, int(1000 / self._speed)))
        self._pace = None                       # measure the pace afresh from here

    def set_playing(self, on: bool) -> None:
        if on:
            if self.model.step >= self.model.max_step():
                self.model.set_step(0)
            self._pace = None
            self.timer.start()
        else:
            self.timer.stop()
        self.controls.set_playing(on)

    def _tick(self) -> None:
        """One frame of the animation. The ball keeps to the speed setting by the clock:
        when drawing a frame takes longer than a step's time (software OpenGL), the next
        frame jumps over the steps that are due instead of falling behind."""
        m = self.model
        if m.step >= m.max_step():
            self.set_playing(False)
            return
        now = time.monotonic()
        if self._pace is None or self._pace[2] != m.step:   # started, or moved by hand
            self._pace = (now, m.step, m.step)
        t0, step0, _ = self._pace
        due = step0 + int((now - t0) * self._speed)
        nxt = min(max(m.step + 1, due), m.max_step())
        self._pace = (t0, step0, nxt)
        m.set_step(nxt)

    def step_once(self) -> None:
        self.set_playing(False)
        if self.model.step >= self.model.max_step():
            self.model.set_step(0)
        else:
            self.model.set_step(self.model.step + 1)

    def rewind(self) -> None:
        self.model.set_step(0)

    def _restart_if_playing(self) -> None:
        if self.timer.isActive():
            self.model.set_step(0)

    # ------------------------------------------------------------------ main window hooks
    def shutdown(self) -> None:
        self.timer.stop()

    def settings_state(self) -> dict:
        """The panel's settings as one JSON-able dict (see MainWindow)."""
        self.controls.flush()
        m = self.model
        s = m.settings
        state = {}
        state["dim"] = m.dim
        state["function"] = m.key
        state["formula2"] = m.formula_text[2]
        state["formula1"] = m.formula_text[1]
        state["range"] = m.formula_range
        state["start"] = [float(x) for x in m.start]
        state["methods"] = list(m.methods)
        state["primary"] = m.primary
        for name in ("eta", "steps", "epsilon", "mu", "rho", "beta1", "beta2", "noise", "seed"):
            state[name] = getattr(s, name)
        state["speed"] = self.controls.speed.value()
        log = self.cost_plot.log_choice
        state["log"] = "auto" if log is None else ("on" if log else "off")
        state["splitter"] = bytes(self.main_splitter.saveState().toBase64()).decode("ascii")
        return state

    def apply_settings(self, state: dict) -> list:
        """Put back what ``settings_state`` gave; a missing value keeps its default and
        a value that cannot be used is dropped with a note. The trails are computed
        once, at the end."""
        m = self.model
        notes = []

        def dropped(name):
            notes.append(f"the saved {name} could not be used; the default instead.")

        def number(name, kind, lo, hi):
            raw = state.get(name)
            if raw is None:
                return None
            try:
                if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                    raise TypeError
                x = kind(raw)
                if not (math.isfinite(x) and lo <= x <= hi):
                    raise ValueError
            except (TypeError, ValueError, OverflowError):
                dropped(name)
                return None
            return x

        def text(name):
            raw = state.get(name)
            if raw is not None and not isinstance(raw, str):
                dropped(name)
                return None
            return raw

        with m.holding():
            for d in (1, 2):
                f = text(f"formula{d}")
                if f is not None and len(f) <= 1000:
                    m.formula_text[d] = f
            r = number("range", float, 0.01, 1e4)
            if r is not None:
                m.formula_range = r
            dim = number("dim", int, 1, 2)
            if dim is not None:
                m.set_mode(dim)
            key = text("function")
            if key is not None:
                if not m.set_function(key) and key == FORMULA:
                    self.controls.formula_row.show()
            changes = {}
            for name, kind, lo, hi in (("eta", float, 1e-4, 5.0), ("steps", int, 1, 5000),
                                       ("epsilon", float, 1e-4, 5.0), ("mu", float, 0.0, 0.999),
                                       ("rho", float, 0.0, 0.999), ("beta1", float, 0.0, 0.999),
                                       ("beta2", float, 0.0, 0.9999),
                                       ("noise", float, 0.0, 100.0), ("seed", int, 0, 999999)):
                x = number(name, kind, lo, hi)
                if x is not None:
                    changes[name] = x
            if changes:
                m.set_settings(**changes)
            methods = state.get("methods")
            if isinstance(methods, list):
                m.set_methods([k for k in methods if isinstance(k, str) and k in METHODS])
            elif methods is not None:
                dropped("methods")
            primary = text("primary")
            if primary in m.methods:
                m.set_primary(primary)
            start = state.get("start")
            if start is not None:
                ok = (isinstance(start, list) and len(start) == m.dim
                      and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                              and math.isfinite(x) for x in start))
                if ok and m.set_start(start):
                    m._set_error("")
                else:
                    dropped("start")
        speed = number("speed", int, 1, 60)
        if speed is not None:
            self.controls.speed.setValue(speed)
        log = text("log")
        if log in ("auto", "on", "off"):
            self.cost_plot.log_choice = None if log == "auto" else log == "on"
            self.cost_plot.rebuild()
        splitter = text("splitter")
        if splitter:
            if not self.main_splitter.restoreState(
                    QByteArray.fromBase64(splitter.encode("ascii", "replace"))):
                dropped("splitter")
        self.controls.sync()
        self.controls.sync_steps()
        return notes
