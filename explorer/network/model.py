"""The Real network panel's plain-Python state: the landscape slice as a surface the
descent panel's views can draw, and the settings of its runs.

The descent panel's ``Surface3DView`` and ``ContourView`` draw a ``DescentModel``: a grid
of costs over two variables (``axes``, ``z``, ``colour_t``, ``levels``), trails
(``trajectories``) and the events that say when these change. ``PlaneModel`` offers the
same interface for a slice of the real network's cost,

    C(a, b) = C(w0 + a d1 + b d2)       (``engine.landscape``),

with the SGD path projected onto the plane as the ball's trail (key "gd", the book's
rule, red): its start ringed, its end at the ball and marked with a cross. A click on
the views asks ``set_start``, which does nothing here: the path is what training did.

``RunSettings`` and ``LandscapeSettings`` hold the controls' values and check them
(``check``): a bad value gives a sentence, never an exception. This module imports no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from engine.optimizers import Trajectory
from engine.surfaces import contour_levels
from explorer.descent.model import TrailSteps, equalised
from explorer.events import Event

PATH_KEY = "gd"          # the descent views colour a trail by its rule: the book's SGD


@dataclass(frozen=True)
class RunSettings:
    """One training run of the panel: the book's ``eta``, ``mini_batch_size`` and
    ``epochs`` on ``subset`` training images, from a fresh 784-30-10 network (``start`` =
    "fresh") or from the pad's network ("pad"), shuffled with ``seed``."""

    eta: float = 3.0
    mini_batch_size: int = 10
    epochs: int = 1
    subset: int = 10_000
    start: str = "fresh"
    seed: int = 0

    def check(self, n_training: Optional[int] = None) -> Optional[str]:
        """None when usable, else a sentence saying what to change."""
        if not (isinstance(self.eta, (int, float)) and math.isfinite(self.eta) and self.eta > 0):
            return f"eta must be a positive number, got {self.eta!r}."
        for name, value, low in (("m", self.mini_batch_size, 1), ("epochs", self.epochs, 1),
                                 ("the training subset", self.subset, 100)):
            if int(value) != value or value < low:
                return f"{name} must be a whole number of at least {low}, got {value!r}."
        if self.start not in ("fresh", "pad"):
            return f"start must be 'fresh' or 'pad', got {self.start!r}."
        if n_training is not None and self.mini_batch_size > min(self.subset, n_training):
            return (f"m = {self.mini_batch_size} is more than the {min(self.subset, n_training):,} "
                    f"training images used.")
        return None


@dataclass(frozen=True)
class LandscapeSettings:
    """How to draw the slice: ``directions`` "pca" (the path's top two principal
    directions) or "random" (two filter-normalised random ones), ``sample`` images of
    the ``cost_on`` set ("training" or "test"), a ``points`` x ``points`` grid."""

    directions: str = "pca"
    sample: int = 2000
    cost_on: str = "training"
    points: int = 31
    seed: int = 0

    def check(self) -> Optional[str]:
        if self.directions not in ("pca", "random"):
            return f"directions must be 'pca' or 'random', got {self.directions!r}."
        if self.cost_on not in ("training", "test"):
            return f"the cost must be on 'training' or 'test' images, got {self.cost_on!r}."
        if int(self.sample) != self.sample or self.sample < 10:
            return f"the sample must be a whole number of at least 10 images, got {self.sample!r}."
        if int(self.points) != self.points or not 5 <= self.points <= 101:
            return f"the grid must have 5 to 101 points a side, got {self.points!r}."
        return None


class PlaneSurface:
    """What the descent views read of ``engine.surfaces.Surface`` for a computed grid:
    ``domain``, ``minima`` (here: where the path ended) and ``value_at`` (bilinear
    interpolation of the grid; the views use it to place the start marker)."""

    def __init__(self, a_values: np.ndarray, b_values: np.ndarray, cost: np.ndarray,
                 end: Optional[Sequence[float]] = None):
        self.a, self.b, self.cost = a_values, b_values, cost
        self.domain = ((float(a_values[0]), float(a_values[-1])),
                       (float(b_values[0]), float(b_values[-1])))
        self.minima = [] if end is None else [tuple(float(x) for x in end)]
        self.title = "C(w0 + a d1 + b d2)"
        self.has_hessian = False

    def value_at(self, v) -> float:
        a, b = float(v[0]), float(v[1])
        i = float(np.interp(a, self.a, np.arange(len(self.a))))
        j = float(np.interp(b, self.b, np.arange(len(self.b))))
        i0, j0 = min(int(i), len(self.a) - 2), min(int(j), len(self.b) - 2)
        if len(self.a) < 2 or len(self.b) < 2:
            return float(self.cost.flat[0])
        fi, fj = i - i0, j - j0
        c = self.cost
        return float((1 - fi) * (1 - fj) * c[i0, j0] + fi * (1 - fj) * c[i0 + 1, j0]
                     + (1 - fi) * fj * c[i0, j0 + 1] + fi * fj * c[i0 + 1, j0 + 1])


def path_trajectory(coords: np.ndarray, costs: np.ndarray) -> Trajectory:
    """The projected path as a descent trail: points ``coords`` (S, 2) with the plane's
    cost ``costs`` there; the steps are the differences (no gradient is drawn: the
    plane's gradient is not what SGD followed)."""
    v = np.asarray(coords, dtype=float)
    c = np.asarray(costs, dtype=float)
    dv = np.diff(v, axis=0)
    dc = np.diff(c)
    return Trajectory(PATH_KEY, v, c, np.zeros_like(v), dv, dc.copy(), dc.copy(),
                      message="the SGD path, projected onto the plane")


class PlaneModel(TrailSteps):
    """A landscape slice and the projected path, in the shape of a ``DescentModel``."""

    surface_changed = Event()
    trajectories_changed = Event()
    step_changed = Event()
    start_changed = Event()
    settings_changed = Event()
    error_changed = Event()
    busy_changed = Event()
    notice_changed = Event()

    def __init__(self):
        self.dim = 2
        self.primary = PATH_KEY
        self.methods = [PATH_KEY]
        self.trajectories: Dict[str, Trajectory] = {}
        self.step = 0
        self.busy = False
        self.partial = False
        self.error = self.notice = ""
        self.start = np.zeros(2)
        self._set_grid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5), np.zeros((5, 5)), None)

    # ------------------------------------------------------------------ grid
    def _set_grid(self, a_values, b_values, cost, end) -> None:
        a_values = np.asarray(a_values, dtype=float)
        b_values = np.asarray(b_values, dtype=float)
        z = np.array(cost, dtype=float)
        z[~np.isfinite(z)] = np.nan
        self.axes: Tuple[np.ndarray, np.ndarray] = (a_values, b_values)
        self.z = z
        self.surface = PlaneSurface(a_values, b_values, np.nan_to_num(z, nan=np.nanmax(z)
                                    if np.isfinite(z).any() else 0.0), end)
        self.colour_t = equalised(z)
        finite = z[np.isfinite(z)]
        lo = float(finite.min()) if finite.size else 0.0
        top = float(finite.max()) if finite.size else 1.0
        q90 = float(np.quantile(finite, 0.9)) if finite.size else 1.0
        # as in the descent panel: a very steep slice is cut flat above a high quantile
        hi = top if top - lo <= 4 * max(q90 - lo, 1e-12) else float(np.quantile(finite, 0.95))
        self.z_low, self.z_high = lo, (hi if hi > lo else lo + 1.0)
        self.levels = contour_levels(z, 14)

    def show(self, a_values, b_values, cost, coords: Optional[np.ndarray] = None,
             path_costs: Optional[np.ndarray] = None) -> None:
        """Show the grid ``cost[i, j]`` = C(a_values[i], b_values[j]) and, if given, the
        path's plane coordinates ``coords`` with the cost there (``path_costs``)."""
        end = None if coords is None or not len(coords) else coords[-1]
        self._set_grid(a_values, b_values, cost, end)
        if coords is not None and len(coords) >= 2:
            self.trajectories = {PATH_KEY: path_trajectory(coords, path_costs)}
            self.start = np.array(coords[0], dtype=float)
        else:
            self.trajectories = {}
            self.start = np.array([0.0, 0.0])
        self.surface_changed.emit()
        self.trajectories_changed.emit()
        self.start_changed.emit()
        self.set_step(self.max_step(), force=True)

    # ------------------------------------------------------------------ what the views ask
    def height(self, c):
        """Cost -> 0..1 for the 3-D view (clipped to the shown range)."""
        return np.clip((np.asarray(c, dtype=float) - self.z_low) / (self.z_high - self.z_low),
                       -0.05, 1.0)

    def usable(self, method: str) -> bool:
        return method == PATH_KEY

    def set_start(self, v) -> bool:
        """A click on the map: the path is what training did, so nothing moves."""
        return False

    def value_at_center(self) -> float:
        """The grid's value at (0, 0), where the plane's centre w0 is (interpolated)."""
        return self.surface.value_at((0.0, 0.0))
