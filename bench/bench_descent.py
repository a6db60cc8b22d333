"""How fast is the descent panel? Prints medians (ms) of:

  - evaluating a 200x200 surface (named, and a typed formula with its gradient),
  - building the contour map (level lines + image) and the 3-D mesh for it, and showing them,
  - recomputing and redrawing the trails after an eta change (3 rules x 150 steps, and
    all 8 rules x 500 steps),
  - the GUI thread's longest stall at the largest settings (5,000 steps, every rule ticked,
    noise on, the most deeply nested formula the limits let through): the longest gap
    between ticks of a 10 ms QTimer while the eta slider is dragged through many values,
    and while the panel starts with those settings saved; and how long that start takes
    (the trails are computed on a worker thread; the goal is no stall over 50 ms and a
    start under 2 s).

    .venv/bin/python bench/bench_descent.py --stall-only     # just the last part

Run under a display (the 3-D part needs OpenGL):
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python bench/bench_descent.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from stall import GapMeter  # noqa: E402

REPEATS = 7


def median_ms(fn, repeats=REPEATS, setup=None):
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)


def line(name, result):
    med, best = result
    print(f"  {name:<58s} {med:8.2f} ms  (best {best:.2f})")


def nested_formula() -> str:
    """The most deeply nested formula of this family that the formula limits accept."""
    from engine.formula import FormulaError, parse_formula

    best = None
    for n in range(4, 40):
        f = "x"
        for i in range(n):
            f = f"sin({f} + y)" if i % 2 else f"cos({f} * y)"
        text = f"x**2 + y**2 + {f}"
        try:
            parse_formula(text)
        except FormulaError:
            break
        best = text
    return best


def measured(meter: GapMeter):
    """Stop ``meter``; its longest gap and 99th percentile (ms), the last tick to now
    counted."""
    meter.stop(count_last=True)
    return meter.longest(), float(np.percentile(meter.gaps, 99))


def stall(app) -> None:
    from PySide6.QtCore import QTimer

    from engine import optimizers
    from explorer.descent.panel import DescentPanel

    formula = nested_formula()
    print(f"GUI thread at the largest settings: 5,000 steps, all rules, noise 1.0, formula of "
          f"{len(formula)} characters")
    state = {"dim": 2, "function": "formula", "formula2": formula, "range": 3.0,
             "start": [1.0, 0.8], "methods": list(optimizers.METHODS), "primary": "gd",
             "eta": 0.01, "steps": 5000, "noise": 1.0, "seed": 3}

    turns = []          # how long each processEvents() took: the window's own work

    def pump(seconds, until=None):
        end = time.perf_counter() + seconds
        while time.perf_counter() < end and not (until and until()):
            t = time.perf_counter()
            app.processEvents()
            turns.append((time.perf_counter() - t) * 1000)
            time.sleep(0.001)

    def own_work() -> str:
        """The longest single turn of the event loop since the last call: the window's
        own work in one piece (a gap longer than it was spent waiting for the CPU)."""
        longest = max(turns, default=0.0)
        turns.clear()
        return f"longest event-loop turn {longest:.0f} ms"

    meter = GapMeter()
    # the machine is shared: how long does the GUI thread wait with nothing to do?
    meter.start()
    pump(4)
    idle_longest, idle_p99 = measured(meter)
    print(f"  baseline, nothing computing, 4 s: longest gap {idle_longest:.0f} ms, "
          f"99th percentile {idle_p99:.0f} ms (load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores)")
    t0 = time.perf_counter()
    panel = DescentPanel(None)
    panel.resize(1400, 860)
    notes = panel.apply_settings(state)
    panel.show()
    app.processEvents()
    shown = time.perf_counter() - t0
    meter.start()           # from the window's first paint on
    turns.clear()
    m = panel.model
    pump(30, lambda: m.trajectories and m.partial or not m.busy)
    first = time.perf_counter() - t0
    pump(120, lambda: not m.busy)
    full = time.perf_counter() - t0
    longest, median = measured(meter)
    assert not notes, notes
    print(f"  start with those settings saved: window up in {shown * 1000:.0f} ms, first "
          f"steps shown at {first * 1000:.0f} ms, all trails at {full:.1f} s")
    print(f"  (the panel's constructor, apply_settings and first paint: {shown * 1000:.0f} ms, "
          f"before the window is up; no trail is computed in them)")
    print(f"  10 ms timer from then until all trails are in: longest gap {longest:.0f} ms, "
          f"99th percentile {median:.0f} ms; {own_work()}")

    # drag the eta slider through 60 positions, one every 25 ms
    slider = panel.controls.eta_slider
    positions = iter(range(slider.value(), slider.value() + 300, 5))
    drag = QTimer()
    drag.setInterval(25)
    done = {"moves": 0}

    def move():
        try:
            slider.setValue(next(positions))
            done["moves"] += 1
        except StopIteration:
            drag.stop()
    drag.timeout.connect(move)
    worker = panel.worker
    computed, abandoned = worker.computed, worker.abandoned
    meter.start()
    t0 = time.perf_counter()
    turns.clear()
    drag.start()
    pump(10, lambda: not drag.isActive())
    dragged = time.perf_counter() - t0
    longest_drag, median_drag = measured(meter)
    drag_work = own_work()
    meter.start()
    pump(120, lambda: not m.busy and not panel.controls._eta_timer.isActive())
    settle = time.perf_counter() - t0
    longest_after, median_after = measured(meter)
    print(f"  dragging eta through {done['moves']} positions in {dragged:.1f} s: longest gap "
          f"{longest_drag:.0f} ms (99th percentile {median_drag:.0f} ms; {drag_work}); then "
          f"until the last eta's trails are in ({settle:.1f} s after the drag began): longest "
          f"gap {longest_after:.0f} ms (99th percentile {median_after:.0f} ms; {own_work()})")
    print(f"  worker: {worker.computed - computed} computation(s) finished, "
          f"{worker.abandoned - abandoned} abandoned as stale")
    panel.shutdown()
    panel.close()


def main() -> int:
    if "--stall-only" in sys.argv:
        from explorer.app import make_application
        stall(make_application())
        return 0
    from engine import optimizers
    from engine.formula import parse_formula
    from engine.surfaces import SURFACES, contour_levels, contour_segments

    print(f"descent panel benchmark: median of {REPEATS} runs")
    print("engine (no Qt):")
    ros = SURFACES["rosenbrock"]
    line("Rosenbrock 200x200 values", median_ms(lambda: ros.grid(200)))
    formula_text = "x**2 + 3*y**2 + sin(3*x)*cos(2*y) + exp(-(x**2+y**2))"
    line("parse + differentiate a formula (grad + Hessian)",
         median_ms(lambda: parse_formula(formula_text)))
    f = parse_formula(formula_text)
    line("formula 200x200 values", median_ms(lambda: f.grid(200)))
    xs = np.linspace(-3, 3, 200)
    line("formula 200x200 gradient", median_ms(lambda: f.gradient(xs[:, None], xs[None, :])))
    (ax, ay), z = ros.grid(200)
    levels = contour_levels(z, 14)
    line("level lines: 14 levels on 200x200", median_ms(
        lambda: contour_segments(ax, ay, z, levels)))
    him = SURFACES["himmelblau"]
    s3 = optimizers.Settings(eta=0.01, steps=150)
    line("3 rules x 150 steps (run)", median_ms(
        lambda: optimizers.run_all(him, him.start, ["gd", "momentum", "adam"], s3)))
    s8 = optimizers.Settings(eta=0.01, steps=500)
    line("8 rules x 500 steps (run)", median_ms(
        lambda: optimizers.run_all(him, him.start, list(optimizers.METHODS), s8)))

    from explorer.app import make_application
    app = make_application()
    from explorer import gl_check
    from explorer.descent.panel import DescentPanel

    panel = DescentPanel(None)
    panel.resize(1400, 860)
    panel.show()
    for _ in range(20):
        app.processEvents()
    m = panel.model
    gl_ok = panel.view3d is not None
    print(f"Qt views (OpenGL: {'yes' if gl_ok else 'no - ' + gl_check.opengl_available()[1]}):")

    def paint_3d():
        # The 3-D view is a QOpenGLWindow: grabFramebuffer() renders it now (paintGL into
        # its framebuffer) and reads the picture back, so this slightly over-counts.
        panel.view3d.grabFramebuffer()

    def paint():
        panel.contour.viewport().repaint()
        if gl_ok:
            paint_3d()
        app.processEvents()

    keys = ["rosenbrock", "himmelblau"]
    state = {"i": 0}

    def switch():
        state["i"] += 1
        m.set_function(keys[state["i"] % 2])

    line("switch surface: grid + colours + levels + all views + paint",
         median_ms(lambda: (switch(), paint())))
    m._compute_grid()
    line("  of which model grid, colours and levels", median_ms(m._compute_grid))
    line("  of which contour map rebuild (image + level lines)",
         median_ms(panel.contour.rebuild_surface))
    if gl_ok:
        line("  of which 3-D mesh rebuild (setData, normals)",
             median_ms(panel.view3d.rebuild_surface))
        line("  of which 3-D paint (software GL, with read-back)",
             median_ms(lambda: (paint_3d(), app.processEvents())))

    etas = iter(np.geomspace(0.001, 0.02, 1000))
    line("eta change, 3 rules x 150 steps: worker + redraw + paint",
         median_ms(lambda: (m.set_settings(eta=float(next(etas))), m.wait(), paint())))
    m.set_methods(list(optimizers.METHODS))
    m.set_settings(steps=500)
    m.wait()
    line("eta change, 8 rules x 500 steps: worker + redraw + paint",
         median_ms(lambda: (m.set_settings(eta=float(next(etas))), m.wait(), paint())))
    line("  of which recompute only (8 x 500, on the worker)",
         median_ms(lambda: (m.recompute(to_end=True), m.wait())))
    line("one animation step (all views + readout + paint)",
         median_ms(lambda: (m.set_step((m.step + 1) % m.max_step()), paint())))
    panel.shutdown()
    panel.close()
    stall(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
