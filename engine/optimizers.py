"""Update rules for the descent panel, and the trajectory each one traces.

The book's rule is plain gradient descent, v -> v' = v - eta * grad C. Beside it are the
rules people use instead, so the learner can race them on the same surface:

=============  =====================================================================
``gd``         dv = -eta grad C                         (Nielsen, ch. 1)
``fixed``      dv = -epsilon grad C / |grad C|          (a step of fixed length epsilon)
``momentum``   u = mu u - eta grad C;  dv = u           (the heavy ball)
``nesterov``   as momentum, with the gradient taken at v + mu u
``adagrad``    G += g^2;  dv = -eta g / (sqrt(G) + eps)
``rmsprop``    S = rho S + (1 - rho) g^2;  dv = -eta g / (sqrt(S) + eps)
``adam``       RMSProp with momentum and bias correction
``newton``     dv = -H^-1 grad C  (a full step; uses the exact Hessian H)
=============  =====================================================================

``run`` returns a ``Trajectory``: for every step the point v, the cost C, the gradient,
the step dv, the predicted change grad C . dv and the actual change C(v + dv) - C(v).
The two changes agree when the step is small; when eta is too large they part, and the
learner sees why the book asks for a small eta. A run stops early, with a message, when
the ball diverges, leaves the function's domain, or comes to rest.

``noise`` adds seeded Gaussian noise to each gradient the rule sees (not to the readouts),
like the estimate stochastic gradient descent makes from a mini-batch.

The adaptive rules (AdaGrad, RMSProp, Adam) move each coordinate by about their step size
per step whatever the slope, so their step size is ``alpha``, not gradient descent's
``eta`` (``alpha=None`` gives them eta, to compare the rules at one setting). Each
trajectory also keeps what happened inside its rule at every step (``Trajectory.state``:
the velocity, the look-ahead point, the running sums of squares, the moments and their
bias correction), so the panel can show why the rule stepped as it did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, Optional, Sequence, Tuple

import numpy as np


@dataclass(frozen=True)
class Method:
    key: str
    name: str
    needs_hessian: bool = False
    uses_eta: bool = True


METHODS: Dict[str, Method] = {m.key: m for m in (
    Method("gd", "Gradient descent"),
    Method("fixed", "Fixed step length", uses_eta=False),
    Method("momentum", "Momentum"),
    Method("nesterov", "Nesterov"),
    Method("adagrad", "AdaGrad"),
    Method("rmsprop", "RMSProp"),
    Method("adam", "Adam"),
    Method("newton", "Newton", needs_hessian=True, uses_eta=False),
)}


@dataclass(frozen=True)
class Settings:
    """Everything a run depends on besides the function and the start."""

    eta: float = 0.1
    steps: int = 100
    alpha: Optional[float] = None   # step size of AdaGrad, RMSProp, Adam (None: eta)
    epsilon: float = 0.1     # the fixed step's length (the book's "optimal step")
    mu: float = 0.9          # momentum / Nesterov
    rho: float = 0.9         # RMSProp
    beta1: float = 0.9       # Adam
    beta2: float = 0.999     # Adam
    eps: float = 1e-8
    noise: float = 0.0       # std of Gaussian noise added to the gradient the rule sees
    seed: int = 0
    bound: float = 1e6       # |v| beyond this counts as diverged
    tol: float = 1e-12       # |grad C| below this (without noise): at rest


ADAPTIVE = ("adagrad", "rmsprop", "adam")

# What each rule records per step in ``Trajectory.state`` (besides "seen", the gradient
# it used, noise included): name -> what it is.
STATE_NAMES: Dict[str, Dict[str, str]] = {
    "gd": {},
    "fixed": {"rate": "epsilon / |grad C|: the factor that makes the step's length epsilon"},
    "momentum": {"carried": "mu u: the velocity carried over from the last step",
                 "push": "-eta grad C: this step's push",
                 "u": "the new velocity u = mu u - eta grad C (the step)"},
    "nesterov": {"carried": "mu u: the velocity carried over",
                 "ahead": "v + mu u: the look-ahead point",
                 "g_ahead": "grad C at the look-ahead point",
                 "push": "-eta grad C(ahead)",
                 "u": "the new velocity (the step)"},
    "adagrad": {"G": "G: the sum of all squared gradients so far, per coordinate",
                "rate": "eta / (sqrt(G) + eps): each coordinate's own step size"},
    "rmsprop": {"S": "S: the running average (rho) of squared gradients",
                "rate": "eta / (sqrt(S) + eps): each coordinate's own step size"},
    "adam": {"m": "m: running average (beta1) of the gradients (first moment)",
             "s": "s: running average (beta2) of the squared gradients (second moment)",
             "m_hat": "m / (1 - beta1^t): bias-corrected first moment",
             "s_hat": "s / (1 - beta2^t): bias-corrected second moment",
             "correction": "(1 / (1 - beta1^t), 1 / (1 - beta2^t)): the bias corrections",
             "rate": "alpha / (sqrt(s_hat) + eps): each coordinate's own step size"},
    "newton": {"curvature": "the Hessian's two eigenvalues (curvatures along its axes)"},
}


class Stale(Exception):
    """Raised by ``run`` when its ``should_stop`` says the result is no longer wanted."""


@dataclass(frozen=True)
class StepRecord:
    """One step k: from v (cost C, gradient grad) by dv."""

    step: int
    v: np.ndarray
    C: float
    grad: np.ndarray
    dv: np.ndarray
    predicted: float         # grad C . dv
    actual: float            # C(v + dv) - C(v)


@dataclass
class Trajectory:
    """Points v_0 .. v_n and what happened between them.

    ``v``, ``C`` and ``grad`` have n+1 rows (the points); ``dv``, ``predicted`` and
    ``actual`` have n rows (the steps). ``status`` is "running out of steps" ("ok"),
    "converged", "diverged", "domain" or "singular", and ``message`` says it in words.
    """

    method: str
    v: np.ndarray
    C: np.ndarray
    grad: np.ndarray
    dv: np.ndarray
    predicted: np.ndarray
    actual: np.ndarray
    status: str = "ok"
    message: str = ""
    seen: Optional[np.ndarray] = None              # n rows: the gradient the rule used
    state: Dict[str, np.ndarray] = field(default_factory=dict)   # n rows each

    def state_at(self, k: int) -> Dict[str, np.ndarray]:
        """The rule's state at step k (from v_k to v_k+1), plus "seen"."""
        out = {name: a[k] for name, a in self.state.items()}
        if self.seen is not None and k < len(self.seen):
            out["seen"] = self.seen[k]
        return out

    @property
    def steps(self) -> int:
        return len(self.dv)

    def record(self, k: int) -> StepRecord:
        return StepRecord(k, self.v[k], float(self.C[k]), self.grad[k], self.dv[k],
                          float(self.predicted[k]), float(self.actual[k]))

    def records(self) -> Iterator[StepRecord]:
        for k in range(self.steps):
            yield self.record(k)


def step_size(key: str, s: Settings) -> float:
    """The step parameter ``key`` uses: alpha for the adaptive rules (eta when alpha is
    None), epsilon for the fixed step, eta otherwise (Newton uses none)."""
    if key in ADAPTIVE and s.alpha is not None:
        return s.alpha
    return s.epsilon if key == "fixed" else s.eta


class _Rule:
    def __init__(self, key: str, s: Settings, dim: int):
        self.key, self.s = key, s
        self.lr = step_size(key, s)
        self.u = np.zeros(dim)       # velocity / first moment
        self.G = np.zeros(dim)       # accumulated or averaged squares
        self.t = 0
        self.inside: Dict[str, np.ndarray] = {}     # this step's state (STATE_NAMES)

    def step(self, v, g, grad_at, hess_at) -> Tuple[np.ndarray, str]:
        """(dv, problem): problem is "" or a reason the step cannot be taken."""
        s, k, lr = self.s, self.key, self.lr
        self.t += 1
        if k == "gd":
            self.inside = {}
            return -lr * g, ""
        if k == "fixed":
            n = float(np.linalg.norm(g))
            rate = 0.0 if n == 0 else lr / n
            self.inside = {"rate": np.full_like(g, rate)}
            return -rate * g, ""
        if k == "momentum":
            carried, push = s.mu * self.u, -lr * g
            self.u = carried + push
            self.inside = {"carried": carried, "push": push, "u": self.u.copy()}
            return self.u.copy(), ""
        if k == "nesterov":
            carried = s.mu * self.u
            ahead_g = grad_at(v + carried)
            push = -lr * ahead_g
            self.u = carried + push
            self.inside = {"carried": carried, "ahead": v + carried, "g_ahead": ahead_g,
                           "push": push, "u": self.u.copy()}
            return self.u.copy(), ""
        if k == "adagrad":
            self.G = self.G + g * g
            rate = lr / (np.sqrt(self.G) + s.eps)
            self.inside = {"G": self.G.copy(), "rate": rate}
            return -rate * g, ""
        if k == "rmsprop":
            self.G = s.rho * self.G + (1 - s.rho) * g * g
            rate = lr / (np.sqrt(self.G) + s.eps)
            self.inside = {"S": self.G.copy(), "rate": rate}
            return -rate * g, ""
        if k == "adam":
            self.u = s.beta1 * self.u + (1 - s.beta1) * g
            self.G = s.beta2 * self.G + (1 - s.beta2) * g * g
            c1, c2 = 1 / (1 - s.beta1 ** self.t), 1 / (1 - s.beta2 ** self.t)
            m_hat, s_hat = self.u * c1, self.G * c2
            rate = lr / (np.sqrt(s_hat) + s.eps)
            self.inside = {"m": self.u.copy(), "s": self.G.copy(), "m_hat": m_hat,
                           "s_hat": s_hat, "correction": np.array([c1, c2]), "rate": rate}
            return -rate * m_hat, ""
        if k == "newton":
            self.inside = {"curvature": np.full(2, np.nan)}
            H = hess_at(v)
            if H is None:
                return np.zeros_like(g), "Newton's method needs the Hessian, which is not " \
                                         "available for this function."
            if not np.all(np.isfinite(H)):
                return np.zeros_like(g), "the Hessian is not finite here."
            if abs(np.linalg.det(H)) < 1e-12 * max(1.0, float(np.abs(H).max()) ** len(g)):
                return np.zeros_like(g), "the Hessian is singular here, so Newton's step " \
                                         "-H^-1 grad C is undefined."
            eig = np.linalg.eigvalsh(0.5 * (H + H.T))
            self.inside = {"curvature": np.pad(eig, (0, 2 - len(eig)), constant_values=np.nan)}
            return -np.linalg.solve(H, g), ""
        raise KeyError(f"unknown method {k!r}; known: {', '.join(METHODS)}")


def run(surface, start: Sequence[float], method: str = "gd",
        settings: Optional[Settings] = None,
        should_stop: Optional[Callable[[], bool]] = None) -> Trajectory:
    """Descend ``surface`` (anything with ``value_at``, ``gradient_at``, ``hessian_at``
    and ``dim``) from ``start`` by ``method`` for at most ``settings.steps`` steps.

    ``should_stop`` is asked every few steps; when it says True the run is abandoned
    with ``Stale`` (a newer change made it useless)."""
    if method not in METHODS:
        raise KeyError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    s = settings or Settings()
    if not (math.isfinite(s.eta) and s.eta > 0):
        raise ValueError(f"eta must be a positive number, not {s.eta!r}")
    if not (math.isfinite(s.epsilon) and s.epsilon > 0):
        raise ValueError(f"epsilon must be a positive number, not {s.epsilon!r}")
    if s.alpha is not None and not (math.isfinite(s.alpha) and s.alpha > 0):
        raise ValueError(f"alpha must be a positive number, not {s.alpha!r}")
    if s.steps < 0:
        raise ValueError("steps must be >= 0")
    dim = surface.dim
    v = np.array(start, dtype=float).reshape(dim)
    rng = np.random.default_rng(s.seed)
    rule = _Rule(method, s, dim)

    def noisy(g):
        return g + s.noise * rng.standard_normal(dim) if s.noise > 0 else g

    def grad_seen(p):
        with np.errstate(all="ignore"):
            return noisy(surface.gradient_at(p))

    def hess_at(p):
        with np.errstate(all="ignore"):
            return surface.hessian_at(p)

    with np.errstate(all="ignore"):
        C = surface.value_at(v)
        g = surface.gradient_at(v)
    vs, Cs, gs, dvs, pred, act, seen = [v], [C], [g], [], [], [], []
    inside: Dict[str, list] = {name: [] for name in STATE_NAMES[method]}
    status, message = "ok", ""
    if not (np.all(np.isfinite(v)) and math.isfinite(C) and np.all(np.isfinite(g))):
        status = "domain"
        message = "The function is not defined at the starting point."
    else:
        for k in range(s.steps):
            if should_stop is not None and k % 32 == 0 and should_stop():
                raise Stale()
            if s.noise == 0 and float(np.linalg.norm(g)) < s.tol:
                status, message = "converged", \
                    f"At rest after {k} step{'' if k == 1 else 's'}: grad C = 0 here."
                break
            g_seen = noisy(g)
            with np.errstate(all="ignore"):   # g is grad C(v), computed at the last step
                dv, problem = rule.step(v, g_seen, grad_seen, hess_at)
            if problem:
                status, message = "singular", f"Stopped at step {k}: {problem}"
                break
            new_v = v + dv
            with np.errstate(all="ignore"):
                new_C = surface.value_at(new_v) if np.all(np.isfinite(new_v)) else math.nan
                new_g = surface.gradient_at(new_v)
            dvs.append(dv)
            seen.append(g_seen)
            for name in inside:
                inside[name].append(rule.inside.get(name, np.full(dim, np.nan)))
            pred.append(float(np.dot(g, dv)))
            act.append(new_C - C)
            vs.append(new_v)
            Cs.append(new_C)
            gs.append(new_g)
            v, C, g = new_v, new_C, new_g
            if not np.all(np.isfinite(v)) or float(np.max(np.abs(v))) > s.bound \
                    or math.isinf(C) or abs(C) > 1e300:
                status = "diverged"
                advice = {"fixed": "epsilon is too large: make it smaller.",
                          "newton": "Newton's step does not fit this function here."}.get(
                    method, f"{step_name(method, s)} is too large: make it smaller.")
                message = f"Diverged at step {k + 1}: the ball flew off to infinity; {advice}"
                break
            if math.isnan(C) or not np.all(np.isfinite(g)):
                status = "domain"
                message = (f"Stopped at step {k + 1}: the function is not defined at "
                           f"v = ({', '.join(f'{x:.3g}' for x in v)}).")
                break
    return Trajectory(
        method, np.array(vs), np.array(Cs, dtype=float), np.array(gs),
        np.array(dvs).reshape(-1, dim), np.array(pred, dtype=float),
        np.array(act, dtype=float), status, message, np.array(seen).reshape(-1, dim),
        {name: (np.array(rows, dtype=float) if rows else np.zeros((0, dim)))
         for name, rows in inside.items()})


def step_name(method: str, s: Settings) -> str:
    """The name of the step parameter ``method`` uses, as the controls call it."""
    if method == "fixed":
        return "epsilon"
    if method in ADAPTIVE and s.alpha is not None:
        return "alpha"
    return "eta"


def run_all(surface, start: Sequence[float], methods: Sequence[str],
            settings: Optional[Settings] = None,
            should_stop: Optional[Callable[[], bool]] = None) -> Dict[str, Trajectory]:
    """One trajectory per method, all from the same start with the same settings."""
    return {m: run(surface, start, m, settings, should_stop) for m in methods}
