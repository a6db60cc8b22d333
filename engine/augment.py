"""Distorted copies of training images, made on the fly: more writers than MNIST had.

A network trained on MNIST alone learns MNIST's writers. Distorting each training
image a little, differently every time it is seen, teaches it the digits instead:
Simard, Steinkraus and Platt ("Best practices for convolutional neural networks applied
to visual document analysis", 2003) took a 784-800-10 network from 1.6% test error to
1.1% with affine distortions and to 0.7% with elastic ones. Three kinds are made here:

* ``"affine"``: a random rotation, scale (each axis on its own, so the aspect changes
  too), shear and shift of the whole digit;
* ``"elastic"``: Simard's elastic distortion: a random displacement field (each
  component uniform in [-1, 1] per pixel) smoothed by a Gaussian of standard deviation
  ``sigma`` pixels and scaled by ``alpha``: the stroke wobbles as a different hand's would;
* ``"thickness"``: the stroke made thicker or thinner (a grey dilation or erosion, mixed
  in by a random fraction, so the change is gradual).

All of it is done for a whole block of images at once, with a few NumPy calls over
arrays of (block, 784) values: the affine map and the elastic field are added into one
displacement per output pixel, and one bilinear interpolation reads every distorted
image out of the originals (zero outside them). Gaussian smoothing of a fresh field per
image would cost more than training on it, so the smoothed fields come from a bank of
``bank_size`` fields made once by Simard's recipe; each image mixes two of them,
``cos(phi) F_a + sin(phi) F_b`` with a random angle ``phi``, which is again a smoothed
random field of the same spread (the sum of two independent Gaussian-like fields with
weights whose squares add to 1), so no two images get the same field.

The same seed gives the same distortions, in the same order. Nothing here imports Qt.
"""

from __future__ import annotations

import math
from typing import Iterable, Optional, Sequence

import numpy as np

KINDS = ("affine", "elastic", "thickness")
SIDE = 28
BLOCK_SIZE = 256     # images distorted per call by the trainer (fixed costs shared;
                     # a block this size stays in the cache: 48 us an image, 2048 gave 180)

# The defaults, for strength 1 (the sizes used by Simard et al. 2003 and Ciresan et al.
# 2010 on 28x28 MNIST: rotations up to 15 degrees, scaling up to 15%, sigma 4-6, alpha 34).
DEFAULTS = dict(rotation=12.0, scale=0.15, shear=0.25, shift=1.5, sigma=5.0, alpha=34.0,
                thickness=0.8)


def parse_kinds(text: str) -> tuple:
    """The kinds named in ``text``: "on" / "all" (every kind), "off" / "none" (none), or
    a comma-separated list such as "affine,elastic". Raises ValueError saying what is
    allowed."""
    words = [w.strip().lower() for w in str(text).split(",") if w.strip()]
    if words in (["on"], ["all"], ["yes"]):
        return KINDS
    if words in (["off"], ["none"], ["no"], []):
        return ()
    unknown = [w for w in words if w not in KINDS]
    if unknown:
        raise ValueError(f"unknown augmentation {', '.join(map(repr, unknown))}: use on, off, "
                         f"or a comma-separated list of {', '.join(KINDS)}")
    return tuple(k for k in KINDS if k in words)


def _smoothed_fields(rng: np.random.Generator, count: int, sigma: float) -> np.ndarray:
    """``count`` displacement fields (count, 2, 28, 28) by Simard's recipe, before the
    scaling by alpha: uniform(-1, 1) per pixel, then a Gaussian blur of ``sigma``."""
    from scipy.ndimage import gaussian_filter  # scipy is slow to import: here only
    raw = rng.uniform(-1.0, 1.0, size=(count, 2, SIDE, SIDE))
    return gaussian_filter(raw, sigma=(0, 0, sigma, sigma), mode="constant").astype(np.float32)


class Augmenter:
    """Makes randomly distorted copies of 28x28 images: ``augmenter(images)``.

    ``kinds`` is any of ``KINDS`` (or a string for ``parse_kinds``); ``strength`` scales
    every distortion at once (1 is the defaults, 0 leaves the images as they are). The
    single sizes, for strength 1: ``rotation`` the largest turn in degrees, ``scale``
    the largest relative change of each axis' size, ``shear`` the largest shear factor,
    ``shift`` the largest shift in pixels, ``sigma`` and ``alpha`` the elastic field's
    smoothness and size in pixels, ``thickness`` the largest fraction of a full dilation
    (thicker) or erosion (thinner) mixed in. Each is drawn uniformly per image.
    ``block_size`` tells the trainer how many images to distort per call. ``fraction``
    below 1 distorts only that share of the images (each chosen at random per call) and
    passes the others as they are: the cost falls in proportion.
    """

    def __init__(self, kinds: Iterable[str] | str = KINDS, strength: float = 1.0,
                 seed: Optional[int] = None, *, rotation: float = DEFAULTS["rotation"],
                 scale: float = DEFAULTS["scale"], shear: float = DEFAULTS["shear"],
                 shift: float = DEFAULTS["shift"], sigma: float = DEFAULTS["sigma"],
                 alpha: float = DEFAULTS["alpha"], thickness: float = DEFAULTS["thickness"],
                 block_size: int = BLOCK_SIZE, bank_size: int = 500, fraction: float = 1.0):
        if isinstance(kinds, str):
            kinds = parse_kinds(kinds)
        kinds = tuple(kinds)
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown augmentation {', '.join(map(repr, unknown))}: choose "
                             f"from {', '.join(KINDS)}")
        sizes = dict(rotation=rotation, scale=scale, shear=shear, shift=shift, sigma=sigma,
                     alpha=alpha, thickness=thickness, strength=strength)
        for name, value in sizes.items():
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"the augmentation's {name} must be a number of 0 or more, "
                                 f"got {value!r}")
        if scale * strength >= 1:
            raise ValueError(f"scale times strength must be below 1 (a digit cannot shrink to "
                             f"nothing), got {scale * strength:g}")
        if sigma <= 0 and "elastic" in kinds:
            raise ValueError("the elastic distortion's sigma must be above 0")
        if int(block_size) != block_size or block_size < 1:
            raise ValueError(f"block_size must be a whole number of at least 1, got {block_size!r}")
        self.kinds = tuple(k for k in KINDS if k in kinds)
        self.strength = float(strength)
        self.seed = seed
        self.rotation, self.scale, self.shear, self.shift = rotation, scale, shear, shift
        self.sigma, self.alpha, self.thickness = sigma, alpha, thickness
        if not (isinstance(fraction, (int, float)) and 0 < fraction <= 1):
            raise ValueError(f"the fraction of images distorted must be above 0 and at most "
                             f"1, got {fraction!r}")
        self.block_size = int(block_size)
        self.fraction = float(fraction)
        self.rng = np.random.default_rng(seed)
        self._bank = None
        if "elastic" in self.kinds and alpha * strength > 0:
            self._bank = _smoothed_fields(self.rng, int(bank_size), sigma)
        g = np.arange(SIDE, dtype=np.float32) - (SIDE - 1) / 2.0   # pixel centres, centred
        self._gx = np.tile(g, SIDE)          # (784,) x of each output pixel
        self._gy = np.repeat(g, SIDE)        # (784,) y

    def describe(self) -> dict:
        """The settings, for a saved model's metadata."""
        d = {"kinds": list(self.kinds), "strength": self.strength, "seed": self.seed}
        if self.fraction < 1:
            d["fraction"] = self.fraction
        if "affine" in self.kinds:
            d.update(rotation_deg=self.rotation, scale=self.scale, shear=self.shear,
                     shift_px=self.shift)
        if "elastic" in self.kinds:
            d.update(elastic_sigma=self.sigma, elastic_alpha=self.alpha)
        if "thickness" in self.kinds:
            d.update(thickness=self.thickness)
        return d

    # ------------------------------------------------------------------ the work
    def __call__(self, images) -> np.ndarray:
        """Distorted copies of ``images`` (k, 784) (or (k, 28, 28)), float32 in [0, 1],
        as a new (k, 784) array; the originals are not changed."""
        x = np.asarray(images)
        if x.ndim == 3 and x.shape[1:] == (SIDE, SIDE):
            x = x.reshape(len(x), -1)
        if x.ndim != 2 or x.shape[1] != SIDE * SIDE:
            raise ValueError(f"augmentation takes 28x28 images as rows of 784 values, got "
                             f"shape {x.shape}")
        x = np.ascontiguousarray(x, dtype=np.float32)
        k = len(x)
        s = self.strength
        if k == 0 or s == 0 or not self.kinds:
            return x.copy()
        if self.fraction < 1:
            # distort a random share of the images and leave the rest as they are: the
            # cost falls in proportion (for a small network distorting costs more than
            # training on the image)
            pick = self.rng.random(k) < self.fraction
            out = x.copy()
            if pick.any():
                out[pick] = self._distort(x[pick])
            return out
        return self._distort(x)

    def _distort(self, x: np.ndarray) -> np.ndarray:
        """Every image of ``x`` (k, 784) float32, distorted."""
        k = len(x)
        s = self.strength
        rng = self.rng
        img = x.reshape(k, SIDE, SIDE)
        if "thickness" in self.kinds and self.thickness > 0:
            img = self._thickness(img, rng.uniform(-1.0, 1.0, k).astype(np.float32)
                                  * np.float32(min(1.0, self.thickness * s)))
        # Where each output pixel reads from: p_src = A (p - c) + c - t + elastic(p).
        gx, gy = self._gx, self._gy
        if "affine" in self.kinds:
            th = np.radians(rng.uniform(-self.rotation, self.rotation, k) * s)
            sx = 1.0 + rng.uniform(-self.scale, self.scale, k) * s
            sy = 1.0 + rng.uniform(-self.scale, self.scale, k) * s
            sh = rng.uniform(-self.shear, self.shear, k) * s
            tx = rng.uniform(-self.shift, self.shift, k) * s
            ty = rng.uniform(-self.shift, self.shift, k) * s
            c, si = np.cos(th), np.sin(th)
            # A = R(th) [[1, sh], [0, 1]] diag(1/sx, 1/sy): reading from A p magnifies by s
            a00, a01 = c / sx, (c * sh - si) / sy
            a10, a11 = si / sx, (si * sh + c) / sy
            col = lambda v: v.astype(np.float32)[:, None]   # noqa: E731
            src_x = col(a00) * gx + col(a01) * gy
            src_x += col(tx + (SIDE - 1) / 2.0)
            src_y = col(a10) * gx + col(a11) * gy
            src_y += col(ty + (SIDE - 1) / 2.0)
        else:
            src_x = np.broadcast_to(gx + (SIDE - 1) / 2.0, (k, SIDE * SIDE)).copy()
            src_y = np.broadcast_to(gy + (SIDE - 1) / 2.0, (k, SIDE * SIDE)).copy()
        if self._bank is not None:
            bank = self._bank.reshape(len(self._bank), 2, -1)
            pick = rng.integers(0, len(bank), size=(2, k))
            phi = rng.uniform(0, 2 * np.pi, k)
            ca = (np.cos(phi) * self.alpha * s).astype(np.float32)[:, None]
            cb = (np.sin(phi) * self.alpha * s).astype(np.float32)[:, None]
            fa, fb = bank[pick[0]], bank[pick[1]]          # (k, 2, 784) each
            src_x += ca * fa[:, 0] + cb * fb[:, 0]
            src_y += ca * fa[:, 1] + cb * fb[:, 1]
        return _bilinear(img, src_x, src_y)

    @staticmethod
    def _thickness(img: np.ndarray, amount: np.ndarray) -> np.ndarray:
        """Each image moved towards its grey dilation (amount > 0) or erosion (< 0) by
        |amount|, then scaled back to a brightest pixel of 1: a 3x3 cross for dilation,
        a 2x2 square for erosion (a thin stroke would vanish under a 3x3 one)."""
        k = len(img)
        p = np.zeros((k, SIDE + 2, SIDE + 2), np.float32)
        p[:, 1:-1, 1:-1] = img
        dil = np.maximum(p[:, 1:-1, 1:-1], p[:, :-2, 1:-1])
        np.maximum(dil, p[:, 2:, 1:-1], out=dil)
        np.maximum(dil, p[:, 1:-1, :-2], out=dil)
        np.maximum(dil, p[:, 1:-1, 2:], out=dil)
        ero = np.minimum(p[:, 1:-1, 1:-1], p[:, 2:, 1:-1])
        np.minimum(ero, p[:, 1:-1, 2:], out=ero)
        np.minimum(ero, p[:, 2:, 2:], out=ero)
        dil -= img
        dil *= np.maximum(amount, 0)[:, None, None]
        ero -= img
        ero *= np.maximum(-amount, 0)[:, None, None]
        dil += ero
        dil += img
        peak = dil.reshape(k, -1).max(axis=1)
        np.maximum(peak, 1e-6, out=peak)
        dil *= (1.0 / peak)[:, None, None]
        return dil


def _bilinear(img: np.ndarray, src_x: np.ndarray, src_y: np.ndarray) -> np.ndarray:
    """out[i, p] = img[i] read at (src_x[i, p], src_y[i, p]) with bilinear interpolation,
    zero outside the image. ``img`` (k, 28, 28); the coordinates (k, 784) float32,
    overwritten. Returns (k, 784) float32."""
    k = len(img)
    w = SIDE + 3                      # zeros around each image: one before, two after
    padded = np.zeros((k, w, w), np.float32)
    padded[:, 1:SIDE + 1, 1:SIDE + 1] = img
    flat = padded.reshape(-1)
    # Coordinates from -1 to 28 (zero there): x0 + 1 and y0 + 1 run from 0 to 29, and
    # the neighbours read at +1 stay inside the padded image.
    np.clip(src_x, -1.0, SIDE, out=src_x)
    np.clip(src_y, -1.0, SIDE, out=src_y)
    x0 = np.floor(src_x)
    y0 = np.floor(src_y)
    src_x -= x0                        # now the fractions
    src_y -= y0
    y0 += 1.0
    y0 *= w
    y0 += x0
    y0 += 1.0
    base = y0.astype(np.intp)         # (intp: take converts any other index type)
    base += (np.arange(k, dtype=np.intp) * (w * w))[:, None]
    v00 = flat.take(base)
    base += 1
    v01 = flat.take(base)
    base += w
    v11 = flat.take(base)
    base -= 1
    v10 = flat.take(base)
    v01 -= v00
    v01 *= src_x
    v00 += v01                         # the top row, read at x
    v11 -= v10
    v11 *= src_x
    v10 += v11                         # the bottom row
    v10 -= v00
    v10 *= src_y
    v00 += v10
    np.clip(v00, 0.0, 1.0, out=v00)
    return v00


def examples(image, count: int = 8, kinds: Iterable[str] | str = KINDS,
             strength: float = 1.0, seed: Optional[int] = None) -> np.ndarray:
    """``count`` distorted copies of one image (784 values or 28x28), as (count, 28, 28)
    float32: what the training panel shows to say what augmentation does."""
    x = np.asarray(image, dtype=np.float32).reshape(1, -1)
    if x.shape[1] != SIDE * SIDE:
        raise ValueError(f"an image has 784 values (28x28), got {x.size}")
    if int(count) != count or count < 1:
        raise ValueError(f"count must be a whole number of at least 1, got {count!r}")
    aug = Augmenter(kinds, strength, seed, bank_size=max(8, 2 * int(count)))
    return aug(np.repeat(x, int(count), axis=0)).reshape(-1, SIDE, SIDE)


def example_grid(images: Sequence, per_image: int = 4, kinds: Iterable[str] | str = KINDS,
                 strength: float = 1.0, seed: Optional[int] = None) -> np.ndarray:
    """For each of ``images``, the original then ``per_image`` distorted copies, as
    (len(images), per_image + 1, 28, 28) float32."""
    rows = []
    for i, im in enumerate(images):
        orig = np.asarray(im, dtype=np.float32).reshape(1, SIDE, SIDE)
        rows.append(np.concatenate([orig, examples(im, per_image, kinds, strength,
                                                   None if seed is None else seed + i)]))
    return np.stack(rows)
