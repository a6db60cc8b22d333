"""What the network sees and what it answers: the 28x28 input, the ten outputs, the guess.

Each view is handed plain NumPy arrays (or None for "nothing to show") and draws them;
none of them computes anything about the network.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

FIELD = 28
ACCENT = QColor("#2f6fb0")
SHARE = QColor("#e08a2c")
MUTED = QColor("#8a8a8a")
LOW_ACTIVATION = 0.5    # a top output below this is flagged as unsure


class PixelView(QWidget):
    """The 28x28 input, enlarged so that each pixel is a visible square (white ink on
    black, exactly the grey values the network is fed)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image: Optional[np.ndarray] = None     # (28, 28) float32 in [0, 1]
        self._qimage: Optional[QImage] = None
        self.message = "draw a digit"
        self.setMinimumSize(140, 140)
        # No height-for-width: in a short window the square shrinks (it is drawn in the
        # largest square that fits) and leaves the views below it their room.
        self.setSizePolicy(QSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding))
        self.setToolTip("The 28x28 input the network is fed: each square is one of its "
                        "784 input neurons, white = 1, black = 0.")

    def sizeHint(self) -> QSize:
        return QSize(28 * 10, 28 * 10)

    def set_image(self, image: Optional[np.ndarray], message: str = "draw a digit") -> None:
        """Show ``image`` ((784,) or (28, 28), values in [0, 1]); None shows ``message``."""
        if image is None:
            self.image = self._qimage = None
            self.message = message
        else:
            a = np.clip(np.asarray(image, dtype=np.float32).reshape(FIELD, FIELD), 0, 1)
            self.image = a
            grey = np.ascontiguousarray(np.round(a * 255).astype(np.uint8))
            self._qimage = QImage(grey.data, FIELD, FIELD, FIELD,
                                  QImage.Format_Grayscale8).copy()
        self.update()

    def field_rect(self) -> QRectF:
        cell = max(1, int(min(self.width(), self.height()) // FIELD))
        side = cell * FIELD
        return QRectF((self.width() - side) // 2, 0, side, side)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        r = self.field_rect()
        p.fillRect(r, QColor(0, 0, 0))
        if self._qimage is not None:
            p.setRenderHint(QPainter.SmoothPixmapTransform, False)   # crisp pixels
            p.drawImage(r, self._qimage)
        cell = r.width() / FIELD
        if cell >= 5:   # a fine grid so that single pixels can be told apart
            p.setPen(QPen(QColor(70, 70, 70), 1))
            for i in range(1, FIELD):
                x = r.x() + i * cell
                p.drawLine(int(x), int(r.top()), int(x), int(r.bottom()) - 1)
                y = r.y() + i * cell
                p.drawLine(int(r.left()), int(y), int(r.right()) - 1, int(y))
        p.setPen(QPen(QColor(120, 120, 120), 1))
        p.drawRect(r.adjusted(0, 0, -1, -1))
        if self._qimage is None:
            p.setPen(QColor(200, 200, 200))
            p.drawText(r, Qt.AlignCenter | Qt.TextWordWrap, self.message)
        p.end()


class OutputBars(QWidget):
    """The ten output neurons: for each digit a bar of its raw activation (0 to 1, the
    sigmoid output as the book's network has it) and, below it, a thinner bar of its
    share of the ten outputs (activation / sum of activations), with both numbers."""

    ROW_MIN = 22

    def __init__(self, parent=None):
        super().__init__(parent)
        self.outputs: Optional[np.ndarray] = None
        self.shares: Optional[np.ndarray] = None
        self.setMinimumSize(260, 10 * self.ROW_MIN + 28)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setToolTip("Blue: the raw output activation of each output neuron (0 to 1).\n"
                        "Orange: its share of the ten outputs (they need not add up to 1).")

    def sizeHint(self) -> QSize:
        return QSize(340, 10 * 30 + 28)

    def set_outputs(self, outputs: Optional[np.ndarray]) -> None:
        if outputs is None:
            self.outputs = self.shares = None
        else:
            out = np.asarray(outputs, dtype=np.float64).reshape(-1)
            self.outputs = out
            total = float(out.sum())
            self.shares = out / total if total > 0 else np.zeros_like(out)
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        fm = p.fontMetrics()
        header = fm.height() + 8
        n = 10
        row = (self.height() - header) / n
        label_w = fm.horizontalAdvance("0") * 2 + 8
        text_w = fm.horizontalAdvance("0.000  100.0%") + 10
        bar_x = label_w
        bar_w = max(20.0, self.width() - label_w - text_w)
        # header: a legend for the two bars
        p.setPen(ACCENT)
        p.drawText(QRectF(bar_x, 0, bar_w, header), Qt.AlignLeft | Qt.AlignVCenter,
                   "■ output activation")
        p.setPen(SHARE)
        p.drawText(QRectF(bar_x, 0, bar_w, header), Qt.AlignRight | Qt.AlignVCenter,
                   "■ share")
        top = int(np.argmax(self.outputs)) if self.outputs is not None else -1
        bold = QFont(p.font())
        bold.setBold(True)
        for d in range(n):
            y = header + d * row
            p.setFont(bold if d == top else self.font())
            p.setPen(QColor(0, 0, 0) if d == top else QColor(60, 60, 60))
            p.drawText(QRectF(0, y, label_w - 6, row), Qt.AlignRight | Qt.AlignVCenter, str(d))
            main_h = row * 0.48
            share_h = row * 0.18
            y_main = y + row * 0.12
            y_share = y_main + main_h + row * 0.06
            p.setPen(Qt.NoPen)
            p.setBrush(QColor(236, 236, 236))
            p.drawRect(QRectF(bar_x, y_main, bar_w, main_h))
            if self.outputs is not None:
                a = float(np.clip(self.outputs[d], 0, 1))
                s = float(np.clip(self.shares[d], 0, 1))
                p.setBrush(ACCENT if d == top else ACCENT.lighter(140))
                p.drawRect(QRectF(bar_x, y_main, bar_w * a, main_h))
                p.setBrush(SHARE)
                p.drawRect(QRectF(bar_x, y_share, bar_w * s, share_h))
                p.setPen(QColor(0, 0, 0) if d == top else QColor(60, 60, 60))
                p.drawText(QRectF(bar_x + bar_w + 6, y, text_w - 6, row),
                           Qt.AlignLeft | Qt.AlignVCenter,
                           f"{self.outputs[d]:.3f}  {100 * self.shares[d]:5.1f}%")
        p.end()


class GuessView(QWidget):
    """The top guess in large type, with its confidence, or a hint when there is none."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.digit_label = QLabel("–")
        self.digit_label.setObjectName("guess-digit")
        self.digit_label.setAlignment(Qt.AlignCenter)
        self.digit_label.setTextFormat(Qt.RichText)
        f = self.digit_label.font()
        f.setPointSize(54)
        f.setBold(True)
        self.digit_label.setFont(f)
        self.digit_label.setMinimumHeight(96)
        self.detail_label = QLabel("")
        self.detail_label.setObjectName("guess-detail")
        self.detail_label.setAlignment(Qt.AlignCenter)
        self.detail_label.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.digit_label)
        lay.addWidget(self.detail_label)
        self.guess: Optional[int] = None
        self.runner_up: Optional[int] = None
        self.show_message("draw a digit")

    def show_message(self, text: str) -> None:
        """No guess: show ``text`` (e.g. "draw a digit") in place of the digit."""
        self.guess = self.runner_up = None
        f = self.digit_label.font()
        f.setPointSize(20)
        self.digit_label.setFont(f)
        self.digit_label.setStyleSheet("color: #8a8a8a;")
        self.digit_label.setText(_escape(text))
        self.detail_label.setText("")

    def show_guess(self, outputs: np.ndarray, runner_up: Optional[int] = None,
                   unsure: str = "") -> None:
        """The top output's digit, large; with ``runner_up`` ("8, or perhaps 6") when
        the network is unsure (``unsure`` says why)."""
        out = np.asarray(outputs, dtype=np.float64).reshape(-1)
        d = int(np.argmax(out))
        total = float(out.sum())
        share = float(out[d]) / total if total > 0 else 0.0
        self.guess = d
        self.runner_up = runner_up
        f = self.digit_label.font()
        f.setPointSize(54)
        self.digit_label.setFont(f)
        self.digit_label.setStyleSheet(f"color: {ACCENT.name()};")
        if runner_up is None:
            self.digit_label.setText(str(d))
        else:
            self.digit_label.setText(
                f"{d}<span style='font-size:22pt; color:{MUTED.name()}'>, or perhaps "
                f"</span><span style='font-size:34pt'>{int(runner_up)}</span>")
        detail = (f"confidence {100 * share:.1f}%  (share of the ten outputs)<br>"
                  f"output neuron {d}: activation {out[d]:.3f}")
        if unsure:
            detail += (f"<br><span style='color:{SHARE.darker(130).name()}'>"
                       f"unsure: {unsure}</span>")
        if out[d] < LOW_ACTIVATION:
            # e.g. noise: a high share of ten small outputs is not a sure answer
            detail += (f"<br><span style='color:{SHARE.darker(130).name()}'>"
                       f"low: no output neuron is above {LOW_ACTIVATION:g}, so the "
                       f"share overstates how sure it is</span>")
        self.detail_label.setText(detail)


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
