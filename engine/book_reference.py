"""The book's algorithm one example at a time, as Nielsen's ``network.py`` writes it.

A port to Python 3 of ``update_mini_batch`` and ``backprop`` from chapter 1, kept only
as a reference: the tests check that ``Network.backprop`` and ``Trainer`` (a whole
mini-batch as matrices) compute the same thing, and ``bench/bench_engine.py`` measures
how much faster they are. It works on a ``Network``'s own arrays (column vectors, as
in the book), so the comparison is like for like.
"""

from __future__ import annotations

import numpy as np

from engine.activations import Sigmoid
from engine.network import Network


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def backprop(net: Network, x: np.ndarray, y: np.ndarray):
    """(nabla_b, nabla_w) for one example x (n_in, 1) with desired output y (n_out, 1):
    the gradient of the quadratic cost C_x, exactly as the book's ``backprop``."""
    if net.activation is not Sigmoid or net.cost_name != "quadratic":
        raise ValueError("the book's reference is sigmoid neurons with the quadratic cost")
    biases = [b.reshape(-1, 1) for b in net.biases]
    weights = net.weights
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for layer in range(2, net.num_layers):
        z = zs[-layer]
        sp = sigmoid_prime(z)
        delta = np.dot(weights[-layer + 1].transpose(), delta) * sp
        nabla_b[-layer] = delta
        nabla_w[-layer] = np.dot(delta, activations[-layer - 1].transpose())
    return nabla_b, nabla_w


def update_mini_batch(net: Network, mini_batch, eta: float) -> None:
    """One step of SGD over ``mini_batch``, a list of (x, y) column-vector pairs."""
    nabla_b = [np.zeros((b.size, 1)) for b in net.biases]
    nabla_w = [np.zeros(w.shape) for w in net.weights]
    for x, y in mini_batch:
        delta_nabla_b, delta_nabla_w = backprop(net, x, y)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    m = len(mini_batch)
    for w, nw in zip(net.weights, nabla_w):
        w -= (eta / m) * nw
    for b, nb in zip(net.biases, nabla_b):
        b -= (eta / m) * nb.reshape(-1)


def as_column_pairs(images: np.ndarray, labels: np.ndarray, n_out: int = 10):
    """The book's data format: a list of (x, y) with x (784, 1) and one-hot y (10, 1)."""
    pairs = []
    for image, label in zip(images, labels):
        y = np.zeros((n_out, 1))
        y[int(label)] = 1.0
        pairs.append((image.reshape(-1, 1), y))
    return pairs


def sgd_epoch(net: Network, pairs, mini_batch_size: int, eta: float, rng) -> None:
    """One epoch of the book's SGD: shuffle, cut into mini-batches, update."""
    order = rng.permutation(len(pairs))
    shuffled = [pairs[i] for i in order]
    for k in range(0, len(shuffled), mini_batch_size):
        update_mini_batch(net, shuffled[k:k + mini_batch_size], eta)
