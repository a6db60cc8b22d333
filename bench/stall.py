"""How long the window's thread goes without answering: the gaps between the ticks of a
QTimer on it. A gap much longer than the interval is a stall (work on the window's thread,
or the scheduler giving the CPU to others on a loaded machine).

    meter = GapMeter(interval_ms=5)
    meter.start()          # gaps from now on (again: the list starts empty)
    ...                    # pump the event loop while the work runs
    meter.stop()
    meter.longest()        # ms

Used by the benchmarks that print a "longest gap"; it needs a QApplication.
"""

from __future__ import annotations

import time
from typing import List, Optional


class GapMeter:
    """Gaps (ms) between the ticks of an ``interval_ms`` QTimer on the window's thread."""

    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.last: Optional[float] = None
        self.gaps: List[float] = []

    def tick(self) -> None:
        now = time.perf_counter()
        if self.last is not None:
            self.gaps.append((now - self.last) * 1000)
        self.last = now

    def start(self) -> None:
        """Forget the gaps so far and measure from now (the timer (re)started)."""
        self.gaps, self.last = [], time.perf_counter()
        self.timer.start()

    def stop(self, count_last: bool = False) -> None:
        """Stop the timer; ``count_last``: the time since the last tick is a gap too."""
        self.timer.stop()
        if count_last:
            self.tick()

    def longest(self) -> float:
        """The longest gap in ms (0 when there was none)."""
        return max(self.gaps, default=0.0)
