"""The "MNIST is missing" dialog: download from a local HTTP server (progress, cancel,
failure message) or choose a folder."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from engine import mnist
from explorer.mnist_dialog import MnistDialog


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict = {}
    delay = 0.0          # seconds between chunks (to test cancelling)

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        body = self.files.get(name)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step = 4096
        try:
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                self.wfile.flush()
                if self.delay:
                    time.sleep(self.delay)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    files = {}
    for name in mnist.PUBLISHED_SHA256:
        files[name] = gzip.compress(name.encode() * 2000, mtime=0)   # ~50 KB each
    handler = type("H", (_Handler,), {"files": files, "delay": 0.0})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    hashes = {n: hashlib.sha256(b).hexdigest() for n, b in files.items()}
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", hashes, handler
    httpd.shutdown()
    httpd.server_close()


def make_dialog(qtbot, tmp_path, url, hashes):
    dlg = MnistDialog("The cache folder does not hold MNIST.", dest=tmp_path / "cache",
                      mirrors=(url,), hashes=hashes)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_download_shows_progress_and_accepts(qtbot, tmp_path, server):
    url, hashes, _ = server
    dlg = make_dialog(qtbot, tmp_path, url, hashes)
    from PySide6.QtWidgets import QLabel
    texts = " ".join(label.text() for label in dlg.findChildren(QLabel))
    assert "does not hold MNIST" in texts and str(tmp_path / "cache") in texts
    values = []
    dlg.bar.valueChanged.connect(values.append)
    with qtbot.waitSignal(dlg.accepted, timeout=20000):
        qtbot.mouseClick(dlg.download_button, Qt.LeftButton)
    assert dlg.origin == "download" and dlg.folder == tmp_path / "cache"
    for name in hashes:
        assert (tmp_path / "cache" / name).is_file()
    assert values and values[-1] == 1000 and values == sorted(values)
    assert not list((tmp_path / "cache").glob("tmp*"))


def test_download_failure_says_what_to_do(qtbot, tmp_path, server):
    url, hashes, _ = server
    bad = dict(hashes)
    first = next(iter(bad))
    bad[first] = "0" * 64                      # the file arrives "damaged"
    dlg = make_dialog(qtbot, tmp_path, url, bad)
    qtbot.mouseClick(dlg.download_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dlg.worker is None, timeout=20000)
    text = dlg.status.text()
    assert "Could not download" in text and "damaged" in text and "offline" in text
    assert dlg.isVisible() and dlg.download_button.text() == "Try Again"
    assert dlg.download_button.isEnabled() and dlg.folder_button.isEnabled()
    assert not (tmp_path / "cache" / first).exists()

    # Nothing listening: a clear "could not connect".
    dlg2 = MnistDialog("missing", dest=tmp_path / "c2", mirrors=("http://127.0.0.1:9/",),
                       hashes=hashes)
    qtbot.addWidget(dlg2)
    dlg2.show()
    qtbot.mouseClick(dlg2.download_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dlg2.worker is None, timeout=20000)
    assert "could not connect" in dlg2.status.text()


def test_cancel_stops_the_download(qtbot, tmp_path, server):
    url, hashes, handler = server
    handler.files = {n: os.urandom(1 << 20) for n in handler.files}     # 1 MB each, slowly
    handler.delay = 0.01
    hashes = {n: hashlib.sha256(b).hexdigest() for n, b in handler.files.items()}
    dlg = make_dialog(qtbot, tmp_path, url, hashes)
    qtbot.mouseClick(dlg.download_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Downloading file 1" in dlg.status.text(), timeout=10000)
    worker = dlg.worker
    qtbot.mouseClick(dlg.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dlg.worker is None, timeout=10000)
    assert not _valid(worker) or worker.isFinished()
    assert "cancelled" in dlg.status.text()
    assert dlg.isVisible() and dlg.result() == 0
    cache = tmp_path / "cache"
    # Nothing half-written stays (a file is only kept once complete and checked).
    assert not any(cache.glob("tmp*")) and len(list(cache.glob("*.gz"))) < 4
    # Cancel again (nothing running) closes the dialog.
    with qtbot.waitSignal(dlg.rejected, timeout=5000):
        qtbot.mouseClick(dlg.cancel_button, Qt.LeftButton)


def _valid(obj) -> bool:
    from shiboken6 import Shiboken
    return Shiboken.isValid(obj)


def test_choose_folder(qtbot, tmp_path, monkeypatch, server):
    url, hashes, _ = server
    dlg = make_dialog(qtbot, tmp_path, url, hashes)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    qtbot.mouseClick(dlg.folder_button, Qt.LeftButton)
    assert dlg.isVisible() and "does not hold the four MNIST files" in dlg.status.text()
    folder = tmp_path / "m"
    folder.mkdir()
    for stem in mnist.FILES.values():
        (folder / stem).write_bytes(b"")      # find_files only looks for the names
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    with qtbot.waitSignal(dlg.accepted, timeout=5000):
        qtbot.mouseClick(dlg.folder_button, Qt.LeftButton)
    assert dlg.folder == folder and dlg.origin == "folder"


def test_closing_mid_download_cancels_and_waits(qtbot, tmp_path, server):
    """Closing the dialog (or the window, through shutdown) while a download runs cancels
    it and leaves no thread running."""
    url, hashes, handler = server
    handler.files = {n: os.urandom(1 << 20) for n in handler.files}
    handler.delay = 0.01
    hashes = {n: hashlib.sha256(b).hexdigest() for n, b in handler.files.items()}
    dlg = make_dialog(qtbot, tmp_path, url, hashes)
    qtbot.mouseClick(dlg.download_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Downloading file 1" in dlg.status.text(), timeout=10000)
    with qtbot.waitSignal(dlg.rejected, timeout=10000):
        dlg.reject()                         # the title bar's close button
        assert dlg.isVisible()               # ...which first cancels the download
    assert dlg.worker is None and dlg.folder is None

    dlg2 = make_dialog(qtbot, tmp_path / "two", url, hashes)
    qtbot.mouseClick(dlg2.download_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Downloading file 1" in dlg2.status.text(), timeout=10000)
    worker = dlg2.worker
    dlg2.shutdown()                          # the main window is closing
    assert worker.isFinished()
    assert not list((tmp_path / "two" / "cache").glob("tmp*"))


def test_the_missing_mnist_sentence_reads_as_english_and_names_show_as_written(
        qtbot, tmp_path, monkeypatch):
    """Issue 11 item 11 and issue 10 item 11: the engine's sentence in the dialog reads
    as English, and a folder name with HTML in it is shown as it is written."""
    from PySide6.QtWidgets import QLabel

    html = "<h1>BIG</h1><img src=x>".replace("/", "|")
    folder = tmp_path / html
    folder.mkdir()
    monkeypatch.setenv("MNIST_DIR", str(folder))
    with pytest.raises(mnist.MnistError) as err:
        mnist.locate(None, download=False)
    message = str(err.value)
    assert message.startswith(f"MNIST_DIR names a folder, {folder}, which does not hold MNIST.")
    dlg = MnistDialog(message, dest=tmp_path / "cache")
    qtbot.addWidget(dlg)
    intro = dlg.findChild(QLabel, "mnist-intro")
    assert intro.textFormat() == Qt.PlainText
    assert intro.text().startswith("Training needs the MNIST handwritten digits")
    assert f"MNIST_DIR names a folder, {folder}, which" in intro.text()
    assert not dlg.use_folder(str(folder))
    assert dlg.status.textFormat() == Qt.PlainText
    assert dlg.status.text().startswith(f"{folder} does not hold the four MNIST files")
