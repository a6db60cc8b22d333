"""Small widgets the Real network panel's tabs share: a job bar (start buttons, Cancel,
a progress bar and a line of status), a titled box, and plot defaults."""

from __future__ import annotations

import html
from typing import Callable, Dict

import pyqtgraph as pg
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

STATUS_STYLE = {"info": "color:#333;", "warning": "color:#8a5a00;", "error": "color:#b00020;"}


class JobBar(QWidget):
    """Start buttons, Cancel and a progress bar for one worker; ``status`` is a line of
    text under them. ``set_running(True)`` disables the start buttons."""

    def __init__(self, buttons: Dict[str, Callable[[], None]], cancel: Callable[[], None],
                 parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.buttons: Dict[str, QPushButton] = {}
        for text, slot in buttons.items():
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, s=slot: s())
            row.addWidget(b)
            self.buttons[text] = b
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(cancel)
        row.addWidget(self.cancel_button)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(12)
        row.addWidget(self.bar, 1)
        lay.addLayout(row)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("job-status")
        lay.addWidget(self.status)

    def set_running(self, on: bool) -> None:
        for b in self.buttons.values():
            b.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        if on:
            self.bar.setValue(0)

    def set_progress(self, fraction: float) -> None:
        self.bar.setValue(int(1000 * max(0.0, min(1.0, fraction))))

    def say(self, text: str, kind: str = "info") -> None:
        self.status.setStyleSheet(STATUS_STYLE.get(kind, ""))
        self.status.setText(text)

    def follow(self, worker, progress: Callable, finished: Callable, failed: str,
               cancelled: str) -> None:
        """Show ``worker``'s job (this bar's one worker) here: ``progress(tag, snap)`` as
        it goes; when it ends, the buttons back on, then ``finished(tag, snap)`` with the
        bar full, or "``failed``: <the job's message>" as an error, or ``cancelled`` as a
        warning. (This bar's own slots are connected, so the worker's signals stay queued
        into the window's thread.)"""
        self._then = finished
        self._failed_text = failed
        self._cancelled_text = cancelled
        worker.progress.connect(progress)
        worker.finished.connect(self._job_finished)
        worker.failed.connect(self._job_failed)
        worker.cancelled.connect(self._job_cancelled)

    def _job_finished(self, tag, snap) -> None:
        self.set_running(False)
        self.set_progress(1.0)
        self._then(tag, snap)

    def _job_failed(self, tag, message: str) -> None:
        self.set_running(False)
        self.say(f"{self._failed_text}: {message}", "error")

    def _job_cancelled(self, tag) -> None:
        self.set_running(False)
        self.say(self._cancelled_text, "warning")


def titled(title: str, widget: QWidget, *extra: QWidget) -> QWidget:
    """``widget`` under a bold title (and any ``extra`` widgets beside the title)."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(2, 2, 2, 2)
    head = QHBoxLayout()
    label = QLabel(f"<b>{html.escape(title)}</b>")
    label.setWordWrap(True)
    head.addWidget(label, 1)
    for w in extra:
        head.addWidget(w)
    lay.addLayout(head)
    lay.addWidget(widget, 1)
    return box


def plot(x_label: str, y_label: str, log_x: bool = False, legend: bool = False) -> pg.PlotWidget:
    """A white plot with grid and axis labels, the menu and buttons off."""
    w = pg.PlotWidget()
    w.setBackground("w")
    pi = w.getPlotItem()
    pi.setLabel("bottom", x_label)
    pi.setLabel("left", y_label)
    pi.showGrid(x=True, y=True, alpha=0.2)
    pi.setMenuEnabled(False)
    pi.hideButtons()
    for axis in ("left", "bottom"):
        pi.getAxis(axis).enableAutoSIPrefix(False)     # no "(x0.001)" beside the labels
    if log_x:
        pi.setLogMode(x=True, y=False)
    if legend:
        pi.addLegend(offset=(-10, 10), labelTextSize="8pt")
    w.setMinimumSize(200, 150)
    return w


def wrap_label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label
