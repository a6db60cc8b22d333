"""Reading, finding and downloading MNIST, on small IDX files the tests write and a
local HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import socket
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from mnist_files import idx_images, idx_labels, write_mnist_folder
from unprivileged import printed_unprivileged

from engine import mnist


# ---------------------------------------------------------------------- reading
@pytest.mark.parametrize("gz", [True, False])
def test_reads_gzipped_and_plain_files(tmp_path, gz):
    write_mnist_folder(tmp_path, n_train=12, n_test=5, gz=gz)
    train, validation, test = mnist.read_folder(tmp_path, split="full")
    assert train.images.shape == (12, 784) and train.images.dtype == np.float32
    assert 0.0 <= train.images.min() and train.images.max() == 1.0
    assert train.labels.dtype == np.uint8 and len(test) == 5 and validation is None


def test_the_books_split_keeps_the_last_training_images_for_validation(tmp_path, monkeypatch):
    write_mnist_folder(tmp_path, n_train=12)
    monkeypatch.setattr(mnist, "BOOK_TRAINING", 8)
    train, validation, _ = mnist.read_folder(tmp_path, split="book")
    full, _, _ = mnist.read_folder(tmp_path, split="full")
    assert len(train) == 8 and len(validation) == 4
    np.testing.assert_array_equal(validation.labels, full.labels[8:])
    assert len(train.subset(3)) == 3 and train.subset(None) is train


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data, words", [
    (b"\x00\x00", "too short"),
    (idx_labels(np.arange(5))[:-2], "truncated"),
    (idx_labels(np.arange(5)) + b"\x00", "truncated"),
    (b"\x00\x00\x08\x04" + bytes(20), "magic number"),
    (idx_labels(np.array([1, 2, 12])), "label 12"),
    (idx_images(np.zeros((2, 14, 14), np.uint8)), "14x14"),
    (idx_images(np.zeros((2, 28, 28), np.uint8))[:14], "cut short"),
])
def test_bad_files_are_named_with_what_is_wrong(tmp_path, data, words):
    path = _write(tmp_path / "train-labels-idx1-ubyte", data)
    with pytest.raises(mnist.MnistError) as info:
        mnist.read_idx(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_a_damaged_gzip_file_is_named(tmp_path):
    good = gzip.compress(idx_labels(np.arange(9)))
    path = _write(tmp_path / "t10k-labels-idx1-ubyte.gz", good[:len(good) // 2])
    with pytest.raises(mnist.MnistError, match="t10k-labels-idx1-ubyte.gz.*cut short"):
        mnist.read_idx(path)
    path = _write(tmp_path / "t10k-labels-idx1-ubyte.gz", b"this is not gzip at all")
    with pytest.raises(mnist.MnistError, match="cannot be read: .*not gzip-compressed"):
        mnist.read_idx(path)
    bad = bytearray(gzip.compress(idx_labels(np.arange(9) % 10)))
    bad[12:16] = b"\xff\xff\xff\xff"                  # damaged deflate data
    path = _write(tmp_path / "t10k-labels-idx1-ubyte.gz", bytes(bad))
    with pytest.raises(mnist.MnistError, match="t10k-labels-idx1-ubyte.gz cannot be read"):
        mnist.read_idx(path)


def test_a_file_without_read_permission_says_so():
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp())          # /tmp itself: pytest's folders are 0700
    folder.chmod(0o755)
    try:
        _check_unreadable(folder)
    finally:
        shutil.rmtree(folder)


def _check_unreadable(folder):
    path = _write(folder / "t10k-labels-idx1-ubyte", idx_labels(np.arange(9)))
    path.chmod(0)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from engine import mnist\n"
            "try:\n    mnist.read_idx(sys.argv[2])\n"
            "except mnist.MnistError as exc:\n    print(exc)\n")
    message = printed_unprivileged(code, str(path))
    assert str(path) in message and "permission denied" in message
    assert "Delete it" not in message and "damaged" not in message


def test_a_folder_where_a_file_belongs(tmp_path):
    with pytest.raises(mnist.MnistError, match="is a folder"):
        mnist.read_idx(tmp_path)


@pytest.mark.parametrize("data", [idx_labels(np.arange(0)),
                                  idx_images(np.zeros((0, 28, 28), np.uint8))])
def test_a_count_of_zero_is_refused_with_the_file_named(tmp_path, data):
    path = _write(tmp_path / "train-images-idx3-ubyte", data)
    with pytest.raises(mnist.MnistError, match="holds no .*count of 0") as info:
        mnist.read_idx(path)
    assert str(path) in str(info.value)


def test_a_zero_count_folder_is_an_mnist_error_not_a_reshape_error(tmp_path):
    write_mnist_folder(tmp_path, n_train=12)
    _write(tmp_path / "train-images-idx3-ubyte.gz",
           gzip.compress(idx_images(np.zeros((0, 28, 28), np.uint8))))
    _write(tmp_path / "train-labels-idx1-ubyte.gz", gzip.compress(idx_labels(np.arange(0))))
    with pytest.raises(mnist.MnistError, match="train-images-idx3-ubyte.gz.*count of 0"):
        mnist.read_folder(tmp_path)


def test_swapped_image_and_label_files_are_named_by_role(tmp_path):
    write_mnist_folder(tmp_path, n_train=12)
    images, labels = tmp_path / "t10k-images-idx3-ubyte.gz", tmp_path / "t10k-labels-idx1-ubyte.gz"
    a, b = images.read_bytes(), labels.read_bytes()
    images.write_bytes(b)
    labels.write_bytes(a)
    with pytest.raises(mnist.MnistError) as info:
        mnist.read_folder(tmp_path)
    message = str(info.value)
    assert str(images) in message and "is a label file" in message
    assert "where an image file belongs" in message and "swapped" in message
    with pytest.raises(mnist.MnistError, match="is an image file .* where a label file belongs"):
        mnist.read_idx(labels, kind="labels")


def test_a_small_gzip_that_would_expand_to_gigabytes_is_refused_early(tmp_path):
    import time

    # a header announcing 60,000 labels, then 3 GiB of zeros (gzip members may follow
    # one another), about 3 MB on disk
    zeros = gzip.compress(bytes(64 << 20), compresslevel=9)
    parts = [gzip.compress(idx_labels(np.zeros(60_000, np.uint8)))] + [zeros] * 48
    path = _write(tmp_path / "train-labels-idx1-ubyte.gz", b"".join(parts))
    assert path.stat().st_size < 4 << 20
    t0 = time.perf_counter()
    with pytest.raises(mnist.MnistError, match="truncated or damaged"):
        mnist.read_idx(path, kind="labels")
    assert time.perf_counter() - t0 < 1.0      # it stopped reading past the header's size
    # a header announcing 10 million images is refused before any data is read
    head = struct.pack(">IIII", 0x803, 10_000_000, 28, 28)
    path = _write(tmp_path / "train-images-idx3-ubyte.gz", gzip.compress(head + bytes(1000)))
    with pytest.raises(mnist.MnistError, match="announces 10,000,000 images"):
        mnist.read_idx(path, kind="images")


def test_images_and_labels_must_agree_in_number(tmp_path):
    write_mnist_folder(tmp_path, n_train=12)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_labels(np.arange(10))))
    with pytest.raises(mnist.MnistError, match="12 images but .* 10 labels"):
        mnist.read_folder(tmp_path)


# ---------------------------------------------------------------------- finding
def test_where_mnist_is_looked_for_in_order(tmp_path, monkeypatch):
    named = write_mnist_folder(tmp_path / "named")
    env = write_mnist_folder(tmp_path / "env")
    cache = write_mnist_folder(tmp_path / "cache")
    monkeypatch.setenv("MNIST_DIR", str(env))
    assert mnist.locate(named, cache=cache, download=False) == (named, "folder")
    assert mnist.locate(None, cache=cache, download=False) == (env, "MNIST_DIR")
    monkeypatch.delenv("MNIST_DIR")
    assert mnist.locate(None, cache=cache, download=False) == (cache, "cache")
    data = mnist.load_data(None, cache=cache, download=False)
    assert data.origin == "cache" and "the cache" in data.describe()


def test_a_named_folder_without_mnist_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(write_mnist_folder(tmp_path / "env")))
    with pytest.raises(mnist.MnistError, match="The folder you named .*empty.* does not hold MNIST"):
        mnist.locate(tmp_path / "empty")
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(mnist.MnistError, match="MNIST_DIR names a folder"):
        mnist.locate(None)


def test_without_download_a_missing_cache_says_where_to_put_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    with pytest.raises(mnist.MnistError, match="Put the four files"):
        mnist.locate(None, cache=tmp_path / "cache", download=False)


def test_the_default_cache_is_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert mnist.cache_dir() == tmp_path / "gd-explorer" / "mnist"


# ---------------------------------------------------------------------- downloading
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving tmp_path/www; yields (url, folder)."""
    www = write_mnist_folder(tmp_path / "www", n_train=12, n_test=5)
    handler = functools.partial(_QuietHandler, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", www
    finally:
        httpd.shutdown()
        httpd.server_close()


def _hashes(folder: Path):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.gz"))}


def _refused_url() -> str:
    with socket.socket() as s:          # a port that was free a moment ago: nobody listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_download_fetches_checks_and_caches(server, tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    url, www = server
    cache = tmp_path / "cache"
    data = mnist.load_data(None, cache=cache, mirrors=[url], hashes=_hashes(www),
                           progressbar=False)
    assert data.origin == "download" and len(data.test) == 5
    assert sorted(p.name for p in cache.iterdir()) == sorted(_hashes(www))
    again = mnist.load_data(None, cache=cache, mirrors=[_refused_url()], hashes=_hashes(www))
    assert again.origin == "cache"


def test_a_refused_mirror_falls_back_to_the_next(server, tmp_path):
    url, www = server
    dest = mnist.fetch(tmp_path / "cache", mirrors=[_refused_url(), url], hashes=_hashes(www),
                       progressbar=False)
    assert len(list(dest.glob("*.gz"))) == 4


def test_a_corrupted_download_leaves_nothing_and_says_so(server, tmp_path):
    url, www = server
    hashes = _hashes(www)
    path = www / "t10k-images-idx3-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF                       # one flipped byte on the server
    path.write_bytes(bytes(data))
    cache = tmp_path / "cache"
    with pytest.raises(mnist.MnistError) as info:
        mnist.fetch(cache, mirrors=[url], hashes=hashes, progressbar=False)
    assert "t10k-images-idx3-ubyte.gz" in str(info.value) and "damaged" in str(info.value)
    assert not (cache / "t10k-images-idx3-ubyte.gz").exists()
    assert not list(cache.glob("tmp*"))


def test_an_offline_machine_is_told_where_to_put_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    cache = tmp_path / "cache"
    with pytest.raises(mnist.MnistError) as info:
        mnist.load_data(None, cache=cache, mirrors=[_refused_url()], progressbar=False)
    message = str(info.value)
    assert "could not connect" in message and "copy the four MNIST files" in message
    assert str(cache) in message and "MNIST_DIR" in message
    assert list(cache.iterdir()) == []


def test_a_progress_bar_sees_the_bytes_and_can_cancel(server, tmp_path):
    url, www = server

    class Bar:
        def __init__(self, cancel_after=None):
            self.total, self.seen, self.cancel_after = None, 0, cancel_after

        def update(self, n):
            self.seen += n
            if self.cancel_after is not None and self.seen >= self.cancel_after:
                raise mnist.DownloadCancelled("cancelled by the user")

        def reset(self):
            pass

        def close(self):
            pass

    bar = Bar()
    mnist.fetch(tmp_path / "a", mirrors=[url], hashes=_hashes(www), progressbar=bar)
    assert bar.seen > 0
    cache = tmp_path / "b"
    with pytest.raises(mnist.DownloadCancelled):
        mnist.fetch(cache, mirrors=[url], hashes=_hashes(www), progressbar=Bar(cancel_after=1))
    assert list(cache.iterdir()) == []


# ---------------------------------------------------------------------- the real thing
@pytest.mark.mnist
def test_the_real_mnist_folder(mnist_dir):
    train, validation, test = mnist.read_folder(mnist_dir, split="book")
    assert (len(train), len(validation), len(test)) == (50_000, 10_000, 10_000)
    full, none, _ = mnist.read_folder(mnist_dir, split="full")
    assert len(full) == 60_000 and none is None
    assert np.bincount(test.labels).tolist()[:3] == [980, 1135, 1032]
    assert test.labels[:5].tolist() == [7, 2, 1, 0, 4]


# ---------------------------------------------------------------------- a broken mirror
class _EndlessHandler(http.server.BaseHTTPRequestHandler):
    """Serves every file as a body without end (at most 256 MiB or 20 s, so the test
    server always stops by itself); records how much it sent."""

    sent = {}

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if self.path.endswith("announced"):
            self.send_header("Content-Length", str(1 << 40))
        self.end_headers()
        chunk = bytes(1 << 16)
        t0 = time.monotonic()
        total = 0
        try:
            while total < 256 << 20 and time.monotonic() - t0 < 20:
                self.wfile.write(chunk)
                total += len(chunk)
        except OSError:
            pass
        finally:
            _EndlessHandler.sent[self.path] = total

    def log_message(self, *args):
        pass


@pytest.fixture
def endless_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EndlessHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("name", ["t10k-labels-idx1-ubyte.gz", "announced"])
def test_a_download_stops_at_the_expected_size(endless_server, tmp_path, name):
    cache = tmp_path / "cache"
    t0 = time.monotonic()
    with pytest.raises(mnist.MnistError) as info:
        mnist.fetch(cache, mirrors=[endless_server], hashes={name: "0" * 64},
                    progressbar=False, sizes={name: 4542})
    assert time.monotonic() - t0 < 10
    message = str(info.value)
    assert "4,542 bytes" in message and "broken mirror" in message, message
    assert list(cache.iterdir()) == []                 # nothing kept, not even a tmp file
    time.sleep(0.2)
    assert _EndlessHandler.sent.get("/" + name, 0) < 64 << 20


def test_the_published_sizes_cap_the_real_files(endless_server, tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    with pytest.raises(mnist.MnistError, match="4,542 bytes"):
        mnist.fetch(tmp_path / "c", mirrors=[endless_server],
                    hashes={name: mnist.PUBLISHED_SHA256[name]}, progressbar=False)


def test_download_cancelled_is_the_engines_one_class():
    assert issubclass(mnist.DownloadCancelled, mnist.MnistError)
    assert callable(mnist.remove_partial_downloads)


def test_a_file_named_as_the_data_folder(tmp_path):
    path = _write(tmp_path / "mnist.gz", b"x")
    with pytest.raises(mnist.MnistError, match="mnist.gz is a file, not a folder"):
        mnist.locate(path, download=False)
