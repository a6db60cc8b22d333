"""The link between the drawing pad and the Inside panel: one per session.

The pad tells the Inside panel which digit is on it (and the label the learner chose),
so that the unit pictures can show that digit's activations and gradients; the Inside
panel's gallery asks the pad to show a test image. Neither panel needs the other: each
talks to ``link_of(session)``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class PadLink(QObject):
    """``digit(x or None, label or None)``: the pad's digit changed (label None: the top
    guess); ``picture_requested(image (784,), true label, test index)``: put this test
    image on the pad and show the pad."""

    digit = Signal(object, object)
    picture_requested = Signal(object, int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.x = None
        self.label = None

    def set_digit(self, x, label) -> None:
        self.x, self.label = x, label
        self.digit.emit(x, label)


def link_of(session) -> PadLink:
    """The session's ``PadLink``, made on first use (a child of the session)."""
    link = getattr(session, "_pad_link", None)
    if link is None:
        link = PadLink(session if isinstance(session, QObject) else None)
        session._pad_link = link
    return link
