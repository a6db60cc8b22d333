"""How the Real network panel keeps the window's thread free while a job runs: the job
waits after each progress signal until the window has handled it (``JobWorker``'s
handoff), and plots changed together repaint one per turn (``paint_in_turns``)."""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from explorer import paint_turns
from explorer.network.worker import JobWorker
from explorer.paint_turns import paint_in_turns, painting


def test_job_waits_until_the_window_has_handled_each_progress_signal(qtbot):
    worker = JobWorker("test", interval=0.0, handoff=5.0)
    resumed, handled = [], []

    def job():
        for k in range(4):
            resumed.append(time.perf_counter())
            yield k

    def slow_slot(tag, snap):
        time.sleep(0.05)                       # a redraw on the window's thread
        handled.append(time.perf_counter())

    worker.progress.connect(slow_slot)
    got = []
    worker.finished.connect(lambda tag, snap: got.append(snap))
    assert worker.start("t", job)
    qtbot.waitUntil(lambda: bool(got), timeout=10_000)
    assert got == [3]
    assert len(handled) == 4
    # every snapshot after the first was made only once the window had handled the last
    for k in range(1, 4):
        assert resumed[k] > handled[k - 1], (k, resumed, handled)


def test_handoff_gives_up_when_the_window_does_not_answer(qtbot):
    worker = JobWorker("test", interval=0.0, handoff=0.05)
    worker.start("t", lambda: iter(range(5)))
    t0 = time.perf_counter()
    assert worker.wait(10.0)                   # no event loop running meanwhile
    assert 0.2 <= time.perf_counter() - t0 < 5.0     # five waits of 50 ms, not forever
    QApplication.processEvents()


def test_plots_changed_together_paint_one_per_turn(qtbot):
    plots = []
    for _ in range(3):
        w = pg.PlotWidget()
        w.resize(500, 300)
        w.plotItem.plot([0, 1, 2], [1, 0, 2])
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        plots.append(w)
    painted = []
    for i, w in enumerate(plots):
        original = w.paintEvent

        def record(event, i=i, original=original):
            t0 = time.perf_counter()
            original(event)
            painted.append((i, t0, time.perf_counter()))
        w.paintEvent = record
    QApplication.processEvents()
    painted.clear()
    for w in plots:
        w.plotItem.plot([0, 1, 2], [2, 1, 0])
    paint_in_turns(*plots)
    assert painting()
    assert not any(w.updatesEnabled() for w in plots)     # held until their turn
    qtbot.waitUntil(lambda: not painting(), timeout=5_000)
    QApplication.processEvents()
    assert all(w.updatesEnabled() for w in plots)
    firsts = {}
    for i, start, end in painted:
        firsts.setdefault(i, (start, end))
    assert sorted(firsts) == [0, 1, 2]
    # in order, each starting a turn after the one before ended
    for i in (1, 2):
        assert firsts[i][0] - firsts[i - 1][1] >= 0.5 * paint_turns.TURN_MS / 1000, painted
