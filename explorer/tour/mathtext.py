"""Formulas typeset by matplotlib's mathtext, as PNG bytes (no Qt here).

``render_png(tex)`` draws one formula; ``FormulaCache`` keeps each picture once drawn.
matplotlib is imported on first use: importing it and building mathtext's parser takes
about 1.5 s the first time, so the dock draws the formulas in a worker thread (see
``explorer.tour.formula_view``) and shows each formula's Unicode text until its picture
is there. Later formulas take 25-100 ms each.

Without matplotlib (an old environment) ``available()`` is False and the dock keeps the
Unicode text.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from typing import Dict, Optional, Tuple

_LOCK = threading.Lock()            # mathtext's parser is not meant for two threads


def available() -> bool:
    """Whether matplotlib is installed (found without importing it: that takes 0.7 s)."""
    return importlib.util.find_spec("matplotlib") is not None


def render_png(tex: str, size: float = 15.0, dpi: int = 100, colour: str = "#111111") -> bytes:
    """The formula ``tex`` (mathtext, e.g. ``r"$\\Delta C \\approx \\nabla C\\cdot\\Delta v$"``)
    as a PNG, dark ink on white, ``size`` points at ``dpi`` dots per inch. Lines
    separated by a newline are set one under the other, centred. Raises ValueError for
    text mathtext cannot parse."""
    lines = [_line_png(line, size, dpi, colour) for line in tex.split("\n") if line.strip()]
    if len(lines) == 1:
        return lines[0]
    import numpy as np
    from matplotlib import image

    pictures = [image.imread(io.BytesIO(png), format="png") for png in lines]
    width = max(p.shape[1] for p in pictures)
    rows = []
    for p in pictures:
        left = (width - p.shape[1]) // 2
        rows.append(np.pad(p, ((0, 0), (left, width - p.shape[1] - left), (0, 0)),
                           constant_values=1.0))
    buf = io.BytesIO()
    image.imsave(buf, np.concatenate(rows, axis=0), format="png")
    return buf.getvalue()


def _line_png(tex: str, size: float, dpi: int, colour: str) -> bytes:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    buf = io.BytesIO()
    with _LOCK, matplotlib.rc_context({"mathtext.fontset": "cm"}):
        fig = Figure(figsize=(0.1, 0.1))
        fig.text(0, 0, tex, fontproperties=FontProperties(size=size), color=colour)
        # the tight box of the ink, with a margin so no stroke touches the edge
        fig.savefig(buf, dpi=dpi, format="png", bbox_inches="tight", pad_inches=0.05,
                    facecolor="white")
    return buf.getvalue()


class FormulaCache:
    """PNG bytes of each (formula, size, dpi) once drawn; safe to fill from one thread
    and read from another."""

    def __init__(self):
        self._pngs: Dict[Tuple[str, float, int], bytes] = {}
        self._lock = threading.Lock()

    def get(self, tex: str, size: float, dpi: int) -> Optional[bytes]:
        with self._lock:
            return self._pngs.get((tex, size, dpi))

    def render(self, tex: str, size: float, dpi: int) -> bytes:
        png = self.get(tex, size, dpi)
        if png is None:
            png = render_png(tex, size, dpi)
            with self._lock:
                self._pngs[(tex, size, dpi)] = png
        return png
