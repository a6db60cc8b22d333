"""How long the tour's formulas take to typeset, and whether the window stalls meanwhile
(goal: the GUI thread never waits more than 50 ms).

    python bench/bench_tour.py [--runs N]

Prints, over N fresh processes (medians, with the range):

* cold: importing matplotlib and typesetting the first formula (the parser is built then);
* warm: typesetting one formula once matplotlib is ready (median over the 17 formulas);
* dock: making the Tour dock on the GUI thread (its formulas are then drawn by a worker);
* stall: the longest gap between the ticks of a 10 ms timer on the GUI thread while all
  17 formulas are drawn, by the child process the dock uses and, for comparison, by a
  thread in the window's own process (runs interleaved), beside the same measure over
  an idle second in the same process (run first). The machine is shared: compare only
  figures of one run.

Each process runs Qt offscreen without OpenGL (``QT_QPA_PLATFORM=offscreen``,
``GD_EXPLORER_NO_GL=1``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
out = {}
from explorer.tour.steps import STEPS
t = time.perf_counter()
from explorer.tour import mathtext
mathtext.render_png(STEPS[0].formula)
out["cold"] = time.perf_counter() - t
warm = []
for s in STEPS:
    t = time.perf_counter()
    mathtext.render_png(s.formula)
    warm.append(time.perf_counter() - t)
out["warm"] = sorted(warm)[len(warm) // 2]
print(json.dumps(out))
"""

GUI = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QSettings, QTimer
from explorer.app import make_application
from explorer.main_window import MainWindow
from explorer.session import Session
from explorer.tour.steps import STEPS
import explorer.tour.formula_view as fv
fv.USE_PROCESS = sys.argv[3] == "process"

app = make_application()
w = MainWindow(Session(), QSettings(sys.argv[2], QSettings.IniFormat))
w.show()
out = {}
ticks = []
timer = QTimer()
timer.setInterval(10)
timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

def gap(a, b):
    t = [x for x in ticks if a <= x <= b]
    return max((y - x for x, y in zip(t, t[1:])), default=float("nan"))

def idle_done():
    out["idle"] = gap(t_idle, time.perf_counter())
    global t0
    t0 = time.perf_counter()
    w.tour_action.trigger()
    out["dock"] = time.perf_counter() - t0
    QTimer.singleShot(20, wait)

def wait():
    r = w.tour_dock.renderer
    if all(r.png(s.formula) is not None for s in STEPS):
        out["drawn"] = time.perf_counter() - t0
        out["stall"] = gap(t0 + out["dock"] + 0.02, time.perf_counter())
        print(json.dumps(out))
        w.close()
        app.quit()
    elif time.perf_counter() - t0 > 60:
        print(json.dumps({"error": "formulas not drawn in 60 s"}))
        app.quit()
    else:
        QTimer.singleShot(20, wait)

def start():
    global t_idle
    timer.start()
    t_idle = time.perf_counter()
    QTimer.singleShot(1000, idle_done)

QTimer.singleShot(500, start)
app.exec()
"""


def run(code: str, *args: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GD_EXPLORER_NO_GL="1")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT), *args], env=env,
                         capture_output=True, text=True, timeout=300)
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"child failed:\n{out.stderr[-2000:]}")
    return json.loads(lines[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rows = {k: [] for k in ("cold", "warm", "dock", "drawn", "idle", "stall",
                            "thread drawn", "thread idle", "thread stall")}
    settings = ROOT / "bench" / ".bench-tour-settings.ini"
    try:
        for _ in range(args.runs):
            for k, v in run(CHILD).items():
                rows[k].append(v)
            for mode, prefix in (("process", ""), ("thread", "thread ")):
                got = run(GUI, str(settings), mode)
                if "error" in got:
                    raise SystemExit(got["error"])
                for k, v in got.items():
                    if prefix + k in rows:
                        rows[prefix + k].append(v)
    finally:
        settings.unlink(missing_ok=True)
    names = {"cold": "import matplotlib + first formula", "warm": "one formula, warm",
             "dock": "make the Tour dock (GUI thread)",
             "drawn": "child process: all 17 formulas drawn",
             "idle": "child process: longest GUI gap, idle 1 s",
             "stall": "child process: longest GUI gap, drawing",
             "thread drawn": "thread: all 17 formulas drawn",
             "thread idle": "thread: longest GUI gap, idle 1 s",
             "thread stall": "thread: longest GUI gap, drawing"}
    print(f"{args.runs} runs; medians (min - max), milliseconds")
    for k, label in names.items():
        v = [1000 * x for x in rows[k]]
        print(f"  {label:44s} {statistics.median(v):8.1f}  ({min(v):.1f} - {max(v):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
