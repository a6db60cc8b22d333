"""The descent panel's trails, computed away from the GUI thread so the window never waits.

``ProcessTrailWorker`` (the panel's choice) computes them in a separate process;
``TrailWorker`` on a thread of this process (the fallback where no process can start).

``TrailWorker(model)`` becomes the model's ``runner``: each change hands it a ``Job``;
the thread computes the first ``FIRST_STEPS`` steps of every rule (shown at once), then
the whole trails, and hands each result back to the GUI thread through a queued signal,
where ``DescentModel.deliver`` shows it unless a newer change made it stale. Only the
latest job waits: one that a newer job overtook is never started, and one being computed
stops at its next check (``optimizers.Stale``). The thread gives the GIL away every few
steps (a short sleep), and while it computes the interpreter's switch interval is 1 ms
instead of 5 ms, so the GUI thread waits at most about 1 ms for the GIL each time.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Optional

from PySide6.QtCore import QObject, Signal

from engine import optimizers
from explorer.descent.model import FIRST_STEPS, DescentModel, Job, compute_trails, long_job


class _Runner(QObject):
    """What both workers share: the model whose ``runner`` they are, and the GUI thread's
    end of a job: ``delivered`` and ``failed``, emitted from another thread, are queued
    to the slots here, which hand the result to the model."""

    delivered = Signal(object, object, bool)    # job, trails, final
    failed = Signal(object, str)                # job, message

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.computed = 0                   # jobs finished (for tests and the bench)
        self.abandoned = 0                  # jobs stopped because a newer one came
        self.delivered.connect(self._deliver)
        self.failed.connect(self._failed)

    def _deliver(self, job: Job, trails, final: bool) -> None:
        self.model.deliver(job, trails, final)

    def _failed(self, job: Job, message: str) -> None:
        if job.generation == self.model.generation:
            self.model.deliver(job, {}, True)
            self.model._set_error(message)

    def wait(self, timeout: float = 30.0) -> bool:
        """Process events until the model's latest job is delivered (tests, scripts)."""
        from PySide6.QtCore import QCoreApplication

        end = time.monotonic() + timeout
        while self.model.busy and time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.002)
        QCoreApplication.processEvents()    # what the views do a turn later (long trails)
        return not self.model.busy


class TrailWorker(_Runner):
    """One daemon thread that computes the model's latest job."""

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(model, parent)
        self._cond = threading.Condition()
        self._job: Optional[Job] = None
        self._closed = False
        self._done = threading.Event()
        self._done.set()
        self._thread = threading.Thread(target=self._loop, name="descent-trails", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ GUI thread
    def __call__(self, job: Job) -> None:
        with self._cond:
            self._job = job
            self._done.clear()
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._job = None
            self._cond.notify()
        self._thread.join(timeout=5)

    # ------------------------------------------------------------------ worker thread
    def _stale(self, job: Job) -> bool:
        time.sleep(0.0002)                  # let the GUI thread have the GIL
        return self._closed or job.generation != self.model.generation

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._job is None and not self._closed:
                    self._done.set()
                    self._cond.wait()
                if self._closed:
                    return
                job, self._job = self._job, None
            stale = lambda job=job: self._stale(job)  # noqa: E731
            interval = sys.getswitchinterval()
            sys.setswitchinterval(min(interval, 0.001))
            try:
                if long_job(job):
                    self.delivered.emit(job, compute_trails(job, stale, FIRST_STEPS), False)
                trails = compute_trails(job, stale)
            except optimizers.Stale:
                self.abandoned += 1
                continue
            except Exception as exc:        # a bug must not kill the thread silently
                self.failed.emit(job, f"The trails could not be computed: {exc}")
                continue
            finally:
                sys.setswitchinterval(interval)
            self.computed += 1
            self.delivered.emit(job, trails, True)


class ProcessTrailWorker(_Runner):
    """The trails computed in a separate process (``model.serve_trails``), so the GUI
    thread never waits for the GIL: on a busy machine a worker *thread* that the system
    preempts while it holds the GIL stalls the window for as long as it is off the CPU.

    Same use as ``TrailWorker``: the model's ``runner``. The newest generation is shared
    with the process (stale work stops at its next check); a reader thread receives the
    results and hands them to the GUI thread by a queued signal."""

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(model, parent)
        import multiprocessing

        self._ctx = multiprocessing.get_context("spawn")
        self._latest = self._ctx.Value("q", 0, lock=False)
        self._jobs = {}
        self._lock = threading.Lock()
        self._process = None
        self._start()

    def _start(self) -> None:
        from explorer.descent.model import serve_trails

        here, there = self._ctx.Pipe()
        self._conn = here
        self._process = self._ctx.Process(target=serve_trails, args=(there, self._latest),
                                          name="descent-trails", daemon=True)
        self._process.start()
        there.close()
        self._reader = threading.Thread(target=self._read, args=(here,),
                                        name="descent-trails-reader", daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ GUI thread
    def __call__(self, job: Job) -> None:
        if self._process is None or not self._process.is_alive():
            self._start()
        with self._lock:
            self._jobs = {job.generation: job}
        self._latest.value = job.generation
        self._conn.send((job.generation, job.spec, job.start, job.methods, job.settings,
                         FIRST_STEPS))

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            self._latest.value = -1
            self._conn.send(None)
        except (OSError, ValueError):
            pass
        process.join(timeout=3)
        if process.is_alive():
            process.terminate()
            process.join(timeout=2)
        self._conn.close()

    # ------------------------------------------------------------------ reader thread
    def _read(self, conn) -> None:
        while True:
            try:
                gen, kind, payload = conn.recv()
            except (EOFError, OSError):
                return
            with self._lock:
                job = self._jobs.get(gen)
            if kind == "stale":
                self.abandoned += 1
            elif job is None:
                continue
            elif kind == "error":
                self.failed.emit(job, f"The trails could not be computed: {payload}")
            else:
                if kind == "final":
                    self.computed += 1
                self.delivered.emit(job, payload, kind == "final")
