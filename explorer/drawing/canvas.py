"""The pad the learner draws on: round anti-aliased strokes, undo, clear.

Strokes are kept as lists of points in *pad units*: the pad is PAD x PAD units (280, the
size of MNIST's 28x28 field at ten units a pixel), whatever its size on screen, so a
drawing does not change when the window is resized. Each stroke is drawn as a smooth
curve (quadratic pieces through the midpoints between the mouse positions), so a fast
mouse, which reports points far apart, still gives a round line rather than a polygon.

``render()`` rasterises the drawing into a 280x280 array, ink bright on dark, which is
what ``engine.digits.to_mnist`` takes. On screen the pad shows dark ink on paper.

A picture (a 28x28 array: an MNIST test image, or noise) can lie under the strokes;
``picture_kind`` says which, and ``picture_note`` holds what the panel said about it (the
true label of a test digit), so that Undo brings both back together. A stroke drawn on
a picture (noise or a test digit alike) first wipes the picture away: the pad then holds
the learner's own drawing only. Undoing that stroke brings the picture back with its
note, in one step.
"""

from __future__ import annotations

from typing import List, Optional

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPainterPath, QPen, QTabletEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

PAD = 280                 # pad units across (and down)
DEFAULT_WIDTH = 22.0      # pen diameter in pad units: MNIST's strokes are ~2-3 of 28 px
MIN_WIDTH, MAX_WIDTH = 6.0, 48.0
MAX_WIPES = 20            # how many Clears (or new pictures) Undo can take back
PAPER = QColor("#fbfaf6")
INK = QColor("#1d1d24")
FIELD = 28


class Stroke:
    """One pen-down-to-pen-up line: its points (pad units) and pen width.

    The smoothed curve is made of quadratic *pieces*: piece k (1 <= k <= n - 2 for n
    points) runs from the midpoint before point k (point 0 itself for k = 1) to the
    midpoint after it, with point k as its control point; a straight *tail* ends the
    curve at the last point. A piece never changes once the point after it is known,
    so the pad paints a long stroke piece by piece instead of all of it on every move.
    """

    __slots__ = ("points", "width", "_body", "_body_pieces")

    def __init__(self, width: float, first: QPointF):
        self.points: List[QPointF] = [QPointF(first)]
        self.width = float(width)
        self._body = QPainterPath(self.points[0])   # the finished pieces, as one path
        self._body_pieces = 0

    def add(self, p: QPointF) -> bool:
        """Append ``p`` unless it is too close to the last point; True if added."""
        last = self.points[-1]
        if (p.x() - last.x()) ** 2 + (p.y() - last.y()) ** 2 < 0.25:
            return False
        self.points.append(QPointF(p))
        return True

    def forget_path(self) -> None:
        """Drop the built path, so that ``path()`` builds it again from the first point
        (bench/bench_predict.py times that, as it happens while drawing)."""
        self._body = QPainterPath(self.points[0])
        self._body_pieces = 0

    def finished_pieces(self) -> int:
        """How many pieces are final (the points after them are known)."""
        return max(0, len(self.points) - 2)

    def piece_path(self, first: int, last: int) -> QPainterPath:
        """Pieces ``first`` to ``last`` (1-based, inclusive) as one path."""
        pts = self.points
        start = pts[0] if first == 1 else (pts[first - 1] + pts[first]) / 2
        path = QPainterPath(start)
        for k in range(first, last + 1):
            path.quadTo(pts[k], (pts[k] + pts[k + 1]) / 2)
        return path

    def tail_path(self) -> QPainterPath:
        """The part after the finished pieces: a dot for one point, a line otherwise."""
        pts = self.points
        if len(pts) <= 2:
            path = QPainterPath(pts[0])
            path.lineTo(pts[-1])             # one point: the round cap draws a dot
        else:
            path = QPainterPath((pts[-2] + pts[-1]) / 2)
            path.lineTo(pts[-1])
        return path

    def path(self) -> QPainterPath:
        """The whole smoothed curve: quadratic pieces whose ends are the midpoints between
        mouse positions and whose control points are the mouse positions themselves."""
        pts = self.points
        done = self.finished_pieces()
        for k in range(self._body_pieces + 1, done + 1):   # only the new pieces
            self._body.quadTo(pts[k], (pts[k] + pts[k + 1]) / 2)
        self._body_pieces = done
        path = QPainterPath(self._body)
        path.lineTo(pts[-1])
        return path


class DrawingCanvas(QWidget):
    """A square drawing pad. Signals: ``changed`` (every change, including each mouse
    move while drawing) and ``stroke_finished`` (pen up, undo, clear, new picture)."""

    changed = Signal()
    stroke_finished = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.strokes: List[Stroke] = []
        self.current: Optional[Stroke] = None
        self.pen_width = DEFAULT_WIDTH
        self.picture: Optional[np.ndarray] = None   # (28, 28) float32, ink bright
        self.picture_kind: Optional[str] = None     # "mnist" or "noise"
        self.picture_note = None                    # the caller's note on the picture
        self._picture_image: Optional[QImage] = None
        # What Clear or a new picture wiped, newest last, so that Undo can bring it back.
        self._wiped: List[tuple] = []
        # The ink painted so far, at the widget's size: every finished stroke, and the
        # finished pieces of the one being drawn (``_layer_pieces`` of them), so that a
        # mouse move paints only its new piece, however long the drawing has grown.
        self._layer: Optional[QImage] = None
        self._layer_strokes = 0
        self._layer_pieces = 0
        self.setMinimumSize(200, 200)
        policy = QSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAttribute(Qt.WA_TabletTracking, False)
        self.setCursor(Qt.CrossCursor)
        self.setToolTip("Draw with the left button or a pen.\n"
                        "Right-click or Escape: clear.  Ctrl+Z: undo the last stroke "
                        "(or the last clear).")

    # ------------------------------------------------------------------ geometry
    def pad_rect(self) -> QRectF:
        """Where the pad sits in the widget: the largest square, centred across, at the top."""
        side = max(1.0, min(self.width(), self.height()) - 2.0)
        return QRectF((self.width() - side) / 2, 1.0, side, side)

    def widget_to_pad(self, p: QPointF) -> QPointF:
        r = self.pad_rect()
        s = PAD / r.width()
        return QPointF((p.x() - r.x()) * s, (p.y() - r.y()) * s)

    def pad_to_widget(self, p: QPointF) -> QPointF:
        r = self.pad_rect()
        s = r.width() / PAD
        return QPointF(r.x() + p.x() * s, r.y() + p.y() * s)

    def sizeHint(self):
        return QSize(360, 360)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width      # square: the controls below stay right under the pad

    # ------------------------------------------------------------------ state
    def has_ink(self) -> bool:
        return bool(self.strokes) or self.current is not None or self.picture is not None

    def set_pen_width(self, width: float) -> None:
        self.pen_width = float(min(MAX_WIDTH, max(MIN_WIDTH, width)))

    def _remember_wiped(self, by_stroke: bool = False) -> None:
        """Keep what is on the pad for Undo; ``by_stroke``: a stroke wiped it (undoing
        that stroke brings it back at once)."""
        if self.strokes or self.picture is not None:
            self._wiped.append((list(self.strokes), self.picture, self.picture_kind,
                                self.picture_note, self._picture_image, by_stroke))
            del self._wiped[:-MAX_WIPES]

    def clear(self) -> None:
        """Wipe every stroke and any picture (Undo brings them back)."""
        self._remember_wiped()
        self.strokes.clear()
        self.current = None
        self._drop_picture()
        self._layer = None
        self.update()
        self.changed.emit()
        self.stroke_finished.emit()

    def _drop_picture(self) -> None:
        self.picture = self._picture_image = self.picture_kind = self.picture_note = None

    def undo(self) -> bool:
        """Take back the last stroke, or else the last Clear (or new picture); False when
        there is nothing to take back."""
        if self.current is not None:
            self.current = None
        elif self.strokes:
            self.strokes.pop()
        elif self._wiped:
            self._restore_wiped()
        else:
            return False
        if (not self.strokes and self.current is None and self.picture is None
                and self._wiped and self._wiped[-1][5]):
            self._restore_wiped()      # the stroke that wiped a picture is gone: it is back
        self._layer = None
        self.update()
        self.changed.emit()
        self.stroke_finished.emit()
        return True

    def _restore_wiped(self) -> None:
        (strokes, self.picture, self.picture_kind, self.picture_note,
         self._picture_image, _) = self._wiped.pop()
        self.strokes = strokes

    def set_picture(self, image, kind: str, note=None) -> None:
        """Put a 28x28 picture (ink bright, values in [0, 1]) on the pad instead of the
        drawing: ``kind`` is "mnist" (strokes may be drawn over it) or "noise"; ``note``
        is kept with it as ``picture_note``."""
        a = np.clip(np.asarray(image, dtype=np.float32).reshape(FIELD, FIELD), 0.0, 1.0)
        self._remember_wiped()
        self.strokes = []
        self.current = None
        self.picture, self.picture_kind, self.picture_note = a, kind, note
        self._layer = None
        paper = np.array([PAPER.red(), PAPER.green(), PAPER.blue()], np.float32)
        ink = np.array([INK.red(), INK.green(), INK.blue()], np.float32)
        rgb = paper + a[..., None] * (ink - paper)              # dark ink on the paper
        rgb = np.ascontiguousarray(np.round(rgb).astype(np.uint8))
        self._picture_image = QImage(rgb.data, FIELD, FIELD, 3 * FIELD,
                                     QImage.Format_RGB888).copy()
        self.update()
        self.changed.emit()
        self.stroke_finished.emit()

    # ------------------------------------------------------------------ rendering
    def render_array(self, size: int = PAD) -> np.ndarray:
        """The drawing as a (size, size) float32 array in [0, 1], ink bright on dark
        (the picture, if any, scaled up pixel by pixel, under the strokes)."""
        image = QImage(size, size, QImage.Format_Grayscale8)
        image.fill(0)
        strokes = self.strokes + ([self.current] if self.current is not None else [])
        if strokes:
            p = QPainter(image)
            p.setRenderHint(QPainter.Antialiasing, True)
            p.scale(size / PAD, size / PAD)
            for stroke in strokes:
                p.setPen(_pen(QColor(255, 255, 255), stroke.width))
                p.drawPath(stroke.path())
            p.end()
        buf = np.frombuffer(image.constBits(), dtype=np.uint8,
                            count=image.bytesPerLine() * size)
        out = buf.reshape(size, image.bytesPerLine())[:, :size].astype(np.float32)
        out *= np.float32(1 / 255)
        if self.picture is not None:
            k = size // FIELD
            if k * FIELD == size:
                under = np.repeat(np.repeat(self.picture, k, axis=0), k, axis=1)
            else:   # nearest pixel for sizes that are not a multiple of 28
                idx = (np.arange(size) * FIELD) // size
                under = self.picture[idx[:, None], idx[None, :]]
            np.maximum(out, under, out=out)
        return out

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        p.fillRect(self.rect(), self.palette().window())
        r = self.pad_rect()
        p.fillRect(r, PAPER)
        if self._picture_image is not None:
            # a test digit is shown smooth, like ink; noise as the square pixels it is
            p.setRenderHint(QPainter.SmoothPixmapTransform, self.picture_kind != "noise")
            p.drawImage(r, self._picture_image)
        p.drawImage(QPointF(0, 0), self._ink_layer())
        if self.current is not None:      # the current stroke's last, unfinished bit
            self._to_pad(p)
            p.setPen(_pen(INK, self.current.width))
            p.drawPath(self.current.tail_path())
            p.resetTransform()
        frame = QColor("#2f6fb0") if self.hasFocus() else QColor("#9a9a9a")
        p.setPen(QPen(frame, 1.5))
        p.setBrush(Qt.NoBrush)
        p.drawRect(r.adjusted(-0.75, -0.75, 0.75, 0.75))
        if not self.has_ink():
            p.setPen(QColor("#9a9a9a"))
            f = p.font()
            f.setPointSizeF(max(10.0, r.width() / 22))
            p.setFont(f)
            p.drawText(r, Qt.AlignCenter, "draw a digit here")
        p.end()

    def _to_pad(self, p: QPainter) -> None:
        r = self.pad_rect()
        p.translate(r.topLeft())
        p.scale(r.width() / PAD, r.width() / PAD)

    def _ink_layer(self) -> QImage:
        """The ink layer, brought up to date: made afresh when it is missing or the
        widget changed size, otherwise only what was added since is painted on it."""
        dpr = self.devicePixelRatioF()
        size = QSize(max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr)))
        layer = self._layer
        if layer is None or layer.size() != size or len(self.strokes) < self._layer_strokes:
            layer = QImage(size, QImage.Format_ARGB32_Premultiplied)
            layer.setDevicePixelRatio(dpr)
            layer.fill(Qt.transparent)
            self._layer, self._layer_strokes, self._layer_pieces = layer, 0, 0
        todo = self.strokes[self._layer_strokes:]
        current = self.current
        if not todo and (current is None
                         or current.finished_pieces() <= self._layer_pieces):
            return layer
        p = QPainter(layer)
        p.setRenderHint(QPainter.Antialiasing, True)
        self._to_pad(p)
        for stroke in todo:          # finished strokes (the first may be half painted)
            p.setPen(_pen(INK, stroke.width))
            if self._layer_pieces == 0:
                p.drawPath(stroke.path())
            else:
                last = stroke.finished_pieces()
                if last > self._layer_pieces:
                    p.drawPath(stroke.piece_path(self._layer_pieces + 1, last))
                p.drawPath(stroke.tail_path())
            self._layer_pieces = 0
        self._layer_strokes = len(self.strokes)
        if current is not None:
            last = current.finished_pieces()
            if last > self._layer_pieces:
                p.setPen(_pen(INK, current.width))
                p.drawPath(current.piece_path(self._layer_pieces + 1, last))
                self._layer_pieces = last
        p.end()
        return layer

    def _dirty_rect(self, stroke: Stroke, n: int = 4) -> QRectF:
        """Where the last ``n`` points of ``stroke`` are drawn, in widget pixels."""
        pts = [self.pad_to_widget(q) for q in stroke.points[-n:]]
        pad = stroke.width * self.pad_rect().width() / PAD / 2 + 3
        xs, ys = [q.x() for q in pts], [q.y() for q in pts]
        return QRectF(min(xs) - pad, min(ys) - pad,
                      max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)

    # ------------------------------------------------------------------ pen input
    def _begin(self, pos: QPointF) -> None:
        if self.picture is not None:     # drawing replaces a picture (Undo restores it)
            self._remember_wiped(by_stroke=True)
            self._drop_picture()
            self._layer = None
        self.current = Stroke(self.pen_width, self.widget_to_pad(pos))
        self.update()
        self.changed.emit()

    def _extend(self, pos: QPointF) -> None:
        if self.current is not None and self.current.add(self.widget_to_pad(pos)):
            # only the new piece and the tail change (the whole pad when the
            # placeholder text goes, or the ink layer must be made again)
            self.update(self._dirty_rect(self.current).toAlignedRect())
            self.changed.emit()

    def _end(self, pos: Optional[QPointF] = None) -> None:
        if self.current is None:
            return
        if pos is not None:
            self.current.add(self.widget_to_pad(pos))
        self.strokes.append(self.current)
        self.current = None
        # Painted piece by piece, a stroke's grey edges come out a little darker where
        # the pieces meet; at pen-up it is painted again whole, as the network gets it.
        self._layer = None
        self.update()
        self.changed.emit()
        self.stroke_finished.emit()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            self.setFocus(Qt.MouseFocusReason)
            self._begin(event.position())
            event.accept()
        elif event.button() == Qt.RightButton:
            self.current = None
            self.clear()
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        # follow our own pen-down state rather than event.buttons(): some synthetic
        # events (and some tablets' mouse emulation) report no button while moving
        if self.current is not None:
            self._extend(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.LeftButton and self.current is not None:
            self._end(event.position())
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        """A pen draws as the left button does (pressure is not used: MNIST has none).
        A press with a barrel button is left to Qt, which turns it into a mouse press
        (a right-click clears, as with the mouse)."""
        kind = event.type()
        if kind == QEvent.TabletPress and event.button() != Qt.LeftButton:
            event.ignore()
            return
        if kind == QEvent.TabletPress:
            self.setFocus(Qt.OtherFocusReason)
            self._begin(event.position())
        elif kind == QEvent.TabletMove:
            self._extend(event.position())
        elif kind == QEvent.TabletRelease:
            self._end(event.position())
        event.accept()

    def keyPressEvent(self, event) -> None:
        # The panel also has shortcuts for these; this serves when no shortcut can fire
        # (e.g. the window is not the active one) and the pad has the keyboard focus.
        if event.key() == Qt.Key_Escape:
            self.clear()
        elif event.matches(QKeySequence.Undo):
            self.undo()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)


def _pen(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.RoundCap)
    pen.setJoinStyle(Qt.RoundJoin)
    return pen
