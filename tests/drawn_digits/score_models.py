"""Scores models on the drawn-digit set, as the drawing pad sees it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/drawn_digits/score_models.py \\
        resources/model-784-100-10.npz resources/model-784-500-300-10.npz [--runner-up] [--plain]

Each digit is drawn once on the real drawing pad (mouse events), and the pad's picture
(``canvas.render_array()``) is kept; every model then reads the pad's own input for it
(``engine.digits.to_mnist`` with the strokes made as wide as MNIST's, as
``DrawingPanel.network_input`` does). Prints accuracy overall, per digit and per style,
side by side; ``--runner-up`` adds the figures behind ``engine.digits.runner_up``'s
thresholds; ``--plain`` adds each model's figures for the drawing as it was drawn (no
``engine.digits.normalize_width``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def pad_pictures(samples) -> np.ndarray:
    """(n, 280, 280) uint8: each sample as the pad drew it."""
    from drawn_digits.drawn_set import draw_on_pad
    from PySide6.QtWidgets import QApplication

    from explorer.drawing.panel import DrawingPanel
    from explorer.session import Session
    app = QApplication.instance() or QApplication([])
    panel = DrawingPanel(Session())
    panel.resize(1200, 640)
    panel.show()
    app.processEvents()
    pics = []
    for s in samples:
        draw_on_pad(panel, s)
        pics.append(np.round(255 * panel.canvas.render_array()).astype(np.uint8))
    panel.close()
    return np.stack(pics)


def table(samples, results: dict) -> str:
    from drawn_digits.drawn_set import scores
    sc = {name: scores(samples, out) for name, out in results.items()}
    names = list(results)
    lines = ["| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]

    def row(label, get):
        lines.append(f"| {label} | " + " | ".join(f"{100 * get(sc[n]):.1f}%" for n in names)
                     + " |")
    row("overall", lambda s: s["overall"])
    for d in range(10):
        row(f"digit {d}", lambda s, d=d: s["digit"][d])
    for st in sc[names[0]]["style"]:
        row(f"style {st}", lambda s, st=st: s["style"][st])
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--runner-up", action="store_true")
    ap.add_argument("--plain", action="store_true")
    args = ap.parse_args(argv)
    from drawn_digits.drawn_set import load_samples

    from engine import digits, model_io
    samples = load_samples()
    pics = pad_pictures(samples)
    width = digits.MNIST_STROKE_WIDTH
    inputs = np.stack([digits.to_mnist(p, stroke_width=width) for p in pics])
    plain = np.stack([digits.to_mnist(p) for p in pics]) if args.plain else None
    results = {}
    for path in args.models:
        net = model_io.load(path)
        results[Path(path).stem] = net.feedforward(inputs)
        if plain is not None:
            results[Path(path).stem + " plain"] = net.feedforward(plain)
    print(table(samples, results))
    if args.runner_up:
        labels = np.array([s["digit"] for s in samples])
        for name, out in results.items():
            share = out / out.sum(axis=1, keepdims=True)
            order = np.argsort(-share, axis=1)
            first, second = order[:, 0], order[:, 1]
            top = share[np.arange(len(out)), first]
            nxt = share[np.arange(len(out)), second]
            right = first == labels
            shown = np.array([digits.runner_up(o) is not None for o in out])
            print(f"\n{name}: {right.sum()} right, {(~right).sum()} wrong")
            print(f"  top share: right median {np.median(top[right]):.3f}, 5th pct "
                  f"{np.percentile(top[right], 5):.3f}; wrong: {np.round(np.sort(top[~right]), 2)}")
            print(f"  second/top: right 95th pct {np.percentile((nxt / top)[right], 95):.3f}; "
                  f"wrong: {np.round(np.sort((nxt / top)[~right]), 2)}")
            print(f"  wrong answers whose runner-up is the right digit: "
                  f"{(second[~right] == labels[~right]).sum()} of {(~right).sum()}")
            print(f"  runner_up() shown: on {shown[right].sum()} of {right.sum()} right "
                  f"answers ({100 * shown[right].mean():.1f}%), on {shown[~right].sum()} of "
                  f"{(~right).sum()} wrong ones; of those the runner-up is right for "
                  f"{(shown & ~right & (second == labels)).sum()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
