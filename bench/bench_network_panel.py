"""The Real network panel on real MNIST: how long each job takes, and the longest stall
of the window's thread while it runs (a 5 ms timer; a gap above 50 ms is a stall).

    MNIST_DIR=/work/shared/mnist xvfb-run -a .venv/bin/python bench/bench_network_panel.py

Prints one line per job: its seconds, the progress signals the window got, and the
longest gap between timer ticks (the median and worst over ``--repeats`` runs); and the
same gap over 3 s with no job running, interleaved with the jobs, since on a shared,
loaded machine the scheduler alone makes gaps. The job's tab is shown 0.5 s before the
job starts: the first paint of a newly shown tab (all its plots at once) is the switch's,
printed on a line of its own, not the job's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from stall import GapMeter  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--subset", type=int, default=10_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    from explorer.network.panel import NetworkPanel
    from explorer.session import Session

    session = Session(data_dir=os.environ.get("MNIST_DIR"))
    panel = NetworkPanel(session)
    panel.subset.setValue(args.subset)
    panel.resize(1500, 950)
    panel.show()
    session.mnist.request()
    meter = GapMeter(interval_ms=5)
    meter.start()

    def wait(cond, timeout=900):
        end = time.time() + timeout
        while not cond() and time.time() < end:
            app.processEvents(QEventLoop.AllEvents, 20)
            time.sleep(0.002)
        if not cond():
            raise SystemExit("timed out")

    wait(lambda: panel.data is not None)
    # the first paint of the 3-D view (shaders compiled, in software here) is not a job's
    wait(lambda t=time.perf_counter() + 2.0: time.perf_counter() > t)
    jobs = [
        ("training run (1 epoch, m = 10)", 1, panel.train, panel.worker),
        ("landscape of the path (31 x 31, 2,000 images)", 0, panel.landscape.draw_path,
         panel.landscape.worker),
        ("landscape around the pad's network", 0, panel.landscape.draw_pad,
         panel.landscape.worker),
        ("gradient agreement", 2, panel.batches.measure_agreement, panel.batches.worker),
        ("batch-size race", 2, panel.batches.run_race, panel.batches.worker),
        ("learning-rate sweep (1 epoch) and sharpness", 3, panel.sweep.run_sweep,
         panel.sweep.worker),
    ]
    results = {name: ([], [], []) for name, *_ in jobs}
    idle = []
    switch = {tab: [] for _, tab, *_ in jobs}
    for _ in range(args.repeats):
        # the same measurement with no job running: what the machine's load alone costs
        meter.start()
        wait(lambda t=time.perf_counter() + 3.0: time.perf_counter() > t)
        idle.append(meter.longest())
        for name, tab, start, worker in jobs:
            wait(lambda: not any(w.running for w in panel.workers()))
            # the shown tab's first paint (all its plots at once) is the switch's, not the
            # job's: measured apart, and over before the job starts
            meter.start()
            panel.tabs.setCurrentIndex(tab)
            wait(lambda t=time.perf_counter() + 0.5: time.perf_counter() > t)
            switch[tab].append(meter.longest())
            count = [0]
            worker.progress.connect(lambda *_a, c=count: c.__setitem__(0, c[0] + 1))
            t0 = time.perf_counter()
            meter.start()
            if not start():
                raise SystemExit(f"{name} did not start: {panel.bar.status.text()}")
            wait(lambda w=worker: not w.running)
            seconds = time.perf_counter() - t0
            app.processEvents()
            results[name][0].append(seconds)
            results[name][1].append(count[0])
            results[name][2].append(meter.longest())
    print(f"idle (3 s, no job): longest main-thread gap median {statistics.median(idle):.1f} ms, "
          f"worst {max(idle):.1f} ms; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print("switching to the tab (before each job; not counted in the job's): longest gap "
          + ", ".join(f"tab {tab} median {statistics.median(g):.1f} ms" for tab, g in switch.items()))
    for name, (secs, counts, stalls) in results.items():
        print(f"{name}: {statistics.median(secs):.2f} s, {statistics.median(counts):.0f} "
              f"progress signals ({statistics.median(counts) / statistics.median(secs):.1f}/s); "
              f"longest main-thread gap median {statistics.median(stalls):.1f} ms, "
              f"worst {max(stalls):.1f} ms")
    panel.shutdown()


if __name__ == "__main__":
    main()
