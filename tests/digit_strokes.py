"""Hand-made digit strokes on a 280x280 pad, shared by the engine and the pad tests."""

from __future__ import annotations

import numpy as np


def arc(cx, cy, rx, ry, a0, a1, n=24):
    """Points on an ellipse from angle a0 to a1 (degrees; y points down, so 90 is the bottom)."""
    t = np.radians(np.linspace(a0, a1, n))
    return [(float(cx + rx * np.cos(a)), float(cy + ry * np.sin(a))) for a in t]


# Handwritten-style stroke paths for the ten digits on a 280x280 pad (x right, y down),
# drawn the way a person would: a 1 with a small flag, a 7 as a bar and a diagonal,
# a 4 in two strokes, an 8 as two loops. The GUI test draws these with the mouse.
DIGIT_STROKES = {
    0: [arc(140, 140, 52, 80, -100, 265, 40)],
    1: [[(118, 100), (150, 66), (150, 140), (150, 214)]],
    2: [arc(140, 112, 48, 45, 195, 385, 24)[:-4]
        + [(160, 145), (125, 180), (90, 212), (140, 212), (198, 212)]],
    3: [arc(135, 103, 45, 38, 205, 450, 24) + arc(135, 172, 52, 42, -90, 145, 24)],
    4: [[(120, 62), (98, 150), (200, 150)], [(172, 80), (172, 218)]],
    5: [[(188, 66), (112, 66), (106, 128)] + arc(142, 168, 52, 46, -130, 150, 24)[1:]],
    6: [[(178, 64), (140, 84), (110, 120), (96, 165)] + arc(140, 172, 45, 42, 180, 540, 30)],
    7: [[(88, 70), (196, 70), (160, 130), (126, 214)]],
    8: [arc(140, 102, 42, 36, 0, 360, 30), arc(140, 172, 50, 42, -90, 270, 30)],
    9: [arc(140, 104, 44, 38, 0, 360, 30), [(184, 104), (178, 160), (170, 218)]],
}
