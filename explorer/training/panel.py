"""The Training panel: set up a network, press Train, and watch it learn MNIST live.

The network is trained by ``engine.sgd.Trainer`` in a ``TrainingWorker`` thread; this
panel only sends it requests (pause, resume, stop, a new eta or m) and draws the
throttled packets it sends back. The panel owns the network while no run is going;
during a run the worker owns it, and the panel (and the drawing pad, through the
session) only ever see copies.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import List, Optional

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import augment, model_io
from engine.network import Network
from explorer.mnist_dialog import offer_download
from explorer.training.augment_strip import COUNT, AugmentStrip, make_examples
from explorer.training.controls import FieldError, TrainingControls
from explorer.training.model import TrainingModel, saved_facts, saved_training_settings
from explorer.training.plots import EPOCH_PLOTS, TrainingPlots
from explorer.training.records import Outcome, Update
from explorer.training.worker import TrainingWorker


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


class TrainingPanel(QWidget):
    """Presets and settings on the left, buttons under them, live plots on the right."""

    run_finished = Signal(object)       # the Outcome of each run (tests and scripts wait on it)
    _examples_ready = Signal(object, str)   # (originals, distorted) or None, and a text

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.model = TrainingModel()
        self.model.history_changed.connect(self._history_changed)
        # (data_dir, split) -> MnistData, called in the worker thread; tests replace it
        self.data_loader = session.mnist.load
        self.mnist_dialog = None
        self._worker: Optional[TrainingWorker] = None
        self._pending_offer = None        # (net copy, epoch, accuracy) for the pad
        self._examples_thread: Optional[threading.Thread] = None
        self._paused = False
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
        self.new_button.clicked.connect(lambda _=False: self.new_network())
        run_box = QGroupBox("Run")
        grid = QGridLayout(run_box)
        grid.addWidget(self.train_button, 0, 0)
        grid.addWidget(self.pause_button, 0, 1)
        grid.addWidget(self.stop_button, 1, 0)
        grid.addWidget(self.new_button, 1, 1)

        self.save_action = QAction("Save Trained &Model…", self)
        self.save_action.setShortcut(QKeySequence("Ctrl+S"))
        self.save_action.triggered.connect(self.save_model_dialog)
        self.load_action = QAction("&Load Model for Training…", self)
        self.load_action.triggered.connect(self.load_model_dialog)
        self.csv_action = QAction("&Export Training Metrics as CSV…", self)
        self.csv_action.setShortcut(QKeySequence("Ctrl+E"))
        self.csv_action.triggered.connect(self.export_csv_dialog)
        # the shortcuts work in this panel alone too (tests, scripts); in the window the
        # same actions sit in the File menu
        self.addActions([self.save_action, self.load_action, self.csv_action])
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
        self.data_label.setTextFormat(Qt.PlainText)

        # The settings scroll when the window is short; the Run and Model boxes stay
        # below them, always in view (at 1280x720 too).
        fields = QWidget()
        flay = QVBoxLayout(fields)
        flay.setContentsMargins(0, 0, 0, 0)
        flay.addWidget(self.controls)
        flay.addWidget(self.data_label)
        flay.addStretch(1)
        settings_scroll = QScrollArea()
        settings_scroll.setObjectName("settings-scroll")
        settings_scroll.setWidget(fields)
        settings_scroll.setWidgetResizable(True)
        settings_scroll.setFrameShape(QScrollArea.NoFrame)
        settings_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll = QWidget()
        llay = QVBoxLayout(scroll)
        llay.setContentsMargins(0, 0, 0, 0)
        llay.addWidget(settings_scroll, 1)
        llay.addWidget(run_box)
        llay.addWidget(model_box)
        scroll.setMinimumWidth(max(fields.sizeHint().width(), model_box.sizeHint().width())
                               + settings_scroll.verticalScrollBar().sizeHint().width() + 8)

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
        # Plain text, all of them: file names, error texts and typed values appear in
        # these labels, and a name such as "<h1>x</h1>" must show as it is written.
        self.status.setTextFormat(Qt.PlainText)
        self.message = QLabel()
        self.message.setObjectName("training-message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.setVisible(False)
        self.message.setTextFormat(Qt.PlainText)
        self.model_label = QLabel()
        self.model_label.setObjectName("model-label")
        self.model_label.setStyleSheet("color: #555;")
        self.model_label.setTextFormat(Qt.PlainText)
        self.plots = TrainingPlots(auto_redraw=False)
        # Packets arrive 5 a second; the status line and the plots are redrawn
        # together at most REFRESH_MS apart, so the window repaints once per refresh.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh)
        self._status_pending: Optional[str] = None
        self._model_text = f"The drawing pad uses: {session.model_label}"
        session.model_changed.connect(self._pad_model_changed)
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.addWidget(self.status)
        self.model_label.setText(self._model_text)
        rlay.addWidget(self.model_label)
        rlay.addWidget(self.message)
        rlay.addWidget(self._build_augment_box())
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

    def _build_augment_box(self) -> QWidget:
        """Training images above, augmented copies below; shown above the plots once
        the "examples" button beside Augmentation is pressed."""
        box = QWidget()
        box.setObjectName("augment-box")
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.augment_strip = AugmentStrip()
        self.augment_strip.setObjectName("augment-strip")
        self.augment_button = self.controls.examples_button
        self.controls.examples_requested.connect(self.show_augment_examples)
        self.augment_note = QLabel("")
        self.augment_note.setObjectName("augment-note")
        self.augment_note.setWordWrap(True)
        self.augment_note.setTextFormat(Qt.PlainText)
        self.augment_note.setStyleSheet("color: #555;")
        hide = QToolButton()
        hide.setText("Hide")
        hide.setObjectName("augment-hide")
        hide.setToolTip("Hide the examples")
        hide.clicked.connect(lambda: box.setVisible(False))
        lay.addWidget(self.augment_strip)
        lay.addWidget(self.augment_note, 1)
        lay.addWidget(hide, 0, Qt.AlignTop)
        box.setVisible(False)
        self.augment_box = box
        self._examples_ready.connect(self._show_examples)
        self._examples_rng = np.random.default_rng()
        return box

    def show_augment_examples(self) -> None:
        """Distort a few training images in a thread (MNIST is read there if needed:
        never on the window's thread); the strip shows them when they are made."""
        if self._examples_thread is not None and self._examples_thread.is_alive():
            return
        kinds = self.controls.text("augment")
        split = self.controls.text("split")
        seed = int(self._examples_rng.integers(2**31))
        loader, data_dir = self.data_loader, self.session.data_dir
        self.augment_note.setText("Making examples…")
        self.augment_box.setVisible(True)
        self.augment_button.setEnabled(False)

        def work():
            try:
                data = loader(data_dir, split)
                pick = np.random.default_rng(seed).choice(len(data.training), COUNT,
                                                          replace=False)
                pairs = make_examples(data.training.images[pick], kinds, seed)
            except Exception as exc:     # MnistError among others: said in the note
                self._examples_ready.emit(None, str(exc))
            else:
                self._examples_ready.emit(pairs, kinds)

        self._examples_thread = threading.Thread(target=work, name="augment-examples",
                                                 daemon=True)
        self._examples_thread.start()

    def _show_examples(self, pairs, text: str) -> None:
        self.augment_button.setEnabled(True)
        if pairs is None:
            self.augment_note.setText(f"No examples: {text}")
            self.augment_box.setVisible(True)
            return
        self.augment_strip.show_pairs(*pairs)
        self.augment_box.setVisible(True)
        kinds = ", ".join(augment.parse_kinds(text) or augment.KINDS)
        self.augment_note.setText(f"Top: training images; below: {kinds}"
                                  + (" (what 'on' would do)." if text == "off" else "."))

    # ------------------------------------------------------------------ hooks
    def file_actions(self) -> List[QAction]:
        return [self.save_action, self.load_action, self.csv_action]

    def settings_state(self) -> dict:
        return self.controls.state()

    def apply_settings(self, state: dict) -> List[str]:
        """Put saved field texts back; a value that does not pass the field's check
        goes back to the preset's value, with a note."""
        texts = {k: v for k, v in state.items() if isinstance(v, str) and len(v) < 200}
        defaults = self.controls.state()
        self.controls.set_state(texts)
        notes = []
        for name in list(self.controls.errors()):
            if name in defaults:
                self.controls.set_text(name, defaults[name])
                notes.append(f"the saved {name} ({texts.get(name, '')!r}) could not be used; "
                             f"{defaults[name]!r} instead.")
        self.controls.validate()
        self._update_buttons()
        return notes

    def shutdown(self) -> None:
        """Stop a run and wait for its thread (the window is closing)."""
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
        return self.model.network

    @property
    def history(self) -> List[dict]:
        return list(self.model.history)

    @property
    def _last_batch(self):
        return self.model.last_batch

    def _update_buttons(self) -> None:
        running = self.running
        valid = not self.controls.errors()
        self.train_button.setEnabled(not running and valid)
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if self._paused else "Pause")
        self.pause_button.setIcon(self.style().standardIcon(
            QStyle.SP_MediaPlay if self._paused else QStyle.SP_MediaPause))
        self.stop_button.setEnabled(running)
        self.new_button.setEnabled(not running and valid)
        self.load_action.setEnabled(not running)
        self.load_button.setEnabled(not running)
        self.save_action.setEnabled(self.current_model() is not None)
        self.save_button.setEnabled(self.save_action.isEnabled())
        self._history_changed()
        self.controls.set_running(running)
        if running:
            self.status.setFixedHeight(self._status_lines)
        else:
            self.status.setMinimumHeight(self._status_lines)
            self.status.setMaximumHeight(QWIDGETSIZE_MAX)

    def _history_changed(self) -> None:
        has = bool(self.model.history)
        self.csv_action.setEnabled(has)
        self.csv_button.setEnabled(has)

    def _show_message(self, text: str, kind: str = "info") -> None:
        colors = {"info": ("#0b3d91", "#e8f0fe"), "error": ("#8a0010", "#fdecea"),
                  "warning": ("#6b4e00", "#fff4d6")}
        fg, bg = colors.get(kind, colors["info"])
        self.message.setStyleSheet(f"color: {fg}; background: {bg}; padding: 6px; "
                                   f"border-radius: 4px;")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _offer_network(self, net: Optional[Network], epoch: Optional[int] = None,
                       accuracy: Optional[float] = None) -> None:
        """Offer the drawing pad (through the session) a COPY of our network: it joins
        the pad's model menu as "being trained"; the pad switches to it only when the
        learner picks it or its test accuracy beats the shipped model's."""
        self.session.set_training(net, epoch, accuracy)

    def _pad_model_changed(self, net, label: str) -> None:
        self._model_text = f"The drawing pad uses: {label}"
        if not self._refresh_timer.isActive():      # during a run: with the next refresh
            self.model_label.setText(self._model_text)

    # ------------------------------------------------------------------ building
    def may_discard(self, action: str) -> bool:
        """Before ``action`` throws away unsaved results (network, plots, history), ask:
        Save (then go on once saved), Discard, or Cancel. True to go on."""
        if not self.model.unsaved or self.current_model() is None:
            return True         # nothing trained since the last save (or it diverged)
        n = self.model.epochs_done
        box = QMessageBox(QMessageBox.Warning, "Unsaved training",
                          f"{action} throws away the network trained here ({n} epoch"
                          f"{'s' if n != 1 else ''}), its plots and its history. Save the "
                          f"network first?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        box.setObjectName("unsaved-question")
        box.setTextFormat(Qt.PlainText)
        box.setDefaultButton(QMessageBox.Save)
        answer = box.exec()
        box.deleteLater()
        if answer == QMessageBox.Save:
            return self.save_model_dialog()
        return answer == QMessageBox.Discard

    def new_network(self, publish: bool = True, ask: bool = True) -> bool:
        """Build a new network from the settings (clears the plots and history; asks
        first when there are unsaved results). ``publish``: offer it to the drawing pad
        at once (Train offers its new network only once MNIST is in and the run has
        begun)."""
        if self.running:
            return False
        if not self.controls.validate():
            self._show_message("Fix the settings marked in red first.", "error")
            return False
        if ask and not self.may_discard("A new network"):
            return False
        net = self.model.new_network(self.controls.values())
        self.plots.clear()
        self._pending_offer = None
        if publish:
            self._offer_network(net.copy(), 0, None)
        self.status.setText(f"New network {net.describe()}. Press Train.")
        self._show_message("")
        self._update_buttons()
        return True

    # ------------------------------------------------------------------ running
    def train(self) -> bool:
        """Start a run (a new network if the structure changed, else continue training)."""
        if self.running:
            return False
        if not self.controls.validate():
            self._show_message("Fix the settings marked in red first.", "error")
            return False
        v = self.controls.values()
        if self.model.needs_new_network(v):
            if self.model.net is not None and not self.may_discard(
                    "Training a network of another structure"):
                return False
            self.new_network(publish=False, ask=False)
        # offered to the pad when the data is in: a run that fails changes nothing there
        self._pending_offer = (self.model.net.copy(), self.model.epochs_done,
                               self.model.last_test_accuracy())
        cfg = self.model.start_run(v, self.session.data_dir, self.data_loader)
        worker = TrainingWorker(cfg)
        worker.data_ready.connect(self._data_ready)
        worker.progress.connect(self._progress)
        worker.paused_changed.connect(self._paused_changed)
        worker.outcome.connect(self._outcome)
        reaper().keep(worker)
        self._worker = worker
        self._paused = False
        self.controls.set_hyper_baseline()
        self._show_message("")
        self.status.setText("Reading MNIST…" if self.model.examples_done == 0 else "Continuing…")
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

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.request_stop()
            self.status.setText("Stopping after this mini-batch…")

    def _hyper_edited(self, eta: float, m: int) -> None:
        if self._worker is not None:
            self._worker.set_hyper(eta, m)

    # ------------------------------------------------------------------ from the worker
    def _data_ready(self, description: str, n: int) -> None:
        self.model.n_train = n
        if self._pending_offer is not None:
            self._offer_network(*self._pending_offer)
            self._pending_offer = None
        self.data_label.setText(f"Data: {description}\n{n:,} training images used.")

    def _paused_changed(self, paused: bool) -> None:
        if paused:
            self.status.setText("Paused. " + self.model.status_text())

    def _progress(self, upd: Update) -> None:
        # (Packets of one run all arrive before its outcome, and a run starts only after
        # the previous one's outcome: whatever arrives belongs to the current run.)
        self.updates_received += 1
        got = self.model.on_update(upd)
        last = self.model.last_batch
        for examples, epoch, text in got["markers"]:
            self.plots.add_marker(examples, epoch, text)
        self.plots.add_batches(upd.examples, upd.costs, last.batches if last is not None else 1)
        if upd.epochs:
            self.plots.add_epochs(upd.epochs)
            if got["warning"]:
                self._show_message(got["warning"], "warning")
        if got["snapshot"] is not None:
            self._offer_network(got["snapshot"][0], self.model.snapshot_epoch,
                                self.model.last_test_accuracy())
            self.save_action.setEnabled(True)
            self.save_button.setEnabled(True)
        if not self._paused:
            self._status_pending = self.model.status_text(upd)
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
        self.plots.fit_batches()
        self._paused = False
        self._pending_offer = None
        got = self.model.on_outcome(out)
        if got["give"] is not None:
            self._offer_network(got["give"][0], self.model.epochs_done,
                                self.model.last_test_accuracy())
        self.status.setText(got["status"])
        if got["message"] is not None:
            text, kind = got["message"]
            if out.kind == "diverged":
                text += self._divergence_hint()
            self._show_message(text, kind)
        self._update_buttons()
        self.run_finished.emit(out)
        if out.kind == "no-data":
            self._offer_download(out.message)

    def _divergence_hint(self) -> str:
        try:
            v = self.controls.values()
        except FieldError:
            return ""
        return self.model.divergence_hint(v["eta"], v["l2"], self.controls.nominal_images())

    # ------------------------------------------------------------------ missing MNIST
    def _offer_download(self, message: str) -> None:
        offer_download(self, message, self._mnist_ready, self._mnist_refused)

    def _mnist_ready(self, folder: Path) -> None:
        self._show_message(f"MNIST is ready in {folder}.", "info")
        self.train()

    def _mnist_refused(self) -> None:
        self._show_message("Training needs MNIST. Press Train to be offered the download "
                           "or a folder again.", "warning")

    # ------------------------------------------------------------------ files
    def current_model(self) -> Optional[Network]:
        """A network that may be saved now (a copy while a run is going)."""
        return self.model.current_model()

    def save_model(self, path) -> Path:
        return self.model.save_model(path, self.controls.state())

    def save_model_dialog(self) -> bool:
        """Ask for a file name and save; True when saved."""
        if self.current_model() is None:
            return False
        path, _ = QFileDialog.getSaveFileName(self, "Save Model", "model.npz",
                                              "Models (*.npz)")
        if not path:
            return False
        try:
            saved = self.save_model(path)
        except model_io.ModelError as exc:
            self._show_message(str(exc), "error")
            return False
        self._show_message(f"Saved the model to {saved}.", "info")
        return True

    def load_model(self, path) -> Network:
        """Load a model file: all or nothing (a refused file changes nothing)."""
        net = self.model.load_model(path)
        self.plots.clear()
        training = saved_training_settings(net)
        self.controls.set_structure(net.sizes, net.activation_name, net.cost_name, net.init,
                                    training)
        self._offer_network(None)         # the pad's "being trained" entry goes ...
        self.session.add_file(net.copy(), path)     # ... and the file's joins the menu
        used = ", ".join(f"{'η' if k == 'eta' else 'L2' if k == 'l2' else k} = {v}"
                         for k, v in training.items())
        with_settings = f" with the settings it was trained with ({used})" if used else ""
        self.status.setText(f"Loaded {net.describe()} from {Path(path).name}"
                            f"{saved_facts(net)}. Train continues training it{with_settings}.")
        self._update_buttons()
        return net

    def load_model_dialog(self) -> None:
        if self.running or not self.may_discard("Loading a model"):
            return
        path, _ = QFileDialog.getOpenFileName(self, "Load Model", "", "Models (*.npz);;All files (*)")
        if not path:
            return
        try:
            self.load_model(path)
        except model_io.ModelError as exc:
            self._show_message(str(exc), "error")
            return
        self._show_message(f"Loaded {path}.", "info")

    def export_csv(self, path) -> Path:
        return self.model.export_csv(path)

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
        self._show_message(f"Wrote {len(self.model.history)} epoch(s) to {path}.", "info")
