"""The Real network tests' small data set: digits that can be learned."""

from __future__ import annotations

import numpy as np

from engine import mnist


def block_digits(n_train: int, n_test: int, seed: int = 0,
                 clip: bool = True) -> mnist.MnistData:
    """Each label lights its own block of 70 pixels (+0.7), over noise in [0, 0.3);
    ``clip``: pixels kept at most 1, as MNIST's are."""
    rng = np.random.default_rng(seed)

    def part(n):
        labels = rng.integers(0, 10, n)
        images = rng.random((n, 784), dtype=np.float32) * 0.3
        for k in range(10):
            images[labels == k, 70 * k:70 * k + 70] += 0.7
        return mnist.Dataset(np.clip(images, 0, 1) if clip else images, labels)

    return mnist.MnistData(part(n_train), None, part(n_test), ".", "folder")
