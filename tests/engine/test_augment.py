"""Augmentation: distorted copies of images, made per block, seeded, and fed to the
Trainer as it trains."""

from __future__ import annotations

import numpy as np
import pytest
from paths import ROOT

from engine import augment, model_io
from engine.augment import Augmenter, examples, parse_kinds
from engine.network import Network
from engine.sgd import EpochResult, Trainer


def blob_digit():
    """A 28x28 ring (a 0) of ink, 20 pixels across, as MNIST would have it."""
    y, x = np.mgrid[0:28, 0:28] + 0.5
    r = np.hypot(x - 14, y - 14)
    return np.clip(1.5 - np.abs(r - 8.0), 0, 1).astype(np.float32).reshape(-1)


def centre_of_mass(img):
    a = img.reshape(28, 28)
    y, x = np.mgrid[0:28, 0:28]
    return float((a * x).sum() / a.sum()), float((a * y).sum() / a.sum())


def test_parse_kinds():
    assert parse_kinds("on") == augment.KINDS and parse_kinds("off") == ()
    assert parse_kinds("elastic, affine") == ("affine", "elastic")
    with pytest.raises(ValueError, match="unknown augmentation 'wobble'.*affine, elastic"):
        parse_kinds("affine,wobble")


@pytest.mark.parametrize("kw, words", [
    (dict(strength=-1), "strength must be a number of 0 or more"),
    (dict(scale=0.6, strength=2), "scale times strength must be below 1"),
    (dict(kinds=("warp",)), "unknown augmentation 'warp'"),
    (dict(block_size=0), "block_size must be a whole number"),
])
def test_bad_settings_are_refused_with_a_message(kw, words):
    with pytest.raises(ValueError, match=words):
        Augmenter(**kw)


def test_same_seed_same_images_and_originals_untouched():
    x = np.tile(blob_digit(), (50, 1))
    before = x.copy()
    a, b, c = Augmenter(seed=7)(x), Augmenter(seed=7)(x), Augmenter(seed=8)(x)
    assert np.array_equal(x, before)
    assert a.shape == (50, 784) and a.dtype == np.float32
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.min() >= 0 and a.max() <= 1
    # every copy differs from the original and from the others
    assert np.abs(a - x).mean(axis=1).min() > 0.01
    assert len({row.tobytes() for row in a}) == 50


def test_strength_zero_or_no_kinds_change_nothing():
    x = np.tile(blob_digit(), (5, 1))
    assert np.array_equal(Augmenter(strength=0, seed=1)(x), x)
    assert np.array_equal(Augmenter(kinds=(), seed=1)(x), x)


def test_a_fraction_distorts_only_that_share():
    x = np.tile(blob_digit(), (1000, 1))
    aug = Augmenter(seed=2, fraction=0.3)
    out = aug(x)
    changed = np.abs(out - x).max(axis=1) > 0
    assert 0.25 < changed.mean() < 0.35
    assert np.array_equal(out[~changed], x[~changed])
    assert aug.describe()["fraction"] == 0.3 and "fraction" not in Augmenter().describe()
    with pytest.raises(ValueError, match="fraction of images distorted must be above 0"):
        Augmenter(fraction=0)


def test_bilinear_reads_whole_pixel_shifts_exactly():
    img = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    g = np.arange(28, dtype=np.float32)
    sx = np.tile(np.tile(g, 28) + 2.0, (3, 1))       # read two pixels to the right
    sy = np.tile(np.repeat(g, 28) - 1.0, (3, 1))     # and one up
    out = augment._bilinear(img, sx, sy).reshape(3, 28, 28)
    assert np.allclose(out[:, 1:, :26], img[:, :-1, 2:])
    assert np.all(out[:, 0, :] == 0) and np.all(out[:, :, 26:] == 0)   # from outside: zero
    half = augment._bilinear(img, np.tile(np.tile(g, 28) + 0.5, (3, 1)),
                             np.tile(np.repeat(g, 28), (3, 1))).reshape(3, 28, 28)
    assert np.allclose(half[:, :, :27], (img[:, :, :27] + img[:, :, 1:]) / 2, atol=1e-6)


def test_affine_moves_the_digit_within_its_bounds():
    x = np.tile(blob_digit(), (400, 1))
    out = Augmenter(("affine",), seed=3, rotation=0, scale=0, shear=0, shift=2.0)(x)
    shifts = np.array([centre_of_mass(o) for o in out]) - 13.5
    assert np.abs(shifts).max() <= 2.05
    assert np.abs(shifts).max() > 1.5 and np.std(shifts[:, 0]) > 0.8   # uniform on [-2, 2]
    assert np.abs(shifts.mean(axis=0)).max() < 0.25


def test_scale_changes_the_size():
    x = np.tile(blob_digit(), (200, 1))
    out = Augmenter(("affine",), seed=3, rotation=0, scale=0.3, shear=0, shift=0)(x)
    width = [np.ptp(np.flatnonzero(o.reshape(28, 28).max(axis=0) > 0.5)) for o in out]
    assert min(width) <= 14 and max(width) >= 20     # the ring is 17 across


def test_elastic_field_has_simards_size():
    aug = Augmenter(("elastic",), seed=5, sigma=4.0, alpha=34.0)
    bank = aug._bank
    assert bank.shape == (500, 2, 28, 28)
    # smoothing uniform(-1, 1) noise by a Gaussian of sigma 4 leaves a standard deviation
    # of about 0.577 / (2 sqrt(pi) sigma) = 0.041 inside the image (less at the edges)
    inner = bank[:, :, 8:20, 8:20]
    assert 0.03 < inner.std() < 0.05
    # neighbouring displacements are nearly equal (smooth), far ones unrelated
    near = np.corrcoef(inner[:, 0, :, 0].ravel(), inner[:, 0, :, 1].ravel())[0, 1]
    far = np.corrcoef(bank[:, 0, 14, 2], bank[:, 0, 14, 25])[0, 1]
    assert near > 0.9 and abs(far) < 0.2
    x = np.tile(blob_digit(), (20, 1))
    out = aug(x)
    assert 0.02 < np.abs(out - x).mean() < 0.3


def test_thickness_makes_strokes_thicker_and_thinner():
    x = np.tile(blob_digit(), (300, 1))
    out = Augmenter(("thickness",), seed=2, thickness=1.0)(x)
    ink = (out > 0.5).sum(axis=1)
    base = (x[0] > 0.5).sum()
    assert ink.max() > 1.4 * base and ink.min() < 0.8 * base
    assert np.allclose(out.max(axis=1), 1.0)           # brightest pixel stays 1


def test_examples_for_the_training_panel():
    ex = examples(blob_digit(), count=6, seed=4)
    assert ex.shape == (6, 28, 28) and ex.dtype == np.float32
    assert np.array_equal(ex, examples(blob_digit(), count=6, seed=4))
    grid = augment.example_grid([blob_digit(), blob_digit()], per_image=3, seed=1)
    assert grid.shape == (2, 4, 28, 28) and np.array_equal(grid[0, 0].ravel(), blob_digit())
    with pytest.raises(ValueError, match="784 values"):
        examples(np.zeros(10))


class Recorder:
    """An augment callable that returns its input unchanged and remembers the calls."""

    block_size = 64

    def __init__(self):
        self.calls = []

    def __call__(self, rows):
        self.calls.append(rows.copy())
        return rows


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)


def test_trainer_with_an_identity_augment_trains_exactly_as_without():
    train = _data()
    nets = [Network([784, 12, 10], seed=3) for _ in range(2)]
    rec = Recorder()
    for net, aug in zip(nets, (None, rec)):
        for _ in Trainer(net, train, eta=0.5, mini_batch_size=10, epochs=2, seed=9,
                         augment=aug).run():
            pass
    for p, q in zip(nets[0].params, nets[1].params):
        assert np.array_equal(p, q)
    # blocks of whole mini-batches, at least 64 rows (the last of each epoch shorter),
    # covering every image once per epoch
    assert [len(c) for c in rec.calls] == [70, 70, 70, 70, 20] * 2
    seen = np.concatenate(rec.calls[:5])
    assert sorted(map(bytes, seen)) == sorted(map(bytes, train[0]))


def test_trainer_uses_the_augmented_rows():
    train = _data()
    flip = lambda rows: 1.0 - rows            # noqa: E731
    nets = [Network([784, 12, 10], seed=3) for _ in range(2)]
    for net, data, aug in zip(nets, (train, (1.0 - train[0], train[1])), (flip, None)):
        for _ in Trainer(net, data, eta=0.5, mini_batch_size=7, epochs=1, seed=9,
                         augment=aug).run():
            pass
    for p, q in zip(nets[0].params, nets[1].params):
        assert np.allclose(p, q, atol=1e-5)


def test_trainer_refuses_a_bad_augment():
    with pytest.raises(ValueError, match="augment must be a callable"):
        Trainer(Network([784, 5, 10]), _data(), augment="on")
    bad = lambda rows: rows[:, :10]           # noqa: E731
    with pytest.raises(ValueError, match="augment returned shape"):
        list(Trainer(Network([784, 5, 10]), _data(), epochs=1, augment=bad).run())


def test_a_trained_model_still_reads_augmented_mnist(mnist_data):
    """The distortions keep digits digits: the old shipped model, which never saw
    them, still reads most of the distorted test images."""
    net = model_io.load(ROOT / "resources" / "model-784-100-10.npz")
    x, y = mnist_data.test[0][:2000], mnist_data.test[1][:2000]
    plain, _ = net.evaluate(x, y)
    distorted, _ = net.evaluate(Augmenter(seed=1)(x), y)
    assert plain / 2000 > 0.96
    assert 0.70 < distorted / 2000 < plain / 2000 - 0.05   # (0.78 when measured)


def test_augmented_training_learns(mnist_data):
    x, y = mnist_data.training[0][:3000], mnist_data.training[1][:3000]
    net = Network([784, 30, 10], cost="cross-entropy", init="scaled", seed=1)
    records = list(Trainer(net, (x, y), eta=0.5, mini_batch_size=10, epochs=2, seed=1,
                           augment=Augmenter(seed=1), test_data=mnist_data.test).run())
    assert [r for r in records if isinstance(r, EpochResult)][-1].test_accuracy > 0.8


def test_train_command_augments_and_records_it(capsys, tmp_path):
    from mnist_files import write_mnist_folder

    import main
    folder = write_mnist_folder(tmp_path / "mnist", n_train=300, n_test=100)
    model = tmp_path / "m.npz"
    code = main.main(["train", "--data", str(folder), "--epochs", "2", "--no-progress",
                      "--augment", "affine,elastic", "--augment-strength", "0.5",
                      "--augment-fraction", "0.5",
                      "--sizes", "784", "20", "10", "--save", str(model)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Augmented: affine, elastic, strength 0.5, 50% of the images" in out
    meta = model_io.load(model).metadata
    assert meta["augment"]["kinds"] == ["affine", "elastic"]
    assert meta["augment"]["strength"] == 0.5 and meta["augment"]["elastic_alpha"] == 34.0
    assert meta["augment"]["fraction"] == 0.5
    with pytest.raises(SystemExit) as exit_:
        main.main(["train", "--data", str(folder), "--augment", "wobble"])
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and "unknown augmentation 'wobble'" in err
