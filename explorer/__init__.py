"""The Qt side of Gradient Descent Explorer: one module per panel, the main window,
the shared session and the training worker. Views take their model in the
constructor and connect to its signals; the maths lives in ``engine``."""

# PySide6 6.12.0 on Python 3.11 takes a reference from None on every void Qt call, which
# aborts a long session; the guard is a no-op where that bug is absent (see pyside_guard).
from explorer import pyside_guard as _pyside_guard  # noqa: E402

_pyside_guard.apply()
