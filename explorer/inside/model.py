"""The "Inside the network" panel's state and logic, in plain Python (no Qt).

``InsideModel`` knows which network the drawing pad answers with, MNIST's test set, the
digit now on the pad, and what the panel shows of them: the first hidden layer's units
as pictures (their incoming weights, or |dC_x/dw| for the pad's digit), one chosen unit
in detail, the confusion matrix on the test images and the gallery behind one of its
cells. ``TeachState`` keeps what *Teach it my handwriting* needs to undo a lesson.

The heavy computation, the confusion matrix (one forward pass of 10,000 images), is not
done here: ``confusion_job`` returns a function that a worker thread runs on a copy of the
network, and ``set_confusion`` takes its result, dropping a stale one (made for a network
that is no longer the answering one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from engine.confusion import Confusion, confusion_matrix
from engine.digit_cost import digit_gradients
from engine.teach import Lesson
from engine.unit_pictures import (
    diverging_rgba,
    image_side,
    layer_activations,
    outgoing_weights,
    sequential_rgba,
    tile,
    unit_pictures,
)
from explorer.events import Event

MODES = ("weights", "gradient")
NOT_EDGES = (
    "Nielsen hoped the hidden units would find edges and loops. Look at them: most are "
    "speckled blobs of red and blue spread over the whole middle of the picture, not "
    "strokes. Click a few and draw a digit: a unit fires for many digits, and its vote "
    "(the bars) is spread over several of them. The network works, but not the way a "
    "person would split up the job.")


@dataclass(frozen=True)
class UnitDetail:
    """One first-layer unit: its picture (RGBA), its activation on the pad's digit (None
    when the pad is empty) and its outgoing weights (None when it feeds nothing)."""

    unit: int
    rgba: np.ndarray
    scale: float
    activation: Optional[float]
    outgoing: Optional[np.ndarray]


def network_problem(net) -> Optional[str]:
    """Why the panel cannot look inside ``net`` (None when it can)."""
    if net is None:
        return "No network answers yet: train one, or load a model."
    sizes = list(getattr(net, "sizes", []) or [])
    if len(sizes) < 2 or sizes[0] != 784 or sizes[-1] != 10:
        return f"The network ({'-'.join(map(str, sizes))}) does not read MNIST digits."
    try:
        image_side(net)
    except ValueError as exc:
        return str(exc)
    return None


def confusion_job(net, test) -> Callable[[], Confusion]:
    """A function for a worker thread: the confusion matrix of a *copy* of ``net`` (the
    trainer changes its weights in place) on ``test`` = (images, labels)."""
    frozen = net.copy()
    images, labels = test

    def job() -> Confusion:
        return confusion_matrix(frozen, images, labels)

    return job


class InsideModel:
    """What the Inside panel shows, and the choices the learner has made."""

    network_changed = Event()      # () a new answering network
    confusion_changed = Event()    # () a new confusion matrix (or none)
    digit_changed = Event()        # () the pad's digit or label changed
    selection_changed = Event()    # () the chosen unit, mode or gallery changed

    def __init__(self, net=None, label: str = "no model"):
        self.net = net
        self.label = label
        self.generation = 0                      # counts networks, to drop stale results
        self.test: Optional[tuple] = None        # (images (n, 784), labels (n,))
        self.confusion: Optional[Confusion] = None
        self.confusion_generation = -1
        self.x: Optional[np.ndarray] = None      # the pad's digit (784,), or None
        self.digit_label: Optional[int] = None   # the label chosen for it (None: top guess)
        self.unit = 0
        self.mode = "weights"
        self.per_unit = False
        self.columns = 10
        self.gallery: np.ndarray = np.zeros(0, np.intp)   # test indices shown
        self.gallery_title = ""
        self.gallery_cell: Optional[tuple] = None         # (digit, guess), or None for mistakes

    # ------------------------------------------------------------------ inputs
    def set_network(self, net, label: str) -> None:
        self.net, self.label = net, label
        self.generation += 1
        if self.net is not None and self.unit >= self.units():
            self.unit = 0
        self.network_changed.emit()

    def problem(self) -> Optional[str]:
        return network_problem(self.net)

    def describe(self) -> str:
        """'shipped model — 784-100-10 (79,510 weights and biases), sigmoid units, ...'."""
        if self.net is None:
            return self.label
        return (f"{self.label} — {self.net.describe_size()}, {self.net.activation_name} "
                f"units, {self.net.cost_name} cost")

    def units(self) -> int:
        return 0 if self.problem() else int(self.net.sizes[1])

    def set_test(self, images, labels) -> Optional[str]:
        """Keep the test images the confusion matrix is made from; a message if unusable."""
        images, labels = np.asarray(images), np.asarray(labels)
        if images.ndim != 2 or images.shape[1] != 784 or labels.shape != (len(images),) \
                or len(images) == 0:
            return "The test set must be images (n, 784) with one label each."
        if labels.min() < 0 or labels.max() > 9:
            return "The test labels must be digits 0 to 9."
        self.test = (images, labels)
        self.confusion = None
        self.confusion_generation = -1
        self.gallery = np.zeros(0, np.intp)
        self.gallery_cell, self.gallery_title = None, ""
        self.confusion_changed.emit()
        return None

    def set_digit(self, x: Optional[np.ndarray], label: Optional[int] = None) -> None:
        """The digit now on the pad ((784,) in [0, 1], or None) and the label the learner
        says it is (None: the network's top guess)."""
        self.x = None if x is None else np.asarray(x, np.float32).reshape(-1).copy()
        self.digit_label = label
        self.digit_changed.emit()

    # ------------------------------------------------------------------ unit pictures
    def set_unit(self, unit: int) -> None:
        n = self.units()
        if not n:
            return
        if not isinstance(unit, (int, np.integer)) or not 0 <= unit < n:
            raise ValueError(f"unit must be 0 to {n - 1}, got {unit!r}")
        self.unit = int(unit)
        self.selection_changed.emit()

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        self.selection_changed.emit()

    def gradients(self):
        """``engine.digit_cost.DigitGradients`` of the pad's digit (None without one)."""
        if self.problem() or self.x is None:
            return None
        return digit_gradients(self.net, self.x, self.digit_label, cost="quadratic")

    def unit_values(self):
        """What the unit pictures draw now: (values (n_units, 28, 28), scale, signed).

        Mode "weights": the incoming weights, signed, one scale (or one per unit). Mode
        "gradient": |dC_x/dw| of those weights for the pad's digit (the book's quadratic
        C_x); all zero when the pad is empty."""
        n = self.units()
        if not n:
            return None
        side = image_side(self.net)
        if self.mode == "gradient":
            g = self.gradients()
            if g is None:
                return np.zeros((n, side, side), np.float32), 1.0, False
            values = g.first_layer_weights.reshape(n, side, side)
            top = float(values.max()) if values.size else 0.0
            if self.per_unit:
                scale = values.reshape(n, -1).max(axis=1)
                scale = np.where(scale > 0, scale, 1.0)
            else:
                scale = top if top > 0 else 1.0
            return values, scale, False
        pictures, scale = unit_pictures(self.net, per_unit=self.per_unit)
        return pictures, scale, True

    def unit_grid(self):
        """(RGBA grid image of every unit, columns, scale description) or None."""
        v = self.unit_values()
        if v is None:
            return None
        values, scale, signed = v
        rgba = diverging_rgba(values, scale) if signed else sequential_rgba(values, scale)
        columns = max(1, min(self.columns, len(values)))
        return tile(rgba, columns, gap=2), columns, scale

    def unit_detail(self) -> Optional[UnitDetail]:
        n = self.units()
        if not n:
            return None
        j = min(self.unit, n - 1)
        values, scale, signed = self.unit_values()
        s = float(scale[j]) if np.ndim(scale) else float(scale)
        one = values[j]
        rgba = diverging_rgba(one, s) if signed else sequential_rgba(one, s)
        activation = None
        if self.x is not None:
            activation = float(layer_activations(self.net, self.x)[1][j])
        out = outgoing_weights(self.net, j) if self.net.num_layers > 2 else None
        return UnitDetail(j, rgba, s, activation, out)

    # ------------------------------------------------------------------ confusion
    def confusion_job(self):
        """(generation, job) for a worker, or None when there is nothing to compute."""
        if self.test is None or self.problem():
            return None
        return self.generation, confusion_job(self.net, self.test)

    def set_confusion(self, generation: int, confusion: Confusion) -> bool:
        """Take a worker's result; False (and nothing changes) when it is stale."""
        if generation != self.generation or self.test is None \
                or len(confusion.labels) != len(self.test[1]):
            return False
        self.confusion, self.confusion_generation = confusion, generation
        if self.gallery_cell is not None:
            self.show_cell(*self.gallery_cell)
        elif self.gallery_title:
            self.show_mistakes()
        self.confusion_changed.emit()
        return True

    def show_cell(self, digit: int, guess: int) -> None:
        """Fill the gallery with the test images of ``digit`` answered ``guess``, the most
        confident first."""
        c = self.confusion
        if c is None:
            return
        self.gallery = np.asarray(c.cell(digit, guess))
        self.gallery_cell = (int(digit), int(guess))
        n = len(self.gallery)
        kind = "right" if digit == guess else "mistakes"
        self.gallery_title = (f"{n:,} test image{'s' if n != 1 else ''} of a {digit} "
                              f"answered {guess} ({kind}), the most confident first")
        self.selection_changed.emit()

    def show_mistakes(self, limit: int | None = None) -> None:
        """Fill the gallery with every wrong answer, the most confident mistake first."""
        c = self.confusion
        if c is None:
            return
        self.gallery = np.asarray(c.mistakes(limit))
        self.gallery_cell = None
        self.gallery_title = (f"The {len(self.gallery):,} mistakes on the test images, the "
                              f"most confident first")
        self.selection_changed.emit()

    def gallery_item(self, row: int):
        """(test index, image (784,), true label, answer, confidence) of gallery ``row``."""
        i = int(self.gallery[row])
        c = self.confusion
        return (i, self.test[0][i], int(self.test[1][i]), int(c.guesses[i]),
                float(c.confidence[i]))


class TeachState:
    """What *Learn this* changed, so that *Undo learning* can put it back.

    ``original`` is the network (and its label) that answered before the first lesson;
    it is never changed (``engine.teach.teach`` works on a copy), so undoing is making it
    the answering network again: its weights are the same bits as before.
    """

    def __init__(self):
        self.original = None
        self.original_label = ""
        self.lesson: Optional[Lesson] = None
        self.lessons = 0

    @property
    def can_undo(self) -> bool:
        return self.original is not None

    def taught(self, answering, answering_label: str, lesson: Lesson) -> str:
        """Record a lesson given to ``answering``; returns the taught network's label."""
        if self.original is None or answering is not (self.lesson.network if self.lesson
                                                      else None):
            self.original, self.original_label, self.lessons = answering, answering_label, 0
        self.lesson = lesson
        self.lessons += 1
        base = self.original_label
        times = f"{self.lessons} lessons" if self.lessons > 1 else "1 lesson"
        return f"{base}, taught your digit ({times}; a copy)"

    def undo(self):
        """(network, label) to answer again; the state forgets the lessons."""
        net, label = self.original, self.original_label
        self.original, self.original_label, self.lesson, self.lessons = None, "", None, 0
        return net, label
