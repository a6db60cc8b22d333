"""What the descent views (the contour map, the one-variable curve and the 3-D surface;
the Real network panel shows its landscape in the same views) do alike: follow the
model's events, and keep one line and one ball for each rule's trail."""

from __future__ import annotations

from typing import Callable, Tuple


def follow_model(view) -> None:
    """Draw ``view.model`` in ``view`` now and after each change: the model's events call
    the view's ``rebuild_surface``, ``rebuild_trails``, ``show_step(k)`` and
    ``_show_start``."""
    m = view.model
    m.surface_changed.connect(view.rebuild_surface)
    m.trajectories_changed.connect(view.rebuild_trails)
    m.step_changed.connect(view.show_step)
    m.start_changed.connect(view._show_start)
    view.rebuild_surface()
    view.rebuild_trails()


def sync_trails(view, shown: bool, make: Callable[[str], Tuple[object, object]],
                add: Callable[[object], None], remove: Callable[[object], None]) -> bool:
    """Keep ``view.trails`` and ``view.balls`` (rule key -> item) to the model's
    trajectories: the items of a rule no longer there (of every rule, when the view does
    not show the model now: not ``shown``) are taken off with ``remove``; a new rule gets
    ``make(key)`` -> (line, ball), both put on with ``add``. Returns ``shown``."""
    m = view.model
    for key in list(view.trails):
        if key not in m.trajectories or not shown:
            remove(view.trails.pop(key))
            remove(view.balls.pop(key))
    if not shown:
        return False
    for key in m.trajectories:
        if key not in view.trails:
            line, ball = make(key)
            add(line)
            add(ball)
            view.trails[key], view.balls[key] = line, ball
    return True
