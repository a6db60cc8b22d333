"""Setup codes: a whole panel setup as one short line of text a teacher can share.

    >>> code = encode("descent", {"dim": 1, "function": "parabola"})
    >>> code.startswith(PREFIX)
    True
    >>> decode(code)
    ('descent', {'dim': 1, 'function': 'parabola'})

A code is ``PREFIX`` + urlsafe base64 (no padding) of zlib-compressed compact JSON
``{"kind": ..., "data": {...}}``. ``kind`` names the panel ("descent", "training"), so
``--setup`` can pick the panel and each panel's checker can read its own setups.

A pasted code is user input: ``decode`` refuses, with a ``SetupCodeError`` saying why,
a wrong prefix, bad base64, a code or its decompressed JSON above a size cap (a zip bomb
is stopped after ``MAX_JSON_BYTES``), JSON nested deeper than ``MAX_DEPTH``, and an
unknown kind. ``check(kind, data)`` then checks every value's type and range and returns
a clean copy; a panel applies that copy only when all of it passed (all or nothing).
A colleague adds a kind with ``CHECKERS[kind] = function(data) -> dict``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from typing import Any, Callable, Dict, Tuple

PREFIX = "gdx1:"
MAX_CODE_CHARS = 8000          # the whole line
MAX_JSON_BYTES = 20_000        # after decompression
MAX_DEPTH = 6                  # {"data": {"methods": [...]}} is 3 deep
MAX_TEXT = 300                 # a formula (engine.formula.MAX_CHARS)


class SetupCodeError(ValueError):
    """A code that cannot be used; the message says why, in the user's terms."""


def encode(kind: str, data: Dict[str, Any]) -> str:
    """The one-line code of ``data`` (JSON-able) for the panel ``kind``."""
    raw = json.dumps({"kind": kind, "data": data}, separators=(",", ":"),
                     ensure_ascii=False, allow_nan=False).encode("utf-8")
    packed = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")
    return PREFIX + packed


def _depth(text: str) -> int:
    """The deepest nesting of [ and { in JSON ``text`` (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def decode(code: str) -> Tuple[str, Dict[str, Any]]:
    """(kind, data) of a code; ``SetupCodeError`` when it is not a readable code."""
    if not isinstance(code, str):
        raise SetupCodeError("A setup code is a line of text.")
    code = "".join(code.split())            # line breaks a mail program may add
    if not code:
        raise SetupCodeError("The clipboard holds no text.")
    if len(code) > MAX_CODE_CHARS:
        raise SetupCodeError(f"This is too long for a setup code ({len(code):,} characters; "
                             f"at most {MAX_CODE_CHARS:,}).")
    if not code.startswith(PREFIX):
        raise SetupCodeError(f"This is not a setup code: setup codes start with {PREFIX!r}.")
    body = code[len(PREFIX):]
    try:
        packed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_",
                                  validate=True)
    except (binascii.Error, ValueError):
        raise SetupCodeError("The setup code is damaged (it has characters a code cannot "
                             "have, or is cut short).") from None
    unzip = zlib.decompressobj()
    try:
        raw = unzip.decompress(packed, MAX_JSON_BYTES + 1)
    except zlib.error:
        raise SetupCodeError("The setup code is damaged (it does not unpack).") from None
    if len(raw) > MAX_JSON_BYTES or unzip.unconsumed_tail:
        raise SetupCodeError(f"The setup code unpacks to more than {MAX_JSON_BYTES:,} bytes; "
                             f"a real setup is far smaller.")
    if not unzip.eof:
        raise SetupCodeError("The setup code is damaged (it is cut short).")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SetupCodeError("The setup code is damaged (not text inside).") from None
    if _depth(text) > MAX_DEPTH:
        raise SetupCodeError(f"The setup code is nested more than {MAX_DEPTH} levels deep; "
                             f"a real setup is not.")
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        raise SetupCodeError("The setup code is damaged (its contents are not JSON).") from None
    if not isinstance(payload, dict) or set(payload) != {"kind", "data"} \
            or not isinstance(payload["data"], dict):
        raise SetupCodeError("The setup code does not hold a setup.")
    kind = payload["kind"]
    if kind not in CHECKERS:
        raise SetupCodeError(f"The setup code is for a panel this version does not know "
                             f"({str(kind)[:40]!r}).")
    return kind, payload["data"]


def check(kind: str, data: Dict[str, Any]) -> Dict[str, Any]:
    """A checked, clean copy of ``data`` for the panel ``kind``."""
    if kind not in CHECKERS:
        raise SetupCodeError(f"No panel reads setups of kind {kind!r}.")
    return CHECKERS[kind](data)


def read(code: str, kind: str = "") -> Tuple[str, Dict[str, Any]]:
    """Decode and check in one call; with ``kind``, refuse a code for another panel."""
    got, data = decode(code)
    if kind and got != kind:
        raise SetupCodeError(f"This setup code is for the {got} panel, not the {kind} panel.")
    return got, check(got, data)


# ------------------------------------------------------------------ value checks
def _number(data, name, lo, hi, integer=False, default=None):
    x = data.get(name, default)
    if x is None:
        raise SetupCodeError(f"The setup has no {name}.")
    if isinstance(x, bool) or not isinstance(x, (int, float)) or \
            (integer and not float(x).is_integer()):
        raise SetupCodeError(f"The setup's {name} is not {'a whole' if integer else 'a'} number.")
    if not (math.isfinite(x) and lo <= x <= hi):
        raise SetupCodeError(f"The setup's {name} ({x!r}) is outside {lo:g} .. {hi:g}.")
    return int(x) if integer else float(x)


def _text(data, name, limit=MAX_TEXT, default=None):
    x = data.get(name, default)
    if not isinstance(x, str):
        raise SetupCodeError(f"The setup's {name} is not text.")
    if len(x) > limit:
        raise SetupCodeError(f"The setup's {name} is too long ({len(x):,} characters; at "
                             f"most {limit}).")
    return x


# The descent panel's settings and their limits (the panel's controls use the same).
DESCENT_LIMITS: Dict[str, Tuple[float, float, bool]] = {
    "eta": (1e-4, 5.0, False), "alpha": (1e-4, 5.0, False), "epsilon": (1e-4, 5.0, False),
    "mu": (0.0, 0.999, False), "rho": (0.0, 0.999, False), "beta1": (0.0, 0.999, False),
    "beta2": (0.0, 0.9999, False), "noise": (0.0, 100.0, False),
    "steps": (1, 5000, True), "seed": (0, 999_999, True), "range": (0.01, 1e4, False),
}
CAMERA_LIMITS = {"distance": (0.5, 500.0), "elevation": (-90.0, 90.0),
                 "azimuth": (-36000.0, 36000.0)}


def check_descent(data: Dict[str, Any]) -> Dict[str, Any]:
    """The descent panel's setup: function, formula and range, start, every rule's
    parameters, the rules ticked, steps, noise and seed, and (optionally) the camera."""
    from engine.optimizers import METHODS
    from engine.surfaces import CURVES, SURFACES

    if not isinstance(data, dict):
        raise SetupCodeError("The setup is not a table of settings.")
    known = {"dim", "function", "formula", "start", "methods", "primary", "same_eta",
             "camera", *DESCENT_LIMITS}
    extra = sorted(str(k)[:20] for k in data if k not in known)
    if extra:
        raise SetupCodeError(f"The setup has settings this version does not know: "
                             f"{', '.join(extra[:5])}.")
    out: Dict[str, Any] = {"dim": _number(data, "dim", 1, 2, integer=True)}
    dim = out["dim"]
    table = SURFACES if dim == 2 else CURVES
    function = _text(data, "function", 40)
    if function != "formula" and function not in table:
        raise SetupCodeError(f"The setup's function {function!r} is not one of this mode's: "
                             f"{', '.join([*table, 'formula'])}.")
    out["function"] = function
    out["formula"] = _text(data, "formula", MAX_TEXT, default="")
    if function == "formula" and not out["formula"].strip():
        raise SetupCodeError("The setup uses a formula but gives none.")
    for name, (lo, hi, integer) in DESCENT_LIMITS.items():
        out[name] = _number(data, name, lo, hi, integer)
    start = data.get("start")
    if not isinstance(start, list) or len(start) != dim:
        raise SetupCodeError(f"The setup's start is not a list of {dim} number(s).")
    out["start"] = [_number({"start": x}, "start", -1e6, 1e6) for x in start]
    methods = data.get("methods")
    if not isinstance(methods, list) or len(methods) > len(METHODS) or \
            not all(isinstance(k, str) and k in METHODS for k in methods):
        raise SetupCodeError(f"The setup's rules are not a list of these names: "
                             f"{', '.join(METHODS)}.")
    out["methods"] = [k for k in METHODS if k in methods]
    primary = data.get("primary", out["methods"][0] if out["methods"] else "gd")
    if not isinstance(primary, str) or (out["methods"] and primary not in out["methods"]):
        raise SetupCodeError("The setup's readout rule is not one of its ticked rules.")
    out["primary"] = primary
    same = data.get("same_eta", False)
    if not isinstance(same, bool):
        raise SetupCodeError("The setup's 'same eta for all' is not true or false.")
    out["same_eta"] = same
    camera = data.get("camera")
    if camera is not None:
        if not isinstance(camera, dict) or set(camera) - set(CAMERA_LIMITS):
            raise SetupCodeError("The setup's camera is not distance, elevation and azimuth.")
        out["camera"] = {k: _number(camera, k, lo, hi) for k, (lo, hi) in CAMERA_LIMITS.items()}
    return out


CHECKERS: Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]] = {"descent": check_descent}
