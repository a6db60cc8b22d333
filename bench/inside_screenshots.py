"""Screenshots of the Inside panel during training and of the drawing pad's new views.

    MNIST_DIR=/work/shared/mnist xvfb-run -a -s "-screen 0 1600x1000x24" \\
        python bench/inside_screenshots.py /tmp/inside-shots

Opens the main window, starts the Training panel's default run (784-30-10), makes the
network being trained the pad's answering one, and saves into the folder:

* ``inside-training.png``: the Inside panel following the training network (unit
  pictures, the confusion matrix with the 4-read-as-9 cell's gallery open);
* ``inside-gradient.png``: the unit pictures showing |dC/dw| for the digit on the pad;
* ``pad-cost.png``, ``pad-saliency.png``, ``pad-teach.png``: the pad with test image
  #9729 and its cost table, its saliency map, and after *Learn this* (training stopped,
  the shipped model answering);
* ``inside-random-labels.png``: the random-labels experiment after ``--epochs`` epochs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--train-seconds", type=float, default=3.0)
    parser.add_argument("--epochs", type=int, default=30, help="random-labels epochs")
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QSettings

    from explorer.app import make_application

    app = make_application()
    from explorer.main_window import MainWindow
    from explorer.session import Session

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "shots.ini"), QSettings.IniFormat)
    session = Session()
    window = MainWindow(session, settings)
    window.resize(1500, 1000)
    window.show()

    def wait(seconds=0.0, until=None, limit=120.0):
        end = time.monotonic() + (limit if until else seconds)
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
            if until is not None and until():
                return True
        return until is None

    def shoot(name):
        wait(0.4)
        path = args.folder / name
        window.grab_panel_image().save(str(path), "PNG")
        print(path)

    inside, pad, training = (window.panels[k] for k in ("inside", "drawing", "training"))
    session.mnist.request()
    if not wait(until=lambda: session.mnist.data is not None, limit=60):
        print("error: MNIST could not be read (set MNIST_DIR)", file=sys.stderr)
        return 1
    data = session.mnist.data
    window.tabs.setCurrentWidget(pad)
    pad.canvas.set_picture(data.test.images[9729], "mnist",
                           note=dict(label=5, text="MNIST test image #9729: true label <b>5</b>"))
    wait(0.5)
    training.train()
    if hasattr(session, "choose"):            # the pad's menu: follow the training network
        wait(until=lambda: session.choose("training"), limit=30)
    window.tabs.setCurrentWidget(inside)
    wait(args.train_seconds)
    inside.model.set_unit(5)
    inside.model.show_cell(4, 9) if inside.model.confusion is not None else None
    shoot("inside-training.png")
    inside.gradient_radio.setChecked(True)
    shoot("inside-gradient.png")
    inside.weights_radio.setChecked(True)
    training.stop()
    wait(until=lambda: not training.running, limit=30)
    if hasattr(session, "choose"):
        session.choose("shipped")
    window.tabs.setCurrentWidget(pad)
    views = pad.inside_views
    views.tabs.setCurrentIndex(0)
    shoot("pad-cost.png")
    views.set_label(5)
    views.tabs.setCurrentIndex(1)
    shoot("pad-saliency.png")
    views.tabs.setCurrentIndex(2)
    views.teach.learn_button.click()
    wait(until=lambda: views.teach.accuracy is not None, limit=60)
    shoot("pad-teach.png")
    views.teach.undo_button.click()
    window.tabs.setCurrentWidget(inside)
    inside.rl_epochs.setValue(args.epochs)
    inside.start_random_labels()
    wait(until=lambda: inside.rl_worker is None, limit=600)
    shoot("inside-random-labels.png")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
