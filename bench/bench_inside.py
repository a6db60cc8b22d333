"""How long the "Inside" panel's computations take (goals: unit pictures < 20 ms,
confusion matrix < 100 ms).

    MNIST_DIR=/work/shared/mnist python bench/bench_inside.py [--repeat N] [--random-labels]

Prints the median (and 90th percentile) of N runs, interleaved round by round, of:

* unit pictures: the 100 first-layer units of the shipped 784-100-10 model as
  (100, 28, 28) weights, coloured blue-white-red (RGBA), alone and tiled into one image;
* confusion matrix: one forward pass of the 10,000 test images, the counts and every
  cell's images sorted by confidence, for the shipped model and a 784-30-10 network;
* one digit: its cost table, and its gradients to the pixels and the weights;
* learn this: k = 10 steps of gradient descent on one digit, alone and with 10 MNIST
  training images mixed into each step;
* a random-labels epoch: both copies of the default experiment (engine.random_labels)
  train one epoch on their subset and are evaluated on it and on the test images.

``--random-labels`` then runs the whole default experiment and prints every fifth epoch.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--random-labels", action="store_true",
                        help="also run the whole default random-labels experiment")
    args = parser.parse_args(argv)


    from engine import Network, mnist, model_io
    from engine.blas import one_blas_thread
    from engine.confusion import confusion_matrix
    from engine.digit_cost import digit_cost, digit_gradients
    from engine.random_labels import RANDOM_LABELS_DEFAULTS, RandomLabels
    from engine.teach import teach
    from engine.unit_pictures import diverging_rgba, unit_grid, unit_pictures

    try:
        data = mnist.load_data(split="book", download=False, progressbar=False)
    except mnist.MnistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    net = model_io.load(ROOT / "resources" / "model-784-100-10.npz")
    small = Network([784, 30, 10], seed=1)
    test = data.test
    x, label = test.images[0], int(test.labels[0])

    def pictures():
        p, scale = unit_pictures(net)
        return diverging_rgba(p, scale)

    rl = RandomLabels(data.training, data.test, **RANDOM_LABELS_DEFAULTS)
    rl_run = rl.run()
    next(rl_run)                                     # epoch 0: the initial evaluation

    rows = [
        ("unit pictures, 100 units + RGBA", pictures),
        ("unit grid, 100 units tiled (one RGBA image)", lambda: unit_grid(net)),
        ("confusion matrix, 784-100-10, 10,000 images", lambda: confusion_matrix(net, *test)),
        ("confusion matrix, 784-30-10, 10,000 images", lambda: confusion_matrix(small, *test)),
        ("one digit's cost table", lambda: digit_cost(net, x)),
        ("one digit's gradients (pixels, weights)", lambda: digit_gradients(net, x, label)),
        ("learn this, k = 10", lambda: teach(net, x, label, steps=10)),
        ("learn this, k = 10, 10 MNIST images mixed in",
         lambda: teach(net, x, label, steps=10, mix=10, training_data=data.training, seed=0)),
    ]
    times = {name: [] for name, _ in rows}
    for name, fn in rows:
        fn()                                         # warm up lazy imports and caches
    for _ in range(args.repeat):                     # interleaved, round by round
        for name, fn in rows:
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1000.0)
    epochs = []
    for _ in range(min(args.repeat, 10)):
        t0 = time.perf_counter()
        next(rl_run)
        epochs.append((time.perf_counter() - t0) * 1000.0)
    rl_run.close()
    settings = ", ".join(f"{k}={v}" for k, v in RANDOM_LABELS_DEFAULTS.items() if k != "epochs")
    times[f"random-labels epoch, both copies ({settings})"] = epochs

    print(f"{args.repeat} runs each (random-labels: {len(epochs)} epochs); one BLAS thread")
    print(f"{'what':92s} {'median ms':>10s} {'p90 ms':>8s}")
    for name, t in times.items():
        t = sorted(t)
        print(f"{name:92s} {statistics.median(t):10.2f} {t[int(0.9 * (len(t) - 1))]:8.2f}")

    with one_blas_thread():
        c = confusion_matrix(net, *test)
    print(f"\nshipped model: test accuracy {c.accuracy:.2%}; most confident mistake: image "
          f"{c.mistakes(1)[0]} (a {c.labels[c.mistakes(1)[0]]} read as "
          f"{c.guesses[c.mistakes(1)[0]]}, output {c.confidence[c.mistakes(1)[0]]:.3f})")

    if args.random_labels:
        exp = RandomLabels(data.training, data.test, **RANDOM_LABELS_DEFAULTS)
        print(f"\nrandom labels: {settings}, epochs={exp.epochs}; "
              f"{exp.shuffled_share:.1%} of the labels changed by the shuffle")
        print("epoch  seconds  true: train / test   shuffled: train / test")
        for r in exp.run():
            if r.epoch % 5 == 0 or r.epoch == exp.epochs:
                print(f"{r.epoch:5d} {r.seconds:8.1f}  {r.true_train_accuracy:11.1%} / "
                      f"{r.true_test_accuracy:5.1%}   {r.shuffled_train_accuracy:11.1%} / "
                      f"{r.shuffled_test_accuracy:5.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
