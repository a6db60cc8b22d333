"""Spread the painting of several plots over turns of the event loop.

A plot of a few thousand points takes 15-35 ms to paint in software; when new data
reaches three plots at once, the window's next paint does all three in one piece and
the window's thread is busy for 60-100 ms. ``paint_in_turns(a, b, c)`` holds their
painting back and lets them repaint one per turn, ``TURN_MS`` apart: the window's other
timers and events get in between. Their data is set at once; only the painting waits,
and each keeps its old pixels until its turn. Used by the descent panel (long trails
arriving for every rule) and the Real network panel's tabs (a job's results)."""

from __future__ import annotations

from typing import Callable, Union

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

_waiting: list = []      # widgets held back by ``paint_in_turns``, in the order they paint
_chain = [False]         # a turn is scheduled
TURN_MS = 8              # ms between turns: the window's other timers and events get in between


def paint_in_turns(*views: Union[QWidget, Callable[[], None], None]) -> None:
    """Let ``views`` (plots whose data or size just changed) repaint one per turn of the
    event loop, ``TURN_MS`` apart, instead of all in the window's next paint. A view
    already waiting keeps its place; ``None`` is skipped. A callable in ``views`` (work
    that makes a plot's next paint, such as setting its data) is called in its own turn,
    in the same order."""
    for view in views:
        if view is not None and view not in _waiting:
            if _is_view(view):
                view.setUpdatesEnabled(False)
            _waiting.append(view)
    if _waiting and not _chain[0]:
        _chain[0] = True
        # the first turn TURN_MS after the work going on now ends (a timer started now
        # would be due when that work ends, and run in the same turn)
        QTimer.singleShot(0, _arm)


def _arm() -> None:
    QTimer.singleShot(TURN_MS, _next_turn)


def waiting(view) -> bool:
    """Whether ``view`` (a widget or a callable) still waits for its turn."""
    return view in _waiting


def painting() -> bool:
    """True while plots wait for their turn to paint (``paint_in_turns``)."""
    return bool(_waiting)


def forget(view) -> None:
    """Take ``view`` out of the queue (its work was done another way); a widget paints
    again as usual."""
    while view in _waiting:
        _waiting.remove(view)
    if _is_view(view):
        view.setUpdatesEnabled(True)


def _is_view(view) -> bool:
    """A widget, or a window that paints like one (the 3-D view): not work to call."""
    return isinstance(view, QWidget) or hasattr(view, "setUpdatesEnabled")


def _next_turn() -> None:
    view = _waiting.pop(0) if _waiting else None
    try:
        if view is not None and not _is_view(view):
            view()
        elif view is not None:
            try:
                view.setUpdatesEnabled(True)
                if view.isVisible():
                    view.repaint()             # now, in this turn, not with the next one
            except RuntimeError:               # deleted meanwhile (a closed window)
                pass
    finally:                                   # (a failing callable does not stop the rest)
        if _waiting:
            QTimer.singleShot(TURN_MS, _next_turn)
        else:
            _chain[0] = False
