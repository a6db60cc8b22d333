"""The Inside panel and the pad's new views while a network trains (goals: confusion
matrix < 100 ms after a network changes, unit pictures for 100 units < 20 ms, nothing
blocking the window for more than 50 ms).

    MNIST_DIR=/work/shared/mnist xvfb-run -a python bench/bench_inside_panel.py [--seconds S]
        [--baseline]

A thread trains 784-100-10 on MNIST (as the training panel's worker does) and sends a
copy of the network twice a second; the window makes it the answering network, so the
Inside panel redraws its units and recomputes its confusion matrix (in its worker) and
the pad recomputes the cost table and saliency map of a test digit. Prints medians (and
maxima) of: the confusion matrix from the network's change to the matrix on screen, its
computation alone, the unit pictures' redraw, the pad's views' refresh; and the longest
time the window's thread was busy (a 5 ms timer measures the gaps between its ticks).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stall import GapMeter  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--baseline", action="store_true",
                        help="train and tick, but hand the copies to no panel (the gaps "
                             "the machine alone causes)")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QTabWidget

    from engine import mnist
    from engine.network import Network
    from engine.sgd import Trainer

    app = QApplication.instance() or QApplication([])
    from explorer.drawing.panel import DrawingPanel
    from explorer.inside.panel import InsidePanel
    from explorer.session import Session

    try:
        data = mnist.load_data(split="full", download=False, progressbar=False)
    except mnist.MnistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    session = Session()
    tabs = QTabWidget()
    pad = DrawingPanel(session)
    inside = InsidePanel(session)
    tabs.addTab(pad, "pad")
    tabs.addTab(inside, "inside")
    tabs.resize(1400, 900)
    tabs.show()
    session.mnist.cache._full = data             # the store's copy, as after a read
    session.mnist.cache._key = "bench"
    inside.set_mnist((data.test.images, data.test.labels),
                     (data.training.images, data.training.labels))
    pad.canvas.set_picture(data.test.images[9729], "mnist", note=dict(label=5, text=""))
    tabs.setCurrentWidget(inside)

    timings = {"units": [], "pad": [], "confusion": [], "change to matrix": []}

    def timed(name, fn):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            out = fn(*a, **k)
            timings[name].append(1000 * (time.perf_counter() - t0))
            return out
        return wrapper

    inside._refresh_units = timed("units", inside._refresh_units)
    pad.inside_views._soon.timeout.disconnect()
    pad.inside_views._soon.timeout.connect(timed("pad", pad.inside_views.refresh))
    changed_at = {}
    real_done = inside._confusion_done

    def done(generation, result):
        real_done(generation, result)
        if generation in changed_at and generation == inside.model.confusion_generation:
            timings["confusion"].append(result[1])
            timings["change to matrix"].append(1000 * (time.perf_counter()
                                                       - changed_at.pop(generation)))
    inside.jobs.done.disconnect()
    inside.jobs.done.connect(done)

    class Sender(QObject):
        network = Signal(object)

    sender = Sender()

    def on_network(net):
        if args.baseline:               # the same training, nobody looking inside
            return
        session.set_model(net, "being trained")
        changed_at[inside.model.generation] = time.perf_counter()

    sender.network.connect(on_network)
    stop = threading.Event()

    def train():
        net = Network([784, 100, 10], seed=0)
        trainer = Trainer(net, (data.training.images[:50_000], data.training.labels[:50_000]),
                          eta=3.0, mini_batch_size=10, epochs=100, seed=0)
        last = time.perf_counter()
        for _ in trainer.run():
            if stop.is_set():
                trainer.stop()
                break
            if time.perf_counter() - last >= 0.5:
                last = time.perf_counter()
                sender.network.emit(net.copy())

    heart = GapMeter(interval_ms=5)
    heart.start()
    worker = threading.Thread(target=train, daemon=True)
    worker.start()
    end = time.perf_counter() + args.seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)
    stop.set()
    worker.join(5)
    heart.stop()
    print(f"{args.seconds:.0f} s of training 784-100-10 with a copy sent every 0.5 s")
    for name, values in timings.items():
        if values:
            print(f"  {name:18s} median {statistics.median(values):6.1f} ms  "
                  f"max {max(values):6.1f} ms  ({len(values)} times)")
    gaps = heart.gaps[5:]
    if gaps:
        print(f"  window thread: longest gap between 5 ms ticks {max(gaps):.1f} ms, "
              f"99th percentile {sorted(gaps)[int(0.99 * (len(gaps) - 1))]:.1f} ms")
    inside.shutdown()
    pad.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
