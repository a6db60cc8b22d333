"""The trails are computed on a worker thread: stale results are dropped, the first
steps come at once, and the final result equals the synchronous computation."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import optimizers
from explorer.descent.model import FIRST_STEPS, DescentModel, compute_trails


def same_trails(a, b) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(a[k].v, b[k].v, equal_nan=True) and a[k].status == b[k].status
        for k in a)


def test_the_worker_drops_stale_results_and_ends_with_the_synchronous_answer(panel, qtbot):
    m, c = panel.model, panel.controls
    m.set_methods(list(optimizers.METHODS))
    m.set_settings(steps=3000, noise=0.5)
    m.wait()
    heard = []
    m.trajectories_changed.connect(lambda: heard.append((m.settings.eta, m.partial)))
    # type several learning rates one after the other, as fast as the keyboard goes
    t0 = time.perf_counter()
    for eta in (0.011, 0.012, 0.013, 0.014, 0.015):
        c.eta.setValue(eta)
    blocked = time.perf_counter() - t0
    assert blocked < 0.25                      # five changes, no computation on this thread
    assert m.busy
    assert m.wait(60)
    # only the last one was shown in full; the others were dropped or never started
    finals = [eta for eta, partial in heard if not partial]
    assert finals == [0.015]
    # the result equals a plain synchronous computation of the same job
    sync = DescentModel()
    sync.set_settings(steps=3000, noise=0.5, eta=0.015)
    sync.set_methods(list(optimizers.METHODS))
    assert same_trails(m.trajectories, sync.trajectories)
    assert same_trails(m.trajectories, compute_trails(m._job))
    # and what is drawn is that result
    xs, _ = panel.contour.trails["gd"].getData()
    assert xs[-1] == m.trajectories["gd"].v[m.index("gd"), 0]


def test_a_result_older_than_the_latest_change_is_not_shown(panel):
    m = panel.model
    m.wait()
    old_job = m._job
    old = compute_trails(old_job)
    m.set_settings(eta=0.02)
    assert not m.deliver(old_job, old, True)          # generation too old: dropped
    m.wait()
    assert m.trajectories["gd"].dv[0] @ m.trajectories["gd"].grad[0] < 0
    assert np.allclose(m.trajectories["gd"].dv[0], -0.02 * m.trajectories["gd"].grad[0])


def test_the_first_steps_are_shown_before_the_rest(panel, qtbot):
    m = panel.model
    m.set_methods(list(optimizers.METHODS))
    m.wait()
    seen = []
    m.trajectories_changed.connect(lambda: seen.append((m.partial, m.max_step())))
    m.set_settings(steps=4000, noise=1.0)
    assert m.wait(60)
    assert seen[0] == (True, FIRST_STEPS)              # the first steps, at once
    assert seen[-1][0] is False and seen[-1][1] == 4000
    assert "step 4000 of 4000" in panel.readout.text()


def test_the_model_without_qt_computes_at_once():
    m = DescentModel()
    assert m.runner is None and not m.busy
    m.set_settings(eta=0.02, steps=30)
    assert m.trajectories["gd"].steps == 30 and m.step == 30


def test_the_thread_worker_fallback_behaves_the_same(qtbot):
    """Where no process can start, a thread computes the trails: the same rules."""
    from explorer.descent.worker import TrailWorker

    m = DescentModel(runner=lambda job: None)
    worker = TrailWorker(m)
    m.runner = worker
    try:
        m.set_methods(list(optimizers.METHODS))
        heard = []
        m.trajectories_changed.connect(lambda: heard.append((m.settings.eta, m.partial)))
        for eta in (0.011, 0.012, 0.013):
            m.set_settings(eta=eta, steps=2000, noise=0.3)
        assert m.busy and m.wait(60)
        assert [eta for eta, partial in heard if not partial] == [0.013]
        assert same_trails(m.trajectories, compute_trails(m._job))
        assert worker.computed >= 1
    finally:
        worker.close()


@pytest.mark.gl
def test_changes_before_the_new_trails_arrive_do_not_break_the_3d_view(with_gl, make_panel):
    """A new surface, new rules and a new readout rule at once, while the worker still
    computes: the 3-D view has points of rules the model holds no trail for yet."""
    panel = make_panel()
    m = panel.model
    m.set_function("ravine")
    m.set_methods(["gd", "momentum", "nesterov"])
    m.set_primary("nesterov")           # emits step_changed before the trails come
    m.set_step(3)
    assert m.wait(60)
    m.set_step(12)
    assert panel.view3d is not None and "nesterov" in m.trajectories



def test_long_trails_reach_the_cost_plot_in_a_later_turn_than_the_other_views(qtbot):
    from explorer.descent.contour import ContourView
    from explorer.descent.cost_plot import LATER, CostPlot, peaks

    m = DescentModel()                          # no runner: trails computed at once
    plot, contour = CostPlot(m), ContourView(m)
    qtbot.addWidget(plot)
    qtbot.addWidget(contour)
    m.set_methods(["gd", "momentum"])
    m.set_settings(steps=LATER // 2 + 50, noise=0.5)   # 2 rules x that many costs > LATER
    t = m.trajectories["gd"]
    assert t.steps == LATER // 2 + 50           # (noise: no rule comes to rest early)
    # the map has them at once, the cost plot in a later turn of the event loop
    assert len(contour.trails["gd"].getData()[0]) > 0
    assert plot.pending
    assert plot.curves["gd"].getData()[0][-1] < t.steps
    qtbot.waitUntil(lambda: not plot.pending, timeout=2000)
    xs, ys = plot.curves["gd"].getData()
    assert xs[-1] == t.steps and np.array_equal(xs, peaks(plot._plotted(t.C))[0])
    # short trails are plotted at once, as before
    m.set_settings(steps=100)
    assert not plot.pending and plot.curves["gd"].getData()[0][-1] == 100


def test_the_cost_plot_makes_every_rules_curve_ahead_and_keeps_it(qtbot):
    from explorer.descent.cost_plot import CostPlot

    m = DescentModel()
    plot = CostPlot(m)
    qtbot.addWidget(plot)
    qtbot.waitUntil(lambda: set(plot._made) == set(optimizers.METHODS))
    ahead = dict(plot._made)
    m.set_methods(list(optimizers.METHODS))
    for key in optimizers.METHODS:
        assert plot.curves[key] is ahead[key]
        assert len(plot.curves[key].getData()[0]) > 0
    m.set_methods(["gd"])
    assert set(plot.curves) == {"gd"}
    assert ahead["adam"].getData()[0] is None or len(ahead["adam"].getData()[0]) == 0
    m.set_methods(["gd", "adam"])
    assert plot.curves["adam"] is ahead["adam"] and len(ahead["adam"].getData()[0]) > 0


def test_the_contour_map_makes_every_rules_items_ahead_and_uses_them(qtbot):
    from explorer.descent.contour import ContourView

    m = DescentModel()
    view = ContourView(m)
    qtbot.addWidget(view)
    shown = set(m.trajectories)
    assert shown and shown == set(view.trails)
    qtbot.waitUntil(lambda: set(view._spare) == set(optimizers.METHODS) - shown)
    ahead = {k: view._spare[k] for k in view._spare}
    m.set_methods(list(optimizers.METHODS))
    for key, (line, ball) in ahead.items():
        if key in m.trajectories:
            assert view.trails[key] is line and view.balls[key] is ball
            assert len(line.getData()[0]) == len(m.trajectories[key].v)
    assert not view._spare or set(view._spare) <= set(optimizers.METHODS) - set(m.trajectories)
