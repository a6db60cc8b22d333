"""How long the drawing pad takes to answer one drawing (the goal: well under 10 ms).

    python bench/bench_predict.py [--repeat N]

Prints the median (and 90th percentile) of N runs of each step, for a handwritten-style
"3" of two arcs drawn on the pad:

* rasterise: the canvas draws its strokes into a 280x280 array (QPainter);
* preprocess: engine.digits.to_mnist, the 280x280 drawing -> the 28x28 input, its
              strokes made as wide as MNIST's (as the pad does);
* forward:    the shipped network's feedforward of that one input;
* pipeline:   the three together, what happens for one live update;
* panel:      DrawingPanel.predict(), the pipeline plus handing the results to the views
              (the repaint that follows is Qt's and not counted).

Runs without a display (Qt's offscreen platform) unless one is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int):
    fn()                                    # warm up caches and lazy imports
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import numpy as np
    from PySide6.QtCore import QPointF

    from engine import digits
    from explorer.app import make_application
    from explorer.drawing.canvas import Stroke
    from explorer.drawing.panel import DrawingPanel
    from explorer.session import Session

    make_application()
    session = Session()
    if session.model is None:
        print(f"error: {session.model_error}", file=sys.stderr)
        return 1
    net = session.model
    panel = DrawingPanel(session)
    panel.resize(1200, 640)

    def arc(cx, cy, rx, ry, a0, a1, n=24):
        t = np.radians(np.linspace(a0, a1, n))
        return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in t]

    canvas = panel.canvas
    points = arc(135, 103, 45, 38, 205, 450) + arc(135, 172, 52, 42, -90, 145)
    stroke = Stroke(canvas.pen_width, QPointF(*points[0]))
    for p in points[1:]:
        stroke.add(QPointF(*p))
    canvas.strokes.append(stroke)

    drawing = canvas.render_array()
    width = digits.MNIST_STROKE_WIDTH
    x = digits.to_mnist(drawing, stroke_width=width)

    def pipeline():
        return net.feedforward(digits.to_mnist(canvas.render_array(), stroke_width=width))

    def render_fresh():
        stroke.forget_path()                # as while drawing: the path is rebuilt
        return canvas.render_array()

    rows = [
        ("rasterise (QPainter, 280x280)", render_fresh),
        ("preprocess (to_mnist, 280x280 -> 28x28)",
         lambda: digits.to_mnist(drawing, stroke_width=width)),
        (f"forward ({'-'.join(map(str, net.sizes))}, one input)", lambda: net.feedforward(x)),
        ("pipeline (rasterise + preprocess + forward)", pipeline),
        ("panel.predict() (pipeline + views' data)", panel.predict),
    ]
    print(f"one drawing, {args.repeat} runs each; model {net.describe()}; "
          f"answer {int(np.argmax(pipeline()))}")
    print(f"{'step':46s} {'median ms':>10s} {'p90 ms':>8s}")
    for name, fn in rows:
        med, p90 = timed(fn, args.repeat)
        print(f"{name:46s} {med:10.3f} {p90:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
