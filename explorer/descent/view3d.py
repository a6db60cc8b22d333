"""The cost surface in 3-D (pyqtgraph.opengl): the surface, one trail and ball per rule.

Only imported when ``gl_check.opengl_available()`` says an OpenGL context can be made.
The surface mesh is rebuilt when the function changes; trails, balls and the arrow of
-grad C at the readout rule's ball (downhill in the tangent plane) are updated with
``setData``. Drag to turn the view, wheel to zoom, click the surface to start the
ball there (the click is turned into a ray and intersected with the height field).

The view is a ``QOpenGLWindow`` (pyqtgraph's ``GLViewMixin`` on a native child window,
embedded with ``QWidget.createWindowContainer``), not a ``QOpenGLWidget``: one
QOpenGLWidget anywhere in a window makes Qt compose the whole window through OpenGL on
every repaint (software Mesa here), which slowed down the other tabs, the training
plots above all. A native child window leaves the main window raster-composed.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import numpy as np
import pyqtgraph.opengl as gl
from OpenGL import GL
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from pyqtgraph.opengl.MeshData import MeshData
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMatrix4x4, QSurfaceFormat, QVector3D, QVector4D
from PySide6.QtOpenGL import QOpenGLFramebufferObject, QOpenGLFramebufferObjectFormat, QOpenGLWindow
from PySide6.QtWidgets import QToolTip, QWidget

from explorer.descent.contour import thin
from explorer.descent.model import COLOURS, DescentModel, surface_colours
from explorer.descent.trail_items import follow_model, sync_trails

SIZE = 10.0       # the domain is drawn as a SIZE x SIZE square
HEIGHT = 4.5      # ... and the shown cost range as this height
ARROW = 1.6       # length of the -grad C arrow at the ball, in the same units
DRAWN_3D = 800    # a trail's line goes through at most this many of its points: software
                  # OpenGL paints the view with 8 x 5,000-point trails in ~58 ms, with 8 x 800
                  # in ~29 (the surface alone ~22)
# balls are drawn over everything, so a ball in a valley behind a hill stays visible
BALL_OPTIONS = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True,
                "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)}


_SHADER = None


def soft_shader():
    """Like pyqtgraph's 'shaded', but lit from the camera on both sides and never darker
    than 60 %, so the pale colours (and the trails on them) stay readable."""
    global _SHADER
    if _SHADER is None:
        from pyqtgraph.opengl import shaders
        base = shaders.getShaderProgram("shaded")
        _SHADER = shaders.ShaderProgram("descentSoft", [
            base.shaders[0],
            shaders.FragmentShader("""
                #ifdef GL_ES
                precision mediump float;
                #endif
                varying vec4 v_color;
                varying vec3 v_normal;
                void main() {
                    float p = abs(dot(normalize(v_normal), normalize(vec3(0.3, 0.5, 1.0))));
                    vec3 rgb = v_color.rgb * (0.6 + 0.45 * p);
                    gl_FragColor = vec4(min(rgb, vec3(1.0)), v_color.a);
                }
            """)])
    return _SHADER


class AxisLabel(gl.GLTextItem):
    """pyqtgraph's 3-D text for a view that is a QWindow (which has no ``rect()``)."""

    def compute_projection(self):
        view = self.view()
        rect = QRectF(0, 0, view.width(), view.height())
        ndc_to_viewport = QMatrix4x4()
        ndc_to_viewport.viewport(rect.left(), rect.bottom(), rect.width(), -rect.height())
        return ndc_to_viewport * self.mvpMatrix()


class _GridMeshData(MeshData):
    """MeshData whose smooth vertex normals are computed with whole-array operations.

    pyqtgraph's own ``vertexNormals`` visits the vertices one by one in Python: for a
    200x200 surface that took 600-700 ms at the first paint after each change of surface.
    This gives the same normals (each vertex's adjacent face normals summed, then
    normalised) in a few milliseconds."""

    def vertexNormals(self, indexed=None):
        if self._vertexNormals is None:
            faces = self.faces()
            fn = self.faceNormals().astype(np.float64)
            idx = faces.ravel()
            n = self._vertexes.shape[0]
            sums = np.stack([np.bincount(idx, weights=np.repeat(fn[:, k], 3), minlength=n)
                             for k in range(3)], axis=1)
            length = np.sqrt((sums ** 2).sum(axis=1, keepdims=True))
            with np.errstate(invalid="ignore", divide="ignore"):
                normals = np.where(length > 0, sums / length, 0.0)
            self._vertexNormals = normals.astype(np.float32)
        return super().vertexNormals(indexed)


class SurfaceItem(gl.GLSurfacePlotItem):
    """GLSurfacePlotItem on a ``_GridMeshData``, so a new surface shows without a pause."""

    def __init__(self, **kwds):
        super().__init__(**kwds)
        self._meshdata = _GridMeshData()
        self.setMeshData(meshdata=self._meshdata)


MESH = 100         # points per side of the drawn surface


class GLViewWindow(GLViewMixin, QOpenGLWindow):
    """pyqtgraph's GLViewWidget on a QOpenGLWindow; put it in a widget with ``container``.

    The mixin has the camera, items and painting; this adds what QWindow lacks."""

    TOOLTIP_DELAY_MS = 700

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__()
        # a QOpenGLWidget always draws into a framebuffer with depth and stencil; a
        # window's default surface may have neither (the surface then hides nothing)
        fmt = QSurfaceFormat.defaultFormat()
        fmt.setDepthBufferSize(max(fmt.depthBufferSize(), 24))
        fmt.setStencilBufferSize(max(fmt.stencilBufferSize(), 8))
        self.setFormat(fmt)
        self._tooltip = ""
        self._tip_pos = None
        self._tip_timer = QTimer(self)
        self._tip_timer.setSingleShot(True)
        self._tip_timer.setInterval(self.TOOLTIP_DELAY_MS)
        self._tip_timer.timeout.connect(self._show_tooltip)
        # the widget that holds the native window in a layout; it owns the window
        self.container = QWidget.createWindowContainer(self, parent)
        self.container.setFocusPolicy(Qt.ClickFocus)

    # ------------------------------------------------------------------ QWidget shims
    def devicePixelRatioF(self) -> float:
        return float(self.devicePixelRatio())

    def setMinimumSize(self, w, h=None) -> None:      # noqa: N802 (Qt's name)
        size = QSize(w, h) if h is not None else w
        self.container.setMinimumSize(size)

    def setToolTip(self, text: str) -> None:          # noqa: N802
        """QWindow has no tooltips; shown by hand after the mouse rests a moment."""
        self._tooltip = text

    def toolTip(self) -> str:                          # noqa: N802
        return self._tooltip

    def _show_tooltip(self) -> None:
        if self._tooltip and self._tip_pos is not None and self.isExposed():
            QToolTip.showText(self._tip_pos, self._tooltip)

    def _hide_tooltip(self) -> None:
        self._tip_timer.stop()
        self._tip_pos = None
        QToolTip.hideText()

    def event(self, ev):
        if ev.type() in (QEvent.Leave, QEvent.Hide, QEvent.FocusOut):
            self._hide_tooltip()
        return super().event(ev)

    # ------------------------------------------------------------------ painting
    # ``explorer.paint_turns`` holds a view's painting back with setUpdatesEnabled and
    # paints it in its turn with repaint: what QWidget has, for this window.
    _held = False
    _owed = False

    def setUpdatesEnabled(self, on: bool) -> None:    # noqa: N802 (Qt's name)
        self._held = not on
        if on and self._owed:
            self._owed = False
            super().update()

    def update(self) -> None:
        if self._held:
            self._owed = True
        else:
            super().update()

    def repaint(self) -> None:
        """Paint soon (QOpenGLWindow paints on its next update request)."""
        self.setUpdatesEnabled(True)
        super().update()

    def paintGL(self):
        # QOpenGLWidget sets the viewport before paintGL; QOpenGLWindow does not
        GL.glViewport(0, 0, self.deviceWidth(), self.deviceHeight())
        super().paintGL()

    def grabFramebuffer(self) -> QImage:              # noqa: N802
        """The view drawn into an offscreen framebuffer (reading the window's back
        buffer after a swap gives undefined contents with NoPartialUpdate)."""
        if not self.isValid():
            return QImage()
        w, h = self.deviceWidth(), self.deviceHeight()
        if w <= 0 or h <= 0:
            return QImage()
        self.makeCurrent()
        fmt = QOpenGLFramebufferObjectFormat()
        fmt.setAttachment(QOpenGLFramebufferObject.CombinedDepthStencil)
        fbo = QOpenGLFramebufferObject(w, h, fmt)
        try:
            fbo.bind()
            GL.glViewport(0, 0, w, h)
            region = self.getViewport()
            self.paint(region=region, viewport=region)
            image = fbo.toImage()
        finally:
            fbo.release()
            self.doneCurrent()
        image.setDevicePixelRatio(self.devicePixelRatio())
        return image

    def readQImage(self) -> QImage:                    # noqa: N802
        return self.grabFramebuffer()

    # ------------------------------------------------------------------ mouse
    def mousePressEvent(self, ev):
        self._hide_tooltip()
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev):
        if ev.buttons() == Qt.NoButton:
            if self._tooltip:
                self._tip_pos = ev.globalPosition().toPoint()
                self._tip_timer.start()
            return
        super().mouseMoveEvent(ev)

    def wheelEvent(self, ev):
        self._hide_tooltip()
        super().wheelEvent(ev)


class _GLView(GLViewWindow):
    """A GL view that tells a click (press and release in place) from a drag."""

    clicked = Signal(float, float)     # normalised device coordinates, -1..1

    def initializeGL(self):
        # pyqtgraph compiles each shader program once and keeps its id for good; a new
        # view gets a new (unshared) context where those ids mean nothing, so forget them.
        from pyqtgraph.opengl import shaders
        for program in shaders.ShaderProgram.names.values():
            program.prog = None
        for cls in (gl.GLLinePlotItem, gl.GLScatterPlotItem):
            if hasattr(cls, "_shaderProgram"):
                cls._shaderProgram = None
        super().initializeGL()

    def mousePressEvent(self, ev):
        self._press = ev.position()
        super().mousePressEvent(ev)

    def mouseReleaseEvent(self, ev):
        press = getattr(self, "_press", None)
        self._press = None
        if press is not None and ev.button() == Qt.LeftButton:
            d = ev.position() - press
            if abs(d.x()) + abs(d.y()) <= 4 and self.width() > 0 and self.height() > 0:
                p = ev.position()
                self.clicked.emit(2 * p.x() / self.width() - 1, 1 - 2 * p.y() / self.height())
        super().mouseReleaseEvent(ev)


class Surface3DView(_GLView):
    """The surface C(v1, v2) with the trails, seen from above at an angle.

    A QWindow: add ``view.container`` (a QWidget) to layouts, not the view itself."""

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.setBackgroundColor("w")
        self.setMinimumSize(240, 200)
        self.setToolTip("Drag to turn, wheel to zoom, click the surface to start the ball "
                        "there.")
        self.surface_item = SurfaceItem(shader=soft_shader(), computeNormals=True,
                                        smooth=True, glOptions="opaque")
        self.addItem(self.surface_item)
        self.floor = gl.GLGridItem()
        self.floor.setSize(SIZE, SIZE, 1)
        self.floor.setSpacing(SIZE / 10, SIZE / 10, 1)
        self.floor.setColor((0, 0, 0, 40))
        self.floor.translate(0, 0, -0.05)
        self.addItem(self.floor)
        self.start_item = gl.GLScatterPlotItem(pos=np.zeros((1, 3)), size=9,
                                               color=(1, 1, 1, 1), pxMode=True)
        self.start_item.setGLOptions("translucent")
        self.start_item.setDepthValue(5)        # drawn before the balls: a ball covers it
        self.addItem(self.start_item)
        # axes: v1 and v2 along the floor's edges, C up the back corner (in sight)
        corner = np.array([-SIZE / 2, -SIZE / 2, 0.0])
        back = corner + [0, SIZE, 0]
        self.axes_lines = gl.GLLinePlotItem(
            pos=np.array([corner, corner + [SIZE, 0, 0], corner, back,
                          back, back + [0, 0, HEIGHT]]),
            color=(0.2, 0.2, 0.2, 1), width=1.5, mode="lines", antialias=True)
        self.addItem(self.axes_lines)
        self.axis_labels = {}
        for text, pos in (("v1", corner + [SIZE + 0.5, 0, 0]), ("v2", corner + [0, SIZE + 0.5, 0]),
                          ("C", back + [0, 0, HEIGHT + 0.4])):
            label = AxisLabel(pos=pos, text=text, color=(30, 30, 30, 255))
            self.addItem(label)
            self.axis_labels[text] = label
        self.trails: Dict[str, gl.GLLinePlotItem] = {}
        self.balls: Dict[str, gl.GLScatterPlotItem] = {}
        # -grad C at the readout rule's ball: downhill along the tangent plane
        self.gradient_arrow = gl.GLLinePlotItem(pos=np.zeros((2, 3)), color=(0, 0, 0, 1),
                                                width=3, antialias=True, mode="lines")
        self.gradient_arrow.setGLOptions(BALL_OPTIONS)
        self.gradient_arrow.setDepthValue(11)
        self.addItem(self.gradient_arrow)
        self.reset_camera()
        self.clicked.connect(self._on_click)
        follow_model(self)

    def reset_camera(self) -> None:
        """Back to the view the panel opens with: from the front left, 30 degrees up."""
        self.setCameraPosition(pos=QVector3D(0, 0, HEIGHT * 0.3), distance=14.5, elevation=30,
                               azimuth=-65)
        self.update()

    # ------------------------------------------------------------------ coordinates
    def scene_xy(self, x, y) -> Tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.model.surface.domain
        return ((np.asarray(x) - x0) / (x1 - x0) - 0.5) * SIZE, \
               ((np.asarray(y) - y0) / (y1 - y0) - 0.5) * SIZE

    def scene_points(self, v: np.ndarray, c: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            sx, sy = self.scene_xy(v[:, 0], v[:, 1])
            sz = self.model.height(c) * HEIGHT
        # a diverging ball is drawn leaving the box, not flying to infinity
        lim = 0.75 * SIZE
        return np.column_stack([np.clip(np.nan_to_num(sx), -lim, lim),
                                np.clip(np.nan_to_num(sy), -lim, lim),
                                np.nan_to_num(sz, nan=0.0) + 0.08])

    # ------------------------------------------------------------------ drawing
    def rebuild_surface(self) -> None:
        m = self.model
        if m.dim != 2:
            return
        xs, ys = m.axes
        # a mesh of at most MESH x MESH points (the contour map keeps the full grid):
        # Mesa draws a frame of 100 x 100 in ~15 ms, of 200 x 200 in 25-35 ms
        ix, iy = thin(len(xs), MESH), thin(len(ys), MESH)
        xs, ys = xs[ix], ys[iy]
        sx, sy = self.scene_xy(xs, ys)
        z = np.nan_to_num(m.height(m.z[np.ix_(ix, iy)]) * HEIGHT, nan=0.0)
        colours = surface_colours(m.colour_t[np.ix_(ix, iy)]).astype(np.float32)
        colours[..., 3] = 1.0
        self.surface_item.setData(x=sx.astype(np.float32), y=sy.astype(np.float32),
                                  z=z.astype(np.float32), colors=colours)
        self._show_start()

    def _show_start(self) -> None:
        m = self.model
        if m.dim != 2:
            return
        self.start_item.setData(pos=self.scene_points(m.start[None, :],
                                                      np.array([m.surface.value_at(m.start)])))

    def rebuild_trails(self) -> None:
        m = self.model
        if not sync_trails(self, m.dim == 2, self._new_trail, self.addItem, self.removeItem):
            return
        self._points = {key: self.scene_points(t.v, t.C) for key, t in m.trajectories.items()}
        self.show_step(m.step)

    def _new_trail(self, key: str):
        colour = QColor(COLOURS[key])
        rgba = (colour.redF(), colour.greenF(), colour.blueF(), 1.0)
        line = gl.GLLinePlotItem(pos=np.zeros((2, 3)), color=rgba, width=3,
                                 antialias=True, mode="line_strip")
        line.setGLOptions("opaque")
        ball = gl.GLScatterPlotItem(pos=np.zeros((1, 3)), size=14, color=rgba, pxMode=True)
        ball.setGLOptions(BALL_OPTIONS)
        ball.setDepthValue(10)      # drawn after the surface
        return line, ball

    def show_step(self, k: int) -> None:
        m = self.model
        if m.dim != 2:
            return
        for key, pts in getattr(self, "_points", {}).items():
            # (between a change and its new trails the model may hold none for a rule)
            if key not in self.trails or key not in m.trajectories:
                continue
            i = m.index(key, k)
            shown = pts[: i + 1]
            if len(shown) > DRAWN_3D:
                shown = shown[thin(len(shown), DRAWN_3D)]    # (the first and last kept)
            if len(shown) < 2:
                shown = np.vstack([shown, shown])
            self.trails[key].setData(pos=shown)
            self.balls[key].setData(pos=pts[i: i + 1])
        self._show_gradient(k)

    def gradient_segments(self, k: int) -> Optional[np.ndarray]:
        """Scene points (pairs) of the arrow -grad C at the readout rule's ball at step
        ``k``: it lies in the tangent plane, pointing straight downhill, ARROW long."""
        m = self.model
        t = m.trajectories.get(m.primary)
        if t is None or m.primary not in getattr(self, "_points", {}):
            return None
        i = m.index(m.primary, k)
        g = np.asarray(t.grad[i], dtype=float)
        norm = float(np.linalg.norm(g))
        # no arrow where the slope is at rounding level (its direction is noise), nor
        # at a ball that has left the box (it is drawn at the edge, not where it is)
        at_rest = norm <= 1e-9 * max(1.0, float(np.linalg.norm(t.grad[0])))
        (x0, x1), (y0, y1) = m.surface.domain
        outside = not (x0 - 0.25 * (x1 - x0) <= t.v[i][0] <= x1 + 0.25 * (x1 - x0)
                       and y0 - 0.25 * (y1 - y0) <= t.v[i][1] <= y1 + 0.25 * (y1 - y0))
        if not np.isfinite(norm) or at_rest or outside:
            return None
        step = -g / norm                          # a unit step downhill, in v units
        d = np.array([step[0] * SIZE / (x1 - x0), step[1] * SIZE / (y1 - y0),
                      -norm * HEIGHT / (m.z_high - m.z_low)])    # C falls by |grad C|
        d *= ARROW / float(np.linalg.norm(d))
        tail = self._points[m.primary][i]
        tip = tail + d
        side = np.cross(d, [0.0, 0.0, 1.0])
        side = side / np.linalg.norm(side) if np.linalg.norm(side) > 1e-9 else np.array(
            [1.0, 0.0, 0.0])
        back = tip - 0.3 * d
        return np.array([tail, tip, tip, back + 0.15 * ARROW * side,
                         tip, back - 0.15 * ARROW * side])

    def _show_gradient(self, k: int) -> None:
        seg = self.gradient_segments(k)
        self.gradient_arrow.setVisible(seg is not None)
        if seg is not None:
            self.gradient_arrow.setData(pos=seg)

    # ------------------------------------------------------------------ picking
    def pick(self, ndc_x: float, ndc_y: float) -> Optional[Tuple[float, float]]:
        """The (v1, v2) of the surface under a point of the view, or None."""
        w, h = max(self.width(), 1), max(self.height(), 1)
        proj = self.projectionMatrix((0, 0, w, h), (0, 0, w, h))
        inv, ok = (proj * self.viewMatrix()).inverted()
        if not ok:
            return None
        near = inv.map(QVector4D(ndc_x, ndc_y, -1.0, 1.0))
        far = inv.map(QVector4D(ndc_x, ndc_y, 1.0, 1.0))
        a = np.array([near.x(), near.y(), near.z()]) / near.w()
        b = np.array([far.x(), far.y(), far.z()]) / far.w()
        m = self.model
        xs, ys = m.axes
        sx, sy = self.scene_xy(xs, ys)
        zs = np.nan_to_num(m.height(m.z) * HEIGHT, nan=-1.0)
        # march along the ray from the camera; the first time it dips below the surface
        ts = np.linspace(0.0, 1.0, 20001) ** 2      # dense near the camera
        ray = a[None, :] + ts[:, None] * (b - a)[None, :]
        i = np.round((ray[:, 0] / SIZE + 0.5) * (len(xs) - 1)).astype(int)
        j = np.round((ray[:, 1] / SIZE + 0.5) * (len(ys) - 1)).astype(int)
        inside = (i >= 0) & (i < len(xs)) & (j >= 0) & (j < len(ys))
        surf = np.full(len(ts), -np.inf)
        surf[inside] = zs[i[inside], j[inside]]
        below = np.nonzero(inside & (ray[:, 2] <= surf))[0]
        if below.size == 0:
            return None
        p = ray[below[0]]
        (x0, x1), (y0, y1) = m.surface.domain
        return (x0 + (p[0] / SIZE + 0.5) * (x1 - x0), y0 + (p[1] / SIZE + 0.5) * (y1 - y0))

    def _on_click(self, ndc_x: float, ndc_y: float) -> None:
        v = self.pick(ndc_x, ndc_y)
        if v is not None:
            self.model.set_start(v)
