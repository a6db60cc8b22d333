"""The network and SGD: gradients against finite differences, the batch computation
against the book's one-example-at-a-time code, and the training loop's contract."""

import math

import numpy as np
import pytest

from engine import BatchProgress, Diverged, EpochResult, Network, Trainer
from engine import book_reference as book
from engine.network import one_hot


def _data(n=40, n_in=6, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), rng.integers(0, n_out, n)


def _mean_cost(net, x, y):
    return net.cost.total(net.feedforward(x), y) / len(x)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_backprop_matches_finite_differences(activation, cost):
    x, labels = _data()
    y = one_hot(labels, 3, np.float64)
    net = Network([6, 5, 4, 3], activation=activation, cost=cost, init="scaled", seed=3,
                  dtype=np.float64)
    nabla_b, nabla_w, batch_cost = net.backprop(x, y)
    assert batch_cost == pytest.approx(_mean_cost(net, x, y), rel=1e-12)
    h = 1e-6
    rng = np.random.default_rng(1)
    for layer in range(len(net.weights)):
        for _ in range(6):   # random entries of each weight matrix and bias vector
            j, k = rng.integers(net.weights[layer].shape[0]), rng.integers(net.weights[layer].shape[1])
            for array, grad, index in ((net.weights[layer], nabla_w[layer], (j, k)),
                                       (net.biases[layer], nabla_b[layer], (j,))):
                old = array[index]
                array[index] = old + h
                up = _mean_cost(net, x, y)
                array[index] = old - h
                down = _mean_cost(net, x, y)
                array[index] = old
                numeric = (up - down) / (2 * h)
                assert grad[index] == pytest.approx(numeric, rel=1e-5, abs=1e-9), \
                    (layer, index, activation, cost)


def test_batch_backprop_equals_book_per_example_average():
    x, labels = _data(n=25, n_in=8, n_out=4)
    net = Network([8, 7, 5, 4], seed=2, dtype=np.float64)
    nabla_b, nabla_w, _ = net.backprop(x, one_hot(labels, 4, np.float64))
    pairs = book.as_column_pairs(x, labels, 4)
    sum_b = [np.zeros(b.size) for b in net.biases]
    sum_w = [np.zeros(w.shape) for w in net.weights]
    for xi, yi in pairs:
        db, dw = book.backprop(net, xi, yi)
        sum_b = [s + d.reshape(-1) for s, d in zip(sum_b, db)]
        sum_w = [s + d for s, d in zip(sum_w, dw)]
    for got, want in zip(nabla_b + nabla_w, sum_b + sum_w):
        np.testing.assert_allclose(got, want / len(pairs), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("m", [1, 7, 40])   # online, ordinary mini-batches, full batch
def test_trainer_epoch_equals_the_books_sgd(m):
    x, labels = _data(n=40, n_in=6, n_out=3)
    ours = Network([6, 5, 3], seed=4, dtype=np.float64)
    theirs = ours.copy()
    records = list(Trainer(ours, (x, labels), eta=2.5, mini_batch_size=m, epochs=1,
                           seed=9).run())
    book.sgd_epoch(theirs, book.as_column_pairs(x, labels, 3), m, 2.5,
                   np.random.default_rng(9))
    for a, b in zip(ours.params, theirs.params):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    batches = [r for r in records if isinstance(r, BatchProgress)]
    assert len(batches) == math.ceil(40 / m)
    assert [r.batch for r in batches] == list(range(1, len(batches) + 1))
    assert batches[-1].examples_seen == 40 and batches[-1].epoch_examples == 40
    assert isinstance(records[-1], EpochResult) and records[-1].epoch == 1


def test_one_full_batch_step_with_l2_is_the_books_rule():
    x, labels = _data(n=30)
    net = Network([6, 4, 3], cost="cross-entropy", seed=5, dtype=np.float64)
    before = net.copy()
    eta, lmbda = 0.7, 3.0
    nabla_b, nabla_w, _ = before.backprop(x, one_hot(labels, 3, np.float64))
    list(Trainer(net, (x, labels), eta=eta, mini_batch_size=30, epochs=1, lmbda=lmbda).run())
    for layer in range(2):
        want_w = (1 - eta * lmbda / 30) * before.weights[layer] - eta * nabla_w[layer]
        np.testing.assert_allclose(net.weights[layer], want_w, rtol=1e-10)
        np.testing.assert_allclose(net.biases[layer], before.biases[layer] - eta * nabla_b[layer],
                                   rtol=1e-10)


def test_float32_training_agrees_with_float64():
    x, labels = _data(n=60)
    a = Network([6, 5, 3], seed=6, dtype=np.float64)
    b = Network([6, 5, 3], seed=6, dtype=np.float32)
    for net in (a, b):
        list(Trainer(net, (x, labels), eta=1.0, mini_batch_size=10, epochs=2, seed=1).run())
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(q, p, rtol=1e-3, atol=1e-4)


def test_runs_are_reproducible_from_the_seed():
    x, labels = _data(n=50)

    def train(seed):
        net = Network([6, 5, 3], seed=seed)
        results = [r for r in Trainer(net, (x, labels), epochs=2, seed=seed,
                                      test_data=(x, labels)).run()
                   if isinstance(r, EpochResult)]
        return net, results

    (n1, r1), (n2, r2), (n3, _) = train(1), train(1), train(2)
    assert all(np.array_equal(p, q) for p, q in zip(n1.params, n2.params))
    assert [r.test_cost for r in r1] == [r.test_cost for r in r2]
    assert not np.array_equal(n1.params[0], n3.params[0])


def test_eta_and_m_changes_apply_from_the_next_mini_batch():
    x, labels = _data(n=100)
    trainer = Trainer(Network([6, 5, 3], seed=1), (x, labels), eta=1.0, mini_batch_size=10,
                      epochs=1)
    run = trainer.run()
    first = next(run)
    assert (first.eta, first.mini_batch_size) == (1.0, 10)
    trainer.eta, trainer.mini_batch_size = 0.25, 30
    second = next(run)
    assert (second.eta, second.mini_batch_size) == (0.25, 30)
    assert second.epoch_examples == 40
    rest = list(run)
    batches = [r for r in rest if isinstance(r, BatchProgress)]
    assert batches[-1].epoch_examples == 100   # the last batch takes what is left
    assert batches[-1].mini_batch_size == 100 - 70


def test_stop_ends_after_the_current_mini_batch():
    x, labels = _data(n=100)
    trainer = Trainer(Network([6, 5, 3], seed=1), (x, labels), mini_batch_size=10, epochs=5)
    seen = []
    for record in trainer.run():
        seen.append(record)
        if len(seen) == 3:
            trainer.stop()
    assert len(seen) == 3


def test_a_cost_that_explodes_stops_training_with_a_clear_message():
    rng = np.random.default_rng(0)
    x, labels = rng.random((200, 20)), rng.integers(0, 3, 200)
    net = Network([20, 30, 30, 3], activation="relu", cost="cross-entropy", seed=1)
    with pytest.raises(Diverged) as info, np.errstate(all="ignore"):
        for _ in Trainer(net, (x, labels), eta=1e4, mini_batch_size=10, epochs=5,
                                 seed=0).run():
            pass
    message = str(info.value)
    assert "epoch 1" in message and "smaller eta" in message and "10000" in message
    assert info.value.epoch == 1 and info.value.eta == 1e4


def test_weights_sent_to_infinity_stop_training_even_if_the_cost_looks_finite():
    x, labels = _data(n=50)
    x *= 1e36                               # eta is capped at 1e6: huge inputs blow up instead
    net = Network([6, 20, 3], seed=1)       # sigmoid outputs keep the cost finite...
    net.weights[0][0] = 0.0                 # ...and one unsaturated hidden neuron passes the error
    with pytest.raises(Diverged, match="weights became infinite") as info, \
            np.errstate(all="ignore"):
        for _ in Trainer(net, (x, labels), eta=1e6, mini_batch_size=50, epochs=3).run():
            pass
    assert info.value.epoch == 1


def test_a_nan_cost_is_reported_at_once():
    x, labels = _data(n=50)
    x[7, 2] = np.nan                      # a damaged input makes the cost NaN
    net = Network([6, 5, 3], seed=1)
    with pytest.raises(Diverged, match=r"The cost became NaN \(not a number\) in epoch 1"):
        list(Trainer(net, (x, labels), eta=1.0, mini_batch_size=50, epochs=1).run())


@pytest.mark.parametrize("kwargs, words", [
    (dict(eta=0), "eta"), (dict(eta=-1.0), "eta"), (dict(eta=float("nan")), "eta"),
    (dict(eta=1e40), "eta: at most"), (dict(mini_batch_size=41), "Mini-batch size m: must "
                                                                 "be from 1 to 40"),
    (dict(mini_batch_size=0), "Mini-batch"), (dict(lmbda=-1), "L2"),
])
def test_bad_hyper_parameters_are_refused(kwargs, words):
    x, labels = _data()
    with pytest.raises(ValueError, match=words):
        Trainer(Network([6, 3]), (x, labels), **kwargs)


def test_network_checks_its_arguments_and_feeds_forward_single_inputs():
    with pytest.raises(ValueError, match="activation"):
        Network([2, 2], activation="tanh")
    with pytest.raises(ValueError, match="cost"):
        Network([2, 2], cost="hinge")
    with pytest.raises(ValueError, match="sizes"):
        Network([5])
    net = Network([4, 3, 2], seed=0)
    x = np.random.default_rng(0).random((5, 4))
    np.testing.assert_allclose(net.feedforward(x[2]), net.feedforward(x)[2], rtol=1e-6)
    assert net.predict(x).shape == (5,)
    assert net.describe() == "4-3-2 sigmoid, quadratic cost"


def test_scaled_init_has_the_books_spread():
    net = Network([784, 100, 10], init="scaled", seed=0)
    assert net.weights[0].std() == pytest.approx(1 / math.sqrt(784), rel=0.05)
    assert Network([784, 100, 10], seed=0).weights[0].std() == pytest.approx(1.0, rel=0.05)
