"""Make the README's pictures: each panel in use, saved into docs/.

    MNIST_DIR=~/mnist xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/readme_screenshots.py [OUT]

Descent: the elongated valley with gradient descent, momentum and Nesterov, the readout
showing Nesterov's inside. Drawing pad: a 3 drawn with real mouse events, then the cost
and saliency views. Training: the chapter-1 preset a few epochs into a real run on MNIST,
the pad following it. Inside: the hidden units and the confusion matrix of that network.
Real network: one recorded epoch, its landscape and path. Tour: step 5, after Show me.
(``main.py --screenshot DIR`` shows every panel with its defaults instead.)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "drawing")]


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from explorer.app import make_application
    from explorer.main_window import MainWindow
    from explorer.session import Session

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    make_application()
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.IniFormat)
    session = Session()
    window = MainWindow(session, settings)
    window.resize(1500, 950)
    window.show()

    def wait(seconds: float = 0.0, until=None, limit: float = 180.0) -> bool:
        end = time.monotonic() + (limit if until else seconds)
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.01)
            if until is not None and until():
                return True
        return until is None

    def shoot(name: str) -> None:
        wait(0.8)
        path = out / name
        window.grab_panel_image().save(str(path), "PNG")
        print(path)

    panels = window.panels
    wait(1.5)

    # ---- descent: the valley, three rules, Nesterov's inside in the readout
    descent = panels["descent"]
    window.tabs.setCurrentWidget(descent)
    m = descent.model
    m.set_function("ravine")
    m.set_settings(eta=0.03)
    m.set_methods(["gd", "momentum", "nesterov"])
    m.set_primary("nesterov")
    m.wait()
    m.set_step(12)
    shoot("descent.png")

    # ---- drawing pad: a 3 with the mouse, then what it costs and which pixels matter
    from test_drawing_panel import draw_digit  # the tests' own stroke paths

    pad = panels["drawing"]
    window.tabs.setCurrentWidget(pad)
    wait(0.5)
    draw_digit(pad.canvas, 3)
    wait(1.0)
    shoot("drawing.png")
    views = getattr(pad, "inside_views", None)
    if views is not None:
        views.tabs.setCurrentIndex(1)
        shoot("drawing-saliency.png")
        views.tabs.setCurrentIndex(0)

    # ---- training: the chapter-1 preset, about five epochs in; the pad follows it
    training = panels["training"]
    window.tabs.setCurrentWidget(training)
    training.controls.apply_preset(0)
    training.train_button.click()
    wait(until=lambda: session.choose("training"), limit=60)
    wait(until=lambda: "Epoch 6" in training.status.text(), limit=180)
    shoot("training.png")

    # ---- inside: the network being trained
    inside = panels["inside"]
    window.tabs.setCurrentWidget(inside)
    wait(until=lambda: inside.model.confusion is not None, limit=60)
    inside.model.set_unit(5)
    inside.model.show_cell(4, 9)
    shoot("inside.png")
    training.stop()
    wait(until=lambda: not training.running, limit=60)

    # ---- real network: one recorded epoch, the landscape of its path
    network = panels["network"]
    window.tabs.setCurrentWidget(network)
    network.tabs.setCurrentIndex(0)
    network.train()
    wait(until=lambda: network.last_run is not None, limit=300)
    wait(until=lambda: network.landscape.result is not None
         and not network.landscape.worker.running, limit=300)
    shoot("network.png")

    # ---- the tour, step 5, after Show me
    from explorer.tour.window_hooks import open_tour

    dock = open_tour(window)
    dock.model.go(4)
    dock.show_me()
    wait(until=lambda: not dock.waiting(), limit=60)
    wait(0.5)
    shoot("tour.png")
    window.close()
    wait(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
