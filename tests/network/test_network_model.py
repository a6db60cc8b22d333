"""The Real network panel's plain-Python parts: they import no Qt; the plane model gives
the descent views what they read (grid, path as the "gd" trail, events); the settings
refuse bad values with a sentence; the jobs run on small data and stop when closed."""

from __future__ import annotations

import numpy as np
import pytest
from block_digits import block_digits
from qt_free import import_in_fresh_python

from engine.network import Network
from explorer.network import jobs
from explorer.network.model import LandscapeSettings, PlaneModel, RunSettings


def test_the_model_and_the_jobs_import_no_qt():
    out = import_in_fresh_python(["explorer.network.model", "explorer.network.jobs"])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def data(n_train=600, n_test=200, seed=0):
    return block_digits(n_train, n_test, seed, clip=False)


def test_the_plane_model_holds_the_grid_and_the_path_and_tells_its_listeners():
    m = PlaneModel()
    heard = []
    for name in ("surface_changed", "trajectories_changed", "start_changed"):
        getattr(m, name).connect(lambda name=name: heard.append(name))
    m.step_changed.connect(lambda k: heard.append(("step", k)))
    a, b = np.linspace(-1, 1, 5), np.linspace(-2, 2, 9)
    cost = (a[:, None] ** 2 + b[None, :] ** 2) + 0.5
    coords = np.array([[-1.0, -2.0], [-0.5, -1.0], [0.0, 0.0]])
    m.show(a, b, cost, coords, np.array([5.5, 1.75, 0.5]))
    assert heard == ["surface_changed", "trajectories_changed", "start_changed", ("step", 2)]
    assert m.surface.domain == ((-1.0, 1.0), (-2.0, 2.0))
    assert m.surface.minima == [(0.0, 0.0)]                 # the path's end is marked
    assert np.allclose(m.start, [-1, -2]) and m.max_step() == 2 and m.index("gd") == 2
    t = m.trajectories["gd"]
    assert np.allclose(t.dv, [[0.5, 1.0], [0.5, 1.0]]) and np.allclose(t.actual, [-3.75, -1.25])
    assert m.z_low == pytest.approx(0.5) and m.height(0.5) == 0.0
    assert m.value_at_center() == pytest.approx(0.5)
    assert m.surface.value_at((0.5, 1.0)) == pytest.approx(0.25 + 1.0 + 0.5)   # a grid node
    assert m.set_start((0.3, 0.3)) is False and np.allclose(m.start, [-1, -2])
    m.show(a, b, cost)                                       # no path
    assert m.trajectories == {} and m.max_step() == 0 and m.surface.minima == []


def test_settings_refuse_bad_values_with_a_sentence():
    assert RunSettings().check() is None
    assert "eta must be a positive number" in RunSettings(eta=0.0).check()
    assert "m must be a whole number" in RunSettings(mini_batch_size=0).check()
    assert "more than the 500 training images" in RunSettings(mini_batch_size=600).check(500)
    assert LandscapeSettings().check() is None
    assert "directions" in LandscapeSettings(directions="up").check()
    assert "5 to 101 points" in LandscapeSettings(points=3).check()


def test_the_training_run_records_its_path_probe_and_noise():
    d = data()
    net = Network([784, 10, 10], seed=1)
    start = [p.copy() for p in net.params]
    snaps = list(jobs.training_run(net, d, RunSettings(eta=3.0, mini_batch_size=10, epochs=1,
                                                       subset=500)))
    last = snaps[-1]
    assert last.done and not any(s.done for s in snaps[:-1])
    assert last.updates == last.updates_total == 50
    assert last.path.shape == (len(last.steps), 7960) and last.steps[0] == 0
    assert np.allclose(last.path[0][:7850].reshape(10, 785), start[0])   # the initial weights
    assert len(last.probe) == 49           # one every mini-batch, the last step unmeasured
    assert last.noise and last.epochs[0].test_accuracy > 0.5
    assert "Trained 1 epoch(s) on 500 images" in last.note


def test_the_landscape_job_is_cancelled_by_closing_it():
    d = data()
    net = Network([784, 10, 10], seed=1)
    gen = jobs.landscape_job(net, d, LandscapeSettings("random", 100, "test", 11))
    first = next(gen)
    assert first.stage == "plane"
    second = next(gen)
    assert second.stage == "grid" and np.isnan(second.cost).all()
    gen.close()
    with pytest.raises(StopIteration):
        next(gen)
