"""What the digit on the pad costs, and which of its pixels that cost depends on.

``CostTable``: for the label the learner says the digit is, the ten outputs a, the
one-hot y, each (a_j - y_j)^2, their sum (3Blue1Brown's cost of one example) and the
book's C_x = 1/2 ||y - a||^2. ``SaliencyView``: the gradient dC_x/dx of that cost with
respect to the 784 input pixels, drawn on the 28x28 grid (``engine.digit_cost``).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.digit_cost import DigitCost, digit_cost, digit_gradients
from engine.unit_pictures import diverging_rgba
from explorer.inside.views import BigPicture
from explorer.labels import plain_html

HALF_NOTE = ("3Blue1Brown adds up the squares; the book halves the sum, "
             "C_x = 1/2 ||y - a||², so that its derivative is simply a - y.")
SALIENCY_NOTE = ("dC_x/dx for each pixel, with the book's C_x. Red: more ink there would "
                 "raise the cost (the network would rather it were dark); blue: more ink "
                 "there would lower it. White: that pixel does not matter to this answer.")


class CostTable(QWidget):
    """The ten outputs, the one-hot target, the squares, their sum and C_x."""

    COLUMNS = ("digit", "a (output)", "y (wanted)", "(a − y)²")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cost: Optional[DigitCost] = None
        self.table = QTableWidget(10, len(self.COLUMNS))
        self.table.setObjectName("cost-table")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setMinimumHeight(10 * 20 + 28)
        self.table.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        for r in range(10):
            for c in range(len(self.COLUMNS)):
                item = QTableWidgetItem("")
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(r, c, item)
        self.summary = QLabel()
        self.summary.setObjectName("cost-summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        note = QLabel(HALF_NOTE)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table)
        lay.addWidget(self.summary)
        lay.addWidget(note)
        lay.addStretch(1)
        self.show_cost(None)

    def show_cost(self, cost: Optional[DigitCost], message: str = "draw a digit") -> None:
        self.cost = cost
        worst = int(np.argmax(cost.squared_errors)) if cost is not None else -1
        for r in range(10):
            cells = (str(r), "", "", "") if cost is None else (
                str(r), f"{cost.outputs[r]:.4f}", f"{cost.target[r]:.0f}",
                f"{cost.squared_errors[r]:.4f}")
            for c, text in enumerate(cells):
                item = self.table.item(r, c)
                item.setText(text)
                bold = cost is not None and (r == cost.label or (c == 3 and r == worst))
                f = item.font()
                f.setBold(bold)
                item.setFont(f)
                colour = QColor(255, 255, 255)
                if cost is not None and c == 3:
                    t = float(min(1.0, cost.squared_errors[r]))
                    colour = QColor.fromRgbF(1, 1 - 0.6 * t, 1 - 0.6 * t)
                item.setBackground(colour)
        if cost is None:
            self.summary.setText(f"<i>{plain_html(message)}</i>")
            return
        text = (f"Label <b>{cost.label}</b> (the network answers {cost.guess}):<br>"
                f"sum of (a − y)² = <b>{cost.sum_squared:.4f}</b> (3Blue1Brown's cost of "
                f"this example)<br>C<sub>x</sub> = ½ ||y − a||² = <b>{cost.cost:.4f}</b> "
                f"(the book's)")
        if cost.network_cost_name != "quadratic":
            text += (f"<br><span style='color:#555'>This network was trained with the "
                     f"{cost.network_cost_name} cost: {cost.network_cost:.4f} for this "
                     f"example.</span>")
        self.summary.setText(text)


class SaliencyView(QWidget):
    """dC_x/dx on the 28x28 grid: red, more ink costs; blue, more ink helps."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.gradient: Optional[np.ndarray] = None      # (784,) the map shown
        self.scale = 1.0
        self.picture = BigPicture(side=224)
        self.picture.setObjectName("saliency")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        note = QLabel(SALIENCY_NOTE)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.picture, 0, Qt.AlignHCenter)
        lay.addWidget(self.caption)
        lay.addWidget(note)
        lay.addStretch(1)
        self.rgba: Optional[np.ndarray] = None
        self.show_gradient(None)

    def show_gradient(self, gradient: Optional[np.ndarray], label: int | None = None,
                      message: str = "draw a digit") -> None:
        if gradient is None:
            self.gradient, self.rgba = None, None
            self.picture.set_picture(None)
            self.caption.setText(f"<i>{plain_html(message)}</i>")
            return
        g = np.asarray(gradient, np.float64).reshape(-1)
        top = float(np.max(np.abs(g)))
        self.scale = top if top > 0 else 1.0
        self.gradient = g
        self.rgba = diverging_rgba(g.reshape(28, 28), self.scale)
        self.picture.set_picture(self.rgba, True, (f"{-self.scale:.2g}", f"+{self.scale:.2g}"))
        k = int(np.argmax(np.abs(g)))
        self.caption.setText(f"The cost of calling it a <b>{label}</b>: the pixel that "
                             f"matters most is row {k // 28}, column {k % 28} "
                             f"(dC/dx = {g[k]:+.3g}).")


def cost_and_gradient(net, x, label):
    """(DigitCost, dC_x/dx (784,)) of input ``x`` with ``label`` (None: the top guess),
    both with the book's quadratic C_x."""
    cost = digit_cost(net, x, label)
    grads = digit_gradients(net, x, cost.label, cost="quadratic")
    return cost, grads.input
