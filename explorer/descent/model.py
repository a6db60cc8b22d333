"""The descent panel's state: which function, where the ball starts, which update rules,
the trajectories they trace, and which step is being shown.

The views take a ``DescentModel`` in their constructor, listen to its signals and draw;
the controls call its setters. All maths is in ``engine`` (surfaces, formula,
optimizers); this object only holds results and says when they change.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from engine import optimizers
from engine.formula import FormulaError, parse_formula
from engine.surfaces import CURVES, SURFACES, Surface, contour_levels
from explorer.events import Event

# One colour per update rule, the same in every view and the legend.
COLOURS: Dict[str, str] = {
    "gd": "#d62728",        # red: the book's rule
    "fixed": "#ff7f0e",
    "momentum": "#2ca02c",
    "nesterov": "#17becf",
    "adagrad": "#9467bd",
    "rmsprop": "#e377c2",
    "adam": "#1f3fbf",
    "newton": "#222222",
}

# Pale colours for the surface, low to high, so the coloured trails stand out.
SURFACE_STOPS = (
    (0.00, (43, 131, 186)),
    (0.30, (140, 200, 170)),
    (0.60, (240, 240, 180)),
    (0.85, (250, 190, 120)),
    (1.00, (230, 120, 90)),
)

GRID = 200
FORMULA = "formula"


def surface_colours(t: np.ndarray) -> np.ndarray:
    """RGBA floats in [0, 1] for values ``t`` in [0, 1] (NaN -> transparent grey)."""
    pos = np.array([p for p, _ in SURFACE_STOPS])
    rgb = np.array([c for _, c in SURFACE_STOPS], dtype=float) / 255.0
    tt = np.nan_to_num(np.clip(t, 0, 1), nan=0.0)
    out = np.empty(t.shape + (4,))
    for i in range(3):
        out[..., i] = np.interp(tt, pos, rgb[:, i])
    out[..., 3] = np.where(np.isfinite(t), 1.0, 0.0)
    return out


def equalised(z: np.ndarray) -> np.ndarray:
    """Each value's rank among the grid's values (0..1): colours that show the floor of
    a steep surface as well as its walls. NaN stays NaN."""
    finite = z[np.isfinite(z)]
    out = np.full(z.shape, np.nan)
    if finite.size == 0:
        return out
    qs = np.quantile(finite, np.linspace(0, 1, 65))
    qs = np.maximum.accumulate(qs)
    ok = np.isfinite(z)
    if qs[-1] == qs[0]:
        out[ok] = 0.5
    else:
        out[ok] = np.interp(z[ok], qs, np.linspace(0, 1, 65))
    return out


class DescentModel:
    """State shared by the descent panel's views and controls."""

    surface_changed = Event()           # new function or grid (views rebuild)
    trajectories_changed = Event()      # new trails (views update lines)
    step_changed = Event()              # the step being shown (int)
    start_changed = Event()
    settings_changed = Event()          # eta, steps, rules... (controls follow)
    error_changed = Event()             # formula errors etc. (str); "" clears

    def __init__(self):
        self.dim = 2
        self.key = "himmelblau"
        self.formula_text = {2: "x**2 + 3*y**2 + sin(3*x)", 1: "x**4 - 2*x**2 + 0.3*x"}
        self.formula_range = 3.0
        self.surface: Surface = SURFACES[self.key]
        self.start: np.ndarray = np.array(self.surface.start)
        self.methods: List[str] = ["gd", "momentum", "adam"]
        self.primary = "gd"
        self.settings = optimizers.Settings(eta=0.01, steps=150)
        self.trajectories: Dict[str, optimizers.Trajectory] = {}
        self.step = 0
        self.error = ""
        self.grid_n = GRID
        self._hold = 0                  # > 0: changes wait for one recompute (holding())
        self._held: Optional[bool] = None
        self._compute_grid()
        self.recompute(to_end=True)

    # ------------------------------------------------------------------ function
    def choices(self) -> List[Tuple[str, str]]:
        """(key, title) of the functions offered in the current mode."""
        table = SURFACES if self.dim == 2 else CURVES
        return [(k, s.title) for k, s in table.items()] + [(FORMULA, "Your formula…")]

    def set_mode(self, dim: int) -> None:
        if dim not in (1, 2) or dim == self.dim:
            return
        self.dim = dim
        self.set_function(next(iter(SURFACES if dim == 2 else CURVES)))

    def set_function(self, key: str) -> bool:
        """Switch to a named function, or to the formula (which must parse)."""
        if key == FORMULA:
            return self.set_formula(self.formula_text[self.dim], self.formula_range)
        table = SURFACES if self.dim == 2 else CURVES
        if key not in table:
            return False
        self.key = key
        self._use(table[key])
        return True

    def set_formula(self, text: str, half_range: Optional[float] = None) -> bool:
        """Parse ``text``; on success make it the function, else report the error and
        keep the current function. Returns whether it worked."""
        if half_range is not None:
            if not (math.isfinite(half_range) and 0 < half_range <= 1e6):
                self._set_error("The range must be a positive number.")
                return False
            self.formula_range = float(half_range)
        r = self.formula_range
        try:
            surface = parse_formula(text, self.dim, ((-r, r),) * self.dim)
            axes, z = surface.grid(self.grid_n)
        except FormulaError as exc:
            self._set_error(f"Formula: {exc}")
            return False
        if not np.isfinite(z).any():
            self._set_error("Formula: it is not defined anywhere in the plotted range.")
            return False
        self.formula_text[self.dim] = text.strip()
        self.key = FORMULA
        self._use(surface)
        return True

    def _use(self, surface: Surface) -> None:
        self.surface = surface
        self.start = np.array(surface.start, dtype=float)
        self._set_error("")
        self._compute_grid()
        self.surface_changed.emit()
        self.start_changed.emit()
        self.recompute(to_end=True)

    def _compute_grid(self) -> None:
        self.axes, self.z = self.surface.grid(self.grid_n)
        with np.errstate(all="ignore"):
            self.z = np.where(np.isfinite(self.z), self.z, np.nan)
        self.colour_t = equalised(self.z)
        finite = self.z[np.isfinite(self.z)]
        lo = float(finite.min()) if finite.size else 0.0
        top = float(finite.max()) if finite.size else 1.0
        q90 = float(np.quantile(finite, 0.9)) if finite.size else 1.0
        # Steep surfaces (Rosenbrock) are cut flat above a high quantile so the floor,
        # where the ball goes, is not squashed to nothing.
        hi = top if top - lo <= 4 * max(q90 - lo, 1e-12) else float(np.quantile(finite, 0.95))
        self.z_low, self.z_high = lo, (hi if hi > lo else lo + 1.0)
        self.levels = contour_levels(self.z, 14)

    # ------------------------------------------------------------------ display maps
    def height(self, c):
        """Cost -> 0..1 for the 3-D view (clipped to the shown range)."""
        return np.clip((np.asarray(c, dtype=float) - self.z_low) / (self.z_high - self.z_low),
                       -0.05, 1.0)

    # ------------------------------------------------------------------ descent
    def set_start(self, v: Sequence[float]) -> bool:
        v = np.array(v, dtype=float).reshape(-1)[: self.dim]
        if v.shape != (self.dim,) or not np.all(np.isfinite(v)):
            return False
        if not math.isfinite(self.surface.value_at(v)):
            self._set_error("The function is not defined there: pick another start.")
            return False
        self._set_error("")
        self.start = v
        self.start_changed.emit()
        self.recompute(to_end=True)
        return True

    def set_methods(self, methods: Sequence[str]) -> None:
        self.methods = [m for m in optimizers.METHODS if m in set(methods)]
        if self.primary not in self.methods and self.methods:
            self.primary = self.methods[0]
        self.settings_changed.emit()
        self.recompute(to_end=self.step >= self.max_step())

    def set_primary(self, method: str) -> None:
        if method in optimizers.METHODS and method != self.primary:
            self.primary = method
            self.settings_changed.emit()
            self.step_changed.emit(self.step)

    def set_settings(self, **changes) -> None:
        try:
            new = replace(self.settings, **changes)
        except TypeError:
            return
        if new == self.settings:
            return
        at_end = self.step >= self.max_step()
        self.settings = new
        self.settings_changed.emit()
        self.recompute(to_end=at_end)

    def usable(self, method: str) -> bool:
        return not optimizers.METHODS[method].needs_hessian or self.surface.has_hessian

    @contextlib.contextmanager
    def holding(self):
        """Apply several changes with one computation of the trails, at the end."""
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1
            if not self._hold and self._held is not None:
                to_end, self._held = self._held, None
                self.recompute(to_end=to_end)

    def recompute(self, to_end: bool = False) -> None:
        if self._hold:
            self._held = bool(to_end or self._held)
            return
        s = self.settings
        self.trajectories = {m: optimizers.run(self.surface, self.start, m, s)
                             for m in self.methods if self.usable(m)}
        self.trajectories_changed.emit()
        self.set_step(self.max_step() if to_end else min(self.step, self.max_step()),
                      force=True)

    def max_step(self) -> int:
        return max((t.steps for t in self.trajectories.values()), default=0)

    def set_step(self, k: int, force: bool = False) -> None:
        k = int(max(0, min(k, self.max_step())))
        if k != self.step or force:
            self.step = k
            self.step_changed.emit(k)

    def index(self, method: str, k: Optional[int] = None) -> int:
        """The point of ``method``'s trail shown at step ``k`` (trails that stopped early
        stay at their last point)."""
        t = self.trajectories[method]
        return min(self.step if k is None else k, t.steps)

    # ------------------------------------------------------------------ errors
    def _set_error(self, text: str) -> None:
        if text != self.error:
            self.error = text
            self.error_changed.emit(text)
