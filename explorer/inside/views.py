"""The Inside panel's views: the unit grid, one unit large, its outgoing weights, the
confusion matrix, per-digit accuracy and the gallery of test images.

Views are handed NumPy arrays and draw them; clicks come back as signals. The gallery
is a QListView over ``GalleryModel``: only the rows on screen are painted, so a cell
with a thousand images scrolls as smoothly as one with three.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QListView, QSizePolicy, QStyle, QStyledItemDelegate, QWidget

from engine.unit_pictures import DIVERGING_TABLE, SEQUENTIAL_TABLE

RIGHT = QColor(46, 125, 50)
WRONG = QColor(198, 40, 40)


def rgba_image(rgba: np.ndarray) -> QImage:
    """A QImage (own copy) of a (h, w, 4) uint8 RGBA array."""
    a = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = a.shape[:2]
    return QImage(a.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()


def grey_image(x: np.ndarray, side: int = 28) -> QImage:
    """A test image (784,) in [0, 1] as dark ink on white paper."""
    a = np.clip(np.asarray(x, np.float32).reshape(side, side), 0, 1)
    g = np.ascontiguousarray(np.round(255 * (1 - a)).astype(np.uint8))
    return QImage(g.data, side, side, side, QImage.Format_Grayscale8).copy()


def draw_scale_bar(p: QPainter, rect: QRectF, table: np.ndarray, left: str, right: str) -> None:
    """A horizontal colour bar of ``table`` with its two end labels under it."""
    strip = np.ascontiguousarray(table[None, :, :])
    p.drawImage(QRectF(rect.x(), rect.y(), rect.width(), rect.height() * 0.45),
                rgba_image(strip))
    p.setPen(QColor(70, 70, 70))
    text = QRectF(rect.x(), rect.y() + rect.height() * 0.5, rect.width(), rect.height() * 0.5)
    p.drawText(text, Qt.AlignLeft | Qt.AlignVCenter, left)
    p.drawText(text, Qt.AlignRight | Qt.AlignVCenter, right)


class UnitGrid(QWidget):
    """Every first-layer unit as a picture, in a grid; click one to choose it."""

    unit_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._image: Optional[QImage] = None
        self.columns = 10
        self.count = 0
        self.cell = 28
        self.gap = 2
        self.selected = 0
        self.zoom = 3
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Minimum)
        self.setMinimumWidth(200)
        self.setToolTip("Each square is one hidden unit's 784 incoming weights on the "
                        "28x28 grid. Click one to see it large.")

    def set_grid(self, rgba: Optional[np.ndarray], columns: int, count: int) -> None:
        self._image = None if rgba is None else rgba_image(rgba)
        self.columns, self.count = max(1, columns), count
        self._fit()
        self.update()

    def set_selected(self, unit: int) -> None:
        self.selected = unit
        self.update()

    def _fit(self) -> None:
        if self._image is None:
            self.setMinimumHeight(40)
            return
        w = max(1, self.width())
        self.zoom = max(1, min(5, w // max(1, self._image.width())))
        self.setMinimumHeight(self._image.height() * self.zoom)

    def resizeEvent(self, event) -> None:
        self._fit()
        super().resizeEvent(event)

    def unit_at(self, x: float, y: float) -> Optional[int]:
        step = (self.cell + self.gap) * self.zoom
        col, row = int(x // step), int(y // step)
        if col >= self.columns or x - col * step >= self.cell * self.zoom:
            return None
        j = row * self.columns + col
        return j if 0 <= j < self.count else None

    def unit_rect(self, j: int) -> QRectF:
        step = (self.cell + self.gap) * self.zoom
        return QRectF((j % self.columns) * step, (j // self.columns) * step,
                      self.cell * self.zoom, self.cell * self.zoom)

    def mousePressEvent(self, event) -> None:
        j = self.unit_at(event.position().x(), event.position().y())
        if j is not None:
            self.unit_clicked.emit(j)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        if self._image is None:
            p.setPen(QColor(140, 140, 140))
            p.drawText(self.rect(), Qt.AlignCenter, "no network")
            return
        p.setRenderHint(QPainter.SmoothPixmapTransform, False)
        p.drawImage(QRectF(0, 0, self._image.width() * self.zoom,
                           self._image.height() * self.zoom), self._image)
        if 0 <= self.selected < self.count:
            p.setPen(QPen(QColor(0, 0, 0), 2))
            p.setBrush(Qt.NoBrush)
            p.drawRect(self.unit_rect(self.selected).adjusted(-1, -1, 1, 1))
        p.end()


class BigPicture(QWidget):
    """One unit's picture (or a heat map) enlarged, with its colour scale below."""

    def __init__(self, parent=None, side: int = 196):
        super().__init__(parent)
        self._image: Optional[QImage] = None
        self.table = DIVERGING_TABLE
        self.legend = ("", "")
        self.setMinimumSize(side, side + 30)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), self.minimumHeight())

    def set_picture(self, rgba: Optional[np.ndarray], signed: bool = True,
                    legend: tuple = ("", "")) -> None:
        self._image = None if rgba is None else rgba_image(rgba)
        self.table = DIVERGING_TABLE if signed else SEQUENTIAL_TABLE
        self.legend = legend
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        side = min(self.width(), self.height() - 30)
        r = QRectF((self.width() - side) / 2, 0, side, side)
        if self._image is None:
            p.fillRect(r, QColor(245, 245, 245))
            p.setPen(QColor(140, 140, 140))
            p.drawText(r, Qt.AlignCenter | Qt.TextWordWrap, "nothing to show")
        else:
            p.setRenderHint(QPainter.SmoothPixmapTransform, False)
            p.drawImage(r, self._image)
            p.setPen(QColor(150, 150, 150))
            p.drawRect(r)
        draw_scale_bar(p, QRectF(r.x(), side + 4, side, 26), self.table, *self.legend)
        p.end()


class SignedBars(QWidget):
    """Signed values as horizontal bars around a zero line (red positive, blue negative):
    a unit's outgoing weights, one per output digit."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.values: Optional[np.ndarray] = None
        self.names: list = []
        self.setMinimumSize(180, 170)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def set_values(self, values: Optional[np.ndarray], names=None) -> None:
        self.values = None if values is None else np.asarray(values, np.float64).reshape(-1)
        n = 0 if self.values is None else len(self.values)
        self.names = list(names) if names is not None else [str(i) for i in range(n)]
        self.setMinimumHeight(max(60, 15 * n + 10))
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        if self.values is None or not len(self.values):
            p.setPen(QColor(140, 140, 140))
            p.drawText(self.rect(), Qt.AlignCenter, "no outgoing weights")
            return
        fm = p.fontMetrics()
        n = len(self.values)
        row = (self.height() - 4) / n
        label_w = fm.horizontalAdvance("00") + 8
        text_w = fm.horizontalAdvance("-00.00") + 8
        bar_w = max(20.0, self.width() - label_w - text_w)
        zero = label_w + bar_w / 2
        top = float(np.max(np.abs(self.values))) or 1.0
        for i, v in enumerate(self.values):
            y = 2 + i * row
            p.setPen(QColor(60, 60, 60))
            p.drawText(QRectF(0, y, label_w - 6, row), Qt.AlignRight | Qt.AlignVCenter,
                       self.names[i])
            w = bar_w / 2 * abs(v) / top
            colour = QColor(178, 24, 43) if v > 0 else QColor(33, 102, 172)
            p.fillRect(QRectF(zero if v > 0 else zero - w, y + row * 0.15, w, row * 0.7),
                       colour)
            p.drawText(QRectF(label_w + bar_w + 4, y, text_w, row),
                       Qt.AlignLeft | Qt.AlignVCenter, f"{v:+.2f}")
        p.setPen(QColor(0, 0, 0))
        p.drawLine(int(zero), 0, int(zero), self.height())
        p.end()


class ConfusionView(QWidget):
    """The 10x10 confusion matrix: rows the true digit, columns the answer, each cell's
    count written in it. Right answers (the diagonal) are green by their share of the
    row; mistakes red by their count against the largest mistake. Click a cell."""

    cell_clicked = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.counts: Optional[np.ndarray] = None
        self.selected: Optional[tuple] = None
        self.message = "no confusion matrix yet"
        self.setMinimumSize(330, 360)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        self.setToolTip("Rows: the true digit. Columns: the network's answer. Click a cell "
                        "to see its test images.")

    def sizeHint(self) -> QSize:
        return QSize(400, 420)

    def set_counts(self, counts: Optional[np.ndarray], message: str = "") -> None:
        self.counts = None if counts is None else np.asarray(counts)
        if message:
            self.message = message
        self.update()

    def _geometry(self):
        fm = self.fontMetrics()
        margin = fm.height() * 2 + 4
        legend = fm.height() * 2 + 14
        side = max(10.0, min(self.width() - margin - 4, self.height() - margin - legend))
        return margin, side / 10.0

    def cell_at(self, x: float, y: float) -> Optional[tuple]:
        margin, cell = self._geometry()
        col, row = int((x - margin) // cell), int((y - margin) // cell)
        if x < margin or y < margin or not (0 <= row < 10 and 0 <= col < 10):
            return None
        return row, col

    def cell_center(self, digit: int, guess: int):
        margin, cell = self._geometry()
        return margin + (guess + 0.5) * cell, margin + (digit + 0.5) * cell

    def mousePressEvent(self, event) -> None:
        hit = self.cell_at(event.position().x(), event.position().y())
        if hit is not None and self.counts is not None:
            self.selected = hit
            self.update()
            self.cell_clicked.emit(*hit)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        fm = p.fontMetrics()
        margin, cell = self._geometry()
        h = fm.height()
        p.setPen(QColor(60, 60, 60))
        p.drawText(QRectF(margin, 0, 10 * cell, h), Qt.AlignCenter, "the network's answer")
        p.save()
        p.translate(0, margin + 10 * cell)
        p.rotate(-90)
        p.drawText(QRectF(0, 0, 10 * cell, h), Qt.AlignCenter, "true digit")
        p.restore()
        for i in range(10):
            p.drawText(QRectF(margin + i * cell, h, cell, h + 4), Qt.AlignCenter, str(i))
            p.drawText(QRectF(h, margin + i * cell, h + 4, cell), Qt.AlignCenter, str(i))
        grid = QRectF(margin, margin, 10 * cell, 10 * cell)
        if self.counts is None:
            p.fillRect(grid, QColor(245, 245, 245))
            p.setPen(QColor(120, 120, 120))
            p.drawText(grid.adjusted(8, 8, -8, -8), Qt.AlignCenter | Qt.TextWordWrap,
                       self.message)
            p.end()
            return
        c = self.counts
        rows = np.maximum(c.sum(axis=1), 1)
        off = c.copy()
        np.fill_diagonal(off, 0)
        worst = max(1, int(off.max()))
        small = QFont(p.font())
        small.setPointSizeF(max(6.0, min(p.font().pointSizeF(), cell / 3.6)))
        p.setFont(small)
        for d in range(10):
            for g in range(10):
                r = QRectF(margin + g * cell, margin + d * cell, cell, cell)
                n = int(c[d, g])
                if d == g:
                    t = n / rows[d]
                    colour = QColor.fromRgbF(1 - 0.75 * t, 1 - 0.35 * t, 1 - 0.7 * t)
                else:
                    t = n / worst
                    colour = QColor.fromRgbF(1, 1 - 0.8 * t, 1 - 0.8 * t)
                p.fillRect(r, colour)
                if n:
                    p.setPen(QColor(255, 255, 255) if (d == g and t > 0.6) or (d != g and t > 0.7)
                             else QColor(30, 30, 30))
                    p.drawText(r, Qt.AlignCenter, str(n))
        p.setPen(QColor(200, 200, 200))
        for i in range(11):
            p.drawLine(int(margin + i * cell), int(margin), int(margin + i * cell),
                       int(margin + 10 * cell))
            p.drawLine(int(margin), int(margin + i * cell), int(margin + 10 * cell),
                       int(margin + i * cell))
        if self.selected is not None:
            d, g = self.selected
            p.setPen(QPen(QColor(0, 0, 0), 2))
            p.drawRect(QRectF(margin + g * cell, margin + d * cell, cell, cell))
        p.setFont(self.font())
        y = margin + 10 * cell + 6
        half = 10 * cell / 2 - 6
        green = np.stack([np.linspace(255, 63, 64), np.linspace(255, 166, 64),
                          np.linspace(255, 76, 64), np.full(64, 255)], 1).astype(np.uint8)
        red = np.stack([np.full(64, 255), np.linspace(255, 51, 64), np.linspace(255, 51, 64),
                        np.full(64, 255)], 1).astype(np.uint8)
        draw_scale_bar(p, QRectF(margin, y, half, 2 * h), green, "right: 0%", "100% of row")
        draw_scale_bar(p, QRectF(margin + half + 12, y, half, 2 * h), red, "mistakes: 0",
                       f"{worst}")
        p.end()


class DigitAccuracy(QWidget):
    """Each digit's share of right answers as a bar, the overall accuracy on top."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.per_digit: Optional[np.ndarray] = None
        self.overall: Optional[float] = None
        self.total = 0
        self.setMinimumSize(150, 300)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(170, 380)

    def set_accuracy(self, per_digit: Optional[np.ndarray], overall: Optional[float],
                     total: int = 0) -> None:
        self.per_digit, self.overall, self.total = per_digit, overall, total
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        fm = p.fontMetrics()
        h = fm.height()
        bold = QFont(p.font())
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(QColor(0, 0, 0))
        head = ("overall: –" if self.overall is None
                else f"overall: {100 * self.overall:.2f}%")
        p.drawText(QRectF(0, 0, self.width(), h + 4), Qt.AlignLeft | Qt.AlignVCenter, head)
        p.setFont(self.font())
        p.setPen(QColor(90, 90, 90))
        sub = f"of {self.total:,} test images" if self.total else ""
        p.drawText(QRectF(0, h + 4, self.width(), h), Qt.AlignLeft | Qt.AlignVCenter, sub)
        top = 2 * h + 14
        row = (self.height() - top) / 10
        label_w = fm.horizontalAdvance("0") + 10
        text_w = fm.horizontalAdvance("100.0%") + 6
        bar_w = max(10.0, self.width() - label_w - text_w)
        for d in range(10):
            y = top + d * row
            p.setPen(QColor(60, 60, 60))
            p.drawText(QRectF(0, y, label_w - 4, row), Qt.AlignRight | Qt.AlignVCenter, str(d))
            p.fillRect(QRectF(label_w, y + row * 0.2, bar_w, row * 0.6), QColor(236, 236, 236))
            if self.per_digit is not None and np.isfinite(self.per_digit[d]):
                a = float(self.per_digit[d])
                p.fillRect(QRectF(label_w, y + row * 0.2, bar_w * a, row * 0.6), RIGHT)
                p.drawText(QRectF(label_w + bar_w + 4, y, text_w, row),
                           Qt.AlignLeft | Qt.AlignVCenter, f"{100 * a:.1f}%")
        p.end()


class GalleryModel(QAbstractListModel):
    """The gallery's rows: one per test image in ``InsideModel.gallery``."""

    def __init__(self, inside, parent=None):
        super().__init__(parent)
        self.inside = inside

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.inside.gallery)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.UserRole:
            return int(self.inside.gallery[index.row()])
        if role == Qt.ToolTipRole:
            i, _x, label, guess, conf = self.inside.gallery_item(index.row())
            return (f"Test image #{i}: true {label}, answered {guess} "
                    f"(output {conf:.3f}). Click to put it on the drawing pad.")
        return None

    def refresh(self) -> None:
        self.beginResetModel()
        self.endResetModel()


class GalleryDelegate(QStyledItemDelegate):
    """Paints one gallery image (2x), its true label, the answer and the confidence."""

    SIZE = QSize(74, 96)

    def __init__(self, inside, parent=None):
        super().__init__(parent)
        self.inside = inside
        self.painted = 0            # how many items were painted (only the visible ones)

    def sizeHint(self, option, index) -> QSize:
        return self.SIZE

    def paint(self, p: QPainter, option, index) -> None:
        r = option.rect
        self.painted += 1
        i, x, label, guess, conf = self.inside.gallery_item(index.row())
        if option.state & QStyle.State_Selected:
            p.fillRect(r, QColor(220, 232, 248))
        side = 56
        img = QRectF(r.x() + (r.width() - side) / 2, r.y() + 2, side, side)
        p.drawImage(img, grey_image(x))
        p.setPen(QColor(180, 180, 180))
        p.drawRect(img)
        fm = option.fontMetrics
        y = img.bottom() + 2
        p.setPen(RIGHT if label == guess else WRONG)
        p.drawText(QRectF(r.x(), y, r.width(), fm.height()), Qt.AlignCenter,
                   f"{label} → {guess}")
        p.setPen(QColor(80, 80, 80))
        p.drawText(QRectF(r.x(), y + fm.height(), r.width(), fm.height()), Qt.AlignCenter,
                   f"{conf:.3f}")


class GalleryView(QListView):
    """Test images in rows that wrap; only the visible ones are painted."""

    def __init__(self, inside, parent=None):
        super().__init__(parent)
        self.gallery_model = GalleryModel(inside, self)
        self.setModel(self.gallery_model)
        self.setItemDelegate(GalleryDelegate(inside, self))
        self.setViewMode(QListView.IconMode)
        self.setFlow(QListView.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.Adjust)
        self.setUniformItemSizes(True)
        self.setMovement(QListView.Static)
        self.setSpacing(2)
        self.setMinimumHeight(120)
        self.setSelectionMode(QListView.SingleSelection)
