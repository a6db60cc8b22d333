"""The drawing pad's state and logic, in plain Python (no Qt).

``PadModel`` knows which network answers (and why none can), turns the pad's input into
an answer, and keeps the MNIST test set the *Random test digit* button draws from. The
Qt panel (``explorer.drawing.panel``) owns one: the canvas gives it the 28x28 input, it
gives back an ``Answer`` that the views draw. Tests drive it with no window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from engine import digits

LOW_TOP = 0.5        # a top output below this is unsure (and see engine.digits.runner_up)
SURE_TOP = 0.8       # a top output from here on is a confident answer
MIN_SIZE_SHARE = 0.15   # a drawing whose longer side is below this share of the pad ...
MIN_PEN_WIDTHS = 2.0    # ... or below two pen widths (a dot, a dash) is too small to read
TOO_SMALL = ("The drawing is too small to read: it would be scaled up to 20 pixels and "
             "read as some digit whatever it is. Draw the digit larger, over most of the pad.")


@dataclass
class Answer:
    """The network's answer to one input: ``outputs`` (10,), the top ``guess`` and, when
    the network is unsure (``unsure`` says why), the ``runner_up``; or ``message`` saying
    why there is none (``error`` when it is a fault, not an empty pad)."""

    outputs: Optional[np.ndarray] = None
    guess: Optional[int] = None
    message: str = ""
    error: str = ""
    runner_up: Optional[int] = None
    unsure: str = ""


def decide(outputs) -> tuple:
    """(guess, runner-up or None, why unsure or ""). The runner-up is named by
    ``engine.digits.runner_up`` (the top two close, or no output standing out among the
    ten), and also when the top output itself is below LOW_TOP."""
    out = np.asarray(outputs, dtype=np.float64).reshape(-1)
    order = np.argsort(out)[::-1]
    top, second = int(order[0]), int(order[1])
    a, b = float(out[top]), float(out[second])
    total = float(out.sum())
    named = digits.runner_up(out)
    if named is not None and b >= digits.RUNNER_UP_RATIO * a:
        return top, named, f"its two top outputs are close ({a:.2f} and {b:.2f})"
    if named is not None:
        return top, named, (f"no output stands out (the top one is {100 * a / total:.0f}% "
                            f"of the ten)")
    if a < LOW_TOP:
        return top, second, f"its top output, {a:.2f}, is below {LOW_TOP:g}"
    return top, None, ""


def too_small(image, pen_width: float) -> bool:
    """True when the ink in ``image`` (a square drawing, ink bright) spans less than
    MIN_SIZE_SHARE of it, or less than MIN_PEN_WIDTHS pen widths (in its pixels)."""
    box = digits.ink_box(image)
    if box is None:
        return False
    top, bottom, left, right = box
    extent = max(bottom - top, right - left)
    return extent < max(MIN_SIZE_SHARE * max(np.shape(image)), MIN_PEN_WIDTHS * pen_width)


def noise_note(outputs) -> str:
    """What the outputs on screen say about random pixels (computed from them)."""
    out = np.asarray(outputs, dtype=np.float64).reshape(-1)
    d = int(np.argmax(out))
    top = float(out[d])
    head = "Random pixels, fed to the network as they are. "
    if top < LOW_TOP:
        return (head + f"It still picks {d}, but its top output is only {top:.2f} (below "
                f"{LOW_TOP:g}): no output neuron is sure, as it should be.")
    if top < SURE_TOP:
        return (head + f"It answers {d} with an output of {top:.2f}: fairly sure of a digit "
                f"that is not there, since it only knows the ten digits.")
    return (head + f"It answers {d} with an output of {top:.2f}: confident, and wrong, "
            f"since it only knows the ten digits.")


class PadModel:
    """Which network answers, its answers, and the test digits."""

    def __init__(self, net=None, label: str = "no model", model_error: Optional[str] = None):
        self.net = net
        self.label = label
        self.model_error = model_error
        self.test_set = None            # engine.mnist.Dataset, once MNIST has been read
        self.rng = np.random.default_rng()

    def set_network(self, net, label: str) -> None:
        self.net, self.label = net, label

    def problem(self) -> Optional[str]:
        """Why the network cannot answer digits, or None."""
        net = self.net
        if net is None:
            why = self.model_error
            return f"No model to answer: {why}" if why else "No model to answer yet."
        sizes = getattr(net, "sizes", None)
        if not sizes or sizes[0] != 784 or sizes[-1] != 10:
            return (f"The model ({'-'.join(map(str, sizes or []))}) cannot read digits: "
                    f"it needs 784 inputs and 10 outputs.")
        return None

    def describe(self) -> str:
        """"784-100-10 sigmoid, ..." for the line above the pad ('' when none)."""
        return self.net.describe() if hasattr(self.net, "describe") else ""

    def answer(self, x: Optional[np.ndarray]) -> Answer:
        """Feed the (784,) input ``x`` forward; never raises."""
        problem = self.problem()
        if x is None or problem:
            return Answer(message="no model" if problem and x is not None
                          else digits.EMPTY_MESSAGE)
        try:
            out = np.asarray(self.net.feedforward(x), dtype=np.float64).reshape(-1)
        except Exception as exc:    # a model of the wrong shape: say so, never crash
            return Answer(message="no answer", error=f"The model could not answer: {exc}")
        if out.shape != (10,) or not np.all(np.isfinite(out)):
            return Answer(message="no answer",
                          error="The model's outputs are not ten finite numbers.")
        guess, runner_up, why = decide(out)
        return Answer(outputs=out, guess=guess, runner_up=runner_up, unsure=why)

    # ------------------------------------------------------------------ test digits
    def set_test_set(self, test_set) -> Optional[str]:
        """Keep MNIST's test set; returns a message when it cannot be used."""
        if test_set is None or len(test_set) == 0:
            self.test_set = None
            return "The MNIST test set is empty."
        self.test_set = test_set
        return None

    def random_test_index(self) -> int:
        return int(self.rng.integers(len(self.test_set)))

    def test_digit(self, index: int):
        """(image (784,), true label) of MNIST test image ``index``."""
        return self.test_set.images[index], int(self.test_set.labels[index])
