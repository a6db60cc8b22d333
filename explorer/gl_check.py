"""Can this display give us an OpenGL context? Asked once, before any GL widget exists.

Qt's ``offscreen`` platform and some remote displays cannot; then the descent panel
shows its contour map alone and says why (it must never crash for it).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Tuple


@lru_cache(maxsize=1)
def opengl_available() -> Tuple[bool, str]:
    """(True, "") or (False, why) for the running QGuiApplication."""
    if os.environ.get("GD_EXPLORER_NO_GL"):
        return False, "OpenGL is switched off (--no-gl or GD_EXPLORER_NO_GL)."
    from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext

    platform = QGuiApplication.platformName()
    if platform in ("offscreen", "minimal"):
        return False, f"Qt's '{platform}' platform cannot create OpenGL contexts."
    try:
        import OpenGL.GL  # noqa: F401  (pyqtgraph.opengl needs PyOpenGL)
    except Exception as exc:  # pragma: no cover - depends on the machine
        return False, f"PyOpenGL cannot be loaded: {exc}"
    ctx = QOpenGLContext()
    if not ctx.create():
        return False, "No OpenGL context could be created on this display."
    surface = QOffscreenSurface()
    surface.create()
    ok = ctx.makeCurrent(surface)
    if ok:
        ctx.doneCurrent()
    surface.destroy()
    if not ok:
        return False, "An OpenGL context was created but could not be made current."
    return True, ""
