"""Mini-batch stochastic gradient descent, as a generator of small progress records.

This is the book's ``SGD``: every epoch the training data is shuffled and cut into
mini-batches of size m, and for each mini-batch

    w -> w - (eta/m) sum_x grad_w C_x,     b -> b - (eta/m) sum_x grad_b C_x

(with L2 weight decay, w is first scaled by 1 - eta*lmbda/n). m = 1 is online
learning; m = n is full-batch gradient descent.

``Trainer.run()`` yields a ``BatchProgress`` after every mini-batch and an
``EpochResult`` after every epoch, so a command-line loop, a notebook or a GUI worker
thread can watch, throttle, pause or stop training between mini-batches. ``eta`` and
``mini_batch_size`` are plain attributes, read before each mini-batch: changing them
while ``run()`` is going takes effect from the next mini-batch.

The loop is the equations of ``Network.backprop`` with every array preallocated and
every operation done in place: a mini-batch of 10 costs about 17 NumPy calls.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, NamedTuple, Optional, Tuple, Union

import numpy as np
from threadpoolctl import threadpool_limits

from engine import hyperparams
from engine.network import Network, one_hot


class Diverged(ArithmeticError):
    """The cost became NaN or infinite: the learning rate is too large."""

    def __init__(self, message: str, epoch: int, batch: int, eta: float):
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.eta = eta


class BatchProgress(NamedTuple):
    """What happened in one mini-batch (a named tuple: made 6,000 times an epoch, cheaply)."""

    epoch: int            # 1-based epoch number
    batch: int            # 1-based mini-batch number within the epoch
    batches: int          # mini-batches in this epoch at the current m (an estimate if m changes)
    cost: float           # the mini-batch's mean cost, before its update
    examples_seen: int    # training examples used since run() began
    epoch_examples: int   # examples used so far in this epoch
    elapsed: float        # seconds of training (not evaluation) since run() began
    eta: float            # the learning rate used for this mini-batch
    mini_batch_size: int  # m used for this mini-batch


@dataclass(slots=True, frozen=True)
class EpochResult:
    """Where the network stands at the end of an epoch."""

    epoch: int
    seconds: float                    # training time of this epoch alone
    elapsed: float                    # training time since run() began
    examples_seen: int
    test_correct: Optional[int] = None
    test_total: Optional[int] = None
    test_cost: Optional[float] = None
    train_correct: Optional[int] = None
    train_total: Optional[int] = None
    train_cost: Optional[float] = None
    weights: Optional[list] = field(default=None, repr=False)   # copies, when asked for
    biases: Optional[list] = field(default=None, repr=False)

    @property
    def test_accuracy(self) -> Optional[float]:
        return None if not self.test_total else self.test_correct / self.test_total

    @property
    def train_accuracy(self) -> Optional[float]:
        return None if not self.train_total else self.train_correct / self.train_total


Data = Tuple[np.ndarray, np.ndarray]


def _as_data(data, dtype) -> Optional[Data]:
    """(images (n, 784) of ``dtype``, integer labels (n,)) from a pair or a Dataset."""
    if data is None:
        return None
    images, labels = data[0], data[1]
    images = np.ascontiguousarray(images, dtype=dtype)
    labels = np.asarray(labels)
    if images.ndim != 2 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError("data must be images of shape (n, inputs) and labels of shape (n,)")
    return images, labels


def stuck_warning(result: EpochResult, eta: float, classes: int = 10) -> Optional[str]:
    """A hint when an epoch ends with the test accuracy no better than guessing.

    With sigmoid outputs a learning rate that is far too large rarely makes the cost
    NaN: it drives the neurons into saturation, where they stop learning. That looks
    like an accuracy stuck near 1/classes, which this names.
    """
    acc = result.test_accuracy
    if acc is None or acc > 1.5 / classes:
        return None
    return (f"After epoch {result.epoch} the test accuracy is {100 * acc:.1f}%, no better "
            f"than guessing: the network is not learning. With eta = {eta:g} the neurons may "
            f"have saturated (or died, for ReLU); try a smaller eta, e.g. {eta / 10:g}.")


class Trainer:
    """Trains ``net`` in place by mini-batch SGD; iterate over ``run()`` to make it go.

    ``training_data`` and ``test_data`` are pairs (images of shape (n, 784) with values
    in [0, 1], digit labels of shape (n,)), such as the datasets of ``engine.mnist``.
    ``monitor_training`` also evaluates the training set at each epoch's end;
    ``snapshot_weights`` puts copies of the weights in each ``EpochResult``.

    ``augment`` (optional) distorts the training images as they are used: a callable
    taking a block of input rows (k, 784) and returning new rows of the same shape, such
    as an ``engine.augment.Augmenter``. It is called on the next ``augment.block_size``
    examples of the epoch's shuffled order at a time (default 256), so its fixed costs
    are shared by many mini-batches; each mini-batch then copies its rows from that
    block. Its time counts as training time. Without it nothing changes in the loop.
    """

    def __init__(self, net: Network, training_data, eta: float = 3.0,
                 mini_batch_size: int = 10, epochs: int = 30, lmbda: float = 0.0,
                 test_data=None, monitor_training: bool = False, seed: Optional[int] = None,
                 snapshot_weights: bool = False, augment: Optional[Callable] = None):
        self.net = net
        self.training = _as_data(training_data, net.dtype)
        if self.training[0].shape[1] != net.sizes[0]:
            raise ValueError(f"training images have {self.training[0].shape[1]} values, "
                             f"the network's input layer has {net.sizes[0]}")
        self.test = _as_data(test_data, net.dtype)
        self.eta = eta
        self.mini_batch_size = mini_batch_size
        self.epochs = int(epochs)
        self.lmbda = lmbda
        self.monitor_training = monitor_training
        self.snapshot_weights = snapshot_weights
        if augment is not None and not callable(augment):
            raise ValueError(f"augment must be a callable that distorts a block of images, "
                             f"got {augment!r}")
        self.augment = augment
        self.rng = np.random.default_rng(seed)
        self.blas_threads = 1
        self._stop = False
        self._targets = one_hot(self.training[1], net.sizes[-1], net.dtype)
        self._buffers = {}
        self._check_hyper()

    @property
    def n(self) -> int:
        return len(self.training[0])

    def stop(self) -> None:
        """Ask ``run()`` to end after the current mini-batch."""
        self._stop = True

    def _check_hyper(self):
        """Raise ``hyperparams.HyperparameterError`` (a ValueError) for a bad setting."""
        hyperparams.check_training(self.eta, self.mini_batch_size, self.lmbda, self.epochs,
                                   self.n)

    # ------------------------------------------------------------------ buffers
    def _buffers_for(self, m: int):
        """Preallocated arrays for a mini-batch of m examples (cached per m).

        Returns ``(xa, acts, outs, deltas, tmps, inputs_t, deltas_t)``: ``xa`` the inputs
        with a last column of ones; ``outs[l]`` layer l's activations (contiguous, where
        the products and the activation function write); ``acts[l]`` the same for a
        hidden layer with a last column of ones, the input to the next layer's bias
        column in ``net.params`` (``outs[-1]`` is ``acts[-1]``); ``deltas`` and ``tmps``
        the errors and scratch space; ``inputs_t[l]``, ``deltas_t[l]`` the transposed
        views that the update of layer l takes (made once here, not per mini-batch).
        """
        buf = self._buffers.get(m)
        if buf is None:
            dt = self.net.dtype
            sizes = self.net.sizes
            xa = np.empty((m, sizes[0] + 1), dt)
            acts = []
            for s in sizes[1:-1]:
                a = np.empty((m, s + 1), dt)
                a[:, -1] = 1.0
                acts.append(a)
            acts.append(np.empty((m, sizes[-1]), dt))
            deltas = [np.empty((m, s), dt) for s in sizes[1:]]
            buf = (xa, acts, [np.empty((m, s), dt) for s in sizes[1:-1]] + [acts[-1]], deltas,
                   [np.empty((m, s), dt) for s in sizes[1:]],
                   [a.T for a in [xa] + acts[:-1]], [d.T for d in deltas])
            if len(self._buffers) > 4:     # m keeps changing: do not hoard memory
                self._buffers.clear()
            self._buffers[m] = buf
        return buf

    # ------------------------------------------------------------------ the loop
    def run(self) -> Iterator[Union[BatchProgress, EpochResult]]:
        """Train for ``epochs`` epochs, yielding progress; raises ``Diverged`` on NaN.

        While it runs, BLAS is limited to ``blas_threads`` threads (1 by default): NumPy
        and SciPy each bring their own OpenBLAS, and two thread pools spinning on two
        cores made a mini-batch of 100 twenty times slower (README, "Speed").
        """
        limiter = threadpool_limits(limits=self.blas_threads, user_api="blas")
        try:
            yield from self._run()
        finally:
            limiter.restore_original_limits()

    def _run(self) -> Iterator[Union[BatchProgress, EpochResult]]:
        net = self.net
        X, _ = self.training
        n = len(X)
        # The inputs with a column of ones appended, for the bias column of params[0].
        if self.augment is None:
            Xa = np.empty((n, X.shape[1] + 1), net.dtype)
            Xa[:, :-1] = X
            Xa[:, -1] = 1.0
        else:
            Xa = X      # not used: the rows come from the augmented blocks
        Y = self._targets
        params, weights = net.params, net.weights
        L = len(params)
        acts_fn = [net._layer_activation(l) for l in range(L)]
        apply = [f.apply for f in acts_fn]
        prime = [f.prime_from_output for f in acts_fn]
        params_t = [p.T for p in params]       # views: they follow the in-place updates
        up, down = list(range(L)), list(range(L - 1, -1, -1))
        # gemm computes C <- alpha A B + beta C in place: with C = params[l].T (a
        # Fortran-ordered view of our C-ordered array) one call adds the whole update.
        from scipy.linalg.blas import get_blas_funcs  # here: scipy is slow to import
        (gemm,) = get_blas_funcs(("gemm",), (params[0],))
        output_delta = net.cost.output_delta
        take_x = Xa.take
        Y_epoch = np.empty_like(Y)     # the targets in this epoch's order
        # Products go into contiguous buffers with np.dot (the same BLAS call as
        # np.matmul with less dispatch), and the activation function runs there too; a
        # hidden layer's activations are then copied next to its column of ones. That
        # is 5-7 us less per mini-batch than writing into the strided view directly.
        dot, copyto, last = np.dot, np.copyto, L - 1
        buf_m = None
        augment = self.augment
        blk_size = int(getattr(augment, "block_size", 256))
        blk = None
        clock = time.perf_counter
        examples_seen = 0
        elapsed = 0.0
        self._stop = False
        for epoch in range(1, self.epochs + 1):
            self._check_hyper()
            t0 = clock()
            perm = self.rng.permutation(n)
            # one gather of all targets per epoch (2 MB); each mini-batch's are then a slice
            Y.take(perm, axis=0, out=Y_epoch, mode="clip")
            seconds = clock() - t0   # this epoch's training time; time spent by the
            # consumer between yields (plotting, pausing) is not counted
            pos = 0
            batch = 0
            blk_start = blk_end = 0
            while pos < n:
                t0 = clock()
                m_req = int(self.mini_batch_size)
                eta = float(self.eta)
                idx = perm[pos:pos + m_req]
                m = len(idx)
                if m != buf_m:
                    buf_m = m
                    xa, acts, outs, deltas, tmps, inputs_t, deltas_t = self._buffers_for(m)
                    inputs = [xa] + acts[:-1]
                    beside_ones = [a[:, :-1] for a in acts[:-1]]
                if augment is None:
                    take_x(idx, axis=0, out=xa, mode="clip")
                else:
                    if pos + m > blk_end:      # distort the next block of this epoch's order
                        k = min(-(-blk_size // m) * m, n - pos)   # whole mini-batches
                        rows = augment(X.take(perm[pos:pos + k], axis=0))
                        if rows.shape != (k, X.shape[1]):
                            raise ValueError(f"augment returned shape {rows.shape} for "
                                             f"{k} images, expected {(k, X.shape[1])}")
                        blk = np.empty((k, X.shape[1] + 1), net.dtype)
                        blk[:, :-1] = rows
                        blk[:, -1] = 1.0
                        blk_start, blk_end = pos, pos + k
                    copyto(xa, blk[pos - blk_start:pos - blk_start + m])
                # Feed forward: a^{l+1} = sigma(w^l a^l + b^l), one example a row.
                for l in up:
                    z = dot(inputs[l], params_t[l], out=outs[l])
                    apply[l](z, out=z)
                    if l < last:
                        copyto(beside_ones[l], z)
                # Output error delta^L (and the batch's cost, from a - y on the way).
                cost = output_delta(acts[-1], Y_epoch[pos:pos + m], deltas[-1], tmps[-1]) / m
                if not math.isfinite(cost):
                    what = "NaN (not a number)" if math.isnan(cost) else "infinite"
                    raise self._diverged(f"The cost became {what}", epoch, batch + 1, eta)
                decay = 1.0 - eta * self.lmbda / n
                alpha = -eta / m
                for l in down:
                    if l > 0:   # delta^{l-1} = (w^l)^T delta^l * sigma'(z^{l-1}), before w^l moves
                        prev = dot(deltas[l], weights[l], out=deltas[l - 1])
                        prev *= prime[l - 1](outs[l - 1], out=tmps[l - 1])
                    if decay != 1.0:
                        weights[l] *= decay
                    # [w b] <- [w b] - (eta/m) delta^T [a 1]: the weights' and the biases'
                    # updates in one product.
                    gemm(alpha, inputs_t[l], deltas_t[l], 1.0, params_t[l], trans_b=1,
                         overwrite_c=1)
                pos += m
                batch += 1
                # With sigmoid outputs the cost stays finite even when a huge eta has sent
                # weights to infinity, so look at the weights too (cheaply, now and then).
                if batch % 64 == 0 or pos >= n:
                    if not all(np.isfinite(p).all() for p in params):
                        raise self._diverged("The weights became infinite", epoch, batch, eta)
                examples_seen += m
                seconds += clock() - t0
                yield BatchProgress(epoch, batch, batch + -(-(n - pos) // m_req), cost,
                                    examples_seen, pos, elapsed + seconds, eta, m)
                if self._stop:
                    return
            elapsed += seconds
            yield self._epoch_result(epoch, seconds, elapsed, examples_seen)

    @staticmethod
    def _diverged(what: str, epoch: int, batch: int, eta: float) -> Diverged:
        return Diverged(
            f"{what} in epoch {epoch} (mini-batch {batch}): the learning rate eta = {eta:g} "
            f"is too large and the weights blew up. Try a smaller eta, for example "
            f"{eta / 10:g}.", epoch, batch, eta)

    def _epoch_result(self, epoch, seconds, elapsed, examples_seen) -> EpochResult:
        net = self.net
        extra = {}
        if self.test is not None:
            correct, cost = net.evaluate(*self.test)
            extra.update(test_correct=correct, test_total=len(self.test[1]), test_cost=cost)
        if self.monitor_training:
            correct, cost = net.evaluate(*self.training)
            extra.update(train_correct=correct, train_total=self.n, train_cost=cost)
        if self.snapshot_weights:
            extra.update(weights=[w.copy() for w in net.weights],
                         biases=[b.copy() for b in net.biases])
        return EpochResult(epoch, seconds, elapsed, examples_seen, **extra)
