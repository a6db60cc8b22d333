"""``explorer.paint_turns``: work and repaints queued to run one per turn of the event
loop, in order, the first one only after the work that queued them has ended."""

from __future__ import annotations

import time

import pyqtgraph as pg

from explorer import paint_turns
from explorer.paint_turns import forget, paint_in_turns, painting, waiting


def test_callables_run_in_order_each_in_its_own_turn_after_the_current_work(qtbot):
    ran = []
    first, second = (lambda: ran.append(("a", time.perf_counter()))), \
        (lambda: ran.append(("b", time.perf_counter())))
    paint_in_turns(first, second, first)          # a repeat keeps its first place
    assert waiting(first) and waiting(second) and painting()
    queued_end = time.perf_counter() + 0.06
    while time.perf_counter() < queued_end:        # the work that queued them goes on
        pass
    qtbot.waitUntil(lambda: not painting(), timeout=5_000)
    assert [name for name, _ in ran] == ["a", "b"]
    turn = paint_turns.TURN_MS / 1000
    # not as soon as the queueing work ends (a timer started at queueing time would be
    # due by then and run in the same turn), and a turn apart
    assert ran[0][1] - queued_end >= 0.5 * turn
    assert ran[1][1] - ran[0][1] >= 0.5 * turn


def test_forget_takes_work_out_and_gives_a_view_its_painting_back(qtbot):
    ran = []
    job = lambda: ran.append(1)                   # noqa: E731
    w = pg.PlotWidget()
    qtbot.addWidget(w)
    paint_in_turns(job, w)
    assert not w.updatesEnabled()
    forget(job)
    forget(w)
    assert not waiting(job) and not waiting(w) and w.updatesEnabled()
    qtbot.wait(5 * paint_turns.TURN_MS)
    assert ran == [] and not painting()


def test_a_failing_callable_does_not_stop_the_others(qtbot, capsys):
    ran = []

    def broken():
        raise RuntimeError("Internal C++ object already deleted.")

    with qtbot.capture_exceptions() as caught:
        paint_in_turns(broken, lambda: ran.append("after"))
        qtbot.waitUntil(lambda: not painting(), timeout=5_000)
    assert ran == ["after"]
    assert len(caught) == 1 and "already deleted" in str(caught[0][1])
