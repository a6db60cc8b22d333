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
read: its magic number (and that it is the kind of file its name promises: images or
labels), dimensions, a count of 1 to ``MAX_ITEMS``, length, label range. A gzipped file
is decompressed only as far as its header says, so a small file that would expand to
gigabytes costs nothing. A bad or unreadable file raises ``MnistError`` naming the file
and saying why (permission denied, not gzip, cut short, ...): its message can be shown
as it is. A download stops at each file's published size (``PUBLISHED_BYTES``).
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

# Sizes of those files in bytes: a download stops once a file passes its size.
PUBLISHED_BYTES = {
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
}
MAX_DOWNLOAD_BYTES = 16 << 20   # for a file whose size is not listed above

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
    """Raised by a progress bar's ``update`` to cancel a download (see ``fetch``).

    This is the one such class: a GUI's progress object raises it, and ``fetch``
    removes the partial file (``remove_partial_downloads``) and lets it out.
    """


class _TooLarge(Exception):
    """A server sent more bytes than the file can have."""


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
MAX_ITEMS = 100_000         # MNIST has 60,000 training and 10,000 test images
_ROLES = {"images": ("an image file", IMAGES_MAGIC), "labels": ("a label file", LABELS_MAGIC)}


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _unreadable(path: Path, exc: BaseException) -> MnistError:
    """A message for a file that cannot be read, saying why and what to do."""
    if isinstance(exc, PermissionError):
        why = ("cannot be read: permission denied. Check the file's permissions "
               "(ls -l) or run as a user who may read it.")
    elif isinstance(exc, IsADirectoryError):
        why = "is a folder, not an MNIST file."
    elif isinstance(exc, gzip.BadGzipFile):
        why = ("cannot be read: its name ends in .gz but it is not gzip-compressed. "
               "Fetch it again, or remove .gz from its name if it is an uncompressed "
               "IDX file.")
    elif isinstance(exc, EOFError):
        why = ("cannot be read: its compressed data ends early (the file is cut short, "
               "an incomplete download?). Delete it and fetch it again.")
    elif isinstance(exc, zlib.error):
        why = "cannot be read: its compressed data is damaged. Delete it and fetch it again."
    else:
        why = f"cannot be read ({getattr(exc, 'strerror', None) or exc})."
    return MnistError(f"{path} {why}")


def read_idx(path, kind: Optional[str] = None) -> np.ndarray:
    """The array in one IDX file: (n, 28, 28) uint8 images or (n,) uint8 labels.

    ``kind`` ("images" or "labels") is the role the file plays: a label file where the
    images belong (and the other way round) is refused, naming both. Checks the magic
    number, the dimensions, that there are 1 to ``MAX_ITEMS`` items, and that the length
    matches the header; a gzipped file is decompressed only as far as the header says
    (a small file that would expand to gigabytes is refused at once). Every problem
    raises ``MnistError`` naming the file.
    """
    path = Path(path)
    try:
        with _open(path) as f:
            head = f.read(8)
            if len(head) < 8:
                raise MnistError(f"{path}: only {len(head)} bytes, too short for an IDX "
                                 f"header; it is not an MNIST file.")
            magic, count = struct.unpack(">II", head)
            _check_role(path, magic, kind)
            if magic == IMAGES_MAGIC:
                dims = f.read(8)
                if len(dims) < 8:
                    raise MnistError(f"{path}: the image header is cut short.")
                rows, cols = struct.unpack(">II", dims)
                if (rows, cols) != (28, 28):
                    raise MnistError(f"{path}: images are {rows}x{cols}, MNIST's are 28x28")
                shape, header = (count, rows, cols), 16
            else:
                shape, header = (count,), 8
            what = "images" if magic == IMAGES_MAGIC else "labels"
            if count == 0:
                raise MnistError(f"{path}: its header says it holds no {what} (a count of 0); "
                                 f"it is not a usable MNIST file.")
            if count > MAX_ITEMS:
                raise MnistError(f"{path}: its header announces {count:,} {what}, more than "
                                 f"{MAX_ITEMS:,}; it is damaged or not an MNIST file.")
            expected = int(np.prod(shape))
            body = f.read(expected + 1)     # never more than the header announces, plus 1
    except MnistError:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise _unreadable(path, exc) from None
    if len(body) != expected:
        size = f"{header + len(body):,}" if len(body) < expected else "more"
        raise MnistError(f"{path}: the header announces {count} {what} ({header + expected:,} "
                         f"bytes) but the file holds {size} bytes: it is truncated or "
                         f"damaged. Delete it and fetch it again.")
    array = np.frombuffer(body, dtype=np.uint8).reshape(shape)
    if magic == LABELS_MAGIC and array.max() > 9:
        raise MnistError(f"{path}: holds label {int(array.max())}; MNIST labels are 0 to 9")
    return array


def _check_role(path: Path, magic: int, kind: Optional[str]) -> None:
    if magic not in (IMAGES_MAGIC, LABELS_MAGIC):
        raise MnistError(f"{path}: magic number 0x{magic:08x} is not an MNIST image file "
                         f"(0x{IMAGES_MAGIC:08x}) nor a label file (0x{LABELS_MAGIC:08x}); "
                         f"it is not an MNIST file.")
    if kind is None:
        return
    want_name, want_magic = _ROLES[kind]
    if magic != want_magic:
        is_name = _ROLES["labels" if kind == "images" else "images"][0]
        raise MnistError(f"{path} is {is_name} (magic number 0x{magic:08x}), but it is where "
                         f"{want_name} belongs (magic number 0x{want_magic:08x}): are the "
                         f"image and label files swapped or misnamed?")


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
    arrays = {key: read_idx(path, kind=key.split("_")[1]) for key, path in files.items()}
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
            raise MnistError(_missing_message(Path(env), "MNIST_DIR names a folder,",
                                             after=", which"))
        return Path(env), "MNIST_DIR"
    cache = Path(cache) if cache is not None else cache_dir()
    if find_files(cache) is not None:
        return cache, "cache"
    if not download:
        raise MnistError(_missing_message(cache, "The cache folder"))
    fetch(cache, mirrors=mirrors, hashes=hashes, progressbar=progressbar)
    return cache, "download"


def _missing_message(folder: Path, who: str, after: str = "") -> str:
    if folder.is_file():
        return (f"{who} {folder}{after} is a file, not a folder: name the folder that holds "
                f"the four MNIST files.")
    if folder.is_dir() and not os.access(folder, os.R_OK | os.X_OK):
        return (f"{who} {folder}{after} cannot be opened: permission denied. Check the "
                f"folder's permissions (ls -ld) or copy the MNIST files somewhere readable.")
    return (f"{who} {folder}{after} does not hold MNIST. Put the four files "
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
class _CappedDownloader:
    """pooch's downloader protocol, streaming at most ``max_bytes`` per file.

    A broken mirror that sends an endless body (or announces more than the file can
    hold) is stopped at once; the bytes counted are those written, after any
    Content-Encoding is undone, so a compressed bomb is stopped too.
    """

    chunk_size = 1 << 16

    def __init__(self, max_bytes: Dict[str, int], progressbar=True, timeout: float = 30.0):
        self.max_bytes = max_bytes
        self.progressbar = progressbar
        self.timeout = timeout

    def __call__(self, url: str, output_file: str, pooch_obj=None) -> None:
        import requests

        name = url.rsplit("/", 1)[-1]
        limit = self.max_bytes.get(name, MAX_DOWNLOAD_BYTES)
        with requests.get(url, timeout=self.timeout, stream=True) as response:
            response.raise_for_status()
            try:
                total = int(response.headers.get("content-length") or 0)
            except ValueError:
                total = 0
            if total > limit:
                raise _TooLarge(f"announced {total:,} bytes, but the file has {limit:,} bytes")
            progress = None
            if self.progressbar is True:
                from tqdm import tqdm
                progress = tqdm(total=total or limit, unit="B", unit_scale=True, ncols=79,
                                leave=True, desc=name)
            elif self.progressbar:
                progress = self.progressbar
                progress.total = total or limit
            done = 0
            try:
                with open(output_file, "wb") as out:
                    for chunk in response.iter_content(chunk_size=self.chunk_size):
                        if not chunk:
                            continue
                        done += len(chunk)
                        if done > limit:
                            raise _TooLarge(f"sent more than the {limit:,} bytes the file has; "
                                            f"the download was stopped there")
                        out.write(chunk)
                        if progress is not None:
                            progress.update(len(chunk))
            finally:
                if progress is not None and self.progressbar is True:
                    progress.close()
            if progress is not None and self.progressbar is not True:
                progress.close()


def fetch(dest, mirrors: Sequence[str] = MIRRORS, hashes: Dict[str, str] = PUBLISHED_SHA256,
          progressbar=True, timeout: float = 30.0,
          sizes: Optional[Dict[str, int]] = None) -> Path:
    """Download the four gzipped files into ``dest``, checking each file's SHA-256.

    Each mirror is tried in turn. ``progressbar`` is True for a text bar on standard
    error, False for none, or an object with ``total``, ``update(n)`` and ``close()``
    (a GUI's bar; raising ``DownloadCancelled`` from ``update`` cancels, and the
    exception comes out of ``fetch``). ``sizes`` gives each file's size in bytes
    (``PUBLISHED_BYTES`` by default; ``MAX_DOWNLOAD_BYTES`` for a name not listed): a
    server that sends more is cut off there. Nothing half-written stays in ``dest``:
    pooch writes to a temporary file and moves it into place only once the hash
    matches, and a cancel, Ctrl+C or failure removes that temporary file.
    """
    import pooch
    import requests

    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MnistError(f"Cannot create the MNIST cache folder {dest}: {exc}") from None
    downloader = _CappedDownloader(dict(PUBLISHED_BYTES if sizes is None else sizes),
                                   progressbar=progressbar, timeout=timeout)
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
            except BaseException as exc:
                if not isinstance(exc, Exception) or isinstance(exc, DownloadCancelled):
                    remove_partial_downloads(dest)          # Ctrl+C, or the user cancelled
                    raise
                if isinstance(exc, _TooLarge):
                    errors.append(f"{url}: the server {exc} (a broken mirror?)")
                elif isinstance(exc, ValueError):       # pooch: the hash did not match
                    errors.append(f"{url}: the file arrived damaged (its SHA-256 does not "
                                  f"match the published one) [{str(exc).splitlines()[0]}]")
                elif isinstance(exc, requests.exceptions.RequestException):
                    errors.append(f"{url}: {_short(exc)}")
                elif isinstance(exc, OSError):
                    errors.append(f"{url}: {exc}")
                else:
                    remove_partial_downloads(dest)
                    raise
        else:
            remove_partial_downloads(dest)
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


def remove_partial_downloads(dest) -> None:
    """Remove temporary files a cancelled or failed download may have left in ``dest``
    (pooch's ``tmp*``). The one helper for this: the GUI's download dialog uses it too."""
    for tmp in Path(dest).glob("tmp*"):
        try:
            tmp.unlink()
        except OSError:
            pass

