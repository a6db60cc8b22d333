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

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine import setup_codes
from engine.narrate import narrate
from engine.optimizers import METHODS
from explorer.descent.contour import ContourView, CurveView
from explorer.descent.controls import DescentControls
from explorer.descent.cost_plot import LATER as COST_PLOT_LATER
from explorer.descent.cost_plot import CostPlot
from explorer.descent.model import FORMULA, DescentModel
from explorer.descent.readout import Readout
from explorer.descent.worker import ProcessTrailWorker, TrailWorker
from explorer.gl_check import opengl_available
from explorer.paint_turns import paint_in_turns

# The panel's keyboard shortcuts (text, key): the Help menu can list them.
SHORTCUTS = (("Play / pause the ball", "Space"), ("One step forward", "Right"),
             ("Back to the start", "Home"))
NARRATE_LINES = 400             # the narration keeps this many lines
SPREAD_PAINT = 400              # trails of this many points in all paint one plot per turn


class DescentPanel(QWidget):
    """Tab 1: gradient descent on a surface, step by step."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        # the trails are computed on a worker thread (the first ones too)
        self.model = DescentModel(runner=lambda job: None)
        # first of the model's listeners: the views are held back before they take the
        # new trails (a view that took them first would paint them at once, then again)
        self.model.trajectories_changed.connect(self._spread_paint)
        try:
            self.worker = ProcessTrailWorker(self.model, self)
        except OSError:     # no processes here: a thread (slower to answer on busy machines)
            self.worker = TrailWorker(self.model, self)
        self.model.runner = self.worker
        self.model.recompute(to_end=True)
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
            "C′(v)·Δv (grey); the curve’s real change is brown", self.curve))

        # ---- below: readout + cost plot
        self.readout = Readout(self.model)
        readout_frame = QScrollArea()
        readout_frame.setWidget(self.readout)
        readout_frame.setWidgetResizable(True)
        readout_frame.setFrameShape(QFrame.StyledPanel)
        self.cost_plot = CostPlot(self.model)
        self.narration = QPlainTextEdit()
        self.narration.setObjectName("narration")
        self.narration.setReadOnly(True)
        self.narration.setMaximumBlockCount(NARRATE_LINES)
        self.narration.setPlaceholderText("One line per step: what the readout's rule did "
                                          "and why.")
        self.narration_box = self._titled("Narration", self.narration)
        self.narration_box.hide()
        self._narrated = (None, -1)     # (trail narrated, last step written)
        bottom = QSplitter(Qt.Horizontal)
        bottom.addWidget(readout_frame)
        bottom.addWidget(self.narration_box)
        cost_box = self._titled("Cost per step", self.cost_plot, self.cost_plot.log_box)
        cost_box.layout().insertWidget(1, self.cost_plot.legend)
        bottom.addWidget(cost_box)
        bottom.setSizes([560, 300, 400])

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
        self.model.step_changed.connect(self._narrate)
        self.model.trajectories_changed.connect(self._narrate)
        self.controls.narrate.toggled.connect(self._narrate_toggled)
        self._show_mode()
        self._make_actions()

    def _spread_paint(self) -> None:
        """New trails with many points in all (up to eight rules of 5,000 steps) make
        each plot's next paint long (15-30 ms in software): let the plots repaint one per
        turn of the event loop (``paint_in_turns``), so the window's thread never does
        them all in one piece. Short trails paint at once, as before."""
        if not hasattr(self, "curve"):       # (the views are not made yet)
            return
        total = sum(len(t.C) for t in self.model.trajectories.values())
        if total >= SPREAD_PAINT:
            # (the cost plot queues its own rebuild and repaint when the trails are long)
            paint_in_turns(self.contour, self.view3d, self.curve,
                           self.cost_plot if total < COST_PLOT_LATER else None)

    def showEvent(self, event) -> None:
        """The first time the panel is shown, its plots paint one per turn too: the
        window's first paint (every label and axis drawn for the first time) is long."""
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            paint_in_turns(self.contour, self.cost_plot)

    # ------------------------------------------------------------------ actions
    def _make_actions(self) -> None:
        """Keyboard shortcuts (active while the focus is in this panel) and the File
        menu's setup actions."""
        self.shortcut_actions = []
        for (text, key), slot in zip(SHORTCUTS, (self.toggle_playing, self.step_once,
                                                 self.rewind)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.shortcut_actions.append(action)
        self.copy_setup_action = QAction("Copy Descent Setup", self)
        self.copy_setup_action.setToolTip("Put this panel's whole setup on the clipboard as "
                                          "one line of text to share")
        self.copy_setup_action.triggered.connect(self.copy_setup)
        self.paste_setup_action = QAction("Paste Descent Setup", self)
        self.paste_setup_action.setToolTip("Set this panel up from a setup code on the "
                                           "clipboard")
        self.paste_setup_action.triggered.connect(self.paste_setup)

    def file_actions(self) -> list:
        return [self.copy_setup_action, self.paste_setup_action]

    # ------------------------------------------------------------------ setups
    def setup_code(self) -> str:
        """The whole setup as one line of text (``engine.setup_codes``)."""
        self.controls.flush()
        data = self.model.setup()
        if self.view3d is not None:
            o = self.view3d.opts
            data["camera"] = {"distance": float(o["distance"]),
                              "elevation": float(o["elevation"]),
                              "azimuth": float(o["azimuth"])}
        return setup_codes.encode("descent", data)

    def apply_setup_code(self, code: str) -> str:
        """Set the panel up from ``code``: "" when done, else why not (and nothing
        changed)."""
        try:
            _kind, data = setup_codes.read(code, "descent")
            self.model.apply_setup(data)
        except setup_codes.SetupCodeError as exc:
            return str(exc)
        camera = data.get("camera")
        if camera and self.view3d is not None:
            self.view3d.setCameraPosition(distance=camera["distance"],
                                          elevation=camera["elevation"],
                                          azimuth=camera["azimuth"])
            self.view3d.update()
        self.controls.sync()
        self.controls.sync_steps()
        return ""

    def copy_setup(self) -> str:
        code = self.setup_code()
        QGuiApplication.clipboard().setText(code)
        self._status(f"Setup copied ({len(code)} characters): paste it with File > Paste "
                     f"Descent Setup, or start with --setup.")
        return code

    def paste_setup(self) -> str:
        problem = self.apply_setup_code(QGuiApplication.clipboard().text())
        if problem:
            QMessageBox.warning(self, "Paste Descent Setup",
                                f"The clipboard's setup was not used; nothing changed.\n\n"
                                f"{problem}")
        else:
            self._status("Setup pasted.")
        return problem

    def _status(self, text: str) -> None:
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 8000)

    # ------------------------------------------------------------------ narration
    def _narrate_toggled(self, on: bool) -> None:
        self.narration_box.setVisible(on)
        self._narrated = (None, -1)
        self._narrate()

    def _narrate(self, *_):
        """Write one line per step of the readout's rule, up to the step shown."""
        if not self.controls.narrate.isChecked():
            return
        m = self.model
        t = m.trajectories.get(m.primary)
        if t is None:
            return
        upto = min(m.index(m.primary), t.steps) - 1      # the last step taken
        trail, done = self._narrated
        # a new trail, a step back, or a jump further than the kept lines: start afresh
        # with the last NARRATE_LINES steps only (a jump to step 5,000 builds 400 lines,
        # not 5,000 of which the box would keep 400)
        if trail is not t or upto < done or upto - done > NARRATE_LINES:
            self.narration.clear()
            done = max(-1, upto - NARRATE_LINES)
        lines = [narrate(t, k, m.run_settings()) for k in range(done + 1, upto + 1)]
        if lines:
            self.narration.appendPlainText("\n".join(lines))
        self._narrated = (t, upto)

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

    def toggle_playing(self) -> None:
        self.set_playing(not self.timer.isActive())

    def step_once(self) -> None:
        """One step on; at the last step the ball stays (the readout says it is the end)."""
        self.set_playing(False)
        if self.model.step < self.model.max_step():
            self.model.set_step(self.model.step + 1)

    def rewind(self) -> None:
        self.model.set_step(0)

    def _restart_if_playing(self) -> None:
        if self.timer.isActive():
            self.model.set_step(0)

    # ------------------------------------------------------------------ main window hooks
    def shutdown(self) -> None:
        self.timer.stop()
        self.worker.close()

    def closeEvent(self, event) -> None:       # noqa: N802 (Qt's name)
        self.shutdown()                         # (a job after this starts a new process)
        super().closeEvent(event)

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
        state["alpha"] = s.alpha
        state["same_eta"] = m.same_eta
        state["narrate"] = self.controls.narrate.isChecked()
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
            for name, (lo, hi, integer) in setup_codes.DESCENT_LIMITS.items():
                if name == "range":
                    continue
                x = number(name, int if integer else float, lo, hi)
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
            same = state.get("same_eta")
            if isinstance(same, bool):
                m.set_same_eta(same)
        narrate_on = state.get("narrate")
        if isinstance(narrate_on, bool):
            self.controls.narrate.setChecked(narrate_on)
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
