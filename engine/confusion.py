"""The confusion matrix: which digits the network mistakes for which.

Feed every test image through the network and count, for each pair (true digit, guess),
how many images of that digit got that guess. The diagonal holds the right answers; every
other cell is one kind of mistake, such as a 4 read as a 9. Row d divided by its total is
how the network does on the digit d; the diagonal's sum over all images is the accuracy
the training panel reports.

Each cell also keeps *which* images fell into it, ordered by the network's confidence,
the most confident first: in a mistake cell the first image is the one the network got
wrong most boldly. Confidence is the output of the answer a_guess (each output is a
sigmoid in (0, 1), so it reads "how much it looks like a 9"), or with
``confidence="share"`` that output's share of the ten, a_guess / sum_j a_j.

Speed: one forward pass of the 10,000 test images (float32, one BLAS thread) and one
sort; about 30-50 ms for 784-30-10, so the matrix can follow a network while it trains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.blas import one_blas_thread
from engine.network import Network

CONFIDENCES = ("output", "share")


@dataclass(frozen=True)
class Confusion:
    """A confusion matrix with the images behind each cell.

    ``counts[d, g]`` is the number of images of digit d the network answered g.
    ``guesses``, ``labels``, ``confidence`` (n,) give each image's answer, true digit and
    the confidence used for ordering; ``outputs`` (n, 10) are the network's outputs.
    """

    counts: np.ndarray              # (10, 10) int64, rows true digit, columns guess
    labels: np.ndarray              # (n,) the true digits
    guesses: np.ndarray             # (n,) argmax of the outputs
    confidence: np.ndarray          # (n,) float32, what the cells are ordered by
    confidence_name: str            # "output" or "share"
    outputs: np.ndarray = field(repr=False)   # (n, 10) float32
    _order: np.ndarray = field(repr=False)    # image indices sorted by cell, then confidence
    _starts: np.ndarray = field(repr=False)   # where each cell's run begins in _order

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    @property
    def correct(self) -> int:
        return int(np.trace(self.counts))

    @property
    def accuracy(self) -> float:
        """The share of all images answered right (nan for no images)."""
        return self.correct / self.total if self.total else float("nan")

    @property
    def per_digit_accuracy(self) -> np.ndarray:
        """(10,) the share of each digit's images answered right (nan for an absent digit)."""
        rows = self.counts.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(rows > 0, np.diag(self.counts) / np.maximum(rows, 1), np.nan)

    def cell(self, digit: int, guess: int) -> np.ndarray:
        """Indices (into the images given) of the images of ``digit`` answered ``guess``,
        the most confident answer first."""
        n = len(self.counts)
        for name, v in (("digit", digit), ("guess", guess)):
            if not isinstance(v, (int, np.integer)) or not 0 <= v < n:
                raise ValueError(f"{name} must be 0 to {n - 1}, got {v!r}")
        k = int(digit) * n + int(guess)
        return self._order[self._starts[k]:self._starts[k + 1]]

    def mistakes(self, limit: int | None = None) -> np.ndarray:
        """Indices of every wrongly answered image, the most confident mistake first
        (across all digits); at most ``limit`` of them."""
        wrong = np.flatnonzero(self.guesses != self.labels)
        order = wrong[np.argsort(-self.confidence[wrong], kind="stable")]
        return order if limit is None else order[:max(0, int(limit))]


def confusion_matrix(net: Network, images, labels, confidence: str = "output",
                     chunk: int = 10_000) -> Confusion:
    """The confusion matrix of ``net`` on ``images`` (n, 784) with digit ``labels`` (n,).

    ``confidence`` orders each cell's images: "output" (a_guess) or "share"
    (a_guess / sum_j a_j). Runs with one BLAS thread (see ``engine.blas``).
    """
    if confidence not in CONFIDENCES:
        raise ValueError(f"confidence must be one of {', '.join(CONFIDENCES)}, got {confidence!r}")
    images = np.asarray(images)
    labels = np.asarray(labels)
    n_out = net.sizes[-1]
    if images.ndim != 2 or images.shape[1] != net.sizes[0] or labels.shape != (len(images),):
        raise ValueError(f"images must have shape (n, {net.sizes[0]}) and labels shape (n,), "
                         f"got {images.shape} and {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_out):
        raise ValueError(f"labels must be 0 to {n_out - 1}")
    labels = labels.astype(np.intp)
    n = len(images)
    outputs = np.empty((n, n_out), net.dtype)
    with one_blas_thread():
        for start in range(0, n, chunk):
            outputs[start:start + chunk] = net.feedforward(images[start:start + chunk])
    guesses = outputs.argmax(axis=1)
    conf = outputs[np.arange(n), guesses]
    if confidence == "share":
        conf = conf / outputs.sum(axis=1)
    keys = labels * n_out + guesses
    counts = np.bincount(keys, minlength=n_out * n_out)
    # sort by cell, and within a cell by falling confidence (lexsort: last key first)
    order = np.lexsort((-conf, keys))
    starts = np.zeros(n_out * n_out + 1, np.intp)
    np.cumsum(counts, out=starts[1:])
    return Confusion(counts.reshape(n_out, n_out).astype(np.int64), labels, guesses,
                     conf.astype(np.float32, copy=False), confidence, outputs, order, starts)
