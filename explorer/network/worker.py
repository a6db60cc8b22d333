"""A worker thread for the Real network panel's jobs (``explorer.network.jobs``).

``JobWorker.start(tag, make)`` runs ``make()`` (a generator of snapshots) in a thread of
its own. The window hears ``progress(tag, snapshot)`` at most every ``interval`` seconds
(the latest snapshot; older ones are skipped, so a view redraws a few times a second at
most), then ``finished(tag, last snapshot)``, or ``failed(tag, message)``, or
``cancelled(tag)`` after ``cancel()``, which closes the generator at its next snapshot.
Signals are queued into the window's thread. One job at a time per worker.

After each ``progress`` the job waits (at most ``HANDOFF`` seconds) until the window's
thread has run the slots and painted what they changed: a job thread sharing Python's
interpreter lock made every Python step of that redraw wait for it, stretching a 20 ms
redraw to over 100 ms; the window's thread alone redraws at full speed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Callable, Iterator, Optional

from PySide6.QtCore import QObject, QTimer, Signal

from explorer.paint_turns import painting

INTERVAL = 0.25       # seconds between progress signals: 4 redraws a second at most
NICE = 10             # a job thread's niceness: the window's thread comes first
SWITCH = 0.001        # Python's thread switch interval while a job runs (as the descent worker)
HANDOFF = 0.15        # seconds a job waits at most for the window to draw a progress signal

_running = 0          # jobs running in all workers; the first sets SWITCH, the last restores
_saved_switch = None
_switch_lock = threading.Lock()


def _job_started() -> None:
    """A job's Python loop would keep the window's thread waiting for the interpreter up to
    5 ms at a time (the default switch interval); 1 ms lets the window in more often."""
    global _running, _saved_switch
    with _switch_lock:
        if _running == 0:
            _saved_switch = sys.getswitchinterval()
            sys.setswitchinterval(min(_saved_switch, SWITCH))
        _running += 1


def _lower_priority() -> None:
    """Make the calling thread (a job's) yield the CPU to the window's thread: on Linux a
    thread's nice value is its own. Elsewhere, or when refused, nothing changes."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):
        pass


def _job_ended() -> None:
    global _running
    with _switch_lock:
        _running -= 1
        if _running == 0 and _saved_switch is not None:
            sys.setswitchinterval(_saved_switch)


class JobWorker(QObject):
    """Runs one job at a time; see the module's docstring."""

    progress = Signal(object, object)
    finished = Signal(object, object)
    failed = Signal(object, str)
    cancelled = Signal(object)
    _shown = Signal(object)       # follows each progress: the window has run its slots

    def __init__(self, name: str, parent=None, interval: float = INTERVAL,
                 handoff: float = HANDOFF):
        super().__init__(parent)
        self.name = name
        self.interval = interval
        self.handoff = handoff
        self._thread: Optional[threading.Thread] = None
        self._cancel = threading.Event()
        self.tag = None
        self._shown.connect(self._after_slots)

    def _after_slots(self, drawn: threading.Event) -> None:
        """In the window's thread, after the progress slots: a zero timer fires once the
        repaint they asked for (posted before it) is done, and again while plots wait for
        their turn to paint (``common.paint_in_turns``); then the job may go on."""
        QTimer.singleShot(0, lambda: self._after_slots(drawn) if painting() else drawn.set())

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, tag, make: Callable[[], Iterator]) -> bool:
        """Start ``make()``'s job; False (nothing started) while one still runs."""
        if self.running:
            return False
        self.tag = tag
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(tag, make, self._cancel),
                                        name=f"network-{self.name}", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        """Ask the job to stop at its next snapshot (``cancelled`` follows)."""
        self._cancel.set()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until the job's thread ends (tests, closing); True when it has."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _run(self, tag, make, cancel: threading.Event) -> None:
        _lower_priority()
        _job_started()
        try:
            self._work(tag, make, cancel)
        finally:
            _job_ended()

    def _work(self, tag, make, cancel: threading.Event) -> None:
        last, shown = None, 0.0
        gen = None
        try:
            gen = make()
            for snapshot in gen:
                if cancel.is_set():
                    gen.close()
                    self.cancelled.emit(tag)
                    return
                last = snapshot
                now = time.perf_counter()
                if now - shown >= self.interval:
                    drawn = threading.Event()
                    self.progress.emit(tag, snapshot)
                    self._shown.emit(drawn)
                    drawn.wait(self.handoff)     # the interpreter is the window's meanwhile
                    shown = time.perf_counter()
            if cancel.is_set():
                self.cancelled.emit(tag)
                return
        except Exception as exc:            # reported in the panel, never a crash
            if gen is not None:
                gen.close()
            self.failed.emit(tag, _plain(exc))
            return
        self.finished.emit(tag, last)


def _plain(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, (ValueError, ArithmeticError)):
        return text[0].upper() + text[1:]
    return f"{type(exc).__name__}: {text}"
