"""Sharpness: the steepest curvature of the cost, and why it limits the learning rate.

Near a point w the cost is roughly a bowl, C(w + u) ~ C(w) + g . u + (1/2) u^T H u, where
H is the Hessian, the 23,860 x 23,860 matrix of second derivatives. Along an eigenvector
of H with eigenvalue lambda the bowl's cross-section is the parabola (lambda/2) t^2, and a
gradient step on a parabola multiplies the distance to its bottom by (1 - eta lambda).
That shrinks only if |1 - eta lambda| < 1, that is if

    lambda < 2 / eta.

So the largest eigenvalue, the *sharpness*, decides whether a learning rate is safe:
above 2/eta the step overshoots along that direction and bounces ever higher (the
descent panel shows the same on its 2-D surfaces). Cohen et al. 2021 ("Gradient Descent
on Neural Networks Typically Occurs at the Edge of Stability") found that full-batch
training pushes the sharpness up until it reaches 2/eta and then hovers there.

Nobody forms H (570 million numbers). Two things make it unnecessary:

* a Hessian-vector product needs only two gradients: H v ~ (grad C(w + h v) -
  grad C(w - h v)) / (2h), a central finite difference along v;
* power iteration finds the top eigenvalue from products alone: v -> H v / ||H v||
  turns v towards the eigenvector of the largest |lambda|, and v . H v is then lambda.
  If that eigenvalue is negative, iterating on H - lambda I (all eigenvalues shifted up)
  finds the largest positive one instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from engine.blas import one_blas_thread
from engine.network import Network
from engine.weight_space import Sample, cost_and_gradient, flatten

EXPLANATION = ("Gradient descent is stable along a direction of curvature lambda only while "
               "lambda < 2/eta; the sharpness is the largest curvature, so a learning rate "
               "above 2/sharpness overshoots (Cohen et al. 2021: training drives the sharpness "
               "up to 2/eta and it hovers there, the edge of stability).")


def finite_difference_hvp(gradient: Callable[[np.ndarray], np.ndarray], w: np.ndarray,
                          v: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """H v ~ (grad C(w + h u) - grad C(w - h u)) / (2h) ||v||, with u = v / ||v||: two
    gradients, accurate to O(h^2)."""
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        return np.zeros_like(w)
    u = v / norm
    return (gradient(w + h * u) - gradient(w - h * u)) * (norm / (2.0 * h))


@dataclass(frozen=True)
class TopEigen:
    """The largest eigenvalue found, its unit eigenvector, the matrix-vector products it
    took, and whether the estimate settled to within the tolerance."""

    value: float
    vector: np.ndarray
    products: int
    converged: bool


def top_eigenvalue(hvp: Callable[[np.ndarray], np.ndarray], dim: int, iterations: int = 30,
                   tol: float = 1e-3, seed=0, positive: bool = True,
                   start: Optional[np.ndarray] = None) -> TopEigen:
    """Power iteration on the symmetric matrix behind ``hvp`` (v -> H v).

    Stops when the Rayleigh quotient v . H v changes by less than ``tol`` (relative)
    between two iterations, or after ``iterations``. With ``positive``, if the dominant
    eigenvalue is negative, iterates again on H - lambda I to find the largest positive
    one (the one that limits eta).
    """
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(dim) if start is None else np.array(start, dtype=np.float64)
    v /= np.linalg.norm(v)

    def power(shift: float, v):
        value, products = math.nan, 0
        for _ in range(iterations):
            hv = hvp(v) - shift * v
            products += 1
            new = float(v @ hv)
            n = float(np.linalg.norm(hv))
            if n == 0.0:
                return new, v, products, True
            v = hv / n
            if abs(new - value) <= tol * max(abs(new), 1e-12):
                return new, v, products, True
            value = new
        return value, v, products, False

    value, v, products, converged = power(0.0, v)
    if positive and value < 0:
        start2 = rng.standard_normal(dim)
        mu, v, p2, converged = power(value, start2 / np.linalg.norm(start2))
        value, products = mu + value, products + p2
    return TopEigen(value, v, products, converged)


@dataclass(frozen=True)
class Sharpness:
    """The sharpness (largest Hessian eigenvalue of the mean cost on ``sample_size``
    images) at the network's weights, and what it means for eta."""

    value: float
    products: int
    converged: bool
    sample_size: int
    explanation: str = EXPLANATION
    vector: Optional[np.ndarray] = field(default=None, repr=False, compare=False)

    def eta_limit(self) -> float:
        """2 / sharpness: the largest stable learning rate along the sharpest direction."""
        return 2.0 / self.value if self.value > 0 else math.inf

    def describe(self, eta: Optional[float] = None) -> str:
        text = f"Sharpness {self.value:.4g}: steps are stable for eta < {self.eta_limit():.3g}."
        if eta is not None:
            side = "above" if self.value > 2.0 / eta else "below"
            text += f" At eta = {eta:g}, 2/eta = {2.0 / eta:.3g}: the sharpness is {side} it."
        return text


def sharpness(net: Network, data, sample_size: Optional[int] = 1000, iterations: int = 30,
              tol: float = 1e-3, seed=0, h: float = 1e-3,
              start: Optional[np.ndarray] = None) -> Sharpness:
    """The largest eigenvalue of the Hessian of the mean cost C on ``sample_size`` images
    of ``data`` (or a ``Sample``), at ``net``'s current weights, by power iteration with
    finite-difference Hessian-vector products in float64. About 2 x (products) gradients;
    1,000 images and 15-30 products take a few tenths of a second for 784-30-10.
    ``start``: the previous result's ``vector``, to track the sharpness along training
    in fewer products (the top direction changes slowly).
    """
    sample = data if isinstance(data, Sample) else Sample.draw(
        data, sample_size, seed=seed, n_out=net.sizes[-1], dtype=np.float64)
    w = flatten(net.params, np.float64)

    def gradient(point):
        return cost_and_gradient(net, point, sample)[1]

    limiter = one_blas_thread()
    try:
        top = top_eigenvalue(lambda v: finite_difference_hvp(gradient, w, v, h), len(w),
                             iterations=iterations, tol=tol, seed=seed, start=start)
    finally:
        limiter.restore_original_limits()
    return Sharpness(top.value, top.products, top.converged, len(sample), vector=top.vector)
