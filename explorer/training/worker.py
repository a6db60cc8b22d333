"""The training worker: runs ``engine.sgd.Trainer.run()`` in a QThread.

The worker owns the network while it trains (the trainer changes it in place), so
nothing it sends to the window is a view into its arrays: mini-batch costs travel as
fresh NumPy arrays, and the network as ``net.copy()`` snapshots.

What it sends is throttled: mini-batch costs, finished epochs and changes of eta or m
are gathered into one ``Update`` packet, emitted at most ``1 / FLUSH_INTERVAL`` (5) times a
second, so the window redraws a few times a second however fast the batches come.

Pause, stop and changes of eta and m are requests: the worker reads a flag between
mini-batches (one attribute read per batch) and acts on it there. Nothing is ever
killed (no ``QThread.terminate``); a stop ends the run after the current mini-batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from typing import Optional

import numpy as np
from PySide6.QtCore import QThread, Signal

from engine import augment, mnist
from engine.hyperparams import HyperparameterError
from engine.sgd import BatchProgress, Diverged, Trainer
from explorer.training.records import Marker, Outcome, RunConfig, Update

FLUSH_INTERVAL = 0.2        # seconds between packets sent to the window (5 a second)
SNAPSHOT_INTERVAL = 0.5     # at most two network copies a second go to the drawing pad


# ---------------------------------------------------------------------- the worker
class TrainingWorker(QThread):
    """Runs one training run; start it with ``start()``, ask it to stop with
    ``request_stop()`` and wait for it with ``wait()``.

    Signals (queued into the window's thread):
    ``data_ready(str, int)``: where the data came from, and how many training images;
    ``progress(Update)``: throttled packets; ``paused_changed(bool)``;
    ``outcome(Outcome)``: the last thing it sends.
    """

    data_ready = Signal(str, int)
    progress = Signal(object)
    paused_changed = Signal(bool)
    outcome = Signal(object)

    def __init__(self, config: RunConfig, parent=None):
        super().__init__(parent)
        self.config = config
        self._cond = threading.Condition()
        self._requested = False          # any request pending (read once per batch)
        self._stop = False
        self._pause = False
        self._pending_eta: Optional[float] = None
        self._pending_m: Optional[int] = None
        self.trainer: Optional[Trainer] = None

    # ---------------------------------------------------------------- requests (any thread)
    def request_stop(self) -> None:
        with self._cond:
            self._stop = True
            self._requested = True
            trainer = self.trainer
            if trainer is not None:
                trainer.stop()
            self._cond.notify_all()

    def set_paused(self, paused: bool) -> None:
        with self._cond:
            self._pause = bool(paused)
            self._requested = True
            self._cond.notify_all()

    def set_hyper(self, eta: Optional[float] = None, mini_batch_size: Optional[int] = None) -> None:
        """Change eta and/or m; applied from the next mini-batch."""
        with self._cond:
            if eta is not None:
                self._pending_eta = float(eta)
            if mini_batch_size is not None:
                self._pending_m = int(mini_batch_size)
            self._requested = True
            self._cond.notify_all()

    # ---------------------------------------------------------------- the thread
    def run(self) -> None:      # noqa: C901 - one loop, kept in one place on purpose
        cfg = self.config
        try:
            try:
                data = cfg.loader(cfg.data_dir, cfg.split)
            except mnist.MnistError as exc:
                self.outcome.emit(Outcome("no-data", str(exc)))
                return
            if self._stop:
                self.outcome.emit(Outcome("stopped", "Stopped before training began.",
                                          cfg.net.copy()))
                return
            training = data.training.subset(cfg.train_size)
            self.data_ready.emit(data.describe(), len(training))
            kinds = augment.parse_kinds(cfg.augment)
            trainer = Trainer(cfg.net, training, eta=cfg.eta, mini_batch_size=cfg.mini_batch_size,
                              epochs=cfg.epochs, lmbda=cfg.lmbda, test_data=data.test,
                              monitor_training=cfg.monitor_training, seed=cfg.seed,
                              augment=augment.Augmenter(kinds, seed=cfg.seed) if kinds else None)
            with self._cond:
                self.trainer = trainer
                if self._stop:
                    trainer.stop()
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                self._train(trainer, len(training))   # NaN is reported as Diverged
        except HyperparameterError as exc:     # its text names the setting and the limit
            self.outcome.emit(Outcome("error", f"Training could not start: {exc}"))
        except Exception as exc:      # a bug or a bad value must reach the window, not kill it
            self.outcome.emit(Outcome("error", f"Training failed: {type(exc).__name__}: {exc}"))
        finally:
            with self._cond:
                self.trainer = None

    def _train(self, trainer: Trainer, n: int) -> None:
        cfg = self.config
        net = cfg.net
        ex_off, ep_off = cfg.examples_offset, cfg.epoch_offset
        clock = time.perf_counter
        xs: list = []
        cs: list = []
        epochs: list = []
        markers: list = []
        last = None
        snapshot = None
        paused_total = 0.0
        start = clock()
        next_flush = start            # the first mini-batch goes out at once
        last_snap = start
        epochs_done = 0
        seen = 0
        total = n * cfg.epochs

        def flush():
            nonlocal xs, cs, epochs, snapshot
            now = clock()
            upd = Update(np.asarray(xs, dtype=np.float64) + ex_off,
                         np.asarray(cs, dtype=np.float64), epochs, list(markers),
                         _offset_batch(last, ep_off, ex_off) if last is not None else None,
                         now - start - paused_total, seen, total, snapshot)
            xs, cs, epochs, snapshot = [], [], [], None
            # emptied in place: _handle_requests holds this list while it pauses (a
            # change of eta or m made during a pause goes in after this flush)
            markers.clear()
            self.progress.emit(upd)
            return now

        gen = trainer.run()
        try:
            with contextlib.closing(gen):
                for rec in gen:
                    if rec.__class__ is BatchProgress:
                        xs.append(rec.examples_seen)
                        cs.append(rec.cost)
                        last = rec
                        seen = rec.examples_seen
                    else:
                        epochs_done = rec.epoch
                        epochs.append(dataclasses.replace(rec, epoch=rec.epoch + ep_off,
                                                          examples_seen=rec.examples_seen + ex_off))
                        now = clock()
                        if now - last_snap >= SNAPSHOT_INTERVAL or rec.epoch == cfg.epochs:
                            snapshot = (net.copy(), rec.epoch + ep_off)
                            last_snap = now
                    if self._requested:
                        paused = self._handle_requests(trainer, last, markers, n, flush)
                        paused_total += paused
                        if self._stop:
                            break
                    if clock() >= next_flush:
                        next_flush = flush() + FLUSH_INTERVAL
        except Diverged as exc:
            flush()
            self.outcome.emit(Outcome(
                "diverged",
                f"{exc} Training stopped; the network's weights are no longer numbers, "
                f"so the next run starts from a new network.",
                None, epochs_done, seen, clock() - start - paused_total))
            return
        flush()
        active = clock() - start - paused_total
        if self._stop and epochs_done < cfg.epochs:
            self.outcome.emit(Outcome("stopped", f"Stopped during epoch {ep_off + epochs_done + 1}.",
                                      net.copy(), epochs_done, seen, active))
        else:
            self.outcome.emit(Outcome("finished", f"Finished {epochs_done} epoch(s).",
                                      net.copy(), epochs_done, seen, active))

    def _handle_requests(self, trainer, last, markers, n, flush) -> float:
        """Apply eta/m changes, and wait while paused; returns the seconds paused."""
        paused = 0.0
        with self._cond:
            self._requested = False
            eta, m = self._pending_eta, self._pending_m
            self._pending_eta = self._pending_m = None
        if eta is not None or m is not None:
            if eta is not None:
                trainer.eta = eta
            if m is not None:
                trainer.mini_batch_size = m
            cfg = self.config
            seen = last.examples_seen if last is not None else 0
            ep = (cfg.epoch_offset + (last.epoch - 1 + last.epoch_examples / n)
                  if last is not None else cfg.epoch_offset)
            if last is not None and last.epoch_examples >= n:
                ep = cfg.epoch_offset + last.epoch
            markers.append(Marker(seen + cfg.examples_offset, ep, float(trainer.eta),
                                  int(trainer.mini_batch_size)))
        if self._pause and not self._stop:
            flush()
            self.paused_changed.emit(True)
            t0 = time.perf_counter()
            with self._cond:
                while self._pause and not self._stop:
                    self._cond.wait(0.5)
                self._requested = self._pending_eta is not None or self._pending_m is not None
            paused = time.perf_counter() - t0
            self.paused_changed.emit(False)
            if self._requested:       # eta/m changed while paused: apply before going on
                paused += self._handle_requests(trainer, last, markers, n, flush)
        return paused


def _offset_batch(rec: BatchProgress, ep_off: int, ex_off: int) -> BatchProgress:
    if not ep_off and not ex_off:
        return rec
    return rec._replace(epoch=rec.epoch + ep_off, examples_seen=rec.examples_seen + ex_off)
