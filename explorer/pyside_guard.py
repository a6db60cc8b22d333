"""A guard against a reference-counting bug of PySide6 6.12.0 on Python 3.11.

With PySide6/shiboken6 6.12.0 on CPython 3.11, every call of a Qt method that returns
nothing (``label.setText``, ``painter.drawPath``, ``widget.update``, ...) takes one
reference from ``None`` without having given it one; some bool-returning paths do the
same to ``True``/``False``. After a few thousand such calls (a minute of drawing on the
pad, or a long training run) ``None``'s count reaches zero and the interpreter aborts
with "Fatal Python error: none_dealloc". PySide6 6.11.3 does not have the bug; on Python
3.12 and later ``None``, ``True`` and ``False`` are immortal (PEP 683) and the bug is harmless.

``apply()`` checks whether the bug is present (a few calls of a void Qt method, and
whether ``None`` lost references) and, only then, gives ``None``, ``True`` and ``False``
a very large reference count, which is what Python 3.12 does for them. It is idempotent
and does nothing where the bug is absent. The right fix is to use a PySide6 without the
bug (or Python >= 3.12); this guard keeps the app from crashing meanwhile.
The project pins PySide6 away from 6.12.0; the guard covers an environment that has it anyway.
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40
_applied = False


def leaks_none() -> bool:
    """True when a void PySide6 method takes a reference from None (the bug)."""
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(50):
        obj.setObjectName("probe")
    return sys.getrefcount(None) < before - 25


def apply() -> bool:
    """Make None/True/False safe from the bug when it is present; True if applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not leaks_none():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every object in a CPython (release) build
        ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
    _applied = True
    return True
