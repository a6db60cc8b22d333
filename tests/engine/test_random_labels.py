"""The random-labels experiment: same start, same images, different labels."""

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from engine.random_labels import RandomLabels, RandomLabelsEpoch


def _data(n, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784)).astype(np.float32), rng.integers(0, 10, n)


def _experiment(**kwargs):
    settings = dict(train_size=120, sizes=(784, 16, 10), eta=0.5, mini_batch_size=10,
                    epochs=3, seed=4)
    settings.update(kwargs)
    return RandomLabels(_data(300, 1), _data(50, 2), **settings)


def _same(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a.params, b.params))


def test_the_copies_start_identical_and_see_the_same_images():
    # With no label shuffled the two copies get the same data; they stay bit for bit
    # identical only if they start identical and see the same mini-batches in the same order.
    exp = _experiment(fraction=0.0)
    assert exp.shuffled_share == 0.0
    assert _same(exp.true_net, exp.shuffled_net) and _same(exp.true_net, exp.initial)
    records = []
    for record in exp.run():
        records.append(record)
        assert _same(exp.true_net, exp.shuffled_net)
    assert [r.epoch for r in records] == [0, 1, 2, 3]
    assert not _same(exp.true_net, exp.initial)             # they did learn
    last = records[-1]
    assert last.true_train_accuracy == last.shuffled_train_accuracy
    assert last.true_test_accuracy == last.shuffled_test_accuracy
    assert last.examples_seen == 3 * 120


def test_shuffled_labels_are_a_permutation_of_the_true_ones():
    exp = _experiment()
    assert sorted(exp.shuffled_labels.tolist()) == sorted(exp.labels.tolist())
    assert exp.shuffled_share > 0.7
    images, labels = _data(300, 1)
    assert np.array_equal(exp.images, images[exp.indices])
    assert np.array_equal(exp.labels, labels[exp.indices])
    half = _experiment(fraction=0.5)
    assert 0.3 < half.shuffled_share <= 0.5
    records = list(exp.run())
    assert all(isinstance(r, RandomLabelsEpoch) for r in records)
    first = records[0]
    assert first.true_test_accuracy == first.shuffled_test_accuracy    # one initial network
    assert not _same(exp.true_net, exp.shuffled_net)                    # different lessons


def test_a_different_order_would_be_noticed():
    # the check above can fail: two trainers with different seeds drift apart
    exp = _experiment(fraction=0.0)
    exp.shuffled_trainer.rng = np.random.default_rng(999)
    for _ in exp.run():
        pass
    assert not _same(exp.true_net, exp.shuffled_net)


def test_stop_between_yields_and_blas_threads_restored():
    threads = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    exp = _experiment(epochs=50)
    seen = []
    for record in exp.run():
        seen.append(record.epoch)
        if record.epoch == 2:
            exp.stop()
    assert seen == [0, 1, 2]
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == threads
    exp2 = _experiment(epochs=50)
    gen = exp2.run()
    next(gen), next(gen)
    gen.close()                        # a consumer that simply stops iterating
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == threads


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="train_size"):
        _experiment(train_size=301)
    with pytest.raises(ValueError, match="fraction"):
        _experiment(fraction=1.5)
    with pytest.raises(ValueError, match="input"):
        RandomLabels(_data(30, 1), _data(10, 2), train_size=10, sizes=(100, 5, 10))


def test_the_measured_defaults_are_the_constructors():
    import inspect

    from engine.random_labels import RANDOM_LABELS_DEFAULTS

    parameters = inspect.signature(RandomLabels).parameters
    for name, value in RANDOM_LABELS_DEFAULTS.items():
        assert parameters[name].default == value, name
