"""The book's argument on the real network (issue 14): how fast, and what it shows.

    MNIST_DIR=/work/shared/mnist .venv/bin/python bench/bench_landscape.py [--data DIR] [--reps 3]

784-30-10, sigmoid, quadratic cost, float32, one BLAS thread (as the trainer). After one
epoch of training at eta = 3, m = 10 (its path recorded), it measures:

1. the 31x31 landscape on 10,000 training images, on the path's PCA plane and on a
   filter-normalised random plane (goal: at most 3 s), the path's share in its plane,
   and the straight line from the initial to the final weights;
2. the dC ~ grad C . dw probe: the overhead on an epoch at the default k (epochs with
   and without the probe, interleaved, wall time of the whole loop; goal <= 10%), and
   the ratio actual/predicted at eta = 0.01, 3 and 30;
3. the mini-batch gradient against the full gradient for m = 1, 10, 100, 1000 (at the
   initial weights and after an epoch), with its time, and the gradient noise scale
   monitor's overhead;
4. the learning-rate sweep's throughput (7 etas, one epoch, images per second over all
   runs) and the sharpness against 2/eta.

Figures are medians; the machine is shared, compare figures within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Network, Trainer, mnist  # noqa: E402
from engine.batch_noise import (  # noqa: E402
    Agreement,
    NoiseEstimate,
    NoiseReading,
    NoiseScaleMonitor,
    batch_size_race,
    gradient_agreement,
    tradeoff_text,
)
from engine.landscape import (  # noqa: E402
    grid_around,
    pca_plane,
    plane_landscape,
    project_path,
    random_plane,
    straight_line,
)
from engine.lr_sweep import LearningRateSweep  # noqa: E402
from engine.path_recorder import PathRecorder  # noqa: E402
from engine.probe import DEFAULT_EVERY, DEFAULT_PROBE_SIZE, LinearityProbe, ProbeReading  # noqa: E402
from engine.sharpness import sharpness  # noqa: E402
from engine.weight_space import Sample  # noqa: E402


def last(gen):
    item = None
    for item in gen:
        pass
    return item


def epoch_cpu(net, train, watcher=None, eta=3.0, seed=5):
    """CPU seconds of one epoch's whole loop at m = 10 (building the trainer's buffers
    included), with an optional watcher (probe or monitor). CPU time, not wall time: on
    this shared machine other people's work stretches wall time at random, while our
    process's CPU time (one BLAS thread) is the work itself."""
    trainer = Trainer(net, train, eta=eta, mini_batch_size=10, epochs=1, seed=seed)
    stream = trainer.run()
    if watcher is not None:
        stream = watcher.watch(stream)
    t0 = time.process_time()
    for _ in stream:
        pass
    return time.process_time() - t0


def probe_ratios(start: Network, train, eta, every, readings=25):
    net = start.copy()
    probe = LinearityProbe(net, train, every=every)
    out = []
    for record in probe.watch(Trainer(net, train, eta=eta, mini_batch_size=10, epochs=1,
                                      seed=2).run()):
        if isinstance(record, ProbeReading):
            out.append(record)
            if len(out) >= readings:
                break
    ratios = [r.ratio for r in out]
    words = {}
    for r in out:
        words[r.verdict.word] = words.get(r.verdict.word, 0) + 1
    return (statistics.median(ratios), statistics.median(r.gd_ratio for r in out),
            statistics.median(r.angle for r in out), out[0].gd_ratio, words)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder holding MNIST (default: MNIST_DIR or the cache)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions for medians")
    ap.add_argument("--sections", default="1234", help="which sections to run, e.g. 2 or 14")
    args = ap.parse_args(argv)
    threadpool_limits(1, user_api="blas")    # for the calls made outside Trainer.run too
    try:
        data = mnist.load_data(args.data, split="book", download=False)
    except mnist.MnistError as exc:
        sys.exit(str(exc))
    train, test = data.training, data.test
    print(f"MNIST {len(train):,} training / {len(test):,} test; 784-30-10 sigmoid, quadratic, "
          f"float32, 1 BLAS thread")

    # the network the sections look at: one epoch at eta = 3, m = 10, its path recorded
    initial = Network([784, 30, 10], seed=1)
    net = initial.copy()
    recorder = PathRecorder(net, every=50)
    last(recorder.watch(Trainer(net, train, eta=3.0, mini_batch_size=10, epochs=1,
                                seed=1).run()))
    path = recorder.path()

    # ------------------------------------------------------------------ 1. landscape
    if "1" in args.sections:
        plane = pca_plane(path)
        proj = project_path(path, plane)
        a, b = grid_around(proj.coords, points=31)
        sample = Sample.draw(train, 10_000, seed=0)
        print(f"\n1. Landscape (after 1 epoch, eta = 3, m = 10; path of {len(path)} snapshots, "
              f"one every {recorder.every} mini-batches)")
        print(f"   PCA directions explain {100 * plane.explained[0]:.1f}% + "
              f"{100 * plane.explained[1]:.1f}% of the path's variance; {proj.describe()}")
        for name, pl, ga, gb in (("PCA plane", plane, a, b),
                                 ("random plane", random_plane(net, seed=0),
                                  np.linspace(-1, 1, 31), np.linspace(-1, 1, 31))):
            times, cpu = [], []
            for _ in range(args.reps):
                t0, c0 = time.perf_counter(), time.process_time()
                res = last(plane_landscape(net, pl, sample, ga, gb))
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            print(f"   31x31 on 10,000 images, {name}: median {statistics.median(times):.2f} s "
                  f"wall, {statistics.median(cpu):.2f} s CPU (goal <= 3 s; wall runs "
                  f"{', '.join(f'{t:.2f}' for t in times)}); cost "
                  f"{np.nanmin(res.cost):.4f} .. {np.nanmax(res.cost):.4f}, accuracy "
                  f"{100 * np.nanmin(res.accuracy):.1f} .. {100 * np.nanmax(res.accuracy):.1f}%")
        t0 = time.perf_counter()
        line = list(straight_line(net, path[0], path[-1], train, test))
        print(f"   straight line initial -> final, 41 alphas on 10,000 train + 10,000 test images: "
              f"{time.perf_counter() - t0:.2f} s")
        for p in line[::10]:
            print(f"     alpha {p.alpha:+.1f}: train cost {p.train_cost:.4f} "
                  f"({100 * p.train_accuracy:.1f}%), test cost {p.test_cost:.4f} "
                  f"({100 * p.test_accuracy:.1f}%)")
        rises = sum(1 for p, q in zip(line, line[1:]) if 0 <= p.alpha < 1 and q.train_cost > p.train_cost)
        print(f"   rises of the training cost between alpha = 0 and 1: {rises}")

    # ------------------------------------------------------------------ 2. probe
    if "2" in args.sections:
        print(f"\n2. Probe dC ~ grad C . dw (every {DEFAULT_EVERY} mini-batches, "
              f"{DEFAULT_PROBE_SIZE} probe images)")
        plain_t, probe_t = [], []
        for _ in range(max(5, args.reps)):      # pairs, interleaved
            plain_t.append(epoch_cpu(net.copy(), train))
            other = net.copy()
            probe_t.append(epoch_cpu(other, train, LinearityProbe(other, train)))
        p0, p1 = statistics.median(plain_t), statistics.median(probe_t)
        pairs = statistics.median(b / a - 1 for a, b in zip(plain_t, probe_t))
        print(f"   epoch at m = 10 (CPU s): {p0:.3f} s without, {p1:.3f} s with the probe (medians of "
              f"{len(plain_t)}); overhead, median of the pairs: {100 * pairs:+.1f}% (goal <= 10%)")
        probe = LinearityProbe(net, train)
        probe.measure_before()
        probe.measure_after()
        times = []
        for _ in range(20):
            t0 = time.process_time()
            probe.measure_before()
            probe.measure_after()
            times.append(time.process_time() - t0)
        per_reading = statistics.median(times)
        batches = len(train) // 10
        print(f"   one reading: {1e3 * per_reading:.1f} ms = {per_reading / (p0 / batches):.0f} "
              f"mini-batches of 10; at one reading per {DEFAULT_EVERY} mini-batches: "
              f"{100 * per_reading * batches / DEFAULT_EVERY / p0:.1f}% of the epoch")
        for label, start, every in (("fresh network, readings every 20 mini-batches", initial, 20),
                                    ("after 1 epoch, readings every 100 mini-batches", net, 100)):
            print(f"   {label} (25 readings from m = 10 steps):")
            for eta in (0.01, 3.0, 30.0):
                med, gd, angle, first, words = probe_ratios(start, train, eta, every)
                print(f"     eta {eta:>5g}: SGD step ratio median {med:.4f}, angle(dw, -g) median "
                      f"{angle:.1f} deg, verdicts {words}; textbook step -eta g: ratio median "
                      f"{gd:.4f} (first {first:.4f})")

    # ------------------------------------------------------------------ 3. mini-batches
    if "3" in args.sections:
        print("\n3. Mini-batch gradient against the full gradient (50,000 images)")
        for label, state in (("initial weights", initial), ("after 1 epoch", net)):
            t0 = time.perf_counter()
            rows = list(gradient_agreement(state, train))
            total = time.perf_counter() - t0
            whole = rows[0]
            assert isinstance(whole, NoiseEstimate)
            print(f"   {label}: {total:.2f} s in all; noise scale B = tr(Sigma)/|G|^2 = "
                  f"{whole.noise_scale:.0f}")
            for r in rows[1:]:
                assert isinstance(r, Agreement)
                print(f"     m = {r.m:>4}: cosine {r.cosine_mean:.3f} +- {r.cosine_std:.3f} "
                      f"(10-90%: {r.cosine_p10:.2f} .. {r.cosine_p90:.2f}), relative error "
                      f"{r.error_mean:.3f} (theory {r.error_predicted:.3f}), {r.batches} batches, "
                      f"{r.seconds:.3f} s")
        plain_t, mon_t, readings = [], [], []
        for _ in range(max(5, args.reps)):
            plain_t.append(epoch_cpu(net.copy(), train))
            other = net.copy()
            mon = NoiseScaleMonitor(other, train)
            mon_t.append(epoch_cpu(other, train, mon))
            readings = mon.readings
        p0, p1 = statistics.median(plain_t), statistics.median(mon_t)
        pairs = statistics.median(b / a - 1 for a, b in zip(plain_t, mon_t))
        print(f"   noise-scale monitor (every 1000 mini-batches, 500 examples): epoch {p0:.3f} s "
              f"without, {p1:.3f} s with: {100 * pairs:+.1f}% (median of pairs); B during that epoch: "
              f"{', '.join(f'{r.noise_scale:.0f}' for r in readings if isinstance(r, NoiseReading))}")
        print(f"   batch-size race from the initial weights, eta = 3, one epoch: "
              f"{tradeoff_text(len(train), 10)}")
        t0 = time.perf_counter()
        ends = {}
        for p in batch_size_race(initial, train, epochs=1, points_per_epoch=5):
            ends[p.label] = p
        print(f"   ({time.perf_counter() - t0:.1f} s in all)")
        for p in ends.values():
            print(f"     {p.label:>10}: {p.updates:>6,} updates, {p.seconds:.2f} s of training, cost "
                  f"{p.cost:.4f}, accuracy {100 * p.accuracy:.1f}%")

    # ------------------------------------------------------------------ 4. sweep, sharpness
    if "4" in args.sections:
        print("\n4. Learning-rate sweep (0.01 .. 100, 1 epoch each, m = 10, test set at the end)")
        sweep = LearningRateSweep(initial, train, epochs=1, test_data=test, points_per_epoch=4)
        t0 = time.perf_counter()
        last(sweep.run())
        wall = time.perf_counter() - t0
        examples = sum(r.examples for r in sweep.runs)
        print(f"   {len(sweep.runs)} runs, {examples:,} images in {wall:.1f} s: {examples / wall:,.0f} "
              f"images/s over all runs with evaluation, {sweep.throughput():,.0f} images/s training "
              f"alone")
        for r in sweep.runs:
            end = r.points[-1]
            print(f"     eta {r.eta:>6g}: test accuracy {100 * (end.test_accuracy or 0):.1f}%, "
                  f"cost {end.cost:.4f}, {r.state}")
        print(f"   {sweep.best()[1]}")
        for label, state in (("initial weights", initial), ("after 1 epoch at eta 3", net)):
            t0 = time.perf_counter()
            s = sharpness(state, train, sample_size=1000)
            print(f"   sharpness, {label}: {s.value:.3f} ({s.products} products, "
                  f"{'converged' if s.converged else 'not converged'}, "
                  f"{time.perf_counter() - t0:.2f} s): {s.describe(eta=3.0)}")


if __name__ == "__main__":
    main()
