"""Saving and loading models: round trip, damaged files, wrong shapes, atomic writes."""

import os
import time

import numpy as np
import pytest
from unprivileged import printed_unprivileged

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


def test_the_shipped_models_load_and_are_strong(mnist_data):
    from paths import ROOT

    net = model_io.load(ROOT / "resources" / "model-784-100-10.npz", expect_sizes=(784, 10))
    assert net.describe() == "784-100-10 sigmoid, cross-entropy cost"
    correct, _ = net.evaluate(*mnist_data.test)
    assert correct >= 9750
    # what the drawing pad answers with: trained on distorted digits (issue 12: >= 99.0%)
    net = model_io.load(ROOT / "resources" / "model-784-500-300-10.npz", expect_sizes=(784, 10))
    assert net.sizes == [784, 500, 300, 10] and net.activation_name == "relu"
    correct, _ = net.evaluate(*mnist_data.test)
    assert correct >= 9900
    assert (ROOT / "resources" / "model-784-500-300-10.npz").stat().st_size < 5 * 2**20


# ---------------------------------------------------------------------- one schema
def _write_v1(path, net, metadata):
    """A format-1 file, written the way the old code did (np.savez_compressed, JSON)."""
    import json

    arrays = {"format_version": np.array(1), "sizes": np.array(net.sizes, dtype=np.int64),
              "activation": np.array(net.activation_name), "cost": np.array(net.cost_name),
              "init": np.array(net.init), "metadata": np.array(json.dumps(metadata))}
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{i}"], arrays[f"b{i}"] = w, b
    np.savez_compressed(path, **arrays)
    return path


def test_the_command_lines_format_1_notes_are_read_into_model_info(tmp_path):
    net = Network([784, 20, 10], seed=1)
    path = _write_v1(tmp_path / "cli.npz", net, {
        "trained_by": "gd-explorer train", "sizes": [784, 20, 10], "eta": 0.5,
        "mini_batch_size": 10, "epochs_done": 30, "l2": 5.0, "seed": 1, "split": "full",
        "train_size": 60000, "init": "scaled", "interrupted": False, "test_accuracy": 0.9765})
    info = model_io.load(path).info
    assert (info.epochs_trained, info.eta, info.mini_batch_size, info.l2) == (30, 0.5, 10, 5.0)
    assert (info.split, info.train_size, info.seed, info.test_accuracy) == ("full", 60000, 1,
                                                                            0.9765)
    assert info.extra["trained_by"] == "gd-explorer train" and info.examples_seen is None


def test_the_training_panels_format_1_notes_are_read_into_model_info(tmp_path):
    net = Network([784, 20, 10], seed=1)
    settings = {"sizes": "784, 20, 10", "eta": "3.0", "m": "10", "l2": "0", "seed": "7",
                "split": "book", "images": "1000", "epochs": "30", "preset": "Custom"}
    path = _write_v1(tmp_path / "panel.npz", net, {
        "trained_epochs": 4, "examples_seen": 4000, "settings": settings,
        "test_accuracy": 0.91})
    loaded = model_io.load(path)
    info = model_io.info(loaded)
    assert (info.epochs_trained, info.examples_seen, info.test_accuracy) == (4, 4000, 0.91)
    assert (info.eta, info.mini_batch_size, info.l2, info.seed) == (3.0, 10, 0.0, 7)
    assert (info.split, info.train_size) == ("book", 1000)
    # the older names stay readable in net.metadata for callers not yet moved to info
    assert loaded.metadata["trained_epochs"] == 4 and loaded.metadata["settings"] == settings


def test_both_writers_now_write_the_same_format_2_form(tmp_path):
    import json

    net = Network([4, 3, 2], seed=1)
    a = model_io.save(net, tmp_path / "a.npz", {"trained_epochs": 2, "settings": {"eta": "3"}})
    b = model_io.save(net, tmp_path / "b.npz", model_io.ModelInfo(epochs_trained=2, eta=3.0))
    for path in (a, b):
        with np.load(path) as f:
            assert int(f["format_version"]) == model_io.FORMAT_VERSION == 2
            meta = json.loads(str(f["metadata"]))
        assert meta["epochs_trained"] == 2 and meta["eta"] == 3.0
        assert "trained_epochs" not in meta and "epochs_done" not in meta
    assert model_io.load(a).info.epochs_trained == model_io.load(b).info.epochs_trained == 2


def test_the_shipped_format_1_model_loads_with_its_training_notes():
    from paths import ROOT

    net = model_io.load(ROOT / "resources" / "model-784-100-10.npz", expect_sizes=(784, 10))
    info = net.info
    assert (info.epochs_trained, info.eta, info.mini_batch_size, info.l2) == (30, 0.5, 10, 5.0)
    assert info.test_accuracy == 0.9765 and info.seed == 1 and info.split == "full"


def test_a_model_of_a_newer_format_is_refused_with_advice(tmp_path):
    path = model_io.save(Network([4, 3, 2]), tmp_path / "m.npz")
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["format_version"] = np.array(99)
    np.savez(path, **arrays)
    with pytest.raises(model_io.ModelError, match="format 99.*Update the program"):
        model_io.load(path)


# ---------------------------------------------------------------------- saving safely
@pytest.mark.parametrize("name", ["folder/", "folder"])
def test_a_folder_never_becomes_folder_npz(tmp_path, name):
    (tmp_path / "folder").mkdir()
    target = str(tmp_path / name) + ("/" if name.endswith("/") else "")
    with pytest.raises(model_io.ModelError, match="is a folder"):
        model_io.check_target(target)
    with pytest.raises(model_io.ModelError, match="is a folder"):
        model_io.save(Network([4, 2]), target)
    assert not (tmp_path / "folder.npz").exists()


def test_a_device_is_never_replaced():
    with pytest.raises(model_io.ModelError, match="not an ordinary file"):
        model_io.check_target("/dev/null")
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_check_target_names_a_missing_folder(tmp_path):
    with pytest.raises(model_io.ModelError, match="folder .*missing does not exist"):
        model_io.check_target(tmp_path / "missing" / "m.npz")
    assert model_io.check_target(tmp_path / "m") == tmp_path / "m.npz"
    assert os.listdir(tmp_path) == []                    # checking leaves nothing behind


def test_check_target_names_a_read_only_folder():
    import shutil
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())          # /tmp itself: pytest's folders are 0700
    try:
        folder.chmod(0o555)
        code = ("import sys; sys.path.insert(0, sys.argv[1]); from engine import model_io\n"
                "try:\n    model_io.check_target(sys.argv[2])\n"
                "except model_io.ModelError as exc:\n    print(exc)\n")
        printed = printed_unprivileged(code, str(folder / "m.npz"))
        assert f"the folder {folder} cannot be written (Permission denied)" in printed
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_stale_temporary_files_of_a_killed_save_are_removed(tmp_path):
    stale = tmp_path / ".m.npz.abc123.tmp"
    stale.write_bytes(b"half a model")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    fresh = tmp_path / ".m.npz.def456.tmp"               # another program saving right now
    fresh.write_bytes(b"being written")
    other = tmp_path / ".other.npz.abc123.tmp"          # not ours to remove
    other.write_bytes(b"x")
    os.utime(other, (hour_ago, hour_ago))
    model_io.save(Network([4, 2]), tmp_path / "m.npz")
    assert sorted(os.listdir(tmp_path)) == [".m.npz.def456.tmp", ".other.npz.abc123.tmp",
                                            "m.npz"]


def test_saving_to_a_relative_path_keeps_its_own_temporary_file(tmp_path, monkeypatch):
    """The stale-file clean-up compared a relative glob with mkstemp's absolute path and
    deleted the save's own temporary file: every save to a relative path failed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    path = model_io.save(Network([4, 3, 2], seed=1), "models/m.npz")
    assert model_io.load(path).sizes == [4, 3, 2]
    assert model_io.load(model_io.save(Network([4, 2]), "plain.npz")).sizes == [4, 2]
    assert sorted(os.listdir(tmp_path / "models")) == ["m.npz"]


def test_ctrl_c_while_saving_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = model_io.save(Network([4, 3, 2], seed=1), tmp_path / "m.npz")
    before = path.read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model_io.save(Network([4, 3, 2], seed=2), path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.npz"]


# ---------------------------------------------------------------------- all or nothing
def _npy(array) -> bytes:
    import io

    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asanyarray(array), allow_pickle=True)
    return buf.getvalue()


def _archive(path, members, compression=None):
    """A .npz-like zip of ``members`` (name -> bytes or array), written by hand."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression or zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data if isinstance(data, bytes) else _npy(data))
    return path


def _good_members(sizes=(4, 3, 2), metadata="{}"):
    net = Network(list(sizes), seed=0)
    members = {"sizes.npy": np.array(sizes), "metadata.npy": np.array(metadata)}
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        members[f"w{i}.npy"], members[f"b{i}.npy"] = w.copy(), b.copy()
    return members


def _refused(path, *words):
    with pytest.raises(model_io.ModelError) as info:
        model_io.load(path)
    message = str(info.value)
    assert str(path) in message, message
    for w in words:
        assert w in message, message
    for internal in ("allow_pickle", "Traceback", "pickle", "ndarray"):
        assert internal not in message, message
    return message


def test_a_hand_made_archive_of_the_right_members_loads(tmp_path):
    net = model_io.load(_archive(tmp_path / "ok.npz", _good_members()))
    assert net.sizes == [4, 3, 2] and model_io.info(net) == model_io.ModelInfo()


@pytest.mark.parametrize("metadata, words", [
    ("[1, 2, 3]", "must be a JSON object, not a list"),
    ("42", "not a number"),
    ('"hello"', "not a string"),
    ("{not json", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_notes_that_are_not_a_json_object_are_refused(tmp_path, metadata, words):
    _refused(_archive(tmp_path / "m.npz", _good_members(metadata=metadata)), words)


def test_npy_content_in_a_file_named_npz(tmp_path):
    path = tmp_path / "array.npz"
    np.save(open(path, "wb"), np.zeros((3, 3)))
    _refused(path, "single NumPy array")


def test_huge_declared_sizes_in_a_small_file_are_refused_before_allocating(tmp_path):
    members = _good_members()
    members["sizes.npy"] = np.array([784, 20_000_000, 10])
    path = _archive(tmp_path / "huge.npz", members)
    assert path.stat().st_size < 10_000
    _refused(path, "784-20000000-10")


def test_a_weight_array_whose_header_lies_about_its_shape(tmp_path):
    members = _good_members(sizes=(784, 3, 10))
    # a header that announces 784x100000 float64 values (627 MB) with almost no data
    header = _npy(np.zeros((0,)))[:10]
    lie = (b"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 784), }").ljust(117)
    members["w0.npy"] = header[:8] + len(lie + b"\n").to_bytes(2, "little") + lie + b"\n"
    _refused(_archive(tmp_path / "lie.npz", members), "cut short")


def _add_a_3_gib_bomb(path, name="bomb.npy"):
    """Add a member ``name`` that really inflates to 3 GiB of zeros (3 MB on disk)."""
    import struct
    import zipfile
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(16 << 20)) + c.flush(zlib.Z_FULL_FLUSH)   # the same each time
    data = block * 192 + c.flush()
    with zipfile.ZipFile(path, "a") as z:
        z.writestr(zipfile.ZipInfo(name), data)                          # stored as given...
    raw = bytearray(path.read_bytes())
    for sig, method, usize, name_len, name_at in ((b"PK\x03\x04", 8, 22, 26, 30),
                                                  (b"PK\x01\x02", 10, 24, 28, 46)):
        i = raw.find(sig)
        while i >= 0:
            n = struct.unpack_from("<H", raw, i + name_len)[0]
            if raw[i + name_at:i + name_at + n] == name.encode():     # ...then declared
                struct.pack_into("<H", raw, i + method, zipfile.ZIP_DEFLATED)   # deflated,
                struct.pack_into("<I", raw, i + usize, 3 << 30)                 # 3 GiB
            i = raw.find(sig, i + 4)
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as z:                  # it is real: it inflates to zeros
        assert z.getinfo(name).file_size == 3 << 30
        with z.open(name) as f:
            assert f.read(1 << 20) == bytes(1 << 20)


def test_an_unused_member_that_would_inflate_to_3_gib_is_never_read(tmp_path):
    import time

    path = _archive(tmp_path / "bomb.npz", _good_members())
    _add_a_3_gib_bomb(path)
    assert path.stat().st_size < 4 << 20
    t0 = time.perf_counter()
    assert model_io.load(path).sizes == [4, 3, 2]
    assert time.perf_counter() - t0 < 1.0


def test_a_used_member_that_would_inflate_to_3_gib_is_refused_unread(tmp_path):
    import time

    members = _good_members()
    del members["w1.npy"]
    path = _archive(tmp_path / "bomb.npz", members)
    _add_a_3_gib_bomb(path, "w1.npy")
    t0 = time.perf_counter()
    _refused(path, "'w1'", "declares 3,221,225,472 bytes")
    assert time.perf_counter() - t0 < 1.0


def test_a_member_declaring_more_bytes_than_its_shape_needs_is_not_read(tmp_path):
    import zipfile

    members = _good_members()
    del members["w0.npy"]
    path = _archive(tmp_path / "bomb.npz", members)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("w0.npy", "w", force_zip64=True) as f:
            f.write(_npy(np.zeros((3, 4))))
            chunk = bytes(1 << 20)
            for _ in range(16):
                f.write(chunk)
    _refused(path, "'w0'", "declares")


def test_a_truncated_zip_is_refused(tmp_path):
    good = model_io.save(Network([30, 20, 10], seed=0), tmp_path / "good.npz").read_bytes()
    for cut in (len(good) // 3, len(good) - 30):
        path = tmp_path / "cut.npz"
        path.write_bytes(good[:cut])
        _refused(path)


def test_a_corrupt_member_is_refused(tmp_path):
    good = bytearray(model_io.save(Network([30, 20, 10], seed=0), tmp_path / "g.npz")
                     .read_bytes())
    good[len(good) // 2] ^= 0xFF
    path = tmp_path / "corrupt.npz"
    path.write_bytes(bytes(good))
    _refused(path, "damaged")


@pytest.mark.parametrize("key, value, words", [
    ("w0.npy", np.zeros((3, 4), dtype=np.complex64), "complex64"),
    ("w0.npy", np.zeros((3, 4), dtype=np.int32), "int32"),
    ("w0.npy", np.array([[None] * 4] * 3, dtype=object), "Python objects"),
    ("sizes.npy", np.array(["4", "3", "2"]), "<U1"),
    ("sizes.npy", np.array([4.0, 3.0, 2.0]), "float64"),
    ("b1.npy", np.zeros(3), "shape (3,)"),
    ("w0.npy", np.zeros((4, 3)), "shape (4, 3)"),
    ("metadata.npy", np.array([1, 2]), "int64"),
    ("activation.npy", np.array("tanh"), "unknown activation 'tanh'"),
    ("cost.npy", np.array(b"quadratic"), "|S9"),
])
def test_wrong_dtypes_and_shapes_are_refused(tmp_path, key, value, words):
    members = _good_members()
    members[key] = value
    _refused(_archive(tmp_path / "m.npz", members), words)


def test_nan_weights_in_a_hand_made_file(tmp_path):
    members = _good_members()
    members["b0.npy"] = np.array([0.0, np.nan, 1.0])
    _refused(_archive(tmp_path / "m.npz", members), "NaN")
    members["b0.npy"] = np.array([0.0, 1e300, 1.0])       # finite in float64, not float32
    _refused(_archive(tmp_path / "m.npz", members), "too large")


def test_a_folder_or_a_device_given_as_a_model(tmp_path):
    with pytest.raises(model_io.ModelError, match="is a folder"):
        model_io.load(tmp_path)
    with pytest.raises(model_io.ModelError, match="not an ordinary file"):
        model_io.load("/dev/null")


def test_the_folder_is_synced_after_the_rename(tmp_path, monkeypatch):
    import stat

    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    model_io.save(Network([4, 2]), tmp_path / "m.npz")
    assert synced == ["file", "folder"]


def test_notes_with_nan_or_huge_numbers_load_and_save_again(tmp_path):
    members = _good_members(metadata='{"eta": NaN, "epochs_trained": 1e999, "note": NaN}')
    net = model_io.load(_archive(tmp_path / "m.npz", members))
    assert net.info.eta is None and net.info.epochs_trained is None
    again = model_io.load(model_io.save(net, tmp_path / "again.npz", net.info))
    assert np.isnan(again.info.extra["note"])


def test_a_file_name_ending_in_a_slash(tmp_path):
    path = model_io.save(Network([4, 2]), tmp_path / "m.npz")
    with pytest.raises(model_io.ModelError, match="must not end in '/'"):
        model_io.load(str(path) + "/")
