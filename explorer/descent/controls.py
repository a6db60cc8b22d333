"""The descent panel's side panel: function, start, learning rate, rules, playback."""

from __future__ import annotations

import html
import math
from typing import Dict, Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap, QValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.optimizers import METHODS
from explorer.descent.model import COLOURS, FORMULA, DescentModel

ETA_MIN, ETA_MAX = 1e-4, 5.0

RULE_TIPS = {
    "gd": "The book's rule: dv = -eta grad C",
    "fixed": "The book's 'optimal step': length epsilon straight downhill, "
             "dv = -epsilon grad C / |grad C|; eta is not used",
    "momentum": "A heavy ball: u = mu u - eta grad C, dv = u",
    "nesterov": "Momentum that looks ahead: the gradient is taken at v + mu u",
    "adagrad": "Each coordinate's step shrinks with the squares of its past gradients",
    "rmsprop": "Like AdaGrad, with a running average (weight rho) instead of a sum",
    "adam": "RMSProp with momentum (beta1 averages the gradients, beta2 their squares) "
            "and bias correction",
    "newton": "The full Newton step dv = -H^-1 grad C with the exact Hessian; eta is not "
              "used. It heads for any flat point, maxima and saddles too.",
}
SLIDER_STEPS = 1000


class CheckedSpin(QDoubleSpinBox):
    """A number box that accepts any number while typing and, when the typed number is
    outside its range, says so (``refused``) instead of silently keeping the old one."""

    refused = Signal(str)

    def __init__(self, label: str = "The value", parent=None):
        super().__init__(parent)
        self.label = label

    def _typed(self, text: str) -> Optional[float]:
        t = text.strip()
        for part in (self.prefix(), self.suffix()):
            if part:
                t = t.replace(part.strip(), "")
        try:
            return float(t.replace(",", "."))
        except ValueError:
            return None

    def validate(self, text, pos):  # noqa: D401 - Qt's name
        result = super().validate(text, pos)
        state = result[0] if isinstance(result, tuple) else result
        if state == QValidator.Invalid and self._typed(text) is not None:
            return (QValidator.Intermediate, text, pos)
        return result

    def fixup(self, text):
        x = self._typed(text)
        if x is not None and not (self.minimum() <= x <= self.maximum()
                                  and round(x, self.decimals()) == x):
            self.refused.emit(
                f"{self.label} must be between {self.minimum():g} and {self.maximum():g} "
                f"(at most {self.decimals()} decimals); {text.strip()} cannot be used, so it "
                f"stays {self.value():g}.")
        return super().fixup(text)


def log_map(lo: float, hi: float):
    """(to_slider, from_slider) for a value on a log scale between lo and hi."""
    span = math.log(hi / lo)

    def to(x):
        return round(SLIDER_STEPS * math.log(min(max(x, lo), hi) / lo) / span)

    def back(p):
        x = lo * math.exp(span * p / SLIDER_STEPS)
        return round(x, max(0, 2 - int(math.floor(math.log10(x)))))
    return to, back


def one_minus_map(top: float):
    """(to_slider, from_slider) for a weight in 0..top, on a log scale of 1 - x (so
    0.9, 0.99 and 0.999 are evenly spaced, as they matter)."""
    floor = 1 - top
    span = math.log(floor)

    def to(x):
        return round(SLIDER_STEPS * math.log(max(1 - min(max(x, 0.0), top), floor)) / span)

    def back(p):
        y = math.exp(span * p / SLIDER_STEPS)
        return round(1 - y, max(3, 1 - int(math.floor(math.log10(max(y, 1e-12))))))
    return to, back


def swatch(colour: str, size: int = 12) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(QColor(colour))
    return QIcon(pm)


def eta_to_slider(eta: float) -> int:
    eta = min(max(eta, ETA_MIN), ETA_MAX)
    return round(SLIDER_STEPS * math.log(eta / ETA_MIN) / math.log(ETA_MAX / ETA_MIN))


def slider_to_eta(pos: int) -> float:
    eta = ETA_MIN * (ETA_MAX / ETA_MIN) ** (pos / SLIDER_STEPS)
    digits = max(0, 2 - int(math.floor(math.log10(eta))))
    return round(eta, digits)   # three significant figures


class DescentControls(QWidget):
    """Widgets that call the model's setters; they follow the model's signals back."""

    play_toggled = Signal(bool)
    step_requested = Signal()
    rewind_requested = Signal()
    speed_changed = Signal(int)

    def __init__(self, model: DescentModel, parent=None):
        super().__init__(parent)
        self.model = model
        self._syncing = False
        self._pending_eta = None
        self._eta_timer = QTimer(self)
        self._eta_timer.setSingleShot(True)
        self._eta_timer.setInterval(50)
        self._eta_timer.timeout.connect(self._apply_pending_eta)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(8)

        # ---- function
        box = QGroupBox("Cost function")
        form = QVBoxLayout(box)
        mode_row = QHBoxLayout()
        self.two_d = QRadioButton("C(v1, v2)")
        self.one_d = QRadioButton("C(v): one variable")
        self.two_d.setToolTip("A surface over two variables, as in the book's valley picture.")
        self.one_d.setToolTip("The book's exercise: gradient descent with one variable.")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.two_d, 2)
        self.mode_group.addButton(self.one_d, 1)
        mode_row.addWidget(self.two_d)
        mode_row.addWidget(self.one_d)
        form.addLayout(mode_row)
        self.function = QComboBox()
        self.function.setObjectName("function")
        form.addWidget(self.function)
        self.about = QLabel()
        self.about.setObjectName("about")
        self.about.setTextFormat(Qt.RichText)
        self.about.setWordWrap(True)
        self.about.setStyleSheet("color: #555;")
        form.addWidget(self.about)
        self.formula_row = QWidget()
        fr = QVBoxLayout(self.formula_row)
        fr.setContentsMargins(0, 0, 0, 0)
        line = QHBoxLayout()
        self.formula = QLineEdit()
        self.formula.setObjectName("formula")
        self.formula.setPlaceholderText("e.g. x**2 + 3*y**2 + sin(3*x)")
        self.formula.setToolTip("Variables x, y (or v1, v2); + - * / ** ^; pi, e; sin cos tan "
                                "exp log sqrt abs tanh sinh cosh atan sigmoid.")
        self.apply_formula = QPushButton("Apply")
        line.addWidget(self.formula, 1)
        line.addWidget(self.apply_formula)
        fr.addLayout(line)
        rng = QHBoxLayout()
        rng.addWidget(QLabel("Plot range ±"))
        self.formula_range = QDoubleSpinBox()
        self.formula_range.setRange(0.01, 1e4)
        self.formula_range.setDecimals(2)
        self.formula_range.setValue(model.formula_range)
        rng.addWidget(self.formula_range)
        rng.addStretch(1)
        fr.addLayout(rng)
        form.addWidget(self.formula_row)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setTextFormat(Qt.PlainText)      # it may quote what the user typed
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        form.addWidget(self.error)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setTextFormat(Qt.PlainText)
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #7a4a00;")
        self.notice.hide()
        form.addWidget(self.notice)
        self.widen = QPushButton("Widen the range to the balls")
        self.widen.setObjectName("widen")
        self.widen.setToolTip("Make the plotted range of your formula hold every trail")
        self.widen.hide()
        self.widen.clicked.connect(self._widen)
        form.addWidget(self.widen)
        layout.addWidget(box)

        # ---- start and learning rate
        box = QGroupBox("Start and step")
        grid = QFormLayout(box)
        grid.setLabelAlignment(Qt.AlignRight)
        start_row = QHBoxLayout()
        self.start_x = self._spin(-1e6, 1e6, 3, 0.1)
        self.start_y = self._spin(-1e6, 1e6, 3, 0.1)
        self.reset_start = QToolButton()
        self.reset_start.setText("↺")
        self.reset_start.setToolTip("Back to this function's default start")
        start_row.addWidget(self.start_x)
        start_row.addWidget(self.start_y)
        start_row.addWidget(self.reset_start)
        grid.addRow("Start v", start_row)
        eta_row = QHBoxLayout()
        self.eta = self._spin(ETA_MIN, ETA_MAX, 4, 0.001, "η")
        self.eta.setObjectName("eta")
        self.eta.setToolTip(f"The learning rate of gradient descent, momentum and Nesterov: "
                            f"dv = -eta grad C ({ETA_MIN:g} to {ETA_MAX:g})")
        self.eta_slider = QSlider(Qt.Horizontal)
        self.eta_slider.setRange(0, SLIDER_STEPS)
        self.eta_slider.setToolTip("Learning rate on a log scale")
        eta_row.addWidget(self.eta_slider, 1)
        eta_row.addWidget(self.eta)
        grid.addRow("η (eta)", eta_row)
        self.same_eta = QCheckBox("Same η for all rules")
        self.same_eta.setObjectName("same-eta")
        self.same_eta.setToolTip("AdaGrad, RMSProp and Adam move about their step size α "
                                 "per coordinate per step, whatever the slope, so they have "
                                 "their own α. Tick this to give them η instead, to compare "
                                 "every rule at one setting.")
        grid.addRow("", self.same_eta)
        self.steps = QSpinBox()
        self.steps.setRange(1, 5000)
        grid.addRow("Steps", self.steps)
        # each rule's own parameters, each a box and a slider; a row shows while a rule
        # that uses it is ticked
        self.alpha = self._spin(ETA_MIN, ETA_MAX, 4, 0.01, "α")
        self.alpha.setObjectName("alpha")
        self.alpha.setToolTip("Step size α of AdaGrad, RMSProp and Adam: about how far each "
                              "coordinate moves per step")
        self.epsilon = self._spin(1e-4, 5.0, 4, 0.01, "ε")
        self.epsilon.setObjectName("epsilon")
        self.epsilon.setToolTip("Fixed step length: dv = -epsilon grad C / |grad C|")
        self.mu = self._spin(0.0, 0.999, 3, 0.05, "μ")
        self.mu.setObjectName("mu")
        self.mu.setToolTip("Momentum coefficient mu for Momentum and Nesterov")
        self.rho = self._spin(0.0, 0.999, 3, 0.01, "ρ")
        self.rho.setObjectName("rho")
        self.rho.setToolTip("RMSProp: S = rho S + (1 - rho) grad C^2")
        self.beta1 = self._spin(0.0, 0.999, 3, 0.01, "β1")
        self.beta1.setObjectName("beta1")
        self.beta1.setToolTip("Adam: weight of the running mean of the gradients")
        self.beta2 = self._spin(0.0, 0.9999, 4, 0.001, "β2")
        self.beta2.setObjectName("beta2")
        self.beta2.setToolTip("Adam: weight of the running mean of the squared gradients")
        self.sliders: Dict[str, QSlider] = {}
        rows = {}
        for name, spin, label, mapping in (
                ("alpha", self.alpha, "Step size α", log_map(ETA_MIN, ETA_MAX)),
                ("epsilon", self.epsilon, "Step length ε", log_map(1e-4, 5.0)),
                ("mu", self.mu, "Momentum μ", one_minus_map(0.999)),
                ("rho", self.rho, "RMSProp ρ", one_minus_map(0.999)),
                ("beta1", self.beta1, "Adam β1", one_minus_map(0.999)),
                ("beta2", self.beta2, "Adam β2", one_minus_map(0.9999))):
            rows[name] = self._slider_row(name, spin, mapping)
            grid.addRow(label, rows[name])
        self._param_rows = ((rows["alpha"], ("adagrad", "rmsprop", "adam")),
                            (rows["epsilon"], ("fixed",)),
                            (rows["mu"], ("momentum", "nesterov")),
                            (rows["rho"], ("rmsprop",)), (rows["beta1"], ("adam",)),
                            (rows["beta2"], ("adam",)))
        self.step_form = grid
        noise_row = QHBoxLayout()
        self.noise = self._spin(0.0, 100.0, 2, 0.1)
        self.noise.setToolTip("Standard deviation of Gaussian noise added to the gradient the "
                              "rules see: like the estimate a mini-batch gives (SGD).")
        self.seed = QSpinBox()
        self.seed.setRange(0, 999999)
        self.seed.setPrefix("seed ")
        noise_row.addWidget(self.noise)
        noise_row.addWidget(self.seed)
        grid.addRow("Noise σ", noise_row)
        layout.addWidget(box)

        # ---- rules
        box = QGroupBox("Update rules")
        rules = QVBoxLayout(box)
        rules.setSpacing(2)
        self.method_boxes: Dict[str, QCheckBox] = {}
        for key, method in METHODS.items():
            cb = QCheckBox(method.name)
            cb.setObjectName(f"method-{key}")
            cb.setIcon(swatch(COLOURS[key]))
            self.method_boxes[key] = cb
            rules.addWidget(cb)
            cb.toggled.connect(self._methods_changed)
        readout_row = QHBoxLayout()
        readout_row.addWidget(QLabel("Readout for"))
        self.primary = QComboBox()
        self.primary.setObjectName("primary")
        readout_row.addWidget(self.primary, 1)
        rules.addLayout(readout_row)
        self.narrate = QCheckBox("Narrate: one line per step")
        self.narrate.setObjectName("narrate")
        self.narrate.setToolTip("Print what the readout's rule did at each step, and why")
        rules.addWidget(self.narrate)
        layout.addWidget(box)

        # ---- playback
        box = QGroupBox("Playback")
        play = QVBoxLayout(box)
        buttons = QHBoxLayout()
        style = self.style()
        self.rewind = QPushButton(style.standardIcon(QStyle.SP_MediaSkipBackward), "Start")
        self.rewind.setToolTip("Back to the start (Home)")
        self.play = QPushButton(style.standardIcon(QStyle.SP_MediaPlay), "Play")
        self.play.setObjectName("play")
        self.play.setToolTip("Play or pause (Space)")
        self.play.setCheckable(True)
        self.step_button = QPushButton(style.standardIcon(QStyle.SP_MediaSeekForward), "Step")
        self.step_button.setToolTip("One step forward (Right arrow)")
        for b in (self.rewind, self.play, self.step_button):
            buttons.addWidget(b)
        play.addLayout(buttons)
        self.position = QSlider(Qt.Horizontal)
        self.position.setObjectName("position")
        self.position.setToolTip("The step being shown")
        play.addWidget(self.position)
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setRange(1, 60)
        self.speed.setValue(12)
        self.speed.setToolTip("Steps per second")
        speed_row.addWidget(self.speed, 1)
        self.speed_label = QLabel("12/s")
        speed_row.addWidget(self.speed_label)
        play.addLayout(speed_row)
        layout.addWidget(box)
        layout.addStretch(1)

        # ---- wiring
        self.mode_group.idToggled.connect(self._mode_toggled)
        self.function.activated.connect(self._function_chosen)
        self.apply_formula.clicked.connect(self._apply_formula)
        self.formula.returnPressed.connect(self._apply_formula)
        self.start_x.editingFinished.connect(self._start_edited)
        self.start_y.editingFinished.connect(self._start_edited)
        self.reset_start.clicked.connect(lambda: model.set_start(model.surface.start))
        self.eta.valueChanged.connect(self._eta_typed)
        self.eta_slider.valueChanged.connect(self._eta_slid)
        self.steps.valueChanged.connect(lambda n: self._set(steps=int(n)))
        self.alpha.valueChanged.connect(lambda x: self._set(alpha=float(x)))
        self.same_eta.toggled.connect(self._same_eta_toggled)
        self.epsilon.valueChanged.connect(lambda x: self._set(epsilon=float(x)))
        self.mu.valueChanged.connect(lambda x: self._set(mu=float(x)))
        self.rho.valueChanged.connect(lambda x: self._set(rho=float(x)))
        self.beta1.valueChanged.connect(lambda x: self._set(beta1=float(x)))
        self.beta2.valueChanged.connect(lambda x: self._set(beta2=float(x)))
        self.noise.valueChanged.connect(lambda x: self._set(noise=float(x)))
        self.seed.valueChanged.connect(lambda n: self._set(seed=int(n)))
        self.primary.activated.connect(
            lambda i: model.set_primary(self.primary.itemData(i)))
        self.play.toggled.connect(self._play_toggled)
        self.step_button.clicked.connect(self.step_requested)
        self.rewind.clicked.connect(self.rewind_requested)
        self.position.valueChanged.connect(self._position_moved)
        self.speed.valueChanged.connect(self._speed_moved)

        model.surface_changed.connect(self.sync)
        model.start_changed.connect(self.sync_start)
        model.trajectories_changed.connect(self.sync_steps)
        model.step_changed.connect(self.sync_position)
        model.error_changed.connect(self.show_error)
        model.notice_changed.connect(self.show_notice)
        for spin in (self.eta, self.alpha, self.epsilon, self.mu, self.rho, self.beta1,
                     self.beta2):
            spin.refused.connect(self.show_error)
        model.settings_changed.connect(self.sync_settings)
        self.sync()
        self.sync_steps()
        self.sync_position(model.step)

    def _slider_row(self, name: str, spin: QDoubleSpinBox, mapping) -> QWidget:
        """A slider beside ``spin``; ``mapping`` is (value -> position, position -> value)."""
        to, back = mapping
        slider = QSlider(Qt.Horizontal)
        slider.setObjectName(f"{name}-slider")
        slider.setRange(0, SLIDER_STEPS)
        slider.setToolTip(spin.toolTip())
        self.sliders[name] = slider

        def slid(pos: int) -> None:
            if not self._syncing:
                spin.setValue(back(pos))

        def typed(x: float) -> None:
            if to(x) != slider.value():
                slider.blockSignals(True)
                slider.setValue(to(x))
                slider.blockSignals(False)
        slider.valueChanged.connect(slid)
        spin.valueChanged.connect(typed)
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(slider, 1)
        lay.addWidget(spin)
        return row

    @staticmethod
    def _spin(lo, hi, decimals, step, label="The value") -> "CheckedSpin":
        s = CheckedSpin(f"{label}")
        s.setRange(lo, hi)
        s.setDecimals(decimals)
        s.setSingleStep(step)
        s.setKeyboardTracking(False)
        s.setAccelerated(True)
        return s

    # ------------------------------------------------------------------ model -> widgets
    def sync(self) -> None:
        m = self.model
        self._syncing = True
        try:
            (self.two_d if m.dim == 2 else self.one_d).setChecked(True)
            self.function.clear()
            for key, title in m.choices():
                self.function.addItem(title, key)
            self.function.setCurrentIndex(max(0, self.function.findData(m.key)))
            is_formula = m.key == FORMULA
            self.formula_row.setVisible(is_formula)
            self.formula.setText(m.formula_text[m.dim])
            self.formula_range.setValue(m.formula_range)
            text = html.escape(m.surface.about)
            if m.surface.text:      # a typed formula is the user's text: never markup
                text = f"<i>C = {html.escape(m.surface.text)}</i><br>{text}"
            self.about.setText(text)
            self.start_y.setVisible(m.dim == 2)
        finally:
            self._syncing = False
        self.sync_start()
        self.sync_settings()

    def sync_settings(self) -> None:
        """Show the model's eta, steps, mu, noise, seed and rules."""
        m = self.model
        s = m.settings
        self._syncing = True
        try:
            if abs(self.eta.value() - s.eta) > 1e-12:
                self.eta.setValue(s.eta)
            if abs(slider_to_eta(self.eta_slider.value()) - s.eta) > 1e-9 * max(s.eta, 1):
                self.eta_slider.setValue(eta_to_slider(s.eta))
            self.steps.setValue(s.steps)
            self.alpha.setValue(s.alpha if s.alpha is not None else s.eta)
            self.alpha.setEnabled(not m.same_eta)
            self.sliders["alpha"].setEnabled(not m.same_eta)
            self.same_eta.setChecked(m.same_eta)
            self.epsilon.setValue(s.epsilon)
            self.mu.setValue(s.mu)
            self.rho.setValue(s.rho)
            self.beta1.setValue(s.beta1)
            self.beta2.setValue(s.beta2)
            for row, users in self._param_rows:
                self.step_form.setRowVisible(row, any(k in m.methods for k in users))
            self.noise.setValue(s.noise)
            self.seed.setValue(s.seed)
            for key, cb in self.method_boxes.items():
                cb.setChecked(key in m.methods)
                ok = m.usable(key)
                cb.setEnabled(ok)
                cb.setToolTip(RULE_TIPS[key] if ok else
                              "Needs the Hessian, which is not available here.")
        finally:
            self._syncing = False
        self.sync_primary()

    def sync_start(self) -> None:
        self._syncing = True
        try:
            self.start_x.setValue(float(self.model.start[0]))
            if self.model.dim == 2:
                self.start_y.setValue(float(self.model.start[1]))
        finally:
            self._syncing = False

    def sync_primary(self) -> None:
        m = self.model
        self.primary.clear()
        for key in m.methods:
            self.primary.addItem(swatch(COLOURS[key]), METHODS[key].name, key)
        self.primary.setCurrentIndex(max(0, self.primary.findData(m.primary)))

    def sync_steps(self) -> None:
        self._syncing = True
        try:
            self.position.setRange(0, self.model.max_step())
            self.position.setValue(self.model.step)
        finally:
            self._syncing = False

    def sync_position(self, k: int) -> None:
        self._syncing = True
        try:
            self.position.setValue(k)
        finally:
            self._syncing = False

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self.widen.setVisible(bool(text) and "widen the range" in text)

    def _widen(self) -> None:
        self.model.widen_range()
        self.sync()

    def _same_eta_toggled(self, on: bool) -> None:
        if not self._syncing:
            self.model.set_same_eta(on)

    def set_playing(self, on: bool) -> None:
        self.play.blockSignals(True)
        self.play.setChecked(on)
        self._play_look(on)
        self.play.blockSignals(False)

    def _play_look(self, on: bool) -> None:
        self.play.setText("Pause" if on else "Play")
        self.play.setIcon(self.style().standardIcon(QStyle.SP_MediaPause if on
                                                    else QStyle.SP_MediaPlay))

    # ------------------------------------------------------------------ widgets -> model
    def _set(self, **changes) -> None:
        if not self._syncing:
            self.model.set_settings(**changes)

    def _mode_toggled(self, dim: int, checked: bool) -> None:
        if checked and not self._syncing:
            self.model.set_mode(dim)

    def _function_chosen(self, index: int) -> None:
        key = self.function.itemData(index)
        if key == FORMULA:
            self.formula_row.show()
            self.formula.setFocus()
        if not self.model.set_function(key):
            # the stored formula does not parse: keep showing the formula box to fix it
            self.formula_row.show()

    def _apply_formula(self) -> None:
        if self.model.set_formula(self.formula.text(), self.formula_range.value()):
            self.formula_row.show()

    def _start_edited(self) -> None:
        if self._syncing:
            return
        v = [self.start_x.value(), self.start_y.value()][: self.model.dim]
        if not self.model.set_start(v):
            self.sync_start()

    def _eta_typed(self, eta: float) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.eta_slider.setValue(eta_to_slider(eta))
        finally:
            self._syncing = False
        self.model.set_settings(eta=float(eta))

    def _eta_slid(self, pos: int) -> None:
        if self._syncing:
            return
        eta = slider_to_eta(pos)
        self._syncing = True
        try:
            self.eta.setValue(eta)
        finally:
            self._syncing = False
        # while the slider is dragged, recompute at most every 50 ms (and once at the end)
        self._pending_eta = eta
        if not self._eta_timer.isActive():
            self._eta_timer.start()

    def _apply_pending_eta(self) -> None:
        eta, self._pending_eta = self._pending_eta, None
        if eta is not None:
            self.model.set_settings(eta=eta)
            self._eta_timer.start()     # one more round catches moves made meanwhile

    def flush(self) -> None:
        """Apply a learning rate still waiting on the slider's timer."""
        self._eta_timer.stop()
        self._apply_pending_eta()
        self._eta_timer.stop()

    def _methods_changed(self) -> None:
        if self._syncing:
            return
        self.model.set_methods([k for k, cb in self.method_boxes.items() if cb.isChecked()])

    def _play_toggled(self, on: bool) -> None:
        self._play_look(on)
        self.play_toggled.emit(on)

    def _position_moved(self, k: int) -> None:
        if not self._syncing:
            self.model.set_step(k)

    def _speed_moved(self, n: int) -> None:
        self.speed_label.setText(f"{n}/s")
        self.speed_changed.emit(n)
