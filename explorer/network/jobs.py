"""The Real network panel's computations, as generators of snapshots (no Qt).

Each job takes everything it needs (a network it may change, MNIST, the settings) and
yields snapshots: small records of copies describing everything so far, so a view can
always draw the latest one and skip the rest. The worker thread (``explorer.network.
worker``) iterates a job and hands the snapshots to the window at most a few times a
second; closing the generator cancels the job.

* ``training_run``: the book's SGD on a subset of the training images, watched by a
  ``PathRecorder`` (the path through weight space), a ``LinearityProbe`` (does
  dC ~ grad C . dw hold?) and a ``NoiseScaleMonitor`` (McCandlish's B), each observing
  every record in one loop;
* ``landscape``: the cost on a plane through weight space, the path projected onto it,
  and the cost along the straight line from the initial to the final weights;
* ``agreement`` and ``race``: why mini-batches (``engine.batch_noise``);
* ``sweep``: the learning-rate sweep, then the sharpness of each run against 2/eta.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np

from engine import batch_noise, landscape, lr_sweep
from engine.blas import one_blas_thread
from engine.network import Network
from engine.path_recorder import PathRecorder
from engine.probe import LinearityProbe, ProbeReading
from engine.sgd import BatchProgress, Diverged, EpochResult, Trainer
from engine.sharpness import sharpness
from engine.weight_space import Sample, cost_and_correct
from explorer.network.model import LandscapeSettings, RunSettings

SNAPSHOT_SECONDS = 0.1        # a job yields at most this often while it works
PROBE_READINGS = 120          # readings of the probe per run (spread evenly)
NOISE_READINGS = 40
PATH_SNAPSHOTS = 150
AGREEMENT_SIZES = (1, 10, 100, 1000)
RACE_SIZES = (1, 10, 100, None)
COPY_ROWS = 500               # rows copied at a time when drawing a subset


def subset(data, n: int, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """``n`` (images, labels) drawn at random without replacement (all if n >= count);
    ``data`` is an ``engine.mnist.Dataset`` or a pair."""
    images, labels = (data.images, data.labels) if hasattr(data, "images") else data
    images, labels = np.asarray(images), np.asarray(labels)
    if n >= len(labels):
        return images, labels
    idx = np.sort(np.random.default_rng(seed).choice(len(labels), int(n), replace=False))
    # copied a block of rows at a time: one 31 MB fancy-index copy held the interpreter
    # (and so the window's thread) for a few hundred milliseconds on a loaded machine
    out = np.empty((len(idx),) + images.shape[1:], images.dtype)
    for s in range(0, len(idx), COPY_ROWS):
        np.take(images, idx[s:s + COPY_ROWS], axis=0, out=out[s:s + COPY_ROWS])
    return out, labels[idx]


# --------------------------------------------------------------------------- training run
@dataclass
class RunSnapshot:
    """Where the panel's training run stands. ``probe`` and ``noise`` list every reading
    so far; at the end (``done``) ``path``/``steps`` hold the recorded weights and
    ``net`` the trained network (a copy)."""

    settings: RunSettings
    updates: int
    updates_total: int
    epoch: int
    examples: int
    seconds: float
    batch_cost: float
    probe: List[ProbeReading]
    noise: list
    epochs: List[EpochResult] = field(default_factory=list)
    done: bool = False
    note: str = ""
    path: Optional[np.ndarray] = None
    steps: Optional[np.ndarray] = None
    net: Optional[Network] = None
    n_training: int = 0

    @property
    def fraction(self) -> float:
        return self.updates / self.updates_total if self.updates_total else 0.0


def training_run(net: Network, data, settings: RunSettings) -> Iterator[RunSnapshot]:
    """Train ``net`` (changed in place) with ``settings`` on a subset of ``data.training``
    (test accuracy each epoch on ``data.test``), recording the path, probe readings and
    noise-scale readings. Yields ``RunSnapshot``s, the last with ``done``."""
    s = settings
    images, labels = subset(data.training, s.subset, s.seed)
    n = len(labels)
    test = None
    if getattr(data, "test", None) is not None:
        test = subset(data.test, min(len(data.test.labels), 10_000), s.seed)
    trainer = Trainer(net, (images, labels), eta=s.eta, mini_batch_size=s.mini_batch_size,
                      epochs=s.epochs, test_data=test, seed=s.seed)
    total = batch_noise.updates_per_pass(n, s.mini_batch_size) * s.epochs
    recorder = PathRecorder(net, every=max(1, total // PATH_SNAPSHOTS), capacity=200)
    probe = LinearityProbe(net, (images, labels), every=max(1, total // PROBE_READINGS),
                           probe_size=min(500, n), seed=s.seed)
    monitor = None
    if n >= 2 * s.mini_batch_size and n >= 20:
        monitor = batch_noise.NoiseScaleMonitor(net, (images, labels),
                                                every=max(1, total // NOISE_READINGS),
                                                batch_size=min(500, n), seed=s.seed)
    epochs: List[EpochResult] = []
    state = dict(updates=0, epoch=1, examples=0, seconds=0.0, cost=math.nan)

    def snap(done=False, note=""):
        extra = {}
        if done:
            extra = dict(path=recorder.path(), steps=recorder.steps(), net=net.copy())
        return RunSnapshot(s, state["updates"], total, state["epoch"], state["examples"],
                           state["seconds"], state["cost"], list(probe.readings),
                           list(monitor.readings) if monitor else [], list(epochs), done,
                           note, n_training=n, **extra)

    last = time.perf_counter()
    yield snap()
    try:
        for record in trainer.run():
            recorder.observe(record)
            probe.observe(record)
            if monitor is not None:
                monitor.observe(record)
            if isinstance(record, BatchProgress):
                state.update(updates=state["updates"] + 1, epoch=record.epoch,
                             examples=record.examples_seen, seconds=record.elapsed,
                             cost=record.cost)
            elif isinstance(record, EpochResult):
                epochs.append(record)
            now = time.perf_counter()
            if now - last >= SNAPSHOT_SECONDS:
                last = now
                yield snap()
    except Diverged as exc:
        yield snap(True, f"The run diverged: {exc}")
        return
    last_epoch = epochs[-1] if epochs else None
    note = f"Trained {len(epochs)} epoch(s) on {n:,} images"
    if last_epoch is not None and last_epoch.test_accuracy is not None:
        note += f": test accuracy {100 * last_epoch.test_accuracy:.1f}%"
    yield snap(True, note + ".")


# --------------------------------------------------------------------------- landscape
@dataclass
class LandscapeSnapshot:
    """The slice so far (``cost`` NaN where not computed yet) and, once ready, the path
    on it and the straight line. ``stage`` says what is being computed."""

    stage: str
    rows_done: int
    rows: int
    a_values: np.ndarray
    b_values: np.ndarray
    cost: np.ndarray
    kind: str
    cost_on: str
    sample_size: int
    coords: Optional[np.ndarray] = None
    path_costs: Optional[np.ndarray] = None
    explained: Optional[np.ndarray] = None
    projection_text: str = ""
    in_plane: Optional[float] = None
    line: List[landscape.LinePoint] = field(default_factory=list)
    center_cost: float = math.nan
    done: bool = False

    @property
    def fraction(self) -> float:
        return self.rows_done / self.rows if self.rows else 0.0


def landscape_job(net: Network, data, settings: LandscapeSettings,
                  path: Optional[np.ndarray] = None) -> Iterator[LandscapeSnapshot]:
    """The slice through ``net``'s weights (or, with a ``path``, through its last row)
    on ``settings.sample`` images of ``data.training`` or ``data.test``. With a path:
    the plane of its top two principal directions (or random ones), the grid around its
    projection, the plane's cost at each projected snapshot, and the straight line from
    the path's first to its last weights (training and test cost, alpha -0.5 to 1.5).
    Without one: two random filter-normalised directions, a and b from -1 to 1."""
    ls = settings
    source = data.training if ls.cost_on == "training" else data.test
    images, labels = subset(source, ls.sample, ls.seed)
    sample = Sample.from_data(images, labels, net.sizes[-1], net.dtype)
    coords = proj = None
    yield LandscapeSnapshot("plane", 0, ls.points, np.zeros(0), np.zeros(0), np.zeros((0, 0)),
                            ls.directions, ls.cost_on, len(sample))
    # one BLAS thread: the SVD of the path took 15 s with competing thread pools, 1.7 s without
    with one_blas_thread():
        if path is not None:
            path = np.asarray(path)
            if ls.directions == "pca":
                plane = landscape.pca_plane(path)
            else:
                plane = landscape.random_plane(net, seed=ls.seed, center=path[-1])
            proj = landscape.project_path(path, plane)
            coords = proj.coords
            a_values, b_values = landscape.grid_around(coords, ls.points)
        else:
            plane = landscape.random_plane(net, seed=ls.seed)
            a_values = b_values = np.linspace(-1.0, 1.0, ls.points)
    base = dict(kind=plane.kind, cost_on=ls.cost_on, sample_size=len(sample),
                explained=plane.explained, projection_text=proj.describe() if proj else "",
                in_plane=proj.in_plane if proj else None)
    rows = len(a_values)
    snap = LandscapeSnapshot("grid", 0, rows, a_values, b_values,
                             np.full((rows, len(b_values)), np.nan), **base)
    yield snap
    for progress in landscape.plane_landscape(net, plane, sample, a_values, b_values):
        snap = LandscapeSnapshot("grid", progress.rows_done, rows, progress.a_values,
                                 progress.b_values, progress.cost, **base)
        yield snap
    with one_blas_thread():
        center_cost = cost_and_correct(net, plane.center, sample)[0]
        path_costs = None
        if coords is not None:
            ev = landscape.SliceEvaluator(net, plane.center, [plane.d1, plane.d2], sample)
            path_costs = np.array([ev.evaluate((a, b))[0] for a, b in coords])
    snap.coords, snap.path_costs, snap.center_cost = coords, path_costs, center_cost
    line: List[landscape.LinePoint] = []
    if path is not None:
        snap.stage = "line"
        yield snap
        train = subset(data.training, ls.sample, ls.seed)
        test = subset(data.test, ls.sample, ls.seed) if getattr(data, "test", None) else None
        for point in landscape.straight_line(net, path[0], path[-1], train, test,
                                             sample_size=None, seed=ls.seed):
            line.append(point)
    done = LandscapeSnapshot("done", rows, rows, snap.a_values, snap.b_values, snap.cost,
                             coords=coords, path_costs=path_costs, line=line,
                             center_cost=center_cost, done=True, **base)
    yield done


# --------------------------------------------------------------------------- mini-batches
@dataclass
class AgreementSnapshot:
    """The full data's noise (``noise``, a ``NoiseEstimate``) and one ``Agreement`` per
    mini-batch size measured so far."""

    n: int
    sizes: Tuple[int, ...]
    noise: Optional[batch_noise.NoiseEstimate] = None
    rows: List[batch_noise.Agreement] = field(default_factory=list)
    done: bool = False

    @property
    def fraction(self) -> float:
        return (len(self.rows) + (self.noise is not None)) / (len(self.sizes) + 1)


def agreement_job(net: Network, data, subset_size: int, batches: int = 200,
                  seed: int = 0) -> Iterator[AgreementSnapshot]:
    """How well mini-batches of 1, 10, 100 and 1000 images (those not above the subset)
    estimate the gradient over ``subset_size`` training images, at ``net``'s weights."""
    images, labels = subset(data.training, subset_size, seed)
    sizes = tuple(m for m in AGREEMENT_SIZES if m <= len(labels))
    snap = AgreementSnapshot(len(labels), sizes)
    yield snap
    for item in batch_noise.gradient_agreement(net, (images, labels), sizes, batches=batches,
                                               seed=seed):
        if isinstance(item, batch_noise.NoiseEstimate):
            snap = AgreementSnapshot(snap.n, sizes, item, list(snap.rows))
        else:
            snap = AgreementSnapshot(snap.n, sizes, snap.noise, snap.rows + [item])
        yield snap
    yield AgreementSnapshot(snap.n, sizes, snap.noise, list(snap.rows), True)


@dataclass
class RaceSnapshot:
    """The batch-size race so far: each run's points by its label ("m = 10", "full
    batch"), in order."""

    n: int
    eta: float
    epochs: float
    runs: Dict[str, List[batch_noise.RacePoint]]
    done: bool = False

    @property
    def fraction(self) -> float:
        if not self.runs:
            return 0.0
        total = self.n * self.epochs
        return float(np.mean([pts[-1].examples / total for pts in self.runs.values()]))


def race_job(net: Network, data, subset_size: int, eta: float, epochs: float = 1.0,
             seed: int = 0) -> Iterator[RaceSnapshot]:
    """The race between m = 1, 10, 100 and the full batch from ``net``'s weights, each
    learning rate ``eta``, for ``epochs`` passes over ``subset_size`` training images."""
    images, labels = subset(data.training, subset_size, seed)
    sizes = tuple(m for m in RACE_SIZES if m is None or m < len(labels))
    runs: Dict[str, List[batch_noise.RacePoint]] = {}
    yield RaceSnapshot(len(labels), eta, epochs, {})
    for point in batch_noise.batch_size_race(net, (images, labels), sizes, eta=eta,
                                             epochs=epochs, points_per_epoch=10,
                                             eval_size=min(2000, len(labels)), seed=seed):
        runs.setdefault(point.label, []).append(point)
        yield RaceSnapshot(len(labels), eta, epochs, {k: list(v) for k, v in runs.items()})
    yield RaceSnapshot(len(labels), eta, epochs, {k: list(v) for k, v in runs.items()}, True)


# --------------------------------------------------------------------------- sweep
@dataclass
class SweepSnapshot:
    """Each run's points by eta, its state ("running", "diverged", "stuck") and note, the
    best eta's sentence, and (at the end) the sharpness of the starting weights and of
    each run's final weights: (eta, sharpness) pairs."""

    etas: Tuple[float, ...]
    epochs: int
    points: Dict[float, List[lr_sweep.SweepPoint]]
    states: Dict[float, Tuple[str, str]]
    best: Optional[Tuple[float, str]] = None
    stage: str = "training"
    initial_sharpness: Optional[float] = None
    sharpness: List[Tuple[float, float]] = field(default_factory=list)
    explanation: str = ""
    done: bool = False

    @property
    def fraction(self) -> float:
        if not self.points:
            return 0.0
        part = np.mean([min(1.0, pts[-1].epochs / self.epochs) if pts else 0.0
                        for pts in self.points.values()])
        if self.stage == "training":
            return 0.85 * float(part)
        return 0.85 + 0.15 * len(self.sharpness) / max(1, len(self.etas))


def sweep_job(net: Network, data, subset_size: int, mini_batch_size: int, epochs: int,
              etas=lr_sweep.DEFAULT_ETAS, sharpness_size: int = 1000,
              seed: int = 0) -> Iterator[SweepSnapshot]:
    """The learning-rate sweep from ``net``'s weights (``net`` is not changed), then the
    sharpness of the starting weights and of every run that did not diverge."""
    images, labels = subset(data.training, subset_size, seed)
    test = None
    if getattr(data, "test", None) is not None:
        test = subset(data.test, min(len(data.test.labels), 10_000), seed)
    sw = lr_sweep.LearningRateSweep(net, (images, labels), etas, mini_batch_size=mini_batch_size,
                                    epochs=epochs, test_data=test, points_per_epoch=4,
                                    eval_size=min(2000, len(labels)), seed=seed)
    etas = tuple(sw.etas)

    def snap(**extra):
        return SweepSnapshot(etas, epochs, {r.eta: list(r.points) for r in sw.runs},
                             {r.eta: (r.state, r.note) for r in sw.runs}, sw.best(), **extra)

    last = 0.0
    for _ in sw.run():
        now = time.perf_counter()
        if now - last >= SNAPSHOT_SECONDS:
            last = now
            yield snap()
    sample = Sample.draw((images, labels), min(sharpness_size, len(labels)), seed=seed,
                         n_out=net.sizes[-1], dtype=np.float64)
    result = snap(stage="sharpness")
    yield result
    first = sharpness(net, sample, iterations=20, seed=seed)
    result.initial_sharpness = first.value
    result.explanation = first.explanation
    yield result
    pairs: List[Tuple[float, float]] = []
    for r in sw.runs:
        if r.state != "diverged" and all(np.all(np.isfinite(p)) for p in r.net.params):
            with np.errstate(all="ignore"):
                value = sharpness(r.net, sample, iterations=20, seed=seed,
                                  start=first.vector).value
            pairs.append((r.eta, value))
        else:
            pairs.append((r.eta, math.nan))
        result = snap(stage="sharpness", initial_sharpness=first.value,
                      sharpness=list(pairs), explanation=first.explanation)
        yield result
    yield snap(stage="done", initial_sharpness=first.value, sharpness=list(pairs),
               explanation=first.explanation, done=True)


def net_cost(net: Network, images, labels) -> float:
    """The network's mean cost on the given images (the check the landscape's centre
    must pass)."""
    sample = Sample.from_data(images, labels, net.sizes[-1], net.dtype)
    return cost_and_correct(net, net.params, sample)[0]
