"""A strip of training images and their distorted copies, as augmentation makes them.

``AugmentStrip`` shows ``COUNT`` images in two rows of 28x28 pictures: MNIST training
images above, the copies ``engine.augment.Augmenter`` made of them below. ``show_pairs``
takes the two arrays; making them (reading MNIST, distorting) is the panel's business,
done off the window's thread.
"""

from __future__ import annotations

from typing import List, Optional

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine import augment

COUNT = 6          # images in the strip
CELL = 2           # screen pixels per image pixel
SIDE = 28


def make_examples(images: np.ndarray, kinds: str, seed: Optional[int] = None):
    """(originals (k, 784), distorted copies (k, 784)) of ``images`` by ``kinds`` ("on"
    for every kind, or e.g. "affine"); "off" shows every kind too (what "on" would do)."""
    originals = np.asarray(images, dtype=np.float32).reshape(len(images), -1)
    chosen = augment.parse_kinds(kinds) or augment.KINDS
    return originals, augment.Augmenter(chosen, seed=seed)(originals)


class AugmentStrip(QWidget):
    """Originals above, distorted copies below (``COUNT`` of each)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._images: List[List[QImage]] = []
        self.originals: Optional[np.ndarray] = None
        self.distorted: Optional[np.ndarray] = None
        self.setSizePolicy(QSizePolicy.Minimum, QSizePolicy.Fixed)
        self.setToolTip("Top: training images as MNIST has them. Bottom: the distorted "
                        "copies augmentation makes of them (a new one each time an image "
                        "is used)")

    def sizeHint(self) -> QSize:
        return QSize(COUNT * (SIDE * CELL + 4), 2 * (SIDE * CELL + 4))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def show_pairs(self, originals: np.ndarray, distorted: np.ndarray) -> None:
        self.originals = np.asarray(originals, dtype=np.float32)[:COUNT]
        self.distorted = np.asarray(distorted, dtype=np.float32)[:COUNT]
        self._images = [[_qimage(a) for a in row] for row in (self.originals, self.distorted)]
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        side = SIDE * CELL
        for r in range(2):
            for i in range(COUNT):
                rect = QRectF(i * (side + 4), r * (side + 4), side, side)
                p.fillRect(rect, QColor(0, 0, 0))
                if r < len(self._images) and i < len(self._images[r]):
                    p.drawImage(rect, self._images[r][i])
        if not self._images:
            p.setPen(QColor(200, 200, 200))
            p.drawText(self.rect(), Qt.AlignCenter, "press Show Examples")
        p.end()


def _qimage(row: np.ndarray) -> QImage:
    grey = np.ascontiguousarray(np.round(np.clip(row.reshape(SIDE, SIDE), 0, 1) * 255)
                                .astype(np.uint8))
    return QImage(grey.data, SIDE, SIDE, SIDE, QImage.Format_Grayscale8).copy()
