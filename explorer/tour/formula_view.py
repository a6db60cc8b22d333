"""Typeset formulas as QPixmaps, drawn off the GUI thread.

``FormulaRenderer`` draws formulas with matplotlib's mathtext (``explorer.tour.mathtext``)
in one daemon thread and says ``ready(tex)`` on the GUI thread when a picture is in; the
first one takes about 1.5 s (importing matplotlib and building its parser), the rest tens
of milliseconds. ``pixmap(tex)`` returns the picture if it is there (and asks for it if
not). ``FormulaLabel`` shows one formula: its Unicode text until the picture comes.
"""

from __future__ import annotations

import queue
import threading
from typing import Optional

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy

from explorer.tour import mathtext

SIZE = 15.0          # points
DPI = 100


class FormulaRenderer(QObject):
    """Draws formulas in a worker thread, each once."""

    ready = Signal(str)                 # tex: its picture is in
    failed = Signal(str, str)           # tex, why

    def __init__(self, parent=None, scale: float = 1.0):
        super().__init__(parent)
        self.scale = max(1.0, float(scale))     # the screen's device pixel ratio
        self.cache = mathtext.FormulaCache()
        self.available = mathtext.available()
        self._queue: "queue.Queue[str]" = queue.Queue()
        self._asked = set()
        self._thread: Optional[threading.Thread] = None

    def _dpi(self) -> int:
        return int(round(DPI * self.scale))

    def png(self, tex: str) -> Optional[bytes]:
        return self.cache.get(tex, SIZE, self._dpi())

    def pixmap(self, tex: str) -> Optional[QPixmap]:
        """The picture of ``tex`` if drawn (None, and drawing is started, if not)."""
        png = self.png(tex)
        if png is None:
            self.request(tex)
            return None
        pm = QPixmap()
        pm.loadFromData(png, "PNG")
        pm.setDevicePixelRatio(self.scale)
        return pm

    def render_now(self, tex: str) -> QPixmap:
        """Draw ``tex`` on this thread (tests, screenshots); raises ValueError if
        mathtext cannot parse it."""
        self.cache.render(tex, SIZE, self._dpi())
        return self.pixmap(tex)

    def request(self, tex: str) -> None:
        if not self.available or tex in self._asked:
            return
        self._asked.add(tex)
        self._queue.put(tex)
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="tour-formulas",
                                            daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            tex = self._queue.get()
            try:
                self.cache.render(tex, SIZE, self._dpi())
            except Exception as exc:        # a formula mathtext cannot draw: keep the text
                self.failed.emit(tex, f"{type(exc).__name__}: {exc}")
            else:
                self.ready.emit(tex)


class FormulaLabel(QLabel):
    """One formula: the typeset picture, or its Unicode text until the picture is in."""

    def __init__(self, renderer: FormulaRenderer, parent=None):
        super().__init__(parent)
        self.setObjectName("tour-formula")
        self.renderer = renderer
        self.tex = ""
        self.plain = ""
        self.picture: Optional[QPixmap] = None      # at full size; shown scaled to fit
        # a wide formula must not widen the dock: it is scaled down to the width there is
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.setMinimumWidth(60)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignCenter)
        self.setMinimumHeight(56)
        self.setTextFormat(Qt.PlainText)
        self.setStyleSheet("background: white; border: 1px solid #ddd; padding: 8px;")
        font = QFont("DejaVu Serif")
        font.setPointSizeF(13)
        font.setItalic(True)
        self.setFont(font)
        renderer.ready.connect(self._ready)

    def show_formula(self, tex: str, plain: str) -> None:
        self.tex, self.plain = tex, plain
        self.setToolTip(plain)
        self.setAccessibleName(plain)
        self.picture = self.renderer.pixmap(tex)
        if self.picture is None:
            self.setPixmap(QPixmap())
            self.setMinimumHeight(56)
            self.setText(plain)
        else:
            self._fit()

    def has_picture(self) -> bool:
        pm = self.pixmap()
        return self.picture is not None and pm is not None and not pm.isNull()

    def _fit(self) -> None:
        pm = self.picture
        room = (self.contentsRect().width() - 4) * pm.devicePixelRatio()
        if pm.width() > room > 20:
            pm = pm.scaledToWidth(int(room), Qt.SmoothTransformation)
            pm.setDevicePixelRatio(self.picture.devicePixelRatio())
        # room for the whole picture, padding and border included
        self.setMinimumHeight(int(pm.height() / pm.devicePixelRatio()) + 22)
        self.setPixmap(pm)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.picture is not None:
            self._fit()

    def _ready(self, tex: str) -> None:
        if tex == self.tex:
            self.show_formula(self.tex, self.plain)
