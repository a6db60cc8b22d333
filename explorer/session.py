"""What the panels share: the MNIST store, where MNIST is, and which network the
drawing pad asks.

The training panel calls ``set_model`` when it builds, trains or loads a network;
the drawing pad listens to ``model_changed``. The shipped model answers until then.
``mnist`` is the one copy of MNIST every panel reads (see ``explorer.mnist_store``).
"""

from __future__ import annotations

import importlib.resources
import threading
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QObject, Signal

from engine import mnist, model_io
from engine.network import Network
from explorer.mnist_store import MnistCache

# the resources package: the checkout's resources/ folder, or its installed copy
RESOURCES = Path(str(importlib.resources.files("resources")))
SHIPPED_MODEL = RESOURCES / "model-784-100-10.npz"


class MnistStore(QObject):
    """The session's MNIST: ``request()`` reads it in a background thread; ``ready``
    (the full-split ``MnistData``) or ``failed`` (a message to show) follows in the
    GUI thread. ``load(data_dir, split)`` blocks, for worker threads."""

    ready = Signal(object)
    failed = Signal(str)

    def __init__(self, data_dir_of: Callable[[], Optional[str]], parent=None):
        super().__init__(parent)
        self._data_dir_of = data_dir_of
        self.cache = MnistCache()
        self._thread: Optional[threading.Thread] = None

    @property
    def data(self) -> Optional[mnist.MnistData]:
        return self.cache.peek()

    @property
    def loading(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def load(self, data_dir: Optional[str], split: str = "full") -> mnist.MnistData:
        return self.cache.load(data_dir, split)

    def request(self) -> None:
        """Start reading (if not already in memory or on the way)."""
        if self.loading:
            return
        data_dir = self._data_dir_of()
        self._thread = threading.Thread(target=self._read, args=(data_dir,),
                                        name="mnist-store", daemon=True)
        self._thread.start()

    def _read(self, data_dir) -> None:
        try:
            data = self.cache.load(data_dir, "full")
        except mnist.MnistError as exc:
            self.failed.emit(str(exc))
        except (OSError, ValueError) as exc:
            self.failed.emit(f"Could not read MNIST: {exc}")
        else:
            self.ready.emit(data)

    def wait(self, timeout: Optional[float] = None) -> None:
        """Wait for a read in progress (tests, and closing the window)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)


class Session(QObject):
    """Shared state of one window: the data folder, MNIST, and the answering model."""

    # (network, a label saying which model it is: "shipped", "being trained", a file name)
    model_changed = Signal(object, str)

    def __init__(self, data_dir: Optional[str] = None, model_path: Optional[str] = None,
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.mnist = MnistStore(lambda: self.data_dir, self)
        self.model: Optional[Network] = None
        self.model_label = "no model"
        self.model_error: Optional[str] = None
        path = Path(model_path) if model_path else SHIPPED_MODEL
        try:
            net = model_io.load(path, expect_sizes=(784, 10))
        except model_io.ModelError as exc:
            self.model_error = str(exc)
        else:
            label = "shipped model" if path == SHIPPED_MODEL else f"file {path.name}"
            self.model, self.model_label = net, label

    def set_model(self, net: Optional[Network], label: str) -> None:
        """Make ``net`` the answering model and tell every listener."""
        self.model, self.model_label = net, label
        self.model_changed.emit(net, label)
