"""Worker threads of the Inside panel: the latest job only, and the random-labels run.

``LatestJob`` runs one function at a time in a thread of its own. A job submitted while
another runs waits; a newer one replaces a waiting one (a stale confusion matrix for a
network already replaced is never computed). Results come back as the ``done`` signal,
queued into the window's thread with the tag they were submitted with.

``RandomLabelsWorker`` iterates ``engine.random_labels.RandomLabels.run()`` in a thread
and sends every epoch; ``stop()`` works from any thread.
"""

from __future__ import annotations

import threading
from typing import Callable, Optional

from PySide6.QtCore import QObject, Signal

from engine.sgd import Diverged


class LatestJob(QObject):
    """One thread, at most one job waiting; ``done(tag, result)`` / ``failed(tag, text)``."""

    done = Signal(object, object)
    failed = Signal(object, str)

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self._name = name
        self._cond = threading.Condition()
        self._pending: Optional[tuple] = None
        self._closed = False
        self._busy = False
        self._thread: Optional[threading.Thread] = None

    def submit(self, tag, job: Callable[[], object]) -> None:
        with self._cond:
            if self._closed:
                return
            self._pending = (tag, job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name,
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    @property
    def idle(self) -> bool:
        with self._cond:
            return self._pending is None and not self._busy

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                tag, job = self._pending
                self._pending = None
                self._busy = True
            try:
                result = job()
            except Exception as exc:        # reported, never a crash of the thread
                self.failed.emit(tag, f"{type(exc).__name__}: {exc}")
            else:
                self.done.emit(tag, result)
            finally:
                with self._cond:
                    self._busy = False

    def close(self, timeout: float = 5.0) -> None:
        """Drop a waiting job, let the running one end, and stop the thread."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)


class RandomLabelsWorker(QObject):
    """Runs one ``RandomLabels`` experiment; ``epoch(RandomLabelsEpoch)`` after each
    epoch, then ``finished(message)``."""

    epoch = Signal(object)
    finished = Signal(str)

    def __init__(self, experiment, parent=None):
        super().__init__(parent)
        self.experiment = experiment
        self._thread = threading.Thread(target=self._run, name="random-labels", daemon=True)
        self._stopped = False

    def start(self) -> None:
        self._thread.start()

    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stopped = True
        self.experiment.stop()

    def wait(self, timeout: Optional[float] = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        last = None
        try:
            for record in self.experiment.run():
                last = record
                self.epoch.emit(record)
        except Diverged as exc:
            self.finished.emit(f"The run diverged: {exc}")
            return
        except Exception as exc:
            self.finished.emit(f"The run failed: {type(exc).__name__}: {exc}")
            return
        done = last.epoch if last is not None else 0
        if self._stopped:
            self.finished.emit(f"Stopped after {done} epoch{'s' if done != 1 else ''}.")
        else:
            self.finished.emit(f"Finished {done} epochs.")
