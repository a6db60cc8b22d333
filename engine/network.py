"""The network of the book's chapter 1, with backpropagation over a whole mini-batch.

This follows Michael Nielsen's ``network.py`` ("Neural Networks and Deep Learning",
chapter 1) and keeps its names: ``sizes``, ``biases``, ``weights``, ``eta``,
``nabla_b``, ``nabla_w``. ``weights[l]`` has shape (sizes[l+1], sizes[l]), so that
``weights[l][j, k]`` is the weight from neuron k in layer l to neuron j in layer l+1,
as in the book.

Three differences from the book, all for speed and none changing the mathematics:

* each layer's weights and biases live side by side in one array ``params[l]`` of
  shape (n_out, n_in + 1), the biases in the last column; ``weights[l]`` and
  ``biases[l]`` are views into it. Training appends a constant 1 to every input, so the
  bias gradient comes out of the same matrix product as the weight gradient;
* a batch of inputs is a matrix with **one example a row** (shape (m, 784)), so a
  whole mini-batch is fed forward and backpropagated with a few matrix products
  instead of a Python loop over the examples;
* arrays are float32 by default (twice the memory bandwidth and BLAS speed of float64,
  and far more precision than SGD's noise needs; see the README's "Speed" section).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from engine.activations import Sigmoid, get_activation
from engine.costs import get_cost

INITS = ("normal", "scaled")


class Network:
    """A fully connected feed-forward network.

    ``sizes`` lists the neurons per layer, input first: ``Network([784, 30, 10])`` is the
    book's network. ``activation`` is the hidden layers' activation ("sigmoid" as in the
    book, or "relu"); the output layer is always sigmoid, so outputs lie in (0, 1).
    ``cost`` is "quadratic" (the book's chapter 1) or "cross-entropy".

    ``init="normal"`` draws every weight and bias from N(0, 1), as the book's chapter 1
    does; ``init="scaled"`` draws weights from N(0, 1/n_in) (the book's chapter 3), which
    keeps hidden neurons out of saturation and learns faster. ``seed`` makes it repeatable.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "sigmoid",
                 cost: str = "quadratic", init: str = "normal", seed: int | None = None,
                 dtype=np.float32):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two layers of at least one neuron, got {sizes}")
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}: choose one of {', '.join(INITS)}")
        self.sizes = sizes
        self.num_layers = len(sizes)
        self.activation = get_activation(activation)
        self.cost = get_cost(cost)
        self.init = init
        self.dtype = np.dtype(dtype)
        self.metadata = {}   # free-form notes kept with a saved model (how it was trained)
        rng = np.random.default_rng(seed)
        biases = [rng.standard_normal(n) for n in sizes[1:]]
        weights = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            w = rng.standard_normal((n_out, n_in))
            if init == "scaled":
                w /= np.sqrt(n_in)
            weights.append(w)
        self.set_parameters(weights, biases)

    def set_parameters(self, weights, biases) -> None:
        """Copy ``weights`` and ``biases`` (lists shaped as the book's) into the network."""
        if len(weights) != self.num_layers - 1 or len(biases) != self.num_layers - 1:
            raise ValueError(f"expected {self.num_layers - 1} weight matrices and bias vectors")
        params = []
        for n_in, n_out, w, b in zip(self.sizes[:-1], self.sizes[1:], weights, biases):
            w = np.asarray(w)
            b = np.asarray(b).reshape(-1)
            if w.shape != (n_out, n_in) or b.shape != (n_out,):
                raise ValueError(f"a layer of {n_in} -> {n_out} neurons needs weights of shape "
                                 f"{(n_out, n_in)} and biases of shape {(n_out,)}, "
                                 f"got {w.shape} and {b.shape}")
            p = np.empty((n_out, n_in + 1), dtype=self.dtype)
            p[:, :n_in] = w
            p[:, n_in] = b
            params.append(p)
        self.params = params
        self.weights = [p[:, :-1] for p in params]
        self.biases = [p[:, -1] for p in params]

    # ----------------------------------------------------------------- description
    @property
    def activation_name(self) -> str:
        return self.activation.name

    @property
    def cost_name(self) -> str:
        return self.cost.name

    def describe(self) -> str:
        """A short label such as '784-30-10 sigmoid, quadratic cost'."""
        return f"{'-'.join(map(str, self.sizes))} {self.activation.name}, {self.cost.name} cost"

    def parameter_count(self) -> int:
        """How many weights and biases the network has: 784-30-10 has 23,860."""
        return parameter_count(self.sizes)

    def describe_size(self) -> str:
        """A label such as '784-30-10 (23,860 weights and biases)'."""
        return f"{'-'.join(map(str, self.sizes))} ({self.parameter_count():,} weights and biases)"

    def copy(self) -> "Network":
        """An independent copy (weights and biases copied, not shared)."""
        other = Network.__new__(Network)
        other.__dict__.update(self.__dict__)
        other.sizes = list(self.sizes)
        other.set_parameters(self.weights, self.biases)
        return other

    def _layer_activation(self, layer: int):
        """Hidden layers use the chosen activation; the output layer is sigmoid."""
        return Sigmoid if layer == self.num_layers - 2 else self.activation

    # ----------------------------------------------------------------- feeding forward
    def feedforward(self, a: np.ndarray) -> np.ndarray:
        """The network's output for input ``a``.

        ``a`` is one input of shape (784,) or a batch of shape (n, 784); the result has
        shape (10,) or (n, 10) accordingly.
        """
        a = np.asarray(a, dtype=self.dtype)
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w.T
            z += b
            a = self._layer_activation(layer).apply(z, out=z)
        return a

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The digit (index of the largest output) for each row of ``x``."""
        return np.argmax(self.feedforward(x), axis=-1)

    def evaluate(self, x: np.ndarray, labels: np.ndarray, chunk: int = 10_000):
        """(number correct, mean cost) of the network on inputs ``x`` with digit ``labels``.

        The cost includes no L2 term; it is the data cost the network is trained on.
        """
        x = np.asarray(x)
        labels = np.asarray(labels)
        n = len(x)
        if n == 0:
            return 0, float("nan")
        correct = 0
        total = 0.0
        for start in range(0, n, chunk):
            out = self.feedforward(x[start:start + chunk])
            lab = labels[start:start + chunk]
            correct += int(np.count_nonzero(np.argmax(out, axis=1) == lab))
            total += self.cost.total(out, one_hot(lab, self.sizes[-1], out.dtype))
        return correct, total / n

    # ----------------------------------------------------------------- learning
    def backprop(self, x: np.ndarray, y: np.ndarray):
        """The gradient of the cost, averaged over a mini-batch, by backpropagation.

        ``x`` has one input a row (shape (m, n_in)), ``y`` the desired outputs (one-hot,
        shape (m, n_out)). Returns ``(nabla_b, nabla_w, cost)``: lists shaped like
        ``biases`` and ``weights`` holding (1/m) sum_x grad C_x, and the batch's mean
        cost. All m examples go through each layer as one matrix product: the rows of
        ``delta`` are the book's delta^l for each example, and summing the outer products
        delta_x a_x^T over the batch is the single product ``delta.T @ a``.

        This is the readable reference version; ``Trainer`` runs the same equations with
        preallocated buffers (``tests/test_network.py`` checks the two agree).
        """
        x = np.asarray(x, dtype=self.dtype)
        y = np.asarray(y, dtype=self.dtype)
        m = len(x)
        activations = [x]
        a = x
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            a = self._layer_activation(layer).apply(a @ w.T + b)
            activations.append(a)
        delta = np.empty_like(a)
        cost = self.cost.output_delta(a, y, delta, np.empty_like(a)) / m
        nabla_b = [None] * (self.num_layers - 1)
        nabla_w = [None] * (self.num_layers - 1)
        for layer in range(self.num_layers - 2, -1, -1):
            nabla_b[layer] = delta.sum(axis=0) / m
            nabla_w[layer] = delta.T @ activations[layer] / m
            if layer > 0:
                delta = (delta @ self.weights[layer]) * \
                    self._layer_activation(layer - 1).prime_from_output(activations[layer])
        return nabla_b, nabla_w, cost


def parameter_count(sizes: Sequence[int]) -> int:
    """The number of weights and biases of a network with layer ``sizes``.

    Each layer after the input has n_in weights and one bias per neuron, so the total is
    the sum of (n_in + 1) * n_out: 784-30-10 has 785*30 + 31*10 = 23,860, and
    3Blue1Brown's 784-16-16-10 has 13,002.
    """
    sizes = [int(s) for s in sizes]
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def one_hot(labels: np.ndarray, n: int = 10, dtype=np.float32) -> np.ndarray:
    """The book's y(x): a vector with 1.0 at the label's position and 0.0 elsewhere."""
    labels = np.asarray(labels, dtype=np.intp)
    out = np.zeros((len(labels), n), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1.0
    return out
