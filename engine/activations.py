"""Activation functions, written so the training loop can apply them in place.

Each activation knows two things:

* ``apply(z, out)``: out = sigma(z), element-wise (``out`` may be ``z``);
* ``prime_from_output(a, out)``: out = sigma'(z), computed from the activation
  a = sigma(z) itself. For the sigmoid sigma' = a (1 - a); for ReLU it is 1 where
  a > 0, else 0. Working from ``a`` means backpropagation never keeps ``z`` around.
"""

from __future__ import annotations

import numpy as np

_expit = None


def _load_expit():
    """scipy.special takes a third of a second to import; it is loaded on first use,
    so that the app and the command line start without waiting for it."""
    global _expit
    from scipy.special import expit
    _expit = expit
    return expit


class Sigmoid:
    """The book's sigmoid neuron: sigma(z) = 1 / (1 + exp(-z))."""

    name = "sigmoid"

    @staticmethod
    def apply(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        # SciPy's expit is one pass, exact in both tails, and never overflows
        # (1 / (1 + np.exp(-z)) takes four passes and warns for z < -88 in float32).
        expit = _expit or _load_expit()
        return expit(z, out=out) if out is not None else expit(z)

    @staticmethod
    def prime_from_output(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        out = np.subtract(1.0, a, out=out)
        out *= a
        return out


class ReLU:
    """The rectified linear unit: max(0, z)."""

    name = "relu"

    @staticmethod
    def apply(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return np.maximum(z, 0.0, out=out)

    @staticmethod
    def prime_from_output(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            return (a > 0.0).astype(a.dtype)
        return np.greater(a, 0.0, out=out)


ACTIVATIONS = {cls.name: cls for cls in (Sigmoid, ReLU)}


def get_activation(name: str):
    """The activation called ``name`` ("sigmoid" or "relu")."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}") from None
