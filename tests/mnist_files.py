"""Small IDX files written by the tests, in MNIST's exact format."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from engine.mnist import FILES


def idx_images(images: np.ndarray) -> bytes:
    n, rows, cols = images.shape
    return struct.pack(">IIII", 0x803, n, rows, cols) + images.astype(np.uint8).tobytes()


def idx_labels(labels: np.ndarray) -> bytes:
    return struct.pack(">II", 0x801, len(labels)) + np.asarray(labels, np.uint8).tobytes()


def synthetic_digits(n: int, seed: int = 0):
    """n 28x28 uint8 images whose label is drawn as a bright bar at a label-dependent
    row, so a network can learn them; and the labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = (rng.random((n, 28, 28)) * 40).astype(np.uint8)
    for i, label in enumerate(labels):
        images[i, 2 + 2 * label: 4 + 2 * label, 4:24] = 255
    return images, labels


def write_mnist_folder(folder: Path, n_train: int = 12, n_test: int = 6, gz: bool = True,
                       seed: int = 0) -> Path:
    """Write the four MNIST files (gzipped or not) with synthetic digits into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    train = synthetic_digits(n_train, seed)
    test = synthetic_digits(n_test, seed + 1)
    contents = {
        FILES["train_images"]: idx_images(train[0]), FILES["train_labels"]: idx_labels(train[1]),
        FILES["test_images"]: idx_images(test[0]), FILES["test_labels"]: idx_labels(test[1]),
    }
    for name, data in contents.items():
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return folder
