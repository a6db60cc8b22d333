"""The Drawing pad: draw a digit, see what the network sees and what it answers.

The canvas hands its drawing (a 280x280 array, ink bright) to ``engine.digits.to_mnist``,
which makes the 28x28 input the way MNIST was made; the answering network (the session's
model: the shipped one, the one being trained, or a loaded file) feeds it forward, and the
views show the input, the ten outputs and the top guess. While the pen moves the answer
is refreshed at most every ``LIVE_INTERVAL_MS`` (less often if answering takes more than
a quarter of the time); after each stroke at once.
"""

from __future__ import annotations

import math
import time
from typing import Optional

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from engine import digits, model_io
from explorer.drawing.canvas import DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, PAD, DrawingCanvas
from explorer.drawing.model import TOO_SMALL, PadModel, noise_note, too_small
from explorer.drawing.pad_inside import PadInside
from explorer.drawing.views import GuessView, OutputBars, PixelView
from explorer.labels import plain_html, title_label
from explorer.mnist_dialog import offer_download

LIVE_INTERVAL_MS = 40     # at most 25 answers a second while drawing ...
LIVE_SHARE = 0.25         # ... and at most a quarter of the time (a very long scribble)


class DrawingPanel(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.model = PadModel(session.model, session.model_label,
                              getattr(session, "model_error", None))
        self.outputs: Optional[np.ndarray] = None     # the last answer (10,), or None
        self.input: Optional[np.ndarray] = None       # the last 28x28 input (784,), or None
        self._waiting_for_mnist = False
        self.mnist_dialog = None
        self.switch_note = ""             # the last automatic switch of the model
        self._input_problem = ""          # why the drawing is not fed (too small)
        self._showing_problem = False
        self._build()
        self._live = QTimer(self)
        self._live.setSingleShot(True)
        self._live.setInterval(LIVE_INTERVAL_MS)
        self._live.timeout.connect(self.predict)
        self.canvas.changed.connect(self._on_changed)
        self.canvas.stroke_finished.connect(self._on_stroke_finished)
        session.model_changed.connect(self._on_model_changed)
        session.models_changed.connect(self._fill_model_menu)
        session.model_switched.connect(self._on_model_switched)
        session.mnist.ready.connect(self._mnist_ready)
        session.mnist.failed.connect(self._mnist_failed)
        self._fill_model_menu()
        self._show_model()
        self.predict()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.model_menu = QComboBox()
        self.model_menu.setObjectName("model-menu")
        self.model_menu.setToolTip("Which network answers: the shipped model, the network "
                                   "being trained in the Training panel (followed live), "
                                   "or a model loaded from a file")
        self.model_menu.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.model_menu.setMinimumContentsLength(30)
        self.model_menu.activated.connect(self._model_picked)
        self.load_button = QPushButton("Load Model…")
        self.load_button.setObjectName("pad-load-model")
        self.load_button.setToolTip("Load a .npz model for the pad: it joins the menu "
                                    "and answers")
        self.load_button.clicked.connect(self.load_model_dialog)
        self.model_info = QLabel()
        self.model_info.setObjectName("model-info")
        self.model_info.setWordWrap(True)
        self.model_info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.model_info.setTextFormat(Qt.RichText)      # every text in it is escaped

        self.canvas = DrawingCanvas()
        self.width_slider = QSlider(Qt.Horizontal)
        self.width_slider.setRange(int(MIN_WIDTH), int(MAX_WIDTH))
        self.width_slider.setValue(int(DEFAULT_WIDTH))
        self.width_slider.setToolTip("Pen width (the pad is 280 units across; "
                                     "MNIST's strokes are about 22 of them)")
        self.width_value = QLabel()
        self.width_slider.valueChanged.connect(self._on_width)
        self._on_width(self.width_slider.value())

        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Take back the last stroke, or the last Clear (Ctrl+Z)")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip(
            "Wipe the pad (Escape, or right-click on the pad); Undo brings it back")
        self.random_button = QPushButton("Random test digit")
        self.random_button.setToolTip("Put an image from MNIST's test set on the pad")
        self.noise_button = QPushButton("Noise")
        self.noise_button.setToolTip("Feed the network random pixels: see what it answers "
                                     "to something that is no digit")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.random_button.clicked.connect(self.show_random_test_digit)
        self.noise_button.clicked.connect(self.show_noise)
        for key, slot in ((QKeySequence.Undo, self.canvas.undo),
                          (QKeySequence(Qt.Key_Escape), self.canvas.clear)):
            sc = QShortcut(key, self)
            sc.setContext(Qt.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

        self.info = QLabel()          # the true label of a test digit, or an error
        self.info.setObjectName("pad-info")
        self.info.setWordWrap(True)
        self.info.setMinimumHeight(36)
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.info.setTextFormat(Qt.RichText)             # every text in it is escaped

        left = QVBoxLayout()
        left.addWidget(title_label("Draw a digit", 1.25))
        left.addWidget(self.canvas, 1)
        pen_row = QHBoxLayout()
        pen_row.addWidget(QLabel("Pen width"))
        pen_row.addWidget(self.width_slider, 1)
        pen_row.addWidget(self.width_value)
        left.addLayout(pen_row)
        buttons = QGridLayout()
        buttons.addWidget(self.undo_button, 0, 0)
        buttons.addWidget(self.clear_button, 0, 1)
        buttons.addWidget(self.random_button, 1, 0)
        buttons.addWidget(self.noise_button, 1, 1)
        left.addLayout(buttons)
        left.addWidget(self.info)
        left.addStretch(1)

        self.pixel_view = PixelView()
        middle = QVBoxLayout()
        middle.addWidget(title_label("What the network sees", 1.25))
        sees = QLabel("28×28 grey values, ink bright on dark: the digit's longer side "
                      "scaled to 20 pixels, its centre of mass at the centre.")
        sees.setWordWrap(True)
        sees.setStyleSheet("color: #555;")
        middle.addWidget(sees)
        middle.addWidget(self.pixel_view, 3)
        self.inside_views = PadInside(self)   # what it costs, which pixels, teach it
        middle.addWidget(self.inside_views, 2)

        self.guess_view = GuessView()
        self.bars = OutputBars()
        right = QVBoxLayout()
        right.addWidget(title_label("What it answers", 1.25))
        right.addWidget(self.guess_view)
        right.addWidget(self.bars, 1)

        columns = QHBoxLayout()
        columns.addLayout(left, 5)
        columns.addLayout(middle, 4)
        columns.addLayout(right, 4)
        menu_row = QHBoxLayout()
        menu_row.addWidget(QLabel("Answering model"))
        menu_row.addWidget(self.model_menu, 1)
        menu_row.addWidget(self.load_button)
        outer = QVBoxLayout(self)
        outer.addLayout(menu_row)
        outer.addWidget(self.model_info)
        outer.addLayout(columns, 1)

    def _on_width(self, value: int) -> None:
        self.canvas.set_pen_width(value)
        self.width_value.setText(f"{value:2d}")

    # ------------------------------------------------------------------ the model
    @property
    def net(self):
        return self.model.net

    @property
    def model_label(self) -> str:
        return self.model.label

    def _on_model_changed(self, net, label: str) -> None:
        self.model.set_network(net, label)
        self._show_model()
        self.predict()

    def _fill_model_menu(self) -> None:
        """The session's models in the menu, the answering one selected (texts are
        updated in place while the same models are listed, so an open menu stays)."""
        entries = self.session.models.entries
        menu = self.model_menu
        menu.blockSignals(True)
        try:
            if [menu.itemData(i) for i in range(menu.count())] != [e.key for e in entries]:
                menu.clear()
                for e in entries:
                    menu.addItem(e.menu_text(), e.key)
            else:
                for i, e in enumerate(entries):
                    if menu.itemText(i) != e.menu_text():
                        menu.setItemText(i, e.menu_text())
            i = menu.findData(self.session.models.chosen_key)
            menu.setCurrentIndex(i)
        finally:
            menu.blockSignals(False)
        menu.setEnabled(menu.count() > 0)

    def _model_picked(self, index: int) -> None:
        key = self.model_menu.itemData(index)
        if key is not None and key != self.session.models.chosen_key:
            self.switch_note = ""
            self.session.choose(key)
        self._show_model()

    def _on_model_switched(self, note: str) -> None:
        self.switch_note = note
        self._show_model()

    def _show_model(self) -> None:
        problem = self.model.problem()
        if problem:
            self.model_info.setText(f"<span style='color:#b00020'><b>{plain_html(problem)}</b></span>")
            return
        text = f"Answering: <b>{plain_html(self.model.label)}</b> &nbsp;({plain_html(self.model.describe())})"
        if self.switch_note:
            text += f"<br><span style='color:#0b3d91'>{plain_html(self.switch_note)}</span>"
        self.model_info.setText(text)

    def load_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load Model for the Pad", "",
                                              "Models (*.npz);;All files (*)")
        if path:
            self.load_model(path)

    def load_model(self, path) -> bool:
        """Load a model file for the pad: it joins the menu and answers. A file that
        cannot be used changes nothing and says why."""
        try:
            net = model_io.load(path, expect_sizes=(784, 10))
        except model_io.ModelError as exc:
            self._set_info(str(exc), error=True)
            return False
        self.switch_note = ""
        self.session.add_file(net, path, choose=True)
        return True

    # ------------------------------------------------------------------ answering
    def _on_changed(self) -> None:
        if self.canvas.current is not None and not self._live.isActive():
            self._live.start()      # throttle: at most one answer per interval

    @property
    def true_label(self) -> Optional[int]:
        """The true label of the MNIST test digit on the pad, or None."""
        note = self.canvas.picture_note
        return note.get("label") if note else None

    def _on_stroke_finished(self) -> None:
        self._live.stop()
        # the note that goes with what is on the pad: a test digit's true label, the
        # word on noise, or nothing (Undo can bring a picture back, and its note with it)
        note = self.canvas.picture_note
        self._set_info(note["text"] if note else "")
        self.predict()

    def network_input(self) -> Optional[np.ndarray]:
        """The (784,) input for what is on the pad, or None when there is no digit."""
        c = self.canvas
        self._input_problem = ""
        if c.picture_kind == "noise" and not c.strokes and c.current is None:
            return c.picture.reshape(-1).copy()          # noise goes in as it is
        if not c.has_ink():
            return None
        drawing = c.render_array()
        strokes = c.strokes + ([c.current] if c.current is not None else [])
        if c.picture is None and strokes and too_small(
                drawing, max(s.width for s in strokes) * drawing.shape[0] / PAD):
            self._input_problem = TOO_SMALL
            return None
        try:
            # a drawing's strokes are made as wide, relative to the digit, as MNIST's
            # (a thin pen and a bold one then look alike to the network); a picture
            # from MNIST is left as it is
            width = digits.MNIST_STROKE_WIDTH if c.picture is None else None
            return digits.to_mnist(drawing, stroke_width=width)
        except digits.EmptyDrawing:
            return None

    def predict(self) -> None:
        """Make the 28x28 input from the pad, feed it forward and show the answer."""
        start = time.perf_counter()
        self._answer()
        # Rasterising grows with the drawing: while the pen moves, answer less often
        # when answering takes long, so that the pen keeps most of the time.
        ms = 1000 * (time.perf_counter() - start)
        self._live.setInterval(max(LIVE_INTERVAL_MS, round(ms / LIVE_SHARE)))

    def _answer(self) -> None:
        x = self.network_input()
        self.input = x
        self.pixel_view.set_image(x)
        if self._input_problem:
            self.pixel_view.set_image(None, "too small")
            self.outputs = None
            self.bars.set_outputs(None)
            self.guess_view.show_message("too small")
            self._set_info(self._input_problem, error=True)
            self._showing_problem = True
            return
        if self._showing_problem:
            self._showing_problem = False
            note = self.canvas.picture_note
            self._set_info(note["text"] if note else "")
        ans = self.model.answer(x)
        self.outputs = ans.outputs
        self.bars.set_outputs(ans.outputs)
        if ans.outputs is None:
            self.guess_view.show_message(ans.message)
            if ans.error:
                self._set_info(ans.error, error=True)
            return
        self.guess_view.show_guess(ans.outputs, ans.runner_up, ans.unsure)
        c = self.canvas
        if c.picture_kind == "noise" and not c.strokes and c.current is None:
            self._set_info(plain_html(noise_note(ans.outputs)))

    # ------------------------------------------------------------------ buttons
    def show_random_test_digit(self) -> None:
        """Put a random MNIST test image on the pad, with its true label. The first time,
        MNIST is read in the session's store, off the window's thread; the digit appears
        when it is in."""
        if self.model.test_set is None:
            data = self.session.mnist.data
            if data is None:
                self._waiting_for_mnist = True
                self._set_info("Reading the MNIST test digits…")
                self.session.mnist.request()
                return
            problem = self.model.set_test_set(data.test)
            if problem:
                self._set_info(problem, error=True)
                return
        self.show_test_digit(self.model.random_test_index())

    def _mnist_ready(self, data) -> None:
        if self.model.test_set is None:
            problem = self.model.set_test_set(data.test)
            if problem and self._waiting_for_mnist:
                self._waiting_for_mnist = False
                self._set_info(problem, error=True)
                return
        if self._waiting_for_mnist:
            self._waiting_for_mnist = False
            self.show_test_digit(self.model.random_test_index())

    def _mnist_failed(self, message: str) -> None:
        if self._waiting_for_mnist:
            self._waiting_for_mnist = False
            self._set_info(f"No MNIST test digits: {message}", error=True)
            self._offer_download(message)

    def _offer_download(self, message: str) -> None:
        """The training panel's dialog: download MNIST, or choose a folder holding it."""
        offer_download(self, message, self._mnist_ready, need="The pad's test digits come from")

    def _mnist_ready(self, folder) -> None:
        self._set_info(f"MNIST is ready in {plain_html(folder)}.")
        self.show_random_test_digit()

    def show_test_digit(self, index: int) -> None:
        """Put MNIST test image ``index`` on the pad (the test set must be loaded)."""
        image, label = self.model.test_digit(index)
        self.canvas.set_picture(image, "mnist", note=dict(
            label=label, text=f"MNIST test image #{int(index)}: true label <b>{label}</b>"))

    def show_noise(self) -> None:
        """Feed uniformly random pixels straight into the network (the note under the
        pad says what its outputs show)."""
        self.canvas.set_picture(self.model.rng.random((28, 28), dtype=np.float32), "noise",
                                note=dict(text=""))

    def _set_info(self, text: str, error: bool = False) -> None:
        if error:
            text = f"<span style='color:#b00020'>{plain_html(text)}</span>"
        self.info.setText(text)

    # ------------------------------------------------------------------ main window hooks
    def settings_state(self) -> dict:
        return {"pen_width": self.width_slider.value()}

    def apply_settings(self, state: dict) -> list:
        width = state.get("pen_width", DEFAULT_WIDTH)
        if (isinstance(width, (int, float)) and not isinstance(width, bool)
                and math.isfinite(width) and MIN_WIDTH <= width <= MAX_WIDTH):
            self.width_slider.setValue(int(round(width)))
            return []
        self.width_slider.setValue(int(DEFAULT_WIDTH))
        return [f"the saved pen width ({str(width)[:20]}) could not be used; "
                f"{int(DEFAULT_WIDTH)} instead."]

    def shutdown(self) -> None:
        self._live.stop()
        self.inside_views.shutdown()
        if self.mnist_dialog is not None:
            self.mnist_dialog.shutdown()
