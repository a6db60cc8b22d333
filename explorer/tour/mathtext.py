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
    as a PNG, dark ink on white, ``size`` points at ``dpi`` dots per inch.
    Raises ValueError for text mathtext cannot parse."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import math_to_image

    buf = io.BytesIO()
    with _LOCK, matplotlib.rc_context({"mathtext.fontset": "cm"}):
        math_to_image(tex, buf, prop=FontProperties(size=size), dpi=dpi, format="png",
                      color=colour)
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
