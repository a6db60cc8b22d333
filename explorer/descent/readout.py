"""The descent panel's readout: one step of the readout rule, every line about that
step, what the rule did inside, and a verdict on the prediction dC = grad C . dv.

The step described is named ("step 12: from v12 to v13"): at the ball's point v_k it is
the step about to be taken; at the end of a trail it is the last step taken, and every
line (v, C, grad C, dv, the two changes, the rule's state) then belongs to that step.
All text is built here from numbers and fixed words; anything that came from the user
(a formula, an error quoting it) is escaped before it reaches rich text.
"""

from __future__ import annotations

import html
import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from engine.narrate import fmt, fmt_ratio, fmt_vec
from engine.optimizers import ADAPTIVE, METHODS
from explorer.descent.model import COLOURS, DescentModel

# the rule's inside, as the readout names it: (state key, label)
STATE_ROWS = {
    "fixed": (("rate", "ε/|∇C|"),),
    "momentum": (("carried", "μu (carried)"), ("push", "−η∇C (push)"), ("u", "new u = Δv")),
    "nesterov": (("carried", "μu (carried)"), ("ahead", "look-ahead v+μu"),
                 ("g_ahead", "∇C at look-ahead"), ("push", "−η∇C(ahead)")),
    "adagrad": (("G", "G = Σ g² so far"), ("rate", "per-coordinate step η/√G")),
    "rmsprop": (("S", "S = avg of g² (ρ)"), ("rate", "per-coordinate step η/√S")),
    "adam": (("m", "m (1st moment)"), ("s", "s (2nd moment)"),
             ("correction", "bias corrections ×"), ("m_hat", "m̂ = corrected m"),
             ("s_hat", "ŝ = corrected s"), ("rate", "per-coordinate step α/√ŝ")),
    "newton": (("curvature", "curvatures (eigenvalues of H)"),),
}


def step_parameter(method: str, model: DescentModel) -> str:
    """What to make smaller when ``method`` overshoots, in the controls' words."""
    if method == "fixed":
        return "the step length ε"
    if method in ADAPTIVE:
        return "η" if model.same_eta else "the step size α"
    if method in ("momentum", "nesterov"):
        return "η (or μ)"
    return "η"


def verdict(model: DescentModel, method: str, predicted: float, actual: float,
            scale: float = 1.0) -> str:
    """One sentence (rich text) on how the step's actual change compares with the
    prediction, with advice that fits the rule."""
    if not math.isfinite(actual):
        return "<span style='color:#b00020'>C is not defined where this step landed.</span>"
    if abs(predicted) <= 1e-12 * max(1.0, abs(scale)):
        return ("<span style='color:#555'>The changes are down at rounding level: "
                "the ball has stopped moving.</span>")
    if predicted > 0:
        if model.settings.noise > 0:
            why = ("the noise added to the gradient pushed the ball uphill. That is the "
                   "noise of a mini-batch estimate, not a too-large step.")
        elif method in ("momentum", "nesterov"):
            why = "the velocity carried from earlier steps (μu) points uphill here."
        elif method == "adam":
            why = "Adam's averaged gradient m̂ still points the way the slope used to go."
        elif method == "newton":
            why = ("Newton's step heads for the flat point of the local quadratic, which "
                   "here is not a minimum.")
        else:
            why = "the rule's step does not point downhill here."
        return ("<span style='color:#b35c00'><b>The step pointed uphill</b> (∇C·Δv is "
                f"positive): {why}</span>")
    if method == "newton":
        advice = "the quadratic model behind Newton's step does not hold here."
    else:
        advice = f"{step_parameter(method, model)} is too large for this slope."
    ratio = actual / predicted
    if actual > 0:
        return f"<span style='color:#b00020'><b>C went up.</b> The step overshot: {advice}</span>"
    if 0.9 <= ratio <= 1.1:
        return ("<span style='color:#1b7e1b'>Prediction holds (actual/predicted = "
                f"{fmt_ratio(ratio)}): the step is small enough for ∇C·Δv to be a good "
                "guide.</span>")
    if method == "newton":
        tail = "Newton's step length is not a setting: it trusts the curvature."
    else:
        tail = f"a smaller {step_parameter(method, model)} keeps it honest."
    return (f"<span style='color:#b35c00'>Actual/predicted = {fmt_ratio(ratio)}: the linear "
            f"approximation is breaking down; {tail}</span>")


class Readout(QLabel):
    """The numbers of the readout rule at the step shown, and how the race stands."""

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.setObjectName("readout")
        self.setTextFormat(Qt.RichText)
        self.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.setMinimumWidth(420)
        model.step_changed.connect(self.refresh)     # follows every new set of trails too
        model.busy_changed.connect(self.refresh)
        self.lines = {}                 # label -> text of the last refresh (for tests)
        self.refresh()

    def described_step(self):
        """(trajectory, k): the readout rule's trail and the step k described (from v_k
        to v_k+1), or k = None when the trail has no step."""
        m = self.model
        t = m.trajectories.get(m.primary)
        if t is None:
            return None, None
        if t.steps == 0:
            return t, None
        return t, min(m.index(m.primary), t.steps - 1)

    def refresh(self, *_):
        with np.errstate(all="ignore"):        # far-flung balls: huge numbers are fine
            self._refresh()

    def _refresh(self):
        m = self.model
        t, k = self.described_step()
        if t is None:
            self.lines = {}
            self.setText("<i>Computing the trails…</i>" if m.busy else
                         "<i>Tick an update rule to see the ball roll.</i>")
            return
        name = METHODS[m.primary].name
        colour = COLOURS[m.primary]
        at = m.index(m.primary)
        rows = []
        if k is None:
            title = "at v0 (no step taken)"
            rows += [("v0", fmt_vec(t.v[0])), ("C(v0)", fmt(float(t.C[0])))]
        else:
            title = f"step {k}: from v{k} to v{k + 1}"
            rows += [(f"v{k}", fmt_vec(t.v[k])), (f"C(v{k})", fmt(float(t.C[k]))),
                     (f"∇C(v{k})", fmt_vec(t.grad[k])),
                     (f"|∇C(v{k})|", fmt(float(np.linalg.norm(t.grad[k]))))]
            st = t.state_at(k)
            if m.settings.noise > 0 and "seen" in st:
                rows.append(("g seen (∇C + noise)", fmt_vec(st["seen"])))
            for key, label in STATE_ROWS.get(m.primary, ()):
                if key in st:
                    rows.append((label, fmt_vec(st[key])))
            rows += [("Δv", fmt_vec(t.dv[k])), ("|Δv|", fmt(float(np.linalg.norm(t.dv[k])))),
                     ("predicted ΔC = ∇C·Δv", fmt(float(t.predicted[k]))),
                     (f"actual ΔC = C(v{k + 1}) − C(v{k})", fmt(float(t.actual[k]))),
                     (f"lands at v{k + 1}", f"{fmt_vec(t.v[k + 1])}, C = {fmt(float(t.C[k + 1]))}")]
        self.lines = dict(rows)
        self.lines["title"] = title
        where = f"shown: step {m.step} of {m.max_step()}"
        if at >= t.steps and t.steps < m.max_step():
            where += f" (this trail ended at step {t.steps})"
        elif k is not None and at > k:
            where += " (the end of this trail: its last step)"
        if m.busy:
            where += " — computing…" if not m.partial else " — computing the rest…"
        self.lines["where"] = where
        table = "".join(f"<tr><td style='color:#555; padding-right:8px'>{html.escape(a)}</td>"
                        f"<td><tt>{html.escape(b)}</tt></td></tr>" for a, b in rows)
        judged = ""
        if k is not None:
            judged = verdict(m, m.primary, float(t.predicted[k]), float(t.actual[k]),
                             float(t.C[0]))
        status = ""
        if t.message and at >= t.steps:
            colour_msg = "#b00020" if t.status in ("diverged", "domain", "singular") else "#1b7e1b"
            status = f"<p style='color:{colour_msg}'><b>{html.escape(t.message)}</b></p>"
        race = []
        for key, tr in m.trajectories.items():
            j = m.index(key)
            flag = {"diverged": " — diverged", "domain": " — left the domain",
                    "singular": " — stopped", "converged": " — at rest"}.get(tr.status, "")
            flag = flag if j >= tr.steps and tr.status != "ok" else ""
            race.append(f"<span style='color:{COLOURS[key]}'>●</span> "
                        f"{html.escape(METHODS[key].name)}: C = {html.escape(fmt(float(tr.C[j])))}"
                        f"{flag}")
        skipped = [METHODS[key].name for key in m.methods if key not in m.trajectories]
        note = ""
        if skipped and not m.busy:
            note = (f"<br><span style='color:#777'>{html.escape(', '.join(skipped))}: needs "
                    f"the Hessian, not available for this function.</span>")
        self.setText(
            f"<table width='100%' cellspacing='0' cellpadding='0'><tr>"
            f"<td valign='top' style='padding-right:14px'>"
            f"<b style='color:{colour}'>● {html.escape(name)}</b> &nbsp; "
            f"<b>{html.escape(title)}</b><br><span style='color:#555'>{html.escape(where)}"
            f"</span><table cellspacing='0'>{table}</table></td>"
            f"<td valign='top'>{judged}{status}"
            f"<p style='color:#333'><b>At this step</b><br>{'<br>'.join(race)}{note}</p>"
            f"</td></tr></table>")

