"""The Real network panel: the book's argument on the 784-30-10 network itself.

The descent panel shows gradient descent on surfaces of one or two variables; the book's
point is that the same argument works for the network's 23,860 variables. A bar at the
top trains the network (a fresh 784-30-10 or the pad's network; eta, m, epochs and a
subset of the training images) in a worker thread, recording its path through weight
space, the probe's readings of dC ~ grad C . dw and the gradient noise scale. Four tabs
show what that says:

1. the landscape with its path (``landscape_tab``);
2. dC ~ grad C . dw on the real network (``probe_tab``);
3. why mini-batches (``batches_tab``);
4. the learning-rate sweep and the sharpness against 2/eta (``sweep_tab``).

Every computation runs in a worker thread with progress and Cancel; the window hears
from a worker at most four times a second. MNIST comes from the session (read off the
GUI thread); when it is missing the panel says so and offers the download dialog.
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.network import Network
from engine.weight_space import parameter_count
from explorer.mnist_dialog import offer_download
from explorer.network.batches_tab import BatchesTab
from explorer.network.common import JobBar, wrap_label
from explorer.network.jobs import RunSnapshot, training_run
from explorer.network.landscape_tab import LandscapeTab
from explorer.network.model import RunSettings
from explorer.network.probe_tab import ProbeTab
from explorer.network.sweep_tab import SweepTab
from explorer.network.worker import JobWorker

BOOK_SIZES = (784, 30, 10)
TRAIN_BUTTON = "Train and record"
NEEDS_MNIST = ("This panel trains and measures the real network on MNIST: its training "
               "images (and its test images for the test cost).")


class NetworkPanel(QWidget):
    """See the module's docstring. Takes the window's ``Session``."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.data = session.mnist.data
        self.last_run: Optional[RunSnapshot] = None
        self.needs_text = NEEDS_MNIST
        self.mnist_dialog = None
        self._wanted = False        # a button asked for MNIST: offer the download if missing
        self._retry: Optional[Callable[[], object]] = None   # the job waiting for MNIST
        self.worker = JobWorker("training", self)
        session.mnist.ready.connect(self.set_data)
        session.mnist.failed.connect(self._mnist_failed)
        session.model_changed.connect(lambda _net, _label: self._show_pad_label())

        lay = QVBoxLayout(self)
        box = QGroupBox("Training run: the path, the probe and the noise scale are recorded "
                        "while it trains")
        b_lay = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(QLabel("Start from:"))
        self.start_from = QComboBox()
        self.start_from.addItem("a fresh 784-30-10 network", "fresh")
        self.start_from.addItem("the pad's network", "pad")
        row.addWidget(self.start_from)
        row.addWidget(QLabel("η:"))
        self.eta = QDoubleSpinBox()
        self.eta.setDecimals(3)
        self.eta.setRange(0.001, 1000.0)
        self.eta.setValue(3.0)
        row.addWidget(self.eta)
        row.addWidget(QLabel("m:"))
        self.m = QSpinBox()
        self.m.setRange(1, 10_000)
        self.m.setValue(10)
        row.addWidget(self.m)
        row.addWidget(QLabel("epochs:"))
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 30)
        self.epochs.setValue(1)
        row.addWidget(self.epochs)
        row.addWidget(QLabel("training images:"))
        self.subset = QSpinBox()
        self.subset.setRange(100, 60_000)
        self.subset.setSingleStep(1000)
        self.subset.setValue(10_000)
        self.subset.setToolTip("A subset keeps the runs fast and small: every run holds its "
                               "own copy of its training images (the sweep holds seven).")
        row.addWidget(self.subset)
        row.addStretch(1)
        self.pad_label = QLabel("")
        row.addWidget(self.pad_label)
        b_lay.addLayout(row)
        self.bar = JobBar({TRAIN_BUTTON: self.train}, self.worker.cancel)
        self.bar.follow(self.worker, self._run_progress, self._run_finished, "Training failed",
                        "Training cancelled; the readings so far stay.")
        b_lay.addWidget(self.bar)
        lay.addWidget(box)
        self.needs = wrap_label("", "needs-mnist")
        self.needs.setStyleSheet("background:#fff4d6; border:1px solid #e0c060; padding:6px; "
                                 "color:#5a4500;")
        self.needs.hide()
        lay.addWidget(self.needs)

        self.tabs = QTabWidget()
        self.landscape = LandscapeTab(self)
        self.probe = ProbeTab()
        self.batches = BatchesTab(self)
        self.sweep = SweepTab(self)
        self.tabs.addTab(self.landscape, "Landscape with its path")
        self.tabs.addTab(self.probe, "dC ≈ ∇C·Δw on the real network")
        self.tabs.addTab(self.batches, "Why mini-batches")
        self.tabs.addTab(self.sweep, "Learning-rate sweep")
        lay.addWidget(self.tabs, 1)
        self._show_pad_label()
        self.batches.show_noise([], self.m.value())

    # ------------------------------------------------------------------ what the tabs ask
    def run_settings(self) -> Tuple[RunSettings, Optional[str]]:
        s = RunSettings(float(self.eta.value()), self.m.value(), self.epochs.value(),
                        self.subset.value(), self.start_from.currentData())
        n = len(self.data.training.labels) if self.data is not None else None
        return s, s.check(n)

    def pad_network(self) -> Optional[Network]:
        """A copy of the network the pad answers with (None if it has none)."""
        net = self.session.model
        return net.copy() if net is not None else None

    def pad_parameters(self) -> int:
        net = self.session.model
        return parameter_count(net.sizes) if net is not None else 0

    def start_network(self) -> Tuple[Optional[Network], str]:
        """(a new network to train, words naming it): fresh 784-30-10 or the pad's copy."""
        s, _ = self.run_settings()
        if s.start == "pad":
            net = self.pad_network()
            if net is not None:
                return net, f"the pad's network ({self.session.model_label})"
        return Network(list(BOOK_SIZES), seed=s.seed), "a fresh 784-30-10 network"

    def experiment_network(self) -> Tuple[Network, str]:
        """The last run's trained network if there is one, else the start network."""
        if self.last_run is not None and self.last_run.net is not None:
            return self.last_run.net.copy(), "the network the last run trained"
        return self.start_network()

    def require_data(self, what: str, retry: Optional[Callable[[], object]] = None):
        """MNIST if it is in memory; else start reading it, say what needs it, and None.
        ``retry`` (the job that asked) runs by itself once MNIST is in."""
        if self.data is not None:
            return self.data
        self._wanted = True
        self._retry = retry
        self.needs_text = f"{what} needs MNIST. {NEEDS_MNIST} Reading it…"
        self.needs.setText(self.needs_text)
        self.needs.show()
        self.session.mnist.request()
        return None

    def job_inputs(self, what: str, bar: JobBar, retry: Optional[Callable[[], object]] = None
                   ) -> Optional[Tuple[object, RunSettings]]:
        """MNIST and the run's settings for a job that ``what`` names, or None after
        saying why not on ``bar``: MNIST is not in memory (it is being read: ``retry``
        then starts the job when it is in), or a setting cannot be used."""
        data = self.require_data(what, retry)
        if data is None:
            bar.say(self.needs_text, "warning")
            return None
        settings, problem = self.run_settings()
        if problem:
            bar.say(problem, "error")
            return None
        return data, settings

    def set_data(self, data) -> None:
        """MNIST arrived (or a test's small data set)."""
        self.data = data
        self.needs.hide()
        self.needs_text = NEEDS_MNIST
        retry, self._retry = self._retry, None
        if retry is not None:           # the job that was waiting for MNIST
            retry()

    def _mnist_failed(self, message: str) -> None:
        if self.data is not None:
            return
        self.needs_text = f"{NEEDS_MNIST} {message}"
        self.needs.setText(self.needs_text)
        self.needs.show()
        self._retry = None
        if self._wanted:
            self._wanted = False
            self._offer_download(message)

    def _offer_download(self, message: str) -> None:
        offer_download(self, message, self._mnist_ready)

    def _mnist_ready(self, folder) -> None:
        self.needs.setText(f"MNIST is ready in {folder}; reading it…")
        self.session.mnist.request()

    def _show_pad_label(self) -> None:
        self.pad_label.setText(f"Pad's network: {self.session.model_label}")

    # ------------------------------------------------------------------ the training run
    def train(self) -> bool:
        inputs = self.job_inputs("Training", self.bar, retry=self.train)
        if inputs is None:
            return False
        data, settings = inputs
        net, which = self.start_network()
        if not self.worker.start("run", lambda: training_run(net, data, settings)):
            return False
        self.bar.set_running(True)
        self.bar.say(f"Training {which}: eta = {settings.eta:g}, m = {settings.mini_batch_size}, "
                     f"{settings.epochs} epoch(s) on {min(settings.subset, len(data.training.labels)):,} "
                     f"images…")
        return True

    def _run_progress(self, tag, snap: RunSnapshot) -> None:
        self.bar.set_progress(snap.fraction)
        self.show_run(snap)
        if not snap.done:
            self.bar.say(f"Epoch {snap.epoch} of {snap.settings.epochs}: {snap.updates:,} of "
                         f"{snap.updates_total:,} mini-batches, last mini-batch cost "
                         f"{snap.batch_cost:.4f}; {len(snap.probe)} probe readings.")

    def show_run(self, snap: RunSnapshot) -> None:
        accuracy = [e.test_accuracy for e in snap.epochs if e.test_accuracy is not None]
        saturated = snap.done and bool(accuracy) and accuracy[-1] <= 0.15
        self.probe.show_readings(snap.probe, saturated)
        self.batches.show_noise(snap.noise, snap.settings.mini_batch_size)

    def _run_finished(self, tag, snap: RunSnapshot) -> None:
        self.show_run(snap)
        self.last_run = snap
        diverged = "diverged" in snap.note
        if diverged or snap.path is None or len(snap.path) < 3:
            self.bar.say(snap.note, "warning" if diverged else "info")
            return
        self.bar.say(snap.note + " The landscape of its path follows.")
        if not self.landscape.worker.running:
            self.landscape.draw_path()

    # ------------------------------------------------------------------ settings
    def _boxes(self):
        """(key, spin box, default) of the numbers kept between runs."""
        return (("eta", self.eta, 3.0), ("m", self.m, 10), ("epochs", self.epochs, 1),
                ("subset", self.subset, 10_000), ("sample", self.landscape.sample, 2000),
                ("points", self.landscape.points, 31), ("sweep_epochs", self.sweep.epochs, 1))

    def _combos(self):
        """(key, combo box) of the choices kept between runs (their data values)."""
        return (("start", self.start_from), ("directions", self.landscape.directions),
                ("cost_on", self.landscape.cost_on), ("race_axis", self.batches.race_axis))

    def settings_state(self) -> dict:
        state = {key: box.value() for key, box, _ in self._boxes()}
        state.update({key: combo.currentData() for key, combo in self._combos()})
        return state

    def apply_settings(self, state: dict) -> list:
        """Put saved settings back; each value that cannot be used keeps its default, with
        a note saying so."""
        notes = []
        for key, box, default in self._boxes():
            v = state.get(key, default)
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and \
                box.minimum() <= v <= box.maximum() and (isinstance(default, float) or
                                                         int(v) == v)
            box.setValue(v if ok else default)
            if not ok:
                notes.append(f"the saved {key.replace('_', ' ')} ({str(v)[:20]}) could not be "
                             f"used; {default:g} instead.")
        for key, combo in self._combos():
            v = state.get(key, combo.itemData(0))
            i = combo.findData(v) if isinstance(v, str) else -1
            combo.setCurrentIndex(max(i, 0))
            if i < 0:
                notes.append(f"the saved {key.replace('_', ' ')} ({str(v)[:20]}) could not be "
                             f"used; {combo.itemText(0)} instead.")
        return notes

    # ------------------------------------------------------------------ window
    def workers(self):
        return [self.worker, self.landscape.worker, self.batches.worker, self.sweep.worker]

    def shutdown(self) -> None:
        """Cancel every job (the window is closing)."""
        for w in self.workers():
            w.cancel()
        for w in self.workers():
            w.wait(2.0)
