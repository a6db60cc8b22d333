"""Hidden units as pictures: what each neuron of the first hidden layer looks for.

A neuron j of the first hidden layer computes sigma(w_j . x + b_j), where x holds the 784
pixels of the image and w_j = ``weights[0][j]`` its 784 incoming weights, one per pixel.
Put those 784 weights back on the 28x28 grid and you see which pixels push the neuron
on (positive weights, drawn red) and which push it off (negative weights, drawn blue);
zero is white. The neuron fires when the image's ink falls on its red pixels and not on
its blue ones: the picture is the pattern it detects (3Blue1Brown shows these pictures;
Nielsen, chapter 1, hopes for "edges" and "loops" and admits the network finds
something less tidy).

The colour scale is symmetric: the same shade of red and of blue means the same size of
weight, and white is exactly zero. With one scale for all units (the default) you can
compare units; with ``per_unit=True`` each picture uses its own largest weight, which
shows the faint units' patterns.

``diverging_rgba`` turns any array of signed values into colours in one vectorised pass
(a 255-colour lookup table indexed by the scaled value), so 100 units are coloured in
well under a millisecond; ``tile`` lays many pictures out in one image, so a view can
draw all units with a single image.
"""

from __future__ import annotations

import math

import numpy as np

from engine.digit_cost import as_input
from engine.network import Network

# ColorBrewer's RdBu, reversed (blue for negative, red for positive), with pure white at 0.
_DIVERGING = np.array([
    (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240), (255, 255, 255),
    (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43)], dtype=np.float64)
# White to a dark purple, for sizes (|gradient|) that have no sign.
_SEQUENTIAL = np.array([
    (255, 255, 255), (218, 218, 235), (188, 189, 220), (158, 154, 200), (117, 107, 177),
    (84, 39, 143), (63, 0, 125)], dtype=np.float64)
LEVELS = 255    # odd, so that the middle entry (index 127) is exactly zero


def _table(anchors: np.ndarray, levels: int = LEVELS) -> np.ndarray:
    """(levels, 4) uint8 RGBA: ``anchors`` linearly interpolated, opaque."""
    t = np.linspace(0.0, len(anchors) - 1, levels)
    rgb = np.stack([np.interp(t, np.arange(len(anchors)), anchors[:, c]) for c in range(3)], 1)
    out = np.empty((levels, 4), np.uint8)
    out[:, :3] = np.rint(rgb)
    out[:, 3] = 255
    return out


DIVERGING_TABLE = _table(_DIVERGING)
SEQUENTIAL_TABLE = _table(_SEQUENTIAL)


def image_side(net: Network) -> int:
    """The side of the square input image (28 for MNIST); an error if it is not square."""
    n_in = net.sizes[0]
    side = math.isqrt(n_in)
    if side * side != n_in:
        raise ValueError(f"the network's {n_in} inputs are not a square image, so its units "
                         f"cannot be drawn as pictures")
    return side


def _check_layer(net: Network, layer: int) -> int:
    if not isinstance(layer, (int, np.integer)) or not 0 <= layer < net.num_layers - 1:
        raise ValueError(f"layer must be 0 to {net.num_layers - 2} (the index of a weight "
                         f"matrix), got {layer!r}")
    return int(layer)


def _check_unit(net: Network, unit: int, layer: int = 0) -> int:
    n = net.sizes[layer + 1]
    if not isinstance(unit, (int, np.integer)) or not 0 <= unit < n:
        raise ValueError(f"unit must be 0 to {n - 1}, got {unit!r}")
    return int(unit)


def unit_pictures(net: Network, units=None, per_unit: bool = False):
    """The first hidden layer's incoming weights as pictures, and their colour scale.

    Returns ``(pictures, scale)``: ``pictures`` has shape (n_units, 28, 28) (a copy, in the
    network's dtype), ``pictures[j]`` being unit j's weights ``weights[0][j]`` on the
    pixel grid; ``scale`` is the largest |weight| among them (a float), so that the
    colour scale runs from -scale (blue) through 0 (white) to +scale (red). With
    ``per_unit=True`` it is an array of shape (n_units,), each picture's own largest
    |weight|. ``units`` picks some units (a list of indices); None takes them all.
    """
    side = image_side(net)
    w = net.weights[0]
    if units is not None:
        units = np.asarray(units, dtype=np.intp).reshape(-1)
        if units.size and (units.min() < 0 or units.max() >= len(w)):
            raise ValueError(f"unit indices must be 0 to {len(w) - 1}")
        w = w[units]
    pictures = np.array(w, copy=True).reshape(len(w), side, side)
    biggest = np.abs(pictures).reshape(len(w), -1).max(axis=1) if len(w) else np.zeros(0)
    if per_unit:
        scale = np.where(biggest > 0, biggest, 1.0)
    else:
        top = float(biggest.max()) if len(biggest) else 0.0
        scale = top if top > 0 else 1.0
    return pictures, scale


def _lookup(values, scale, table, lo: float) -> np.ndarray:
    """Index ``table`` by ``values`` scaled so that [lo * scale, scale] spans the table."""
    v = np.asarray(values, dtype=np.float32)
    s = np.asarray(scale, dtype=np.float32)
    if s.ndim:      # one scale per picture: broadcast over the picture's other axes
        s = s.reshape(s.shape + (1,) * (v.ndim - s.ndim))
    if np.any(~np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("the colour scale must be a positive number")
    n = len(table) - 1
    t = v * (np.float32(n / (1.0 - lo)) / s)
    t += np.float32(-lo * n / (1.0 - lo))
    np.clip(t, 0, n, out=t)
    np.rint(t, out=t)
    return table.take(t.astype(np.intp), axis=0)


def diverging_rgba(values, scale) -> np.ndarray:
    """Signed ``values`` as colours: -scale blue, 0 white, +scale red (clipped beyond).

    ``values`` has any shape (e.g. (n_units, 28, 28)); the result has that shape plus a
    last axis of 4: uint8 red, green, blue, alpha (opaque), ready for a QImage in
    Format_RGBA8888. ``scale`` is a positive float, or one per picture (shape
    (n_units,)) as ``unit_pictures(per_unit=True)`` returns.
    """
    return _lookup(values, scale, DIVERGING_TABLE, -1.0)


def sequential_rgba(values, scale) -> np.ndarray:
    """Sizes (>= 0) as colours from white (0) to dark purple (``scale`` and above).

    For drawings without a sign, such as |dC/dw| on the unit pictures; same shapes as
    ``diverging_rgba``.
    """
    return _lookup(values, scale, SEQUENTIAL_TABLE, 0.0)


def tile(images: np.ndarray, columns: int = 10, gap: int = 1, fill=255) -> np.ndarray:
    """Lay out ``images`` of shape (n, h, w, ...) in a grid, row by row.

    Returns one array of shape (rows*(h+gap)-gap, columns*(w+gap)-gap, ...), the empty
    gaps and unused cells set to ``fill`` (white for RGBA uint8). Picture i sits at grid
    row i // columns, column i % columns.
    """
    images = np.asarray(images)
    if images.ndim < 3:
        raise ValueError(f"tile needs images of shape (n, h, w, ...), got {images.shape}")
    n, h, w = images.shape[:3]
    rest = images.shape[3:]
    columns = max(1, min(int(columns), max(n, 1)))
    rows = max(1, -(-n // columns))
    cells = np.full((rows * columns, h + gap, w + gap) + rest, fill, images.dtype)
    cells[:n, :h, :w] = images
    # (row, column, y, x) -> (row, y, column, x): one copy puts every picture in place
    grid = cells.reshape((rows, columns, h + gap, w + gap) + rest).swapaxes(1, 2)
    grid = grid.reshape((rows * (h + gap), columns * (w + gap)) + rest)
    return np.ascontiguousarray(grid[:rows * (h + gap) - gap, :columns * (w + gap) - gap])


def unit_grid(net: Network, columns: int = 10, per_unit: bool = False, gap: int = 1):
    """All first-layer units drawn at once: (RGBA image of the grid, scale).

    The grid holds ``unit_pictures`` coloured by ``diverging_rgba`` and laid out by
    ``tile``: unit j at row j // columns, column j % columns, each 28x28 with ``gap``
    white pixels between them. One call does the whole redraw after the weights change.
    """
    pictures, scale = unit_pictures(net, per_unit=per_unit)
    return tile(diverging_rgba(pictures, scale), columns, gap), scale


def outgoing_weights(net: Network, unit: int, layer: int = 0) -> np.ndarray:
    """The weights from ``unit`` (a neuron fed by ``weights[layer]``) to the next layer.

    For the first hidden layer of 784-30-10 these are the 10 weights ``weights[1][:, unit]``
    by which the unit votes for each digit: positive means "when I fire, it looks like
    this digit". An error for the output layer, which feeds nothing.
    """
    layer = _check_layer(net, layer)
    unit = _check_unit(net, unit, layer)
    if layer + 1 >= net.num_layers - 1:
        raise ValueError("the output layer's neurons have no outgoing weights")
    return np.array(net.weights[layer + 1][:, unit], copy=True)


def layer_activations(net: Network, x) -> list:
    """Every layer's activations for one input ``x``: [x, a^1, ..., a^L] (1-D arrays).

    ``layer_activations(net, x)[1][j]`` is first-layer unit j's activation on ``x``,
    sigma(w_j . x + b_j), a number in (0, 1) for sigmoid units.
    """
    a = as_input(net, x)
    out = [a]
    for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
        a = net._layer_activation(layer).apply(w @ a + b)
        out.append(a)
    return out


def unit_activation(net: Network, x, unit: int, layer: int = 0) -> float:
    """The activation of ``unit`` (fed by ``weights[layer]``) on the input ``x``."""
    layer = _check_layer(net, layer)
    unit = _check_unit(net, unit, layer)
    return float(layer_activations(net, x)[layer + 1][unit])
