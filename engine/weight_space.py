"""The network's weights as one point in weight space, and the cost and gradient there.

The book's network 784-30-10 has 23,860 variables: 784*30 + 30 weights and biases into
the hidden layer, 30*10 + 10 into the output layer. Gradient descent moves one point
w = (all weights and biases) through that 23,860-dimensional space. The tools that look
at the landscape (``engine.landscape``), check the linear prediction
dC ~ grad C . dw (``engine.probe``), measure gradient noise (``engine.batch_noise``) and
curvature (``engine.lr_sweep``) all need the same three things, which live here:

* ``flatten(params)`` / ``unflatten(vector, sizes)``: the per-layer arrays of
  ``Network.params`` (shape (n_out, n_in + 1), the biases in the last column) as one
  vector and back. Every vector in these modules uses that order, so a "direction" in
  weight space is simply a vector of the same length as ``flatten(net.params)``;
* ``Sample``: a fixed set of examples with a column of ones appended to the inputs (so
  a layer's weights and bias act in one matrix product, as in ``Trainer``) and the
  one-hot targets y(x);
* ``cost_and_gradient(net, params, sample)``: the mean cost C = (1/n) sum_x C_x at any
  weights ``params`` (not only the network's own), its gradient by backpropagation, and
  optionally the squared length of every example's own gradient ||grad C_x||^2.

That last one is almost free for dense layers. Example x's gradient with respect to
layer l's [w b] is the outer product delta_x [a_x 1]^T of its error and its input, and
the squared length of an outer product is the product of the squared lengths:

    ||delta_x [a_x 1]^T||^2 = ||delta_x||^2 (||a_x||^2 + 1).

Summing over the layers gives ||grad C_x||^2 without ever forming the 23,860 numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence

import numpy as np

from engine.network import Network, one_hot


def layer_shapes(sizes: Sequence[int]) -> List[tuple]:
    """The shape (n_out, n_in + 1) of each layer's [weights biases] array."""
    return [(n_out, n_in + 1) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def parameter_count(sizes: Sequence[int]) -> int:
    """How many weights and biases a network of ``sizes`` has (23,860 for 784-30-10)."""
    return sum(r * c for r, c in layer_shapes(sizes))


def flatten(params: Sequence[np.ndarray], dtype=None) -> np.ndarray:
    """All layers' [weights biases] arrays as one new vector, layer after layer, row by row."""
    vec = np.concatenate([np.asarray(p).ravel() for p in params])
    return vec if dtype is None else vec.astype(dtype, copy=False)


def unflatten(vector: np.ndarray, sizes: Sequence[int], dtype=None) -> List[np.ndarray]:
    """The per-layer arrays of shape (n_out, n_in + 1) held in ``vector`` (views if no
    dtype change is asked for). The inverse of ``flatten``."""
    vector = np.asarray(vector)
    if dtype is not None:
        vector = vector.astype(dtype, copy=False)
    expected = parameter_count(sizes)
    if vector.ndim != 1 or len(vector) != expected:
        raise ValueError(f"a network of sizes {list(sizes)} has {expected} weights and biases; "
                         f"got a vector of shape {vector.shape}")
    out, start = [], 0
    for shape in layer_shapes(sizes):
        size = shape[0] * shape[1]
        out.append(vector[start:start + size].reshape(shape))
        start += size
    return out


def load_into(net: Network, vector: np.ndarray) -> None:
    """Copy the weight-space point ``vector`` into ``net`` in place (its arrays keep their
    identity, so a ``Trainer`` holding views of them follows)."""
    for p, q in zip(net.params, unflatten(vector, net.sizes)):
        p[...] = q


@dataclass
class Sample:
    """A fixed set of examples ready for the products: ``xa`` is the inputs with a last
    column of ones (n, n_in + 1), ``y`` the one-hot targets (n, n_out), ``labels`` the
    digits (n,)."""

    xa: np.ndarray
    y: np.ndarray
    labels: np.ndarray

    @classmethod
    def from_data(cls, images, labels, n_out: int = 10, dtype=np.float32) -> "Sample":
        images = np.asarray(images)
        labels = np.asarray(labels)
        if images.ndim != 2 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError("a sample needs images of shape (n, inputs) and labels of shape (n,)")
        if len(images) == 0:
            raise ValueError("a sample needs at least one example")
        xa = np.empty((len(images), images.shape[1] + 1), dtype)
        xa[:, :-1] = images
        xa[:, -1] = 1.0
        return cls(xa, one_hot(labels, n_out, dtype), labels.astype(np.intp))

    @classmethod
    def draw(cls, data, n: int, seed=None, n_out: int = 10, dtype=np.float32) -> "Sample":
        """``n`` examples drawn at random without replacement from ``data`` (images, labels);
        all of them if ``n`` is None or at least their number."""
        images, labels = data[0], data[1]
        if n is None or n >= len(labels):
            return cls.from_data(images, labels, n_out, dtype)
        if n < 1:
            raise ValueError(f"a sample needs at least one example, got n = {n}")
        idx = np.sort(np.random.default_rng(seed).choice(len(labels), int(n), replace=False))
        return cls.from_data(np.asarray(images)[idx], np.asarray(labels)[idx], n_out, dtype)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def dtype(self):
        return self.xa.dtype


def _check(net: Network, params, sample: Sample) -> List[np.ndarray]:
    if sample.xa.shape[1] != net.sizes[0] + 1:
        raise ValueError(f"the sample's inputs have {sample.xa.shape[1] - 1} values, the "
                         f"network's input layer has {net.sizes[0]}")
    if isinstance(params, np.ndarray) and params.ndim == 1:
        params = unflatten(params, net.sizes)
    return [np.asarray(p, dtype=sample.dtype) for p in params]


def feedforward(net: Network, params, xa: np.ndarray) -> List[np.ndarray]:
    """Every layer's activations for inputs ``xa`` (with the ones column) at weights
    ``params``: a list [xa, a^1 (with ones), ..., a^L (output, no ones)]."""
    acts = [xa]
    a = xa
    last = len(params) - 1
    for l, p in enumerate(params):
        if l < last:
            nxt = np.empty((len(a), p.shape[0] + 1), xa.dtype)
            nxt[:, -1] = 1.0
            z = np.dot(a, p.T)
            net._layer_activation(l).apply(z, out=z)
            nxt[:, :-1] = z
        else:
            nxt = np.dot(a, p.T)
            net._layer_activation(l).apply(nxt, out=nxt)
        acts.append(nxt)
        a = nxt
    return acts


def cost_and_correct(net: Network, params, sample: Sample, chunk: int = 10_000):
    """(mean cost C, number classified correctly) of the network at weights ``params``
    (a vector or per-layer arrays) on ``sample``: the data cost, without any L2 term."""
    params = _check(net, params, sample)
    total, correct = 0.0, 0
    for s in range(0, len(sample), chunk):
        out = feedforward(net, params, sample.xa[s:s + chunk])[-1]
        total += net.cost.total(out, sample.y[s:s + chunk])
        correct += int(np.count_nonzero(out.argmax(axis=1) == sample.labels[s:s + chunk]))
    return total / len(sample), correct


def cost_and_gradient(net: Network, params, sample: Sample, per_example: bool = False):
    """The mean cost C at ``params`` on ``sample``, its gradient, and optionally each
    example's squared gradient length.

    Returns ``(cost, gradient, sq_norms)``: ``gradient`` is a flat vector (the order of
    ``flatten``) holding (1/n) sum_x grad C_x, computed by backpropagation exactly as in
    ``Network.backprop``; ``sq_norms`` is an array of the n values ||grad C_x||^2 (see
    the module's docstring) when ``per_example`` is true, else None.
    """
    params = _check(net, params, sample)
    acts = feedforward(net, params, sample.xa)
    n = len(sample)
    out = acts[-1]
    delta = np.empty_like(out)
    cost = net.cost.output_delta(out, sample.y, delta, np.empty_like(out)) / n
    L = len(params)
    grads = [None] * L
    sq = np.zeros(n, np.float64) if per_example else None
    for l in range(L - 1, -1, -1):
        grads[l] = np.dot(delta.T, acts[l]) / n    # delta^T [a 1]: the weights and the biases
        if per_example:
            sq += np.einsum("ij,ij->i", delta, delta, dtype=np.float64) * \
                np.einsum("ij,ij->i", acts[l], acts[l], dtype=np.float64)
        if l > 0:
            a_prev = acts[l][:, :-1]
            delta = np.dot(delta, params[l][:, :-1])
            delta *= net._layer_activation(l - 1).prime_from_output(a_prev)
    return cost, flatten(grads), sq
