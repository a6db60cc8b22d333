"""Cost functions for the descent panel: C(v1, v2) surfaces and C(v) curves.

Each ``Surface`` knows its value, its exact gradient and its exact Hessian, written out
by hand (the tests check them against finite differences), the region worth plotting
and a starting point that shows something. The functions take NumPy arrays and work
element-wise, so the same code evaluates one point for the optimiser and a whole
200x200 grid for the plots:

    >>> s = SURFACES["bowl"]
    >>> s.value(1.0, 2.0), s.gradient(1.0, 2.0)
    (5.0, (2.0, 4.0))

``contour_segments`` draws level lines of a gridded surface (contourpy's marching
squares, as pairs of points), so the contour view needs no per-cell Python loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence, Tuple

import contourpy
import numpy as np

Domain = Tuple[Tuple[float, float], ...]


@dataclass(frozen=True)
class Surface:
    """A cost function of ``dim`` variables (1 or 2) with exact derivatives.

    ``f(*v)`` is the value; ``df(*v)`` a tuple of the ``dim`` partial derivatives;
    ``d2f(*v)`` the Hessian as a tuple of rows (or ``None`` when it is not known, in
    which case Newton's method cannot be used). All work element-wise on arrays.
    """

    key: str
    title: str
    dim: int
    f: Callable
    df: Callable
    d2f: Optional[Callable]
    domain: Domain
    start: Tuple[float, ...]
    text: str = ""           # the formula, as the learner would write it
    about: str = ""          # one sentence on what it shows
    minima: Tuple[Tuple[float, ...], ...] = field(default=())

    # -- element-wise, any array shape ------------------------------------------------
    def value(self, *v):
        with np.errstate(all="ignore"):
            out = self.f(*v)
        return out if np.ndim(out) else float(out)

    def gradient(self, *v):
        with np.errstate(all="ignore"):
            out = self.df(*v)
        return tuple(g if np.ndim(g) else float(g) for g in out)

    def hessian(self, *v):
        if self.d2f is None:
            return None
        with np.errstate(all="ignore"):
            rows = self.d2f(*v)
        return tuple(tuple(h if np.ndim(h) else float(h) for h in row) for row in rows)

    # -- one point as a vector (what the optimisers use) -------------------------------
    def value_at(self, v: np.ndarray) -> float:
        return float(self.value(*np.asarray(v, dtype=float)))

    def gradient_at(self, v: np.ndarray) -> np.ndarray:
        return np.array(self.gradient(*np.asarray(v, dtype=float)), dtype=float)

    def hessian_at(self, v: np.ndarray) -> Optional[np.ndarray]:
        h = self.hessian(*np.asarray(v, dtype=float))
        return None if h is None else np.array(h, dtype=float).reshape(self.dim, self.dim)

    @property
    def has_hessian(self) -> bool:
        return self.d2f is not None

    # -- the plotted region -------------------------------------------------------------
    def axes(self, n: int = 200) -> Tuple[np.ndarray, ...]:
        """``n`` evenly spaced values across the domain, one array per variable."""
        return tuple(np.linspace(lo, hi, n) for lo, hi in self.domain)

    def grid(self, n: int = 200):
        """(axes, values): for dim 2, ``values[i, j] = C(xs[i], ys[j])``."""
        axes = self.axes(n)
        if self.dim == 1:
            z = np.broadcast_to(self.value(axes[0]), axes[0].shape)
        else:
            xs, ys = axes
            z = np.broadcast_to(self.value(xs[:, None], ys[None, :]), (len(xs), len(ys)))
        return axes, np.asarray(z, dtype=float)


def _s(*a):
    return a


# ------------------------------------------------------------------ two variables
def _bowl():
    return Surface(
        "bowl", "Bowl", 2,
        lambda x, y: x * x + y * y,
        lambda x, y: (2 * x, 2 * y),
        lambda x, y: ((2 + 0 * x, 0 * x), (0 * x, 2 + 0 * x)),
        ((-2.0, 2.0), (-2.0, 2.0)), (1.6, 1.2),
        "v1**2 + v2**2",
        "The book's valley: one minimum, and the gradient always points straight uphill.",
        ((0.0, 0.0),))


def _ravine():
    return Surface(
        "ravine", "Elongated valley", 2,
        lambda x, y: x * x + 10 * y * y,
        lambda x, y: (2 * x, 20 * y),
        lambda x, y: ((2 + 0 * x, 0 * x), (0 * x, 20 + 0 * x)),
        ((-3.0, 3.0), (-3.0, 3.0)), (-2.8, 1.5),
        "v1**2 + 10*v2**2",
        "Steep walls, gentle floor: with eta near 0.09 plain descent zig-zags across "
        "the valley; above 0.1 it throws the ball out.",
        ((0.0, 0.0),))


def _false_minima():
    return Surface(
        "falseminima", "False minima", 2,
        lambda x, y: np.sin(x) * np.sin(y) + 0.2 * x,
        lambda x, y: (np.cos(x) * np.sin(y) + 0.2, np.sin(x) * np.cos(y)),
        lambda x, y: ((-np.sin(x) * np.sin(y), np.cos(x) * np.cos(y)),
                      (np.cos(x) * np.cos(y), -np.sin(x) * np.sin(y))),
        ((-4.0, 4.0), (-4.0, 4.0)), (2.0, 1.0),
        "sin(v1)*sin(v2) + 0.2*v1",
        "Two dips, one deeper: from this start the ball settles in the shallow one at "
        "(1.37, -1.57) and never learns of the lower one at (-1.77, 1.57).",
        ((-math.acos(-0.2), math.pi / 2), (math.acos(0.2), -math.pi / 2)))


def _rosenbrock():
    return Surface(
        "rosenbrock", "Rosenbrock's banana", 2,
        lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
        lambda x, y: ((2 - 400 * y + 1200 * x * x, -400 * x), (-400 * x, 200 + 0 * x)),
        ((-2.0, 2.0), (-1.0, 3.0)), (-1.5, 2.0),
        "(1 - v1)**2 + 100*(v2 - v1**2)**2",
        "A curved valley: easy to fall into, slow to follow to the minimum at (1, 1).",
        ((1.0, 1.0),))


def _himmelblau():
    return Surface(
        "himmelblau", "Himmelblau (four minima)", 2,
        lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
        lambda x, y: (4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),
                      2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)),
        lambda x, y: ((12 * x * x + 4 * y - 42, 4 * x + 4 * y),
                      (4 * x + 4 * y, 4 * x + 12 * y * y - 26)),
        ((-5.0, 5.0), (-5.0, 5.0)), (-0.5, -0.8),
        "(v1**2 + v2 - 11)**2 + (v1 + v2**2 - 7)**2",
        "Four valleys: where the ball ends depends on where it starts.",
        ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848127)))


def _saddle():
    return Surface(
        "saddle", "Saddle point", 2,
        lambda x, y: 0.5 * x * x + 0.25 * y ** 4 - 0.5 * y * y,
        lambda x, y: (x, y ** 3 - y),
        lambda x, y: ((1 + 0 * x, 0 * x), (0 * x, 3 * y * y - 1)),
        ((-2.0, 2.0), (-2.0, 2.0)), (1.8, 0.02),
        "v1**2/2 + v2**4/4 - v2**2/2",
        "A pass between two valleys: the gradient is zero at the origin, yet it is no minimum.",
        ((0.0, 1.0), (0.0, -1.0)))


def _rastrigin():
    k = 2 * math.pi
    return Surface(
        "rastrigin", "Rastrigin (many local minima)", 2,
        lambda x, y: 20 + x * x - 10 * np.cos(k * x) + y * y - 10 * np.cos(k * y),
        lambda x, y: (2 * x + 10 * k * np.sin(k * x), 2 * y + 10 * k * np.sin(k * y)),
        lambda x, y: ((2 + 10 * k * k * np.cos(k * x), 0 * x),
                      (0 * x, 2 + 10 * k * k * np.cos(k * y))),
        ((-5.12, 5.12), (-5.12, 5.12)), (3.2, -2.1),
        "20 + v1**2 - 10*cos(2*pi*v1) + v2**2 - 10*cos(2*pi*v2)",
        "A bowl covered in dimples: descent stops in the nearest dip, almost never the "
        "lowest one at (0, 0).",
        ((0.0, 0.0),))


# ------------------------------------------------------------------ one variable
def _parabola():
    return Surface(
        "parabola", "Parabola", 1,
        lambda v: v * v,
        lambda v: (2 * v,),
        lambda v: ((2 + 0 * v,),),
        ((-2.0, 2.0),), (1.8,),
        "v**2",
        "Each step moves against the slope; with eta = 1 the ball bounces between +-v forever.",
        ((0.0,),))


def _double_well():
    return Surface(
        "doublewell", "Double well", 1,
        lambda v: v ** 4 - 2 * v * v + 0.5 * v,
        lambda v: (4 * v ** 3 - 4 * v + 0.5,),
        lambda v: ((12 * v * v - 4,),),
        ((-1.8, 1.8),), (1.6,),
        "v**4 - 2*v**2 + 0.5*v",
        "Two dips: starting on the right finds the higher one.",
        ((-1.0574,),))


def _wavy():
    return Surface(
        "wavy", "Wavy valley", 1,
        lambda v: v * v / 8 - np.cos(2 * v),
        lambda v: (v / 4 + 2 * np.sin(2 * v),),
        lambda v: ((0.25 + 4 * np.cos(2 * v),),),
        ((-5.0, 5.0),), (4.3,),
        "v**2/8 - cos(2*v)",
        "Ripples on a slope: a small eta stops in the first ripple, a larger one jumps over.",
        ((0.0,),))


SURFACES: Dict[str, Surface] = {s.key: s for s in (
    _bowl(), _ravine(), _false_minima(), _saddle(), _rosenbrock(), _himmelblau(),
    _rastrigin())}
CURVES: Dict[str, Surface] = {s.key: s for s in (_parabola(), _double_well(), _wavy())}


# The settings each function opens with, chosen to show what it is there for (the
# descent panel applies them when the function is picked): eta for gradient descent,
# momentum and Nesterov; alpha for AdaGrad, RMSProp and Adam (they move about alpha per
# coordinate per step); epsilon for the fixed step; the number of steps.
PRESETS: Dict[str, Dict[str, float]] = {
    "bowl": dict(eta=0.1, alpha=0.1, epsilon=0.1, steps=60),
    "ravine": dict(eta=0.09, alpha=0.1, epsilon=0.1, steps=100),
    "falseminima": dict(eta=0.1, alpha=0.1, epsilon=0.1, steps=150),
    "saddle": dict(eta=0.05, alpha=0.05, epsilon=0.05, steps=100),
    "rosenbrock": dict(eta=0.001, alpha=0.05, epsilon=0.02, steps=1000),
    "himmelblau": dict(eta=0.01, alpha=0.1, epsilon=0.1, steps=150),
    "rastrigin": dict(eta=0.002, alpha=0.05, epsilon=0.05, steps=200),
    "parabola": dict(eta=0.1, alpha=0.1, epsilon=0.1, steps=50),
    "doublewell": dict(eta=0.05, alpha=0.1, epsilon=0.1, steps=100),
    "wavy": dict(eta=0.05, alpha=0.1, epsilon=0.1, steps=100),
}


def named(key: str) -> Surface:
    """A named surface or curve; ``KeyError`` with the known names otherwise."""
    if key in SURFACES:
        return SURFACES[key]
    if key in CURVES:
        return CURVES[key]
    raise KeyError(f"no surface called {key!r}; known: {', '.join([*SURFACES, *CURVES])}")


# ------------------------------------------------------------------ level lines
def contour_levels(z: np.ndarray, count: int = 14) -> np.ndarray:
    """Levels spread like quantiles of the finite values, so steep surfaces
    (Rosenbrock reaches 2,500) still get lines on their flat floors."""
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return np.zeros(0)
    qs = np.linspace(0.0, 1.0, count + 2)[1:-1] ** 1.6
    levels = np.unique(np.quantile(finite, qs))
    return levels[(levels > finite.min()) & (levels < finite.max())]


def contour_segments(xs: np.ndarray, ys: np.ndarray, z: np.ndarray,
                     levels: Sequence[float]) -> np.ndarray:
    """Level lines of ``z[i, j] = C(xs[i], ys[j])`` as line segments.

    Returns an array of shape (2k, 2): consecutive rows are the two ends of one segment
    (pyqtgraph draws it with ``connect="pairs"``). Cells with a NaN corner are skipped.
    The lines come from contourpy's marching squares (saddle cells are split by the
    value at their centre); each polyline it returns is cut into its segments here.
    """
    z = np.asarray(z, dtype=float)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if z.ndim != 2 or z.shape != (len(xs), len(ys)):
        raise ValueError(f"z has shape {z.shape}; expected (len(xs), len(ys)) = "
                         f"({len(xs)}, {len(ys)})")
    if min(z.shape) < 2 or len(levels) == 0:
        return np.zeros((0, 2))
    # contourpy indexes z[row = y, column = x]
    gen = contourpy.contour_generator(xs, ys, z.T, name="serial", corner_mask=False,
                                      line_type=contourpy.LineType.ChunkCombinedOffset)
    out = []
    for level in levels:
        points, offsets = gen.lines(float(level))
        for p, off in zip(points, offsets):
            if p is None or len(p) < 2:
                continue
            keep = np.ones(len(p) - 1, dtype=bool)
            keep[off[1:-1] - 1] = False            # no segment from one line to the next
            seg = np.empty((int(keep.sum()), 2, 2))
            seg[:, 0], seg[:, 1] = p[:-1][keep], p[1:][keep]
            out.append(seg.reshape(-1, 2))
    if not out:
        return np.zeros((0, 2))
    return np.concatenate(out)
