"""Signals for the panels' plain-Python models, with no Qt.

A model declares ``changed = Event()`` as a class attribute; each instance then has its
own list of listeners: ``model.changed.connect(callback)``, ``model.changed.emit(...)``.
The same three words as Qt's signals, so a Qt view connects to a model the way it
connects to a widget, and a test can drive the model with no QApplication. Listeners
are called at once, in the thread that emits (models are used from the GUI thread).
"""

from __future__ import annotations

from typing import Callable, List


class BoundEvent:
    """One instance's listeners of one event."""

    __slots__ = ("_listeners",)

    def __init__(self):
        self._listeners: List[Callable] = []

    def connect(self, callback: Callable) -> None:
        self._listeners.append(callback)

    def disconnect(self, callback: Callable) -> None:
        self._listeners.remove(callback)

    def emit(self, *args) -> None:
        for callback in list(self._listeners):
            callback(*args)


class Event:
    """A class attribute that gives each instance its own ``BoundEvent``."""

    def __set_name__(self, owner, name: str) -> None:
        self._attr = f"_event_{name}"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        bound = obj.__dict__.get(self._attr)
        if bound is None:
            bound = obj.__dict__[self._attr] = BoundEvent()
        return bound
