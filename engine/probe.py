"""Does dC ~ grad C . dw hold on the real network? A probe that checks during training.

The book's whole argument for gradient descent is the linear approximation

    dC ~ grad C . dw      (equation 7 of chapter 1, with w for all 23,860 variables).

``LinearityProbe`` watches a training run and, every ``every`` mini-batches, tests it on
the real network with a fixed set of probe images (drawn once, so that C is the same
function every time):

1. after mini-batch j, at the current weights w, it computes the probe cost C(w) and its
   gradient g = grad C(w) by backpropagation;
2. training makes its next step, w -> w + dw (dw = -eta times the *mini-batch's*
   gradient, not g);
3. it computes the real change C(w + dw) - C(w) and the predicted one g . dw, their
   ratio, and the angle between dw and -g (0 degrees: the mini-batch's step goes straight
   down the probe cost's steepest slope; 90: across it; above 90: uphill).

Each reading also makes the textbook test without mini-batch noise (the ``gd_*``
fields): the step dw = -eta g along the probe cost's own gradient, as in the descent
panel, with predicted change -eta ||g||^2.

With a small eta the ratio is very close to 1 (the issue's author measured 0.9998 at
eta = 0.01): C really is linear on the scale of one step. At eta = 3 (the book's choice)
it is still near 0.9; at eta = 30 the step is so long that the surface bends within it
and the real fall is a fraction of the predicted one. ``engine.verdict`` names each
reading the way the descent panel does.

Precision and speed: at small eta one step changes C by a millionth of C, about
float32's resolution, so the probe works in float64 where it matters. The 784-input
first layer, nearly all the work, stays in float32 but is computed as
X (W + dW)^T = X W^T + X dW^T: the product with the small change dW is exact to float32's
*relative* precision, and the rounding of X W^T is the same before and after the step,
so it cancels from C(w + dw) - C(w). The rest of the network is float64. A reading on
n probe images then costs four float32 products of (n x 785) by (785 x 30) (the fourth
for the textbook step below), and the rest in float64.

Use it on the trainer's stream: ``watch`` passes every record through and adds a
``ProbeReading`` after the mini-batch that completes one::

    probe = LinearityProbe(net, data.training, every=2000)
    for record in probe.watch(trainer.run()):
        if isinstance(record, ProbeReading):
            print(record.ratio, record.verdict.word)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional

import numpy as np

from engine.network import Network
from engine.sgd import BatchProgress
from engine.verdict import Verdict, linear_verdict
from engine.weight_space import Sample, flatten, unflatten

DEFAULT_EVERY = 2000      # mini-batches between readings (2.5 an epoch at m = 10, about 7 a second)
DEFAULT_PROBE_SIZE = 500


@dataclass(frozen=True)
class ProbeReading:
    """One test of dC ~ grad C . dw on the probe images, for the step after mini-batch
    ``update`` (counted from the start of the watched run)."""

    update: int
    epoch: int
    batch: int            # the mini-batch (1-based, within ``epoch``) whose step was measured
    examples_seen: int
    eta: float
    mini_batch_size: int
    cost_before: float    # C(w)
    cost_after: float     # C(w + dw)
    actual: float         # C(w + dw) - C(w)
    predicted: float      # grad C(w) . dw
    ratio: float          # actual / predicted
    angle: float          # degrees between dw and -grad C(w)
    step_length: float    # ||dw||
    gradient_length: float  # ||grad C(w)||
    verdict: Verdict
    # The same test for the textbook step dw = -eta grad C(w) on the probe cost itself
    # (what the descent panel does): no mini-batch noise, only the curvature.
    gd_actual: float = float("nan")     # C(w - eta g) - C(w)
    gd_predicted: float = float("nan")  # -eta ||g||^2
    gd_ratio: float = float("nan")
    gd_verdict: Optional[Verdict] = None


class LinearityProbe:
    """Every ``every`` mini-batches, checks dC ~ grad C . dw on ``probe_size`` images of
    ``data`` (drawn once with ``seed``). ``readings`` lists every reading so far.

    Inside ``watch`` the readings run while ``Trainer.run()`` holds BLAS to one thread;
    calling ``measure_before``/``measure_after`` by hand, do the same
    (``threadpoolctl.threadpool_limits(1, user_api="blas")``): two competing BLAS thread
    pools on two cores made one reading twenty times slower.
    """

    def __init__(self, net: Network, data, every: int = DEFAULT_EVERY,
                 probe_size: int = DEFAULT_PROBE_SIZE, seed=0):
        if int(every) != every or every < 1:
            raise ValueError(f"every must be a whole number of mini-batches >= 1, got {every!r}")
        self.net = net
        self.every = int(every)
        self.sample = data if isinstance(data, Sample) else Sample.draw(
            data, probe_size, seed=seed, n_out=net.sizes[-1], dtype=np.float32)
        if self.sample.xa.shape[1] != net.sizes[0] + 1:
            raise ValueError(f"the probe images have {self.sample.xa.shape[1] - 1} values, the "
                             f"network's input layer has {net.sizes[0]}")
        self._y = self.sample.y.astype(np.float64)
        self.updates = 0
        self.readings: List[ProbeReading] = []
        self._pending = None

    def measure_before(self):
        """Step 1 by hand: remember w, C(w) and grad C(w) at the network's current weights."""
        params = [p.astype(np.float64) for p in self.net.params]
        z1 = np.dot(self.sample.xa, self.net.params[0].astype(np.float32).T).astype(np.float64)
        acts = self._forward(params, z1)
        cost, grad = self._backward(params, acts)
        self._pending = (params, z1, cost, grad)

    def _forward(self, params, z1):
        """Activations [a^1 (with ones), ..., a^L] in float64, from the first layer's z."""
        net, last = self.net, len(params) - 1
        acts, z = [], z1
        for l in range(len(params)):
            a = net._layer_activation(l).apply(z)
            if l < last:
                a = np.concatenate([a, np.ones((len(a), 1))], axis=1)
                z = np.dot(a, params[l + 1].T)
            acts.append(a)
        return acts

    def _backward(self, params, acts):
        """The mean cost and its gradient (flat, float64) by backpropagation."""
        net, n = self.net, len(self.sample)
        out = acts[-1]
        delta = np.empty_like(out)
        cost = net.cost.output_delta(out, self._y, delta, np.empty_like(out)) / n
        grads = [None] * len(params)
        for l in range(len(params) - 1, -1, -1):
            if l == 0:     # delta^T [x 1]: the big product, in float32
                grads[0] = np.dot(delta.T.astype(np.float32), self.sample.xa).astype(np.float64) / n
            else:
                grads[l] = np.dot(delta.T, acts[l - 1]) / n
                delta = np.dot(delta, params[l][:, :-1])
                delta *= net._layer_activation(l - 1).prime_from_output(acts[l - 1][:, :-1])
        return cost, flatten(grads)

    def measure_after(self, progress: Optional[BatchProgress] = None) -> Optional[ProbeReading]:
        """Step 3 by hand, after one training step: the reading (None if nothing pending)."""
        if self._pending is None:
            return None
        params, z1, cost, grad = self._pending
        self._pending = None
        new = [p.astype(np.float64) for p in self.net.params]
        dw = flatten(new) - flatten(params)
        d1 = (new[0] - params[0]).astype(np.float32)
        z1_after = z1 + np.dot(self.sample.xa, d1.T)
        out = self._forward(new, z1_after)[-1]
        after = self.net.cost.total(out, self._y) / len(self.sample)
        predicted = float(grad @ dw)
        actual = after - cost
        gl, sl = float(np.linalg.norm(grad)), float(np.linalg.norm(dw))
        cos = -predicted / (gl * sl) if gl > 0 and sl > 0 else float("nan")
        angle = math.degrees(math.acos(max(-1.0, min(1.0, cos)))) if cos == cos else float("nan")
        p = progress
        gd = {}
        if p is not None and gl > 0:     # the pure gradient step with this step's eta
            eta = p.eta
            grads = unflatten(grad, self.net.sizes)
            moved = [q - eta * g for q, g in zip(params, grads)]
            z1_gd = z1 - eta * np.dot(self.sample.xa, grads[0].astype(np.float32).T)
            out_gd = self._forward(moved, z1_gd)[-1]
            gd_actual = self.net.cost.total(out_gd, self._y) / len(self.sample) - cost
            gd_pred = -eta * gl * gl
            gd = dict(gd_actual=gd_actual, gd_predicted=gd_pred, gd_ratio=gd_actual / gd_pred,
                      gd_verdict=linear_verdict(gd_pred, gd_actual, cost))
        reading = ProbeReading(
            self.updates, p.epoch if p else 0, p.batch if p else 0,
            p.examples_seen if p else 0, p.eta if p else float("nan"),
            p.mini_batch_size if p else 0, cost, after, actual, predicted,
            actual / predicted if predicted else float("nan"), angle, sl, gl,
            linear_verdict(predicted, actual, cost), **gd)
        self.readings.append(reading)
        return reading

    def observe(self, record) -> Optional[ProbeReading]:
        """Take note of one record of ``Trainer.run()``; returns a reading when one is done."""
        if not isinstance(record, BatchProgress):
            return None
        self.updates += 1
        reading = self.measure_after(record) if self._pending is not None else None
        if self.updates % self.every == 0:
            self.measure_before()
        return reading

    def watch(self, stream: Iterable) -> Iterator:
        """Pass the trainer's records through, with a ``ProbeReading`` after the record that
        completes one. Stop iterating to stop (the trainer stops with it)."""
        for record in stream:
            yield record
            reading = self.observe(record)
            if reading is not None:
                yield reading


def probe_once(net: Network, sample: Sample, step) -> ProbeReading:
    """One reading for a step made by ``step()`` (any callable that changes ``net``'s
    weights in place), e.g. one mini-batch of a ``Trainer``; for experiments and tests."""
    probe = LinearityProbe(net, sample)
    probe.measure_before()
    step()
    return probe.measure_after()
