"""For the tests that check a module imports no Qt: import it in a fresh Python."""

from __future__ import annotations

import subprocess
import sys
from typing import Sequence

from paths import ROOT

QT = ("PySide6", "PyQt5", "PyQt6", "PySide2", "pyqtgraph", "shiboken6", "qtpy", "superqt")


def import_in_fresh_python(names: Sequence[str]) -> subprocess.CompletedProcess:
    """Import the modules ``names`` in a new Python run in the project folder. Its stdout
    is the Qt modules then loaded, comma-separated (empty when none); a failed import
    leaves a nonzero ``returncode`` and the traceback in ``stderr``."""
    code = (
        "import importlib, sys\n"
        f"for name in {list(names)!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {QT!r})\n"
        "print(','.join(bad))\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
