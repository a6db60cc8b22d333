"""The one check of the training settings (engine/hyperparams.py)."""

import math

import numpy as np
import pytest

from engine import Network, Trainer
from engine import hyperparams as hp


@pytest.mark.parametrize("check, value, message", [
    (hp.check_eta, 0, "eta: the learning rate must be above 0 (e.g. 3.0)."),
    (hp.check_eta, math.nan, "eta: must be a finite number."),
    (hp.check_eta, 1e6 * 1.01, "eta: at most 1,000,000, please."),
    (hp.check_eta, "3", "eta: '3' is not a number."),
    (hp.check_eta, True, "eta: True is not a number."),
    (hp.check_l2, -0.5, "L2 (lambda): must be 0 (no weight decay) or more."),
    (hp.check_epochs, 0, "Epochs: must be from 1 to 100,000, not 0."),
    (hp.check_seed, -1, "Seed: must be from 0 to 4,294,967,295, not -1."),
    (hp.check_seed, 1.5, "Seed: 1.5 is not a whole number."),
    (hp.check_train_size, 70_000, "Training images: must be from 1 to 60,000, not 70,000."),
    (hp.check_mini_batch_size, 0, "Mini-batch size m: must be from 1 to 60,000, not 0."),
])
def test_checks_of_numbers(check, value, message):
    with pytest.raises(hp.HyperparameterError) as info:
        check(value)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError) and message.startswith(info.value.field + ": ")


def test_good_values_come_back():
    assert hp.check_eta(3) == 3.0 and isinstance(hp.check_eta(3), float)
    assert hp.check_mini_batch_size(np.int64(10), 100) == 10
    assert hp.check_seed(np.float64(7.0)) == 7
    assert hp.check_sizes([784, 30, 10]) == [784, 30, 10]
    assert hp.parse_sizes("784-100-10") == [784, 100, 10]
    assert hp.parse_train_size(" all ") is None and hp.parse_train_size("1,000") == 1000
    assert hp.check_sizes([6, 5, 3], inputs=None, outputs=None) == [6, 5, 3]


@pytest.mark.parametrize("text, message", [
    ("784 4097 10", "a hidden layer needs 1 to 4096 neurons, not 4,097."),
    ("784 " + "5 " * 7 + "10", "at most 8 layers, please."),
    ("784", "give at least two layers"),
    ("784 3.5 10", "is not a list of whole numbers"),
    ("784 " + "9" * 40 + " 10", "is not a list of whole numbers"),
])
def test_sizes_typed(text, message):
    with pytest.raises(hp.HyperparameterError, match="^Layer sizes: ") as info:
        hp.parse_sizes(text)
    assert message in str(info.value)


def test_a_huge_typed_number_is_not_echoed_whole():
    with pytest.raises(hp.HyperparameterError) as info:
        hp.parse_seed("9" * 5000)
    assert len(str(info.value)) < 100 and "5000 digits" in str(info.value)
    with pytest.raises(hp.HyperparameterError) as info:
        hp.parse_eta("x" * 5000)
    assert len(str(info.value)) < 100


def test_the_trainer_checks_again_when_m_is_changed_while_it_runs():
    rng = np.random.default_rng(0)
    x, labels = rng.random((40, 6)), rng.integers(0, 3, 40)
    trainer = Trainer(Network([6, 5, 3], seed=1), (x, labels), mini_batch_size=10, epochs=3)
    with pytest.raises(hp.HyperparameterError, match="Mini-batch size m: must be from 1 to 40"):
        for record in trainer.run():
            trainer.mini_batch_size = 41          # checked when the next epoch begins


@pytest.mark.parametrize("text, ok", [("784-30-10", True), ("784 - 30 - 10", True),
                                      ("784, -30, 10", False), ("784 -30 10", False)])
def test_a_dash_separates_layers_but_a_minus_sign_is_refused(text, ok):
    if ok:
        assert hp.parse_sizes(text) == [784, 30, 10]
    else:
        with pytest.raises(hp.HyperparameterError, match="above 0"):
            hp.parse_sizes(text)
