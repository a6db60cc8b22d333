"""The update rules: one hand-checked step each, the records, and the early stops."""

import math

import numpy as np
import pytest

from engine import optimizers as O
from engine.formula import parse_formula
from engine.surfaces import CURVES, SURFACES

BOWL = SURFACES["bowl"]          # C = x^2 + y^2, grad = 2v


def test_plain_gradient_descent_is_the_books_rule():
    t = O.run(BOWL, (1.0, 2.0), "gd", O.Settings(eta=0.1, steps=3))
    assert t.steps == 3 and t.status == "ok"
    assert np.allclose(t.v[1], [1.0 - 0.1 * 2.0, 2.0 - 0.1 * 4.0])
    assert np.allclose(t.v[3], np.array([1.0, 2.0]) * 0.8 ** 3)
    r = t.record(0)
    assert np.allclose(r.dv, [-0.2, -0.4])
    assert r.predicted == pytest.approx(np.dot([2.0, 4.0], [-0.2, -0.4]))
    assert r.actual == pytest.approx(BOWL.value_at(t.v[1]) - 5.0)
    assert len(list(t.records())) == 3


def test_predicted_change_is_good_for_small_eta_and_bad_for_large():
    small = O.run(BOWL, (1.0, 1.0), "gd", O.Settings(eta=0.001, steps=1))
    assert small.actual[0] == pytest.approx(small.predicted[0], rel=0.01)
    large = O.run(BOWL, (1.0, 1.0), "gd", O.Settings(eta=0.9, steps=1))
    assert large.actual[0] > 0.5 * large.predicted[0]          # far from the prediction


def test_fixed_step_has_length_epsilon_whatever_eta():
    t = O.run(BOWL, (3.0, 4.0), "fixed", O.Settings(eta=0.01, epsilon=0.5, steps=2))
    assert np.allclose(np.linalg.norm(t.dv, axis=1), 0.5)
    assert np.allclose(t.v[1], [3.0 - 0.3, 4.0 - 0.4])
    # the book's "optimal step": the predicted change is -epsilon |grad C|
    assert t.predicted[0] == pytest.approx(-0.5 * 10.0)
    with pytest.raises(ValueError, match="epsilon"):
        O.run(BOWL, (1.0, 1.0), "fixed", O.Settings(epsilon=0.0))


def test_momentum_and_nesterov_by_hand():
    s = O.Settings(eta=0.1, mu=0.5, steps=2)
    m = O.run(BOWL, (1.0, 0.0), "momentum", s)
    # u1 = -0.1*2 = -0.2, v1 = 0.8; u2 = 0.5*-0.2 - 0.1*1.6 = -0.26, v2 = 0.54
    assert np.allclose(m.v[:, 0], [1.0, 0.8, 0.54])
    n = O.run(BOWL, (1.0, 0.0), "nesterov", s)
    # u1 = -0.2 (gradient at v + 0 = 2); ahead = 0.8 - 0.1 = 0.7, u2 = -0.1 - 0.14 = -0.24
    assert np.allclose(n.v[:, 0], [1.0, 0.8, 0.56])


def test_adaptive_rules_by_hand():
    s = O.Settings(eta=0.1, steps=1)
    for key in ("adagrad", "rmsprop", "adam"):
        t = O.run(BOWL, (1.0, -3.0), key, s)
        # the first step of all three moves each coordinate by about eta against its sign
        expected = 0.1 if key != "rmsprop" else 0.1 / math.sqrt(0.1)
        assert np.allclose(np.abs(t.dv[0]), expected, rtol=1e-5), key
        assert np.all(np.sign(t.dv[0]) == [-1, 1])


def test_newton_jumps_to_a_quadratics_minimum_in_one_step():
    t = O.run(SURFACES["ravine"], (-2.8, 1.5), "newton", O.Settings(steps=5))
    assert np.allclose(t.v[1], [0.0, 0.0])
    assert t.status == "converged" and "rest" in t.message


def test_newton_stops_where_the_hessian_is_singular():
    t = O.run(SURFACES["saddle"], (0.5, 1 / math.sqrt(3)), "newton", O.Settings(steps=5))
    assert t.status == "singular" and "singular" in t.message
    f = parse_formula("abs(x) + y**2")
    t2 = O.run(f, (1.0, 1.0), "newton", O.Settings(steps=5))
    assert t2.status == "singular"


def test_divergence_stops_with_a_message():
    t = O.run(SURFACES["ravine"], (1.0, 1.0), "gd", O.Settings(eta=0.6, steps=10000))
    assert t.status == "diverged" and "eta" in t.message
    assert t.steps < 10000
    assert len(t.v) == len(t.C) == t.steps + 1


def test_leaving_the_domain_stops_with_a_message():
    f = parse_formula("sqrt(x) + y**2")
    t = O.run(f, (0.3, 1.0), "gd", O.Settings(eta=0.5, steps=50))
    assert t.status == "domain" and "not defined" in t.message
    bad_start = O.run(f, (-1.0, 0.0), "gd")
    assert bad_start.status == "domain" and bad_start.steps == 0


def test_noise_is_seeded_and_only_changes_what_the_rule_sees():
    s = O.Settings(eta=0.1, steps=20, noise=0.5, seed=7)
    a = O.run(BOWL, (1.0, 1.0), "gd", s)
    b = O.run(BOWL, (1.0, 1.0), "gd", s)
    c = O.run(BOWL, (1.0, 1.0), "gd", O.Settings(eta=0.1, steps=20, noise=0.5, seed=8))
    clean = O.run(BOWL, (1.0, 1.0), "gd", O.Settings(eta=0.1, steps=20))
    assert np.array_equal(a.v, b.v)
    assert not np.allclose(a.v, c.v)
    assert not np.allclose(a.v, clean.v)
    assert np.allclose(a.grad, 2 * a.v)             # recorded gradients are exact


def test_one_variable_and_run_all():
    t = O.run(CURVES["parabola"], (1.0,), "gd", O.Settings(eta=1.0, steps=4))
    assert np.allclose(t.v[:, 0], [1, -1, 1, -1, 1])      # eta = 1 bounces forever
    out = O.run_all(SURFACES["himmelblau"], (-0.5, -0.8), list(O.METHODS),
                    O.Settings(eta=0.01, steps=300))
    assert set(out) == set(O.METHODS)
    for key in ("gd", "momentum", "nesterov"):
        assert out[key].C[-1] < 1e-3, key


def test_bad_arguments():
    with pytest.raises(KeyError, match="known"):
        O.run(BOWL, (0, 0), "sgd-ish")
    with pytest.raises(ValueError):
        O.run(BOWL, (0, 0), "gd", O.Settings(eta=-1))
    with pytest.raises(ValueError):
        O.run(BOWL, (0, 0), "gd", O.Settings(eta=float("nan")))
