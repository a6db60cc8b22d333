"""How well did the linear prediction dC ~ grad C . dv hold? One rule for every panel.

Chapter 1 of the book rests on one approximation: for a small step dv,

    dC ~ grad C . dv,

and choosing dv = -eta grad C makes dC ~ -eta ||grad C||^2 <= 0, so C falls. Whether the
step really was small enough shows in the ratio actual/predicted of the real change of C
to that prediction. The descent panel's readout and the real network's probe
(``engine.probe``) both judge it with ``linear_verdict``, with the same thresholds and
colours:

* "good": the ratio lies within ``GOOD_RATIO`` (0.9 to 1.1): the straight-line picture
  of the cost is a good guide at this step size;
* "breaking down": C fell, but by a different amount than predicted: the surface bends
  noticeably within one step; a smaller eta keeps the prediction honest;
* "overshoot": C went up although the step was meant to go down: eta is too large for
  this slope, the step jumped past the valley floor;
* "uphill": the prediction itself was an increase. This happens with mini-batches: the
  step follows the mini-batch's gradient, which can disagree with the gradient of the
  images C is measured on; that is noise, not a step-size problem;
* "stopped": the predicted change is at rounding level, nothing is moving.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GOOD_RATIO = (0.9, 1.1)     # actual/predicted within this band: the prediction holds
ROUNDING = 1e-12            # |predicted| below this (times the cost's scale): stopped

COLOURS = {
    "good": "#1b7e1b",
    "breaking down": "#b35c00",
    "overshoot": "#b00020",
    "uphill": "#6a3d9a",
    "stopped": "#555555",
}


@dataclass(frozen=True)
class Verdict:
    """``word`` (a key of ``COLOURS``), its ``colour``, the ``ratio`` actual/predicted
    (NaN when stopped) and a one-sentence ``text`` for a learner (plain text)."""

    word: str
    colour: str
    ratio: float
    text: str


def linear_verdict(predicted: float, actual: float, scale: float = 1.0) -> Verdict:
    """Judge one step: ``predicted`` = grad C . dv, ``actual`` = C(v + dv) - C(v);
    ``scale`` is the size of C itself (for the rounding test)."""
    if not (math.isfinite(predicted) and math.isfinite(actual)):
        return Verdict("overshoot", COLOURS["overshoot"], float("nan"),
                       "The cost is no longer a finite number: eta is far too large.")
    if abs(predicted) <= ROUNDING * max(1.0, abs(scale)):
        return Verdict("stopped", COLOURS["stopped"], float("nan"),
                       "The changes are down at rounding level: the weights have stopped moving.")
    ratio = actual / predicted
    if predicted > 0:
        return Verdict("uphill", COLOURS["uphill"], ratio,
                       f"The step pointed uphill for these images (actual/predicted = {ratio:.2f}): "
                       "the mini-batch's gradient disagreed with theirs. That is noise, not eta.")
    if actual > 0:
        return Verdict("overshoot", COLOURS["overshoot"], ratio,
                       "C went up. The step overshot: eta is too large for this slope.")
    if GOOD_RATIO[0] <= ratio <= GOOD_RATIO[1]:
        return Verdict("good", COLOURS["good"], ratio,
                       f"Prediction holds (actual/predicted = {ratio:.2f}): the step is small "
                       "enough for grad C . dw to be a good guide.")
    return Verdict("breaking down", COLOURS["breaking down"], ratio,
                   f"Actual/predicted = {ratio:.2f}: the linear approximation is breaking "
                   "down; a smaller eta keeps it honest.")
