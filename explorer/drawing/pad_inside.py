"""The pad's look inside: what this digit costs, which pixels matter, teach it.

``PadInside`` sits in the drawing panel (one widget, three tabs). It follows the pad: the
digit drawn, the answering network, and the label the learner says the digit is (the
top guess by default). It tells the Inside panel which digit is on the pad (through
``explorer.inside.link``) and puts the test images the Inside panel's gallery asks for on
the pad.

Refreshes are coalesced: at most one every ``REFRESH_MS`` while the pen moves (the cost
table and the saliency map take well under a millisecond for 784-100-10).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.drawing.cost_views import CostTable, SaliencyView, cost_and_gradient
from explorer.drawing.teach_view import TeachView
from explorer.inside.link import link_of

REFRESH_MS = 100
TOP_GUESS = "its top guess"


class PadInside(QWidget):
    """Three tabs under the pad's picture: the cost table, the saliency map, teaching."""

    def __init__(self, panel, parent=None):
        super().__init__(parent)
        self.panel = panel
        self.session = panel.session
        self.link = link_of(self.session)
        self.x: Optional[np.ndarray] = None
        self.label_box = QComboBox()
        self.label_box.setObjectName("pad-label")
        self.label_box.addItem(TOP_GUESS, None)
        for d in range(10):
            self.label_box.addItem(str(d), d)
        self.label_box.setToolTip("The digit you say it is: the cost is measured against "
                                  "it, and Learn this teaches it")
        self.label_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.cost_table = CostTable()
        self.saliency = SaliencyView()
        self.teach = TeachView(self._teach_context, self._set_model)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("pad-inside-tabs")
        self.tabs.addTab(self.cost_table, "What this digit costs")
        self.tabs.addTab(self.saliency, "Which pixels matter")
        self.tabs.addTab(self.teach, "Teach it")
        row = QHBoxLayout()
        row.addWidget(QLabel("It is:"))
        row.addWidget(self.label_box)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.tabs, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        panel.canvas.changed.connect(self._schedule)
        # after the pad has answered (it connects to these after this widget is made)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.refresh)
        panel.canvas.stroke_finished.connect(self._refresh_soon)
        self.session.model_changed.connect(self._refresh_soon)
        self.link.picture_requested.connect(self.show_picture)
        self._timer.start()

    # ------------------------------------------------------------------ following the pad
    @property
    def label(self) -> Optional[int]:
        """The label chosen in 'It is:' (None: the top guess)."""
        return self.label_box.currentData()

    def set_label(self, label: Optional[int]) -> None:
        self.label_box.setCurrentIndex(0 if label is None else int(label) + 1)

    def _refresh_soon(self, *_args) -> None:
        self._soon.start()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> None:
        """Recompute the cost and the saliency map for the pad's last input (the pad
        makes it; this never rasterises the drawing again)."""
        self._timer.stop()
        self._soon.stop()
        p = self.panel
        x = p.input
        self.x = x
        net = p.net
        self.teach.follow_network(net)
        problem = p.model.problem()
        self.link.set_digit(x, self.label)
        if x is None or problem:
            message = problem or "Draw a digit (or put a test digit on the pad)."
            self.cost_table.show_cost(None, message)
            self.saliency.show_gradient(None, message=message)
            return
        try:
            cost, gradient = cost_and_gradient(net, x, self.label)
        except (ValueError, ArithmeticError) as exc:
            self.cost_table.show_cost(None, str(exc))
            self.saliency.show_gradient(None, message=str(exc))
            return
        self.cost_table.show_cost(cost)
        self.saliency.show_gradient(gradient, cost.label)

    def show_picture(self, image, label: int, index: int) -> None:
        """Put test image ``index`` on the pad (asked by the Inside panel's gallery) and
        bring the pad's tab forward."""
        self.panel.canvas.set_picture(np.asarray(image).reshape(28, 28), "mnist", note=dict(
            label=int(label), text=f"MNIST test image #{index}: true label <b>{label}</b>"))
        w = self.panel
        while w is not None:
            parent = w.parentWidget()
            if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(),
                                                                  QTabWidget):
                parent.parentWidget().setCurrentWidget(w)
                break
            w = parent

    # ------------------------------------------------------------------ teaching
    def _teach_context(self):
        data = self.session.mnist.data
        training = test = None
        if data is not None:
            training = (data.training.images, data.training.labels)
            test = (data.test.images, data.test.labels)
        elif not self.session.mnist.loading:
            self.session.mnist.request()          # for the accuracy of the next lesson
        return (self.panel.net, self.panel.model_label, self.panel.input, self.label,
                training, test)

    def _set_model(self, net, label: str) -> None:
        """Make ``net`` answer: the menu's own entry when it has one (undoing back to the
        shipped model chooses it again), else a new entry under ``label``."""
        models = getattr(self.session, "models", None)
        for entry in getattr(models, "entries", []) or []:
            if entry.net is net and hasattr(self.session, "choose"):
                self.session.choose(entry.key)
                return
        self.session.set_model(net, label)

    def shutdown(self) -> None:
        self._timer.stop()
        self._soon.stop()
        self.teach.shutdown()
