"""The descent panel's long trails (every rule, thousands of steps) reach the window in
pieces: the cost plot is set in a turn of its own, and the plots repaint one per turn
(``explorer.paint_turns``), so no single turn of the window's thread does it all."""

from __future__ import annotations

import time

from engine import optimizers
from explorer import paint_turns
from explorer.paint_turns import painting


def _record_paints(widget, log, name):
    original = widget.paintEvent

    def record(event):
        t0 = time.perf_counter()
        original(event)
        log.append((name, t0, time.perf_counter()))
    widget.paintEvent = record


def test_long_trails_for_every_rule_paint_one_plot_per_turn(panel, qtbot):
    painted = []
    _record_paints(panel.contour, painted, "contour")
    _record_paints(panel.cost_plot, painted, "cost")
    m = panel.model
    m.set_methods(list(optimizers.METHODS))
    arrived = []

    def full_trails_in():
        if not arrived and all(t.steps == 1500 for t in m.trajectories.values()):
            arrived.append(time.perf_counter())
            painted.clear()                 # from here on: the paints the full trails make
    m.trajectories_changed.connect(full_trails_in)
    m.set_settings(steps=1500, noise=0.5)
    assert m.wait(60)
    qtbot.waitUntil(lambda: bool(arrived) and not painting() and not panel.cost_plot.pending,
                    timeout=10_000)
    qtbot.wait(50)
    assert len(m.trajectories) == len(optimizers.METHODS)
    assert all(panel.cost_plot.curves[k].getData()[0][-1] == 1500 for k in m.trajectories)
    firsts = {}
    for name, start, end in painted:
        firsts.setdefault(name, (start, end))
    assert set(firsts) == {"contour", "cost"}, painted
    (c0, c1), (p0, p1) = firsts["contour"], firsts["cost"]
    # never in the same piece of work: one ends a turn before the other starts
    gap = p0 - c1 if p0 > c0 else c0 - p1
    assert gap >= 0.5 * paint_turns.TURN_MS / 1000, painted


def test_the_panels_first_paint_is_spread_over_turns_too(no_gl, qtbot):
    from explorer.descent.panel import DescentPanel

    panel = DescentPanel(session=None)
    qtbot.addWidget(panel)
    panel.resize(1400, 860)
    painted = []
    _record_paints(panel.contour, painted, "contour")
    _record_paints(panel.cost_plot, painted, "cost")
    panel.show()
    assert not panel.contour.updatesEnabled()        # held back for its own turn
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: not painting(), timeout=5_000)
    qtbot.wait(50)
    firsts = {}
    for name, start, end in painted:
        firsts.setdefault(name, (start, end))
    assert set(firsts) == {"contour", "cost"}, painted
    contour_end, cost_start = firsts["contour"][1], firsts["cost"][0]
    assert cost_start - contour_end >= 0.5 * paint_turns.TURN_MS / 1000, painted     # in that order
    panel.shutdown()


def test_the_3d_view_holds_its_frames_back_until_its_turn(with_gl, make_panel, qtbot):
    panel = make_panel()
    view = panel.view3d
    assert view is not None
    qtbot.waitUntil(lambda: not painting(), timeout=5_000)
    frames = []
    view.frameSwapped.connect(lambda: frames.append(time.perf_counter()))
    qtbot.wait(100)
    frames.clear()
    paint_turns.paint_in_turns(lambda: time.sleep(0.15), view)   # long work first
    view.update()                                   # held: no frame now ...
    qtbot.wait(60)
    assert frames == [] and view._owed
    qtbot.waitUntil(lambda: not painting() and bool(frames), timeout=5_000)   # ... but in its turn
    assert not view._held
    panel.shutdown()
