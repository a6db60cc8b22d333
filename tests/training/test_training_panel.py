"""The training panel, driven with real clicks and key presses, on a small synthetic set
(one test on the real MNIST)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from shiboken6 import Shiboken
from training_data import DATA, synthetic, write_idx_folder

from engine import model_io
from engine.mnist import MnistError
from engine.network import Network
from explorer.session import Session
from explorer.training.controls import PRESETS
from explorer.training.panel import TrainingPanel, reaper


def set_field(qtbot, panel, name, text, enter=False):
    w = panel.controls.fields[name]
    w.setFocus()
    w.selectAll()
    qtbot.keyClick(w, Qt.Key_Backspace)
    qtbot.keyClicks(w, text)
    if enter:
        qtbot.keyClick(w, Qt.Key_Return)


def answer_question(button, seen=None):
    """Press ``button`` (e.g. QMessageBox.Discard) of the next message box, once open."""
    def press():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        if seen is not None:
            seen.append(box.text())
        box.button(button).click()
    QTimer.singleShot(0, press)


def click(qtbot, button):
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.LeftButton)


def run_to_end(qtbot, panel, timeout=20000):
    with qtbot.waitSignal(panel.run_finished, timeout=timeout) as blocker:
        click(qtbot, panel.train_button)
    return blocker.args[0]


# ---------------------------------------------------------------------- running
def test_train_runs_in_worker_and_plots_receive_points(qtbot, panel):
    models = []
    panel.session.model_changed.connect(lambda net, label: models.append((net, label)))
    set_field(qtbot, panel, "epochs", "3")
    out = run_to_end(qtbot, panel)
    assert out.kind == "finished"
    assert panel.plots.batch_raw.raw_count == 3 * 100          # 1,000 images, m = 10
    x, y = panel.plots.raw_curve.getData()
    assert len(x) == 300 and np.all(np.isfinite(y))
    assert len(panel.plots.smooth_curve.getData()[0]) == 300
    assert list(panel.plots.test_acc_curve.getData()[0]) == [1, 2, 3]
    assert panel.plots.test_acc_curve.getData()[1][-1] > 90
    assert len(panel.plots.train_cost_curve.getData()[0]) == 3
    assert [h["epoch"] for h in panel.history] == [1, 2, 3]
    assert "Test accuracy" in panel.status.text()
    assert "/synthetic" in panel.data_label.text() and "1,000" in panel.data_label.text()
    # The drawing pad's menu got copies, the last one the trained network; its test
    # accuracy is below the shipped model's, so the pad kept the shipped model.
    entry = panel.session.models.get("training")
    assert entry.epoch == 3 and entry.accuracy == panel.history[-1]["test_accuracy"]
    assert "being trained: 784-30-10, epoch 3" == entry.label
    assert entry.net is not panel.network
    assert not np.shares_memory(entry.net.params[0], panel.network.params[0])
    np.testing.assert_array_equal(entry.net.params[0], panel.network.params[0])
    assert models == [] and panel.session.model_label == "shipped model"
    assert not panel.running and panel.train_button.isEnabled()

    # Train again: the same network continues, the plots go on from where they were.
    set_field(qtbot, panel, "epochs", "1")
    run_to_end(qtbot, panel)
    assert [h["epoch"] for h in panel.history] == [1, 2, 3, 4]
    assert panel.plots.batch_raw.raw_count == 400
    assert panel.plots.raw_curve.getData()[0][-1] == 4000


def test_status_line_while_running(qtbot, panel):
    set_field(qtbot, panel, "epochs", "100000")
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: "images/s" in panel.status.text(), timeout=10000)
    text = panel.status.text()
    assert "Epoch" in text and "left" in text and "η = 3" in text
    # Only eta and m can be edited during a run.
    assert panel.controls.fields["eta"].isEnabled() and panel.controls.fields["m"].isEnabled()
    assert not panel.controls.fields["sizes"].isEnabled()
    assert not panel.train_button.isEnabled() and not panel.load_button.isEnabled()
    # A fixed height while running: a status line of changing height would lay out the
    # plots again several times a second.
    assert panel.status.minimumHeight() == panel.status.maximumHeight()
    with qtbot.waitSignal(panel.run_finished, timeout=10000) as blocker:
        click(qtbot, panel.stop_button)
    assert blocker.args[0].kind == "stopped"


def test_pause_stops_progress_and_resume_continues(qtbot, panel):
    set_field(qtbot, panel, "epochs", "100000")
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: panel.plots.batch_raw.raw_count > 0, timeout=10000)
    click(qtbot, panel.pause_button)
    assert panel.pause_button.text() == "Resume"
    qtbot.waitUntil(lambda: panel.status.text().startswith("Paused"), timeout=5000)
    count = panel.plots.batch_raw.raw_count
    qtbot.wait(500)
    assert panel.plots.batch_raw.raw_count == count
    click(qtbot, panel.pause_button)            # Resume
    assert panel.pause_button.text() == "Pause"
    qtbot.waitUntil(lambda: panel.plots.batch_raw.raw_count > count + 100, timeout=5000)
    with qtbot.waitSignal(panel.run_finished, timeout=10000) as blocker:
        click(qtbot, panel.stop_button)
    assert blocker.args[0].kind == "stopped"
    assert not panel.running and not panel.pause_button.isEnabled()


def test_stop_ends_worker_and_twenty_cycles_leave_no_thread(qtbot, panel):
    set_field(qtbot, panel, "epochs", "100000")
    workers = []
    for i in range(20):
        click(qtbot, panel.train_button)
        workers.append(panel._worker)
        if i % 2:
            qtbot.waitUntil(lambda: panel.updates_received > 0, timeout=10000)
        with qtbot.waitSignal(panel.run_finished, timeout=10000) as blocker:
            click(qtbot, panel.stop_button)
        assert blocker.args[0].kind == "stopped"
        # Finished, or already finished and deleted by the reaper.
        assert panel._worker is None
        assert not Shiboken.isValid(workers[-1]) or workers[-1].isFinished()
    assert len(workers) == 20 and len(set(map(id, workers))) == 20
    assert all(not Shiboken.isValid(w) or w.isFinished() for w in workers)
    assert not reaper().running()
    qtbot.waitUntil(lambda: not reaper().workers, timeout=5000)   # all deleted


def test_closing_the_window_while_training_is_clean(qtbot, tmp_path, capfd):
    from explorer.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(Session(), settings)
    panel = window.panels["training"]
    panel.data_loader = lambda d, split: DATA
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentWidget(panel)
    set_field(qtbot, panel, "epochs", "100000")
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: panel.updates_received >= 3, timeout=10000)
    worker = panel._worker
    assert worker.isRunning()
    window.close()
    assert worker.isFinished()
    assert not reaper().running()
    qtbot.wait(100)
    err = capfd.readouterr().err
    assert "Destroyed while thread" not in err
    assert '"epochs": "100000"' in settings.value("panels/training")     # saved on close


def test_nan_run_is_reported(qtbot, panel):
    set_field(qtbot, panel, "eta", "100")
    set_field(qtbot, panel, "l2", "200")
    set_field(qtbot, panel, "epochs", "5")
    out = run_to_end(qtbot, panel)
    assert out.kind == "diverged"
    assert panel.message.isVisible()
    text = panel.message.text()
    assert "smaller eta" in text and "1 - eta*lambda/n" in text
    assert "diverged" in panel.status.text()
    assert panel.network is None               # the next run starts from a new network
    assert not panel.save_button.isEnabled()   # nothing sensible to save
    set_field(qtbot, panel, "l2", "0")
    set_field(qtbot, panel, "eta", "3")
    set_field(qtbot, panel, "epochs", "1")
    assert run_to_end(qtbot, panel).kind == "finished"


def test_change_eta_and_m_while_training_is_marked(qtbot, panel):
    set_field(qtbot, panel, "epochs", "100000")
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: panel.updates_received > 0, timeout=10000)
    set_field(qtbot, panel, "eta", "0.5", enter=True)
    qtbot.waitUntil(lambda: panel.plots.marker_count == 1, timeout=5000)
    qtbot.waitUntil(lambda: panel._last_batch.eta == 0.5, timeout=5000)
    set_field(qtbot, panel, "m", "50", enter=True)
    qtbot.waitUntil(lambda: panel._last_batch.mini_batch_size == 50, timeout=5000)
    assert panel.plots.marker_count == 2
    # Each marker says what changed, on the mini-batch plot; the epoch plots get the line.
    labels = [items[0].label.toPlainText() for items in panel.plots._markers]
    assert labels == ["η 3 → 0.5", "m 10 → 50"]
    first, second = panel.plots._markers
    assert first[0].value() < second[0].value()
    assert all(line.value() > 0 for line in first[1:])
    # Two markers close together put their labels at different heights.
    assert first[0].label.orthoPos != second[0].label.orthoPos
    # An invalid value typed during the run is refused, and not sent.
    set_field(qtbot, panel, "eta", "-1", enter=True)
    assert "eta" in panel.controls.message.text()
    qtbot.wait(300)
    assert panel._last_batch.eta == 0.5 and panel.plots.marker_count == 2
    with qtbot.waitSignal(panel.run_finished, timeout=10000):
        click(qtbot, panel.stop_button)


def test_thousand_epochs_keep_plots_bounded_and_updates_throttled(qtbot, panel):
    panel.data_loader = lambda d, split: synthetic(20, 20)
    set_field(qtbot, panel, "m", "20")
    set_field(qtbot, panel, "epochs", "1000")
    import time

    t0 = time.perf_counter()
    out = run_to_end(qtbot, panel, timeout=60000)
    seconds = time.perf_counter() - t0
    assert out.kind == "finished" and len(panel.history) == 1000
    from explorer.training.worker import FLUSH_INTERVAL

    assert panel.updates_received <= seconds / FLUSH_INTERVAL + 3
    p = panel.plots
    assert len(p.test_acc_curve.getData()[0]) == 1000
    # 5 million mini-batch costs keep the same memory and at most `capacity` points.
    before = p.batch_raw.nbytes()
    for i in range(50):
        p.add_batches(np.arange(i * 100_000, (i + 1) * 100_000, dtype=float),
                      np.ones(100_000), 5000)
    # And 10,000 more epochs: the epoch curves are decimated too.
    from engine.sgd import EpochResult

    p.add_epochs([EpochResult(e, 0.0, 0.0, 0, 9, 10, 0.1, 8, 10, 0.2)
                  for e in range(1001, 11001)])
    p.redraw_now()
    assert p.batch_raw.nbytes() == before and p.batch_raw.raw_count == 1000 + 5_000_000
    assert 0 < len(p.raw_curve.getData()[0]) <= p.batch_raw.capacity + 1
    assert p.raw_curve.getData()[0][-1] > 4_000_000          # the redraw really happened
    for curve, series in ((p.test_acc_curve, p.test_acc), (p.train_cost_curve, p.train_cost)):
        x = curve.getData()[0]
        assert 0 < len(x) <= series.capacity + 1 and x[-1] > 10_000
        assert series.raw_count == 11_000 and series.nbytes() == before


# ---------------------------------------------------------------------- settings
def test_invalid_values_are_refused_with_a_message(qtbot, panel):
    for name, bad, words in (("eta", "abc", "not a number"), ("eta", "0", "above 0"),
                             ("sizes", "785, 30, 10", "784"), ("sizes", "784, 30, 9", "10"),
                             ("sizes", "784 x 10", "whole numbers"), ("m", "0", "from 1"),
                             ("m", "50001", "50,000"), ("epochs", "1.5", "whole"),
                             ("l2", "-1", "0"), ("images", "70000", "50,000"),
                             ("seed", "-3", "from 0")):
        set_field(qtbot, panel, name, bad)
        assert words in panel.controls.message.text(), (name, bad, panel.controls.message.text())
        assert "d32f2f" in panel.controls.fields[name].styleSheet()
        assert not panel.train_button.isEnabled()
        panel.train()                                  # even if called, nothing runs
        assert not panel.running
        assert panel.controls.fields[name].toolTip() == panel.controls.errors()[name]
        set_field(qtbot, panel, name, PRESETS[0].values[name])
        assert panel.controls.message.text() == ""
        assert panel.controls.fields[name].toolTip() == panel.controls._tips[name]
        assert panel.train_button.isEnabled()
    # m above a smaller training set is refused; "full batch" sets m to it.
    set_field(qtbot, panel, "images", "500")
    set_field(qtbot, panel, "m", "600")
    assert "500" in panel.controls.message.text()
    click(qtbot, panel.controls.full_batch)
    assert panel.controls.text("m") == "500" and panel.train_button.isEnabled()


def test_presets_fill_the_fields(qtbot, panel):
    combo = panel.controls.preset
    for i, preset in enumerate(PRESETS):
        combo.setCurrentIndex(i)
        combo.activated.emit(i)
        for k, v in preset.values.items():
            assert panel.controls.text(k) == v
    strong = PRESETS[2].values
    assert (strong["sizes"], strong["cost"], strong["eta"], strong["l2"], strong["split"]) == \
        ("784, 100, 10", "cross-entropy", "0.5", "5.0", "full")
    set_field(qtbot, panel, "eta", "0.25")
    assert combo.currentText() == "Custom"


def test_the_shipped_preset_is_how_the_shipped_model_was_made():
    """The shipped model reaches >= 99% (test_model_io checks it on MNIST); its preset
    must be the recipe that made it, so that pressing Train gets there too."""
    from explorer.session import SHIPPED_MODEL

    net = model_io.load(SHIPPED_MODEL)
    info = model_io.info(net)
    v = PRESETS[3].values
    assert [int(x) for x in v["sizes"].split(",")] == net.sizes
    assert (float(v["eta"]), int(v["m"]), int(v["epochs"]), float(v["l2"]), int(v["seed"])) == \
        (info.eta, info.mini_batch_size, info.epochs_trained, info.l2, info.seed)
    assert (v["init"], v["split"]) == (net.init, info.split)
    assert (v["cost"], v["activation"]) == (net.cost_name, net.activation_name)
    assert v["images"] == "all" and info.train_size == 60_000
    assert v["augment"] == "elastic,thickness" and info.augment["kinds"] == [
        "elastic", "thickness"]
    assert info.test_accuracy >= 0.99


def test_state_round_trip_and_garbage(qtbot, panel, tmp_path):
    set_field(qtbot, panel, "sizes", "784, 20, 10")
    s = panel.settings_state()
    other = TrainingPanel(Session())
    qtbot.addWidget(other)
    assert other.apply_settings(s) == []
    assert other.controls.text("sizes") == "784, 20, 10"
    assert other.controls.preset.currentText() == "Custom"
    s.update(eta="banana", m="\xff\xfe", activation="tanh-ish", preset=["not", "a", "string"])
    third = TrainingPanel(Session())
    qtbot.addWidget(third)
    notes = third.apply_settings(s)            # no crash; bad values fall back, with a note
    assert any("eta" in n for n in notes)
    assert third.controls.text("eta") == "3.0" and third.controls.errors() == {}
    assert third.controls.text("activation") in ("sigmoid", "relu")
    assert third.train_button.isEnabled()


# ---------------------------------------------------------------------- files
def test_save_load_model_export_csv_and_png(qtbot, panel, tmp_path, monkeypatch):
    set_field(qtbot, panel, "epochs", "2")
    run_to_end(qtbot, panel)
    model = tmp_path / "m.npz"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(model), ""))
    click(qtbot, panel.save_button)
    net = model_io.load(model, expect_sizes=(784, 10))
    np.testing.assert_array_equal(net.params[0], panel.network.params[0])
    assert net.metadata["trained_epochs"] == 2

    csv_path = tmp_path / "metrics.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(csv_path), ""))
    click(qtbot, panel.csv_button)
    rows = list(csv.DictReader(open(csv_path)))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert float(rows[-1]["test_accuracy"]) == panel.history[-1]["test_accuracy"]
    assert 0.5 < float(rows[-1]["test_accuracy"]) <= 1 and rows[-1]["eta"] == "3.0"

    for name, button in panel.plots.save_buttons.items():
        png = tmp_path / f"{name}.png"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, p=png, **k: (str(p)[:-4], ""))
        click(qtbot, button)
        img = QImage(str(png))
        assert not img.isNull() and img.width() > 100, name

    click(qtbot, panel.plots.log_button)
    assert panel.plots.batch_plot.getPlotItem().ctrl.logYCheck.isChecked()
    click(qtbot, panel.plots.log_button)
    assert not panel.plots.batch_plot.getPlotItem().ctrl.logYCheck.isChecked()

    # Load: a fresh panel takes the network, its structure and hands it to the session.
    models = []
    panel.session.model_changed.connect(lambda n, label: models.append(label))
    set_field(qtbot, panel, "sizes", "784, 16, 10")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(model), ""))
    set_field(qtbot, panel, "eta", "0.01")
    click(qtbot, panel.load_button)
    assert panel.controls.text("sizes") == "784, 30, 10"
    assert panel.controls.text("eta") == "3.0"          # the settings it was trained with
    assert "η = 3.0" in panel.status.text()
    assert "file m.npz" in [e.label for e in panel.session.models.entries]
    np.testing.assert_array_equal(panel.network.params[1], net.params[1])
    assert panel.history == [] and panel.plots.batch_raw.raw_count == 0
    set_field(qtbot, panel, "epochs", "1")
    out = run_to_end(qtbot, panel)            # Train continues the loaded network
    assert out.kind == "finished" and panel.history[0]["test_accuracy"] > 0.5

    # A damaged file is refused with a message, the network stays.
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    answer_question(QMessageBox.Discard)        # the continued run is not saved: asked
    click(qtbot, panel.load_button)
    assert panel.message.isVisible() and "bad.npz" in panel.message.text()
    assert panel.network is not None
    # Writing into a missing folder is an error message too.
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "no" / "such" / "x.csv"), ""))
    click(qtbot, panel.csv_button)
    assert "Could not write" in panel.message.text()


def test_load_refuses_a_wrong_shape_model_and_tells_what_a_good_one_holds(
        qtbot, panel, tmp_path, monkeypatch):
    new = panel.network
    small = model_io.save(Network([100, 20, 5], seed=1), tmp_path / "small.npz")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(small), ""))
    click(qtbot, panel.load_button)
    text = panel.message.text()
    assert panel.message.isVisible() and "small.npz" in text
    assert "100-20-5" in text and "784 inputs and 10 outputs" in text
    assert panel.network is new and panel.controls.text("sizes") == "784, 30, 10"
    # A good file: its structure, and what its metadata says about it.
    good = model_io.save(Network([784, 20, 10], seed=2), tmp_path / "good.npz",
                         {"trained_epochs": 7, "test_accuracy": 0.9312})
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    click(qtbot, panel.load_button)
    assert panel.controls.text("sizes") == "784, 20, 10"
    assert "7 epochs, 93.12% test accuracy when saved" in panel.status.text()
    assert "good.npz" in panel.message.text()
    # In a narrow window that takes three lines or more, and none is cut off.
    panel.resize(950, 850)
    status = panel.status
    qtbot.waitUntil(lambda: status.width() < 560, timeout=3000)
    assert status.heightForWidth(status.width()) > 2 * status.fontMetrics().lineSpacing() + 8
    qtbot.waitUntil(lambda: status.height() >= status.heightForWidth(status.width()),
                    timeout=3000)


def test_empty_plots_show_neutral_axes_and_accuracy_keeps_a_readable_span(qtbot, panel):
    set_field(qtbot, panel, "eta", "1000")      # saturates: accuracy stuck near 10%
    set_field(qtbot, panel, "epochs", "2")
    out = run_to_end(qtbot, panel)
    assert out.kind == "finished"
    assert "New Network" in panel.message.text() and "smaller eta" in panel.message.text()
    qtbot.wait(400)
    lo, hi = panel.plots.acc_plot.getPlotItem().getViewBox().viewRange()[1]
    assert hi - lo >= 2.0
    answer_question(QMessageBox.Discard)
    click(qtbot, panel.new_button)
    qtbot.wait(200)
    for plot, top, (left, right) in ((panel.plots.acc_plot, 100, (0.5, 10.5)),
                                     (panel.plots.cost_plot, 1, (0.5, 10.5)),
                                     (panel.plots.batch_plot, 1, (0, 1))):
        (x0, x1), (y0, y1) = plot.getPlotItem().getViewBox().viewRange()
        assert x0 <= left and right <= x1 < 1.5 * right, plot.objectName()
        assert y0 <= 0 and top <= y1 < 1.5 * top, plot.objectName()


def test_file_actions_are_offered(panel):
    texts = [a.text() for a in panel.file_actions()]
    assert any("Save" in t for t in texts) and any("Load" in t for t in texts)
    assert any("CSV" in t for t in texts)


# ---------------------------------------------------------------------- missing MNIST
def test_missing_mnist_offers_a_folder_and_then_trains(qtbot, panel, tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    panel.data_loader = panel.session.mnist.load    # the real store: nothing is there yet
    set_field(qtbot, panel, "epochs", "1")
    panel.controls.set_text("split", "full")
    out = run_to_end(qtbot, panel)
    assert out.kind == "no-data"
    qtbot.waitUntil(lambda: panel.mnist_dialog is not None and panel.mnist_dialog.isVisible(),
                    timeout=5000)
    dlg = panel.mnist_dialog
    # A folder without MNIST is refused with a message; one with it starts training.
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(empty))
    click(qtbot, dlg.folder_button)
    assert dlg.isVisible() and "does not hold" in dlg.status.text()
    folder = write_idx_folder(tmp_path / "mnist", n_train=300, n_test=100)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    with qtbot.waitSignal(panel.run_finished, timeout=20000) as blocker:
        click(qtbot, dlg.folder_button)
    assert blocker.args[0].kind == "finished"
    assert panel.session.data_dir == str(folder)
    assert str(folder) in panel.data_label.text() and "300" in panel.data_label.text()


def test_download_is_used_even_when_a_named_folder_lacks_mnist(qtbot, panel, tmp_path,
                                                                monkeypatch):
    """--data (or MNIST_DIR) names an empty folder; the dialog downloads into the cache:
    the next run must read the download, not refuse the named folder again."""
    monkeypatch.delenv("MNIST_DIR", raising=False)
    panel.session.data_dir = str(tmp_path / "empty")
    panel.data_loader = panel.session.mnist.load
    set_field(qtbot, panel, "epochs", "1")
    panel.controls.set_text("split", "full")
    assert run_to_end(qtbot, panel).kind == "no-data"
    qtbot.waitUntil(lambda: panel.mnist_dialog is not None and panel.mnist_dialog.isVisible(),
                    timeout=5000)
    dlg = panel.mnist_dialog
    cache = write_idx_folder(tmp_path / "cache", n_train=300, n_test=100)
    with qtbot.waitSignal(panel.run_finished, timeout=20000) as blocker:
        dlg.folder, dlg.origin = cache, "download"      # what a finished download leaves
        dlg.accept()
    assert blocker.args[0].kind == "finished"
    assert panel.mnist_dialog is None
    assert str(cache) in panel.data_label.text()
    assert panel.session.data_dir == str(cache)


def test_missing_mnist_dialog_cancel_leaves_a_hint(qtbot, panel):
    def missing(d, s):
        raise MnistError("The cache folder /x does not hold MNIST.")

    panel.data_loader = missing
    run_to_end(qtbot, panel)
    qtbot.waitUntil(lambda: panel.mnist_dialog is not None and panel.mnist_dialog.isVisible(),
                    timeout=5000)
    click(qtbot, panel.mnist_dialog.cancel_button)
    qtbot.waitUntil(lambda: panel.mnist_dialog is None, timeout=5000)
    assert "needs MNIST" in panel.message.text()
    assert panel.train_button.isEnabled()


# ---------------------------------------------------------------------- real MNIST
@pytest.mark.mnist
def test_chapter_one_preset_one_epoch_on_real_mnist(qtbot, panel, mnist_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(mnist_dir))
    panel.data_loader = panel.session.mnist.load
    panel.controls.apply_preset(0)
    set_field(qtbot, panel, "epochs", "1")
    assert panel.controls.values()["images"] is None        # the full training set
    out = run_to_end(qtbot, panel, timeout=120000)
    assert out.kind == "finished"
    assert "50,000 training images" in panel.data_label.text()
    acc = panel.history[-1]["test_accuracy"]
    assert acc >= 0.90, acc
    assert panel.plots.batch_raw.raw_count == 5000


def test_loading_the_shipped_model_brings_its_training_settings(qtbot, panel):
    """A model saved by ``train --save`` keeps eta, m and L2 in its metadata; Train after
    Load continues with them rather than whatever the fields held."""
    from explorer.session import SHIPPED_MODEL

    set_field(qtbot, panel, "eta", "1000")
    panel.load_model(SHIPPED_MODEL)
    c = panel.controls
    assert (c.text("sizes"), c.text("cost")) == ("784, 500, 300, 10", "cross-entropy")
    assert (c.text("eta"), c.text("m"), c.text("l2")) == ("0.05", "10", "5.0")
    assert c.text("augment") == "elastic,thickness" and c.preset.currentText().startswith("Shipped")
    assert "99.37% test accuracy" in panel.status.text()
