"""Make the README's pictures: each panel in use, saved into docs/.

    MNIST_DIR=~/mnist xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/readme_screenshots.py [OUT]

Descent: the default surface with its trails. Training: the chapter-1 preset a few
epochs into a real run on MNIST. Drawing pad: a 3 drawn with real mouse events.
(``main.py --screenshot DIR`` shows every panel with its defaults instead.)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from explorer.app import make_application  # noqa: E402
from explorer.main_window import MainWindow  # noqa: E402
from explorer.session import Session  # noqa: E402


def wait(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    make_application()
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.IniFormat)
    window = MainWindow(Session(), settings)
    window.resize(1400, 900)
    window.show()
    wait(1.5)

    window.tabs.setCurrentIndex(0)
    wait(1.5)
    window.grab_panel_image().save(str(out / "descent.png"))

    window.tabs.setCurrentIndex(2)
    wait(0.5)
    from test_drawing_panel import draw_digit  # the tests' own stroke paths
    pad = window.panels["drawing"]
    draw_digit(pad.canvas, 3)
    wait(1.0)
    window.grab_panel_image().save(str(out / "drawing.png"))

    window.tabs.setCurrentIndex(1)
    training = window.panels["training"]
    training.train_button.click()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:          # about five epochs into the run
        wait(0.5)
        if "Epoch 6" in training.status.text():
            break
    wait(0.5)
    window.grab_panel_image().save(str(out / "training.png"))
    window.close()
    wait(0.5)
    for name in ("descent", "training", "drawing"):
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
