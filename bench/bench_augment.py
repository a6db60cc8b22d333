"""How much does augmentation slow training? Seconds per epoch with and without it.

    python bench/bench_augment.py [--data DIR] [--rounds 3] [--sizes 784 500 300 10]
                                  [--kinds elastic,thickness]

One epoch over all 60,000 MNIST training images at m = 10 (training loop only, no
evaluation), without and with augmentation at strength 1, in turn, ``--rounds`` times
each; prints the medians and their ratio (goal: at most 2x). Measured for the book's
784-30-10 (sigmoid, eta 3.0) with ``--augment on`` (affine, elastic and thickness), all
images distorted and a quarter of them (``--augment-fraction 0.25``), and for the
network given by ``--sizes`` with ``--kinds`` (ReLU, cross-entropy: the shipped
model's recipe). Also prints what
distorting one image costs by block size, and one forward pass of one 784-vector
through the shipped model (goal: under 50 us). The machine is shared and noisy: compare
figures from one run only. Wall and CPU time are both printed: on a busy machine the
training thread's own CPU time is the steadier of the two (it also counts the epoch's
setup, such as the plain run's copy of the images with a column of ones, about 0.05 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Network, Trainer, mnist, model_io  # noqa: E402
from engine.augment import Augmenter  # noqa: E402
from engine.sgd import EpochResult  # noqa: E402

SHIPPED = Path(__file__).resolve().parent.parent / "resources" / "model-784-500-300-10.npz"


def epoch_seconds(train, sizes, augment: bool, fraction: float = 1.0,
                  kinds: str = "on") -> float:
    relu = len(sizes) > 2 and sizes[1] > 100
    net = Network(sizes, activation="relu" if relu else "sigmoid",
                  cost="cross-entropy" if relu else "quadratic",
                  init="scaled" if relu else "normal", seed=1)
    aug = Augmenter(kinds, seed=1, fraction=fraction) if augment else None
    trainer = Trainer(net, train, eta=0.05 if relu else 3.0, mini_batch_size=10, epochs=1,
                      seed=1, augment=aug)
    cpu = time.thread_time()         # this thread's CPU time: the loop runs here
    wall = next(r.seconds for r in trainer.run() if isinstance(r, EpochResult))
    return wall, time.thread_time() - cpu


def _median(pairs, i):
    return statistics.median(p[i] for p in pairs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="+", default=[784, 500, 300, 10])
    ap.add_argument("--kinds", default="elastic,thickness",
                    help="the distortions for --sizes' network (the shipped model's)")
    args = ap.parse_args(argv)
    data = mnist.load_data(args.data, split="full", progressbar=False)
    train = data.training
    x = np.ascontiguousarray(train[0][:8192], dtype=np.float32)

    print("distorting one image (all three kinds), by block size, median of 5 (CPU time):")
    for block in (16, 64, 256, 1024, 4096):
        aug = Augmenter(seed=1)
        times = []
        for _ in range(5):
            t0 = time.thread_time()
            for i in range(0, len(x), block):
                aug(x[i:i + block])
            times.append((time.thread_time() - t0) / len(x))
        print(f"  block {block:5d}: {1e6 * statistics.median(times):6.1f} us")

    for sizes, fraction, kinds in (([784, 30, 10], 1.0, "on"), ([784, 30, 10], 0.25, "on"),
                                   (args.sizes, 1.0, args.kinds)):
        plain, augmented = [], []
        for _ in range(args.rounds):          # interleaved: both see the same load
            plain.append(epoch_seconds(train, sizes, False))
            augmented.append(epoch_seconds(train, sizes, True, fraction, kinds))
        name = "-".join(map(str, sizes)) + f" ({kinds}" + (
            f", {fraction:.0%} distorted)" if fraction < 1 else ")")
        for i, what in ((0, "wall"), (1, "CPU")):
            p, a = _median(plain, i), _median(augmented, i)
            print(f"{name}, m = 10, one epoch, {what} time: {p:.2f} s plain, {a:.2f} s "
                  f"augmented: {a / p:.2f}x (rounds: plain "
                  f"{', '.join(f'{v[i]:.2f}' for v in plain)}; augmented "
                  f"{', '.join(f'{v[i]:.2f}' for v in augmented)})", flush=True)

    if SHIPPED.is_file():
        from threadpoolctl import threadpool_limits
        net = model_io.load(SHIPPED)
        v = x[0]
        with threadpool_limits(1, user_api="blas"):
            times = []
            for _ in range(3000):
                t0 = time.perf_counter()
                net.feedforward(v)
                times.append(time.perf_counter() - t0)
        times.sort()
        print(f"forward pass of one 784-vector through {SHIPPED.name} "
              f"({net.describe()}): median {1e6 * times[len(times) // 2]:.1f} us, "
              f"p90 {1e6 * times[int(0.9 * len(times))]:.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
