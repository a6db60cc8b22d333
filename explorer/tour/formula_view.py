"""Typeset formulas as QPixmaps, drawn in a child process so the window never waits.

``FormulaRenderer`` runs ``explorer/tour/mathtext.py`` as a child process (a QProcess,
read through signals) and says ``ready(tex)`` when a picture is in. In the window's own
process matplotlib would hold Python's GIL for up to 130 ms at a time while it imports
and draws (the GUI thread waited up to 345 ms; ``bench/bench_tour.py``). The first
picture comes about 2 s after the start, the other 16 within 2-4 s more. If the child
cannot be started, a thread in this process draws them instead. ``pixmap(tex)`` returns
the picture if it is there (and asks for it if not); ``render_now(tex)`` draws it here
and now (tests, screenshots). ``FormulaLabel`` shows one formula: its Unicode text until
the picture comes.
"""

from __future__ import annotations

import base64
import binascii
import json
import queue
import sys
import threading
from typing import List, Optional

from PySide6.QtCore import QCoreApplication, QObject, QProcess, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy

from explorer.tour import mathtext

SIZE = 15.0          # points
DPI = 100
MAX_REPLY = 2_000_000       # characters in one answer line (a formula's PNG is ~10 kB)
USE_PROCESS = True          # False: draw in a thread of this process (the bench compares)


class FormulaRenderer(QObject):
    """Draws formulas in a child process (or, failing that, a thread), each once."""

    ready = Signal(str)                 # tex: its picture is in
    failed = Signal(str, str)           # tex, why

    def __init__(self, parent=None, scale: float = 1.0, use_process: Optional[bool] = None):
        super().__init__(parent)
        self.scale = max(1.0, float(scale))     # the screen's device pixel ratio
        self.cache = mathtext.FormulaCache()
        self.available = mathtext.available()
        self.use_process = USE_PROCESS if use_process is None else bool(use_process)
        self.program = sys.executable           # runs explorer/tour/mathtext.py
        self._asked = set()
        self._waiting: List[str] = []           # asked of the child, not answered yet
        self._buffer = b""
        self._proc: Optional[QProcess] = None
        self._queue: "queue.Queue[str]" = queue.Queue()
        self._thread: Optional[threading.Thread] = None
        self._in_thread = 0                     # asked of the thread, not collected yet
        # The child processes (a finished one is kept: they are few, and deleting one
        # from its own signal is unsafe). When this object is deleted their signals are
        # silenced first, so none reaches a half-deleted renderer.
        self._procs: List[QProcess] = []
        self.destroyed.connect(lambda *_a, procs=self._procs: _silence(procs))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

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
        """Draw ``tex`` in this process, now (tests, screenshots); raises ValueError if
        mathtext cannot parse it."""
        self.cache.render(tex, SIZE, self._dpi())
        return self.pixmap(tex)

    def request(self, tex: str) -> None:
        if not self.available or tex in self._asked:
            return
        self._asked.add(tex)
        if self.use_process and self._ask_child(tex):
            return
        self._ask_thread(tex)

    def pending(self) -> int:
        """Formulas asked for and not drawn yet."""
        return sum(1 for t in self._asked if self.png(t) is None)

    def shutdown(self) -> None:
        """End the child process (the window is closing)."""
        proc, self._proc = self._proc, None
        try:
            if proc is not None and proc.state() != QProcess.NotRunning:
                proc.blockSignals(True)
                proc.kill()
                proc.waitForFinished(1000)
        except RuntimeError:                # already deleted
            pass

    # ------------------------------------------------------------------ child process
    def _ask_child(self, tex: str) -> bool:
        if self._proc is None:
            proc = QProcess(self)
            proc.setProgram(self.program)
            proc.setArguments(["-u", mathtext.__file__])
            proc.setProcessChannelMode(QProcess.SeparateChannels)
            self._procs.append(proc)
            proc.readyReadStandardOutput.connect(self._read)
            proc.errorOccurred.connect(lambda _e, p=proc: self._child_failed(p))
            proc.finished.connect(lambda *_a, p=proc: self._child_finished(p))
            self._proc = proc
            self._buffer = b""
            proc.start()
        line = json.dumps([tex, SIZE, self._dpi()]) + "\n"
        self._waiting.append(tex)
        self._proc.write(line.encode("utf-8"))
        return True

    def _read(self) -> None:
        proc = self._proc
        if proc is None:
            return
        self._buffer += bytes(proc.readAllStandardOutput())
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            self._answer(line)
        if len(self._buffer) > MAX_REPLY:      # not our child talking: stop listening
            self._buffer = b""
            self._child_failed(proc)
        elif not self._waiting and self._proc is proc:
            # all answered: let the child end (a later request starts another)
            self._proc = None
            proc.closeWriteChannel()

    def _answer(self, line: bytes) -> None:
        try:
            reply = json.loads(line)
            tex = reply["tex"]
        except (ValueError, KeyError, TypeError):
            return
        if tex in self._waiting:
            self._waiting.remove(tex)
        if not isinstance(tex, str) or reply.get("dpi") != self._dpi():
            return
        if "png" in reply:
            try:
                png = base64.b64decode(reply["png"], validate=True)
            except (binascii.Error, TypeError, ValueError):
                return
            self.cache.put(tex, SIZE, self._dpi(), png)
            self.ready.emit(tex)
        else:
            self.failed.emit(tex, str(reply.get("error", "")))

    def _child_failed(self, proc: QProcess) -> None:
        """The child could not start or broke off: draw what it owed in a thread."""
        if proc is not self._proc:
            return
        self._proc = None
        try:
            proc.blockSignals(True)
            proc.kill()
        except RuntimeError:                # being deleted with the renderer
            return
        self.use_process = False
        owed, self._waiting = self._waiting, []
        for tex in owed:
            if self.png(tex) is None:
                self._ask_thread(tex)

    def _child_finished(self, proc: QProcess) -> None:
        if proc is self._proc:              # it ended with answers owed
            self._child_failed(proc)

    # ------------------------------------------------------------------ thread
    def _ask_thread(self, tex: str) -> None:
        """Draw ``tex`` in a thread of this process. The thread never touches this
        QObject (it may be deleted first): it hands results over in a queue that a
        timer of this object empties on the GUI thread."""
        self._queue.put(tex)
        self._in_thread += 1
        if self._thread is None:
            self._results: "queue.Queue" = queue.Queue()
            self._drain = QTimer(self)
            self._drain.setInterval(50)
            self._drain.timeout.connect(self._collect)
            self._thread = threading.Thread(
                target=_draw_loop, args=(self._queue, self._results, self.cache, SIZE,
                                         self._dpi()),
                name="tour-formulas", daemon=True)
            self._thread.start()
        self._drain.start()

    def _collect(self) -> None:
        while True:
            try:
                tex, why = self._results.get_nowait()
            except queue.Empty:
                break
            self._in_thread -= 1
            if why:
                self.failed.emit(tex, why)
            else:
                self.ready.emit(tex)
        if self._in_thread <= 0:
            self._drain.stop()


def _silence(procs) -> None:
    for proc in procs:
        try:
            proc.blockSignals(True)
        except RuntimeError:
            pass


def _draw_loop(requests: "queue.Queue", results: "queue.Queue", cache, size, dpi) -> None:
    """The drawing thread: each request is drawn into ``cache`` and reported as
    (tex, "") or (tex, why) in ``results``."""
    while True:
        tex = requests.get()
        try:
            cache.render(tex, size, dpi)
        except Exception as exc:            # a formula mathtext cannot draw: keep the text
            results.put((tex, f"{type(exc).__name__}: {exc}"))
        else:
            results.put((tex, ""))


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
