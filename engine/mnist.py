"""MNIST: reading the four IDX files, finding them, and downloading them.

Where the data is looked for, in order:

1. a folder the caller names (``load_data(data_dir=...)``, the ``--data`` option);
2. the folder in the ``MNIST_DIR`` environment variable;
3. the user cache folder (``platformdirs.user_cache_dir("gd-explorer")/mnist``);
4. a download from the public mirrors into that cache, each file checked against its
   published SHA-256 (pooch does the download, the check and the atomic move: a failed
   or corrupt download leaves nothing behind).

Files may be gzipped (``train-images-idx3-ubyte.gz``) or not (``train-images-idx3-ubyte``,
or with the ``.idx3-ubyte`` spelling some archives use). Every file is checked as it is
read: magic number, dimensions, length, label range; a bad one raises ``MnistError``
naming the file and what is wrong.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, NamedTuple, Optional, Sequence

import numpy as np

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# SHA-256 of the gzipped files as the public mirrors serve them.
PUBLISHED_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)

IMAGES_MAGIC = 0x00000803   # unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801   # unsigned bytes, 1 dimension
BOOK_TRAINING = 50_000      # the book keeps the last 10,000 training images for validation


class MnistError(Exception):
    """MNIST could not be found, read or downloaded; the message says what to do."""


class DownloadCancelled(MnistError):
    """Raised by a progress bar's ``update`` to cancel a download (see ``fetch``)."""


class Dataset(NamedTuple):
    """Images (n, 784) as float32 in [0, 1], ink bright on dark, and labels (n,) as uint8."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:  # NamedTuple's own len would be 2
        return len(self.labels)

    def subset(self, n: Optional[int]) -> "Dataset":
        """The first n examples (all when n is None)."""
        return self if n is None else Dataset(self.images[:n], self.labels[:n])


@dataclass
class MnistData:
    """The three sets, and where they came from."""

    training: Dataset
    validation: Optional[Dataset]
    test: Dataset
    folder: Path
    origin: str       # "folder", "MNIST_DIR", "cache" or "download"

    def describe(self) -> str:
        where = {"folder": "the folder", "MNIST_DIR": "MNIST_DIR", "cache": "the cache",
                 "download": "a fresh download into the cache"}.get(self.origin, self.origin)
        return f"MNIST from {where}: {self.folder}"


# ---------------------------------------------------------------------- reading
def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise MnistError(f"{path}: cannot be read ({exc}); the file is damaged or not "
                         f"an MNIST file. Delete it and fetch it again.") from None


def read_idx(path) -> np.ndarray:
    """The array in one IDX file: (n, 28, 28) uint8 images or (n,) uint8 labels.

    Checks the magic number, the dimensions and that the length matches the header.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 8:
        raise MnistError(f"{path}: only {len(data)} bytes, too short for an IDX header")
    magic, count = struct.unpack(">II", data[:8])
    if magic == IMAGES_MAGIC:
        if len(data) < 16:
            raise MnistError(f"{path}: the image header is cut short")
        rows, cols = struct.unpack(">II", data[8:16])
        if (rows, cols) != (28, 28):
            raise MnistError(f"{path}: images are {rows}x{cols}, MNIST's are 28x28")
        expected = 16 + count * rows * cols
        shape = (count, rows, cols)
        offset = 16
    elif magic == LABELS_MAGIC:
        expected = 8 + count
        shape = (count,)
        offset = 8
    else:
        raise MnistError(f"{path}: magic number 0x{magic:08x} is not an MNIST image file "
                         f"(0x{IMAGES_MAGIC:08x}) nor a label file (0x{LABELS_MAGIC:08x})")
    if len(data) != expected:
        raise MnistError(f"{path}: the header announces {count} items ({expected} bytes) "
                         f"but the file holds {len(data)} bytes: it is truncated or damaged")
    array = np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)
    if magic == LABELS_MAGIC and count and array.max() > 9:
        raise MnistError(f"{path}: holds label {int(array.max())}; MNIST labels are 0 to 9")
    return array


def find_files(folder) -> Optional[Dict[str, Path]]:
    """The paths of the four files in ``folder``, or None if any is missing."""
    folder = Path(folder)
    found = {}
    for key, stem in FILES.items():
        alt = stem.replace("-idx", ".idx")          # t10k-images.idx3-ubyte spelling
        for name in (stem + ".gz", stem, alt + ".gz", alt):
            if (folder / name).is_file():
                found[key] = folder / name
                break
        else:
            return None
    return found


def _images_as_float(images: np.ndarray) -> np.ndarray:
    out = images.reshape(len(images), -1).astype(np.float32)
    out *= 1.0 / 255.0
    return out


def read_folder(folder, split: str = "book") -> "tuple[Dataset, Optional[Dataset], Dataset]":
    """Read and check the four files of ``folder``.

    ``split="book"``: 50,000 training + 10,000 validation images (the last 10,000 of
    the training file) + the 10,000 test images, as the book's ``mnist_loader``.
    ``split="full"``: all 60,000 training images, no validation set.
    """
    if split not in ("book", "full"):
        raise ValueError(f"split must be 'book' or 'full', got {split!r}")
    files = find_files(folder)
    if files is None:
        raise MnistError(f"{folder} does not hold the four MNIST files ({', '.join(FILES.values())}, "
                         f"gzipped or not)")
    arrays = {key: read_idx(path) for key, path in files.items()}
    for part in ("train", "test"):
        ni, nl = len(arrays[f"{part}_images"]), len(arrays[f"{part}_labels"])
        if ni != nl:
            raise MnistError(f"{files[part + '_images']} holds {ni} images but "
                             f"{files[part + '_labels']} holds {nl} labels")
    train = Dataset(_images_as_float(arrays["train_images"]), arrays["train_labels"].copy())
    test = Dataset(_images_as_float(arrays["test_images"]), arrays["test_labels"].copy())
    if split == "book" and len(train) > BOOK_TRAINING:
        validation = Dataset(train.images[BOOK_TRAINING:], train.labels[BOOK_TRAINING:])
        train = Dataset(train.images[:BOOK_TRAINING], train.labels[:BOOK_TRAINING])
    else:
        validation = None
    return train, validation, test


# ---------------------------------------------------------------------- finding
def cache_dir() -> Path:
    """Where downloaded MNIST is kept for this user."""
    import platformdirs
    return Path(platformdirs.user_cache_dir("gd-explorer", appauthor=False)) / "mnist"


def locate(data_dir=None, download: bool = True, progressbar=True,
           mirrors: Sequence[str] = MIRRORS, hashes: Dict[str, str] = PUBLISHED_SHA256,
           cache: Optional[Path] = None) -> "tuple[Path, str]":
    """(folder holding MNIST, how it was found), downloading into the cache if allowed."""
    if data_dir is not None:
        if find_files(data_dir) is None:
            raise MnistError(_missing_message(Path(data_dir), "The folder you named"))
        return Path(data_dir), "folder"
    env = os.environ.get("MNIST_DIR")
    if env:
        if find_files(env) is None:
            raise MnistError(_missing_message(Path(env), "MNIST_DIR names a folder that"))
        return Path(env), "MNIST_DIR"
    cache = Path(cache) if cache is not None else cache_dir()
    if find_files(cache) is not None:
        return cache, "cache"
    if not download:
        raise MnistError(_missing_message(cache, "The cache folder"))
    fetch(cache, mirrors=mirrors, hashes=hashes, progressbar=progressbar)
    return cache, "download"


def _missing_message(folder: Path, who: str) -> str:
    return (f"{who} {folder} does not hold MNIST. Put the four files "
            f"({', '.join(n + '.gz' for n in FILES.values())}) there, or name another folder "
            f"with --data DIR or the MNIST_DIR environment variable.")


def load_data(data_dir=None, split: str = "book", download: bool = True,
              progressbar=True, **locate_options) -> MnistData:
    """Find (or download) MNIST and read it: see the module's docstring for the order."""
    folder, origin = locate(data_dir, download=download, progressbar=progressbar,
                            **locate_options)
    training, validation, test = read_folder(folder, split)
    return MnistData(training, validation, test, folder, origin)


# ---------------------------------------------------------------------- downloading
def fetch(dest, mirrors: Sequence[str] = MIRRORS, hashes: Dict[str, str] = PUBLISHED_SHA256,
          progressbar=True, timeout: float = 30.0) -> Path:
    """Download the four gzipped files into ``dest``, checking each file's SHA-256.

    Each mirror is tried in turn. ``progressbar`` is passed to pooch: True for a text
    bar on standard error, False for none, or an object with ``total``, ``update(n)``,
    ``reset()`` and ``close()`` (a GUI's bar; raising ``DownloadCancelled`` from
    ``update`` cancels, and the exception comes out of ``fetch``).
    Nothing half-written stays in ``dest``: pooch writes to a temporary file and moves
    it into place only once the hash matches.
    """
    import pooch
    import requests

    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MnistError(f"Cannot create the MNIST cache folder {dest}: {exc}") from None
    downloader = pooch.HTTPDownloader(progressbar=progressbar, timeout=timeout)
    for name, sha in hashes.items():
        if (dest / name).is_file() and pooch.file_hash(str(dest / name)) == sha:
            continue
        errors = []
        for base in mirrors:
            url = base.rstrip("/") + "/" + name
            try:
                pooch.retrieve(url, known_hash=f"sha256:{sha}", fname=name, path=dest,
                               downloader=downloader)
                break
            except DownloadCancelled:
                _remove_partial(dest)
                raise
            except ValueError as exc:          # pooch: the hash did not match
                errors.append(f"{url}: the file arrived damaged (its SHA-256 does not match "
                              f"the published one) [{str(exc).splitlines()[0]}]")
            except requests.exceptions.RequestException as exc:
                errors.append(f"{url}: {_short(exc)}")
            except OSError as exc:
                errors.append(f"{url}: {exc}")
        else:
            _remove_partial(dest)
            raise MnistError(
                f"Could not download {name}.\n  " + "\n  ".join(errors) +
                f"\nIf this machine is offline, copy the four MNIST files "
                f"({', '.join(hashes)}) into {dest}, or name a folder that holds them with "
                f"--data DIR or the MNIST_DIR environment variable.")
    return dest


def _short(exc: Exception) -> str:
    text = str(exc)
    if "Connection refused" in text or "Failed to establish" in text or "NameResolution" in text:
        return "could not connect (no network, or the server refused the connection)"
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _remove_partial(dest: Path) -> None:
    """Remove temporary files a cancelled download may have left (pooch's tmp*)."""
    for tmp in dest.glob("tmp*"):
        try:
            tmp.unlink()
        except OSError:
            pass
