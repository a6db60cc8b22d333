"""One copy of MNIST for the whole window, read once, off the GUI thread.

``MnistCache`` (plain Python, thread-safe) reads the four files of a folder once, as the
full 60,000 training images, and hands out either split as views of that one copy: the
book's split is the first 50,000 for training and the last 10,000 for validation.

``explorer.session.MnistStore`` wraps the cache for the window: ``request()`` starts
reading in a background thread and ``ready``/``failed`` arrive in the GUI thread
afterwards, so no panel ever waits for the disk. The training worker, already in a
thread of its own, calls ``load()``, which blocks only that thread; when both ask at the
same time the files are still read once (the second caller waits for the first).
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Callable, Optional

from engine import mnist


class MnistCache:
    """MNIST read once per folder; both splits are views of the one copy in memory."""

    def __init__(self, reader: Callable = None):
        self._lock = threading.Lock()          # held while reading: one read at a time
        self._key: Optional[str] = None
        self._full: Optional[mnist.MnistData] = None
        self._reader = reader or (lambda folder: mnist.load_data(folder, split="full",
                                                                 download=False))
        self.reads = 0                         # how many times the files were read

    def load(self, data_dir: Optional[str], split: str = "full") -> mnist.MnistData:
        """MNIST from ``data_dir`` (else MNIST_DIR, else the cache folder), never
        downloading: raises ``mnist.MnistError`` when it is missing or unreadable."""
        if split not in ("book", "full"):
            raise ValueError(f"split must be 'book' or 'full', got {split!r}")
        folder, origin = mnist.locate(data_dir, download=False)
        key = str(Path(folder).resolve())
        with self._lock:
            if self._key != key or self._full is None:
                self._full, self._key = None, None       # one copy at a time (~200 MB)
                data = self._reader(folder)
                self.reads += 1
                self._full, self._key = data, key
            full = self._full
        return _split(dataclasses.replace(full, origin=origin), split)

    def peek(self) -> Optional[mnist.MnistData]:
        """The data already in memory (full split), or None; never reads."""
        return self._full

    def clear(self) -> None:
        with self._lock:
            self._full, self._key = None, None


def _split(full: mnist.MnistData, split: str) -> mnist.MnistData:
    training = full.training
    if split == "full" or len(training) <= mnist.BOOK_TRAINING:
        return full
    n = mnist.BOOK_TRAINING
    return dataclasses.replace(
        full,
        training=mnist.Dataset(training.images[:n], training.labels[:n]),
        validation=mnist.Dataset(training.images[n:], training.labels[n:]))
