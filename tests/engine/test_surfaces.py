"""The named surfaces: exact gradients and Hessians against finite differences, grids,
and the level lines the contour map draws."""

import numpy as np
import pytest

from engine import surfaces as S

ALL = [*S.SURFACES.values(), *S.CURVES.values()]


def _points(surface, n=25, seed=1):
    rng = np.random.default_rng(seed)
    lows = np.array([lo for lo, _ in surface.domain])
    highs = np.array([hi for _, hi in surface.domain])
    return lows + (highs - lows) * rng.random((n, surface.dim))


def _fd_grad(surface, v, h=1e-6):
    out = np.zeros(surface.dim)
    for i in range(surface.dim):
        e = np.zeros(surface.dim)
        e[i] = h
        out[i] = (surface.value_at(v + e) - surface.value_at(v - e)) / (2 * h)
    return out


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.key)
def test_gradient_matches_finite_differences(surface):
    for v in _points(surface):
        exact = surface.gradient_at(v)
        approx = _fd_grad(surface, v)
        assert np.allclose(exact, approx, rtol=1e-5, atol=1e-5 * (1 + abs(surface.value_at(v))))


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.key)
def test_hessian_matches_finite_differences_of_the_gradient(surface):
    h = 1e-6
    for v in _points(surface, seed=2):
        H = surface.hessian_at(v)
        assert H.shape == (surface.dim, surface.dim)
        assert np.allclose(H, H.T)
        for j in range(surface.dim):
            e = np.zeros(surface.dim)
            e[j] = h
            col = (surface.gradient_at(v + e) - surface.gradient_at(v - e)) / (2 * h)
            assert np.allclose(H[:, j], col, rtol=1e-4, atol=1e-4 * (1 + np.abs(H).max()))


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.key)
def test_minima_are_stationary_and_the_start_is_inside_the_domain(surface):
    for m in surface.minima:
        assert np.linalg.norm(surface.gradient_at(np.array(m))) < 1e-3
        assert np.all(np.linalg.eigvalsh(surface.hessian_at(np.array(m))) > 0)
    for x, (lo, hi) in zip(surface.start, surface.domain):
        assert lo < x < hi
    assert np.linalg.norm(surface.gradient_at(np.array(surface.start))) > 0


def test_grid_is_indexed_x_then_y():
    s = S.SURFACES["ravine"]
    (xs, ys), z = s.grid(50)
    assert z.shape == (50, 50)
    assert z[10, 30] == pytest.approx(s.value(xs[10], ys[30]))
    (vs,), c = S.CURVES["parabola"].grid(31)
    assert c.shape == (31,) and c[0] == pytest.approx(vs[0] ** 2)


def test_named_lookup_and_unknown_name():
    assert S.named("bowl").dim == 2 and S.named("wavy").dim == 1
    with pytest.raises(KeyError, match="known"):
        S.named("nope")


def test_contour_segments_of_a_bowl_are_circles():
    s = S.SURFACES["bowl"]
    (xs, ys), z = s.grid(120)
    seg = S.contour_segments(xs, ys, z, [1.0])
    assert len(seg) > 100 and len(seg) % 2 == 0
    r = np.hypot(seg[:, 0], seg[:, 1])
    assert np.allclose(r, 1.0, atol=0.01)       # the level set C = 1 is the unit circle
    # no NaN corners: a NaN hole makes no segments inside it
    z2 = z.copy()
    z2[:60] = np.nan
    seg2 = S.contour_segments(xs, ys, z2, [1.0])
    assert 0 < len(seg2) < len(seg) and np.all(seg2[:, 0] > xs[58])


def _edge_crossings(xs, ys, z, level):
    """Where the level crosses each grid edge, by linear interpolation along the edge:
    the points marching squares must put on the line (worked out here independently)."""
    pts = []
    for i in range(len(xs)):
        for j in range(len(ys)):
            for di, dj in ((1, 0), (0, 1)):
                k, m = i + di, j + dj
                if k >= len(xs) or m >= len(ys):
                    continue
                z0, z1 = z[i, j], z[k, m]
                if (z0 > level) != (z1 > level):
                    t = (level - z0) / (z1 - z0)
                    pts.append((xs[i] + t * (xs[k] - xs[i]), ys[j] + t * (ys[m] - ys[j])))
    return np.array(pts)


@pytest.mark.parametrize("key", ["rosenbrock", "himmelblau", "falseminima", "rastrigin"])
def test_contour_segments_lie_on_their_level(key):
    """Every segment end is a crossing of the level on a grid edge (all of them are
    used), C there equals the level up to the grid's resolution, and no segment leaves
    its cell (separate lines are not joined)."""
    s = S.SURFACES[key]
    (xs, ys), z = s.grid(41)
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    fine = np.linspace(0, 1, 401)
    (hxx, _), (_, hyy) = s.hessian(*np.meshgrid(xs[0] + fine * (xs[-1] - xs[0]),
                                                ys[0] + fine * (ys[-1] - ys[0])))
    curvature = 1.05 * max(np.abs(hxx).max() * dx * dx, np.abs(hyy).max() * dy * dy) / 8
    for level in S.contour_levels(z, 6):
        seg = S.contour_segments(xs, ys, z, [level])
        assert len(seg) > 0 and len(seg) % 2 == 0
        expected = np.unique(np.round(_edge_crossings(xs, ys, z, level), 9), axis=0)
        got = np.unique(np.round(seg, 9), axis=0)
        assert got.shape == expected.shape
        assert np.allclose(got, expected, atol=1e-8)
        # the true C on the line: a point interpolated linearly along an edge of length h
        # is off by at most max|C''| h^2 / 8 (the curvature bound taken over the grid)
        c = s.value(seg[:, 0], seg[:, 1])
        assert np.all(np.abs(c - level) <= curvature + 1e-9)
        ends = seg.reshape(-1, 2, 2)
        assert np.all(np.abs(ends[:, 0, 0] - ends[:, 1, 0]) <= dx + 1e-9)
        assert np.all(np.abs(ends[:, 0, 1] - ends[:, 1, 1]) <= dy + 1e-9)


def test_contour_segments_of_several_levels_and_no_level():
    (xs, ys), z = S.SURFACES["bowl"].grid(60)
    one = S.contour_segments(xs, ys, z, [1.0])
    two = S.contour_segments(xs, ys, z, [1.0, 2.25])
    r = np.hypot(two[:, 0], two[:, 1])
    assert len(two) > len(one)
    assert np.all((np.abs(r - 1.0) < 0.01) | (np.abs(r - 1.5) < 0.01))
    assert S.contour_segments(xs, ys, z, []).shape == (0, 2)
    assert S.contour_segments(xs, ys, z, [100.0]).shape == (0, 2)   # above the whole grid
    with pytest.raises(ValueError, match="expected"):
        S.contour_segments(xs, ys[:-1], z, [1.0])


def test_contour_segments_saddle_cell():
    xs = ys = np.array([0.0, 1.0])
    z = np.array([[1.0, 0.0], [0.0, 1.0]])   # a, c high; b, d low
    seg = S.contour_segments(xs, ys, z, [0.5])
    assert seg.shape == (4, 2)
    assert np.all(np.isfinite(seg))


def test_contour_levels_spread_over_a_steep_surface():
    (xs, ys), z = S.SURFACES["rosenbrock"].grid(100)
    levels = S.contour_levels(z, 12)
    assert len(levels) >= 8
    assert np.all(np.diff(levels) > 0)
    assert levels[0] < np.median(z)          # lines on the flat floor too
    assert S.contour_levels(np.full((3, 3), np.nan)).size == 0


def test_the_surfaces_the_lesson_names_are_there():
    """The book's valley, the elongated valley, false minima, a saddle, Rosenbrock,
    Himmelblau and Rastrigin, each with the formula it shows the learner."""
    rng = np.random.default_rng(5)
    expected = {
        "bowl": lambda x, y: x**2 + y**2,
        "ravine": lambda x, y: x**2 + 10 * y**2,
        "falseminima": lambda x, y: np.sin(x) * np.sin(y) + 0.2 * x,
        "rosenbrock": lambda x, y: (1 - x)**2 + 100 * (y - x**2)**2,
        "himmelblau": lambda x, y: (x**2 + y - 11)**2 + (x + y**2 - 7)**2,
        "rastrigin": lambda x, y: 20 + x**2 - 10 * np.cos(2 * np.pi * x)
        + y**2 - 10 * np.cos(2 * np.pi * y),
    }
    assert set(expected) | {"saddle"} == set(S.SURFACES)
    for key, f in expected.items():
        x, y = rng.uniform(-2, 2, 2)
        assert S.SURFACES[key].value(x, y) == pytest.approx(f(x, y)), key
    # a saddle: zero gradient at the origin, curving up one way and down the other
    saddle = S.SURFACES["saddle"]
    assert np.allclose(saddle.gradient_at(np.zeros(2)), 0)
    eig = np.linalg.eigvalsh(saddle.hessian_at(np.zeros(2)))
    assert eig.min() < 0 < eig.max()


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.key)
def test_the_formula_shown_is_the_function_used(surface):
    from engine.formula import parse_formula

    typed = parse_formula(surface.text, surface.dim, surface.domain)
    for v in _points(surface, n=10, seed=4):
        assert typed.value_at(v) == pytest.approx(surface.value_at(v), rel=1e-9, abs=1e-9)


def test_false_minima_and_rastrigin_trap_plain_descent():
    from engine import optimizers as O

    fm = S.SURFACES["falseminima"]
    t = O.run(fm, fm.start, "gd", O.Settings(eta=0.1, steps=500))
    low, high = sorted(fm.minima, key=lambda m: fm.value_at(np.array(m)))
    assert np.allclose(t.v[-1], high, atol=1e-3)          # the shallow dip, not the deep one
    r = S.SURFACES["rastrigin"]
    t = O.run(r, r.start, "gd", O.Settings(eta=0.002, steps=500))
    assert t.C[-1] > 1.0 and np.linalg.norm(t.grad[-1]) < 1e-3    # stuck in a local dip
