"""The training tests' small synthetic data set: ten noisy prototypes, one a digit
(learnable in an epoch or two), in memory or as the four MNIST files."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from engine.mnist import Dataset, MnistData


def synthetic(n_train=1000, n_test=200, seed=0) -> MnistData:
    """Ten noisy prototypes, one a digit: learnable in an epoch or two."""
    rng = np.random.default_rng(seed)
    protos = rng.random((10, 784)).astype(np.float32)

    def make(n):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = protos[labels] + 0.3 * rng.standard_normal((n, 784)).astype(np.float32)
        return Dataset(np.clip(images, 0, 1), labels)

    return MnistData(make(n_train), None, make(n_test), Path("/synthetic"), "folder")


def write_idx_folder(folder: Path, n_train=300, n_test=100, seed=0) -> Path:
    """The four MNIST files (gzipped IDX) holding a small synthetic set."""
    folder.mkdir(parents=True, exist_ok=True)
    data = synthetic(n_train, n_test, seed)
    for part, ds in (("train", data.training), ("t10k", data.test)):
        pixels = (ds.images * 255).round().astype(np.uint8)
        with gzip.open(folder / f"{part}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 0x803, len(ds), 28, 28) + pixels.tobytes())
        with gzip.open(folder / f"{part}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 0x801, len(ds)) + ds.labels.tobytes())
    return folder


DATA = synthetic()
