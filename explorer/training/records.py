"""What a training run is given and what it sends back: plain dataclasses, no Qt.

The worker thread fills these; the training panel's model reads them. Arrays in them
are the worker's own fresh copies, never views into the arrays it is training.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

import numpy as np

from engine.network import Network
from engine.sgd import BatchProgress, EpochResult


@dataclass
class RunConfig:
    """Everything one run needs. ``net`` is trained in place: hand the worker a network
    that nothing else reads while it runs."""

    net: Network
    eta: float = 3.0
    mini_batch_size: int = 10
    epochs: int = 30
    lmbda: float = 0.0
    seed: Optional[int] = 1
    train_size: Optional[int] = None      # first N training images; None = all
    split: str = "book"
    data_dir: Optional[str] = None
    monitor_training: bool = True
    epoch_offset: int = 0                 # epochs already trained (a continued run)
    examples_offset: int = 0              # examples already seen (a continued run)
    loader: Optional[Callable] = None     # (data_dir, split) -> MnistData (the session's MNIST store)
    augment: str = "off"                  # distort the training images: "off", "on" (every
                                          # kind) or kinds for engine.augment.parse_kinds


@dataclass
class Marker:
    """eta or m changed: from ``examples`` (examples seen) and fractional ``epoch`` on."""

    examples: int
    epoch: float
    eta: float
    mini_batch_size: int


@dataclass
class Update:
    """One throttled packet for the window. Arrays are the worker's own fresh copies."""

    examples: np.ndarray                  # examples seen after each mini-batch (float64)
    costs: np.ndarray                     # each mini-batch's cost
    epochs: List[EpochResult]             # epochs finished since the last packet (no weights)
    markers: List[Marker]
    last: Optional[BatchProgress]         # the newest mini-batch (epoch numbers offset)
    active_seconds: float                 # wall time of this run, pauses excluded
    examples_this_run: int
    total_examples: int                   # examples this run will see in all (estimate)
    snapshot: Optional[Tuple[Network, int]] = None   # (a copy of the net, its epoch)


@dataclass
class Outcome:
    """How a run ended: kind is "finished", "stopped", "diverged", "no-data" or "error"."""

    kind: str
    message: str = ""
    net: Optional[Network] = None          # a copy of the trained net (not for "diverged")
    epochs_done: int = 0                   # epochs completed in this run
    examples_seen: int = 0                 # examples seen in this run
    active_seconds: float = 0.0
