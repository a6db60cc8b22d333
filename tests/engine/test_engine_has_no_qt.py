"""engine/ must never import Qt: it is used from a shell and the command line."""

import pkgutil
import subprocess
import sys

from paths import ROOT


def test_importing_every_engine_module_loads_no_qt():
    import engine

    names = [f"engine.{m.name}" for m in pkgutil.iter_modules(engine.__path__)]
    assert len(names) >= 6
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'PySide2', 'pyqtgraph', 'shiboken6', 'qtpy', 'superqt'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"engine loaded Qt modules: {out.stdout}"
