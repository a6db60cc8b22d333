"""Saving and loading a network as a ``.npz`` file.

The file holds ``sizes``, ``activation``, ``cost``, ``init``, the arrays ``w0, w1, ...``
and ``b0, b1, ...`` (shaped as the book's ``weights`` and ``biases``), a format
version, and a JSON string of free-form metadata (how it was trained, its accuracy).

Saving writes a temporary file beside the target and renames it into place, so a
crash or a full disk never leaves a half-written model under the real name. Loading
checks everything and raises ``ModelError`` with a message a person can act on.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from engine.network import Network

FORMAT_VERSION = 1


class ModelError(Exception):
    """A model file is missing, damaged, or does not fit."""


def save(net: Network, path, metadata: Optional[dict] = None) -> Path:
    """Write ``net`` to ``path`` (a ``.npz``) atomically; returns the path."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays = {
        "format_version": np.array(FORMAT_VERSION),
        "sizes": np.array(net.sizes, dtype=np.int64),
        "activation": np.array(net.activation_name),
        "cost": np.array(net.cost_name),
        "init": np.array(net.init),
        "metadata": np.array(json.dumps(metadata or {})),
    }
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{i}"] = np.ascontiguousarray(w)
        arrays[f"b{i}"] = np.ascontiguousarray(b)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ModelError(f"Cannot write a model into {folder}: {exc.strerror or exc}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)     # mkstemp makes 0600; a model is an ordinary file
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ModelError(f"Could not save the model to {path}: {exc.strerror or exc}") from None
        raise
    return path


def load(path, expect_sizes: Optional[Sequence[Optional[int]]] = None) -> Network:
    """Read a network saved by ``save``.

    ``expect_sizes`` checks the layer sizes: e.g. ``(784, None, 10)`` would demand 784
    inputs and 10 outputs; only the first and last entries are compared when the
    lengths differ (a drawing pad needs 784 in and 10 out, whatever lies between).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such model file")
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ModelError(f"{path} is not a model file that can be read ({exc}); it may be "
                         f"damaged or not a .npz saved by Gradient Descent Explorer") from None
    try:
        sizes = [int(s) for s in data["sizes"]]
        activation = str(data.get("activation", "sigmoid"))
        cost = str(data.get("cost", "quadratic"))
        init = str(data.get("init", "normal"))
        metadata = json.loads(str(data.get("metadata", "{}")))
    except KeyError as exc:
        raise ModelError(f"{path} has no {exc.args[0]!r} entry: it is not a model saved by "
                         f"Gradient Descent Explorer") from None
    except (ValueError, TypeError) as exc:
        raise ModelError(f"{path}: its description is damaged ({exc})") from None
    layers = len(sizes) - 1
    missing = [k for i in range(layers) for k in (f"w{i}", f"b{i}") if k not in data]
    if layers < 1 or missing:
        raise ModelError(f"{path}: sizes {sizes} need arrays {', '.join(missing) or 'w0, b0'}, "
                         f"which the file lacks")
    try:
        net = Network(sizes, activation=activation, cost=cost,
                      init=init if init in ("normal", "scaled") else "normal")
    except ValueError as exc:
        raise ModelError(f"{path}: {exc}") from None
    weights = [data[f"w{i}"] for i in range(layers)]
    biases = [data[f"b{i}"] for i in range(layers)]
    try:
        net.set_parameters(weights, biases)
    except ValueError as exc:
        raise ModelError(f"{path}: the arrays do not fit the sizes {sizes}: {exc}") from None
    if not all(np.isfinite(p).all() for p in net.params):
        raise ModelError(f"{path}: holds NaN or infinite weights (saved from a run that "
                         f"diverged?)")
    if expect_sizes is not None:
        want = list(expect_sizes)
        pairs = [(0, 0), (-1, -1)] if len(want) != len(sizes) else list(zip(range(len(want)),
                                                                            range(len(want))))
        for i, j in pairs:
            if want[i] is not None and sizes[j] != want[i]:
                raise ModelError(
                    f"{path}: a network of sizes {'-'.join(map(str, sizes))} does not fit here; "
                    f"it needs {want[0]} inputs and {want[-1]} outputs")
    net.metadata = metadata
    return net
