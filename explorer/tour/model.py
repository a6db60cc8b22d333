"""Where the learner is in the tour, and how that place is remembered between runs.

Plain Python (no Qt). The dock shows ``tour.step`` and calls ``next()``, ``back()`` and
``go(i)``; ``step_changed`` tells it (and anyone else) the new index. ``saved()`` is the
small value the main window keeps in its settings (the step's key, not its number, so a
step added later does not move a learner to another idea); ``restore(value)`` puts it back
and ignores anything it cannot use.
"""

from __future__ import annotations

from typing import Sequence

from explorer.events import Event
from explorer.tour.steps import STEPS, Step

SETTINGS_KEY = "tour/step"          # the main window's settings key for the saved place
OFFERED_KEY = "tour/offered"        # set once the tour has been offered on a first launch


class TourModel:
    """The tour's position among ``steps`` (the chapter's argument, in order)."""

    step_changed = Event()          # the new index (int)

    def __init__(self, steps: Sequence[Step] = STEPS):
        if not steps:
            raise ValueError("a tour needs at least one step")
        self.steps = tuple(steps)
        self.index = 0

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    @property
    def count(self) -> int:
        return len(self.steps)

    def at_start(self) -> bool:
        return self.index == 0

    def at_end(self) -> bool:
        return self.index == len(self.steps) - 1

    def go(self, index: int) -> None:
        """Show step ``index`` (clamped to the tour)."""
        index = max(0, min(int(index), len(self.steps) - 1))
        if index != self.index:
            self.index = index
            self.step_changed.emit(index)

    def next(self) -> None:
        self.go(self.index + 1)

    def back(self) -> None:
        self.go(self.index - 1)

    # ------------------------------------------------------------------ memory
    def saved(self) -> str:
        return self.step.key

    def restore(self, value) -> bool:
        """Go to the step whose key is ``value``; False (and no change) for anything
        else: an unknown key, a number, None, a huge string."""
        if not isinstance(value, str) or len(value) > 100:
            return False
        for i, s in enumerate(self.steps):
            if s.key == value:
                self.go(i)
                return True
        return False
