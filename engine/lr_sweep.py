"""The learning-rate sweep: the same network trained with several eta side by side.

The book tells us to pick eta by trying: too small and learning crawls, too large and
the steps overshoot (chapter 3, "How to choose a neural network's hyper-parameters?").
``LearningRateSweep`` makes the comparison fair: every run starts from **identical
initial weights** and sees the **same mini-batches in the same order** (one shuffling
seed for all), so the learning rate is the only difference. The runs are trained
interleaved, a fraction of an epoch each in turn, so all the curves grow together and
stopping early still leaves a fair comparison.

A run whose cost becomes NaN or whose weights blow up is marked diverged (the engine's
``Diverged``) and stops; the others go on. With sigmoid outputs a huge eta more often
*saturates* the neurons than produces NaN: the accuracy then sticks near 10%, and the
run is marked stuck. ``best()`` names the learning rate with the best accuracy.

``engine.sharpness`` explains the upper limit: a step is stable only while the cost's
sharpest curvature is below 2/eta.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Sequence

import numpy as np

from engine.blas import one_blas_thread
from engine.network import Network
from engine.sgd import BatchProgress, Diverged, EpochResult, Trainer, stuck_warning
from engine.weight_space import Sample, cost_and_correct

DEFAULT_ETAS = (0.01, 0.1, 1.0, 3.0, 10.0, 30.0, 100.0)


@dataclass(frozen=True)
class SweepPoint:
    """Run ``run`` (learning rate ``eta``) after ``epochs`` epochs (a fraction while inside
    one): the mean cost and accuracy on the fixed evaluation sample of training images,
    and at an epoch's end (``epoch_end``) the test set's too when test data was given.
    ``state`` is "running", "diverged" or "stuck"; ``note`` says why."""

    run: int
    eta: float
    epochs: float
    examples: int
    seconds: float           # this run's training time so far
    cost: float
    accuracy: float
    epoch_end: bool = False
    test_cost: Optional[float] = None
    test_accuracy: Optional[float] = None
    state: str = "running"
    note: str = ""


@dataclass
class RunState:
    """Where one run of the sweep stands (``points`` keeps all its points)."""

    eta: float
    net: Network
    trainer: Trainer
    state: str = "running"
    note: str = ""
    examples: int = 0
    seconds: float = 0.0
    points: List[SweepPoint] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state == "diverged" or self.examples >= self.trainer.epochs * self.trainer.n


class LearningRateSweep:
    """Train copies of ``net`` with each eta in ``etas`` from the same initial weights and
    the same mini-batch order; ``net`` itself is not changed.

    ``points_per_epoch`` sets how often each run reports (and how finely the runs take
    turns); ``eval_size`` training images, drawn once, are the evaluation sample.
    Iterate over ``run()`` (once) for ``SweepPoint``s; to pause, simply stop pulling
    points; to cancel, call ``stop()`` (ends after the current chunk) or ``close()`` the
    generator. ``runs`` holds each run's state, ``best()`` the winner so far.
    """

    def __init__(self, net: Network, training, etas: Sequence[float] = DEFAULT_ETAS,
                 mini_batch_size: int = 10, epochs: int = 3, test_data=None,
                 points_per_epoch: int = 4, eval_size: int = 2000, seed: int = 0):
        etas = [float(e) for e in etas]
        if not etas or not all(math.isfinite(e) and e > 0 for e in etas):
            raise ValueError(f"learning rates must be positive numbers, got {etas}")
        if int(points_per_epoch) != points_per_epoch or points_per_epoch < 1:
            raise ValueError(f"points_per_epoch must be a whole number >= 1, got {points_per_epoch!r}")
        self.etas = etas
        self.points_per_epoch = int(points_per_epoch)
        self.runs: List[RunState] = []
        for e in etas:
            copy = net.copy()
            trainer = Trainer(copy, training, eta=e, mini_batch_size=mini_batch_size,
                              epochs=epochs, test_data=test_data, seed=seed)
            self.runs.append(RunState(e, copy, trainer))
        self.n = self.runs[0].trainer.n
        self.evaluation = Sample.draw(self.runs[0].trainer.training, eval_size, seed=seed,
                                      n_out=net.sizes[-1], dtype=net.dtype)
        self._stop = False

    def stop(self) -> None:
        """Ask ``run()`` to end after the current chunk."""
        self._stop = True

    def _point(self, i: int, run: RunState, epoch_result: Optional[EpochResult] = None,
               ) -> SweepPoint:
        with np.errstate(all="ignore"):      # a diverged run's weights may be inf or NaN
            cost, correct = cost_and_correct(run.net, run.net.params, self.evaluation)
        extra = {}
        if epoch_result is not None:
            extra = dict(epoch_end=True, test_cost=epoch_result.test_cost,
                         test_accuracy=epoch_result.test_accuracy)
            acc = epoch_result.test_accuracy
            if acc is None:
                acc = correct / len(self.evaluation)
            if acc > 1.5 / run.net.sizes[-1] and run.state == "stuck":
                run.state, run.note = "running", ""               # it recovered
            elif acc <= 1.5 / run.net.sizes[-1] and run.state == "running":
                run.state = "stuck"
                run.note = stuck_warning(epoch_result, run.eta, run.net.sizes[-1]) or (
                    f"After epoch {epoch_result.epoch} the accuracy is no better than guessing.")
        if not (math.isfinite(cost)) and run.state != "diverged":
            run.state, run.note = "diverged", "The cost is no longer a finite number."
        point = SweepPoint(i, run.eta, run.examples / self.n, run.examples, run.seconds, cost,
                           correct / len(self.evaluation), state=run.state, note=run.note,
                           **extra)
        run.points.append(point)
        return point

    def run(self) -> Iterator[SweepPoint]:
        """Yield a point per run at the start, then after every chunk of each run, in
        turn; a run's epoch-end point carries the test figures."""
        self._stop = False
        gens = [r.trainer.run() for r in self.runs]
        chunk = max(1, self.n // self.points_per_epoch)
        limiter = one_blas_thread()
        try:
            for i, r in enumerate(self.runs):
                if not r.points:
                    yield self._point(i, r)
            target = 0
            while not self._stop and not all(r.finished for r in self.runs):
                target += chunk
                for i, (r, gen) in enumerate(zip(self.runs, gens)):
                    if r.finished or self._stop:
                        continue
                    try:
                        for record in gen:
                            if isinstance(record, BatchProgress):
                                r.examples, r.seconds = record.examples_seen, record.elapsed
                                if r.examples >= target and r.examples % self.n:
                                    yield self._point(i, r)        # inside an epoch
                                    break
                            elif isinstance(record, EpochResult):
                                yield self._point(i, r, record)    # with the test figures
                                if r.examples >= target:
                                    break
                        else:
                            r.examples = max(r.examples, r.trainer.epochs * self.n)
                    except Diverged as exc:
                        r.state, r.note = "diverged", str(exc)
                        yield self._point(i, r)
        finally:
            for gen in gens:
                gen.close()
            limiter.restore_original_limits()

    def best(self) -> Optional[tuple]:
        """(eta, sentence) for the run with the best latest accuracy (test accuracy when
        known, else the evaluation sample's) among runs that did not diverge; None if none."""
        scored = []
        for r in self.runs:
            if r.state == "diverged" or not r.points:
                continue
            last = r.points[-1]
            ends = [p for p in r.points if p.test_accuracy is not None]
            acc = ends[-1].test_accuracy if ends else last.accuracy
            scored.append((acc, -last.cost, r.eta))
        if not scored:
            return None
        acc, _, eta = max(scored)
        kind = "test" if any(p.test_accuracy is not None for r in self.runs for p in r.points) \
            else "training-sample"
        return eta, f"eta = {eta:g} learns best so far ({100 * acc:.1f}% {kind} accuracy)."

    def throughput(self) -> float:
        """Training examples per second over all runs (training time only)."""
        seconds = sum(r.seconds for r in self.runs)
        return sum(r.examples for r in self.runs) / seconds if seconds > 0 else float("nan")

    def initial_weights_equal(self) -> bool:
        """True while no run has trained: every copy holds the same weights."""
        first = self.runs[0].net.params
        return all(all(np.array_equal(p, q) for p, q in zip(first, r.net.params))
                   for r in self.runs)
