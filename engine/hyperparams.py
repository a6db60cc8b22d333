"""The one check of the training settings: the command line, ``Trainer`` and the training
panel all refuse the same values with the same message.

Every message starts with the name of the setting as the training panel shows it
("eta: ...", "Mini-batch size m: ..."), so it can be shown as it is under a field, after
``--eta`` on the command line, or in a ``ValueError`` from ``Trainer``.

Two kinds of function, for the two kinds of input:

* ``check_*`` take a number (from Python code, ``Trainer``) and return it, or raise
  ``HyperparameterError``;
* ``parse_*`` take the text a person typed (a field, an option) and return the number.

The limits keep a typo from freezing the machine: at most ``MAX_LAYERS`` layers of at
most ``MAX_NEURONS`` neurons in a hidden layer, eta above 0 and at most ``MAX_ETA``, the
mini-batch size m from 1 to the number of training images, L2 from 0 to ``MAX_L2``.
"""

from __future__ import annotations

import math
import re
from numbers import Integral, Real
from typing import List, Optional, Sequence

MAX_NEURONS = 4096          # in one hidden layer
MAX_LAYERS = 8              # input and output layers included
MAX_ETA = 1e6
MAX_L2 = 1e6
MAX_EPOCHS = 100_000
MAX_SEED = 2**32 - 1
MNIST_TRAINING = 60_000     # the most training images there are
INPUTS, OUTPUTS = 784, 10   # MNIST: one input a pixel, one output a digit

# The names the messages start with (as the training panel labels its fields).
SIZES, ETA, M, L2 = "Layer sizes", "eta", "Mini-batch size m", "L2 (lambda)"
EPOCHS, SEED, TRAIN_SIZE = "Epochs", "Seed", "Training images"


class HyperparameterError(ValueError):
    """A training setting that cannot be used; ``str()`` is "<setting>: <why>."

    ``field`` is the setting's name as the training panel shows it (``ETA``, ``M``, ...).
    """

    def __init__(self, field: str, why: str):
        super().__init__(f"{field}: {why}")
        self.field = field
        self.why = why


# ---------------------------------------------------------------------- numbers
def _real(value, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise HyperparameterError(field, f"{value!r} is not a number.")
    value = float(value)
    if not math.isfinite(value):
        raise HyperparameterError(field, "must be a finite number.")
    return value


def _whole(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (Integral, Real)):
        raise HyperparameterError(field, f"{value!r} is not a whole number.")
    if isinstance(value, Real) and not isinstance(value, Integral):
        if not (math.isfinite(value) and float(value).is_integer()):
            raise HyperparameterError(field, f"{value!r} is not a whole number.")
    value = int(value)
    if value < low or value > high:
        raise HyperparameterError(field, f"must be from {low:,} to {high:,}, not {value:,}.")
    return value


def check_eta(eta) -> float:
    """The learning rate: above 0 and at most ``MAX_ETA``."""
    eta = _real(eta, ETA)
    if eta <= 0:
        raise HyperparameterError(ETA, "the learning rate must be above 0 (e.g. 3.0).")
    if eta > MAX_ETA:
        raise HyperparameterError(ETA, f"at most {MAX_ETA:,.0f}, please.")
    return eta


def check_l2(l2) -> float:
    """The L2 weight decay lambda: 0 (none) to ``MAX_L2``."""
    l2 = _real(l2, L2)
    if l2 < 0:
        raise HyperparameterError(L2, "must be 0 (no weight decay) or more.")
    if l2 > MAX_L2:
        raise HyperparameterError(L2, f"at most {MAX_L2:,.0f}.")
    return l2


def check_mini_batch_size(m, n: Optional[int] = None) -> int:
    """The mini-batch size m: 1 (online learning) to ``n``, the number of training
    images (full-batch gradient descent); up to ``MNIST_TRAINING`` when n is not known."""
    high = MNIST_TRAINING if n is None else max(1, int(n))
    return _whole(m, M, 1, high)


def check_epochs(epochs, low: int = 1) -> int:
    return _whole(epochs, EPOCHS, low, MAX_EPOCHS)


def check_seed(seed) -> int:
    return _whole(seed, SEED, 0, MAX_SEED)


def check_train_size(n, available: int = MNIST_TRAINING) -> int:
    """How many of the ``available`` training images to use."""
    return _whole(n, TRAIN_SIZE, 1, available)


def check_sizes(sizes: Sequence[int], inputs: Optional[int] = INPUTS,
                outputs: Optional[int] = OUTPUTS) -> List[int]:
    """Neurons per layer: ``inputs`` first, ``outputs`` last (None: any), 2 to
    ``MAX_LAYERS`` layers, 1 to ``MAX_NEURONS`` neurons in each hidden layer."""
    sizes = list(sizes)
    if len(sizes) < 2:
        raise HyperparameterError(SIZES, "give at least two layers, e.g. 784, 30, 10.")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, Integral):
            raise HyperparameterError(SIZES, f"{s!r} is not a whole number.")
    sizes = [int(s) for s in sizes]
    if inputs is not None and sizes[0] != inputs:
        raise HyperparameterError(SIZES, f"the first layer must be {inputs} (one neuron a "
                                         f"pixel), not {sizes[0]}.")
    if outputs is not None and sizes[-1] != outputs:
        raise HyperparameterError(SIZES, f"the last layer must be {outputs} (one neuron a "
                                         f"digit), not {sizes[-1]}.")
    if len(sizes) > MAX_LAYERS:
        raise HyperparameterError(SIZES, f"at most {MAX_LAYERS} layers, please.")
    for s in sizes[1:-1]:
        if not 1 <= s <= MAX_NEURONS:
            raise HyperparameterError(SIZES, f"a hidden layer needs 1 to {MAX_NEURONS} "
                                             f"neurons, not {s:,}.")
    return sizes


def check_training(eta, mini_batch_size, lmbda, epochs, n: Optional[int] = None) -> None:
    """All of ``Trainer``'s settings at once (epochs may be 0 there: nothing to do)."""
    check_eta(eta)
    check_mini_batch_size(mini_batch_size, n)
    check_l2(lmbda)
    check_epochs(epochs, low=0)


# ---------------------------------------------------------------------- typed text
def _shown(t: str) -> str:
    """The typed text as a message quotes it (long texts shortened)."""
    return repr(t if len(t) <= 40 else t[:37] + "...")


def _number_text(text: str, field: str) -> float:
    t = str(text).strip()
    try:
        value = float(t)
    except ValueError:
        raise HyperparameterError(field, f"{_shown(t)} is not a number.") from None
    if not math.isfinite(value):
        raise HyperparameterError(field, "must be a finite number.")
    return value


def _whole_text(text: str, field: str, low: int, high: int) -> int:
    t = str(text).strip()
    digits = t.replace(",", "").replace("_", "")
    if len(digits) > 30 and digits.lstrip("+-").isdigit():
        raise HyperparameterError(field, f"must be from {low:,} to {high:,}, not a number "
                                         f"of {len(digits)} digits.")
    try:
        if len(digits) > 30:
            raise ValueError
        value = int(digits)
    except ValueError:
        raise HyperparameterError(field, f"{_shown(t)} is not a whole number.") from None
    return _whole(value, field, low, high)


def parse_eta(text: str) -> float:
    return check_eta(_number_text(text, ETA))


def parse_l2(text: str) -> float:
    return check_l2(_number_text(text, L2))


def parse_mini_batch_size(text: str, n: Optional[int] = None) -> int:
    high = MNIST_TRAINING if n is None else max(1, int(n))
    return _whole_text(text, M, 1, high)


def parse_epochs(text: str) -> int:
    return _whole_text(text, EPOCHS, 1, MAX_EPOCHS)


def parse_seed(text: str) -> int:
    return _whole_text(text, SEED, 0, MAX_SEED)


def parse_train_size(text: str, available: int = MNIST_TRAINING) -> Optional[int]:
    """None for "all" (or nothing typed); else the number of training images to use."""
    if str(text).strip().lower() in ("", "all"):
        return None
    return _whole_text(text, TRAIN_SIZE, 1, available)


def parse_sizes(text: str, inputs: Optional[int] = INPUTS,
                outputs: Optional[int] = OUTPUTS) -> List[int]:
    """"784, 30, 10" (commas, spaces or dashes between) -> [784, 30, 10], checked."""
    text = str(text)
    if re.search(r"(^|[\s,])-\d", text):          # "-30": a minus sign, not a separator
        raise HyperparameterError(SIZES, f"{text.strip()[:60]!r} is not a list of whole "
                                         f"numbers above 0 (e.g. 784, 30, 10).")
    parts = [p for p in text.replace(",", " ").replace("-", " ").split() if p]
    if len(parts) < 2:
        raise HyperparameterError(SIZES, "give at least two layers, e.g. 784, 30, 10.")
    if any(len(p) > 30 or not p.isdigit() for p in parts):
        raise HyperparameterError(SIZES, f"{text.strip()[:60]!r} is not a list of whole "
                                         f"numbers (e.g. 784, 30, 10).")
    if len(parts) > MAX_LAYERS:
        raise HyperparameterError(SIZES, f"at most {MAX_LAYERS} layers, please.")
    return check_sizes([int(p) for p in parts], inputs, outputs)
