"""Power iteration with finite-difference Hessian-vector products: known quadratics and
a tiny network's full Hessian."""

import numpy as np
import pytest

from engine import Network
from engine.sharpness import finite_difference_hvp, sharpness, top_eigenvalue
from engine.weight_space import Sample, cost_and_gradient, flatten


def _symmetric(eigenvalues, seed=0):
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(eigenvalues),) * 2))
    return q @ np.diag(eigenvalues) @ q.T


def test_power_iteration_finds_the_top_eigenvalue_of_a_quadratic():
    eig = np.array([7.5, 3.0, 2.0, 1.0, 0.5, -0.3, 0.1, 0.0])
    A = _symmetric(eig)
    grad = lambda w: A @ w          # noqa: E731  C(w) = w.A w / 2
    w0 = np.random.default_rng(1).standard_normal(8)
    top = top_eigenvalue(lambda v: finite_difference_hvp(grad, w0, v), 8, iterations=200,
                         tol=1e-10)
    assert top.converged
    assert top.value == pytest.approx(7.5, rel=1e-6)
    assert abs(top.vector @ np.linalg.eigh(A)[1][:, -1]) == pytest.approx(1.0, abs=1e-4)


def test_a_dominant_negative_eigenvalue_is_shifted_away():
    A = _symmetric(np.array([-9.0, 4.0, 1.0, 0.5]), seed=2)
    top = top_eigenvalue(lambda v: A @ v, 4, iterations=500, tol=1e-12)
    assert top.value == pytest.approx(4.0, rel=1e-5)
    raw = top_eigenvalue(lambda v: A @ v, 4, iterations=500, tol=1e-12, positive=False)
    assert raw.value == pytest.approx(-9.0, rel=1e-5)


def test_network_sharpness_matches_the_full_hessian():
    rng = np.random.default_rng(0)
    x, labels = rng.random((40, 4)), rng.integers(0, 3, 40)
    net = Network([4, 3, 3], seed=5, dtype=np.float64)
    sample = Sample.from_data(x, labels, 3, np.float64)
    w = flatten(net.params, np.float64)
    grad = lambda p: cost_and_gradient(net, p, sample)[1]     # noqa: E731
    # the full Hessian, column by column, from the same central differences
    H = np.array([finite_difference_hvp(grad, w, e, 1e-4) for e in np.eye(len(w))])
    H = (H + H.T) / 2
    expected = np.linalg.eigvalsh(H)[-1]
    s = sharpness(net, sample, iterations=300, tol=1e-9)
    assert s.value == pytest.approx(expected, rel=1e-4)
    assert s.eta_limit() == pytest.approx(2 / expected, rel=1e-4)
    assert "2/eta" in s.explanation
    assert "below" in s.describe(eta=0.1 * s.eta_limit())
    again = sharpness(net, sample, iterations=300, tol=1e-9, start=s.vector)
    assert again.value == pytest.approx(expected, rel=1e-4)
    assert again.products < s.products                        # a warm start is quicker
