"""Each panel's model is plain Python: it imports no Qt, and a test drives it with no
window (the same check as the engine's)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from mnist_files import write_mnist_folder
from paths import ROOT
from qt_free import import_in_fresh_python

from engine import model_io
from engine.network import Network
from engine.sgd import BatchProgress, EpochResult

MODELS = ["explorer.descent.model", "explorer.training.model", "explorer.training.records",
          "explorer.drawing.model", "explorer.mnist_store", "explorer.events",
          "explorer.tour.steps", "explorer.tour.model", "explorer.tour.mathtext",
          "explorer.inside.model", "explorer.network.model", "explorer.network.jobs"]


def test_panel_models_load_no_qt():
    out = import_in_fresh_python(MODELS)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"a panel model loaded Qt modules: {out.stdout}"


# ---------------------------------------------------------------------- descent
def test_descent_model_runs_and_tells_its_listeners():
    from explorer.descent.model import DescentModel

    m = DescentModel()
    heard = []
    m.trajectories_changed.connect(lambda: heard.append("trails"))
    m.step_changed.connect(lambda k: heard.append(k))
    m.set_settings(eta=0.01, steps=40)
    assert "trails" in heard
    t = m.trajectories[m.primary]
    assert 1 < len(t.v) <= 41 and t.C[-1] < t.C[0]          # it went downhill
    m.set_step(7)
    assert heard[-1] == 7


# ---------------------------------------------------------------------- training
SETTINGS = dict(sizes=[784, 12, 10], activation="sigmoid", cost="quadratic", init="normal",
                seed=3, eta=3.0, m=10, epochs=2, l2=0.0, images=None, split="full",
                monitor=False)


def epoch(k, acc):
    return EpochResult(epoch=k, seconds=0.1, elapsed=0.1 * k, examples_seen=100 * k,
                       test_correct=int(acc * 50),
                       test_total=50, test_cost=0.1, train_correct=None, train_total=None,
                       train_cost=None)


def update(markers=(), epochs=(), last=None, snapshot=None):
    from explorer.training.records import Update
    return Update(np.zeros(0), np.zeros(0), list(epochs), list(markers), last, 1.0, 100, 200,
                  snapshot)


def test_training_model_records_the_eta_and_m_in_effect_and_the_changes(tmp_path):
    from explorer.training.model import TrainingModel
    from explorer.training.records import Marker, Outcome

    tm = TrainingModel()
    heard = []
    tm.history_changed.connect(lambda: heard.append(len(tm.history)))
    cfg = tm.start_run(SETTINGS, None, loader=lambda d, s: None)
    assert cfg.net is tm.net and cfg.eta == 3.0 and cfg.mini_batch_size == 10
    assert tm.network is None                       # the worker owns it during the run
    last = BatchProgress(epoch=1, batch=4, batches=10, cost=0.5, examples_seen=40,
                         epoch_examples=40, eta=3.0, mini_batch_size=10, elapsed=0.1)
    got = tm.on_update(update(markers=[Marker(40, 0.4, 0.5, 100)], last=last))
    assert got["markers"] == [(40, 0.4, "η 3 → 0.5, m 10 → 100")]
    # the epoch's last mini-batch was a partial one of 40: the row says what was set
    tm.on_update(update(epochs=[epoch(1, 0.8)]))
    tm.on_update(update(epochs=[epoch(2, 0.9)]))
    rows = tm.history
    assert [(r["eta"], r["mini_batch_size"]) for r in rows] == [(0.5, 100), (0.5, 100)]
    assert "η 3 → 0.5" in rows[0]["changes"] and rows[1]["changes"] == ""
    assert heard == [0, 1, 2]               # the new network cleared it, two epochs came
    out = tm.on_outcome(Outcome("finished", "Finished 2 epoch(s).", tm.net.copy(), 2, 200))
    assert "Test accuracy 90.00%" in out["status"] and out["give"] is not None
    assert tm.epochs_done == 2 and tm.network is tm.net
    path = tm.export_csv(tmp_path / "m.csv")
    read = list(csv.DictReader(open(path, encoding="utf-8")))
    assert read[0]["mini_batch_size"] == "100" and "m 10 → 100" in read[0]["changes"]
    assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]      # no temporary left


def test_training_model_load_is_all_or_nothing(tmp_path):
    from explorer.training.model import TrainingModel

    tm = TrainingModel()
    tm.new_network(SETTINGS)
    tm.history.append({"epoch": 1})
    before = tm.net
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(model_io.ModelError):
        tm.load_model(bad)
    assert tm.net is before and tm.history == [{"epoch": 1}]
    good = model_io.save(Network([784, 5, 10], seed=1), tmp_path / "good.npz",
                         {"settings": {"eta": "0.5", "m": "20", "split": "full"}})
    net = tm.load_model(good)
    assert tm.net is net and tm.history == []


def test_training_model_saves_its_metadata(tmp_path):
    from explorer.training.model import TrainingModel, saved_training_settings

    tm = TrainingModel()
    with pytest.raises(model_io.ModelError, match="no network"):
        tm.save_model(tmp_path / "x.npz", {})
    tm.new_network(SETTINGS)
    tm.history.append(dict(test_accuracy=0.75))
    path = tm.save_model(tmp_path / "x.npz", {"eta": "3.0", "m": "10", "split": "book"})
    net = model_io.load(path)
    assert saved_training_settings(net) == {"eta": "3.0", "m": "10", "split": "book"}
    path = tm.save_model(tmp_path / "y.npz", {"eta": "3.0", "augment": "elastic"})
    assert saved_training_settings(model_io.load(path))["augment"] == "elastic"
    net = model_io.load(ROOT / "resources" / "model-784-500-300-10.npz")   # --augment elastic,thickness
    assert saved_training_settings(net)["augment"] == "elastic,thickness"
    net = model_io.load(ROOT / "resources" / "model-784-100-10.npz")     # train, before it
    assert saved_training_settings(net).get("augment", "off") == "off"


# ---------------------------------------------------------------------- drawing pad
def test_pad_model_answers_and_says_why_not():
    from explorer.drawing.model import PadModel

    pad = PadModel()
    assert pad.answer(np.zeros(784, np.float32)).outputs is None
    assert "No model" in pad.problem()
    pad.set_network(Network([784, 8, 10], seed=2), "test")
    x = np.random.default_rng(0).random(784).astype(np.float32)
    a = pad.answer(x)
    assert a.outputs.shape == (10,) and a.guess == int(np.argmax(a.outputs))
    pad.set_network(Network([784, 8, 5], seed=2), "odd")
    assert "cannot read digits" in pad.problem() and pad.answer(x).outputs is None


# ---------------------------------------------------------------------- MNIST store
def test_mnist_cache_reads_once_and_hands_out_both_splits_as_views(tmp_path, monkeypatch):
    from engine.mnist import MnistError
    from explorer.mnist_store import MnistCache

    monkeypatch.delenv("MNIST_DIR", raising=False)
    folder = write_mnist_folder(tmp_path / "m", n_train=60, n_test=10)
    cache = MnistCache()
    full = cache.load(str(folder), "full")
    again = cache.load(str(folder), "full")
    assert cache.reads == 1 and full.training.images is again.training.images
    assert len(full.training) == 60 and full.validation is None and full.origin == "folder"
    with pytest.raises(MnistError):
        cache.load(str(tmp_path / "empty"), "book")
    assert cache.peek() is not None          # a failed look elsewhere keeps what is in


def test_mnist_cache_book_split_is_a_view_of_the_one_copy(monkeypatch):
    from engine import mnist
    from explorer.mnist_store import MnistCache

    images = np.arange(60_010 * 2, dtype=np.float32).reshape(60_010, 2)
    labels = (np.arange(60_010) % 10).astype(np.uint8)
    data = mnist.MnistData(mnist.Dataset(images, labels), None,
                           mnist.Dataset(images[:5], labels[:5]), ROOT, "folder")
    monkeypatch.setattr(mnist, "locate", lambda d, download: (ROOT, "folder"))
    cache = MnistCache(reader=lambda folder: data)
    book = cache.load(None, "book")
    assert len(book.training) == 50_000 and len(book.validation) == 10_010
    assert np.shares_memory(book.training.images, images)
    assert np.shares_memory(book.validation.images, images)
    assert cache.load(None, "full").training.images is images and cache.reads == 1
