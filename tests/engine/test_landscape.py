"""The landscape on a plane and along a line: the fast computation against the plain
one, the origin against the network's own cost, PCA planes of known paths."""

import numpy as np
import pytest

from engine import Network
from engine.landscape import (
    Plane,
    filter_normalised,
    grid_around,
    pca_plane,
    plane_landscape,
    plane_landscape_plain,
    project_path,
    random_plane,
    straight_line,
)
from engine.weight_space import Sample, flatten, parameter_count, unflatten


def _data(n=300, n_in=12, n_out=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)).astype(np.float32), rng.integers(0, n_out, n)


def _run(gen):
    last = None
    for last in gen:
        pass
    return last


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_landscape_at_origin_is_the_networks_cost(cost):
    x, labels = _data()
    net = Network([12, 7, 4], cost=cost, seed=2)
    plane = random_plane(net, seed=5)
    res = _run(plane_landscape(net, plane, (x, labels), [-0.5, 0.0, 0.5], [0.0, 1.0],
                               sample_size=None))
    correct, c = net.evaluate(x, labels)
    assert res.done and res.rows_done == 3
    assert res.cost[1, 0] == pytest.approx(c, rel=1e-5)
    assert res.accuracy[1, 0] == correct / len(x)
    assert res.cost[0, 0] != pytest.approx(c, rel=1e-3)      # elsewhere it differs


@pytest.mark.parametrize("sizes,activation,cost", [([12, 7, 4], "sigmoid", "quadratic"),
                                                   ([12, 8, 5, 4], "sigmoid", "cross-entropy"),
                                                   ([12, 6, 4], "relu", "quadratic")])
def test_fast_plane_equals_building_the_network_at_each_point(sizes, activation, cost):
    x, labels = _data()
    net = Network(sizes, activation=activation, cost=cost, init="scaled", seed=3)
    plane = random_plane(net, seed=1, biases="row")
    a = np.linspace(-1.5, 1.5, 5)
    b = np.linspace(-1.0, 2.0, 4)
    sample = Sample.from_data(x, labels, n_out=4)
    fast = _run(plane_landscape(net, plane, sample, a, b, chunk=128))   # 3 chunks
    plain = plane_landscape_plain(net, plane, sample, a, b)
    np.testing.assert_allclose(fast.cost, plain, rtol=2e-5)
    assert np.ptp(plain) > 0.01
    # the accuracy agrees with Network.evaluate at each point
    other = net.copy()
    for i in (0, 4):
        for j in (0, 3):
            p = unflatten(plane.point(a[i], b[j]), sizes)
            other.set_parameters([q[:, :-1] for q in p], [q[:, -1] for q in p])
            assert fast.accuracy[i, j] == other.evaluate(x, labels)[0] / len(x)


def test_landscape_yields_one_record_a_row_and_can_be_cancelled():
    x, labels = _data()
    net = Network([12, 7, 4], seed=2)
    gen = plane_landscape(net, random_plane(net, seed=0), (x, labels), np.zeros(6), [0.0, 1.0])
    first = next(gen)
    assert (first.rows_done, first.rows) == (1, 6)
    assert np.isnan(first.cost[1:]).all() and np.isfinite(first.cost[0]).all()
    gen.close()      # cancelling: nothing more is computed
    with pytest.raises(StopIteration):
        next(gen)


def test_filter_normalisation_gives_each_unit_the_length_of_its_weights():
    net = Network([12, 7, 4], seed=4)
    c = flatten(net.params, np.float64)
    d = filter_normalised(np.random.default_rng(0).standard_normal(len(c)), c, net.sizes)
    for dl, wl in zip(unflatten(d, net.sizes), unflatten(c, net.sizes)):
        np.testing.assert_allclose(np.linalg.norm(dl[:, :-1], axis=1),
                                   np.linalg.norm(wl[:, :-1], axis=1), rtol=1e-12)
        assert not dl[:, -1].any()
    with pytest.raises(ValueError, match="biases"):
        filter_normalised(d, c, net.sizes, biases="some")


def test_pca_of_a_path_in_a_plane_explains_everything():
    rng = np.random.default_rng(7)
    p = parameter_count([12, 7, 4])
    center = rng.standard_normal(p)
    u, v = np.linalg.qr(rng.standard_normal((p, 2)))[0].T
    t = np.linspace(0, 3, 40)
    path = center + np.outer(np.cos(t) * 3 - 3, u) + np.outer(np.sin(2 * t), v)
    plane = pca_plane(path)
    assert plane.explained.sum() == pytest.approx(1.0, abs=1e-9)
    assert plane.explained[0] > plane.explained[1] > 0.01
    proj = project_path(path, plane)
    assert proj.in_plane == pytest.approx(1.0, abs=1e-9)
    assert proj.distance.max() < 1e-9
    np.testing.assert_allclose(proj.coords[-1], 0.0, atol=1e-9)        # the final point
    assert proj.coords[0, 0] < 0 and proj.coords[0, 1] <= 0             # path starts low-left
    # a path bent out of the plane is not fully explained
    bent = path + np.outer(np.sin(5 * t), np.linalg.qr(rng.standard_normal((p, 1)))[0][:, 0])
    assert project_path(bent, pca_plane(bent)).in_plane < 0.99
    a, b = grid_around(proj.coords, points=11)
    assert len(a) == 11 and a[0] < proj.coords[:, 0].min() and a[-1] > proj.coords[:, 0].max()


def test_pca_needs_a_path_that_moves():
    with pytest.raises(ValueError, match="three"):
        pca_plane(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="two directions"):
        pca_plane(np.ones((5, 10)))


def test_straight_line_runs_from_the_initial_to_the_final_weights():
    x, labels = _data()
    xt, lt = _data(seed=1)
    net = Network([12, 7, 4], seed=2)
    w_init = flatten(net.params, np.float64)
    w_final = w_init + np.random.default_rng(3).standard_normal(len(w_init))
    points = list(straight_line(net, w_init, w_final, (x, labels), (xt, lt),
                                alphas=[-0.5, 0.0, 1.0, 1.5]))
    assert [p.alpha for p in points] == [-0.5, 0.0, 1.0, 1.5]
    correct, c = net.evaluate(xt, lt)
    assert points[1].test_cost == pytest.approx(c, rel=1e-5)
    assert points[1].test_accuracy == correct / len(xt)
    end = net.copy()
    p = unflatten(w_final, net.sizes)
    end.set_parameters([q[:, :-1] for q in p], [q[:, -1] for q in p])
    assert points[2].train_cost == pytest.approx(end.evaluate(x, labels)[1], rel=1e-5)


def test_bad_input_gets_a_clear_message():
    x, labels = _data()
    net = Network([12, 7, 4], seed=2)
    bad = Plane(np.zeros(5), np.zeros(5), np.zeros(5), "random")
    with pytest.raises(ValueError, match="entries"):
        next(plane_landscape(net, bad, (x, labels), [0.0], [0.0]))
    with pytest.raises(ValueError, match="finite"):
        next(plane_landscape(net, random_plane(net), (x, labels), [np.nan], [0.0]))
    with pytest.raises(ValueError, match="input layer"):
        next(plane_landscape(net, random_plane(net), (x[:, :5], labels), [0.0], [0.0]))
