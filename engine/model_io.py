"""Saving and loading a network as a ``.npz`` file, and what is known of its training.

The file is a zip archive of ``.npy`` members: ``sizes``, ``activation``, ``cost``,
``init``, ``w0, w1, ...`` and ``b0, b1, ...`` (shaped as the book's ``weights`` and
``biases``), ``format_version`` and ``metadata``, a JSON object.

Format 2 (this version) writes the metadata in one form, ``ModelInfo.to_dict()``::

    {"epochs_trained": 30, "examples_seen": 1800000, "test_accuracy": 0.9765,
     "eta": 0.5, "mini_batch_size": 10, "l2": 5.0, "split": "full", "train_size": 60000,
     "seed": 1, "augment": null, "extra": {...anything else...}}

(fields that are not known are left out). Format 1 files had two schemas: ``train
--save`` wrote ``epochs_done``, ``mini_batch_size``, ``l2``, ``eta``, ...; the training
panel wrote ``trained_epochs``, ``examples_seen``, ``test_accuracy`` and ``settings`` (its
fields' texts: ``eta``, ``m``, ``l2``, ``split``, ``images``, ``seed``, ...). Both are read
into the same ``ModelInfo``.

A loaded network has ``net.info`` (a ``ModelInfo``) and ``net.metadata`` (a flat dict
kept for older callers: the ``ModelInfo`` fields, the ``extra`` entries and the format-1
names ``trained_epochs`` and ``epochs_done``). ``info(net)`` gives the ``ModelInfo`` of
any network.

Saving writes a temporary file ``.NAME.*.tmp`` beside the target, syncs it, renames it
into place and syncs the folder, so a crash, Ctrl+C or a full disk never leaves a
half-written model under the real name. Temporary files of ours that a killed process
left behind are removed at the next save. ``check_target`` says before training
whether a path can be saved to at all.

Loading is all or nothing: it reads only the members it expects, checks each
member's declared size and its array header (dtype, shape) against the sizes before
reading or allocating anything, never unpickles, and raises ``ModelError`` (naming the
file) for anything it cannot use.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field, fields
from numbers import Real
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Union

import numpy as np

from engine.activations import ACTIVATIONS
from engine.costs import COSTS
from engine.network import INITS, Network

FORMAT_VERSION = 2
MAX_LAYERS = 16                 # in a model file (the training panel makes at most 8)
MAX_LAYER_SIZE = 100_000        # neurons in one layer of a model file
MAX_PARAMETERS = 100_000_000    # weights and biases in all (400 MB as float32)
MAX_METADATA_BYTES = 1 << 20
_SMALL_MEMBER_BYTES = 4096      # sizes, activation, cost, init, format_version
_NPY_HEADER_BYTES = 10_000


class ModelError(Exception):
    """A model file is missing, damaged, does not fit, or cannot be written."""


# ---------------------------------------------------------------------- ModelInfo
@dataclass
class ModelInfo:
    """How a saved network was trained; a field is None when it is not known.

    ``epochs_trained``: complete epochs; ``examples_seen``: training examples used;
    ``test_accuracy``: the fraction of test images right when saved (0 to 1); ``eta``,
    ``mini_batch_size``, ``l2``: the book's eta, m and lmbda; ``split``: "book" or
    "full"; ``train_size``: training images used; ``seed``; ``augment``: the
    augmentation used (as the trainer describes it); ``extra``: anything else (JSON).
    """

    epochs_trained: Optional[int] = None
    examples_seen: Optional[int] = None
    test_accuracy: Optional[float] = None
    eta: Optional[float] = None
    mini_batch_size: Optional[int] = None
    l2: Optional[float] = None
    split: Optional[str] = None
    train_size: Optional[int] = None
    seed: Optional[int] = None
    augment: Any = None
    extra: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        """The canonical JSON object written into a file (unknown fields left out)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name != "extra" and getattr(self, f.name) is not None}
        if self.extra:
            out["extra"] = dict(self.extra)
        return out

    def as_metadata(self) -> Dict[str, Any]:
        """A flat dict for older callers: the fields, ``extra``'s entries, and the
        format-1 names ``trained_epochs`` and ``epochs_done`` for ``epochs_trained``."""
        out = dict(self.extra)
        out.update({k: v for k, v in self.to_dict().items() if k != "extra"})
        if self.epochs_trained is not None:
            out["trained_epochs"] = out["epochs_done"] = self.epochs_trained
        return out

    @classmethod
    def from_metadata(cls, meta: Optional[dict]) -> "ModelInfo":
        """Read any of the metadata forms: format 2's, ``train --save``'s format 1
        (``epochs_done``, ...) and the training panel's format 1 (``trained_epochs``,
        ``settings``). Values of the wrong type are left out (None)."""
        meta = dict(meta or {})
        settings = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
        extra = meta.pop("extra", None)
        extra = dict(extra) if isinstance(extra, dict) else {}

        def take(*keys):
            for k in keys:
                if k in meta:
                    v = meta.pop(k)
                    if v is not None:
                        return v
            return None

        images = settings.get("images")
        info = cls(
            epochs_trained=_count(take("epochs_trained", "trained_epochs", "epochs_done")),
            examples_seen=_count(take("examples_seen")),
            test_accuracy=_fraction(take("test_accuracy")),
            eta=_positive(_first(take("eta"), settings.get("eta"))),
            mini_batch_size=_count(_first(take("mini_batch_size"), settings.get("m")), low=1),
            l2=_non_negative(_first(take("l2", "lmbda"), settings.get("l2"))),
            split=_word(_first(take("split"), settings.get("split"))),
            train_size=_count(_first(take("train_size"),
                                     None if str(images).strip().lower() in ("", "all")
                                     else images), low=1),
            seed=_count(_first(take("seed"), settings.get("seed"))),
            augment=_json_small(take("augment")),
        )
        for k, v in meta.items():
            extra.setdefault(str(k), v)
        info.extra = extra
        return info


def _first(*values):
    return next((v for v in values if v is not None), None)


def _number(v) -> Optional[float]:
    if isinstance(v, str):
        try:
            v = float(v.strip().replace(",", ""))
        except ValueError:
            return None
    if isinstance(v, bool) or not isinstance(v, Real):
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _count(v, low: int = 0) -> Optional[int]:
    v = _number(v)
    if v is None or not v.is_integer() or v < low or v > 2**63:
        return None
    return int(v)


def _fraction(v) -> Optional[float]:
    v = _number(v)
    return v if v is not None and 0.0 <= v <= 1.0 else None


def _positive(v) -> Optional[float]:
    v = _number(v)
    return v if v is not None and v > 0 else None


def _non_negative(v) -> Optional[float]:
    v = _number(v)
    return v if v is not None and v >= 0 else None


def _word(v) -> Optional[str]:
    return v if isinstance(v, str) and 0 < len(v) <= 100 else None


def _json_small(v):
    if v is None or isinstance(v, (bool, str, int, float)):
        return v if not isinstance(v, str) or len(v) <= 1000 else None
    try:
        return v if len(json.dumps(v)) <= 10_000 else None
    except (TypeError, ValueError, RecursionError):
        return None


def info(net: Network) -> ModelInfo:
    """What is known of how ``net`` was trained (from a loaded file, or set by hand)."""
    found = getattr(net, "info", None)
    if isinstance(found, ModelInfo):
        return found
    return ModelInfo.from_metadata(getattr(net, "metadata", None))


# ---------------------------------------------------------------------- saving
def target_path(path) -> Path:
    """The file ``save(net, path)`` writes: ``path``, with ".npz" added if it lacks it.

    Raises ``ModelError`` when the path names a folder ("DIR/" or an existing folder;
    it never becomes "DIR.npz") or something that is not an ordinary file (/dev/null).
    """
    raw = os.fspath(path)
    if not str(raw).strip():
        raise ModelError("No file name given for the model.")
    p = Path(raw)
    if str(raw).endswith(("/", os.sep)) or p.is_dir():
        raise ModelError(f"{raw} is a folder: give a file name for the model, "
                         f"e.g. {p / 'model.npz'}")
    if p.suffix != ".npz":
        p = p.with_name(p.name + ".npz")
    for q in {Path(raw), p}:
        if q.is_dir():
            raise ModelError(f"{q} is a folder: give another file name for the model.")
        if q.exists() and not q.is_file():
            raise ModelError(f"{q} is not an ordinary file (a device, a pipe?): give a "
                             f"file name ending in .npz.")
    return p


def check_target(path) -> Path:
    """The file ``save`` would write, checked now: the folder exists and a file can be
    created in it. Call it before a long training run; raises ``ModelError``."""
    p = target_path(path)
    folder = p.parent
    if not folder.exists():
        raise ModelError(f"Cannot save the model as {p}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise ModelError(f"Cannot save the model as {p}: {folder} is not a folder.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise ModelError(f"Cannot save the model as {p}: the folder {folder} cannot be "
                         f"written ({exc.strerror or exc}).") from None
    return p


STALE_SECONDS = 60      # a temporary file untouched this long is a killed save's


def _remove_stale_temporaries(p: Path, keep: str) -> None:
    """Remove ``.NAME.*.tmp`` files beside ``p`` left by a killed save: not ``keep`` (this
    save's own, compared as absolute paths: ``p`` may be relative), and not one written
    in the last minute (another program saving to the same name right now)."""
    keep_path = os.path.abspath(keep)
    now = time.time()
    for tmp in p.parent.glob(f".{p.name}.*.tmp"):
        try:
            if (os.path.abspath(tmp) == keep_path
                    or now - tmp.stat().st_mtime < STALE_SECONDS):
                continue
            tmp.unlink()
        except OSError:
            pass


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save(net: Network, path, metadata: Union[ModelInfo, dict, None] = None) -> Path:
    """Write ``net`` to ``path`` (".npz" is added if missing) atomically; returns the path.

    ``metadata`` is a ``ModelInfo`` or a dict in any form ``ModelInfo.from_metadata``
    reads (it is written as format 2). Raises ``ModelError`` when the file cannot be
    written; a ``KeyboardInterrupt`` leaves the old file (if any) as it was.
    """
    p = target_path(path)
    meta = metadata if isinstance(metadata, ModelInfo) else ModelInfo.from_metadata(metadata)
    try:
        meta_text = json.dumps(meta.to_dict())
    except (TypeError, ValueError) as exc:
        raise ModelError(f"The model's notes cannot be written as JSON: {exc}") from None
    arrays = {
        "format_version": np.array(FORMAT_VERSION),
        "sizes": np.array(net.sizes, dtype=np.int64),
        "activation": np.array(net.activation_name),
        "cost": np.array(net.cost_name),
        "init": np.array(net.init),
        "metadata": np.array(meta_text),
    }
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{i}"] = np.ascontiguousarray(w)
        arrays[f"b{i}"] = np.ascontiguousarray(b)
    folder = p.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ModelError(f"Cannot write a model into {folder}: {exc.strerror or exc}") from None
    try:
        _remove_stale_temporaries(p, keep=tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)     # mkstemp makes 0600; a model is an ordinary file
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ModelError(f"Could not save the model to {p}: {exc.strerror or exc}") from None
        raise
    _sync_folder(folder)
    return p


# ---------------------------------------------------------------------- loading
class _Archive:
    """The members of a model file, read one at a time with every size checked first."""

    def __init__(self, path: Path, zf: zipfile.ZipFile):
        self.path = path
        self.zf = zf
        self.names = set(zf.namelist())

    def has(self, key: str) -> bool:
        return f"{key}.npy" in self.names

    def header(self, key: str, max_bytes: int):
        """(shape, dtype, data bytes) of member ``key``; its declared size is checked
        against ``max_bytes`` before anything is read, and at most that much is read."""
        name = f"{key}.npy"
        member = self.zf.getinfo(name)
        limit = max_bytes + _NPY_HEADER_BYTES
        if member.file_size > limit:
            raise ModelError(f"{self.path}: its entry {key!r} declares {member.file_size:,} "
                             f"bytes, more than a model of these sizes can need "
                             f"({limit:,}); the file is damaged or not a model.")
        with self.zf.open(member) as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise ModelError(f"{self.path}: its entry {key!r} is larger than it declares; "
                             f"the file is damaged.")
        buf = io.BytesIO(data)
        try:
            version = np.lib.format.read_magic(buf)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(
                    buf, max_header_size=_NPY_HEADER_BYTES)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(
                    buf, max_header_size=_NPY_HEADER_BYTES)
            else:
                raise ValueError("unknown .npy version")
        except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
            raise ModelError(f"{self.path}: its entry {key!r} is not an array this program "
                             f"can read; the file is damaged or not a model.") from None
        if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
            raise ModelError(f"{self.path}: its entry {key!r} holds Python objects or "
                             f"records, not numbers; a model never does, so it is not read.")
        return shape, fortran, dtype, data, buf.tell()

    def array(self, key: str, kinds: str, shape=None, max_bytes: int = _SMALL_MEMBER_BYTES,
              what: str = "") -> np.ndarray:
        """Member ``key`` as an array whose dtype kind is in ``kinds`` and, when given,
        whose shape is ``shape`` (a tuple, or a set of allowed tuples)."""
        got_shape, fortran, dtype, data, offset = self.header(key, max_bytes)
        if dtype.kind not in kinds:
            kind_names = {"f": "floating-point numbers", "i": "whole numbers",
                          "u": "whole numbers", "U": "text"}
            want = " or ".join(sorted({kind_names.get(k, k) for k in kinds}))
            raise ModelError(f"{self.path}: its entry {key!r} holds {dtype} values where "
                             f"{want} belong{what}; the file is damaged or not a model.")
        allowed = shape if isinstance(shape, set) else {shape} if shape is not None else None
        if allowed is not None and tuple(got_shape) not in allowed:
            expect = " or ".join(str(s) for s in sorted(allowed))
            raise ModelError(f"{self.path}: the arrays do not fit the sizes: {key} has shape "
                             f"{tuple(got_shape)}, expected {expect}{what}.")
        count = math.prod(got_shape)
        if count * dtype.itemsize > max_bytes:
            raise ModelError(f"{self.path}: its entry {key!r} is too large "
                             f"({count * dtype.itemsize:,} bytes){what}.")
        if len(data) - offset != count * dtype.itemsize:
            raise ModelError(f"{self.path}: its entry {key!r} is cut short or padded "
                             f"({len(data) - offset:,} bytes of data for "
                             f"{count * dtype.itemsize:,}); the file is damaged.")
        arr = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        return arr.reshape(got_shape, order="F" if fortran else "C")

    def text(self, key: str, default: str, max_chars: int = 64) -> str:
        if not self.has(key):
            return default
        a = self.array(key, "U", (), max_bytes=4 * max_chars)
        return str(a[()])


def _read(path: Path, expect_sizes):
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ModelError(_not_a_model(path)) from None
    except OSError as exc:
        raise ModelError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    with zf:
        return _read_archive(_Archive(path, zf), expect_sizes)


def _not_a_model(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        head = b""
    if head.startswith(b"\x93NUMPY"):
        why = "it holds a single NumPy array (.npy content), not a saved network"
    elif head.startswith(b"PK"):
        why = "it is a damaged or cut-short zip archive"
    elif not head:
        why = "it is empty"
    else:
        why = "it is not a zip archive of arrays"
    return (f"{path} is not a model file that can be read: {why}. Give a .npz saved by "
            f"Gradient Descent Explorer.")


def _read_archive(ar: _Archive, expect_sizes):
    path = ar.path
    if not ar.has("sizes"):
        raise ModelError(f"{path} has no 'sizes' entry: it is not a model saved by "
                         f"Gradient Descent Explorer.")
    version = 1
    if ar.has("format_version"):
        version = int(ar.array("format_version", "iu", ()).item())
        if version > FORMAT_VERSION or version < 1:
            raise ModelError(f"{path} is a model of format {version}; this version of "
                             f"Gradient Descent Explorer reads formats 1 to {FORMAT_VERSION}. "
                             f"Update the program to open it.")
    sizes_arr = ar.array("sizes", "iu", None, max_bytes=8 * MAX_LAYERS)
    if sizes_arr.ndim != 1 or not 2 <= len(sizes_arr) <= MAX_LAYERS:
        raise ModelError(f"{path}: its sizes must list 2 to {MAX_LAYERS} layers, got "
                         f"{sizes_arr.tolist()}.")
    sizes = [int(s) for s in sizes_arr.tolist()]
    if any(not 1 <= s <= MAX_LAYER_SIZE for s in sizes):
        raise ModelError(f"{path}: its sizes {'-'.join(map(str, sizes))} are not a network "
                         f"this program can load (1 to {MAX_LAYER_SIZE:,} neurons a layer).")
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    if n_params > MAX_PARAMETERS:
        raise ModelError(f"{path}: a network of sizes {'-'.join(map(str, sizes))} has "
                         f"{n_params:,} weights and biases, more than {MAX_PARAMETERS:,}.")
    if expect_sizes is not None:
        _check_expected(path, sizes, expect_sizes)
    activation = ar.text("activation", "sigmoid")
    cost = ar.text("cost", "quadratic")
    init = ar.text("init", "normal")
    if activation not in ACTIVATIONS:
        raise ModelError(f"{path}: unknown activation {activation[:40]!r} (this program "
                         f"knows {', '.join(sorted(ACTIVATIONS))}).")
    if cost not in COSTS:
        raise ModelError(f"{path}: unknown cost {cost[:40]!r} (this program knows "
                         f"{', '.join(sorted(COSTS))}).")
    layers = len(sizes) - 1
    missing = [k for i in range(layers) for k in (f"w{i}", f"b{i}") if not ar.has(k)]
    if missing:
        raise ModelError(f"{path}: sizes {sizes} need arrays {', '.join(missing)}, "
                         f"which the file lacks.")
    weights, biases = [], []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        what = f" (layer {i + 1}: {n_in} -> {n_out} neurons)"
        weights.append(ar.array(f"w{i}", "f", (n_out, n_in), 8 * n_out * n_in, what))
        biases.append(ar.array(f"b{i}", "f", {(n_out,), (n_out, 1)}, 8 * n_out, what))
    for arr in weights + biases:
        with np.errstate(all="ignore"):
            if not np.isfinite(arr).all():
                raise ModelError(f"{path}: holds NaN or infinite weights (saved from a run "
                                 f"that diverged?).")
    metadata = {}
    if ar.has("metadata"):
        text = ar.text("metadata", "{}", max_chars=MAX_METADATA_BYTES // 4)
        try:
            metadata = json.loads(text)
        except RecursionError:
            raise ModelError(f"{path}: its notes (metadata) are nested too deeply to "
                             f"read.") from None
        except ValueError as exc:
            raise ModelError(f"{path}: its notes (metadata) are not valid JSON "
                             f"({exc}).") from None
        if not isinstance(metadata, dict):
            raise ModelError(f"{path}: its notes (metadata) must be a JSON object, "
                             f"not {_json_kind(metadata)}.")
    try:
        model_info = ModelInfo.from_metadata(metadata)
        _ = json.dumps(model_info.extra)
    except (RecursionError, ValueError, TypeError):
        raise ModelError(f"{path}: its notes (metadata) cannot be read.") from None
    return sizes, activation, cost, init, weights, biases, model_info, version


def _json_kind(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "a number"


def _check_expected(path: Path, sizes, expect_sizes) -> None:
    want = list(expect_sizes)
    if len(want) != len(sizes):
        pairs = [(0, 0), (-1, -1)]
    else:
        pairs = [(i, i) for i in range(len(want))]
    for i, j in pairs:
        if want[i] is not None and sizes[j] != want[i]:
            raise ModelError(
                f"{path}: a network of sizes {'-'.join(map(str, sizes))} does not fit here; "
                f"it needs {want[0]} inputs and {want[-1]} outputs.")


def load(path, expect_sizes: Optional[Sequence[Optional[int]]] = None) -> Network:
    """Read a network saved by ``save`` (format 1 or 2); raises ``ModelError``.

    ``expect_sizes`` checks the layer sizes: e.g. ``(784, None, 10)`` would demand 784
    inputs and 10 outputs; only the first and last entries are compared when the
    lengths differ (a drawing pad needs 784 in and 10 out, whatever lies between).
    The network gets ``info`` (a ``ModelInfo``) and ``metadata`` (its flat dict form).
    """
    raw = os.fspath(path)
    path = Path(path)
    if str(raw).endswith(("/", os.sep)) and not path.is_dir():
        raise ModelError(f"{raw}: a file name must not end in '/'.")
    if not path.exists():
        raise ModelError(f"{path}: no such model file.")
    if path.is_dir():
        raise ModelError(f"{path} is a folder, not a model file.")
    if not path.is_file():
        raise ModelError(f"{path} is not an ordinary file (a device or a pipe?).")
    try:
        sizes, activation, cost, init, weights, biases, model_info, _ = _read(path,
                                                                              expect_sizes)
    except ModelError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, RuntimeError,
            NotImplementedError, OverflowError, KeyError, UnicodeDecodeError) as exc:
        why = ("a checksum does not match" if "CRC" in str(exc) else
               "a member is encrypted" if "encrypted" in str(exc) else "part of it is corrupt")
        raise ModelError(f"{path}: the file is damaged and cannot be read "
                         f"({why}).") from None
    except OSError as exc:
        raise ModelError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    except MemoryError:
        raise ModelError(f"{path}: not enough memory to read this model.") from None
    net = Network(sizes, activation=activation, cost=cost,
                  init=init if init in INITS else "normal")
    with np.errstate(all="ignore"):
        net.set_parameters(weights, biases)
    if not all(np.isfinite(p).all() for p in net.params):
        raise ModelError(f"{path}: holds weights too large for this program's float32 "
                         f"numbers.")
    net.info = model_info
    net.metadata = model_info.as_metadata()
    return net
