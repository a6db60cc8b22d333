"""pytest's exit status must come through a GUI run, and atexit functions must run.

Without the exit hook of tests/conftest.py, this inner run (a descent panel with its
3-D view, then a failing test that keeps a widget alive) ends in a segmentation fault
(status -11) in Qt's own teardown at interpreter exit, with PySide6 6.11.3, instead of
pytest's status 1, and leaves its Xvfb running."""

from __future__ import annotations

import os
import subprocess
import sys

from paths import ROOT

INNER = '''
import atexit
import os

import pytest


def test_a_3d_panel(qtbot):
    from explorer import gl_check

    ok, why = gl_check.opengl_available()
    if not ok:
        pytest.skip(why)
    from explorer.descent.panel import DescentPanel

    panel = DescentPanel(session=None)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.view3d is not None


def test_that_fails(qtbot):
    from PySide6.QtWidgets import QLabel

    atexit.register(lambda: open(os.environ["ATEXIT_MARK"], "w").write("ran"))
    label = QLabel("x")
    qtbot.addWidget(label)
    assert label.text() == "y"
'''


def test_a_failing_gui_run_exits_1_and_runs_atexit(tmp_path):
    (tmp_path / "test_inner.py").write_text(INNER)
    mark = tmp_path / "atexit-ran"
    env = {k: v for k, v in os.environ.items() if k != "GD_EXPLORER_NO_GL"}
    env["ATEXIT_MARK"] = str(mark)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), "-W", "ignore",
         str(tmp_path / "test_inner.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    tail = (result.stdout + result.stderr)[-3000:]
    assert "1 failed" in result.stdout, tail
    assert result.returncode == 1, tail
    assert mark.read_text() == "ran"
