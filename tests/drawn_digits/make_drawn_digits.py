"""Makes ``drawn_digits.json``: digits in six handwriting styles as stroke point lists.

Run from the project folder: ``.venv/bin/python tests/drawn_digits/make_drawn_digits.py``
(``--sheet PATH`` also writes a contact sheet PNG of every digit, to look at them).

Each digit comes from a template: strokes in a unit box (x to the right, y down, 0..1),
drawn the way a person moves the pen, one template per digit and style. Each sample
then gets its own size (digit height 110-230 pad units of the 280-unit pad), aspect,
slant, small turn, place on the pad, a smooth wobble along its strokes and a pen width
(thin 9 to bold 30). Points are resampled every ``SPACING`` pad units: the test moves the
mouse through exactly these points. The same seed gives the same file.

The styles:

* ``print``: school print: a 1 as one bar, a 4 open at the top, a 7 without bar;
* ``round``: round closed bowls and curled tails: a 6 curling in at the top, a 9 whose
  tail curls back to the left, round 2, 3 and 5;
* ``continental``: a 1 with a long flag, a 7 with a crossbar, a 4 with a crossing
  stem, a narrow 0, a flat-topped 3, a 9 with a straight stem;
* ``angular``: straight segments and corners: a closed-top 4, a 1 with serifs, an
  angular 2, 5 and 6;
* ``italic``: cursive forms slanted well to the right: a 2 with a loop, a one-stroke 8,
  a 9 with a curved tail;
* ``double``: print shapes gone over twice with a thin pen, the second line a little off
  the first.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "drawn_digits.json"
PAD = 280
SPACING = 11.0          # pad units between the points the mouse visits
STYLES = ("print", "round", "continental", "angular", "italic", "double")
PER_DIGIT_AND_STYLE = 9
SEED = 2026


def arc(cx, cy, rx, ry, a0, a1, n=None):
    """Points on an ellipse from angle a0 to a1 in degrees (y down: 90 is the bottom)."""
    n = n or max(4, int(abs(a1 - a0) / 10))
    t = np.radians(np.linspace(a0, a1, n))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in t]


def fig8(n=64):
    """A one-stroke 8: from the top, down the right of the upper loop, across, round the
    lower loop and back up."""
    pts = []
    for t in np.linspace(0, 2 * np.pi, n):
        y = 0.5 - 0.5 * math.cos(t)
        x = 0.5 + 0.48 * math.sin(2 * t) * (0.85 if y < 0.5 else 1.0)
        pts.append((x, y))
    return pts


# Templates: {digit: {style: (aspect width/height, [stroke, ...])}}; a style without
# its own form of a digit uses "print"'s.
T = {
    0: {
        "print": (0.7, [arc(.5, .5, .5, .5, -95, 275)]),
        "round": (0.9, [arc(.5, .5, .5, .5, -80, 290)]),
        "continental": (0.5, [arc(.5, .5, .5, .5, -100, 262)]),
        "angular": (0.65, [[(.35, 0), (.65, 0), (1, .25), (1, .75), (.65, 1), (.35, 1),
                            (0, .75), (0, .25), (.38, 0)]]),
        "italic": (0.7, [arc(.5, .5, .5, .5, -60, 300)]),
    },
    1: {
        "print": (0.12, [[(.5, 0), (.5, 1)]]),
        "round": (0.3, [[(0, .3), (.9, 0), (.9, 1)]]),
        "continental": (0.5, [[(0, .42), (.75, 0), (.75, 1)]]),
        "angular": (0.55, [[(.15, .22), (.55, 0), (.55, 1)], [(.05, 1), (.95, 1)]]),
        "italic": (0.3, [[(.2, .15), (.7, 0), (.5, 1)]]),
    },
    2: {
        "print": (0.75, [arc(.5, .3, .48, .3, 190, 370)[:-1]
                         + [(.85, .5), (.5, .75), (0, 1), (.5, 1), (1, 1)]]),
        "round": (0.75, [arc(.5, .3, .47, .3, 185, 365)
                         + [(.8, .6), (.45, .82), (.15, .96)]
                         + arc(.18, .86, .12, .1, 90, -200)[1:] + [(.55, .98), (1, .95)]]),
        "continental": (0.7, [arc(.5, .28, .5, .28, 195, 360) + [(0, 1), (1, 1)]]),
        "angular": (0.75, [[(0, .22), (.3, 0), (.75, 0), (1, .25), (0, 1), (1, 1)]]),
        "italic": (0.8, [arc(.55, .28, .45, .28, 190, 375)[:-1]
                         + [(.55, .62), (.1, .95)] + arc(.18, .86, .14, .12, 70, -200)[1:]
                         + [(.6, .98), (1, .93)]]),
    },
    3: {
        "print": (0.7, [arc(.45, .25, .45, .25, 205, 450) + arc(.45, .74, .52, .26, -90, 150)]),
        "round": (0.75, [arc(.5, .27, .46, .27, 190, 440) + arc(.5, .73, .5, .27, -80, 165)]),
        "continental": (0.7, [[(.05, 0), (.95, 0), (.4, .38)]
                              + arc(.45, .68, .52, .31, -80, 155)]),
        "angular": (0.65, [[(0, 0), (1, 0), (.35, .45), (.9, .55), (1, .8), (.75, 1),
                            (.25, 1), (0, .85)]]),
        "italic": (0.75, [arc(.5, .25, .42, .25, 210, 445) + arc(.5, .73, .5, .27, -85, 160)]),
    },
    4: {
        "print": (0.75, [[(.25, 0), (0, .65), (1, .65)], [(.75, .2), (.75, 1)]]),
        "round": (0.75, [[(.35, 0), (.05, .55)] + arc(.3, .55, .25, .12, 180, 90)[1:]
                         + [(1, .64)], [(.75, .25), (.73, 1)]]),
        "continental": (0.7, [[(.3, 0), (.05, .6), (1, .6)], [(.7, .15), (.7, 1)]]),
        "angular": (0.75, [[(.72, 1), (.72, 0), (0, .68), (1, .68)]]),
        "italic": (0.75, [[(.3, 0), (0, .62), (1, .62)], [(.78, .18), (.68, 1)]]),
    },
    5: {
        "print": (0.7, [[(.95, 0), (.2, 0), (.12, .45)] + arc(.45, .7, .52, .3, -135, 150)[1:]]),
        "round": (0.75, [[(.18, 0), (.12, .42)] + arc(.5, .68, .48, .32, -140, 155)[1:],
                         [(.18, 0), (.95, .02)]]),
        "continental": (0.7, [[(.15, 0), (.1, .45)] + arc(.45, .7, .5, .3, -140, 150)[1:],
                              [(.12, .02), (1, 0)]]),
        "angular": (0.7, [[(1, 0), (.05, 0), (.05, .45), (.75, .45), (1, .65), (1, .85),
                           (.75, 1), (0, 1)]]),
        "italic": (0.75, [[(.2, .05), (.12, .45)] + arc(.45, .7, .5, .3, -140, 150)[1:],
                          [(.2, .04), (.6, .02), (1, 0)]]),
    },
    6: {
        "print": (0.7, [[(.85, 0), (.45, .15), (.12, .45), (0, .7)]
                        + arc(.5, .71, .5, .29, 180, 535)]),
        "round": (0.8, [arc(.55, .36, .4, .36, -45, -190)
                        + arc(.5, .68, .46, .32, 180, 540)]),
        "continental": (0.6, [[(.8, 0), (.1, .55)] + arc(.5, .75, .48, .25, 200, 560)]),
        "angular": (0.7, [[(.9, 0), (.05, .45), (0, 1), (1, 1), (1, .5), (.03, .5)]]),
        "italic": (0.75, [arc(.75, .45, .55, .45, -80, -170)
                          + arc(.45, .72, .45, .28, 180, 530)]),
    },
    7: {
        "print": (0.7, [[(0, 0), (1, 0), (.35, 1)]]),
        "round": (0.7, [[(0, .05), (1, 0)] + arc(1.4, 1, 1.05, 1, -90, -180, 10)]),
        "continental": (0.7, [[(0, .12), (.08, 0), (1, 0), (.4, 1)], [(.3, .52), (.9, .48)]]),
        "angular": (0.7, [[(0, .2), (0, 0), (1, 0), (.45, 1)]]),
        "italic": (0.75, [[(0, .05), (1, 0), (.3, 1)], [(.25, .55), (.85, .5)]]),
    },
    8: {
        "print": (0.7, [arc(.5, .25, .42, .25, 0, 360), arc(.5, .74, .5, .26, -90, 270)]),
        "round": (0.8, [arc(.5, .26, .4, .26, 0, 360), arc(.5, .74, .5, .26, -90, 270)]),
        "continental": (0.6, [arc(.5, .23, .4, .23, -90, 270), arc(.5, .72, .5, .28, -90, 270)]),
        "angular": (0.65, [fig8()]),
        "italic": (0.7, [fig8()]),
    },
    9: {
        "print": (0.65, [arc(.5, .28, .5, .28, 0, 360) + [(.98, .65), (.95, 1)]]),
        "round": (0.75, [arc(.5, .32, .5, .32, 0, -360)
                         + arc(.6, .7, .4, .3, 0, 150)[1:]]),
        "continental": (0.6, [arc(.5, .27, .5, .27, 0, 360), [(1, .1), (1, 1)]]),
        "angular": (0.65, [[(1, .1), (1, 0), (0, 0), (0, .5), (1, .5), (1, .1), (1, 1)]]),
        "italic": (0.75, [arc(.5, .3, .45, .3, 10, 370) + [(.9, .6), (.75, .9)]
                          + arc(.45, .9, .3, .1, 0, 160)[1:]]),
    },
}


def template(digit: int, style: str):
    forms = T[digit]
    return forms.get(style if style != "double" else "print", forms["print"])


def resample(points, spacing=SPACING):
    """Points along the polyline every ``spacing`` units (ends kept)."""
    p = np.asarray(points, dtype=float)
    if len(p) == 1:
        return p
    seg = np.hypot(*np.diff(p, axis=0).T)
    s = np.concatenate([[0], np.cumsum(seg)])
    total = s[-1]
    n = max(2, int(math.ceil(total / spacing)) + 1)
    t = np.linspace(0, total, n)
    return np.stack([np.interp(t, s, p[:, 0]), np.interp(t, s, p[:, 1])], axis=1)


def make_sample(digit: int, style: str, rng: np.random.Generator) -> dict:
    aspect, strokes = template(digit, style)
    height = rng.uniform(110, 230)
    aspect *= rng.uniform(0.85, 1.15)
    width = max(height * aspect, 6.0)
    slant = rng.uniform(-0.08, 0.22) + (0.3 if style == "italic" else 0.0)
    turn = math.radians(rng.uniform(-6, 6))
    c, s = math.cos(turn), math.sin(turn)
    pen = {"double": rng.uniform(8, 12)}.get(style, rng.uniform(9, 30))
    pen = min(pen, 0.15 * height)           # a bold pen on a small digit fills its bowls
    # place the box on the pad with a margin for the pen and the slant
    margin = pen / 2 + 6 + abs(slant) * height / 2
    half_w, half_h = width / 2 + margin, height / 2 + pen / 2 + 6
    cx = rng.uniform(min(half_w, PAD / 2), max(PAD - half_w, PAD / 2))
    cy = rng.uniform(min(half_h, PAD / 2), max(PAD - half_h, PAD / 2))
    wobble_a = rng.uniform(0, 0.025, 2) * height          # a slow wobble along strokes
    wobble_f = rng.uniform(1.0, 2.5, 2)
    wobble_p = rng.uniform(0, 2 * np.pi, 2)
    out = []
    passes = 2 if style == "double" else 1
    for stroke in strokes:
        for k in range(passes):
            p = np.asarray(stroke, dtype=float) - 0.5
            x = p[:, 0] * width
            y = p[:, 1] * height
            x = x - slant * y                      # slant: the top leans to the right
            x, y = c * x - s * y, s * x + c * y
            pts = resample(np.stack([x + cx, y + cy], axis=1))
            u = np.linspace(0, 1, len(pts))
            pts[:, 0] += wobble_a[0] * np.sin(2 * np.pi * wobble_f[0] * u + wobble_p[0])
            pts[:, 1] += wobble_a[1] * np.sin(2 * np.pi * wobble_f[1] * u + wobble_p[1])
            pts += rng.normal(0, 0.6, pts.shape)
            if k == 1:                              # the second pass: a little off
                pts += rng.uniform(-1, 1, 2) * pen * 0.45
            pts = np.clip(pts, 2, PAD - 2)
            out.append([[round(float(a)), round(float(b))] for a, b in pts])
    return {"digit": digit, "style": style, "pen": round(float(pen), 1), "strokes": out}


def make_all(seed: int = SEED) -> list:
    rng = np.random.default_rng(seed)
    return [make_sample(d, st, rng) for st in STYLES for d in range(10)
            for _ in range(PER_DIGIT_AND_STYLE)]


def contact_sheet(samples, path, size=56, per_row=27):
    """A PNG of every sample, drawn with engine.digits.render_strokes (ink dark)."""
    import struct
    import sys
    import zlib
    sys.path.insert(0, str(HERE.parent.parent))
    from engine.digits import render_strokes
    rows = -(-len(samples) // per_row)
    sheet = np.full((rows * size, per_row * size), 255, np.uint8)
    for i, smp in enumerate(samples):
        img = render_strokes(smp["strokes"], size=PAD, width=smp["pen"])
        small = img.reshape(size - 2 if False else 28, 10, 28, 10).mean(axis=(1, 3))
        small = np.kron(small, np.ones((2, 2)))
        r, c = divmod(i, per_row)
        tile = (255 * (1 - small)).astype(np.uint8)
        tile[0, :] = tile[:, 0] = 160
        sheet[r * size:(r + 1) * size, c * size:(c + 1) * size] = tile
    h, w = sheet.shape
    raw = b"".join(b"\x00" + sheet[i].tobytes() for i in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n"
                          + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                          + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sheet", metavar="PNG", help="also write a contact sheet of every digit")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    samples = make_all()
    text = json.dumps({"pad": PAD, "seed": SEED, "styles": list(STYLES), "samples": samples},
                      separators=(",", ":"))
    Path(args.out).write_text(text.replace('{"digit"', '\n{"digit"') + "\n")
    print(f"{len(samples)} digits in {len(STYLES)} styles -> {args.out} "
          f"({len(text) // 1024} KB)")
    if args.sheet:
        contact_sheet(samples, args.sheet)
        print(f"contact sheet -> {args.sheet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
