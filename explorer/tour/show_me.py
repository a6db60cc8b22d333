"""The tour's "Show me" actions: each sets the app to a state that shows one idea and
names the widget to look at.

``ACTIONS[name](window)`` takes the main window (its ``panels`` dict and ``tabs``), sets
things only through the panels' public methods (the descent model's ``set_mode``,
``set_function``, ``set_methods``, ``set_settings``...; the training controls'
``apply_preset``; the drawing pad's ``show_noise``) and returns a ``Shown``: the panel's
key, the widget to point at, a sentence for the tour's note, and, for the one step that
depends on the computed trails, ``then``: a function to call once the trails are in
(``ready(window)`` says when; the descent panel may compute them on a worker thread).

A step whose panel is not in this window raises ``Skip`` with a message saying so.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import numpy as np
from PySide6.QtWidgets import QTabWidget, QWidget

# Panels the later steps use when the window has them (colleagues are building them).
NETWORK_PANELS = ("network", "landscape")
INSIDE_PANEL = "inside"

OVERSHOOT = dict(function="himmelblau", eta=0.02, steps=100)   # bounces, C goes up at 9
CRAWL = dict(function="himmelblau", eta=0.0005, steps=150)


class Skip(Exception):
    """This step cannot be shown in this window; ``str()`` says why."""


@dataclass
class Shown:
    panel: str                               # the key of the tab shown
    target: Optional[QWidget]                # the widget to point at
    note: str = ""
    then: Optional[Callable[[], None]] = None   # once ``ready`` is true


# ---------------------------------------------------------------------- helpers
def panel(window, key: str):
    p = getattr(window, "panels", {}).get(key)
    if p is None:
        raise Skip(f"This step needs the {key.title()} panel, which this window does not "
                   f"have; go on with Next.")
    return p


def go_to(window, key: str):
    """Bring panel ``key``'s tab to the front and return the panel."""
    p = panel(window, key)
    i = window.tabs.indexOf(p)
    if i >= 0:
        window.tabs.setCurrentIndex(i)
    return p


def _part(p, *names) -> QWidget:
    """The first of ``p``'s attributes ``names`` that is a widget, else ``p`` itself."""
    for name in names:
        w = getattr(p, name, None)
        if isinstance(w, QWidget):
            return w
    return p


def descent_ready(window) -> bool:
    """Whether the descent panel's trails for its current settings are all in."""
    m = window.panels["descent"].model
    return (not getattr(m, "busy", False) and not getattr(m, "partial", False)
            and m.primary in m.trajectories)


def _descent(window, function: str, methods=("gd",), dim: int = 2, **settings):
    """Show the descent panel with ``function`` and the rules ``methods`` (the first
    is the one the readout follows), then ``settings`` (eta, steps, epsilon...)."""
    p = go_to(window, "descent")
    if hasattr(p, "set_playing"):
        p.set_playing(False)
    m = p.model
    holding = getattr(m, "holding", None)
    with holding() if holding is not None else contextlib.nullcontext():
        m.set_mode(dim)
        if not m.set_function(function):
            raise Skip(f"The descent panel has no function called {function!r}.")
        m.set_methods(list(methods))
        if hasattr(m, "set_primary"):
            m.set_primary(methods[0])
        if settings:
            m.set_settings(**settings)
    return p


def _training(window, preset: Optional[int] = None):
    """Show the training panel; choose ``preset`` unless a run is under way (the
    settings cannot change then). Returns (panel, note)."""
    p = go_to(window, "training")
    note = ""
    if preset is not None:
        if getattr(p, "running", False):
            note = "Training is running, so its settings were left as they are."
        else:
            p.controls.apply_preset(preset)
    return p, note


def _field(p, name: str) -> QWidget:
    return p.controls.fields.get(name) or p.controls


def _plot(p, name: str) -> QWidget:
    plots = getattr(p, "plots", None)
    table = getattr(plots, "plots", {}) if plots is not None else {}
    if name in table:
        return table[name][0]
    return _part(p, "plots")


# ---------------------------------------------------------------------- the actions
def show_cost(window) -> Shown:
    p, note = _training(window, 0)
    return Shown("training", _plot(p, "epoch-cost"), note)


def show_accuracy(window) -> Shown:
    p, note = _training(window, 0)
    return Shown("training", _plot(p, "epoch-accuracy"), note)


def show_calculus(window) -> Shown:
    p = _descent(window, "himmelblau", ("gd",))
    return Shown("descent", _part(p, "contour"))


def show_ball(window) -> Shown:
    p = _descent(window, "bowl", ("gd",), eta=0.1, steps=60)
    view = getattr(p, "view3d", None)
    target = view.container if view is not None and hasattr(view, "container") else p.contour

    def play():
        if hasattr(p, "set_playing"):
            p.set_playing(True)
    return Shown("descent", target, then=play)


def show_not_physics(window) -> Shown:
    p = _descent(window, "ravine", ("gd", "momentum"), eta=0.02, steps=150, mu=0.9)
    return Shown("descent", _part(p, "contour"))


def show_linear(window) -> Shown:
    p = _descent(window, "himmelblau", ("gd",), eta=0.005, steps=150)
    return Shown("descent", _part(p, "readout"))


def show_choose(window) -> Shown:
    p = _descent(window, "himmelblau", ("gd",), eta=0.01, steps=150)
    return Shown("descent", _part(p, "cost_plot"))


def show_eta_large(window) -> Shown:
    f = OVERSHOOT
    p = _descent(window, f["function"], ("gd",), eta=f["eta"], steps=f["steps"])

    def at_overshoot():
        """Show the first step at which C went up."""
        m = p.model
        t = m.trajectories.get("gd")
        if t is not None:
            up = np.nonzero(np.asarray(t.actual) > 0)[0]
            if len(up):
                m.set_step(int(up[0]))
    return Shown("descent", _part(p, "readout"), then=at_overshoot)


def show_eta_small(window) -> Shown:
    f = CRAWL
    p = _descent(window, f["function"], ("gd",), eta=f["eta"], steps=f["steps"])
    return Shown("descent", _part(p, "cost_plot"))


def show_fixed(window) -> Shown:
    p = _descent(window, "bowl", ("gd", "fixed"), eta=0.1, epsilon=0.1, steps=60)
    return Shown("descent", _part(p, "contour"))


def show_one_variable(window) -> Shown:
    p = _descent(window, "doublewell", ("gd",), dim=1, eta=0.05, steps=100)

    def at_start():
        """The first step: a steep tangent, and the curve already bending away."""
        p.model.set_step(0)
    return Shown("descent", _part(p, "curve"), then=at_start)


def show_newton(window) -> Shown:
    p = _descent(window, "ravine", ("gd", "newton"), eta=0.02, steps=150)
    return Shown("descent", _part(p, "contour"))


def show_many(window) -> Shown:
    for key in NETWORK_PANELS:
        if key in getattr(window, "panels", {}):
            p = go_to(window, key)
            inner, landscape = getattr(p, "tabs", None), getattr(p, "landscape", None)
            if isinstance(inner, QTabWidget) and isinstance(landscape, QWidget) \
                    and inner.indexOf(landscape) >= 0:
                inner.setCurrentWidget(landscape)
                return Shown(key, landscape,
                             "The real network's cost landscape: train it from the bar "
                             "above and its path through all 23,860 weights and biases is "
                             "drawn on a plane, as the ball's path is on the surface.")
            return Shown(key, p)
    p, note = _training(window, 0)
    extra = ("There is no real-network landscape panel in this window yet, so here is "
             "the training panel, where the same η drives all 23,860 variables.")
    return Shown("training", _field(p, "eta"), " ".join(x for x in (extra, note) if x))


def show_sgd(window) -> Shown:
    p, note = _training(window, 0)
    return Shown("training", _field(p, "m"), note)


def show_conventions(window) -> Shown:
    p, note = _training(window, 0)
    return Shown("training", _field(p, "eta"), note)


def show_video(window) -> Shown:
    p, note = _training(window, 1)
    return Shown("training", _field(p, "sizes"), note)


def show_inside(window) -> Shown:
    panels = getattr(window, "panels", {})
    if INSIDE_PANEL in panels:
        p = go_to(window, INSIDE_PANEL)
        return Shown(INSIDE_PANEL, _part(p, "unit_scroll", "unit_grid"),
                     "The hidden units' weights, one picture each. Further down this panel: "
                     "the random-labels experiment; on the Drawing pad, the Noise button.")
    if "drawing" not in panels:
        raise Skip("This step needs the Inside panel or the Drawing pad, and this window "
                   "has neither; it is the last step.")
    p = go_to(window, "drawing")
    p.show_noise()
    return Shown("drawing", _part(p, "bars"),
                 "There is no Inside panel in this window yet, so the drawing pad shows "
                 "the network one picture of noise (its Noise button).")


ACTIONS: Dict[str, Callable[[object], Shown]] = {
    "cost": show_cost, "accuracy": show_accuracy, "calculus": show_calculus,
    "ball": show_ball, "not_physics": show_not_physics, "linear": show_linear,
    "choose": show_choose, "eta_large": show_eta_large, "eta_small": show_eta_small,
    "fixed": show_fixed, "one_variable": show_one_variable, "newton": show_newton,
    "many": show_many, "sgd": show_sgd, "conventions": show_conventions,
    "video": show_video, "inside": show_inside,
}

# What each action needs to be ready before its ``then`` runs (default: nothing).
READY: Dict[str, Callable[[object], bool]] = {
    name: descent_ready for name in ("ball", "eta_large", "one_variable")
}
