"""The training panel's setup as a setup code (kind "training"), and its check.

A training setup is what the training panel's ``settings_state()`` gives: each field's
text as typed (``sizes`` "784, 30, 10", ``eta`` "3.0", ``m`` "10", ``images`` "all",
...), the preset's name, ``monitor`` "0"/"1" and ``augment`` (a code made before it
existed gets "off"). ``check_training(data)`` checks every
value with the same rules as the panel's fields (``engine.hyperparams``: the same limits
and messages), so a setup that passes is one the panel takes whole, with no value
dropped; anything else raises ``SetupCodeError`` naming the first bad value. Importing
this module adds the kind to ``engine.setup_codes.CHECKERS``.

    >>> from engine import setup_codes
    >>> code = encode_training(BOOK)
    >>> setup_codes.read(code, "training")[1]["eta"]
    '3.0'
"""

from __future__ import annotations

from typing import Any, Dict

from engine import hyperparams, setup_codes
from engine.activations import ACTIVATIONS
from engine.costs import COSTS
from engine.network import INITS
from engine.setup_codes import SetupCodeError

KIND = "training"
SPLIT_SIZES = {"book": 50_000, "full": 60_000}      # training images in each split
MAX_FIELD = 200             # characters in one field (the panel's own limit)
MAX_PRESET = 80

# The fields a setup must have, and the choices of the ones picked from a list.
FIELDS = ("sizes", "activation", "cost", "init", "eta", "m", "epochs", "l2", "seed",
          "images", "split")
# The augmentation menu's entries (each one ``engine.augment.parse_kinds`` reads).
AUGMENT_CHOICES = ("off", "on", "affine", "elastic", "thickness", "elastic,thickness",
                   "affine,elastic", "affine,thickness")
CHOICES = {"activation": tuple(sorted(ACTIVATIONS)), "cost": tuple(sorted(COSTS)),
           "init": tuple(INITS), "split": tuple(SPLIT_SIZES), "augment": AUGMENT_CHOICES}
OPTIONAL = ("preset", "monitor", "augment")
DEFAULTS = {"augment": "off"}       # a code made before a setting existed gets its default

# The book's chapter-1 settings (the panel's first preset), for examples and tests.
BOOK = dict(sizes="784, 30, 10", activation="sigmoid", cost="quadratic", init="normal",
            eta="3.0", m="10", epochs="30", l2="0", seed="1", images="all", split="book",
            preset="Nielsen, chapter 1", monitor="1", augment="off")


def check_training(data: Dict[str, Any]) -> Dict[str, str]:
    """A clean copy of a training setup, every field checked as the panel checks it;
    ``SetupCodeError`` for the first value that is missing, unknown or cannot be used."""
    if not isinstance(data, dict):
        raise SetupCodeError("The setup is not a table of settings.")
    extra = sorted(str(k)[:20] for k in data if k not in FIELDS and k not in OPTIONAL)
    if extra:
        raise SetupCodeError(f"The setup has settings this version does not know: "
                             f"{', '.join(extra[:5])}.")
    out: Dict[str, str] = {}
    for name in FIELDS:
        if name not in data:
            raise SetupCodeError(f"The setup has no {name}.")
        value = data[name]
        if not isinstance(value, str):
            raise SetupCodeError(f"The setup's {name} is not text.")
        if len(value) > MAX_FIELD:
            raise SetupCodeError(f"The setup's {name} is too long ({len(value):,} "
                                 f"characters; at most {MAX_FIELD}).")
        if name in CHOICES and value not in CHOICES[name]:
            raise SetupCodeError(f"The setup's {name} {value[:40]!r} is not one of: "
                                 f"{', '.join(CHOICES[name])}.")
        out[name] = value
    try:
        hyperparams.parse_sizes(out["sizes"])
        hyperparams.parse_eta(out["eta"])
        hyperparams.parse_l2(out["l2"])
        hyperparams.parse_epochs(out["epochs"])
        hyperparams.parse_seed(out["seed"])
        n = hyperparams.parse_train_size(out["images"], SPLIT_SIZES[out["split"]])
        hyperparams.parse_mini_batch_size(out["m"], n or SPLIT_SIZES[out["split"]])
    except hyperparams.HyperparameterError as exc:
        raise SetupCodeError(f"The setup's {exc}") from None
    preset = data.get("preset")
    if preset is not None:
        if not isinstance(preset, str) or len(preset) > MAX_PRESET:
            raise SetupCodeError("The setup's preset is not a short name.")
        out["preset"] = preset
    monitor = data.get("monitor")
    if monitor is not None:
        if monitor not in ("0", "1"):
            raise SetupCodeError("The setup's 'measure each epoch' is not \"0\" or \"1\".")
        out["monitor"] = monitor
    augment = data.get("augment", DEFAULTS["augment"])
    if not isinstance(augment, str) or augment not in AUGMENT_CHOICES:
        raise SetupCodeError(f"The setup's augment {str(augment)[:40]!r} is not one of: "
                             f"{', '.join(AUGMENT_CHOICES)}.")
    out["augment"] = augment
    return out


def encode_training(state: Dict[str, Any]) -> str:
    """The setup code of a training setup (checked first: a code is never made from
    settings the panel would refuse)."""
    return setup_codes.encode(KIND, check_training(state))


setup_codes.CHECKERS[KIND] = check_training
