"""Formulas typeset by matplotlib's mathtext, as PNG bytes (no Qt here).

``render_png(tex)`` draws one formula; ``FormulaCache`` keeps each picture once drawn.
Importing matplotlib and building mathtext's parser takes about 2 s, and each formula
25-100 ms more, much of it in C code that holds Python's GIL for up to 130 ms at a time.
So the window does not draw them itself: ``serve()`` (run as ``python mathtext.py``, a
file that needs nothing of the project) reads requests on stdin and answers on stdout,
one JSON line each, and ``explorer.tour.formula_view`` runs it as a child process.

Without matplotlib (an old environment) ``available()`` is False and the dock keeps the
Unicode text.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import os
import sys
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

    def put(self, tex: str, size: float, dpi: int, png: bytes) -> None:
        with self._lock:
            self._pngs[(tex, size, dpi)] = png

    def render(self, tex: str, size: float, dpi: int) -> bytes:
        png = self.get(tex, size, dpi)
        if png is None:
            png = render_png(tex, size, dpi)
            with self._lock:
                self._pngs[(tex, size, dpi)] = png
        return png


def serve(stdin=None, stdout=None) -> None:
    """Answer requests until stdin closes: each line ``[tex, size, dpi]`` (JSON) gets one
    line ``{"tex", "size", "dpi", "png"}`` with the PNG in base64, or ``{"tex", "size",
    "dpi", "error"}`` if it cannot be drawn."""
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    for line in stdin:
        reply = {"tex": None, "size": None, "dpi": None}
        try:
            tex, size, dpi = json.loads(line)
            reply.update(tex=tex, size=size, dpi=dpi)
            reply["png"] = base64.b64encode(render_png(str(tex), float(size),
                                                       int(dpi))).decode("ascii")
        except Exception as exc:           # a bad request or formula: say so, go on
            reply["error"] = f"{type(exc).__name__}: {exc}"
        stdout.write(json.dumps(reply) + "\n")
        stdout.flush()


if __name__ == "__main__":
    try:
        os.nice(10)         # the window the formulas are for comes first
    except (AttributeError, OSError):
        pass
    serve()
