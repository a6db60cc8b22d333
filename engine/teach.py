"""Teach the network one digit: a few steps of gradient descent on your own handwriting.

The network got your 7 wrong? Take k steps of w -> w - eta grad C_x on that one example
(x, label), exactly the book's update with a mini-batch of one, and watch the output for
the label climb. This is what training does to every one of the 50,000 images, a
mini-batch at a time.

Learning from one example alone can also teach the network something false: k big steps
on one image bend weights that every other digit relies on. ``accuracy_before_after``
measures that on the test set. Mixing ``mix`` random MNIST training images into every
step (a mini-batch of 1 + mix examples, the book's average of their gradients) keeps the
network anchored to what it knew.

Everything happens on a copy: the given network is never touched, so "undo" is simply
going back to it, bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from engine.blas import one_blas_thread
from engine.digit_cost import DigitCost, as_input, check_label, digit_cost
from engine.network import Network, one_hot


@dataclass(frozen=True)
class Lesson:
    """What ``teach`` did: the taught copy, and the digit's cost before and after."""

    network: Network                 # the taught copy (the original is untouched)
    before: DigitCost                # outputs and costs of x before the first step
    after: DigitCost                 # ... and after the last
    costs: list = field(repr=False)  # the network's own cost of x before each step, then after
    steps: int = 0
    eta: float = 0.0
    mix: int = 0


def _check(steps, eta, mix, training_data):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 0 <= steps <= 10_000:
        raise ValueError(f"steps must be a whole number from 0 to 10,000, got {steps!r}")
    if isinstance(eta, bool) or not isinstance(eta, (int, float, np.floating)) \
            or not math.isfinite(eta) or eta <= 0:
        raise ValueError(f"eta must be a positive number, got {eta!r}")
    if isinstance(mix, bool) or not isinstance(mix, (int, np.integer)) or mix < 0:
        raise ValueError(f"mix must be a whole number of at least 0, got {mix!r}")
    if mix and training_data is None:
        raise ValueError("mixing in training images needs training_data (MNIST's training set)")


def teach(net: Network, x, label: int, steps: int = 10, eta: float = 0.1, mix: int = 0,
          training_data=None, seed: int | None = None) -> Lesson:
    """Take ``steps`` steps of gradient descent on one input ``x`` with ``label``.

    Works on ``net.copy()`` and returns a ``Lesson`` holding it. Each step is the book's
    update w -> w - (eta/m) sum grad C over a mini-batch of m = 1 + ``mix`` examples:
    (x, label) and ``mix`` images drawn at random from ``training_data`` (a pair of
    images (n, 784) and labels (n,)) with the generator seeded by ``seed``. The cost is
    the network's own (quadratic or cross-entropy).
    """
    x = as_input(net, x)
    label = check_label(net, label)
    _check(steps, eta, mix, training_data)
    if mix:
        images, labels = np.asarray(training_data[0]), np.asarray(training_data[1])
        if images.ndim != 2 or images.shape[1] != net.sizes[0] or len(labels) != len(images) \
                or len(images) == 0:
            raise ValueError(f"training_data must be images (n, {net.sizes[0]}) and labels (n,)")
    before = digit_cost(net, x, label)
    taught = net.copy()
    rng = np.random.default_rng(seed)
    y = one_hot([label], net.sizes[-1], net.dtype)
    costs = []
    with one_blas_thread():
        for _ in range(int(steps)):
            if mix:
                pick = rng.integers(0, len(images), int(mix))
                xb = np.vstack([x[None, :], images[pick].astype(net.dtype, copy=False)])
                yb = np.vstack([y, one_hot(labels[pick], net.sizes[-1], net.dtype)])
            else:
                xb, yb = x[None, :], y
            nabla_b, nabla_w, _ = taught.backprop(xb, yb)
            costs.append(taught.cost.total(taught.feedforward(x)[None, :], y))
            for w, b, nw, nb in zip(taught.weights, taught.biases, nabla_w, nabla_b):
                w -= eta * nw
                b -= eta * nb
    after = digit_cost(taught, x, label)
    costs.append(after.network_cost)
    if not all(np.isfinite(p).all() for p in taught.params):
        raise ArithmeticError(f"the weights became infinite: eta = {eta:g} is too large")
    return Lesson(taught, before, after, costs, int(steps), float(eta), int(mix))


def accuracy(net: Network, test_data) -> float:
    """The share of ``test_data`` (images, labels) that ``net`` answers right."""
    images, labels = test_data[0], test_data[1]
    if len(labels) == 0:
        return float("nan")
    with one_blas_thread():
        correct, _ = net.evaluate(images, labels)
    return correct / len(labels)


def accuracy_before_after(before: Network, after: Network, test_data) -> tuple:
    """(accuracy of ``before``, accuracy of ``after``) on ``test_data``: what one lesson
    cost (or gained) on the digits the network was not taught."""
    return accuracy(before, test_data), accuracy(after, test_data)
