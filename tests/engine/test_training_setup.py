"""Training setup codes (kind "training"): a round trip, and every bad value refused."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from engine import setup_codes
from engine.setup_codes import SetupCodeError
from engine.training_setup import BOOK, check_training, encode_training


def code_of(data, kind="training"):
    raw = json.dumps({"kind": kind, "data": data}).encode()
    return setup_codes.PREFIX + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


def test_a_training_setup_round_trips():
    state = dict(BOOK, sizes="784, 16, 16, 10", init="scaled", eta="0.5", m="25",
                 images="1000", split="full", seed="7", preset="Custom", monitor="0",
                 augment="elastic")
    code = encode_training(state)
    assert code.startswith(setup_codes.PREFIX) and len(code) < 400
    kind, data = setup_codes.read(code, "training")
    assert kind == "training" and data == state
    # a code for the other panel says so
    with pytest.raises(SetupCodeError, match="training panel, not the descent"):
        setup_codes.read(code, "descent")


@pytest.mark.parametrize("change, words", [
    (dict(eta="-1"), "eta"),
    (dict(eta="1e400"), "eta"),
    (dict(eta="nan"), "eta"),
    (dict(m="0"), "Mini-batch size"),
    (dict(m="50001"), "Mini-batch size"),                 # book split: 50,000 images
    (dict(images="100", m="101"), "Mini-batch size"),
    (dict(sizes="784, 3000000, 10"), "Layer sizes"),
    (dict(sizes="784, 30, 9"), "Layer sizes"),
    (dict(epochs="0"), "Epochs"),
    (dict(seed="-3"), "Seed"),
    (dict(l2="1e9"), "L2"),
    (dict(images="70000"), "Training images"),
    (dict(activation="tanh"), "activation"),
    (dict(cost="<b>hinge</b>"), "cost"),
    (dict(split="all"), "split"),
    (dict(eta=3.0), "not text"),
    (dict(sizes="7" * 201), "too long"),
    (dict(monitor="yes"), "measure"),
    (dict(preset=["x"]), "preset"),
    (dict(surprise="1"), "does not know"),
    (dict(augment="rotate"), "augment"),
    (dict(augment=True), "augment"),
])
def test_each_bad_value_is_refused_with_its_name(change, words):
    with pytest.raises(SetupCodeError, match=words):
        check_training(dict(BOOK, **change))
    with pytest.raises(SetupCodeError):
        setup_codes.read(code_of(dict(BOOK, **change)), "training")


def test_missing_fields_and_non_tables_are_refused():
    partial = dict(BOOK)
    del partial["eta"]
    with pytest.raises(SetupCodeError, match="no eta"):
        check_training(partial)
    for bad in ([], "x", None, 5):
        with pytest.raises(SetupCodeError):
            check_training(bad)
    older = {k: v for k, v in BOOK.items() if k not in ("preset", "monitor", "augment")}
    assert check_training(older)["augment"] == "off"     # a code from before augmentation
