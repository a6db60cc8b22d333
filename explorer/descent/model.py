"""The descent panel's state: which function, where the ball starts, which update rules,
the trajectories they trace, and which step is being shown.

The views take a ``DescentModel`` in their constructor, listen to its signals and draw;
the controls call its setters. All maths is in ``engine`` (surfaces, formula,
optimizers); this object only holds results and says when they change.

The trails are computed by ``compute_trails(job)``. Without a ``runner`` the model calls
it at once (tests, scripts); the panel sets ``runner`` to a worker thread, which hands
the result back later through ``deliver``. Every change makes a new ``Job`` with the
next ``generation``; a result whose generation is not the latest is dropped.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from engine import optimizers
from engine.formula import FormulaError, parse_formula
from engine.setup_codes import DESCENT_LIMITS, SetupCodeError
from engine.surfaces import CURVES, PRESETS, SURFACES, Surface, contour_levels
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
RANGE_NOTICE = ("The balls left the plotted range ±{:g}: widen the range to follow them "
                "(the button below, or Plot range).")
FIRST_STEPS = 60        # the worker hands these over first, then the whole trails


@dataclass(frozen=True)
class Job:
    """One computation of the trails: everything it depends on, and its generation."""

    generation: int
    surface: Surface
    start: Tuple[float, ...]
    methods: Tuple[str, ...]
    settings: optimizers.Settings
    to_end: bool = False
    spec: tuple = ()        # how to rebuild the surface elsewhere (``surface_from_spec``)


def long_job(job: Job) -> bool:
    """Whether a job is long enough to hand over its first steps before the rest."""
    return job.settings.steps > FIRST_STEPS and \
        job.settings.steps * max(1, len(job.methods)) > 2000


def surface_from_spec(spec: tuple) -> Surface:
    """The surface a job's ``spec`` names: ("named", key) or ("formula", text, dim, r)."""
    if spec[0] == "named":
        return SURFACES[spec[1]] if spec[1] in SURFACES else CURVES[spec[1]]
    _, text, dim, r = spec
    return parse_formula(text, dim, ((-r, r),) * dim)


def serve_trails(conn, latest) -> None:
    """A trail process's loop (``explorer.descent.worker.ProcessTrailWorker``): receive
    (generation, spec, start, methods, settings, first) tuples, compute the trails of the
    newest, and send back (generation, "first"|"final"|"stale"|"error", payload). The
    shared ``latest.value`` is the newest generation: older work is dropped at once."""
    import os

    try:
        os.nice(10)         # the window's process (and the X server) come first when the CPUs are busy
    except (AttributeError, OSError):
        pass
    surfaces: Dict[tuple, Surface] = {}
    pending: list = []

    def drain() -> None:
        """Read what waits in the pipe, keeping only the newest job."""
        while conn.poll():
            msg = conn.recv()
            if msg is None:
                raise EOFError
            pending[:] = [msg]

    while True:
        try:
            drain()
            msg = pending.pop() if pending else conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        gen, spec, start, methods, settings, first = msg
        if latest.value != gen:
            continue

        def stale(gen=gen) -> bool:
            drain()
            return latest.value != gen
        try:
            if spec not in surfaces:
                surfaces.clear()
                surfaces[spec] = surface_from_spec(spec)
            job = Job(gen, surfaces[spec], start, methods, settings, spec=spec)
            if long_job(job):
                conn.send((gen, "first", compute_trails(job, stale, first)))
            conn.send((gen, "final", compute_trails(job, stale)))
        except optimizers.Stale:
            conn.send((gen, "stale", None))
        except EOFError:
            return
        except Exception as exc:     # report, keep serving
            conn.send((gen, "error", f"{type(exc).__name__}: {exc}"))


def compute_trails(job: Job, should_stop: Optional[Callable[[], bool]] = None,
                   steps: Optional[int] = None) -> Dict[str, optimizers.Trajectory]:
    """The trail of every rule of ``job`` (the first ``steps`` only, if given).
    Raises ``optimizers.Stale`` when ``should_stop`` says so."""
    s = job.settings if steps is None else replace(job.settings,
                                                   steps=min(steps, job.settings.steps))
    return {m: optimizers.run(job.surface, job.start, m, s, should_stop) for m in job.methods}


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


class TrailSteps:
    """The step the views show along the trails, for a model holding ``trajectories``
    (rule key -> ``Trajectory``), ``step`` and a ``step_changed`` event: the descent
    panel's, and the Real network panel's ``PlaneModel`` drawn by the same views."""

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


class DescentModel(TrailSteps):
    """State shared by the descent panel's views and controls."""

    surface_changed = Event()           # new function or grid (views rebuild)
    trajectories_changed = Event()      # new trails (views update lines)
    step_changed = Event()              # the step being shown (int)
    start_changed = Event()
    settings_changed = Event()          # eta, steps, rules... (controls follow)
    error_changed = Event()             # formula errors etc. (str); "" clears
    busy_changed = Event()              # (bool) trails being computed
    notice_changed = Event()            # (str) a note on the function or start; "" clears

    def __init__(self, runner: Optional[Callable[[Job], None]] = None):
        """``runner``: None computes the trails at once; a panel passes its worker (or
        sets ``runner`` and calls ``recompute`` itself)."""
        self.dim = 2
        self.key = "himmelblau"
        self.formula_text = {2: "x**2 + 3*y**2 + sin(3*x)", 1: "x**4 - 2*x**2 + 0.3*x"}
        self.formula_range = 3.0
        self.surface: Surface = SURFACES[self.key]
        self.start: np.ndarray = np.array(self.surface.start)
        self.methods: List[str] = ["gd", "momentum", "adam"]
        self.primary = "gd"
        self.settings = optimizers.Settings(eta=0.01, steps=150, alpha=0.1)
        self.same_eta = False           # True: AdaGrad, RMSProp and Adam use eta too
        self.trajectories: Dict[str, optimizers.Trajectory] = {}
        self.step = 0
        self.error = ""
        self.notice = ""
        self.runner = runner            # None: compute at once
        self.generation = 0
        self.busy = False
        self.partial = False            # the trails shown are the first steps only
        self._job: Optional[Job] = None
        self._step_at_job = self._delivered_step = 0
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
        self._use(table[key], PRESETS.get(key))
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

    def _use(self, surface: Surface, preset: Optional[dict] = None) -> None:
        self.surface = surface
        self._set_error("")
        self._compute_grid()
        self.start = self._defined_start(np.array(surface.start, dtype=float))
        if preset:
            changes = {k: v for k, v in preset.items() if k != "steps"}
            changes["steps"] = int(preset.get("steps", self.settings.steps))
            self.settings = replace(self.settings, **changes)
            self.settings_changed.emit()
        self.trajectories = {}          # the old function's trails do not fit this one
        self.surface_changed.emit()
        self.start_changed.emit()
        self.recompute(to_end=True)

    def _defined_start(self, v: np.ndarray) -> np.ndarray:
        """``v`` if C is defined there; else the nearest grid point where it is, with a
        notice saying so plainly."""
        if math.isfinite(self.surface.value_at(v)) and \
                np.all(np.isfinite(self.surface.gradient_at(v))):
            self._set_notice("")
            return v
        ok = np.isfinite(self.z)
        mesh = np.meshgrid(*self.axes, indexing="ij")
        pts = np.stack([a[ok] for a in mesh], axis=1)
        where = "(" + ", ".join(f"{x:.3g}" for x in v) + ")"
        if not len(pts):
            self._set_notice(f"C is not defined at the start {where}.")
            return v
        best = pts[np.argmin(np.sum((pts - v) ** 2, axis=1))]
        self._set_notice(
            f"C is not defined at the usual start {where} (it cannot be computed there: "
            f"too large, or outside the formula's domain). The ball starts at the nearest "
            f"point where it is, ({', '.join(f'{x:.3g}' for x in best)}); click the map to "
            f"choose another.")
        return best

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
            self._set_error(f"C is not defined at v = ({', '.join(f'{x:.3g}' for x in v)}): "
                            f"pick another start.")
            return False
        self._set_error("")
        self._set_notice("")
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

    def set_same_eta(self, on: bool) -> None:
        """True: AdaGrad, RMSProp and Adam take eta as their step size, like the rest."""
        if bool(on) != self.same_eta:
            at_end = self.step >= self.max_step()
            self.same_eta = bool(on)
            self.settings_changed.emit()
            self.recompute(to_end=at_end)

    def run_settings(self) -> optimizers.Settings:
        """The settings the rules are run with (alpha None when one eta is used for all)."""
        return replace(self.settings, alpha=None) if self.same_eta else self.settings

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
        """Compute the trails again: at once without a runner, else handed to it (the
        result comes back through ``deliver``)."""
        if self._hold:
            self._held = bool(to_end or self._held)
            return
        self.generation += 1
        spec = (("formula", self.formula_text[self.dim], self.dim, self.formula_range)
                if self.key == FORMULA else ("named", self.key))
        job = Job(self.generation, self.surface, tuple(float(x) for x in self.start),
                  tuple(m for m in self.methods if self.usable(m)), self.run_settings(),
                  bool(to_end), spec)
        self._job = job
        self._step_at_job = self._delivered_step = self.step
        if self.runner is None:
            self.deliver(job, compute_trails(job), final=True)
            return
        self._set_busy(True)
        self.runner(job)

    def deliver(self, job: Job, trails: Dict[str, optimizers.Trajectory],
                final: bool = True) -> bool:
        """Show ``trails`` computed for ``job`` (the first steps when not ``final``).
        A result of an older job is dropped: returns False."""
        if job.generation != self.generation:
            return False
        # go to the end only if the step shown is still the one this job began with (or
        # that its first steps moved to): a step the user chose meanwhile is kept
        follow = job.to_end and self.step in (self._step_at_job, self._delivered_step)
        self.trajectories = trails
        self.partial = not final
        if final:
            self._set_busy(False)
        self.trajectories_changed.emit()
        self.set_step(self.max_step() if follow else min(self.step, self.max_step()),
                      force=True)
        self._delivered_step = self.step
        if final and self.key == FORMULA:
            if self.outside_range():
                if not self.notice:
                    self._set_notice(RANGE_NOTICE.format(self.formula_range))
            elif self.notice.startswith(RANGE_NOTICE[:20]):
                self._set_notice("")
        return True

    def widen_range(self) -> bool:
        """Make a typed formula's plotted range hold every trail (up to 10,000)."""
        v = np.concatenate([t.v for t in self.trajectories.values()] or [np.zeros((0, 1))])
        v = v[np.all(np.isfinite(v), axis=1)]
        if self.key != FORMULA or not len(v):
            return False
        r = float(min(1e4, max(self.formula_range, 1.15 * np.abs(v).max())))
        r = float(f"{r:.2g}") if r < 100 else float(round(r))
        r = max(r, 1.15 * float(np.abs(v).max())) if r < 1e4 else r
        return self.set_formula(self.formula_text[self.dim], round(r, 2))

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the latest trails are in (for scripts and tests with a runner that
        has a ``wait``); True when they are."""
        waiter = getattr(self.runner, "wait", None)
        return True if waiter is None or not self.busy else bool(waiter(timeout))

    def _set_busy(self, on: bool) -> None:
        if on != self.busy:
            self.busy = on
            self.busy_changed.emit(on)


    # ------------------------------------------------------------------ setups
    def setup(self) -> dict:
        """The whole setup as plain values (what a setup code holds, camera aside)."""
        s = self.settings
        data = {"dim": self.dim, "function": self.key,
                "formula": self.formula_text[self.dim] if self.key == FORMULA else "",
                "range": self.formula_range, "start": [float(x) for x in self.start],
                "methods": list(self.methods), "primary": self.primary,
                "same_eta": self.same_eta}
        for name in DESCENT_LIMITS:
            if name != "range":
                data[name] = getattr(s, name)
        if data["alpha"] is None:
            data["alpha"] = s.eta
        return data

    def apply_setup(self, data: dict) -> None:
        """Make ``data`` (checked by ``engine.setup_codes.check``) the setup, all of it or
        nothing: the formula must parse and C be defined at the start, else
        ``SetupCodeError`` and nothing changes."""
        dim, key = data["dim"], data["function"]
        if key == FORMULA:
            r = data["range"]
            try:
                surface = parse_formula(data["formula"], dim, ((-r, r),) * dim)
            except FormulaError as exc:
                raise SetupCodeError(f"The setup's formula cannot be used: {exc}") from None
        else:
            surface = (SURFACES if dim == 2 else CURVES)[key]
        start = np.array(data["start"], dtype=float)
        if not math.isfinite(surface.value_at(start)):
            raise SetupCodeError("C is not defined at the setup's start.")
        names = [n for n in DESCENT_LIMITS if n != "range"]
        with self.holding():
            self.dim = dim
            self.formula_range = data["range"]
            if key == FORMULA:
                self.formula_text[dim] = data["formula"]
                self.key = FORMULA
                self._use(surface)
            else:
                self.key = key
                self._use(surface)
            self.settings = replace(self.settings, **{n: data[n] for n in names})
            self.same_eta = data["same_eta"]
            self.methods = list(data["methods"])
            self.primary = data["primary"] if data["primary"] in self.methods else (
                self.methods[0] if self.methods else self.primary)
            self.start = start
            self._set_notice("")
            self.settings_changed.emit()
            self.start_changed.emit()
            self.recompute(to_end=True)

    # ------------------------------------------------------------------ errors
    def _set_error(self, text: str) -> None:
        if text != self.error:
            self.error = text
            self.error_changed.emit(text)

    def _set_notice(self, text: str) -> None:
        if text != self.notice:
            self.notice = text
            self.notice_changed.emit(text)

    def outside_range(self) -> bool:
        """Whether a trail goes beyond the plotted region (by more than a tenth)."""
        for t in self.trajectories.values():
            v = t.v[np.all(np.isfinite(t.v), axis=1)]
            for i, (lo, hi) in enumerate(self.surface.domain):
                pad = 0.1 * (hi - lo)
                if len(v) and (v[:, i].min() < lo - pad or v[:, i].max() > hi + pad):
                    return True
        return False
