"""The training worker thread and the bounded plot series, on a small synthetic data set."""

from __future__ import annotations

import time

import numpy as np
import pytest
from training_data import DATA

from engine.mnist import MnistError
from engine.network import Network
from explorer.training import worker as tw
from explorer.training.plots import BoundedSeries, Smoother


def run_worker(qtbot, timeout=20000, before=None, **options):
    net = options.pop("net", None) or Network([784, 30, 10], seed=1)
    cfg = tw.RunConfig(net=net, loader=options.pop("loader", lambda d, s: DATA), **options)
    worker = tw.TrainingWorker(cfg)
    updates, outcomes = [], []
    worker.progress.connect(updates.append)
    worker.outcome.connect(outcomes.append)
    if before is not None:
        before(worker)
    worker.start()
    return worker, updates, outcomes


def finish(qtbot, worker, outcomes, timeout=20000):
    qtbot.waitUntil(lambda: bool(outcomes), timeout=timeout)
    assert worker.wait(10000)
    return outcomes[0]


# ---------------------------------------------------------------------- the worker
def test_worker_trains_and_sends_copies(qtbot):
    net = Network([784, 30, 10], seed=1)
    worker, updates, outcomes = run_worker(qtbot, net=net, epochs=3, mini_batch_size=10)
    out = finish(qtbot, worker, outcomes)
    assert out.kind == "finished" and out.epochs_done == 3
    assert out.examples_seen == 3 * len(DATA.training)
    xs = np.concatenate([u.examples for u in updates])
    costs = np.concatenate([u.costs for u in updates])
    assert len(xs) == 3 * 100                           # every mini-batch arrived, once
    assert np.all(np.diff(xs) > 0) and np.all(np.isfinite(costs))
    epochs = [e for u in updates for e in u.epochs]
    assert [e.epoch for e in epochs] == [1, 2, 3]
    assert epochs[-1].test_accuracy > 0.9 and epochs[-1].train_accuracy > 0.9
    snaps = [u.snapshot for u in updates if u.snapshot is not None]
    assert snaps and snaps[-1][1] == 3
    # Copies, never the arrays the trainer writes into.
    for copy in [s[0] for s in snaps] + [out.net]:
        assert copy is not net
        assert all(not np.shares_memory(a, b) for a in copy.params for b in net.params)
    np.testing.assert_array_equal(out.net.params[0], net.params[0])


def test_worker_throttles_what_it_sends(qtbot):
    worker, updates, outcomes = run_worker(qtbot, epochs=40, mini_batch_size=1,
                                           monitor_training=False)
    t0 = time.perf_counter()
    out = finish(qtbot, worker, outcomes, timeout=60000)
    seconds = time.perf_counter() - t0
    assert out.kind == "finished"
    batches = sum(len(u.costs) for u in updates)
    assert batches == 40 * 1000
    # At most one packet per FLUSH_INTERVAL (plus the first and the last).
    assert len(updates) <= seconds / tw.FLUSH_INTERVAL + 3, (len(updates), seconds)
    assert len(updates) < batches / 50


def test_worker_offsets_continue_a_run(qtbot):
    worker, updates, outcomes = run_worker(qtbot, epochs=1, epoch_offset=5,
                                           examples_offset=7000)
    finish(qtbot, worker, outcomes)
    assert updates[0].examples[0] == 7000 + 10
    assert [e.epoch for u in updates for e in u.epochs] == [6]
    assert updates[-1].last.epoch == 6


def test_hyper_change_applies_from_next_batch(qtbot):
    seen = {}

    def on_update(u):
        if "sent" not in seen and u.last is not None:
            seen["sent"] = u.last.examples_seen
            worker.set_hyper(eta=0.5, mini_batch_size=25)

    worker, updates, outcomes = run_worker(qtbot, epochs=200, mini_batch_size=10)
    worker.progress.connect(on_update)
    qtbot.waitUntil(lambda: any(m for u in updates for m in u.markers), timeout=10000)
    worker.request_stop()
    out = finish(qtbot, worker, outcomes)
    assert out.kind == "stopped"
    marker = [m for u in updates for m in u.markers][0]
    assert (marker.eta, marker.mini_batch_size) == (0.5, 25)
    xs = np.concatenate([u.examples for u in updates])
    steps = np.diff(np.concatenate([[0], xs]))
    before = steps[xs <= marker.examples]
    after = steps[xs > marker.examples]
    assert set(before) == {10}
    # m = 25 from the next mini-batch on (an epoch's last batch may be shorter).
    assert after[0] == 25 and np.median(after) == 25
    assert updates[-1].last.eta == 0.5


def test_pause_holds_and_resume_continues(qtbot):
    paused = []
    t_start = time.perf_counter()
    worker, updates, outcomes = run_worker(qtbot, epochs=1000)
    worker.paused_changed.connect(paused.append)
    qtbot.waitUntil(lambda: len(updates) >= 2, timeout=10000)
    worker.set_paused(True)
    qtbot.waitUntil(lambda: paused == [True], timeout=5000)
    count = sum(len(u.costs) for u in updates)
    qtbot.wait(400)
    assert sum(len(u.costs) for u in updates) == count
    worker.set_paused(False)
    qtbot.waitUntil(lambda: sum(len(u.costs) for u in updates) > count, timeout=5000)
    # Stop while paused also ends the thread.
    worker.set_paused(True)
    qtbot.waitUntil(lambda: paused[-1] is True and len(paused) == 3, timeout=5000)
    worker.request_stop()
    out = finish(qtbot, worker, outcomes)
    assert out.kind == "stopped" and worker.isFinished()
    # The time spent paused (at least 0.4 s) is not counted as training time.
    assert out.active_seconds <= time.perf_counter() - t_start - 0.35
    assert out.net is not None


def test_nan_is_reported_as_diverged(qtbot):
    # eta * lambda / n = 100 * 200 / 1000 = 20 > 2: the weight decay flips sign and grows.
    worker, updates, outcomes = run_worker(qtbot, epochs=5, eta=100.0, lmbda=200.0)
    out = finish(qtbot, worker, outcomes)
    assert out.kind == "diverged"
    assert "eta" in out.message and "smaller" in out.message


def test_missing_data_and_errors_are_reported(qtbot):
    def missing(d, s):
        raise MnistError("The folder you named /nowhere does not hold MNIST.")

    worker, _, outcomes = run_worker(qtbot, loader=missing)
    out = finish(qtbot, worker, outcomes)
    assert out.kind == "no-data" and "/nowhere" in out.message

    def broken(d, s):
        raise RuntimeError("disk on fire")

    worker, _, outcomes = run_worker(qtbot, loader=broken)
    out = finish(qtbot, worker, outcomes)
    assert out.kind == "error" and "disk on fire" in out.message


# ---------------------------------------------------------------------- bounded series
def test_bounded_series_keeps_few_points_and_the_means():
    s = BoundedSeries(capacity=1000)
    rng = np.random.default_rng(0)
    total = 0
    for chunk in range(500):                # 5 million points in uneven chunks
        k = int(rng.integers(1, 20000))
        x = np.arange(total, total + k, dtype=float)
        y = np.sin(x / 1e5)
        s.extend(x, y)
        total += k
        if chunk % 100 == 0:
            assert s.n <= s.capacity
    assert s.raw_count == total
    assert s.n <= 1000 and s.nbytes() == 2 * 1000 * 8
    x, y = s.data()
    assert len(x) <= 1001 and np.all(np.diff(x) > 0)
    assert x[0] < total / 500 and x[-1] > total * 0.99
    np.testing.assert_allclose(y, np.sin(x / 1e5), atol=0.02)  # bin means follow the curve


def test_bounded_series_exact_when_small():
    s = BoundedSeries(capacity=8)
    s.extend([1, 2, 3], [10, 20, 30])
    s.extend([4], [40])
    x, y = s.data()
    assert list(x) == [1, 2, 3, 4] and list(y) == [10, 20, 30, 40]
    s.extend(range(5, 11), range(50, 110, 10))       # 10 points > 8: pairs merge
    x, y = s.data()
    assert s.stride == 2 and list(x) == [1.5, 3.5, 5.5, 7.5, 9.5]
    assert list(y) == [15, 35, 55, 75, 95]
    s.extend([11], [110])                              # half a bin: shown as its mean
    assert list(s.data()[0])[-1] == 11
    with pytest.raises(ValueError):
        BoundedSeries(capacity=7)


def test_smoother_is_continuous_across_chunks():
    rng = np.random.default_rng(1)
    c = rng.random(1000)
    whole = Smoother().apply(c, 0.1)
    s = Smoother()
    parts = np.concatenate([s.apply(c[:300], 0.1), s.apply(c[300:301], 0.1), s.apply(c[301:], 0.1)])
    np.testing.assert_allclose(parts, whole)
    assert abs(whole[-200:].mean() - 0.5) < 0.1


def test_a_setting_the_engine_refuses_reaches_the_window_in_its_own_words(qtbot):
    worker, _, outcomes = run_worker(qtbot, epochs=1, mini_batch_size=100, train_size=50)
    out = finish(qtbot, worker, outcomes)
    assert out.kind == "error"
    assert out.message.startswith("Training could not start: Mini-batch size m")
    assert "HyperparameterError" not in out.message and "50" in out.message
