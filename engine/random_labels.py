"""Random labels: a network big enough can learn anything, even nonsense (Zhang et al. 2017).

Zhang, Bengio, Hardt, Recht and Vinyals ("Understanding deep learning requires rethinking
generalization", ICLR 2017) trained networks on images whose labels had been shuffled at
random, so that there was nothing to learn: a picture of a 3 might be called "7", another
3 "0". The networks still reached 100% accuracy on their training images. They had
*memorised* them, one by one, and on new images they did no better than guessing (10%).

``RandomLabels`` repeats the experiment small enough to watch: two copies of one and the
same initial network train on the same subset of MNIST's training images, in the same
order of mini-batches, with the same eta and m. One copy gets the true labels, the other
the labels shuffled among the images (so each digit keeps its share of labels, but which
image carries which is random). After every epoch it yields the training accuracy (on the
labels each copy was taught) and the test accuracy (on the real labels of test images)
of both. The true copy climbs in both; the shuffled copy climbs in training accuracy,
more slowly, while its test accuracy stays near 10%: low training cost is not the same
thing as having learned.

The defaults (``RANDOM_LABELS_DEFAULTS``: 5,000 images, 784-100-10, cross-entropy,
eta = 0.5, m = 10, 100 epochs) make the memorisation visible in about half a minute on
one core: after 100 epochs the true copy has 100% training and 95% test accuracy, the
shuffled copy 98% training and 11% test accuracy (``bench/bench_inside.py
--random-labels`` prints the whole run).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

import numpy as np

from engine.blas import one_blas_thread
from engine.network import Network
from engine.sgd import EpochResult, Trainer

# Settings found by measurement (bench/bench_inside.py --random-labels).
# 5,000 images, 784-100-10: the shuffled copy passes 90% training accuracy after about 60
# epochs (~20 s on one core) and 95% after 80, its test accuracy staying at 9-12%.
RANDOM_LABELS_DEFAULTS = dict(train_size=5000, sizes=(784, 100, 10), activation="sigmoid",
                              cost="cross-entropy", init="scaled", eta=0.5,
                              mini_batch_size=10, epochs=100)


@dataclass(frozen=True)
class RandomLabelsEpoch:
    """Both copies after ``epoch`` epochs (epoch 0: the shared initial network)."""

    epoch: int
    true_train_accuracy: float       # the true-label copy, on its training images
    true_test_accuracy: float        # ... and on the test images
    shuffled_train_accuracy: float   # the shuffled copy, against the shuffled labels it learns
    shuffled_test_accuracy: float    # ... and on the test images' true labels
    true_train_cost: float
    shuffled_train_cost: float
    seconds: float                   # wall-clock since run() began, evaluations included
    examples_seen: int               # training examples each copy has seen


class RandomLabels:
    """Two copies of one network: one taught the true labels, one shuffled labels.

    ``training_data`` and ``test_data`` are pairs (images (n, 784), labels (n,)), such as
    ``mnist.load_data().training`` and ``.test``. ``train_size`` images are drawn at
    random from ``training_data`` (with ``seed``); ``fraction`` of their labels (1.0: all)
    are shuffled among themselves for the second copy. ``test_size`` limits the test
    images evaluated each epoch (None: all). ``net`` is the initial network (copied, not
    changed); None makes ``Network(sizes, activation, cost, init, seed)``.

    Iterate over ``run()``; call ``stop()`` (from any thread) or stop iterating to end it.
    """

    def __init__(self, training_data, test_data, train_size: int = 5000,
                 sizes: Sequence[int] = (784, 100, 10), activation: str = "sigmoid",
                 cost: str = "cross-entropy", init: str = "scaled", eta: float = 0.5,
                 mini_batch_size: int = 10, epochs: int = 100, fraction: float = 1.0,
                 test_size: Optional[int] = None, seed: int = 0, net: Optional[Network] = None):
        images, labels = np.asarray(training_data[0]), np.asarray(training_data[1])
        test_images, test_labels = np.asarray(test_data[0]), np.asarray(test_data[1])
        if images.ndim != 2 or len(images) != len(labels) or len(images) == 0:
            raise ValueError("training_data must be images (n, inputs) and labels (n,)")
        if test_images.ndim != 2 or len(test_images) != len(test_labels) or len(test_images) == 0:
            raise ValueError("test_data must be images (n, inputs) and labels (n,)")
        if isinstance(train_size, bool) or not isinstance(train_size, (int, np.integer)) \
                or not 1 <= train_size <= len(images):
            raise ValueError(f"train_size must be a whole number from 1 to {len(images)}, "
                             f"got {train_size!r}")
        if not 0.0 <= float(fraction) <= 1.0:
            raise ValueError(f"fraction (of labels shuffled) must be from 0 to 1, got {fraction!r}")
        if test_size is not None and not 1 <= int(test_size) <= len(test_images):
            raise ValueError(f"test_size must be from 1 to {len(test_images)}, got {test_size!r}")
        initial = net if net is not None else Network(sizes, activation=activation, cost=cost,
                                                      init=init, seed=seed)
        if images.shape[1] != initial.sizes[0] or test_images.shape[1] != initial.sizes[0]:
            raise ValueError(f"the images have {images.shape[1]} values, the network's input "
                             f"layer {initial.sizes[0]}")
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.choice(len(images), int(train_size), replace=False))
        self.images = np.ascontiguousarray(images[pick], dtype=initial.dtype)
        self.labels = labels[pick].copy()
        self.indices = pick                       # which training images were taken
        self.shuffled_labels = self.labels.copy()
        moved = np.sort(rng.choice(len(pick), int(round(float(fraction) * len(pick))),
                                   replace=False))
        self.shuffled_labels[moved] = self.labels[moved][rng.permutation(len(moved))]
        if test_size is not None:
            test_images, test_labels = test_images[:int(test_size)], test_labels[:int(test_size)]
        test = (np.ascontiguousarray(test_images, dtype=initial.dtype), test_labels)
        self.initial = initial.copy()
        self.true_net = initial.copy()
        self.shuffled_net = initial.copy()
        # The same seed gives both trainers the same permutation every epoch: the two
        # copies see the same images in the same mini-batches, only the labels differ.
        order_seed = int(rng.integers(2**32))
        common = dict(eta=eta, mini_batch_size=mini_batch_size, epochs=epochs, test_data=test,
                      monitor_training=True, seed=order_seed)
        self.true_trainer = Trainer(self.true_net, (self.images, self.labels), **common)
        self.shuffled_trainer = Trainer(self.shuffled_net, (self.images, self.shuffled_labels),
                                        **common)
        self.test = test
        self.epochs = int(epochs)
        self._stop = False

    @property
    def shuffled_share(self) -> float:
        """The share of training images whose shuffled label differs from the true one."""
        return float(np.mean(self.shuffled_labels != self.labels))

    def stop(self) -> None:
        """Ask ``run()`` to end soon (within one mini-batch); safe from another thread."""
        self._stop = True
        self.true_trainer.stop()
        self.shuffled_trainer.stop()

    def _initial_record(self) -> RandomLabelsEpoch:
        net, test = self.initial, self.test
        with one_blas_thread():
            true_ok, true_cost = net.evaluate(self.images, self.labels)
            shuf_ok, shuf_cost = net.evaluate(self.images, self.shuffled_labels)
            test_ok, _ = net.evaluate(*test)
        n, nt = len(self.labels), len(test[1])
        return RandomLabelsEpoch(0, true_ok / n, test_ok / nt, shuf_ok / n, test_ok / nt,
                                 true_cost, shuf_cost, 0.0, 0)

    def run(self) -> Iterator[RandomLabelsEpoch]:
        """Yield a ``RandomLabelsEpoch`` for the start (epoch 0) and after every epoch.

        The copies take turns, a whole epoch each; between yields nothing runs, so a
        consumer may pause as long as it likes. Ends after ``epochs`` epochs, or early
        after ``stop()`` (a stopped experiment stays stopped: make a new one to start
        again); raises ``sgd.Diverged`` if eta is far too large.
        """
        t0 = time.perf_counter()
        if self._stop:
            return
        yield self._initial_record()
        runs = [self.true_trainer.run(), self.shuffled_trainer.run()]
        try:
            for _ in range(self.epochs):
                results = []
                for gen in runs:
                    result = next((r for r in gen if isinstance(r, EpochResult)), None)
                    if result is None or self._stop:      # stopped mid-epoch
                        return
                    results.append(result)
                t, s = results
                yield RandomLabelsEpoch(t.epoch, t.train_accuracy, t.test_accuracy,
                                        s.train_accuracy, s.test_accuracy, t.train_cost,
                                        s.train_cost, time.perf_counter() - t0, t.examples_seen)
                if self._stop:
                    return
        finally:
            # last opened, first closed: each run restores the BLAS threads it found
            for gen in reversed(runs):
                gen.close()
