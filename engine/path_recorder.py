"""Recording the path that training takes through weight space.

Gradient descent moves the point w (all 23,860 weights and biases of 784-30-10) a small
step every mini-batch. ``PathRecorder`` keeps copies of w along the way, so that the
landscape view (``engine.landscape``) can find the plane the path mostly lies in and
draw the path on it.

Memory stays bounded: the recorder keeps at most ``capacity`` snapshots. It starts by
keeping one every ``every`` mini-batches; when full, it drops every second snapshot and
from then on keeps one every ``2 * every`` (and so on), so the snapshots always cover the
whole run evenly, however long it is. The initial weights are always kept.

Use it on the trainer's stream::

    recorder = PathRecorder(net, every=50)
    for record in recorder.watch(trainer.run()):
        ...                                  # the records pass through unchanged
    path = recorder.path()                   # (snapshots, 23,860), initial weights first
"""

from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

from engine.network import Network
from engine.sgd import BatchProgress
from engine.weight_space import flatten


class PathRecorder:
    """Snapshots of ``net``'s weights every ``every`` mini-batches, at most ``capacity``.

    ``steps()`` gives the number of mini-batches (updates) done at each snapshot; the
    first snapshot (step 0) is the weights when the recorder was made.
    """

    def __init__(self, net: Network, every: int = 50, capacity: int = 200):
        if int(every) != every or every < 1:
            raise ValueError(f"every must be a whole number of mini-batches >= 1, got {every!r}")
        if int(capacity) != capacity or capacity < 4:
            raise ValueError(f"capacity must be a whole number >= 4, got {capacity!r}")
        self.net = net
        self.every = int(every)
        self.capacity = int(capacity)
        first = flatten(net.params)
        self._store = np.empty((self.capacity, len(first)), dtype=first.dtype)
        self._steps = np.empty(self.capacity, dtype=np.int64)
        self._store[0] = first
        self._steps[0] = 0
        self._count = 1
        self.updates = 0       # mini-batches seen so far

    def __len__(self) -> int:
        return self._count

    def observe(self, record) -> None:
        """Take note of one record from ``Trainer.run()``; a ``BatchProgress`` is one update."""
        if isinstance(record, BatchProgress):
            self.updates += 1
            if self.updates % self.every == 0:
                self._append(self.updates)

    def watch(self, stream: Iterable) -> Iterator:
        """Pass the trainer's records through, observing each."""
        for record in stream:
            self.observe(record)
            yield record

    def record_now(self) -> None:
        """Keep the current weights too (e.g. at the end of a run), unless just kept."""
        if self._steps[self._count - 1] != self.updates:
            self._append(self.updates)

    def _append(self, step: int) -> None:
        if self._count == self.capacity:
            # Full: keep snapshots 0, 2, 4, ... (multiples of 2 * every) and space out.
            keep = np.arange(0, self._count, 2)
            self._store[:len(keep)] = self._store[keep]
            self._steps[:len(keep)] = self._steps[keep]
            self._count = len(keep)
            self.every *= 2
        self._store[self._count] = flatten(self.net.params)
        self._steps[self._count] = step
        self._count += 1

    def path(self, include_current: bool = True) -> np.ndarray:
        """A copy of the snapshots, shape (count, parameters), initial weights first; with
        ``include_current`` the network's present weights are the last row."""
        if include_current:
            self.record_now()
        return self._store[:self._count].copy()

    def steps(self) -> np.ndarray:
        """The mini-batch count at each snapshot (0 for the initial weights)."""
        return self._steps[:self._count].copy()
