"""A drawing turned into the network's input, the way MNIST itself was made.

LeCun, Cortes and Burges describe how the MNIST images were made from NIST's black and
white scans: each digit was "size normalized to fit in a 20x20 pixel box while preserving
its aspect ratio", anti-aliased, which gives grey levels, and "centered in a 28x28 image by
computing the center of mass of the pixels, and translating the image so as to position
this point at the center of the 28x28 field". ``to_mnist`` does the same to a drawing:

1. find the ink's bounding box (pixels brighter than ``INK_THRESHOLD``);
2. scale it so that its longer side becomes 20 pixels, keeping the aspect ratio, by
   *area averaging*: each output pixel is the mean of the drawing over the square it
   covers, which is the ideal anti-aliasing for a shrink;
3. place it so that the ink's centre of mass lands on the centre of the 28x28 field
   (pixel coordinate 14.0, where MNIST's own images have it), to a fraction of a pixel;
4. scale the grey values so that the brightest pixel is 1 (ink bright on dark, as MNIST).

Steps 2 and 3 are one linear map per axis: ``out = Ry @ image @ Rx.T`` with ``Ry`` of
shape (28, height) and ``Rx`` of shape (28, width), whose entries are the overlap of each
drawing pixel with each output pixel. So the whole thing costs a few small matrix products
(well under a millisecond for a 280x280 drawing) and is exactly the same map whatever
the digit's size and place on the pad.

``render_strokes`` is a plain NumPy pen (round, anti-aliased) for drawing digits without
a window: the tests and the benchmark use it. Nothing here imports Qt.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

FIELD = 28          # MNIST images are 28x28 ...
BOX = 20            # ... with the digit's longer side scaled to 20 pixels
CENTRE = 14.0       # where MNIST has its centre of mass (pixel centres at 0, 1, ..., 27)
INK_THRESHOLD = 0.1  # a pixel brighter than this (on a 0..1 scale) counts as ink
MIN_EXTENT = 0.02   # ink smaller than this share of the image's longer side is a speck

EMPTY_MESSAGE = "draw a digit"


class EmptyDrawing(ValueError):
    """The drawing holds no digit (nothing drawn, or only a speck)."""

    def __init__(self, message: str = EMPTY_MESSAGE):
        super().__init__(message)


def as_grey(image) -> np.ndarray:
    """``image`` as a float32 2-D array in [0, 1], ink bright (uint8 is divided by 255)."""
    a = np.asarray(image)
    if a.ndim == 1 and a.size == FIELD * FIELD:
        a = a.reshape(FIELD, FIELD)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"a drawing is a 2-D array of grey values, got shape {a.shape}")
    if a.dtype == np.uint8:
        return a.astype(np.float32) * np.float32(1 / 255)
    a = a.astype(np.float32, copy=False)
    if not np.all(np.isfinite(a)):
        raise ValueError("a drawing's grey values must be finite numbers")
    return a


def ink_box(image, threshold: float = INK_THRESHOLD):
    """(top, bottom, left, right) of the pixels brighter than ``threshold`` (bottom and
    right exclusive), or None when there are none."""
    a = as_grey(image)
    ink = a > threshold
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(ink.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def is_empty(image, threshold: float = INK_THRESHOLD, min_extent: float = MIN_EXTENT) -> bool:
    """True when the drawing holds no digit to guess.

    The rule: no pixel is brighter than ``threshold``, or the ink's bounding box is
    smaller, on its longer side, than ``min_extent`` of the image's longer side (a speck
    left by a click would otherwise be blown up to a 20-pixel blob and "recognised").
    """
    a = as_grey(image)
    box = ink_box(a, threshold)
    if box is None:
        return True
    top, bottom, left, right = box
    return max(bottom - top, right - left) < min_extent * max(a.shape)


def _overlaps(start: float, step: float, n_src: int, n_out: int = FIELD) -> np.ndarray:
    """(n_out, n_src) matrix: row i averages source pixels over [start + i*step,
    start + (i+1)*step), weighting each pixel [j, j+1) by its overlap with that interval."""
    lo = start + step * np.arange(n_out, dtype=np.float64)[:, None]
    hi = lo + step
    j = np.arange(n_src, dtype=np.float64)[None, :]
    overlap = np.minimum(hi, j + 1.0) - np.maximum(lo, j)
    np.clip(overlap, 0.0, None, out=overlap)
    overlap /= step
    return overlap.astype(np.float32)


def to_mnist(image, threshold: float = INK_THRESHOLD, min_extent: float = MIN_EXTENT,
             flat: bool = True, stroke_width: float | None = None) -> np.ndarray:
    """The MNIST-style input for a drawing (see the module's docstring).

    ``image`` is a 2-D array of grey values, ink bright on dark: floats in [0, 1] or
    uint8 (a (784,) MNIST row is taken as 28x28). Returns float32 values in [0, 1],
    shape (784,) (or (28, 28) with ``flat=False``). Raises ``EmptyDrawing`` ("draw a
    digit") when ``is_empty`` says there is no digit. ``stroke_width`` (in output
    pixels, e.g. ``MNIST_STROKE_WIDTH``) first makes the strokes that wide relative to
    the digit's size (``normalize_width``, on a copy of the digit shrunk to
    ``WIDTH_RESOLUTION`` pixels per output pixel: under 1 ms instead of 2-4 ms on a
    280x280 pad, with the same readings of the drawn-digit set); None (the default)
    leaves them as drawn.
    """
    a = as_grey(image)
    if is_empty(a, threshold, min_extent):
        raise EmptyDrawing()
    if stroke_width is not None:
        a = normalize_width(_working_copy(a, stroke_width, threshold), stroke_width, threshold)
    top, bottom, left, right = ink_box(a, threshold)
    crop = np.clip(a[top:bottom, left:right], 0.0, None)
    h, w = crop.shape
    step = max(h, w) / BOX                     # drawing pixels per output pixel
    mass = float(crop.sum())
    cy = float(crop.sum(axis=1) @ (np.arange(h) + 0.5)) / mass
    cx = float(crop.sum(axis=0) @ (np.arange(w) + 0.5)) / mass
    # Output pixel i spans [i, i+1); its centre i + 0.5 sits at CENTRE + 0.5 for the
    # centre of mass, so pixel i covers the drawing from c + (i - CENTRE - 0.5) * step.
    ry = _overlaps(cy - (CENTRE + 0.5) * step, step, h)
    rx = _overlaps(cx - (CENTRE + 0.5) * step, step, w)
    out = ry @ crop @ rx.T
    peak = float(out.max())
    if peak > 0:
        out *= np.float32(1.0 / peak)
    np.clip(out, 0.0, 1.0, out=out)
    return out.reshape(-1) if flat else out


# --------------------------------------------------------------------------- stroke width
# The median stroke width of MNIST's training digits, in pixels of the 28x28 image,
# measured by ``stroke_width_of`` on the images scaled up ten times (bilinear).
MNIST_STROKE_WIDTH = 2.6


# normalize_width works on the digit shrunk to this many pixels per output pixel: the
# distance transforms it needs take ~1 ms each on a 250-pixel digit, ~0.15 ms on an
# 80-pixel one (to_mnist with stroke_width: 0.9 ms a pad picture instead of 2.2-3.5).
# With 4 the drawn-digit set (tests/drawn_digits/) scores as with the full-size drawing
# (784-600-10: 95.7%, 784-100-10: 93.5%); 1 and 2 of its 540 readings change, and
# none from right to wrong without another going from wrong to right.
WIDTH_RESOLUTION = 4


def _working_copy(a: np.ndarray, width: float, threshold: float = INK_THRESHOLD) -> np.ndarray:
    """The digit's ink box, area-averaged so that its longer side is ``WIDTH_RESOLUTION *
    BOX`` pixels, with a margin for strokes ``width`` output pixels wide; ``a`` itself
    when the digit is that small already. ``to_mnist`` scales every size to the same
    20-pixel box, so this changes only how finely the stroke width is worked out."""
    top, bottom, left, right = ink_box(a, threshold)
    longer = max(bottom - top, right - left)
    target = WIDTH_RESOLUTION * BOX
    if longer <= target:
        return a
    step = longer / target                             # drawing pixels per new pixel
    m = int(np.ceil(width * WIDTH_RESOLUTION / 2)) + 2  # margin, in new pixels
    ry = _overlaps(-m * step, step, bottom - top, int(np.ceil((bottom - top) / step)) + 2 * m)
    rx = _overlaps(-m * step, step, right - left, int(np.ceil((right - left) / step)) + 2 * m)
    return ry @ a[top:bottom, left:right] @ rx.T


def stroke_width_of(image, threshold: float = 0.5) -> float:
    """The typical width of the strokes in ``image``, in its own pixels.

    For a band of width w every distance from an ink pixel to the nearest non-ink pixel
    between 0 and w/2 is equally common, so the mean of those distances is w/4. Returns
    0 for an image without ink. Good for images whose strokes are several pixels wide
    (a drawing on the pad); a 28x28 image should be scaled up first.
    """
    from scipy.ndimage import distance_transform_edt  # scipy is slow to import
    ink = as_grey(image) > threshold
    if not ink.any():
        return 0.0
    inside = distance_transform_edt(ink)
    # an ink pixel next to the edge is 1 from it; its centre is half a pixel inside
    return float(4.0 * (inside[ink].mean() - 0.5))


def normalize_width(image, width: float = MNIST_STROKE_WIDTH,
                    threshold: float = INK_THRESHOLD, tolerance: float = 0.15) -> np.ndarray:
    """The drawing with its strokes made ``width`` output pixels wide, relative to the
    digit's size: a pen stroke 22 units wide is thin on a digit 250 units tall and fat
    on one 80 units tall, but MNIST's strokes are about the same share of every digit.

    The ink is thickened (or thinned) by the difference, with a soft edge, using the
    distance of each pixel to the ink (or to the background). Within ``tolerance`` of
    ``width`` the drawing is returned as it is. Thinning stops at half the width it
    has, so that no stroke disappears.
    """
    from scipy.ndimage import distance_transform_edt
    a = as_grey(image)
    box = ink_box(a, threshold)
    if box is None:
        return a
    top, bottom, left, right = box
    step = max(bottom - top, right - left) / BOX       # drawing pixels per output pixel
    want = width * step
    # work on the digit's box and a margin that thickening may fill (3-5x faster)
    m = int(np.ceil(want / 2)) + 2
    t0, l0 = max(0, top - m), max(0, left - m)
    b0, r0 = min(a.shape[0], bottom + m), min(a.shape[1], right + m)
    crop = a[t0:b0, l0:r0]
    have = stroke_width_of(crop)
    if have <= 0 or abs(want - have) <= tolerance * want:
        return a
    ink = crop > 0.5
    if want > have:                                    # thicken by r on each side
        r = (want - have) / 2
        dist = distance_transform_edt(~ink)
        new = np.maximum(crop, np.clip(r - dist + 0.5, 0.0, 1.0))
    else:
        r = min((have - want) / 2, have / 4)           # thin, keeping half the width
        dist = distance_transform_edt(ink)
        new = np.minimum(crop, np.clip(dist - r + 0.5, 0.0, 1.0))
    out = a.copy()
    out[t0:b0, l0:r0] = new
    return out


# --------------------------------------------------------------------------- an answer
# When the pad should also name the runner-up ("8, or perhaps 6"): the shares are each
# output's part of the sum of all ten (what the pad shows as confidence). Set from the
# drawn-digit test set (tests/drawn_digits/, score_models.py --runner-up): see the README.
RUNNER_UP_RATIO = 0.25   # the runner-up's share is at least this part of the first's ...
RUNNER_UP_LOW = 0.6      # ... or the first's share is below this


def runner_up(outputs, ratio: float = RUNNER_UP_RATIO, low: float = RUNNER_UP_LOW):
    """The second most likely digit when the answer is not sure, else None.

    ``outputs`` are the network's ten outputs (any non-negative scores). The runner-up
    is named when its share of the ten is at least ``ratio`` times the first's (the top
    two are close), or when the first's share is below ``low`` (nothing stands out).
    Outputs that are all zero, or not ten finite numbers, give None.
    """
    out = np.asarray(outputs, dtype=np.float64).reshape(-1)
    if out.shape != (10,) or not np.all(np.isfinite(out)) or out.min() < 0:
        return None
    total = out.sum()
    if total <= 0:
        return None
    second, first = np.argsort(out)[-2:]
    if out[second] >= ratio * out[first] or out[first] / total < low:
        return int(second)
    return None


# --------------------------------------------------------------------------- a pen
def render_strokes(strokes: Iterable[Sequence[Sequence[float]]], size: int = 280,
                   width: float = 22.0) -> np.ndarray:
    """Draw ``strokes`` with a round, anti-aliased pen; returns (size, size) float32 in
    [0, 1], ink bright on dark.

    Each stroke is a sequence of (x, y) points in pixels (x to the right, y down, pixel
    centres at 0.5, 1.5, ...); consecutive points are joined by straight segments, a
    single point makes a dot. ``width`` is the pen's diameter in pixels.
    """
    img = np.zeros((size, size), dtype=np.float32)
    r = width / 2.0
    centres = np.arange(size, dtype=np.float32) + 0.5
    for stroke in strokes:
        pts = np.asarray(stroke, dtype=np.float32).reshape(-1, 2)
        if len(pts) == 0:
            continue
        if len(pts) == 1:
            pts = np.vstack([pts, pts])
        for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
            # only the pixels near the segment's bounding box need work
            xa, xb = int(max(0, min(x0, x1) - r - 2)), int(min(size, max(x0, x1) + r + 2))
            ya, yb = int(max(0, min(y0, y1) - r - 2)), int(min(size, max(y0, y1) + r + 2))
            if xa >= xb or ya >= yb:
                continue
            px = centres[None, xa:xb]
            py = centres[ya:yb, None]
            dx, dy = x1 - x0, y1 - y0
            length2 = dx * dx + dy * dy
            if length2 > 0:
                t = np.clip(((px - x0) * dx + (py - y0) * dy) / length2, 0.0, 1.0)
            else:
                t = np.zeros((1, 1), dtype=np.float32)
            dist = np.hypot(px - (x0 + t * dx), py - (y0 + t * dy))
            cover = np.clip(r - dist + 0.5, 0.0, 1.0)
            np.maximum(img[ya:yb, xa:xb], cover, out=img[ya:yb, xa:xb])
    return img
