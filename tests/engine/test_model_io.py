"""Saving and loading models: round trip, damaged files, wrong shapes, atomic writes."""

import os

import numpy as np
import pytest

from engine import Network, model_io


def test_round_trip_keeps_everything(tmp_path):
    net = Network([784, 30, 10], activation="relu", cost="cross-entropy", init="scaled", seed=3)
    path = model_io.save(net, tmp_path / "model", {"note": "hello"})
    assert path.name == "model.npz" and oct(path.stat().st_mode & 0o777) != "0o600"
    back = model_io.load(path, expect_sizes=(784, 10))
    assert back.sizes == [784, 30, 10] and back.describe() == net.describe()
    assert back.metadata == {"note": "hello"}
    for a, b in zip(net.params, back.params):
        np.testing.assert_array_equal(a, b)


def test_saving_over_a_model_never_leaves_a_half_written_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    old = Network([4, 3, 2], seed=1)
    model_io.save(old, path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", fail)
    with pytest.raises(model_io.ModelError, match="No space left"):
        model_io.save(Network([4, 3, 2], seed=2), path)
    assert path.read_bytes() == before                   # the old model is intact
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]  # and no temporary file is left


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path):
    with pytest.raises(model_io.ModelError, match="Cannot write a model into"):
        model_io.save(Network([4, 2]), tmp_path / "missing" / "m.npz")


@pytest.mark.parametrize("content, words", [
    (b"", "not a model file"),
    (b"PK\x03\x04 broken zip", "not a model file"),
    (b"just text", "not a model file"),
])
def test_damaged_files_give_clear_errors(tmp_path, content, words):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(model_io.ModelError, match=words):
        model_io.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(model_io.ModelError, match="no such model file"):
        model_io.load(tmp_path / "nothing.npz")


def test_arrays_that_do_not_fit_the_sizes(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, sizes=np.array([784, 30, 10]), w0=np.zeros((30, 784)), b0=np.zeros(30),
             w1=np.zeros((10, 31)), b1=np.zeros(10))
    with pytest.raises(model_io.ModelError, match="do not fit the sizes"):
        model_io.load(path)
    np.savez(path, sizes=np.array([784, 30, 10]), w0=np.zeros((30, 784)), b0=np.zeros(30))
    with pytest.raises(model_io.ModelError, match="w1, b1"):
        model_io.load(path)
    np.savez(path, weights=np.zeros(3))
    with pytest.raises(model_io.ModelError, match="no 'sizes' entry"):
        model_io.load(path)


def test_a_model_of_the_wrong_shape_for_the_task(tmp_path):
    path = model_io.save(Network([100, 10, 5]), tmp_path / "small.npz")
    with pytest.raises(model_io.ModelError, match="needs 784 inputs and 10 outputs"):
        model_io.load(path, expect_sizes=(784, 10))


def test_nan_weights_are_refused(tmp_path):
    net = Network([4, 3, 2])
    net.weights[0][0, 0] = np.nan
    path = model_io.save(net, tmp_path / "nan.npz")
    with pytest.raises(model_io.ModelError, match="NaN"):
        model_io.load(path)


def test_the_shipped_model_loads_and_is_strong(mnist_data):
    from paths import ROOT

    net = model_io.load(ROOT / "resources" / "model-784-100-10.npz", expect_sizes=(784, 10))
    assert net.describe() == "784-100-10 sigmoid, cross-entropy cost"
    correct, _ = net.evaluate(*mnist_data.test)
    assert correct >= 9750
