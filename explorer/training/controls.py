"""The training panel's settings: presets, and inputs that refuse bad values with a message.

Every value is typed into a line edit and checked as it is typed. A bad value turns the
field red and says why under the fields, and Train stays disabled until it is fixed,
so a bad value never reaches the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine import hyperparams, training_setup
from engine.activations import ACTIVATIONS
from engine.costs import COSTS
from engine.network import INITS

SPLIT_SIZES = {"book": 50_000, "full": 60_000}
MAX_NEURONS = hyperparams.MAX_NEURONS
MAX_LAYERS = hyperparams.MAX_LAYERS


@dataclass(frozen=True)
class Preset:
    name: str
    values: Dict[str, str]
    note: str


PRESETS: List[Preset] = [
    Preset("Nielsen, chapter 1",
           dict(sizes="784, 30, 10", activation="sigmoid", cost="quadratic", init="normal",
                eta="3.0", m="10", epochs="30", l2="0", seed="1", images="all", split="book",
                augment="off"),
           "The book's network and settings: about 95% after 30 epochs."),
    Preset("3Blue1Brown",
           dict(sizes="784, 16, 16, 10", activation="sigmoid", cost="quadratic", init="scaled",
                eta="3.0", m="10", epochs="30", l2="0", seed="1", images="all", split="book",
                augment="off"),
           "The video's two hidden layers of 16 neurons: about 94-95%."),
    Preset("Stronger: 784-100-10, cross-entropy, L2",
           dict(sizes="784, 100, 10", activation="sigmoid", cost="cross-entropy", init="scaled",
                eta="0.5", m="10", epochs="30", l2="5.0", seed="1", images="all", split="full",
                augment="off"),
           "Chapter 3's improvements, on all 60,000 images: about 97.7% in a minute."),
    Preset("Shipped: 784-500-300-10 ReLU, elastic + thickness",
           dict(sizes="784, 500, 300, 10", activation="relu", cost="cross-entropy",
                init="scaled", eta="0.05", m="10", epochs="200", l2="5.0", seed="1",
                images="all", split="full", augment="elastic,thickness"),
           "The drawing pad's shipped model: two hidden layers, every digit distorted "
           "elastically and made thicker or thinner each epoch, 99.37% after 200 epochs "
           "(about 20 minutes of training here)."),
]
CUSTOM = "Custom"
# the training panel's augmentation choices (engine.augment.parse_kinds reads each; a
# setup code holds one of them)
AUGMENT_CHOICES = training_setup.AUGMENT_CHOICES


# A bad field's message, "<field>: <why>" (engine.hyperparams makes the same messages
# for the command line and the engine's Trainer).
FieldError = hyperparams.HyperparameterError


# ---------------------------------------------------------------------- parsers
def parse_sizes(text: str) -> List[int]:
    return hyperparams.parse_sizes(text)


def parse_eta(text: str) -> float:
    return hyperparams.parse_eta(text)


def parse_l2(text: str) -> float:
    return hyperparams.parse_l2(text)


def parse_epochs(text: str) -> int:
    return hyperparams.parse_epochs(text)


def parse_seed(text: str) -> int:
    return hyperparams.parse_seed(text)


def parse_images(text: str, split: str) -> Optional[int]:
    """None for "all"; else the number of training images to use."""
    return hyperparams.parse_train_size(text, SPLIT_SIZES[split])


def parse_m(text: str, n: int) -> int:
    return hyperparams.parse_mini_batch_size(text, n)


# ---------------------------------------------------------------------- the widget
class TrainingControls(QWidget):
    """The settings. ``values()`` returns the parsed settings, or raises ``FieldError``.

    ``changed`` is emitted after any edit; ``hyper_edited`` when eta or m are edited to a
    valid value (the panel passes it to a running training).
    """

    changed = Signal()
    hyper_edited = Signal(float, int)
    examples_requested = Signal()       # the "examples" button beside Augmentation

    def __init__(self, parent=None):
        super().__init__(parent)
        self._loading = False
        self._running = False
        self._last_hyper = None
        self.preset = QComboBox()
        self.preset.setObjectName("preset")
        for p in PRESETS:
            self.preset.addItem(p.name)
        self.preset.addItem(CUSTOM)
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color: #555;")
        self.preset_note.setTextFormat(Qt.PlainText)

        self.fields: Dict[str, QWidget] = {}
        self._tips: Dict[str, str] = {}      # each field's own tooltip (an error replaces it)

        def line(name, tip):
            w = QLineEdit()
            w.setObjectName(name)
            w.setToolTip(tip)
            self._tips[name] = tip
            w.textEdited.connect(self._edited)
            self.fields[name] = w
            return w

        def combo(name, items, tip):
            w = QComboBox()
            w.setObjectName(name)
            w.addItems(items)
            w.setToolTip(tip)
            w.activated.connect(self._edited)
            self.fields[name] = w
            return w

        net_box = QGroupBox("Network")
        f = QFormLayout(net_box)
        f.addRow("Preset", self.preset)
        f.addRow(self.preset_note)
        f.addRow("Layer sizes", line("sizes", "Neurons per layer: 784 inputs, hidden layers, "
                                             "10 outputs, e.g. 784, 30, 10"))
        f.addRow("Activation", combo("activation", sorted(ACTIVATIONS),
                                     "The hidden layers' activation (the output layer is sigmoid)"))
        f.addRow("Cost", combo("cost", sorted(COSTS), "quadratic (chapter 1) or cross-entropy "
                                                      "(chapter 3)"))
        f.addRow("Initial weights", combo("init", list(INITS),
                                          "normal: N(0,1) as in chapter 1; scaled: N(0,1/n_in)"))

        train_box = QGroupBox("Training")
        g = QFormLayout(train_box)
        g.addRow("Learning rate eta", line("eta", "The step size: w -> w - eta * grad C. "
                                                  "Can be changed while training runs: "
                                                  "press Enter to apply it."))
        m_row = QHBoxLayout()
        m_row.addWidget(line("m", "Mini-batch size: 1 = online learning; the whole training set "
                                  "= full-batch gradient descent. Can be changed while training "
                                  "runs: press Enter to apply it."))
        self.full_batch = QPushButton("full batch")
        self.full_batch.setObjectName("full-batch")
        self.full_batch.setToolTip("Set m to the number of training images (full-batch "
                                   "gradient descent)")
        self.full_batch.clicked.connect(self._set_full_batch)
        m_row.addWidget(self.full_batch)
        g.addRow("Mini-batch size m", m_row)
        g.addRow("Epochs", line("epochs", "How many passes over the training images"))
        g.addRow("L2 (lambda)", line("l2", "Weight decay: 0 for none (chapter 1)"))
        g.addRow("Seed", line("seed", "Seed for the initial weights and the shuffles"))
        g.addRow("Training images", line("images", "'all', or a number for a quick run on the "
                                                   "first N images"))
        g.addRow("Data split", combo("split", ["book", "full"],
                                     "book: 50,000 training images (10,000 kept for validation), "
                                     "as in the book; full: all 60,000"))
        aug_row = QHBoxLayout()
        aug_row.addWidget(combo("augment", list(AUGMENT_CHOICES),
                                "Distort each training image a little, differently each "
                                "time it is used (rotation, scale, shear, shift, elastic "
                                "wobble, stroke thickness): compare the test curves with "
                                "and without it"), 1)
        self.examples_button = QPushButton("examples")
        self.examples_button.setObjectName("augment-examples")
        self.examples_button.setToolTip("Show a few training images distorted as this "
                                        "setting would (every kind when it is off)")
        self.examples_button.clicked.connect(self.examples_requested)
        aug_row.addWidget(self.examples_button)
        g.addRow("Augmentation", aug_row)
        self.monitor = QCheckBox("Measure training cost && accuracy each epoch")
        self.monitor.setObjectName("monitor")
        self.monitor.setToolTip("Evaluates the whole training set at each epoch's end "
                                "(costs some time)")
        self.monitor.setChecked(True)
        self.monitor.toggled.connect(lambda _=False: self.changed.emit())
        g.addRow(self.monitor)

        self.message = QLabel()
        self.message.setObjectName("controls-message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.setTextFormat(Qt.PlainText)     # it quotes what was typed

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(net_box)
        lay.addWidget(train_box)
        lay.addWidget(self.message)

        self.fields["eta"].editingFinished.connect(self._hyper_commit)
        self.fields["m"].editingFinished.connect(self._hyper_commit)
        self.preset.activated.connect(self._preset_chosen)
        self.apply_preset(0)

    # ------------------------------------------------------------------ values
    def text(self, name: str) -> str:
        w = self.fields[name]
        return w.currentText() if isinstance(w, QComboBox) else w.text()

    def set_text(self, name: str, value: str) -> None:
        w = self.fields[name]
        if isinstance(w, QComboBox):
            i = w.findText(str(value))
            if i >= 0:
                w.setCurrentIndex(i)
        else:
            w.setText(str(value))

    def nominal_images(self) -> int:
        """How many training images the settings ask for (before the data is read)."""
        split = self.text("split")
        try:
            n = parse_images(self.text("images"), split)
        except FieldError:
            n = None
        return n or SPLIT_SIZES[split]

    def _checks(self) -> Dict[str, Callable[[], object]]:
        split = self.text("split")
        return {
            "sizes": lambda: parse_sizes(self.text("sizes")),
            "eta": lambda: parse_eta(self.text("eta")),
            "m": lambda: parse_m(self.text("m"), self.nominal_images()),
            "epochs": lambda: parse_epochs(self.text("epochs")),
            "l2": lambda: parse_l2(self.text("l2")),
            "seed": lambda: parse_seed(self.text("seed")),
            "images": lambda: parse_images(self.text("images"), split),
        }

    def errors(self) -> Dict[str, str]:
        out = {}
        for name, check in self._checks().items():
            try:
                check()
            except FieldError as exc:
                out[name] = str(exc)
        return out

    def values(self) -> dict:
        """The parsed settings; raises FieldError naming the first bad field."""
        v = {}
        for name, check in self._checks().items():
            v[name] = check()
        v.update(activation=self.text("activation"), cost=self.text("cost"),
                 init=self.text("init"), split=self.text("split"),
                 monitor=self.monitor.isChecked(), augment=self.text("augment"))
        return v

    def validate(self) -> bool:
        """Mark bad fields red with their message; True when everything is valid."""
        errs = self.errors()
        for name, w in self.fields.items():
            if isinstance(w, QLineEdit):
                w.setStyleSheet("QLineEdit { border: 2px solid #d32f2f; }" if name in errs else "")
                w.setToolTip(errs.get(name, self._tips.get(name, "")))
        self.message.setText("\n".join(errs.values()))
        return not errs

    # ------------------------------------------------------------------ edits
    def _edited(self, *_):
        if self._loading:
            return
        if self.preset.currentText() != CUSTOM and self._differs_from_preset():
            self.preset.setCurrentIndex(self.preset.findText(CUSTOM))
            self.preset_note.setText("Your own settings.")
        self.validate()
        self.changed.emit()

    def _hyper_commit(self) -> None:
        """eta or m edited and confirmed (Enter, or focus left the field)."""
        if self._loading:
            return
        errs = self.errors()
        if "eta" in errs or "m" in errs:
            return
        eta = parse_eta(self.text("eta"))
        m = parse_m(self.text("m"), self.nominal_images())
        if (eta, m) != self._last_hyper:
            self._last_hyper = (eta, m)
            self.hyper_edited.emit(eta, m)

    def set_hyper_baseline(self) -> None:
        """Remember the eta and m a run starts with (only changes from them are sent)."""
        try:
            self._last_hyper = (parse_eta(self.text("eta")),
                                parse_m(self.text("m"), self.nominal_images()))
        except FieldError:
            self._last_hyper = None

    def _differs_from_preset(self) -> bool:
        i = self.preset.currentIndex()
        if i >= len(PRESETS):
            return True
        return any(self.text(k) != v for k, v in PRESETS[i].values.items())

    def _preset_chosen(self, index: int) -> None:
        if index < len(PRESETS):
            self.apply_preset(index)

    def apply_preset(self, index: int) -> None:
        p = PRESETS[index]
        self._loading = True
        try:
            self.preset.setCurrentIndex(index)
            for k, v in p.values.items():
                self.set_text(k, v)
            self.preset_note.setText(p.note)
        finally:
            self._loading = False
        self.validate()
        self.changed.emit()

    def _set_full_batch(self) -> None:
        self.fields["m"].setText(str(self.nominal_images()))
        self.validate()
        self.changed.emit()
        self._hyper_commit()

    def set_structure(self, sizes, activation: str, cost: str, init: str,
                      training: Optional[Dict[str, str]] = None) -> None:
        """Show a loaded network's structure, and the training settings it was saved
        with (``training``: field name -> text, e.g. eta, m, l2); the preset becomes
        Custom when they differ from it."""
        self._loading = True
        try:
            self.set_text("sizes", ", ".join(map(str, sizes)))
            self.set_text("activation", activation)
            self.set_text("cost", cost)
            self.set_text("init", init)
            for name, text in (training or {}).items():
                if name in self.fields:
                    self.set_text(name, text)
            # (epochs is how long the next run trains, not how the model was made)
            same = [i for i, p in enumerate(PRESETS)
                    if all(self.text(k) == v for k, v in p.values.items() if k != "epochs")]
            if same:        # e.g. the shipped model: the "Stronger" preset's settings
                self.preset.setCurrentIndex(same[0])
                self.preset_note.setText(PRESETS[same[0]].note)
            elif self._differs_from_preset():
                self.preset.setCurrentIndex(self.preset.findText(CUSTOM))
                self.preset_note.setText("The loaded network and the settings it was "
                                         "trained with.")
        finally:
            self._loading = False
        self.validate()
        self.changed.emit()

    def set_running(self, running: bool) -> None:
        """While training runs only eta and m stay editable."""
        self._running = running
        self.preset.setEnabled(not running)
        for name, w in self.fields.items():
            w.setEnabled(not running or name in ("eta", "m"))
        self.monitor.setEnabled(not running)
        self.full_batch.setEnabled(True)
        self.examples_button.setEnabled(True)

    # ------------------------------------------------------------------ state
    def state(self) -> Dict[str, str]:
        s = {k: self.text(k) for k in self.fields}
        s["preset"] = self.preset.currentText()
        s["monitor"] = "1" if self.monitor.isChecked() else "0"
        return s

    def set_state(self, state: Dict[str, object]) -> None:
        """Restore saved settings; unknown or garbage values are ignored or shown as errors."""
        self._loading = True
        try:
            for k in self.fields:
                v = state.get(k)
                if isinstance(v, str) and len(v) < 200:
                    self.set_text(k, v)
            if state.get("monitor") in ("0", "1"):
                self.monitor.setChecked(state["monitor"] == "1")
            preset = state.get("preset")
            i = self.preset.findText(preset) if isinstance(preset, str) else -1
            if i >= 0:
                self.preset.setCurrentIndex(i)
            if self._differs_from_preset():
                self.preset.setCurrentIndex(self.preset.findText(CUSTOM))
                self.preset_note.setText("Your own settings.")
            else:
                self.preset_note.setText(PRESETS[self.preset.currentIndex()].note)
        finally:
            self._loading = False
        self.validate()
        self.changed.emit()
