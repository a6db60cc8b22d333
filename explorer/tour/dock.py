"""The Tour dock: chapter 1's argument step by step, each step able to set up the app.

``TourDock(window, settings)`` is a QDockWidget for the main window. It shows the step's
title, a few sentences, the formula typeset, and what to look at; **Show me** runs the
step's action (``explorer.tour.show_me``), which switches tab and sets the panel, then
outlines the widget to look at for a moment. Back and Next move through the steps; the
step is kept in ``settings`` under ``explorer.tour.model.SETTINGS_KEY`` so the tour opens
where the learner left it.
"""

from __future__ import annotations

import html
import time
from typing import Optional

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from explorer.tour.formula_view import FormulaLabel, FormulaRenderer
from explorer.tour.highlight import Highlighter
from explorer.tour.model import SETTINGS_KEY, TourModel
from explorer.tour.show_me import ACTIONS, READY, Shown, Skip

READY_TIMEOUT = 30.0         # seconds to wait for trails before giving up on ``then``
READY_POLL_MS = 40


class TourDock(QDockWidget):
    """The tour panel. ``model`` is its ``TourModel``; ``last_shown`` the last ``Shown``."""

    def __init__(self, window, settings: Optional[QSettings] = None, parent=None):
        super().__init__("Tour", parent if parent is not None else window)
        self.setObjectName("tour-dock")
        self.window_ = window
        self.settings = settings
        self.model = TourModel()
        self.renderer = FormulaRenderer(self, scale=window.devicePixelRatioF())
        self.highlighter = Highlighter(window)
        self.last_shown: Optional[Shown] = None
        self._waiting = None                    # (shown, ready, deadline) while polling
        self._poll = QTimer(self)
        self._poll.setInterval(READY_POLL_MS)
        self._poll.timeout.connect(self._check_ready)

        self.jump = QComboBox()
        self.jump.setObjectName("tour-jump")
        for i, s in enumerate(self.model.steps):
            self.jump.addItem(f"{i + 1}. {s.title}")
        self.jump.activated.connect(self.model.go)
        self.heading = QLabel()
        self.heading.setObjectName("tour-heading")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.text = QLabel()
        self.text.setObjectName("tour-text")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.RichText)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.formula = FormulaLabel(self.renderer)
        self.look = QLabel()
        self.look.setObjectName("tour-look")
        self.look.setWordWrap(True)
        self.look.setStyleSheet("color: #444;")
        self.note = QLabel()
        self.note.setObjectName("tour-note")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.PlainText)
        self.note.setStyleSheet("color: #8a4b00;")
        self.note.hide()

        self.back_button = QPushButton("‹ Back")
        self.back_button.setObjectName("tour-back")
        self.show_button = QPushButton("Show me")
        self.show_button.setObjectName("tour-show-me")
        self.show_button.setToolTip("Set the app up to show this step, and point at what "
                                    "to look at")
        self.next_button = QPushButton("Next ›")
        self.next_button.setObjectName("tour-next")
        self.back_button.clicked.connect(self.model.back)
        self.next_button.clicked.connect(self.model.next)
        self.show_button.clicked.connect(self.show_me)

        body = QWidget()
        lay = QVBoxLayout(body)
        lay.addWidget(self.jump)
        lay.addWidget(self.heading)
        lay.addWidget(self.text)
        lay.addWidget(self.formula)
        lay.addWidget(self.look)
        lay.addWidget(self.note)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.show_button, 1)
        buttons.addWidget(self.next_button)
        outer = QWidget()
        olay = QVBoxLayout(outer)
        olay.setContentsMargins(4, 4, 4, 4)
        olay.addWidget(scroll, 1)
        olay.addLayout(buttons)
        self.setWidget(outer)
        self.setMinimumWidth(380)

        if settings is not None:
            self.model.restore(settings.value(SETTINGS_KEY))
        self.model.step_changed.connect(self._step_changed)
        self._show_step()
        for s in self.model.steps:          # draw every formula in the background
            self.renderer.request(s.formula)
        window.installEventFilter(self)     # the window closing ends the drawing process

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window_ and event.type() == QEvent.Close:
            self.renderer.shutdown()
            self.highlighter.point_at(None)
            self._cancel_wait()
        return False

    # ------------------------------------------------------------------ steps
    def _step_changed(self, index: int) -> None:
        self._cancel_wait()
        self.highlighter.point_at(None)
        if self.settings is not None:
            self.settings.setValue(SETTINGS_KEY, self.model.saved())
        self._show_step()

    def _show_step(self) -> None:
        m = self.model
        s = m.step
        self.jump.setCurrentIndex(m.index)
        self.heading.setText(f"Step {m.index + 1} of {m.count}: {s.title}")
        self.text.setText("".join(f"<p>{html.escape(p)}</p>" for p in s.text))
        self.formula.show_formula(s.formula, s.formula_plain)
        self.look.setText(f"<i>Show me:</i> {html.escape(s.look)}")
        self.note.hide()
        self.back_button.setEnabled(not m.at_start())
        self.next_button.setEnabled(not m.at_end())

    # ------------------------------------------------------------------ show me
    def show_me(self) -> Optional[Shown]:
        """Run the step's action; say so (and change nothing more) if it cannot run."""
        self._cancel_wait()
        step = self.model.step
        try:
            shown = ACTIONS[step.show](self.window_)
        except Skip as exc:
            self.last_shown = None
            self._say(f"Skipped: {exc}")
            self.highlighter.point_at(None)
            return None
        except Exception as exc:        # a panel changed under us: say so, never crash
            self.last_shown = None
            self._say(f"Show me could not set this step up ({type(exc).__name__}: {exc}). "
                      f"The rest of the tour still works.")
            return None
        self.last_shown = shown
        if shown.note:
            self._say(shown.note)
        else:
            self.note.hide()
        # point once the tab switch has been laid out
        QTimer.singleShot(30, lambda: self._point(shown))
        if shown.then is not None:
            ready = READY.get(step.show, lambda w: True)
            self._waiting = (shown, ready, time.monotonic() + READY_TIMEOUT)
            self._poll.start()
            self._check_ready()
        return shown

    def _point(self, shown: Shown) -> None:
        if shown is self.last_shown:
            self.highlighter.point_at(shown.target)

    def _check_ready(self) -> None:
        if self._waiting is None:
            self._poll.stop()
            return
        shown, ready, deadline = self._waiting
        try:
            ok = ready(self.window_)
        except Exception:
            ok = False
        if ok:
            self._cancel_wait()
            shown.then()
        elif time.monotonic() > deadline:
            self._cancel_wait()
            self._say("The descent panel is still computing; press Show me again in a "
                      "moment.")

    def _cancel_wait(self) -> None:
        self._waiting = None
        self._poll.stop()

    def waiting(self) -> bool:
        """Whether Show me is still waiting for the panel to finish (tests)."""
        return self._waiting is not None

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()
