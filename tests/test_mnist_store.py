"""The session's one MNIST store: read once, off the window's thread, shared by panels."""

from __future__ import annotations

import threading

from mnist_files import write_mnist_folder


def test_the_pad_and_training_share_one_read_made_off_the_gui_thread(qtbot, tmp_path,
                                                                      monkeypatch):
    from explorer.drawing.panel import DrawingPanel
    from explorer.session import Session
    from explorer.training.panel import TrainingPanel

    monkeypatch.delenv("MNIST_DIR", raising=False)
    folder = write_mnist_folder(tmp_path / "m", n_train=40, n_test=12)
    session = Session(data_dir=str(folder))
    readers = []
    original = session.mnist.cache._reader
    session.mnist.cache._reader = lambda f: (readers.append(threading.current_thread()),
                                             original(f))[1]
    pad = DrawingPanel(session)
    training = TrainingPanel(session)
    qtbot.addWidget(pad)
    qtbot.addWidget(training)
    with qtbot.waitSignal(session.mnist.ready, timeout=10000):
        pad.random_button.click()
    qtbot.waitUntil(lambda: pad.canvas.picture_kind == "mnist", timeout=5000)
    assert readers and readers[0] is not threading.main_thread()
    data = training.data_loader(str(folder), "full")      # what the training worker calls
    assert data.test.images is pad.model.test_set.images
    assert session.mnist.cache.reads == 1


def test_a_failed_read_reaches_the_window_as_a_message(qtbot, tmp_path, monkeypatch):
    from explorer.session import Session

    monkeypatch.delenv("MNIST_DIR", raising=False)
    session = Session(data_dir=str(tmp_path))
    with qtbot.waitSignal(session.mnist.failed, timeout=10000) as blocker:
        session.mnist.request()
    assert "does not hold" in blocker.args[0] or "MNIST" in blocker.args[0]
    assert session.mnist.data is None


def test_mnist_read_by_a_training_run_reaches_every_panel(qtbot, tmp_path, monkeypatch):
    """The training worker reads MNIST with the store's blocking load(); the panels that
    wait for the store's ready signal (Inside, Real network) must get it too."""
    from explorer.session import Session

    monkeypatch.delenv("MNIST_DIR", raising=False)
    folder = write_mnist_folder(tmp_path / "m", n_train=40, n_test=12)
    session = Session(data_dir=str(folder))
    got = []
    session.mnist.ready.connect(got.append)
    worker = threading.Thread(target=session.mnist.load, args=(str(folder), "book"))
    worker.start()
    worker.join(30)
    qtbot.waitUntil(lambda: len(got) == 1, timeout=5000)
    assert len(got[0].test) == 12 and got[0].validation is None       # the full data
    session.mnist.load(str(folder), "full")                            # read once: no repeat
    qtbot.wait(50)
    assert len(got) == 1
