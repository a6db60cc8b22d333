"""How fast is the descent panel? Prints medians (ms) of:

  - evaluating a 200x200 surface (named, and a typed formula with its gradient),
  - building the contour map (level lines + image) and the 3-D mesh for it, and showing them,
  - recomputing and redrawing the trails after an eta change (3 rules x 150 steps, and
    all 8 rules x 500 steps).

Run under a display (the 3-D part needs OpenGL):
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python bench/bench_descent.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

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


def main() -> int:
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
    line("eta change, 3 rules x 150 steps: recompute + redraw + paint",
         median_ms(lambda: (m.set_settings(eta=float(next(etas))), paint())))
    m.set_methods(list(optimizers.METHODS))
    m.set_settings(steps=500)
    line("eta change, 8 rules x 500 steps: recompute + redraw + paint",
         median_ms(lambda: (m.set_settings(eta=float(next(etas))), paint())))
    line("  of which recompute only (8 x 500)",
         median_ms(lambda: m.recompute(to_end=True)))
    line("one animation step (all views + readout + paint)",
         median_ms(lambda: (m.set_step((m.step + 1) % m.max_step()), paint())))
    panel.shutdown()
    panel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
