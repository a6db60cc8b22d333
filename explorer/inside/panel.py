"""Inside the network: the hidden units as pictures, the confusion matrix on the test
images with the images behind each cell, per-digit accuracy, and the random-labels
experiment (Zhang et al. 2017).

Everything follows the network the drawing pad answers with (``session.model``), also
while it trains: the training panel sends a copy at most twice a second; the unit
pictures are redrawn at most ``REDRAW_MS`` apart and the confusion matrix is computed in
a worker thread on a copy, a newer network replacing a request still waiting. Nothing is
computed while the panel is hidden; it catches up when shown.
"""

from __future__ import annotations

import time
from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine.network import parameter_count
from engine.random_labels import RANDOM_LABELS_DEFAULTS, RandomLabels
from explorer.inside.link import link_of
from explorer.inside.model import NOT_EDGES, InsideModel
from explorer.inside.views import (
    BigPicture,
    ConfusionView,
    DigitAccuracy,
    GalleryView,
    SignedBars,
    UnitGrid,
)
from explorer.inside.worker import LatestJob, RandomLabelsWorker
from explorer.labels import plain_html, title_label
from explorer.mnist_dialog import offer_download

REDRAW_MS = 250           # unit pictures at most 4 times a second
MISTAKES_LIMIT = 2000
ZHANG = ("Zhang et al. (2017): the same network reaches high training accuracy on "
         "labels shuffled at random - it memorises them - while its test accuracy stays "
         "at chance (10%). Low training cost is not the same as having learned.")
NEEDS_MNIST = ("The confusion matrix, the gallery and the random-labels experiment need "
               "MNIST: its 10,000 test images (and, for random labels, its training "
               "images). The unit pictures work without it.")


class InsidePanel(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.model = InsideModel(session.model, session.model_label)
        self.link = link_of(session)
        self.training_data = None           # (images, labels) for random labels
        self.confusion_ms: Optional[float] = None
        self.mnist_dialog = None
        self._mnist_message = ""
        self._asked_mnist = False
        self._dirty_units = True
        self._dirty_confusion = True
        self.rl_worker: Optional[RandomLabelsWorker] = None
        self.rl_records: list = []
        self.jobs = LatestJob("inside-confusion", self)
        self.jobs.done.connect(self._confusion_done)
        self.jobs.failed.connect(self._confusion_failed)
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self._refresh_units)
        self._build()
        self.model.selection_changed.connect(self._on_selection)
        session.model_changed.connect(self._on_model_changed)
        session.mnist.ready.connect(self._mnist_ready)
        session.mnist.failed.connect(self._mnist_failed)
        self.link.digit.connect(self._on_digit)
        if self.link.x is not None:
            self.model.set_digit(self.link.x, self.link.label)
        if session.mnist.data is not None:
            self._mnist_ready(session.mnist.data)
        self._show_header()
        self._show_mnist_state()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.header = QLabel()
        self.header.setObjectName("inside-header")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextSelectableByMouse)

        # units
        self.weights_radio = QRadioButton("weights")
        self.gradient_radio = QRadioButton("|dC/dw| for the pad's digit")
        self.weights_radio.setChecked(True)
        self.gradient_radio.setToolTip(
            "How much the book's cost C_x = 1/2 ||y - a||^2 of the digit on the drawing "
            "pad changes with each incoming weight: only pixels with ink, and units with "
            "an error to pass back, have any.")
        group = QButtonGroup(self)
        group.addButton(self.weights_radio)
        group.addButton(self.gradient_radio)
        self.weights_radio.toggled.connect(
            lambda on: self.model.set_mode("weights" if on else "gradient"))
        self.per_unit_box = QCheckBox("own scale per unit")
        self.per_unit_box.setToolTip("Each picture uses its own largest value: shows the "
                                     "faint units' patterns (sizes can't be compared then)")
        self.per_unit_box.toggled.connect(self._on_per_unit)
        self.unit_grid = UnitGrid()
        self.unit_grid.unit_clicked.connect(self.model.set_unit)
        self.unit_scroll = QScrollArea()
        self.unit_scroll.setWidget(self.unit_grid)
        self.unit_scroll.setWidgetResizable(True)
        self.unit_scroll.setMinimumHeight(220)
        self.units_title = QLabel()
        self.big = BigPicture()
        self.unit_info = QLabel()
        self.unit_info.setObjectName("unit-info")
        self.unit_info.setWordWrap(True)
        self.unit_info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.outgoing = SignedBars()
        edges = QLabel(NOT_EDGES)
        edges.setWordWrap(True)
        edges.setStyleSheet("color: #444;")

        mode_row = QHBoxLayout()
        mode_row.addWidget(QLabel("Show"))
        mode_row.addWidget(self.weights_radio)
        mode_row.addWidget(self.gradient_radio)
        mode_row.addStretch(1)
        mode_row.addWidget(self.per_unit_box)
        detail_right = QVBoxLayout()
        detail_right.addWidget(self.unit_info)
        self.outgoing_title = QLabel("Outgoing weights (its vote for each digit):")
        detail_right.addWidget(self.outgoing_title)
        detail_right.addWidget(self.outgoing)
        detail_right.addStretch(1)
        detail = QHBoxLayout()
        detail.addWidget(self.big)
        detail.addLayout(detail_right, 1)
        left = QVBoxLayout()
        left.addWidget(title_label("Hidden units as pictures", 1.2))
        left.addWidget(self.units_title)
        left.addLayout(mode_row)
        left.addWidget(self.unit_scroll, 1)
        left.addLayout(detail)
        left.addWidget(edges)

        # confusion
        self.mnist_note = QLabel()
        self.mnist_note.setObjectName("inside-mnist")
        self.mnist_note.setWordWrap(True)
        self.read_button = QPushButton("Read MNIST")
        self.read_button.clicked.connect(self.request_mnist)
        self.get_button = QPushButton("Get MNIST…")
        self.get_button.clicked.connect(lambda: self._offer_download(self._mnist_message))
        mnist_row = QHBoxLayout()
        mnist_row.addWidget(self.mnist_note, 1)
        mnist_row.addWidget(self.read_button)
        mnist_row.addWidget(self.get_button)
        self.confusion_view = ConfusionView()
        self.confusion_view.cell_clicked.connect(self.model.show_cell)
        self.accuracy_view = DigitAccuracy()
        self.mistakes_button = QPushButton("Most confident mistakes")
        self.mistakes_button.setToolTip("Every wrong answer on the test images, the boldest "
                                        "first")
        self.mistakes_button.clicked.connect(lambda: self.model.show_mistakes(MISTAKES_LIMIT))
        self.confusion_info = QLabel()
        self.confusion_info.setObjectName("confusion-info")
        self.confusion_info.setWordWrap(True)
        self.confusion_info.setStyleSheet("color: #555;")
        matrix_row = QHBoxLayout()
        matrix_row.addWidget(self.confusion_view, 1)
        side = QVBoxLayout()
        side.addWidget(self.accuracy_view, 1)
        side.addWidget(self.mistakes_button)
        matrix_row.addLayout(side)
        self.gallery_title = QLabel("Click a cell of the matrix to see its test images.")
        self.gallery_title.setObjectName("gallery-title")
        self.gallery_title.setWordWrap(True)
        self.gallery = GalleryView(self.model)
        self.gallery.clicked.connect(self._gallery_clicked)

        # random labels
        self.rl_group = QGroupBox("Random labels: can it learn nonsense?")
        self.rl_images = QSpinBox()
        self.rl_images.setRange(10, 60_000)
        self.rl_images.setSingleStep(1000)
        self.rl_images.setValue(RANDOM_LABELS_DEFAULTS["train_size"])
        self.rl_epochs = QSpinBox()
        self.rl_epochs.setRange(1, 1000)
        self.rl_epochs.setValue(RANDOM_LABELS_DEFAULTS["epochs"])
        self.rl_start = QPushButton("Run the experiment")
        self.rl_start.clicked.connect(self.start_random_labels)
        self.rl_stop = QPushButton("Stop")
        self.rl_stop.setEnabled(False)
        self.rl_stop.clicked.connect(self.stop_random_labels)
        self.rl_status = QLabel()
        self.rl_status.setObjectName("rl-status")
        self.rl_status.setWordWrap(True)
        sizes = RANDOM_LABELS_DEFAULTS["sizes"]
        self.rl_status.setText(
            f"Two copies of one {'-'.join(map(str, sizes))} network "
            f"({parameter_count(sizes):,} weights and biases), eta "
            f"{RANDOM_LABELS_DEFAULTS['eta']:g}, m {RANDOM_LABELS_DEFAULTS['mini_batch_size']}:"
            f" one learns the true labels, one the same images with labels shuffled.")
        self.rl_plot = pg.PlotWidget(background="w")
        self.rl_plot.setMinimumHeight(90)
        self.rl_plot.setLabel("bottom", "epoch")
        self.rl_plot.setLabel("left", "accuracy %")
        self.rl_plot.setYRange(0, 100)
        self.rl_plot.showGrid(x=True, y=True, alpha=0.25)
        blue, orange = (31, 119, 180), (230, 120, 20)
        legend = QLabel("<span style='color:#1f77b4'>━ true labels, training &nbsp; ┅ true "
                        "labels, test</span> &nbsp;&nbsp; <span style='color:#e67814'>━ "
                        "shuffled labels, training &nbsp; ┅ shuffled labels, test</span>")
        legend.setObjectName("rl-legend")
        self.rl_curves = {
            "true_train_accuracy": self.rl_plot.plot(name="true labels, training",
                                                     pen=pg.mkPen(blue, width=2)),
            "true_test_accuracy": self.rl_plot.plot(
                name="true labels, test", pen=pg.mkPen(blue, width=2, style=Qt.DashLine)),
            "shuffled_train_accuracy": self.rl_plot.plot(name="shuffled, training",
                                                         pen=pg.mkPen(orange, width=2)),
            "shuffled_test_accuracy": self.rl_plot.plot(
                name="shuffled, test", pen=pg.mkPen(orange, width=2, style=Qt.DashLine)),
        }
        meaning = QLabel(ZHANG)
        meaning.setWordWrap(True)
        meaning.setStyleSheet("color: #444;")
        rl_row = QHBoxLayout()
        rl_row.addWidget(QLabel("training images"))
        rl_row.addWidget(self.rl_images)
        rl_row.addWidget(QLabel("epochs"))
        rl_row.addWidget(self.rl_epochs)
        rl_row.addWidget(self.rl_start)
        rl_row.addWidget(self.rl_stop)
        rl_row.addStretch(1)
        text = QVBoxLayout()
        text.addLayout(rl_row)
        text.addWidget(self.rl_status)
        text.addWidget(meaning)
        text.addStretch(1)
        plot = QVBoxLayout()
        plot.addWidget(legend)
        plot.addWidget(self.rl_plot, 1)
        rl = QHBoxLayout(self.rl_group)
        rl.addLayout(text, 2)
        rl.addLayout(plot, 3)

        right = QVBoxLayout()
        right.addWidget(title_label("Confusion matrix on the test images", 1.2))
        right.addLayout(mnist_row)
        right.addLayout(matrix_row, 3)
        right.addWidget(self.confusion_info)
        right.addWidget(self.gallery_title)
        right.addWidget(self.gallery, 2)

        left_w, right_w = QWidget(), QWidget()
        left_w.setLayout(left)
        right_w.setLayout(right)
        bottom = QSplitter(Qt.Vertical)
        top = QSplitter(Qt.Horizontal)
        for column in (left_w, right_w):      # small windows scroll, never clip
            scroll = QScrollArea()
            scroll.setWidget(column)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.NoFrame)
            top.addWidget(scroll)
        top.setStretchFactor(0, 1)
        top.setStretchFactor(1, 1)
        bottom.addWidget(top)
        bottom.addWidget(self.rl_group)
        bottom.setStretchFactor(0, 4)
        bottom.setStretchFactor(1, 1)
        bottom.setSizes([680, 240])
        outer = QVBoxLayout(self)
        outer.addWidget(self.header)
        outer.addWidget(bottom, 1)

    # ------------------------------------------------------------------ the network
    def _on_model_changed(self, net, label: str) -> None:
        self.model.set_network(net, label)
        self._show_header()
        self._dirty_units = self._dirty_confusion = True
        if self.isVisible():
            self.request_confusion()
            if not self._redraw.isActive():
                self._redraw.start()

    def _show_header(self) -> None:
        problem = self.model.problem()
        if problem:
            self.header.setText(f"<span style='color:#b00020'><b>{plain_html(problem)}</b></span>")
        else:
            self.header.setText(f"Looking inside the network the drawing pad answers with: "
                                f"<b>{plain_html(self.model.describe())}</b>")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._asked_mnist and self.session.mnist.data is None \
                and self.model.test is None:
            self.request_mnist()
        if self._dirty_units:
            self._refresh_units()
        if self._dirty_confusion:
            self.request_confusion()

    # ------------------------------------------------------------------ unit pictures
    def _on_per_unit(self, on: bool) -> None:
        self.model.per_unit = bool(on)
        self._refresh_units()

    def _on_selection(self) -> None:
        self._refresh_units()
        self._show_gallery()

    def _on_digit(self, x, label) -> None:
        m = self.model
        if label == m.digit_label and ((x is None and m.x is None) or (
                x is not None and m.x is not None and np.array_equal(m.x, x))):
            return                    # the pad refreshed, the digit is the same
        m.set_digit(x, label)
        if self.isVisible():
            self._refresh_units()
        else:
            self._dirty_units = True

    def _refresh_units(self) -> None:
        self._dirty_units = False
        m = self.model
        grid = m.unit_grid()
        if grid is None:
            self.unit_grid.set_grid(None, 1, 0)
            self.units_title.setText("")
            self.big.set_picture(None)
            self.outgoing.set_values(None)
            self.unit_info.setText("")
            return
        rgba, columns, scale = grid
        n = m.units()
        self.unit_grid.set_grid(rgba, columns, n)
        self.unit_grid.set_selected(m.unit)
        what = ("incoming weights (red positive, blue negative, white zero)"
                if m.mode == "weights" else
                "|dC_x/dw| of each incoming weight for the pad's digit (white: none)")
        self.units_title.setText(f"All {n} units of the first hidden layer: {what}.")
        d = m.unit_detail()
        signed = m.mode == "weights"
        legend = (f"{-d.scale:.2g}", f"+{d.scale:.2g}") if signed else ("0", f"{d.scale:.2g}")
        self.big.set_picture(d.rgba, signed, legend)
        self.outgoing.set_values(d.outgoing)
        if m.net.num_layers > 3:
            self.outgoing_title.setText(f"Outgoing weights to the {m.net.sizes[2]} units of "
                                        f"the next hidden layer:")
        else:
            self.outgoing_title.setText("Outgoing weights (its vote for each digit):")
        act = ("draw a digit on the pad to see its activation" if d.activation is None
               else f"activation on the pad's digit: <b>{d.activation:.3f}</b>")
        w = m.net.weights[0][d.unit]
        if signed:
            extra = f"weights from {float(w.min()):+.2f} to {float(w.max()):+.2f}"
        else:
            g = m.gradients()
            extra = ("no digit on the pad: no gradient" if g is None else
                     f"sum of |dC_x/dw| over its 784 weights: {float(g.unit_totals[d.unit]):.3g}"
                     f" (the largest unit: {float(g.unit_totals.max()):.3g})")
        self.unit_info.setText(
            f"<b>Unit {d.unit}</b> of {n}: {_unit_formula(m.net)}, "
            f"b = {float(m.net.biases[0][d.unit]):+.2f}"
            f"<br>{act}<br>{extra}")

    # ------------------------------------------------------------------ confusion
    def request_confusion(self) -> None:
        self._dirty_confusion = False
        job = self.model.confusion_job()
        if job is None:
            self._show_confusion()
            return
        generation, compute = job

        def timed():
            t0 = time.perf_counter()
            result = compute()
            return result, 1000 * (time.perf_counter() - t0)

        self.jobs.submit(generation, timed)

    def _confusion_done(self, generation, result) -> None:
        confusion, ms = result
        if self.model.set_confusion(generation, confusion):
            self.confusion_ms = ms
            self._show_confusion()

    def _confusion_failed(self, generation, message: str) -> None:
        if generation == self.model.generation:
            self.confusion_info.setText(f"The confusion matrix failed: {message}")

    def _show_confusion(self) -> None:
        c = self.model.confusion
        if c is None:
            msg = self.model.problem() or (
                "computing…" if self.model.test is not None else
                "reading MNIST's test images…" if self.session.mnist.loading else
                "needs MNIST's test images")
            self.confusion_view.set_counts(None, msg)
            self.accuracy_view.set_accuracy(None, None)
            self.confusion_info.setText("")
            self.mistakes_button.setEnabled(False)
            return
        self.confusion_view.set_counts(c.counts)
        self.accuracy_view.set_accuracy(c.per_digit_accuracy, c.accuracy, c.total)
        self.mistakes_button.setEnabled(True)
        self.confusion_info.setText(
            f"{c.correct:,} of {c.total:,} right, {c.total - c.correct:,} mistakes "
            f"(computed in {self.confusion_ms:.0f} ms on a copy of the network)."
            if self.confusion_ms is not None else "")

    def _show_gallery(self) -> None:
        m = self.model
        self.gallery.gallery_model.refresh()
        if m.gallery_title:
            self.gallery_title.setText(m.gallery_title + ". Click one to put it on the "
                                       "drawing pad.")
        self.confusion_view.selected = m.gallery_cell
        self.confusion_view.update()

    def _gallery_clicked(self, index) -> None:
        i, x, label, _guess, _conf = self.model.gallery_item(index.row())
        self.link.picture_requested.emit(np.asarray(x), label, i)

    # ------------------------------------------------------------------ MNIST
    def request_mnist(self) -> None:
        self._asked_mnist = True
        self._mnist_message = ""
        self.session.mnist.request()
        self._show_mnist_state()
        self._show_confusion()

    def set_mnist(self, test, training=None) -> Optional[str]:
        """Use ``test`` = (images, labels) for the confusion matrix and ``training`` for
        random labels (the session's MNIST does this when it is read; tests inject small
        sets). Returns a message when the test set cannot be used."""
        problem = self.model.set_test(*test)
        if problem:
            self._mnist_message = problem
            self._show_mnist_state()
            return problem
        self.training_data = training
        self._mnist_message = ""
        self._show_mnist_state()
        self._show_gallery()
        self.request_confusion()
        return None

    def _mnist_ready(self, data) -> None:
        self.set_mnist((data.test.images, data.test.labels),
                       (data.training.images, data.training.labels))

    def _mnist_failed(self, message: str) -> None:
        if self.model.test is None:
            self._mnist_message = message
            self._show_mnist_state()
            self._show_confusion()

    def _show_mnist_state(self) -> None:
        have = self.model.test is not None
        for w in (self.read_button, self.get_button):
            w.setVisible(not have)
        self.get_button.setVisible(not have and bool(self._mnist_message))
        self.rl_start.setEnabled(have and self.training_data is not None
                                 and self.rl_worker is None)
        if have:
            self.mnist_note.setText("")
            self.mnist_note.setVisible(False)
            return
        self.mnist_note.setVisible(True)
        if self.session.mnist.loading:
            self.read_button.setVisible(False)
            self.mnist_note.setText("Reading MNIST…")
            return
        text = NEEDS_MNIST
        if self._mnist_message:
            text += f"<br><span style='color:#b00020'>{plain_html(self._mnist_message)}</span>"
        self.mnist_note.setText(text)

    def _offer_download(self, message: str) -> None:
        offer_download(self, message or NEEDS_MNIST, lambda folder: self.request_mnist())

    # ------------------------------------------------------------------ random labels
    def start_random_labels(self) -> Optional[str]:
        """Start the experiment in a worker thread; a message when it cannot start."""
        if self.rl_worker is not None:
            return "The experiment is already running."
        if self.model.test is None or self.training_data is None:
            msg = "The random-labels experiment needs MNIST's training and test images."
            self.rl_status.setText(msg)
            return msg
        settings = dict(RANDOM_LABELS_DEFAULTS)
        images, labels = self.training_data
        settings["train_size"] = min(self.rl_images.value(), len(labels))
        settings["epochs"] = self.rl_epochs.value()
        try:
            experiment = RandomLabels(self.training_data, self.model.test, **settings)
        except ValueError as exc:
            self.rl_status.setText(str(exc))
            return str(exc)
        self.rl_records = []
        for curve in self.rl_curves.values():
            curve.setData([], [])
        self.rl_worker = RandomLabelsWorker(experiment, self)
        self.rl_worker.epoch.connect(self._rl_epoch)
        self.rl_worker.finished.connect(self._rl_finished)
        self.rl_start.setEnabled(False)
        self.rl_stop.setEnabled(True)
        self.rl_status.setText(
            f"Training two copies of {experiment.initial.describe_size()} on "
            f"{settings['train_size']:,} images ({100 * experiment.shuffled_share:.0f}% of "
            f"the shuffled labels differ from the true ones)…")
        self.rl_worker.start()
        return None

    def stop_random_labels(self) -> None:
        if self.rl_worker is not None:
            self.rl_worker.stop()
            self.rl_stop.setEnabled(False)

    def _rl_epoch(self, record) -> None:
        self.rl_records.append(record)
        epochs = [r.epoch for r in self.rl_records]
        for key, curve in self.rl_curves.items():
            curve.setData(epochs, [100 * getattr(r, key) for r in self.rl_records])
        r = record
        self.rl_status.setText(
            f"Epoch {r.epoch} of {self.rl_epochs.value()} ({r.seconds:.0f} s): true labels "
            f"{100 * r.true_train_accuracy:.1f}% training / {100 * r.true_test_accuracy:.1f}% "
            f"test; shuffled {100 * r.shuffled_train_accuracy:.1f}% training / "
            f"{100 * r.shuffled_test_accuracy:.1f}% test.")

    def _rl_finished(self, message: str) -> None:
        worker, self.rl_worker = self.rl_worker, None
        if worker is not None:
            worker.wait(5)
        self.rl_stop.setEnabled(False)
        self._show_mnist_state()
        self.rl_status.setText(f"{self.rl_status.text()} {message}")

    # ------------------------------------------------------------------ main window hooks
    def settings_state(self) -> dict:
        return {"mode": self.model.mode, "per_unit": self.model.per_unit,
                "random_images": self.rl_images.value(), "random_epochs": self.rl_epochs.value()}

    def apply_settings(self, state: dict) -> list:
        notes = []
        mode = state.get("mode", "weights")
        if mode in ("weights", "gradient"):
            (self.weights_radio if mode == "weights" else self.gradient_radio).setChecked(True)
        else:
            self.weights_radio.setChecked(True)
            notes.append("the saved unit-picture mode could not be used; weights instead.")
        per_unit = state.get("per_unit", False)
        if isinstance(per_unit, bool):
            self.per_unit_box.setChecked(per_unit)
        else:
            self.per_unit_box.setChecked(False)
            notes.append("the saved per-unit scale could not be used; off instead.")
        for key, box, default in (("random_images", self.rl_images,
                                   RANDOM_LABELS_DEFAULTS["train_size"]),
                                  ("random_epochs", self.rl_epochs,
                                   RANDOM_LABELS_DEFAULTS["epochs"])):
            v = state.get(key, default)
            if isinstance(v, int) and not isinstance(v, bool) \
                    and box.minimum() <= v <= box.maximum():
                box.setValue(v)
            else:
                box.setValue(default)
                notes.append(f"the saved {key.replace('_', ' ')} ({str(v)[:20]}) could not be "
                             f"used; {default} instead.")
        return notes

    def shutdown(self) -> None:
        self._redraw.stop()
        if self.rl_worker is not None:
            self.rl_worker.stop()
            self.rl_worker.wait(10)
        self.jobs.close()


def _unit_formula(net) -> str:
    """The first hidden layer's rule, in the network's own activation."""
    name = getattr(net, "activation_name", "sigmoid")
    return "max(0, w·x + b)" if name == "relu" else "sigma(w·x + b)"
