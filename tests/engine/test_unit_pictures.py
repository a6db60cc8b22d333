"""Hidden units as pictures: the right weights in the right places, and the colours."""

import numpy as np
import pytest

from engine import Network
from engine.unit_pictures import (
    DIVERGING_TABLE,
    diverging_rgba,
    layer_activations,
    outgoing_weights,
    sequential_rgba,
    tile,
    unit_activation,
    unit_grid,
    unit_pictures,
)


@pytest.fixture
def net():
    return Network([784, 12, 5, 10], init="scaled", seed=4)


def test_pictures_hold_each_units_weights_on_the_grid(net):
    pictures, scale = unit_pictures(net)
    assert pictures.shape == (12, 28, 28)
    w = net.weights[0]
    for j in range(12):
        for row, col in ((0, 0), (3, 17), (27, 27), (14, 2)):
            assert pictures[j, row, col] == w[j, 28 * row + col]
    assert scale == pytest.approx(float(np.abs(w).max()))
    pictures[0, 0, 0] += 1.0          # a copy: the network is not changed
    assert pictures[0, 0, 0] != w[0, 0]
    some, _ = unit_pictures(net, units=[3, 7])
    assert np.array_equal(some[1], w[7].reshape(28, 28))
    _, scales = unit_pictures(net, per_unit=True)
    assert np.allclose(scales, np.abs(w).max(axis=1))


def test_diverging_colours_are_symmetric_with_white_zero():
    v = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    rgba = diverging_rgba(v, 1.0)
    assert rgba.dtype == np.uint8 and rgba.shape == (7, 4)
    assert tuple(rgba[3]) == (255, 255, 255, 255)                # zero is white
    assert np.array_equal(rgba[0], rgba[1])                      # clipped beyond the scale
    assert tuple(rgba[1][:3]) == (33, 102, 172)                  # -scale is blue
    assert tuple(rgba[5][:3]) == (178, 24, 43)                   # +scale is red
    assert rgba[2][2] > rgba[2][0] and rgba[4][0] > rgba[4][2]   # bluish, reddish
    # the same size of weight gets the same distance from the middle of the table
    idx = [int(np.flatnonzero((DIVERGING_TABLE == c).all(axis=1))[0]) for c in rgba[[2, 4]]]
    assert idx[0] + idx[1] == len(DIVERGING_TABLE) - 1
    per = diverging_rgba(np.ones((2, 3, 3)), np.array([1.0, 4.0]))
    assert tuple(per[0, 0, 0][:3]) == (178, 24, 43) and per[1, 0, 0][1] > 24
    with pytest.raises(ValueError, match="positive"):
        diverging_rgba(v, 0.0)
    mags = sequential_rgba(np.array([0.0, 1.0]), 1.0)
    assert tuple(mags[0]) == (255, 255, 255, 255) and mags[1][0] < 100


def test_tile_places_picture_i_at_row_i_div_columns():
    images = np.arange(5 * 2 * 3).reshape(5, 2, 3) + 1
    grid = tile(images, columns=2, gap=1, fill=0)
    assert grid.shape == (3 * 3 - 1, 2 * 4 - 1)
    for i in range(5):
        r, c = divmod(i, 2)
        assert np.array_equal(grid[3 * r:3 * r + 2, 4 * c:4 * c + 3], images[i])
    assert grid[2].sum() == 0 and grid[:, 3].sum() == 0       # gaps
    assert grid[6:, 4:].sum() == 0                              # the unused sixth cell


def test_unit_grid_is_all_units_coloured(net):
    grid, scale = unit_grid(net, columns=5)
    assert grid.shape == (3 * 29 - 1, 5 * 29 - 1, 4)
    pictures, _ = unit_pictures(net)
    assert np.array_equal(grid[29:57, 58:86], diverging_rgba(pictures[7], scale))


def test_outgoing_weights_and_activation(net):
    assert np.array_equal(outgoing_weights(net, 3), net.weights[1][:, 3])
    assert np.array_equal(outgoing_weights(net, 2, layer=1), net.weights[2][:, 2])
    with pytest.raises(ValueError, match="no outgoing"):
        outgoing_weights(net, 0, layer=2)
    with pytest.raises(ValueError, match="unit must be"):
        outgoing_weights(net, 12)
    x = np.random.default_rng(0).random(784)
    z = net.weights[0][5] @ x.astype(np.float32) + net.biases[0][5]
    assert unit_activation(net, x, 5) == pytest.approx(1 / (1 + np.exp(-z)), rel=1e-5)
    acts = layer_activations(net, x.reshape(28, 28))
    assert [len(a) for a in acts] == [784, 12, 5, 10]
    assert np.allclose(acts[-1], net.feedforward(x), atol=1e-6)
    with pytest.raises(ValueError, match="784 input values"):
        unit_activation(net, np.zeros(100), 0)


def test_a_network_without_square_inputs_has_no_pictures():
    with pytest.raises(ValueError, match="not a square image"):
        unit_pictures(Network([6, 3, 2], seed=0))
