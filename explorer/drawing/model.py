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


@dataclass
class Answer:
    """The network's answer to one input: ``outputs`` (10,) and the top ``guess``, or
    ``message`` saying why there is none (``error`` when it is a fault, not an empty pad)."""

    outputs: Optional[np.ndarray] = None
    guess: Optional[int] = None
    message: str = ""
    error: str = ""


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
        return Answer(outputs=out, guess=int(np.argmax(out)))

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
