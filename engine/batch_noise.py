"""Why mini-batches? How good a guess of the gradient is a mini-batch, and what it buys.

The cost is an average over the n training images, C = (1/n) sum_x C_x, so its gradient
G = grad C = (1/n) sum_x grad C_x needs all n images: 50,000 forward and backward passes
for one step. The book's stochastic gradient descent instead estimates G from a random
mini-batch of m images,

    g_m = (1/m) sum_{x in batch} grad C_x,

which is right on average (E[g_m] = G) but noisy. Three measurements show the trade:

* ``gradient_agreement``: for m = 1, 10, 100, 1000, the cosine between g_m and G (1: the
  same direction) and the relative error ||g_m - G|| / ||G||, over many mini-batches.
  The error shrinks like 1/sqrt(m): averaging m independent guesses divides their
  variance by m;
* ``batch_size_race``: the book's trade-off itself. From identical initial weights, runs
  with m = 1, 10, 100 and the full batch each process the same number of examples; the
  cost is plotted against examples processed and against seconds. One pass over 50,000
  images makes n/m updates: 5,000 at m = 10, one at full batch. Many rough steps beat
  one exact step;
* ``NoiseScaleMonitor``: McCandlish et al. 2018's *gradient noise scale*

      B = tr(Sigma) / |G|^2,

  where Sigma is the covariance of the single-example gradients grad C_x. It is the
  mini-batch size at which the noise in g_m (variance tr(Sigma)/m) is as large as the
  signal |G|^2: for m much below B a step is mostly noise, and bigger batches help almost
  linearly; for m much above B the extra examples are wasted. B grows as training
  proceeds and the true gradient shrinks. It needs each example's squared gradient
  length, which a dense layer gives almost free (``engine.weight_space``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Dict, Iterable, Iterator, List, Optional, Sequence

import numpy as np

from engine.blas import one_blas_thread
from engine.network import Network
from engine.sgd import BatchProgress, Diverged, Trainer
from engine.weight_space import Sample, cost_and_correct, cost_and_gradient


# --------------------------------------------------------------------------- noise scale
@dataclass(frozen=True)
class NoiseEstimate:
    """From one batch of per-example gradients: unbiased estimates of tr(Sigma) and of
    |G|^2, and the noise scale B = tr(Sigma) / |G|^2 (inf when |G|^2 <= 0 is estimated)."""

    batch_size: int
    trace_sigma: float
    gradient_sq: float

    @property
    def noise_scale(self) -> float:
        return self.trace_sigma / self.gradient_sq if self.gradient_sq > 0 else math.inf


def noise_estimate(sq_norms: np.ndarray, mean_gradient: np.ndarray) -> NoiseEstimate:
    """tr(Sigma) and |G|^2 from the B values ||grad C_x||^2 of a batch and its mean
    gradient g_B. With S = (1/B) sum ||grad C_x||^2, the expectations are
    E[S] = |G|^2 + tr(Sigma) and E[||g_B||^2] = |G|^2 + tr(Sigma)/B, so

        tr(Sigma) ~ (S - ||g_B||^2) B/(B - 1),   |G|^2 ~ (B ||g_B||^2 - S)/(B - 1).
    """
    b = len(sq_norms)
    if b < 2:
        raise ValueError("the noise scale needs a batch of at least two examples")
    s = float(np.mean(sq_norms))
    g2 = float(mean_gradient @ mean_gradient)
    return NoiseEstimate(b, (s - g2) * b / (b - 1), (b * g2 - s) / (b - 1))


@dataclass(frozen=True)
class NoiseReading:
    """The noise scale during training: ``instant`` from this reading's batch alone, and
    ``noise_scale`` = smoothed tr(Sigma) / smoothed |G|^2 (the ratio of moving averages, as
    McCandlish et al. recommend, since each estimate alone is noisy)."""

    update: int
    examples_seen: int
    trace_sigma: float       # smoothed
    gradient_sq: float       # smoothed
    noise_scale: float
    instant: float
    cost: float              # the batch's mean cost at this point


class NoiseScaleMonitor:
    """Every ``every`` mini-batches, estimates the gradient noise scale B at the network's
    current weights from ``batch_size`` random training examples (a fresh draw each time),
    with exponential smoothing ``smoothing`` (0: none). ``readings`` keeps them all.
    One reading costs one forward and backward pass of ``batch_size`` examples."""

    def __init__(self, net: Network, data, every: int = 1000, batch_size: int = 500,
                 smoothing: float = 0.8, seed=0):
        if int(every) != every or every < 1:
            raise ValueError(f"every must be a whole number of mini-batches >= 1, got {every!r}")
        if int(batch_size) != batch_size or batch_size < 2:
            raise ValueError(f"batch_size must be a whole number >= 2, got {batch_size!r}")
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
        self.net = net
        self.images, self.labels = np.asarray(data[0]), np.asarray(data[1])
        if self.images.ndim != 2 or self.images.shape[1] != net.sizes[0]:
            raise ValueError(f"the images must have {net.sizes[0]} values each, as the "
                             f"network's input layer")
        self.every, self.batch_size, self.smoothing = int(every), int(batch_size), smoothing
        self.rng = np.random.default_rng(seed)
        self.updates = 0
        self.readings: List[NoiseReading] = []
        self._tr = self._g2 = None

    def measure(self, examples_seen: int = 0) -> NoiseReading:
        """One reading now, at the network's current weights."""
        idx = self.rng.choice(len(self.labels), min(self.batch_size, len(self.labels)),
                              replace=False)
        sample = Sample.from_data(self.images[idx], self.labels[idx], self.net.sizes[-1],
                                  self.net.dtype)
        cost, grad, sq = cost_and_gradient(self.net, self.net.params, sample, per_example=True)
        est = noise_estimate(sq, grad.astype(np.float64))
        k = self.smoothing if self._tr is not None else 0.0
        self._tr = k * (self._tr or 0.0) + (1 - k) * est.trace_sigma
        self._g2 = k * (self._g2 or 0.0) + (1 - k) * est.gradient_sq
        scale = self._tr / self._g2 if self._g2 > 0 else math.inf
        reading = NoiseReading(self.updates, examples_seen, self._tr, self._g2, scale,
                               est.noise_scale, cost)
        self.readings.append(reading)
        return reading

    def observe(self, record) -> Optional[NoiseReading]:
        """Take note of one record of ``Trainer.run()``; returns a reading when one is made."""
        if isinstance(record, BatchProgress):
            self.updates += 1
            if self.updates % self.every == 0:
                return self.measure(record.examples_seen)
        return None

    def watch(self, stream: Iterable) -> Iterator:
        """Pass the trainer's records through, adding a ``NoiseReading`` after each reading."""
        for record in stream:
            yield record
            reading = self.observe(record)
            if reading is not None:
                yield reading


# --------------------------------------------------------------------------- agreement
def full_gradient(net: Network, data, chunk: int = 10_000):
    """(mean cost, G = the full gradient (float64), sum over x of ||grad C_x||^2) over all
    of ``data``, in chunks."""
    images, labels = data[0], data[1]
    n = len(labels)
    total, g, sq = 0.0, None, 0.0
    for s in range(0, n, chunk):
        sample = Sample.from_data(images[s:s + chunk], labels[s:s + chunk], net.sizes[-1],
                                  net.dtype)
        c, grad, norms = cost_and_gradient(net, net.params, sample, per_example=True)
        w = len(sample) / n
        total += c * w
        g = grad.astype(np.float64) * w if g is None else g + grad * w
        sq += float(norms.sum())
    return total, g, sq


@dataclass(frozen=True)
class Agreement:
    """How well mini-batches of size ``m`` estimate the full gradient G, over ``batches``
    random mini-batches: the cosine between g_m and G and the relative error
    ||g_m - G|| / ||G|| (mean, standard deviation, 10th and 90th percentiles), and the
    relative error theory predicts from the noise, sqrt(tr(Sigma) / (m |G|^2)) corrected
    for drawing without replacement."""

    m: int
    batches: int
    cosine_mean: float
    cosine_std: float
    cosine_p10: float
    cosine_p90: float
    error_mean: float
    error_std: float
    error_predicted: float
    seconds: float


def gradient_agreement(net: Network, data, sizes: Sequence[int] = (1, 10, 100, 1000),
                       batches: int = 200, max_examples: int = 20_000,
                       seed=0) -> Iterator[object]:
    """Compare mini-batch gradients with the full gradient on ``data`` (images, labels).

    First yields a ``NoiseEstimate`` for the whole data set (from the full gradient, one
    pass over all images), then one ``Agreement`` per m in ``sizes``. For each m it draws
    ``batches`` mini-batches (fewer for large m, so at most ``max_examples`` examples,
    but at least 10). Stop iterating to cancel.
    """
    images, labels = np.asarray(data[0]), np.asarray(data[1])
    n = len(labels)
    sizes = [int(m) for m in sizes]
    if not sizes or min(sizes) < 1 or max(sizes) > n:
        raise ValueError(f"mini-batch sizes must lie between 1 and the {n} examples, got {sizes}")
    limiter = one_blas_thread()
    try:
        _, G, sq_total = full_gradient(net, (images, labels))
        g2 = float(G @ G)
        trace = (sq_total / n - g2) * n / (n - 1) if n > 1 else 0.0
        yield NoiseEstimate(n, trace, g2)     # exact population values for this data
        rng = np.random.default_rng(seed)
        norm_g = math.sqrt(g2)
        for m in sizes:
            t0 = time.perf_counter()
            count = max(10, min(batches, max_examples // m))
            cos, err = np.empty(count), np.empty(count)
            for k in range(count):
                idx = rng.choice(n, m, replace=False)
                sample = Sample.from_data(images[idx], labels[idx], net.sizes[-1], net.dtype)
                _, g, _ = cost_and_gradient(net, net.params, sample)
                g = g.astype(np.float64)
                ng = float(np.linalg.norm(g))
                cos[k] = float(g @ G) / (ng * norm_g) if ng > 0 and norm_g > 0 else float("nan")
                err[k] = float(np.linalg.norm(g - G)) / norm_g if norm_g > 0 else float("nan")
            fpc = (n - m) / (n - 1) if n > 1 else 0.0      # finite population correction
            predicted = math.sqrt(trace * fpc / (m * g2)) if g2 > 0 else math.inf
            p10, p90 = np.percentile(cos, [10, 90])
            yield Agreement(m, count, float(cos.mean()), float(cos.std()), float(p10),
                            float(p90), float(err.mean()), float(err.std()), predicted,
                            time.perf_counter() - t0)
    finally:
        limiter.restore_original_limits()


# --------------------------------------------------------------------------- the race
@dataclass(frozen=True)
class RacePoint:
    """One run's standing: after ``examples`` training examples (``updates`` steps, taking
    ``seconds`` of training time), the mean cost and accuracy on a fixed evaluation sample.
    ``m`` is the mini-batch size (n for full batch); ``diverged`` is set (with the message
    in ``note``) when the run blew up and stopped."""

    m: int
    label: str
    examples: int
    updates: int
    seconds: float
    cost: float
    accuracy: float
    diverged: bool = False
    note: str = ""


def updates_per_pass(n: int, m: int) -> int:
    """How many updates one pass over n examples makes with mini-batches of m: ceil(n/m)."""
    return -(-int(n) // int(m))


def tradeoff_text(n: int, m: int) -> str:
    """One sentence on the book's trade-off for mini-batches of m out of n examples."""
    u = updates_per_pass(n, m)
    if m >= n:
        return (f"Full-batch gradient descent looks at all {n:,} examples for each step: one "
                f"exact step per pass over the data.")
    return (f"With m = {m:,}, one pass over {n:,} examples makes {n:,}/{m:,} = {u:,} updates, "
            f"each from a rough estimate of the gradient; full-batch descent makes one exact "
            f"step in the same work.")


def batch_size_race(net: Network, training, sizes: Sequence[Optional[int]] = (1, 10, 100, None),
                    eta: float | Dict[int, float] = 3.0, epochs: float = 1.0,
                    points_per_epoch: int = 10, eval_size: int = 2000,
                    seed=0) -> Iterator[RacePoint]:
    """Train copies of ``net`` (identical initial weights, the same shuffling seed) with
    each mini-batch size in ``sizes`` (None: the full batch), interleaved: each run in
    turn processes the next 1/``points_per_epoch`` of an epoch, then its cost and accuracy
    on ``eval_size`` fixed training images is yielded as a ``RacePoint`` (evaluation time
    is not counted in ``seconds``). The full batch makes one update per epoch, so it
    reports once per epoch. Each run starts with a point at 0 examples. ``eta`` is one
    learning rate for all, or a dict m -> eta (key None for the full batch). ``net`` is
    not changed. Stop iterating to cancel.
    """
    x, labels = np.asarray(training[0]), np.asarray(training[1])
    n = len(labels)
    ms = [n if s is None else int(s) for s in sizes]
    if not ms or min(ms) < 1 or max(ms) > n:
        raise ValueError(f"mini-batch sizes must lie between 1 and the {n} examples")
    if epochs <= 0 or points_per_epoch < 1:
        raise ValueError("epochs and points_per_epoch must be positive")
    etas = []
    for s, m in zip(sizes, ms):
        e = eta.get(s, eta.get(m)) if isinstance(eta, dict) else eta
        if e is None or not (isinstance(e, (int, float)) and math.isfinite(e) and e > 0):
            raise ValueError(f"no valid learning rate for m = {m}: {e!r}")
        etas.append(float(e))
    evaluation = Sample.draw((x, labels), eval_size, seed=seed, n_out=net.sizes[-1],
                             dtype=net.dtype)
    runs = []
    for m, e in zip(ms, etas):
        copy = net.copy()
        trainer = Trainer(copy, (x, labels), eta=e, mini_batch_size=m,
                          epochs=math.ceil(epochs), seed=seed)
        label = "full batch" if m == n else f"m = {m}"
        runs.append({"m": m, "label": label, "net": copy, "gen": trainer.run(), "examples": 0,
                     "updates": 0, "seconds": 0.0, "done": False})
    total = int(round(epochs * n))
    step = max(1, n // points_per_epoch)

    def point(run, diverged=False, note=""):
        c, k = cost_and_correct(run["net"], run["net"].params, evaluation)
        return RacePoint(run["m"], run["label"], run["examples"], run["updates"], run["seconds"],
                         c, k / len(evaluation), diverged, note)

    limiter = one_blas_thread()
    try:
        for run in runs:
            yield point(run)
        target = 0
        while not all(r["done"] for r in runs):
            target = min(total, target + step)
            for run in runs:
                if run["done"]:
                    continue
                moved = False
                try:
                    while run["examples"] < target:
                        record = next(run["gen"], None)
                        if record is None:
                            break
                        if isinstance(record, BatchProgress):
                            run["examples"], run["seconds"] = record.examples_seen, record.elapsed
                            run["updates"] += 1
                            moved = True
                except Diverged as exc:
                    run["done"] = True
                    yield point(run, True, str(exc))
                    continue
                if run["examples"] >= total:
                    run["done"] = True
                if moved:
                    yield point(run)
            if target >= total:
                for run in runs:
                    run["done"] = True
    finally:
        for run in runs:
            run["gen"].close()
        limiter.restore_original_limits()

