"""One line per step saying what an update rule did and why (the descent panel's
"Narrate" option), and the number format its readout uses.

    >>> from engine import optimizers as O, surfaces
    >>> t = O.run(surfaces.SURFACES["bowl"], (1.0, 0.0), "gd", O.Settings(eta=0.1, steps=2))
    >>> narrate(t, 0, O.Settings(eta=0.1))
    'Step 0 (v0 → v1), Gradient descent: moved by −η∇C = (−0.2, 0) with η = 0.1. C fell by 0.36 (predicted 0.4).'

The words follow the book: v the position, C the cost, eta the learning rate.
"""

from __future__ import annotations

import math

import numpy as np

from engine.optimizers import METHODS, Settings, Trajectory


def fmt(x: float, digits: int = 4) -> str:
    """A number for people: 4 significant figures, no "-0.00", scientific only when
    very large or small, "0" for exactly zero."""
    x = float(x)
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        text = f"{x:.{digits}g}"
    else:
        text = f"{x:.{max(1, digits - 2)}e}"
    return text.replace("-", "−")


def fmt_ratio(x: float) -> str:
    """A ratio such as actual/predicted: two decimals, but never "-0.00"."""
    if not math.isfinite(x):
        return fmt(x)
    if abs(x) < 0.005:
        return fmt(x, 2)
    return f"{x:.2f}".replace("-", "−")


def fmt_vec(v) -> str:
    return "(" + ", ".join(fmt(float(x)) for x in np.atleast_1d(v)) + ")"


def _change(t: Trajectory, k: int) -> str:
    actual, predicted = float(t.actual[k]), float(t.predicted[k])
    if not math.isfinite(actual):
        return "C is not defined where it landed."
    if actual < 0:
        words = f"C fell by {fmt(-actual)}"
    elif actual > 0:
        words = f"C rose by {fmt(actual)}"
    else:
        words = "C did not change"
    if predicted < 0:
        words += f" (predicted {fmt(-predicted)} fall)" if actual > 0 else \
            f" (predicted {fmt(-predicted)})"
    elif predicted > 0:
        words += f" (the step itself pointed uphill: ∇C·Δv = +{fmt(predicted)})"
    return words + "."


def narrate(t: Trajectory, k: int, s: Settings) -> str:
    """One sentence on step ``k`` of ``t`` (from v_k to v_k+1): what the rule computed,
    and how C changed against the prediction ∇C·Δv."""
    if not 0 <= k < t.steps:
        raise IndexError(f"step {k} is not in this trail (0..{t.steps - 1})")
    st = t.state_at(k)
    key = t.method
    dv = t.dv[k]
    g = st.get("seen", t.grad[k])
    noisy = s.noise > 0
    grad = "g" if noisy else "∇C"          # g: the gradient plus the noise
    head = f"Step {k} (v{k} → v{k + 1}), {METHODS[key].name}: "
    lr = s.alpha if key in ("adagrad", "rmsprop", "adam") and s.alpha is not None else s.eta
    lr_name = "α" if key in ("adagrad", "rmsprop", "adam") and s.alpha is not None else "η"
    if key == "gd":
        what = f"moved by −η{grad} = {fmt_vec(dv)} with η = {fmt(s.eta)}."
    elif key == "fixed":
        what = (f"stepped a fixed length ε = {fmt(s.epsilon)} straight downhill "
                f"(|{grad}| = {fmt(float(np.linalg.norm(g)))}, so Δv = −{fmt(st['rate'][0])}"
                f"·{grad} = {fmt_vec(dv)}).")
    elif key == "momentum":
        what = (f"kept μu = {fmt_vec(st['carried'])} of its velocity and added the push "
                f"−η{grad} = {fmt_vec(st['push'])}; the new velocity "
                f"{fmt_vec(dv)} is the step.")
    elif key == "nesterov":
        what = (f"looked ahead to v + μu = {fmt_vec(st['ahead'])}, where the gradient is "
                f"{fmt_vec(st['g_ahead'])}; velocity μu − η∇C(ahead) = {fmt_vec(dv)} is the "
                f"step.")
    elif key == "adagrad":
        what = (f"the squared gradients add up to G = {fmt_vec(st['G'])}, so each coordinate "
                f"steps {lr_name}/√G = {fmt_vec(st['rate'])} times its gradient: "
                f"Δv = {fmt_vec(dv)}.")
    elif key == "rmsprop":
        what = (f"the running mean of squared gradients is S = {fmt_vec(st['S'])}, so each "
                f"coordinate steps {lr_name}/√S = {fmt_vec(st['rate'])} times its gradient: "
                f"Δv = {fmt_vec(dv)}.")
    elif key == "adam":
        c1, c2 = st["correction"]
        what = (f"averaged gradient m̂ = {fmt_vec(st['m_hat'])} (m × {fmt(c1)} bias "
                f"correction), averaged square ŝ = {fmt_vec(st['s_hat'])} (× {fmt(c2)}); "
                f"Δv = −{lr_name} m̂/√ŝ = {fmt_vec(dv)}, about {lr_name} = {fmt(lr)} per "
                f"coordinate.")
    elif key == "newton":
        lam = st["curvature"]
        kind = ("a minimum" if np.all(lam > 0) else "a maximum" if np.all(lam < 0)
                else "a saddle")
        what = (f"jumped to the flat point of the local quadratic (curvatures "
                f"{fmt_vec(lam)}: {kind}): Δv = −H⁻¹∇C = {fmt_vec(dv)}.")
    else:  # pragma: no cover - METHODS is closed
        what = f"moved by {fmt_vec(dv)}."
    tail = " (g is ∇C plus the noise.)" if noisy and key not in ("newton",) else ""
    return head + what + " " + _change(t, k) + tail
