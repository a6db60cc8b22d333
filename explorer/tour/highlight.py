"""A coloured outline that flashes around a widget for a moment: "look here".

``Highlighter(window).point_at(widget)`` draws a thick rounded frame just outside the
widget's rectangle, on a transparent overlay over the window, pulsing for ``duration``
milliseconds. The frame lies outside the widget because some widgets (the 3-D view) are
native windows that paint over anything drawn on top of them. The overlay lets every
mouse click through.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QElapsedTimer, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QScrollArea, QWidget

COLOUR = QColor(255, 140, 0)        # orange: not used by the plots or the trails
PEN = 5
GAP = 3                             # between the widget's edge and the frame


class _Overlay(QWidget):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("tour-highlight")
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WA_NoSystemBackground)
        self.setAttribute(Qt.WA_TranslucentBackground)
        self.alpha = 255
        self.hide()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        c = QColor(COLOUR)
        c.setAlpha(self.alpha)
        p.setPen(QPen(c, PEN))
        p.setBrush(Qt.NoBrush)
        half = PEN // 2 + 1
        p.drawRoundedRect(self.rect().adjusted(half, half, -half, -half), 6, 6)


def _scroll_into_view(widget: QWidget) -> None:
    """Scroll every scroll area that holds ``widget`` so that it is in view."""
    try:
        parent = widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea) and parent.widget() is not None \
                    and parent.widget().isAncestorOf(widget):
                parent.ensureWidgetVisible(widget, 10, 10)
            parent = parent.parentWidget()
    except RuntimeError:                    # deleted meanwhile
        pass


class Highlighter:
    """Points at one widget at a time; ``target`` is the widget last pointed at."""

    def __init__(self, window: QWidget, duration: int = 1800):
        self.window = window
        self.duration = duration
        self.target: Optional[QWidget] = None
        self.overlay = _Overlay(window)
        self._clock = QElapsedTimer()
        self._timer = QTimer(window)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._tick)

    def point_at(self, widget: Optional[QWidget]) -> None:
        """Outline ``widget`` (it must be inside the window) for ``duration`` ms."""
        self.target = widget
        if widget is not None:
            _scroll_into_view(widget)
        if widget is None or not self._place():
            self.overlay.hide()
            self._timer.stop()
            return
        self.overlay.alpha = 255
        self.overlay.show()
        self.overlay.raise_()
        self._clock.start()
        self._timer.start()

    def active(self) -> bool:
        return self.overlay.isVisible()

    def _place(self) -> bool:
        w = self.target
        try:
            if not self.window.isAncestorOf(w):
                return False
            top_left = w.mapTo(self.window, QPoint(0, 0))
        except RuntimeError:                # the widget was deleted
            return False
        r = QRect(top_left, w.size()).adjusted(-GAP - PEN, -GAP - PEN, GAP + PEN, GAP + PEN)
        r = r.intersected(self.window.rect())
        if r.isEmpty():
            return False
        self.overlay.setGeometry(r)
        return True

    def _tick(self) -> None:
        t = self._clock.elapsed()
        if t >= self.duration or not self._place():
            self.overlay.hide()
            self._timer.stop()
            return
        # three soft pulses, fading out over the last quarter
        pulse = 0.6 + 0.4 * abs(((t / (self.duration / 3)) % 1.0) * 2 - 1)
        fade = min(1.0, 4 * (self.duration - t) / self.duration)
        self.overlay.alpha = int(255 * pulse * fade)
        self.overlay.update()
