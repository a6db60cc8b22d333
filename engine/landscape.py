"""The real network's cost landscape, seen on a plane and along a line.

The descent panel draws C(v1, v2) for two variables. The MNIST network's cost is a
function of 23,860 variables, C(w), so we cannot draw it; we can draw a *slice*. Pick the
current weights w0 and two directions d1, d2 in weight space; then

    C(a, b) = C(w0 + a d1 + b d2)

is an ordinary function of two numbers, and can be drawn like the descent panel's
surfaces. Which plane? Two choices, both from Li et al. 2018, "Visualizing the Loss
Landscape of Neural Nets":

* ``pca_plane(path)``: the plane that the training path itself lies closest to. Take the
  recorded weights w_0, ..., w_n (``engine.path_recorder``), their offsets from the final
  point w_i - w_n, and the two directions along which those offsets vary most (principal
  component analysis: the top two right singular vectors of the centred offsets). The
  path's projection onto this plane is the best 2-D picture of where training went, and
  ``explained`` says which share of the path's variance the picture keeps;
* ``random_plane(net)``: two random directions, "filter-normalised": each hidden unit's
  row of incoming weights in d is rescaled to the length of the same row of w0, so a step
  a = 1 changes every unit by as much as its own weights are long. Without this, units
  with small weights would look flat and units with large ones steep, whatever the
  landscape does.

The grid is computed fast because the first layer, where almost all the work is (784
inputs), is *linear* in (a, b): the hidden inputs are

    X W(a, b)^T = X W0^T + a X D1^T + b X D2^T,

so the three products X W0^T, X D1^T, X D2^T are made once, and each grid point costs
only a weighted sum of three (n, 30) arrays plus the small layers after it. A 31x31 grid
on 10,000 images takes about a second (``bench/bench_landscape.py``).

``straight_line`` is Goodfellow et al. 2015's experiment: the cost along the straight
line w(alpha) = (1 - alpha) w_initial + alpha w_final, from before the start (alpha =
-0.5) to beyond the end (1.5). For these networks it usually falls smoothly all the way:
no hills between the start and the solution, although SGD itself took a winding path.

All heavy functions are generators: iterate to make them work, stop iterating (or call
``.close()``) to cancel. They yield small records holding copies, safe to hand to
another thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence

import numpy as np

from engine.activations import Sigmoid
from engine.blas import one_blas_thread
from engine.network import Network
from engine.weight_space import Sample, flatten, parameter_count, unflatten


# --------------------------------------------------------------------------- planes
@dataclass
class Plane:
    """The plane w0 + a d1 + b d2 through weight space (all flat vectors, float64).

    ``kind`` is "pca" or "random"; ``explained`` (PCA only) the share of the path's
    variance along d1 and along d2.
    """

    center: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    kind: str
    explained: Optional[np.ndarray] = None

    def point(self, a: float, b: float) -> np.ndarray:
        return self.center + a * self.d1 + b * self.d2


def pca_plane(path: np.ndarray, center: Optional[np.ndarray] = None) -> Plane:
    """The plane through the final weights spanned by the path's top two principal
    directions (Li et al. 2018).

    ``path`` has one weight vector a row, in order, the last being where training ended
    (``PathRecorder.path()``). The offsets w_i - w_final are centred and decomposed by SVD;
    d1 and d2 are the two leading right singular vectors (unit length, orthogonal), and
    ``explained`` their shares s_k^2 / sum s^2 of the variance. ``center`` defaults to the
    last row.
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or len(path) < 3:
        raise ValueError("a training path needs at least three recorded weight vectors "
                         "(train for a few more mini-batches)")
    final = path[-1] if center is None else np.asarray(center, dtype=np.float64)
    offsets = path[:-1] - path[-1]
    offsets = offsets - offsets.mean(axis=0)
    _, s, vt = np.linalg.svd(offsets, full_matrices=False)
    total = float(np.sum(s ** 2))
    if total == 0.0 or len(s) < 2 or s[1] == 0.0:
        raise ValueError("the recorded weights do not move in two directions: "
                         "train a little before drawing the path's plane")
    d1, d2 = vt[0].copy(), vt[1].copy()
    # Orient each direction so the path starts at negative coordinates (it then runs
    # left to right, bottom to top towards the final point).
    start = path[0] - path[-1]
    if start @ d1 > 0:
        d1 = -d1
    if start @ d2 > 0:
        d2 = -d2
    return Plane(final.copy(), d1, d2, "pca", s[:2] ** 2 / total)


def filter_normalised(direction: np.ndarray, center: np.ndarray, sizes: Sequence[int],
                      biases: str = "zero") -> np.ndarray:
    """``direction`` with each unit's incoming row rescaled to the length of the same
    row of ``center`` (Li et al.'s filter normalisation for a dense layer).

    ``biases="zero"`` sets the biases' part to zero (as Li et al. do) and scales the
    weights alone; ``biases="row"`` treats [weights bias] of a unit as one row and scales
    it to the length of the centre's [weights bias].
    """
    if biases not in ("zero", "row"):
        raise ValueError(f"biases must be 'zero' or 'row', got {biases!r}")
    out = np.array(direction, dtype=np.float64)
    for d, w in zip(unflatten(out, sizes), unflatten(np.asarray(center, np.float64), sizes)):
        cols = slice(None) if biases == "row" else slice(0, -1)
        if biases == "zero":
            d[:, -1] = 0.0
        dn = np.linalg.norm(d[:, cols], axis=1, keepdims=True)
        wn = np.linalg.norm(w[:, cols], axis=1, keepdims=True)
        d[:, cols] *= np.divide(wn, dn, out=np.zeros_like(dn), where=dn > 0)
    return out


def random_plane(net: Network, seed=None, biases: str = "zero",
                 center: Optional[np.ndarray] = None) -> Plane:
    """Two random filter-normalised directions through ``center`` (default: ``net``'s
    current weights). On this plane a = 1 is a step as long as the weights themselves,
    so a grid from -1 to 1 is the usual choice."""
    c = flatten(net.params, np.float64) if center is None else np.asarray(center, np.float64)
    rng = np.random.default_rng(seed)
    d1, d2 = (filter_normalised(rng.standard_normal(len(c)), c, net.sizes, biases)
              for _ in range(2))
    return Plane(c.copy(), d1, d2, "random")


@dataclass
class PathProjection:
    """Where the recorded path falls on a plane.

    ``coords[i]`` = (a_i, b_i), the least-squares coordinates of snapshot i;
    ``distance[i]`` how far snapshot i lies from the plane (same units as the weights);
    ``in_plane`` the share of the path's squared offsets from the plane's centre that the
    plane holds: 1 - sum distance^2 / sum ||w_i - w0||^2 (1.0: the path lies in the plane).
    """

    coords: np.ndarray
    distance: np.ndarray
    in_plane: float

    def describe(self) -> str:
        return (f"The plane holds {100 * self.in_plane:.1f}% of the path's squared distance "
                f"from the centre; the farthest snapshot lies {self.distance.max():.3g} off it.")


def project_path(path: np.ndarray, plane: Plane) -> PathProjection:
    """The coordinates (a, b) of each row of ``path`` on ``plane``, and how far off it is."""
    path = np.asarray(path, dtype=np.float64)
    off = path - plane.center
    basis = np.stack([plane.d1, plane.d2], axis=1)            # (P, 2)
    coords, *_ = np.linalg.lstsq(basis, off.T, rcond=None)    # (2, S)
    coords = coords.T
    resid = off - coords @ basis.T
    distance = np.linalg.norm(resid, axis=1)
    total = float(np.sum(off ** 2))
    in_plane = 1.0 if total == 0.0 else 1.0 - float(np.sum(distance ** 2)) / total
    return PathProjection(coords, distance, in_plane)


def grid_around(coords: np.ndarray, points: int = 31, margin: float = 0.2):
    """(a_values, b_values): ``points`` values each, covering the path's coordinates
    with ``margin`` (a fraction of the span) to spare on every side."""
    coords = np.asarray(coords, dtype=np.float64)
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = np.maximum(hi - lo, 1e-12)
    lo, hi = lo - margin * span, hi + margin * span
    return np.linspace(lo[0], hi[0], points), np.linspace(lo[1], hi[1], points)


# --------------------------------------------------------------------------- evaluating
class SliceEvaluator:
    """The cost at w0 + sum_k c_k d_k for many coefficient vectors c, fast.

    The first layer's products with the sample are made once per direction (see the
    module's docstring); each evaluation then costs a weighted sum of (n, hidden)
    arrays and the small layers after the first. Consecutive evaluations that share
    all but the last coefficient (a grid row) reuse the partial sum.
    """

    def __init__(self, net: Network, center: np.ndarray, directions: Sequence[np.ndarray],
                 sample: Sample, chunk: int = 10_000):
        count = parameter_count(net.sizes)
        for v in [center, *directions]:
            if np.shape(v) != (count,):
                raise ValueError(f"weight vectors for {'-'.join(map(str, net.sizes))} must have "
                                 f"{count} entries, got shape {np.shape(v)}")
        if sample.xa.shape[1] != net.sizes[0] + 1:
            raise ValueError(f"the sample's images have {sample.xa.shape[1] - 1} values, the "
                             f"network's input layer has {net.sizes[0]}")
        self.net = net
        self.sample = sample
        dt = sample.dtype
        self.center = [p.astype(np.float64) for p in unflatten(np.asarray(center), net.sizes)]
        self.directions = [[p.astype(np.float64) for p in unflatten(np.asarray(d), net.sizes)]
                           for d in directions]
        self.act = [net._layer_activation(l) for l in range(len(net.sizes) - 1)]
        # Everything is kept transposed, one example a column: (units, n). The small
        # reductions over the ten outputs (the largest output, the cost) then run along
        # contiguous rows, several times faster than along (n, 10)'s short rows.
        self.chunks = []
        for s in range(0, len(sample), chunk):
            xat = np.ascontiguousarray(sample.xa[s:s + chunk].T)
            first = [np.dot(w[0].astype(dt), xat) for w in [self.center] + self.directions]
            n = xat.shape[1]
            yt = np.ascontiguousarray(sample.y[s:s + chunk].T)
            label_at = sample.labels[s:s + chunk] * n + np.arange(n)   # flat index of a[label, x]
            self.chunks.append((s, first, np.empty_like(first[0]), np.empty_like(first[0]),
                                yt, label_at))
        self._partial_key = None

    def _apply(self, layer: int, z: np.ndarray) -> np.ndarray:
        """The layer's activation in place. A sigmoid is computed as
        sigma(z) = (1 + tanh(z/2)) / 2, five times faster than SciPy's float32 expit and
        exact to float32 rounding in absolute terms; only a cross-entropy output layer,
        whose log needs tiny activations to keep their relative precision, uses expit."""
        act = self.act[layer]
        if act is not Sigmoid or (layer == len(self.act) - 1 and self.net.cost_name != "quadratic"):
            return act.apply(z, out=z)
        z *= 0.5
        np.tanh(z, out=z)
        z += 1.0
        z *= 0.5
        return z

    def evaluate(self, coeffs: Sequence[float]):
        """(mean cost, number correct) at w0 + sum_k coeffs[k] d_k."""
        coeffs = [float(c) for c in coeffs]
        if len(coeffs) != len(self.directions):
            raise ValueError(f"expected {len(self.directions)} coefficients, got {len(coeffs)}")
        key = tuple(coeffs[:-1])
        fresh = key != self._partial_key
        self._partial_key = key
        later = []
        for l in range(1, len(self.center)):
            p = self.center[l].copy()
            for c, d in zip(coeffs, self.directions):
                p += c * d[l]
            p = p.astype(self.sample.dtype)
            later.append((np.ascontiguousarray(p[:, :-1]), p[:, -1:]))
        total, correct = 0.0, 0
        cost = self.net.cost
        for s, first, partial, z, yt, label_at in self.chunks:
            if fresh:     # partial = W0 X^T + sum of all but the last direction's terms
                np.copyto(partial, first[0])
                for c, f in zip(coeffs[:-1], first[1:-1]):
                    partial += f * f.dtype.type(c)
            np.multiply(first[-1], coeffs[-1], out=z, casting="unsafe")
            z += partial
            a = self._apply(0, z)
            for l, (w, b) in enumerate(later, start=1):
                a = np.dot(w, a)
                a += b
                a = self._apply(l, a)
            total += cost.total(a, yt)
            correct += _count_correct(a, label_at)
        return total / len(self.sample), correct


def _count_correct(out_t: np.ndarray, label_at: np.ndarray) -> int:
    """How many columns of ``out_t`` (outputs, n) have their largest value at the label,
    with ``argmax``'s rule for ties (the first largest wins), without its slow axis."""
    top = out_t.max(axis=0)
    hit = out_t.ravel().take(label_at) == top
    ties = np.count_nonzero(out_t == top, axis=0) > 1
    if ties.any():     # rare (saturated outputs): settle those columns exactly
        cols = np.flatnonzero(ties)
        hit[cols] = out_t[:, cols].argmax(axis=0) == label_at[cols] // out_t.shape[1]
    return int(np.count_nonzero(hit))


def _as_sample(data, size, seed, net: Network) -> Sample:
    if isinstance(data, Sample):
        return data
    return Sample.draw(data, size, seed=seed, n_out=net.sizes[-1], dtype=net.dtype)


@dataclass
class LandscapeProgress:
    """The grid so far: ``cost[i, j]`` = C(a_values[i], b_values[j]) (NaN where not yet
    computed), ``accuracy`` the same for the share classified correctly. Arrays are copies."""

    rows_done: int
    rows: int
    a_values: np.ndarray
    b_values: np.ndarray
    cost: np.ndarray
    accuracy: np.ndarray
    seconds: float

    @property
    def done(self) -> bool:
        return self.rows_done == self.rows


def plane_landscape(net: Network, plane: Plane, data, a_values: Sequence[float],
                    b_values: Sequence[float], sample_size: Optional[int] = 10_000,
                    seed=0, chunk: int = 10_000) -> Iterator[LandscapeProgress]:
    """Compute C(a, b) = C(w0 + a d1 + b d2) on the grid, one row of a at a time.

    ``data`` is (images, labels) (training or test set) or a ``Sample``; ``sample_size``
    images are drawn from it with ``seed`` (None: all). Yields a ``LandscapeProgress``
    after each row (31 for a 31x31 grid), the last with ``done`` true; stop iterating to
    cancel. The cost is the network's data cost (no L2 term), averaged over the sample.
    """
    a_values = np.asarray(a_values, dtype=np.float64).ravel()
    b_values = np.asarray(b_values, dtype=np.float64).ravel()
    if len(a_values) < 1 or len(b_values) < 1:
        raise ValueError("the grid needs at least one value of a and of b")
    if not (np.all(np.isfinite(a_values)) and np.all(np.isfinite(b_values))):
        raise ValueError("the grid's values must be finite numbers")
    sample = _as_sample(data, sample_size, seed, net)
    limiter = one_blas_thread()
    try:
        t0 = time.perf_counter()
        ev = SliceEvaluator(net, plane.center, [plane.d1, plane.d2], sample, chunk)
        cost = np.full((len(a_values), len(b_values)), np.nan)
        acc = np.full_like(cost, np.nan)
        n = len(sample)
        for i, a in enumerate(a_values):
            for j, b in enumerate(b_values):
                c, k = ev.evaluate((a, b))
                cost[i, j] = c
                acc[i, j] = k / n
            yield LandscapeProgress(i + 1, len(a_values), a_values.copy(), b_values.copy(),
                                    cost.copy(), acc.copy(), time.perf_counter() - t0)
    finally:
        limiter.restore_original_limits()


def plane_landscape_plain(net: Network, plane: Plane, sample: Sample, a_values,
                          b_values) -> np.ndarray:
    """The same grid the slow, obvious way: build the weights at every point and feed
    the sample forward through a fresh network (the reference the tests hold
    ``plane_landscape`` to)."""
    out = np.empty((len(a_values), len(b_values)))
    other = net.copy()
    images = sample.xa[:, :-1]
    for i, a in enumerate(a_values):
        for j, b in enumerate(b_values):
            params = unflatten(plane.point(a, b), net.sizes)
            other.set_parameters([p[:, :-1] for p in params], [p[:, -1] for p in params])
            out[i, j] = other.evaluate(images, sample.labels)[1]
    return out


@dataclass
class LinePoint:
    """The cost and accuracy at w(alpha) = (1 - alpha) w_initial + alpha w_final."""

    alpha: float
    train_cost: float
    train_accuracy: float
    test_cost: Optional[float]
    test_accuracy: Optional[float]


def straight_line(net: Network, w_initial: np.ndarray, w_final: np.ndarray, training,
                  test=None, alphas: Sequence[float] = np.linspace(-0.5, 1.5, 41),
                  sample_size: Optional[int] = 10_000, seed=0) -> Iterator[LinePoint]:
    """Goodfellow et al. 2015: the cost along the straight line from the initial weights
    (alpha = 0) to the final ones (alpha = 1), and beyond on both sides.

    ``training`` and ``test`` are (images, labels) pairs or ``Sample``s; ``sample_size``
    images of each are used (None: all). Yields one ``LinePoint`` per alpha, in order.
    """
    w_initial = np.asarray(w_initial, np.float64)
    w_final = np.asarray(w_final, np.float64)
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    if not np.all(np.isfinite(alphas)):
        raise ValueError("alpha values must be finite numbers")
    limiter = one_blas_thread()
    try:
        evs: List[Optional[SliceEvaluator]] = []
        for data in (training, test):
            if data is None:
                evs.append(None)
                continue
            sample = _as_sample(data, sample_size, seed, net)
            evs.append(SliceEvaluator(net, w_initial, [w_final - w_initial], sample))
        for alpha in alphas:
            values = []
            for ev in evs:
                if ev is None:
                    values += [None, None]
                else:
                    c, k = ev.evaluate((alpha,))
                    values += [c, k / len(ev.sample)]
            yield LinePoint(float(alpha), *values)
    finally:
        limiter.restore_original_limits()
