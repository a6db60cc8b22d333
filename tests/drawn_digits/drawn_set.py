"""The drawn-digit test set (``drawn_digits.json``), drawn on the real drawing pad.

``load_samples()`` reads the set; ``draw_on_pad(panel, sample)`` clears the pad and
draws one sample's strokes with real mouse events (press, one move per stored point,
release) at the sample's pen width; ``read_all(panel, samples)`` does that for every
sample and returns the pad's ten outputs for each; ``scores(...)`` tallies accuracy
overall, per digit and per style.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

DATA = Path(__file__).resolve().parent / "drawn_digits.json"


def load_samples(path=DATA) -> list:
    return json.loads(Path(path).read_text())["samples"]


def draw_on_pad(panel, sample) -> None:
    canvas = panel.canvas
    canvas.clear()
    canvas.set_pen_width(sample["pen"])
    for stroke in sample["strokes"]:
        pts = [canvas.pad_to_widget(QPointF(x, y)).toPoint() for x, y in stroke]
        QTest.mousePress(canvas, Qt.LeftButton, Qt.NoModifier, pts[0])
        last = pts[0]
        for p in pts[1:]:
            if p != last:
                QTest.mouseMove(canvas, QPoint(p))
                last = p
        QTest.mouseRelease(canvas, Qt.LeftButton, Qt.NoModifier, pts[-1])


def read_all(panel, samples) -> np.ndarray:
    """(n, 10) outputs of the pad's model for each sample drawn on the pad (NaN where
    the pad gave no answer)."""
    out = np.full((len(samples), 10), np.nan)
    for i, s in enumerate(samples):
        draw_on_pad(panel, s)
        if panel.outputs is not None:
            out[i] = panel.outputs
    panel.canvas.clear()
    return out


def scores(samples, outputs) -> dict:
    """{"overall": acc, "digit": {d: acc}, "style": {s: acc}, "wrong": [(i, true, guess)]}."""
    guess = np.where(np.isnan(outputs).any(axis=1), -1, np.nan_to_num(outputs).argmax(axis=1))
    right = defaultdict(list)
    wrong = []
    for i, (s, g) in enumerate(zip(samples, guess)):
        ok = int(g) == s["digit"]
        right[("digit", s["digit"])].append(ok)
        right[("style", s["style"])].append(ok)
        if not ok:
            wrong.append((i, s["digit"], int(g)))
    acc = {k: float(np.mean(v)) for k, v in right.items()}
    return {"overall": float(np.mean(guess == [s["digit"] for s in samples])),
            "digit": {d: acc[("digit", d)] for d in range(10) if ("digit", d) in acc},
            "style": {k[1]: v for k, v in acc.items() if k[0] == "style"},
            "wrong": wrong}
