""""MNIST is missing": download it (progress bar, cancel) or choose a folder that holds it.

The download runs ``engine.mnist.fetch`` in a QThread. Its progress object is pooch's
kind (``total``, ``update(n)``, ``reset()``, ``close()``); ``update`` raises
``DownloadCancelled`` once Cancel is pressed, which ends the download between two
chunks (pooch then removes its temporary file). A failure shows the engine's message,
which says what to do, and leaves the dialog open to try again or choose a folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from engine import mnist
from engine.mnist import DownloadCancelled


class _Progress:
    """The object pooch reports to; it forwards (done, total) at most 20 times a second."""

    def __init__(self, worker: "DownloadWorker"):
        self.worker = worker
        self.total = 0
        self.n = 0
        self._last = 0.0

    def update(self, n) -> None:
        if self.worker.cancelled:
            raise DownloadCancelled("cancelled")
        self.n += int(n)
        now = time.monotonic()
        if now - self._last >= 0.05 or (self.total and self.n >= self.total):
            self._last = now
            self.worker.progress.emit(self.worker.file_index, int(self.n), int(self.total or 0))

    def reset(self) -> None:
        self.n = 0

    def close(self) -> None:
        pass


class DownloadWorker(QThread):
    """Runs ``fetch(dest, ...)`` off the main thread."""

    progress = Signal(int, int, int)      # file index (0-3), bytes done, bytes in all
    done = Signal(str, str)               # ("ok" | "cancelled" | "failed", message or folder)

    def __init__(self, dest: Path, mirrors=None, hashes=None, parent=None):
        super().__init__(parent)
        self.dest = Path(dest)
        self.mirrors = mirrors
        self.hashes = hashes
        self.cancelled = False
        self.file_index = 0

    def cancel(self) -> None:
        self.cancelled = True

    def run(self) -> None:
        hashes = dict(self.hashes if self.hashes is not None else mnist.PUBLISHED_SHA256)
        kwargs = {"mirrors": self.mirrors} if self.mirrors is not None else {}
        try:
            # One file at a time, so the bar can say which file it is on.
            for i, (name, sha) in enumerate(hashes.items()):
                if self.cancelled:
                    raise DownloadCancelled("cancelled")
                self.file_index = i
                mnist.fetch(self.dest, hashes={name: sha}, progressbar=_Progress(self), **kwargs)
        except DownloadCancelled:       # (an MnistError too: caught first)
            mnist.remove_partial_downloads(self.dest)
            self.done.emit("cancelled", "The download was cancelled.")
        except mnist.MnistError as exc:
            self.done.emit("failed", str(exc))
        except Exception as exc:    # anything else still gets a message, not a crash
            mnist.remove_partial_downloads(self.dest)
            self.done.emit("failed", f"The download failed: {type(exc).__name__}: {exc}")
        else:
            self.done.emit("ok", str(self.dest))


class MnistDialog(QDialog):
    """Says why MNIST could not be used, and offers to download it or to choose a folder.

    After ``accept()``, ``folder`` is the folder holding MNIST and ``origin`` is
    "download" or "folder".
    """

    def __init__(self, message: str, parent=None, dest: Optional[Path] = None,
                 mirrors=None, hashes=None, need: str = "Training needs"):
        super().__init__(parent)
        self.setWindowTitle("MNIST is missing")
        self.setObjectName("mnist-dialog")
        self.setMinimumWidth(560)
        self.dest = Path(dest) if dest is not None else mnist.cache_dir()
        self.mirrors = mirrors
        self.hashes = hashes
        self.folder: Optional[Path] = None
        self.origin = ""
        self.worker: Optional[DownloadWorker] = None
        self._files = len(hashes) if hashes is not None else len(mnist.PUBLISHED_SHA256)

        # ``need`` says who asks ("Training needs", "The pad's test digits come from");
        # ``message`` is the engine's sentence on what is missing and where. Plain text:
        # the folder names in it are the user's.
        intro = QLabel(
            f"{need} the MNIST handwritten digits (four files, about 11 MB).\n\n"
            f"{message}\n\n"
            f"You can download them into {self.dest}, or choose a folder that already "
            f"holds them.")
        intro.setObjectName("mnist-intro")
        intro.setTextFormat(Qt.PlainText)
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.status = QLabel("")
        self.status.setObjectName("mnist-status")
        self.status.setTextFormat(Qt.PlainText)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setObjectName("mnist-progress")
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.bar.setVisible(False)

        self.download_button = QPushButton("Download")
        self.download_button.setObjectName("mnist-download")
        self.folder_button = QPushButton("Choose Folder…")
        self.folder_button.setObjectName("mnist-choose")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("mnist-cancel")
        self.download_button.clicked.connect(self.start_download)
        self.folder_button.clicked.connect(self.choose_folder)
        self.cancel_button.clicked.connect(self._cancel)

        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.bar)
        lay.addWidget(self.status)
        lay.addLayout(buttons)

    # ------------------------------------------------------------------ download
    def start_download(self) -> None:
        if self.worker is not None:
            return
        self.status.setStyleSheet("")
        self.status.setText("Connecting…")
        self.bar.setValue(0)
        self.bar.setVisible(True)
        self.download_button.setEnabled(False)
        self.folder_button.setEnabled(False)
        self.worker = DownloadWorker(self.dest, self.mirrors, self.hashes)
        self.worker.progress.connect(self._progress)
        self.worker.done.connect(self._done)
        self.worker.start()

    def _progress(self, index: int, done: int, total: int) -> None:
        frac = (done / total) if total else 0.0
        self.bar.setValue(int(1000 * (index + min(frac, 1.0)) / self._files))
        size = f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
        self.status.setText(f"Downloading file {index + 1} of {self._files}: {size}")

    def _done(self, kind: str, text: str) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        self.download_button.setEnabled(True)
        self.folder_button.setEnabled(True)
        if kind == "ok":
            self.bar.setValue(1000)
            self.folder, self.origin = Path(text), "download"
            self.accept()
            return
        self.bar.setVisible(False)
        if kind == "cancelled":
            self.status.setStyleSheet("")
            self.status.setText("Download cancelled; nothing half-written was kept.")
            if getattr(self, "_closing", False):
                self.reject()
        else:
            self.status.setStyleSheet("color: #b00020;")
            self.status.setText(text)
            self.download_button.setText("Try Again")

    def _cancel(self) -> None:
        if self.worker is not None:
            self.status.setText("Cancelling…")
            self.cancel_button.setEnabled(True)
            self.worker.cancel()
            return
        self.reject()

    # ------------------------------------------------------------------ folder
    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder holding the MNIST files")
        if not path:
            return
        self.use_folder(path)

    def use_folder(self, path) -> bool:
        if mnist.find_files(path) is None:
            self.status.setStyleSheet("color: #b00020;")
            self.status.setText(
                f"{path} does not hold the four MNIST files "
                f"({', '.join(n + '.gz' for n in mnist.FILES.values())}, gzipped or not). "
                f"Choose another folder, or download them.")
            return False
        self.folder, self.origin = Path(path), "folder"
        self.accept()
        return True

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        if self.worker is not None:     # closing mid-download: cancel, then close
            self._closing = True
            self.worker.cancel()
            return
        super().reject()

    def shutdown(self) -> None:
        """Cancel a download and wait for its thread (the window is closing)."""
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait()


def offer_download(panel, message: str, ready: Callable[[Path], None],
                   refused: Optional[Callable[[], None]] = None, *,
                   need: Optional[str] = None) -> None:
    """A panel's "MNIST is missing" flow: open the dialog (one at a time), then retry.

    ``panel`` is the dialog's parent; it holds the open dialog in ``panel.mnist_dialog``
    (None when there is none; a second offer while one is open does nothing) and the
    session whose ``data_dir`` MNIST is read from in ``panel.session``. ``need`` starts
    the dialog's sentence (MnistDialog's own when None). When the dialog gives a folder,
    a chosen folder is named from now on, and so is a download when --data or MNIST_DIR
    names a folder: those are looked at before the
    cache, and (missing MNIST) would be refused again after the download, bringing the
    same dialog back. Then ``ready(folder)`` retries; a cancelled dialog calls
    ``refused()`` when given.
    """
    if panel.mnist_dialog is not None:
        return
    dlg = MnistDialog(message, panel) if need is None else MnistDialog(message, panel, need=need)
    panel.mnist_dialog = dlg

    def done(result: int) -> None:
        panel.mnist_dialog = None
        dlg.deleteLater()
        if not result or dlg.folder is None:
            if refused is not None:
                refused()
            return
        if dlg.origin == "folder" or panel.session.data_dir or os.environ.get("MNIST_DIR"):
            panel.session.data_dir = str(dlg.folder)
        ready(dlg.folder)

    dlg.finished.connect(done)
    dlg.open()
