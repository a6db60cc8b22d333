"""Property-based tests: whatever bytes, archives or text come in, model loading, IDX
reading and formula parsing end in a result or in their own error, quickly."""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import zipfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import formula, mnist, model_io
from engine.network import Network

# FUZZ_EXAMPLES=5000 explores far more (and at random); the suite runs 60 fixed examples.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FAST = settings(max_examples=EXAMPLES, deadline=1000, derandomize=EXAMPLES <= 60, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TIME_LIMIT = 1.0      # seconds for any one call


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    finally:
        assert time.perf_counter() - t0 < TIME_LIMIT, "took too long"


def _load_bytes(data: bytes):
    fd, path = tempfile.mkstemp(suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            net = _timed(model_io.load, path)
        except model_io.ModelError as exc:
            message = str(exc)
            assert path in message and "pickle" not in message, message
            return None
        assert isinstance(net, Network) and isinstance(net.info, model_io.ModelInfo)
        return net
    finally:
        os.unlink(path)


# ---------------------------------------------------------------------- model files
@FAST
@given(st.binary(max_size=2000))
def test_random_bytes_are_refused_as_a_model(data):
    assert _load_bytes(data) is None


@FAST
@given(st.binary(max_size=200), st.integers(0, 4000))
def test_a_real_model_with_random_damage(patch, where):
    buf = io.BytesIO()
    path = os.path.join(tempfile.mkdtemp(), "m.npz")
    model_io.save(Network([6, 5, 3], seed=0), path, {"epochs_trained": 1})
    with open(path, "rb") as f:
        good = bytearray(f.read())
    os.unlink(path)
    os.rmdir(os.path.dirname(path))
    where = where % len(good)
    good[where:where + len(patch)] = patch
    buf.write(bytes(good))
    _load_bytes(buf.getvalue())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)

metadata_keys = st.sampled_from(["epochs_trained", "trained_epochs", "epochs_done", "eta",
                                 "settings", "mini_batch_size", "l2", "extra", "seed",
                                 "test_accuracy", "split", "train_size", "augment", "other"])
dtypes = st.sampled_from(["<f4", "<f8", ">f8", "<f2", "<i8", "<u1", "<c8", "|b1", "<U3",
                          "|S2", "<m8[s]"])
shapes = st.lists(st.integers(0, 6), max_size=3).map(tuple)


@st.composite
def member(draw):
    """A random .npy member: a real array, or a header that claims anything."""
    dtype = draw(dtypes)
    shape = draw(shapes)
    if draw(st.booleans()):
        arr = np.zeros(shape, dtype=dtype)
        buf = io.BytesIO()
        np.lib.format.write_array(buf, arr)
        return buf.getvalue()
    claimed = tuple(draw(st.lists(st.integers(0, 2**40), max_size=3)))
    header = repr({"descr": dtype, "fortran_order": draw(st.booleans()),
                   "shape": claimed}).encode("latin1")
    header = header + b" " * (-(len(header) + 11) % 64) + b"\n"
    return (b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header
            + draw(st.binary(max_size=64)))


@st.composite
def archive(draw):
    """A zip that looks like a model: right and random member names, random arrays,
    sizes that may or may not fit, metadata of random JSON."""
    sizes = draw(st.lists(st.integers(-2, 9), min_size=0, max_size=4))
    members = {}
    if draw(st.booleans()):
        members["sizes.npy"] = np.array(sizes, dtype=draw(st.sampled_from(["<i8", "<f8",
                                                                             "<i2"])))
    layers = max(0, len(sizes) - 1)
    for i in range(min(layers, 3)):
        n_in, n_out = max(1, sizes[i]), max(1, sizes[i + 1])
        if draw(st.booleans()):
            members[f"w{i}.npy"] = np.zeros((n_out, n_in), dtype=draw(dtypes))
        else:
            members[f"w{i}.npy"] = draw(member())
        if draw(st.booleans()):
            members[f"b{i}.npy"] = np.full(n_out, draw(st.floats(allow_nan=True)))
        else:
            members[f"b{i}.npy"] = draw(member())
    meta = draw(st.one_of(st.dictionaries(metadata_keys, json_values, max_size=6),
                          json_values))
    members["metadata.npy"] = np.array(json.dumps(meta))
    for name in draw(st.lists(st.sampled_from(["activation", "cost", "init",
                                               "format_version", "x", "w9", "../evil"]),
                              max_size=3)):
        members[f"{name}.npy"] = draw(member())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", draw(st.sampled_from([zipfile.ZIP_STORED,
                                                         zipfile.ZIP_DEFLATED]))) as z:
        for name, value in members.items():
            if isinstance(value, np.ndarray):
                b = io.BytesIO()
                np.lib.format.write_array(b, value)
                value = b.getvalue()
            z.writestr(name, value)
    return buf.getvalue()


@FAST
@given(archive())
def test_random_model_like_archives_load_or_are_refused(data):
    _load_bytes(data)


@FAST
@given(json_values)
def test_any_json_notes_are_read_into_model_info_or_refused(meta):
    members = {"sizes.npy": np.array([3, 2]), "w0.npy": np.zeros((2, 3)),
               "b0.npy": np.zeros(2), "metadata.npy": np.array(json.dumps(meta))}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, value in members.items():
            b = io.BytesIO()
            np.lib.format.write_array(b, value)
            z.writestr(name, b.getvalue())
    net = _load_bytes(buf.getvalue())
    assert (net is not None) == isinstance(meta, dict)


# ---------------------------------------------------------------------- IDX files
@FAST
@given(st.binary(max_size=300), st.sampled_from([None, "images", "labels"]),
       st.booleans())
def test_random_idx_files_are_read_or_refused(data, kind, gz):
    import gzip

    fd, path = tempfile.mkstemp(suffix=".gz" if gz else "")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(gzip.compress(data) if gz and data[:1] != b"x" else data)
        try:
            _timed(mnist.read_idx, path, kind)
        except mnist.MnistError as exc:
            assert path in str(exc)
    finally:
        os.unlink(path)


# ---------------------------------------------------------------------- formulas
formula_text = st.lists(st.sampled_from(list("xyv12e.+-*/^()_ ,'[]") +
                                        ["sin", "exp", "log", "**", "1e6", "50", "pi", "sqrt",
                                         "abs", "__import__", "lambda", "0", "9"]),
                        max_size=25).map("".join)


@FAST
@given(st.one_of(formula_text, st.text(max_size=60)))
def test_random_text_is_a_formula_or_a_formula_error(text):
    try:
        s = _timed(formula.parse_formula, text)
    except formula.FormulaError as exc:
        assert str(exc) and "this'" not in str(exc)
        return
    with np.errstate(all="ignore"):
        for v in ((0.0, 0.0), (1.0, 1.0), (-2.5, 3.0)):
            _timed(s.value, *v)
            _timed(s.gradient, *v)
