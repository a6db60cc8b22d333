"""Fixtures of the descent panel tests: a panel with or without OpenGL."""

from __future__ import annotations

import pytest

from explorer import gl_check


@pytest.fixture
def no_gl(monkeypatch):
    monkeypatch.setenv("GD_EXPLORER_NO_GL", "1")
    gl_check.opengl_available.cache_clear()
    yield
    gl_check.opengl_available.cache_clear()


@pytest.fixture
def make_panel(qtbot):
    def make():
        from explorer.descent.panel import DescentPanel

        panel = DescentPanel(session=None)
        qtbot.addWidget(panel)
        panel.resize(1400, 860)
        panel.show()
        qtbot.waitExposed(panel)
        assert panel.model.wait(60), "the first trails never came"
        return panel
    yield make
    gl_check.opengl_available.cache_clear()


@pytest.fixture
def panel(no_gl, make_panel):
    """Most tests need no OpenGL: the contour map has the same behaviour."""
    return make_panel()


@pytest.fixture
def with_gl(monkeypatch):
    """Panels made in this test get the real 3-D view; skipped where no GL context can be made."""
    monkeypatch.delenv("GD_EXPLORER_NO_GL", raising=False)
    gl_check.opengl_available.cache_clear()
    ok, why = gl_check.opengl_available()
    if not ok:
        pytest.skip(f"no OpenGL here: {why}")
    yield
    gl_check.opengl_available.cache_clear()
