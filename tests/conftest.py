"""Shared fixtures. Every test runs with its own settings and cache folders, so the
suite never touches the user's real QSettings or MNIST cache, and never downloads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    yield


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The real MNIST folder from MNIST_DIR; skipped when absent (CI sets it, and there
    a missing folder is a failure, not a skip)."""
    folder = os.environ.get("MNIST_DIR")
    from engine.mnist import find_files

    if not folder or find_files(folder) is None:
        if os.environ.get("CI"):
            pytest.fail(f"MNIST_DIR={folder!r} does not hold MNIST, and CI needs it")
        pytest.skip("set MNIST_DIR to a folder holding the four MNIST files")
    return Path(folder)


@pytest.fixture(scope="session")
def mnist_data(mnist_dir):
    """The real MNIST, book split, read once per test session."""
    from engine import mnist

    return mnist.load_data(mnist_dir, split="book", download=False)


# Qt's own teardown at interpreter exit (PySide6's atexit function destroys the
# QApplication, and with it every widget still alive) can crash with a supported PySide6
# too (6.11.3): a descent panel that outlived its test, whose 3-D view (a QOpenGLWindow
# owned by Python) is gone, crashes in QWindowContainer::toplevelAboutToBeDestroyed. The
# run then ends with a segmentation fault instead of pytest's exit status. So, once every
# other plugin has finished: run the atexit functions except PySide6's (coverage data and
# pytest-xvfb's stopping of Xvfb among them), and leave with pytest's own exit status.
_exit_status = {"code": None}


def pytest_sessionfinish(session, exitstatus):
    _exit_status["code"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    import atexit
    import sys

    code = _exit_status["code"]
    if code is None or "PySide6.QtCore" not in sys.modules:
        return
    qt_teardown = getattr(sys.modules["PySide6.QtCore"], "__moduleShutdown", None)
    if qt_teardown is not None:
        atexit.unregister(qt_teardown)
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
