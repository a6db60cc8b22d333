"""How the main window gets the tour: a Help > Tour action, the dock made on first use,
and the offer on a first launch.

``add_tour_action(window, menu)`` adds the action; ``open_tour(window)`` makes (once) and
shows the ``TourDock``; ``offer_tour(window)`` opens it if these settings have never
offered it before (the main window calls it only for a normal start, never for
``--screenshot`` runs or tests, unless they ask).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from explorer.tour.model import OFFERED_KEY


def add_tour_action(window, menu) -> QAction:
    action = QAction("&Tour: Learning with Gradient Descent", window)
    action.setObjectName("tour-action")
    action.setShortcut(QKeySequence("F1"))
    action.setToolTip("Chapter 1's argument step by step, each step showing it in the app")
    action.triggered.connect(lambda _=False: open_tour(window))
    menu.addAction(action)
    window.tour_action = action
    return action


def open_tour(window):
    """The window's tour dock, made on first use, shown and raised."""
    from explorer.tour.dock import TourDock

    dock = getattr(window, "tour_dock", None)
    if dock is None:
        dock = TourDock(window, window.settings)
        window.addDockWidget(Qt.RightDockWidgetArea, dock)
        window.tour_dock = dock
    dock.show()
    dock.raise_()
    return dock


def offer_tour(window) -> bool:
    """Open the tour if it was never offered with these settings; True if it was now."""
    if str(window.settings.value(OFFERED_KEY, "")).lower() in ("1", "true"):
        return False
    window.settings.setValue(OFFERED_KEY, "1")
    open_tour(window)
    window.statusBar().showMessage(
        "New here? The Tour on the right walks through the chapter; close it any time "
        "and open it again from Help > Tour (F1).", 15000)
    return True
