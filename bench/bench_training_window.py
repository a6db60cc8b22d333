"""How much does the window cost training, and how responsive is it while training runs?

Trains the chapter-1 preset (784-30-10, sigmoid, quadratic, eta 3.0, m 10, training cost
and accuracy measured each epoch) for a few epochs, alternately

* headless: ``engine.sgd.Trainer.run()`` in a plain loop, and
* in the real main window (training tab shown, live plots drawing), through the panel's
  worker thread,

and prints the seconds per epoch of each (wall time of the whole run, evaluation
included, divided by the epochs; and the engine's own training-only time), their ratio,
and how late a 10 ms timer in the main thread fires while the window trains.

Run under Xvfb, with MNIST:

    MNIST_DIR=/work/shared/mnist xvfb-run -a -s "-screen 0 1600x1000x24" \\
        .venv/bin/python bench/bench_training_window.py [--epochs 3] [--repeats 3]

Goals (issue 4): window / headless <= 1.15; timer lateness p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from engine import mnist  # noqa: E402
from engine.network import Network  # noqa: E402
from engine.sgd import EpochResult, Trainer  # noqa: E402

PRESET = dict(sizes=[784, 30, 10], activation="sigmoid", cost="quadratic", init="normal",
              eta=3.0, m=10, lmbda=0.0, seed=1)


def headless(data, epochs: int) -> dict:
    net = Network(PRESET["sizes"], activation=PRESET["activation"], cost=PRESET["cost"],
                  init=PRESET["init"], seed=PRESET["seed"])
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    trainer = Trainer(net, data.training, eta=PRESET["eta"], mini_batch_size=PRESET["m"],
                      epochs=epochs, lmbda=PRESET["lmbda"], test_data=data.test,
                      monitor_training=True, seed=PRESET["seed"])
    results = [r for r in trainer.run() if isinstance(r, EpochResult)]
    wall = time.perf_counter() - t0
    return dict(wall=wall / epochs, train=sum(r.seconds for r in results) / epochs,
                acc=results[-1].test_accuracy, cpu=(time.process_time() - cpu0) / wall)


def in_window(app, window, data, epochs: int) -> dict:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer

    panel = window.panels["training"]
    panel.data_loader = lambda d, split: data
    if panel.network is not None:
        panel.new_network()
    panel.controls.apply_preset(0)
    panel.controls.set_text("epochs", str(epochs))
    panel.new_network()
    outcome = []
    panel.run_finished.connect(outcome.append)

    late = []
    clock = QElapsedTimer()
    last = [None]

    def tick():
        now = clock.nsecsElapsed() / 1e6
        if last[0] is not None:
            late.append(now - last[0] - 10.0)
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.PreciseTimer)
    timer.timeout.connect(tick)
    updates0 = panel.updates_received
    cpu0, main0 = time.process_time(), time.thread_time()
    t0 = time.perf_counter()
    clock.start()
    timer.start(10)
    loop = QEventLoop()
    panel.run_finished.connect(loop.quit)
    panel.train()
    if not outcome:
        loop.exec()            # the real event loop, as in the app
    timer.stop()
    panel.run_finished.disconnect(loop.quit)
    wall = time.perf_counter() - t0
    cpu, main_cpu = time.process_time() - cpu0, time.thread_time() - main0
    panel.run_finished.disconnect(outcome.append)
    out = outcome[0]
    hist = panel.history[-epochs:]
    assert out.kind == "finished", out.message
    return dict(wall=wall / epochs, active=out.active_seconds / epochs,
                train=sum(h["seconds"] for h in hist) / epochs, acc=hist[-1]["test_accuracy"],
                late=np.array(late), updates=panel.updates_received - updates0, seconds=wall,
                cpu=cpu / wall, main_cpu=main_cpu / wall)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--data", help="MNIST folder (default: MNIST_DIR or the cache)")
    ap.add_argument("--no-gl", action="store_true",
                    help="no OpenGL view in the window (as main.py --no-gl): shows what the "
                         "descent panel's GL view costs every repaint under software OpenGL")
    args = ap.parse_args()
    if args.no_gl:
        import os
        os.environ["GD_EXPLORER_NO_GL"] = "1"

    data = mnist.load_data(args.data, split="book", download=False)
    print(f"{data.describe()}; {len(data.training):,} training images, chapter-1 preset, "
          f"{args.epochs} epoch(s) a run, {args.repeats} run(s) each, alternating"
          f"{'; window without OpenGL' if args.no_gl else ''}")

    from PySide6.QtCore import QSettings

    from explorer.app import make_application
    from explorer.main_window import MainWindow
    from explorer.session import Session

    app = make_application()
    tmp = tempfile.mkdtemp(prefix="bench-training-")
    window = MainWindow(Session(), QSettings(str(Path(tmp) / "s.ini"), QSettings.IniFormat))
    window.resize(1400, 900)
    window.show()
    window.tabs.setCurrentWidget(window.panels["training"])
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)

    heads, wins = [], []
    for r in range(args.repeats):
        h = headless(data, args.epochs)
        w = in_window(app, window, data, args.epochs)
        heads.append(h)
        wins.append(w)
        print(f"  run {r + 1}: headless {h['wall']:.3f} s/epoch (training {h['train']:.3f}), "
              f"window {w['wall']:.3f} s/epoch (training {w['train']:.3f}), "
              f"ratio {w['wall'] / h['wall']:.3f}; headless CPU {h['cpu']:.2f} of wall; test accuracy {100 * h['acc']:.2f}% / "
              f"{100 * w['acc']:.2f}%; {w['updates'] / w['seconds']:.1f} updates/s; "
              f"CPU: process {w['cpu']:.2f}, main thread {w['main_cpu']:.2f} of wall")
    window.close()

    hw = statistics.median(h["wall"] for h in heads)
    ww = statistics.median(w["wall"] for w in wins)
    ht = statistics.median(h["train"] for h in heads)
    wt = statistics.median(w["train"] for w in wins)
    late = np.concatenate([w["late"] for w in wins])
    print()
    print(f"seconds per epoch, wall (evaluation included), median of {args.repeats}:")
    print(f"  headless engine        {hw:.3f}")
    print(f"  in the window          {ww:.3f}")
    print(f"  ratio window/headless  {ww / hw:.3f}   (goal <= 1.15)")
    print("seconds per epoch, training only (engine's EpochResult.seconds):")
    print(f"  headless {ht:.3f}, window {wt:.3f}, ratio {wt / ht:.3f}")
    print(f"10 ms timer in the main thread while training ({len(late)} ticks): lateness "
          f"median {np.median(late):.1f} ms, p99 {np.percentile(late, 99):.1f} ms, "
          f"max {late.max():.1f} ms   (goal p99 < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
