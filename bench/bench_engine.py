"""How fast does the engine train? Prints seconds per epoch and the choices behind them.

    python bench/bench_engine.py [--data DIR] [--epochs 5] [--book-examples 3000]

784-30-10, sigmoid, quadratic cost, eta = 3.0, on all 60,000 MNIST training images
(MNIST from --data, MNIST_DIR or the cache). Each figure is the median of several epochs
of the training loop alone (no evaluation); the engine's epochs and the book's code are
measured in turn, so the ratio between them is fair even when the load changes. Goals (issue 2): at most 0.35 s per epoch at
m = 10, at least 20x the book's one-example-at-a-time code in the same run, and under
20 us to predict one 784-vector. The machine is shared and noisy: compare figures from
one run, not across runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Network, Trainer, mnist  # noqa: E402
from engine import book_reference as book  # noqa: E402
from engine.network import one_hot  # noqa: E402
from engine.sgd import BatchProgress, EpochResult  # noqa: E402


def epoch_seconds(train, m, epochs, dtype=np.float32, blas_threads=1):
    net = Network([784, 30, 10], seed=1, dtype=dtype)
    trainer = Trainer(net, train, eta=3.0, mini_batch_size=m, epochs=epochs, seed=1)
    trainer.blas_threads = blas_threads
    return statistics.median(r.seconds for r in trainer.run() if isinstance(r, EpochResult))


def unbuffered_epoch_seconds(train, m):
    """The same maths with Network.backprop: new arrays every mini-batch, no fused update."""
    from threadpoolctl import threadpool_limits

    net = Network([784, 30, 10], seed=1)
    x, labels = train
    y = one_hot(labels)
    rng = np.random.default_rng(1)
    with threadpool_limits(1, user_api="blas"):
        start = time.perf_counter()
        perm = rng.permutation(len(x))
        for k in range(0, len(x), m):
            idx = perm[k:k + m]
            nabla_b, nabla_w, _ = net.backprop(x[idx], y[idx])
            for w, b, nw, nb in zip(net.weights, net.biases, nabla_w, nabla_b):
                w -= 3.0 * nw
                b -= 3.0 * nb
        return time.perf_counter() - start


def book_epoch_seconds(train, examples):
    """The book's network.py (float64, one example at a time) on ``examples`` images,
    scaled to the whole training set (its cost is linear in the number of examples)."""
    net = Network([784, 30, 10], seed=1, dtype=np.float64)
    x, labels = train
    pairs = book.as_column_pairs(x[:examples].astype(np.float64), labels[:examples])
    start = time.perf_counter()
    book.sgd_epoch(net, pairs, 10, 3.0, np.random.default_rng(1))
    return (time.perf_counter() - start) * len(x) / examples


def predict_microseconds(repeats=20_000):
    from threadpoolctl import threadpool_limits

    net = Network([784, 30, 10], seed=1)
    x = np.random.default_rng(0).random(784, dtype=np.float32)
    with threadpool_limits(1, user_api="blas"):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(repeats):
                net.feedforward(x)
            times.append((time.perf_counter() - start) / repeats * 1e6)
    return statistics.median(times)


def yield_microseconds(n=60_000):
    """What handing out one progress record costs: a BatchProgress made and yielded, as
    the trainer does after every mini-batch, and taken by a consumer's for loop."""
    def records():
        for i in range(1, n + 1):
            yield BatchProgress(1, i, n, 0.25, 10 * i, 10 * i, 0.001 * i, 3.0, 10)

    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _record in records():
            pass
        times.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MNIST folder (default: MNIST_DIR or the cache)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per figure (median)")
    parser.add_argument("--book-examples", type=int, default=3000,
                        help="images the book's slow version trains on (scaled to 60,000)")
    args = parser.parse_args()
    try:
        data = mnist.load_data(args.data, split="full", download=False)
    except mnist.MnistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    train = (data.training.images, data.training.labels)
    n = len(data.training)
    print(f"784-30-10 sigmoid, quadratic cost, eta 3.0, {n:,} training images; "
          f"median of {args.epochs} first epochs (each from a new network, the engine's and "
          f"the book's in turn), training loop only")
    print()
    print(f"{'':34s}{'m = 10':>10s}{'m = 100':>10s}{'m = 1000':>10s}")
    # The engine's epochs and the book's code alternate, so that a busy moment of this
    # shared machine falls on both sides of the ratio rather than on one.
    runs = {10: [], 100: [], 1000: [], "book": []}
    for _ in range(args.epochs):
        for m in (10, 100, 1000):
            runs[m].append(epoch_seconds(train, m, 1))
        runs["book"].append(book_epoch_seconds(train, args.book_examples))
    ours = {m: statistics.median(runs[m]) for m in (10, 100, 1000)}
    print(f"{'this engine (float32, 1 thread)':34s}" +
          "".join(f"{ours[m]:9.3f}s" for m in (10, 100, 1000)))
    book_s = statistics.median(runs["book"])
    print(f"{'the book, one example at a time':34s}" + f"{book_s:9.3f}s" * 3 +
          f"   (float64, {args.book_examples:,} images x {n / args.book_examples:g})")
    print(f"{'speed-up over the book':34s}" +
          "".join(f"{book_s / ours[m]:9.1f}x" for m in (10, 100, 1000)))
    print()
    print("Choices, measured in this run (s per epoch; the ratio is against the engine):")
    alt_epochs = max(1, args.epochs - 1)
    f64 = epoch_seconds(train, 10, alt_epochs, dtype=np.float64)
    print(f"  float64 instead of float32, m = 10:       {f64:7.3f}s  ({f64 / ours[10]:.2f}x)")
    f64b = epoch_seconds(train, 100, alt_epochs, dtype=np.float64)
    print(f"  float64 instead of float32, m = 100:      {f64b:7.3f}s  ({f64b / ours[100]:.2f}x)")
    for m in (10, 100):
        t2 = epoch_seconds(train, m, 1, blas_threads=2)
        print(f"  2 BLAS threads instead of 1, m = {m:<4d}:   {t2:7.3f}s  ({t2 / ours[m]:.2f}x)")
    unbuf = unbuffered_epoch_seconds(train, 10)
    print(f"  no buffer reuse (Network.backprop), m = 10: {unbuf:5.3f}s  ({unbuf / ours[10]:.2f}x)")
    print()
    us = predict_microseconds()
    print(f"Predict one 784-vector (Network.feedforward): median {us:.1f} us (goal < 20 us)")
    y_us = yield_microseconds()
    per_batch_us = ours[10] / (n / 10) * 1e6
    print(f"Yield one progress record per mini-batch: median {y_us:.2f} us "
          f"({100 * y_us / per_batch_us:.1f}% of a mini-batch at m = 10, {per_batch_us:.0f} us)")
    print()
    print(f"Goal m = 10 <= 0.35 s: {'met' if ours[10] <= 0.35 else 'NOT met'} ({ours[10]:.3f} s); "
          f">= 20x the book: {'met' if book_s / ours[10] >= 20 else 'NOT met'} "
          f"({book_s / ours[10]:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
