"""The Real network panel through its widgets, on small synthetic data: the training
run records the probe's readings (drawn point for point), the landscape of its path and
around the pad's network (its centre is the network's own cost), the mini-batch
experiments, the sweep (one curve per eta), cancelling, and no MNIST."""

from __future__ import annotations

import numpy as np
import pytest
from block_digits import block_digits

from engine.network import Network
from engine.verdict import COLOURS
from explorer.network import jobs
from explorer.network.panel import NetworkPanel
from explorer.session import Session


def synthetic(n_train=1200, n_test=300, seed=0):
    """Digits that can be learned: each label lights its own block of pixels, plus noise."""
    return block_digits(n_train, n_test, seed)


@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    return Session(data_dir=str(tmp_path / "no-mnist"))


@pytest.fixture
def panel(qtbot, session):
    p = NetworkPanel(session)
    qtbot.addWidget(p)
    p.set_data(synthetic())
    p.subset.setValue(1000)
    p.resize(1300, 900)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()


def heard(worker):
    got = {"progress": [], "finished": [], "cancelled": []}
    worker.progress.connect(lambda tag, snap: got["progress"].append(snap))
    worker.finished.connect(lambda tag, snap: got["finished"].append(snap))
    worker.cancelled.connect(lambda tag: got["cancelled"].append(tag))
    return got


def train(qtbot, panel, eta=3.0, epochs=1):
    panel.eta.setValue(eta)
    panel.epochs.setValue(epochs)
    got = heard(panel.worker)
    assert panel.train()
    qtbot.waitUntil(lambda: panel.last_run is not None and bool(got["finished"]), timeout=60_000)
    return got


def test_training_run_reports_progress_and_the_probe_plot_is_its_readings(qtbot, panel):
    got = train(qtbot, panel, epochs=2)
    run = panel.last_run
    assert run.done and len(got["finished"]) == 1 and got["progress"]
    assert run.updates == run.updates_total == 200
    readings = run.probe
    assert len(readings) >= 50
    panel.tabs.setCurrentWidget(panel.probe)           # a hidden tab draws when shown
    drawn = 0
    for word, item in panel.probe.actual_points.items():
        x, y = item.xData, item.yData          # None for an empty item
        mine = [r for r in readings if r.verdict.word == word]
        if not mine:
            assert x is None or len(x) == 0
            continue
        assert np.array_equal(x, [r.update for r in mine])
        assert np.allclose(y, [r.actual for r in mine])
        assert item.opts["symbolBrush"] == COLOURS[word]
        drawn += len(mine)
    assert drawn == len(readings)
    _, pred = panel.probe.predicted_line.getData()
    assert np.allclose(pred, [r.predicted for r in readings])
    assert "At eta = 3" in panel.probe.summary.text()
    # the noise scale drawn during the run, with the run's m marked
    xs, _ = panel.batches.noise_curve.getData()
    assert len(xs) == len([r for r in run.noise if np.isfinite(r.noise_scale) and r.noise_scale > 0])
    assert panel.batches.m_line.value() == pytest.approx(1.0)       # log10(m = 10)


def test_the_path_is_drawn_on_its_landscape_and_the_straight_line(qtbot, panel):
    train(qtbot, panel)
    tab = panel.landscape
    tab.sample.setValue(300)
    tab.points.setValue(15)
    qtbot.waitUntil(lambda: not tab.worker.running, timeout=30_000)   # the automatic one
    got = heard(tab.worker)
    assert tab.draw_path()
    qtbot.waitUntil(lambda: bool(got["finished"]), timeout=30_000)
    snap = tab.result
    assert snap.done and snap.cost.shape == (15, 15) and np.isfinite(snap.cost).all()
    trail = tab.plane.trajectories["gd"]
    assert np.allclose(trail.v, snap.coords) and len(trail.v) == len(panel.last_run.path)
    x, y = tab.contour.trails["gd"].getData()
    assert np.allclose(x, snap.coords[:, 0]) and np.allclose(y, snap.coords[:, 1])
    assert np.allclose(tab.plane.start, snap.coords[0])
    text = tab.note.text()
    assert "does not lie exactly" in text and f"{100 * snap.in_plane:.1f}%" in text
    alphas, train_cost = tab.train_line.getData()
    assert alphas[0] == pytest.approx(-0.5) and alphas[-1] == pytest.approx(1.5)
    assert len(tab.test_line.getData()[0]) == len(alphas)
    # alpha = 1 is the final network: its cost on the same images as the line's
    images, labels = jobs.subset(panel.data.training, 300, 0)
    final = jobs.net_cost(panel.last_run.net, images, labels)
    assert train_cost[np.argmin(abs(alphas - 1.0))] == pytest.approx(final, rel=1e-4)


def test_the_landscape_around_the_pads_network_is_its_cost_at_the_centre(qtbot, panel, session):
    net = Network([784, 12, 10], seed=4)
    session.set_model(net, "test network")
    tab = panel.landscape
    tab.sample.setValue(400)
    tab.points.setValue(11)
    got = heard(tab.worker)
    assert tab.draw_pad()
    qtbot.waitUntil(lambda: bool(got["finished"]), timeout=30_000)
    assert got["progress"]
    images, labels = jobs.subset(panel.data.training, 400, 0)
    own = jobs.net_cost(net, images, labels)
    a, b = tab.plane.axes
    assert a[5] == 0.0 and b[5] == 0.0
    assert tab.plane.z[5, 5] == pytest.approx(own, rel=1e-5)
    assert tab.plane.value_at_center() == pytest.approx(own, rel=1e-5)
    assert tab.plane.trajectories == {} and "No path" in tab.note.text()


def test_the_landscape_of_a_path_needs_a_run_first(qtbot, panel):
    assert not panel.landscape.draw_path()
    assert "Train first" in panel.landscape.bar.status.text()


def test_a_training_run_can_be_cancelled(qtbot, panel):
    panel.subset.setValue(1200)
    panel.m.setValue(1)
    panel.epochs.setValue(5)
    got = heard(panel.worker)
    assert panel.train()
    qtbot.waitUntil(lambda: bool(got["progress"]), timeout=20_000)
    panel.bar.cancel_button.click()
    qtbot.waitUntil(lambda: bool(got["cancelled"]), timeout=20_000)
    assert not got["finished"] and panel.last_run is None
    assert "cancelled" in panel.bar.status.text()
    assert panel.bar.buttons["Train and record"].isEnabled()


def test_gradient_agreement_and_the_race_are_drawn(qtbot, panel):
    tab = panel.batches
    got = heard(tab.worker)
    assert tab.measure_agreement()
    qtbot.waitUntil(lambda: bool(got["finished"]), timeout=30_000)
    rows = tab.agreement.rows
    assert [r.m for r in rows] == [1, 10, 100, 1000]
    x, y = tab.cos_points.xData, tab.cos_points.yData      # the data, not its log
    assert np.allclose(x, [1, 10, 100, 1000]) and np.allclose(y, [r.cosine_mean for r in rows])
    assert rows[-1].cosine_mean > rows[0].cosine_mean          # bigger batches agree better
    assert tab.race_axis.currentData() == "examples"
    assert tab.run_race()
    qtbot.waitUntil(lambda: len(got["finished"]) == 2, timeout=60_000)
    assert sorted(tab.race_curves) == ["full batch", "m = 1", "m = 10", "m = 100"]
    xs, costs = tab.race_curves["m = 10"].getData()
    points = tab.race.runs["m = 10"]
    assert np.array_equal(xs, [p.examples for p in points])
    tab.race_axis.setCurrentIndex(1)
    xs, _ = tab.race_curves["m = 10"].getData()
    assert np.allclose(xs, [p.seconds for p in points])
    assert "1,000/10 = 100 updates" in tab.tradeoff.text()


def test_an_experiment_can_be_cancelled(qtbot, panel):
    tab = panel.batches
    panel.m.setValue(1)
    got = heard(tab.worker)
    assert tab.run_race()
    assert tab.bar.cancel_button.isEnabled() and tab.worker.running
    tab.bar.cancel_button.click()          # at once: the race cannot end before it is heard
    qtbot.waitUntil(lambda: bool(got["cancelled"] or got["finished"]), timeout=20_000)
    assert got["cancelled"] and not got["finished"]
    assert tab.bar.status.text() == "Cancelled."
    assert tab.bar.buttons["Run the batch-size race"].isEnabled()


def test_the_sweep_draws_one_curve_per_eta_and_the_sharpness(qtbot, panel):
    tab = panel.sweep
    panel.subset.setValue(600)
    got = heard(tab.worker)
    assert tab.run_sweep()
    qtbot.waitUntil(lambda: bool(got["finished"]), timeout=120_000)
    snap = tab.snapshot
    assert snap.done and sorted(tab.cost_curves) == sorted(snap.etas) and len(snap.etas) == 7
    for eta in snap.etas:
        x, y = tab.cost_curves[eta].getData()
        pts = [p for p in snap.points[eta] if np.isfinite(p.cost)]
        assert np.allclose(x, [p.epochs for p in pts]) and np.allclose(y, [p.cost for p in pts])
    assert len(tab.cost_plot.getPlotItem().legend.items) == 7
    assert tab.best.text() and "learns best" in tab.best.text()
    finite = [(e, s) for e, s in snap.sharpness if np.isfinite(s) and s > 0]
    x = tab.sharp_points.xData
    assert len(x) == len(finite) and snap.initial_sharpness > 0
    marked = [s for s, _ in snap.states.values() if s in ("diverged", "stuck")]
    assert len(tab.marks.data) == len(marked)


def test_without_mnist_the_panel_says_what_it_needs(qtbot, session):
    p = NetworkPanel(session)
    qtbot.addWidget(p)
    p.show()
    assert not p.train()
    assert p.needs.isVisible() and "Training needs MNIST" in p.needs.text()
    assert "needs MNIST" in p.bar.status.text()
    qtbot.waitUntil(lambda: p.mnist_dialog is not None, timeout=20_000)   # the download offer
    p.mnist_dialog.reject()
    assert not p.sweep.run_sweep() and "MNIST" in p.sweep.bar.status.text()
    p.shutdown()


def test_without_opengl_the_contour_map_shows_the_landscape_alone(qtbot, session, monkeypatch):
    from explorer.gl_check import opengl_available

    monkeypatch.setenv("GD_EXPLORER_NO_GL", "1")
    opengl_available.cache_clear()
    try:
        p = NetworkPanel(session)
    finally:
        opengl_available.cache_clear()
    qtbot.addWidget(p)
    p.set_data(synthetic())
    tab = p.landscape
    assert tab.view3d is None and "3-D view unavailable" in tab.no_gl_message.text()
    session.set_model(Network([784, 6, 10], seed=2), "small")
    tab.sample.setValue(200)
    tab.points.setValue(11)
    got = heard(tab.worker)
    assert tab.draw_pad()
    qtbot.waitUntil(lambda: bool(got["finished"]), timeout=30_000)
    assert tab.contour.image.image.shape[:2] == (11, 11)      # the contour map drew the grid
    p.shutdown()


def reading(eta, gd_actual, gd_predicted, word="good", update=1):
    from engine.probe import ProbeReading
    from engine.verdict import linear_verdict

    v = linear_verdict(-1.0, -1.0 if word == "good" else 0.5)
    return ProbeReading(update, 1, update, 10 * update, eta, 10, 1.0, 0.9, -0.1, -0.1, 1.0, 80.0,
                        0.1, 1.0, v, gd_actual, gd_predicted, gd_actual / gd_predicted,
                        linear_verdict(gd_predicted, gd_actual))


def test_the_probe_summary_says_hold_weaken_break_and_saturated():
    from explorer.network.probe_tab import summary

    assert "approximation holds" in summary([reading(0.01, -0.0999, -0.1)])
    assert "approximation weakens" in summary([reading(3.0, -0.05, -0.1)])
    assert "approximation breaks" in summary([reading(30.0, 0.2, -0.1)])
    # readings where nothing moves (a saturated network) do not outvote the real steps
    text = summary([reading(30.0, 0.2, -0.1, update=1)] +
                   [reading(30.0, -1e-9, -1e-9, update=k) for k in range(2, 20)], saturated=True)
    assert "approximation breaks" in text and "over 1 reading where" in text
    assert "network saturated" in text


def test_settings_come_back_and_bad_ones_fall_back_with_a_note(qtbot, session):
    p = NetworkPanel(session)
    qtbot.addWidget(p)
    p.eta.setValue(0.5)
    p.m.setValue(20)
    p.subset.setValue(5000)
    p.start_from.setCurrentIndex(1)
    p.landscape.cost_on.setCurrentIndex(1)
    p.batches.race_axis.setCurrentIndex(1)
    state = p.settings_state()
    assert state["eta"] == 0.5 and state["start"] == "pad" and state["cost_on"] == "test"
    q = NetworkPanel(session)
    qtbot.addWidget(q)
    assert q.apply_settings(state) == []
    assert q.settings_state() == state
    notes = q.apply_settings(dict(state, eta="fast", m=2.5, start="elsewhere", points=True))
    assert q.eta.value() == 3.0 and q.m.value() == 10 and q.start_from.currentData() == "fresh"
    assert q.landscape.points.value() == 31 and q.subset.value() == 5000
    assert len(notes) == 4 and any("saved eta (fast)" in n for n in notes)


def test_a_job_asked_for_before_mnist_is_in_starts_when_it_arrives(qtbot, session):
    """Train pressed while MNIST is still being read: the run starts by itself once the
    data is in (the learner does not have to press Train again)."""
    p = NetworkPanel(session)
    qtbot.addWidget(p)
    p.subset.setValue(1000)
    p.show()
    assert not p.train() and "needs MNIST" in p.bar.status.text()
    p.set_data(synthetic())                  # what the store's ready signal delivers
    assert p.worker.running or p.last_run is not None
    qtbot.waitUntil(lambda: p.last_run is not None, timeout=60_000)
    p.shutdown()
