"""What the panels share: the MNIST store, where MNIST is, and which network the
drawing pad asks.

``models`` (an ``explorer.model_registry.ModelRegistry``) lists the networks the pad can
ask: the shipped model, the training panel's network (``set_training``, followed live)
and models loaded from files (``add_file``); ``choose(key)`` is the learner's pick from
the pad's menu. ``model`` and ``model_label`` are the answering network and its name;
``model_changed(net, label)`` tells every listener when either changes (the drawing pad,
the panels that look inside the pad's network), ``models_changed`` when the list or an
entry's text changes. A failed run never calls ``set_training``, so it changes nothing.
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
from explorer.model_registry import ModelEntry, ModelRegistry

# the resources package: the checkout's resources/ folder, or its installed copy
RESOURCES = Path(str(importlib.resources.files("resources")))
SHIPPED_MODEL = RESOURCES / "model-784-500-300-10.npz"


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
        """MNIST now, blocking (for worker threads: the training run). When this call is
        what read the files, ``ready`` tells every panel, as after ``request()``: the
        Inside and Real network panels then have the data the training run read."""
        reads = self.cache.reads
        data = self.cache.load(data_dir, split)
        if self.cache.reads != reads and self.cache.peek() is not None:
            self.ready.emit(self.cache.peek())
        return data

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
    """Shared state of one window: the data folder, MNIST, and the pad's models."""

    # (network, a label saying which model it is: "shipped model", "being trained:
    # 784-30-10, epoch 3", "file model.npz")
    model_changed = Signal(object, str)
    models_changed = Signal()
    # an automatic switch of the pad's model, and why (e.g. a trained network beat
    # the shipped one)
    model_switched = Signal(str)

    def __init__(self, data_dir: Optional[str] = None, model_path: Optional[str] = None,
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.mnist = MnistStore(lambda: self.data_dir, self)
        self.models = ModelRegistry()
        self.model: Optional[Network] = None
        self.model_label = "no model"
        self.model_error: Optional[str] = None
        try:
            self.models.add_shipped(model_io.load(SHIPPED_MODEL, expect_sizes=(784, 10)))
        except model_io.ModelError as exc:
            self.model_error = str(exc)
        if model_path and Path(model_path) != SHIPPED_MODEL:
            try:
                net = model_io.load(model_path, expect_sizes=(784, 10))
            except model_io.ModelError as exc:
                self.model_error = str(exc)
            else:
                self.models.add_file(net, model_path, choose=True)
                self.model_error = None
        self._sync(announce=False)

    # ------------------------------------------------------------------ the pad's models
    @property
    def model_entry(self) -> Optional[ModelEntry]:
        return self.models.chosen

    def _sync(self, announce: bool = True) -> None:
        """Bring ``model`` and ``model_label`` up to the registry's choice, and tell."""
        entry = self.models.chosen
        net, label = (entry.net, entry.label) if entry is not None else (None, "no model")
        note, self.models.note = self.models.note, ""
        changed = net is not self.model or label != self.model_label
        self.model, self.model_label = net, label
        if not announce:
            return
        self.models_changed.emit()
        if changed:
            self.model_changed.emit(net, label)
        if note:
            self.model_switched.emit(note)

    def choose(self, key: str) -> bool:
        """The learner picked ``key`` in the pad's menu."""
        ok = self.models.choose(key)
        if ok:
            self._sync()
        return ok

    def set_training(self, net: Optional[Network], epoch: Optional[int] = None,
                     accuracy: Optional[float] = None) -> None:
        """The training panel's network (a copy nothing else changes), after ``epoch``
        epochs with test ``accuracy``; None when it has none to offer."""
        self.models.set_training(net, epoch, accuracy)
        self._sync()

    def add_file(self, net: Network, path, choose: bool = False) -> ModelEntry:
        """A model loaded from ``path`` joins the pad's menu (and answers if ``choose``);
        the shipped model's own file is its entry, not a second one."""
        shipped = self.models.get("shipped")
        try:
            same = shipped is not None and Path(path).resolve() == SHIPPED_MODEL.resolve()
        except OSError:
            same = False
        if same:
            if choose:
                self.models.choose("shipped")
            self._sync()
            return shipped
        entry = self.models.add_file(net, path, choose)
        self._sync()
        return entry

    def set_model(self, net: Optional[Network], label: str) -> None:
        """Make ``net`` the answering model under ``label`` and tell every listener."""
        if net is None:
            self.model, self.model_label = None, label
            self.model_changed.emit(None, label)
            return
        self.models.add_given(net, label)
        self._sync()
