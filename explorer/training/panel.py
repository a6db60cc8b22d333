"""The Training panel: set up a network, press Train, and watch it learn MNIST live.

The network is trained by ``engine.sgd.Trainer`` in a ``TrainingWorker`` thread; this
panel only sends it requests (pause, resume, stop, a new eta or m) and draws the
throttled packets it sends back. The panel owns the network while no run is going;
during a run the worker owns it, and the panel (and the drawing pad, through the
session) only ever see copies.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Dict, List, Optional

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine import model_io
from engine.network import Network
from engine.sgd import stuck_warning
from explorer.training.controls import FieldError, TrainingControls
from explorer.training.plots import EPOCH_PLOTS, TrainingPlots
from explorer.training.worker import Outcome, RunConfig, TrainingWorker, Update, load_mnist


class _Reaper(QObject):
    """Keeps every worker referenced until its thread has finished, then deletes it.

    A QThread whose Python wrapper is collected while it runs aborts the process
    ("QThread: Destroyed while thread is still running"); this makes that impossible
    even if a panel goes away in the middle of a run.
    """

    def __init__(self):
        super().__init__()
        self.workers = set()

    def keep(self, worker: TrainingWorker) -> None:
        self.workers.add(worker)
        worker.finished.connect(self._finished)

    def _finished(self) -> None:
        for w in [w for w in self.workers if w.isFinished()]:
            self.workers.discard(w)
            w.deleteLater()

    def running(self) -> List[TrainingWorker]:
        return [w for w in self.workers if w.isRunning()]

    def running_except(self, worker) -> List[TrainingWorker]:
        return [w for w in self.running() if w is not worker]


_reaper: Optional[_Reaper] = None
# How often the plots and the status line are redrawn while training runs. Python code
# on the window's thread holds the GIL, which stops the training thread meanwhile:
# in bench/bench_training_window.py, 4 redraws a second cost training 24% of its speed
# and 2.5 a second cost 6% (measured back to back).
REFRESH_MS = 400
QWIDGETSIZE_MAX = (1 << 24) - 1


def reaper() -> _Reaper:
    global _reaper
    if _reaper is None:
        _reaper = _Reaper()
    return _reaper


def _fmt_seconds(s: float) -> str:
    if not math.isfinite(s) or s < 0:
        return "?"
    if s < 60:
        return f"{s:.0f} s"
    if s < 3600:
        return f"{int(s // 60)} min {int(s % 60):02d} s"
    return f"{int(s // 3600)} h {int(s % 3600 // 60):02d} min"


def _saved_facts(net: Network) -> str:
    """" (30 epochs, 97.65% test accuracy when saved)" from a loaded model's metadata."""
    meta = getattr(net, "metadata", None) or {}
    facts = []
    epochs = meta.get("trained_epochs", meta.get("epochs_done"))
    if isinstance(epochs, int) and not isinstance(epochs, bool) and epochs >= 0:
        facts.append(f"{epochs} epoch{'s' if epochs != 1 else ''}")
    acc = meta.get("test_accuracy")
    if isinstance(acc, (int, float)) and not isinstance(acc, bool) and 0 <= acc <= 1:
        facts.append(f"{100 * acc:.2f}% test accuracy")
    return f" ({', '.join(facts)} when saved)" if facts else ""


def _saved_training_settings(net: Network) -> Dict[str, str]:
    """The eta, m and L2 a loaded model was trained with, as field texts, from its
    metadata (the panel saves its fields under "settings"; ``train --save`` saves
    "eta", "mini_batch_size" and "l2"). Whatever is missing or odd is left out."""
    meta = getattr(net, "metadata", None) or {}
    fields = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
    found = {"eta": fields.get("eta", meta.get("eta")),
             "m": fields.get("m", meta.get("mini_batch_size")),
             "l2": fields.get("l2", meta.get("l2"))}
    return {k: str(v) for k, v in found.items()
            if isinstance(v, (int, float, str)) and not isinstance(v, bool)
            and 0 < len(str(v)) < 40}


class TrainingPanel(QWidget):
    """Presets and settings on the left, buttons under them, live plots on the right."""

    run_finished = Signal(object)       # the Outcome of each run (tests and scripts wait on it)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.data_loader = load_mnist       # (data_dir, split) -> MnistData; tests replace it
        self.mnist_dialog = None
        self._net: Optional[Network] = None     # owned by the panel when no run is going
        self._worker: Optional[TrainingWorker] = None
        self._epochs_done = 0
        self._examples_done = 0
        self._runs = 0
        self._history: List[dict] = []
        self._snapshot: Optional[Network] = None    # the newest copy handed to the session
        self._snapshot_epoch = 0
        self._last_batch = None
        self._paused = False
        self._pending_train = False
        self._n_train = 0
        self._hyper_now = (0.0, 0)
        self.updates_received = 0

        # ---- left: settings and buttons
        self.controls = TrainingControls()
        self.controls.changed.connect(self._update_buttons)
        self.controls.hyper_edited.connect(self._hyper_edited)

        self.train_button = QPushButton("Train")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.new_button = QPushButton("New Network")
        for b, name, tip in ((self.train_button, "train", "Train the network (continues a "
                                                          "trained one if the structure is unchanged)"),
                             (self.pause_button, "pause", "Pause or resume training"),
                             (self.stop_button, "stop", "Stop after the current mini-batch"),
                             (self.new_button, "new-network", "Start again from new random weights")):
            b.setObjectName(name)
            b.setToolTip(tip)
        self.train_button.setDefault(True)
        self.train_button.clicked.connect(self.train)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.new_button.clicked.connect(self.new_network)
        run_box = QGroupBox("Run")
        grid = QGridLayout(run_box)
        grid.addWidget(self.train_button, 0, 0)
        grid.addWidget(self.pause_button, 0, 1)
        grid.addWidget(self.stop_button, 1, 0)
        grid.addWidget(self.new_button, 1, 1)

        self.save_action = QAction("Save Trained &Model…", self)
        self.save_action.triggered.connect(self.save_model_dialog)
        self.load_action = QAction("&Load Model for Training…", self)
        self.load_action.triggered.connect(self.load_model_dialog)
        self.csv_action = QAction("&Export Training Metrics as CSV…", self)
        self.csv_action.triggered.connect(self.export_csv_dialog)
        self.save_button = QPushButton("Save Model…")
        self.load_button = QPushButton("Load Model…")
        self.csv_button = QPushButton("Export CSV…")
        for b, a, name in ((self.save_button, self.save_action, "save-model"),
                           (self.load_button, self.load_action, "load-model"),
                           (self.csv_button, self.csv_action, "export-csv")):
            b.setObjectName(name)
            b.clicked.connect(a.trigger)
        model_box = QGroupBox("Model and metrics")
        mlay = QHBoxLayout(model_box)
        for b in (self.save_button, self.load_button, self.csv_button):
            mlay.addWidget(b)

        self.data_label = QLabel("Data: MNIST, read when training starts.")
        self.data_label.setObjectName("data-source")
        self.data_label.setWordWrap(True)
        self.data_label.setStyleSheet("color: #555;")
        self.data_label.setTextInteractionFlags(Qt.TextSelectableByMouse)

        left = QWidget()
        llay = QVBoxLayout(left)
        llay.addWidget(self.controls)
        llay.addWidget(run_box)
        llay.addWidget(model_box)
        llay.addWidget(self.data_label)
        llay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(left.sizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width() + 4)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        # ---- right: status, message, plots
        self.status = QLabel("Press Train to start.")
        self.status.setObjectName("training-status")
        self.status.setStyleSheet("font-size: 12pt;")
        self.status.setWordWrap(True)
        # Two lines during a run: a label that changes height 10 times a second would lay
        # out (and repaint) the plots under it each time. Between runs it grows as its
        # text needs (a loaded model's description takes three lines in a narrow window).
        self._status_lines = 2 * self.status.fontMetrics().lineSpacing() + 8
        self.status.setFixedHeight(self._status_lines)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setObjectName("training-message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.setVisible(False)
        self.model_label = QLabel()
        self.model_label.setObjectName("model-label")
        self.model_label.setStyleSheet("color: #555;")
        self.plots = TrainingPlots(auto_redraw=False)
        # Packets arrive 5 a second; the status line and the plots are redrawn
        # together at most REFRESH_MS apart, so the window repaints once per refresh.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh)
        self._status_pending: Optional[str] = None
        self._model_text = f"The drawing pad uses: {session.model_label}"
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.addWidget(self.status)
        self.model_label.setText(self._model_text)
        rlay.addWidget(self.model_label)
        rlay.addWidget(self.message)
        rlay.addWidget(self.plots, 1)

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([scroll.minimumWidth(), 1000])
        splitter.setCollapsible(0, False)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(splitter)
        self._update_buttons()

    # ------------------------------------------------------------------ hooks
    def file_actions(self) -> List[QAction]:
        return [self.save_action, self.load_action, self.csv_action]

    def save_state(self, settings) -> None:
        for k, v in self.controls.state().items():
            settings.setValue(k, v)

    def restore_state(self, settings) -> None:
        state = {}
        for k in list(self.controls.fields) + ["preset", "monitor"]:
            try:
                v = settings.value(k)
            except Exception:       # a damaged settings file must not stop the window
                v = None
            if isinstance(v, str):
                state[k] = v
        if state:
            self.controls.set_state(state)

    def shutdown(self) -> None:
        """Stop a run and wait for its thread (the window is closing)."""
        self._pending_train = False
        if self.mnist_dialog is not None:
            self.mnist_dialog.shutdown()
        worker = self._worker
        if worker is not None:
            worker.request_stop()
            worker.wait()

    # ------------------------------------------------------------------ state
    @property
    def running(self) -> bool:
        return self._worker is not None

    @property
    def network(self) -> Optional[Network]:
        """The panel's network when idle (None during a run: the worker owns it)."""
        return None if self.running else self._net

    @property
    def history(self) -> List[dict]:
        return list(self._history)

    def _update_buttons(self) -> None:
        running = self.running
        valid = not self.controls.errors()
        self.train_button.setEnabled(not running and valid)
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if self._paused else "Pause")
        self.stop_button.setEnabled(running)
        self.new_button.setEnabled(not running and valid)
        self.load_action.setEnabled(not running)
        self.load_button.setEnabled(not running)
        self.save_action.setEnabled(self.current_model() is not None)
        self.save_button.setEnabled(self.save_action.isEnabled())
        self.csv_action.setEnabled(bool(self._history))
        self.csv_button.setEnabled(bool(self._history))
        self.controls.set_running(running)
        if running:
            self.status.setFixedHeight(self._status_lines)
        else:
            self.status.setMinimumHeight(self._status_lines)
            self.status.setMaximumHeight(QWIDGETSIZE_MAX)

    def _show_message(self, text: str, kind: str = "info") -> None:
        colors = {"info": ("#0b3d91", "#e8f0fe"), "error": ("#8a0010", "#fdecea"),
                  "warning": ("#6b4e00", "#fff4d6")}
        fg, bg = colors.get(kind, colors["info"])
        self.message.setStyleSheet(f"color: {fg}; background: {bg}; padding: 6px; "
                                   f"border-radius: 4px;")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _structure(self, v) -> tuple:
        return (tuple(v["sizes"]), v["activation"], v["cost"], v["init"])

    def _net_structure(self, net: Network) -> tuple:
        return (tuple(net.sizes), net.activation_name, net.cost_name, net.init)

    def _label(self, what: str, epoch: Optional[int] = None) -> str:
        sizes = "-".join(map(str, self._net.sizes)) if self._net is not None else "?"
        text = f"{what}: {sizes}"
        return text if epoch is None else f"{text}, epoch {epoch}"

    def _give_model(self, net: Network, label: str) -> None:
        """Hand a COPY to the session (the drawing pad reads it between our updates)."""
        self._snapshot = net
        self.session.set_model(net, label)
        self._model_text = f"The drawing pad uses: {label}"
        if not self._refresh_timer.isActive():      # during a run: with the next refresh
            self.model_label.setText(self._model_text)

    # ------------------------------------------------------------------ building
    def new_network(self) -> bool:
        """Build a new network from the settings (clears the plots and history)."""
        if self.running:
            return False
        if not self.controls.validate():
            self._show_message("Fix the settings marked in red first.", "error")
            return False
        v = self.controls.values()
        self._net = Network(v["sizes"], activation=v["activation"], cost=v["cost"],
                            init=v["init"], seed=v["seed"])
        self._reset_progress()
        self._give_model(self._net.copy(), self._label("new, untrained"))
        self.status.setText(f"New network {self._net.describe()}. Press Train.")
        self._show_message("")
        self._update_buttons()
        return True

    def _reset_progress(self) -> None:
        self._epochs_done = 0
        self._examples_done = 0
        self._runs = 0
        self._history = []
        self._last_batch = None
        self.plots.clear()

    # ------------------------------------------------------------------ running
    def train(self) -> bool:
        """Start a run (a new network if the structure changed, else continue training)."""
        if self.running:
            return False
        if not self.controls.validate():
            self._show_message("Fix the settings marked in red first.", "error")
            return False
        v = self.controls.values()
        if self._net is None or self._net_structure(self._net) != self._structure(v):
            self.new_network()
        seed = v["seed"] + self._runs       # a continued run does not replay the shuffles
        cfg = RunConfig(net=self._net, eta=v["eta"], mini_batch_size=v["m"], epochs=v["epochs"],
                        lmbda=v["l2"], seed=seed, train_size=v["images"], split=v["split"],
                        data_dir=self.session.data_dir, monitor_training=v["monitor"],
                        epoch_offset=self._epochs_done, examples_offset=self._examples_done,
                        loader=self.data_loader)
        self._run_epochs = v["epochs"]
        self._hyper_now = (v["eta"], v["m"])       # what the next marker changes from
        worker = TrainingWorker(cfg)
        worker.data_ready.connect(self._data_ready)
        worker.progress.connect(self._progress)
        worker.paused_changed.connect(self._paused_changed)
        worker.outcome.connect(self._outcome)
        reaper().keep(worker)
        self._worker = worker
        self._paused = False
        self._runs += 1
        self.controls.set_hyper_baseline()
        self._show_message("")
        self.status.setText("Reading MNIST…" if self._examples_done == 0 else "Continuing…")
        self._update_buttons()
        worker.start()
        return True

    def toggle_pause(self) -> None:
        if self._worker is None:
            return
        self._paused = not self._paused
        self._worker.set_paused(self._paused)
        self._update_buttons()
        if self._paused:
            self.status.setText(self.status.text() + " · pausing…")

    def pause(self) -> None:
        if self._worker is not None and not self._paused:
            self.toggle_pause()

    def resume(self) -> None:
        if self._worker is not None and self._paused:
            self.toggle_pause()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.request_stop()
            self.status.setText("Stopping after this mini-batch…")

    def _hyper_edited(self, eta: float, m: int) -> None:
        if self._worker is not None:
            self._worker.set_hyper(eta, m)

    # ------------------------------------------------------------------ from the worker
    def _data_ready(self, description: str, n: int) -> None:
        self._n_train = n
        self.data_label.setText(f"Data: {description}\n{n:,} training images used.")

    def _paused_changed(self, paused: bool) -> None:
        if paused:
            self.status.setText("Paused. " + self._status_text(self._last_batch, None))

    def _progress(self, upd: Update) -> None:
        # (Packets of one run all arrive before its outcome, and a run starts only after
        # the previous one's outcome: whatever arrives belongs to the current run.)
        self.updates_received += 1
        last = upd.last
        if last is not None:
            self._last_batch = last
        for mk in upd.markers:
            self.plots.add_marker(mk.examples, mk.epoch, self._marker_text(mk))
        self.plots.add_batches(upd.examples, upd.costs, last.batches if last is not None else 1)
        if upd.epochs:
            self.plots.add_epochs(upd.epochs)
            bp = self._last_batch
            for r in upd.epochs:
                self._history.append(dict(
                    epoch=r.epoch, examples_seen=r.examples_seen, seconds=round(r.seconds, 4),
                    eta=bp.eta if bp else "", mini_batch_size=bp.mini_batch_size if bp else "",
                    train_cost=r.train_cost, train_accuracy=r.train_accuracy,
                    test_cost=r.test_cost, test_accuracy=r.test_accuracy))
            self.csv_action.setEnabled(True)
            self.csv_button.setEnabled(True)
            warning = stuck_warning(upd.epochs[-1], bp.eta if bp else 0.0)
            if warning:
                self._show_message(warning + " Saturated weights rarely recover: stop, lower "
                                   "eta and press New Network to start from fresh weights.",
                                   "warning")
        if upd.snapshot is not None:
            net, epoch = upd.snapshot
            self._give_model(net, self._label("being trained", epoch))
            self._snapshot_epoch = epoch
            self.save_action.setEnabled(True)
            self.save_button.setEnabled(True)
        if not self._paused:
            self._status_pending = self._status_text(last, upd)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh(self) -> None:
        """Draw what the last packets brought: status line and plots in one repaint."""
        if self._status_pending is not None and not self._paused:
            self.status.setText(self._status_pending)
        self._status_pending = None
        self.model_label.setText(self._model_text)
        # The epoch plots a moment later, each in a repaint of its own: one long repaint
        # of everything would keep the window from answering for longer.
        self.plots.redraw_now(only="batches")
        if self.plots.dirty:
            for i, which in enumerate(EPOCH_PLOTS, start=1):
                QTimer.singleShot(i * REFRESH_MS // 3, self.plots,
                                  lambda w=which: self.plots.redraw_now(only=w))

    def _marker_text(self, mk) -> str:
        """What changed at a marker, e.g. "η 3 → 0.5" or "m 10 → 50"."""
        eta, m = self._hyper_now
        parts = []
        if mk.eta != eta:
            parts.append(f"η {eta:g} → {mk.eta:g}")
        if mk.mini_batch_size != m:
            parts.append(f"m {m} → {mk.mini_batch_size}")
        self._hyper_now = (mk.eta, mk.mini_batch_size)
        return ", ".join(parts) or f"η = {mk.eta:g}, m = {mk.mini_batch_size}"

    def _status_text(self, last, upd: Optional[Update]) -> str:
        if last is None:
            return "Training…"
        total_epochs = self._epochs_done + self._run_epochs
        parts = [f"Epoch {last.epoch} of {total_epochs}",
                 f"mini-batch {last.batch:,} of {last.batches:,}"]
        if upd is not None and upd.active_seconds > 0.05 and upd.examples_this_run:
            rate = upd.examples_this_run / upd.active_seconds
            left = (upd.total_examples - upd.examples_this_run) / rate
            parts.append(f"{rate:,.0f} images/s")
            parts.append(f"about {_fmt_seconds(left)} left")
        if self._history:
            h = self._history[-1]
            if h["test_accuracy"] is not None:
                parts.append(f"test accuracy {100 * h['test_accuracy']:.2f}%")
        parts.append(f"η = {last.eta:g}, m = {last.mini_batch_size}")
        return " · ".join(parts)

    def _outcome(self, out: Outcome) -> None:
        worker = self._worker
        if worker is None:
            return
        worker.wait()        # the thread is at its very end: this returns at once
        self._worker = None
        self._refresh_timer.stop()
        self._status_pending = None
        self.model_label.setText(self._model_text)
        self.plots.redraw_now()
        self._paused = False
        self._epochs_done += out.epochs_done
        self._examples_done += out.examples_seen
        if out.kind in ("finished", "stopped"):
            self._give_model(out.net, self._label("trained", self._epochs_done))
            acc = ""
            if self._history and self._history[-1]["test_accuracy"] is not None:
                acc = f" Test accuracy {100 * self._history[-1]['test_accuracy']:.2f}%."
            self.status.setText(f"{out.message}{acc} {self._epochs_done} epoch(s) in all; "
                                f"Train continues this network, New Network starts again.")
        elif out.kind == "diverged":
            self._net = None     # its weights are NaN: the next run builds a new one
            self.status.setText("Training diverged and was stopped: see below.")
            self._show_message(out.message + self._divergence_hint(), "error")
        elif out.kind == "no-data":
            self.status.setText("MNIST is missing.")
            self._show_message(out.message, "error")
            self._update_buttons()
            self.run_finished.emit(out)
            self._offer_download(out.message)
            return
        else:
            self.status.setText("Training stopped with an error.")
            self._show_message(out.message, "error")
        self._update_buttons()
        self.run_finished.emit(out)

    def _divergence_hint(self) -> str:
        """With L2, eta * lambda / n > 2 flips the sign of the weight decay factor."""
        try:
            v = self.controls.values()
        except FieldError:
            return ""
        n = self._n_train or self.controls.nominal_images()
        k = v["eta"] * v["l2"] / max(n, 1)
        if k > 2:
            return (f" Here the L2 weight decay did it: each step multiplies the weights by "
                    f"1 - eta*lambda/n = {1 - k:.3g}, which is below -1, so they grow without "
                    f"limit. Lower eta or lambda, or use more training images.")
        return ""

    # ------------------------------------------------------------------ missing MNIST
    def _offer_download(self, message: str) -> None:
        from explorer.mnist_dialog import MnistDialog

        if self.mnist_dialog is not None:
            return
        dlg = MnistDialog(message, self)
        self.mnist_dialog = dlg
        dlg.finished.connect(lambda result: self._dialog_done(dlg, result))
        dlg.open()

    def _dialog_done(self, dlg, result: int) -> None:
        self.mnist_dialog = None
        dlg.deleteLater()
        if not result or dlg.folder is None:
            self._show_message("Training needs MNIST. Press Train to be offered the download "
                               "or a folder again.", "warning")
            return
        # A chosen folder is named from now on. So is a download when --data or MNIST_DIR
        # names a folder: those are looked at before the cache, and (missing MNIST) would
        # be refused again after the download, bringing the same dialog back.
        if dlg.origin == "folder" or self.session.data_dir or os.environ.get("MNIST_DIR"):
            self.session.data_dir = str(dlg.folder)
        self._show_message(f"MNIST is ready in {dlg.folder}.", "info")
        self.train()

    # ------------------------------------------------------------------ files
    def current_model(self) -> Optional[Network]:
        """A network that may be saved now (a copy while a run is going)."""
        if self.running:
            return self._snapshot
        return self._net

    def save_model(self, path) -> Path:
        net = self.current_model()
        if net is None:
            raise model_io.ModelError("There is no network to save yet: press Train first.")
        meta = {"trained_epochs": self._epochs_done if not self.running else self._snapshot_epoch,
                "examples_seen": self._examples_done, "settings": self.controls.state()}
        if self._history and self._history[-1]["test_accuracy"] is not None:
            meta["test_accuracy"] = self._history[-1]["test_accuracy"]
        return model_io.save(net, path, meta)

    def save_model_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save Model", "model.npz",
                                              "Models (*.npz)")
        if not path:
            return
        try:
            saved = self.save_model(path)
        except model_io.ModelError as exc:
            self._show_message(str(exc), "error")
            return
        self._show_message(f"Saved the model to {saved}.", "info")

    def load_model(self, path) -> Network:
        if self.running:
            raise model_io.ModelError("Stop training before loading a model.")
        net = model_io.load(path, expect_sizes=(784, 10))
        self._net = net
        self._reset_progress()
        training = _saved_training_settings(net)
        self.controls.set_structure(net.sizes, net.activation_name, net.cost_name, net.init,
                                    training)
        self._give_model(net.copy(), f"file {Path(path).name}")
        used = ", ".join(f"{'η' if k == 'eta' else 'L2' if k == 'l2' else k} = {v}"
                         for k, v in training.items())
        with_settings = f" with the settings it was trained with ({used})" if used else ""
        self.status.setText(f"Loaded {net.describe()} from {Path(path).name}"
                            f"{_saved_facts(net)}. Train continues training it{with_settings}.")
        self._update_buttons()
        return net

    def load_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load Model", "", "Models (*.npz);;All files (*)")
        if not path:
            return
        try:
            self.load_model(path)
        except model_io.ModelError as exc:
            self._show_message(str(exc), "error")
            return
        self._show_message(f"Loaded {path}.", "info")

    CSV_FIELDS = ("epoch", "examples_seen", "seconds", "eta", "mini_batch_size", "train_cost",
                  "train_accuracy", "test_cost", "test_accuracy")

    def export_csv(self, path) -> Path:
        path = Path(path)
        try:
            with open(path, "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=self.CSV_FIELDS)
                w.writeheader()
                for row in self._history:
                    w.writerow({k: ("" if row.get(k) is None else row.get(k))
                                for k in self.CSV_FIELDS})
        except OSError as exc:
            raise model_io.ModelError(f"Could not write {path}: {exc.strerror or exc}") from None
        return path

    def export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export Training Metrics", "training.csv",
                                              "CSV files (*.csv)")
        if not path:
            return
        try:
            self.export_csv(path)
        except model_io.ModelError as exc:
            self._show_message(str(exc), "error")
            return
        self._show_message(f"Wrote {len(self._history)} epoch(s) to {path}.", "info")
