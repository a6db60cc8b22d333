"""Teach it my handwriting: k steps of gradient descent on the digit on the pad.

*Learn this* runs ``engine.teach.teach`` (on a copy of the answering network) in a worker
thread, then makes the taught copy the pad's answering network (``session.set_model``,
with a label saying so) and shows the label's output and the cost before and after; the
test accuracy before and after follows from the same worker. *Undo learning* makes the
network that answered before the first lesson answer again: it was never changed, so
its weights are the same bits. The shipped model file is never written.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.teach import accuracy_before_after, teach
from explorer.inside.model import TeachState
from explorer.inside.worker import LatestJob
from explorer.labels import plain_html

TEACH_NOTE = ("Taught alone, one image can bend weights every other digit relies on: "
              "10 steps on MNIST test image #9729 (a 5 the shipped network reads as 6) "
              "at the eta it was trained with (0.05) take its test accuracy from 99.37% "
              "to about 80%, and at eta = 0.2 to about 13%. Mixing 10 MNIST training "
              "images into each step keeps it at 99.3% (at 0.05). eta starts at the rate the "
              "answering network was trained with, when its file says so.")
DEFAULT_ETA = 1.0           # for a network whose training rate is not known


class TeachView(QWidget):
    """k, eta, mixing; *Learn this* and *Undo learning*; before and after.

    ``context`` is a callable returning (net, net label, x, label, training data or None,
    test data or None): what is on the pad now and the MNIST sets it may use.
    ``set_model(net, label)`` makes a network the pad's answering one.
    """

    def __init__(self, context: Callable, set_model: Callable, parent=None):
        super().__init__(parent)
        self.context = context
        self.set_model = set_model
        self.state = TeachState()
        self.lesson = None
        self.accuracy: Optional[tuple] = None        # (before, after) on the test set
        self._tag = 0
        self.jobs = LatestJob("teach", self)
        self.jobs.done.connect(self._done)
        self.jobs.failed.connect(self._failed)

        self.steps = QSpinBox()
        self.steps.setRange(1, 1000)
        self.steps.setValue(10)
        self.steps.setToolTip("k: how many steps of gradient descent on this one digit")
        self.eta = QDoubleSpinBox()
        self.eta.setDecimals(3)
        self.eta.setRange(0.001, 100.0)
        self.eta.setSingleStep(0.1)
        self.eta.setValue(DEFAULT_ETA)
        self.eta.setToolTip("eta: the learning rate of each step (it starts at the rate "
                            "the answering network was trained with, when known)")
        self._followed = None           # the network whose training rate eta was set from
        self.mix_box = QCheckBox("mix in")
        self.mix = QSpinBox()
        self.mix.setRange(1, 100)
        self.mix.setValue(10)
        self.mix_box.setToolTip("Each step averages the gradient of your digit with that of "
                                "this many random MNIST training images (needs MNIST)")
        self.learn_button = QPushButton("Learn this")
        self.learn_button.setObjectName("learn-this")
        self.learn_button.clicked.connect(self.learn)
        self.undo_button = QPushButton("Undo learning")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo)
        self.result = QLabel()
        self.result.setObjectName("teach-result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.accuracy_label = QLabel()
        self.accuracy_label.setObjectName("teach-accuracy")
        self.accuracy_label.setWordWrap(True)
        self.outputs_table = QTableWidget(2, 10)
        self.outputs_table.setObjectName("teach-outputs")
        self.outputs_table.setVerticalHeaderLabels(["a before", "a after"])
        self.outputs_table.setHorizontalHeaderLabels([str(d) for d in range(10)])
        self.outputs_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.outputs_table.setSelectionMode(QAbstractItemView.NoSelection)
        self.outputs_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.outputs_table.verticalHeader().setDefaultSectionSize(20)
        self.outputs_table.setFixedHeight(3 * 20 + 6)
        self.outputs_table.setVisible(False)
        note = QLabel(TEACH_NOTE)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")

        grid = QGridLayout()
        grid.addWidget(QLabel("steps k"), 0, 0)
        grid.addWidget(self.steps, 0, 1)
        grid.addWidget(QLabel("eta"), 0, 2)
        grid.addWidget(self.eta, 0, 3)
        mix_row = QHBoxLayout()
        mix_row.addWidget(self.mix_box)
        mix_row.addWidget(self.mix)
        mix_row.addWidget(QLabel("MNIST images each step"))
        mix_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.learn_button)
        buttons.addWidget(self.undo_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(grid)
        lay.addLayout(mix_row)
        lay.addLayout(buttons)
        lay.addWidget(self.result)
        lay.addWidget(self.outputs_table)
        lay.addWidget(self.accuracy_label)
        lay.addWidget(note)
        lay.addStretch(1)

    def follow_network(self, net) -> None:
        """A new answering network: start eta at the rate it was trained with (a rate
        that suits a sigmoid net can wreck a ReLU one), unless it is a copy of the same
        training (the network being trained, a taught copy) whose rate is already set."""
        if net is None or net is self._followed:
            return
        self._followed = net
        from engine import model_io

        eta = model_io.info(net).eta
        if eta is None and getattr(net, "metadata", None) is None:
            return                      # a copy in training: keep what the learner set
        self.eta.setValue(eta if eta is not None and 0.001 <= eta <= 100 else DEFAULT_ETA)

    # ------------------------------------------------------------------ actions
    def learn(self) -> Optional[str]:
        """Start a lesson; returns a message (also shown) when it cannot start."""
        net, net_label, x, label, training, test = self.context()
        problem = None
        if net is None:
            problem = "No network answers, so there is nothing to teach."
        elif x is None:
            problem = "Draw a digit first."
        elif label is None:
            problem = "Choose the right label first (the 'It is' list above)."
        elif self.mix_box.isChecked() and training is None:
            problem = "Mixing in MNIST images needs MNIST; untick 'mix in' or read MNIST."
        if problem:
            self.result.setText(f"<span style='color:#b00020'>{plain_html(problem)}</span>")
            return problem
        steps, eta = self.steps.value(), self.eta.value()
        mix = self.mix.value() if self.mix_box.isChecked() else 0
        self._tag += 1
        tag = ("lesson", self._tag, net, net_label, test)
        x = np.array(x, copy=True)

        def job():
            return teach(net, x, label, steps=steps, eta=eta, mix=mix,
                         training_data=training if mix else None, seed=self._tag)

        self.learn_button.setEnabled(False)
        self.result.setText(f"Learning: {steps} steps with eta = {eta:g}…")
        self.jobs.submit(tag, job)
        return None

    def undo(self) -> None:
        if not self.state.can_undo:
            return
        net, label = self.state.undo()
        self.lesson, self.accuracy = None, None
        self._tag += 1
        self.undo_button.setEnabled(False)
        self.result.setText(f"Undone: <b>{plain_html(label)}</b> answers again, with the very "
                            f"weights it had before.")
        self.accuracy_label.setText("")
        self.outputs_table.setVisible(False)
        self.set_model(net, label)

    # ------------------------------------------------------------------ results
    def _done(self, tag, result) -> None:
        kind, number = tag[0], tag[1]
        if number != self._tag:
            return                       # an undo or a newer lesson came in between
        if kind == "lesson":
            _, _, before_net, net_label, test = tag
            lesson = result
            self.lesson = lesson
            self.learn_button.setEnabled(True)
            label = self.state.taught(before_net, net_label, lesson)
            self.undo_button.setEnabled(True)
            self._show_lesson(lesson)
            self.set_model(lesson.network, label)
            if test is not None:
                self.accuracy_label.setText("Test accuracy before and after: computing…")
                original = self.state.original
                self.jobs.submit(("accuracy", number),
                                 lambda: accuracy_before_after(original, lesson.network, test))
            else:
                self.accuracy_label.setText("Test accuracy before and after: needs MNIST's "
                                            "test images.")
        else:
            self.accuracy = result
            b, a = result
            self.accuracy_label.setText(
                f"Test accuracy: <b>{100 * b:.2f}%</b> before the first lesson, "
                f"<b>{100 * a:.2f}%</b> after ({100 * (a - b):+.2f} points).")

    def _failed(self, tag, message: str) -> None:
        if tag[1] != self._tag:
            return
        self.learn_button.setEnabled(True)
        self.result.setText(f"<span style='color:#b00020'>{plain_html(message)}</span>")

    def _show_lesson(self, lesson) -> None:
        b, a = lesson.before, lesson.after
        d = b.label
        for row, outputs in enumerate((b.outputs, a.outputs)):
            for j in range(10):
                item = QTableWidgetItem(f"{outputs[j]:.2f}")
                item.setTextAlignment(Qt.AlignCenter)
                f = item.font()
                f.setBold(j == d)
                item.setFont(f)
                self.outputs_table.setItem(row, j, item)
        self.outputs_table.setVisible(True)
        self.result.setText(
            f"{lesson.steps} steps, eta = {lesson.eta:g}"
            f"{f', {lesson.mix} MNIST images mixed into each' if lesson.mix else ''}:<br>"
            f"output a<sub>{d}</sub>: {b.outputs[d]:.4f} → <b>{a.outputs[d]:.4f}</b><br>"
            f"C<sub>x</sub> = ½||y − a||²: {b.cost:.4f} → <b>{a.cost:.4f}</b><br>"
            f"answer: {b.guess} → <b>{a.guess}</b>. The taught copy now answers on the pad.")

    def shutdown(self) -> None:
        self.jobs.close()
