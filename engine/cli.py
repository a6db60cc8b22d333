"""The headless commands: ``train`` and ``evaluate`` (``python main.py train --help``).

Exit codes: 0 done; 2 a bad option (argparse's convention), a bad --save path included
(checked before training starts); 1 the data or a model file could not be used; 3
training diverged (the cost became NaN); 130 interrupted (Ctrl-C).

Every setting is checked by ``engine.hyperparams``, the check the training panel uses, so
a bad value gets the same message here as there. ``train --save PATH`` never loses work:
the path is checked before the first epoch, only a network that finished at least one
epoch is saved (after Ctrl+C, the network as it was at the end of its last complete
epoch), the file is replaced atomically, and when that final save fails (the folder was
removed, the disk is full) the network is saved as gd-explorer-rescued-NAME in the
temporary folder instead.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from engine import hyperparams, mnist, model_io
from engine.activations import ACTIVATIONS
from engine.augment import Augmenter, parse_kinds
from engine.costs import COSTS
from engine.network import INITS, Network
from engine.sgd import BatchProgress, Diverged, EpochResult, Trainer, stuck_warning

EXIT_DATA, EXIT_USAGE, EXIT_DIVERGED, EXIT_INTERRUPTED = 1, 2, 3, 130


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value
    parse.__name__ = f"whole number >= {low}"
    return parse


def _checked(parse, name: str):
    """An argparse type from one of ``engine.hyperparams``' parsers (same messages as
    the training panel's fields)."""
    def check(text: str):
        try:
            return parse(text)
        except hyperparams.HyperparameterError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    check.__name__ = name
    return check


class _SizesAction(argparse.Action):
    """--sizes N N ...: checked as a whole by ``hyperparams.parse_sizes``."""

    def __call__(self, parser, namespace, values, option_string=None):
        try:
            sizes = hyperparams.parse_sizes(" ".join(values))
        except hyperparams.HyperparameterError as exc:
            raise argparse.ArgumentError(self, str(exc)) from None
        setattr(namespace, self.dest, sizes)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows "(default: X)" after an option's help, unless there is no default or the
    help already names it."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (action.default is None or action.default is False
                or action.default in ((), []) or "default" in text):
            return text
        if isinstance(action.default, list):
            return f"{text} (default: {' '.join(map(str, action.default))})"
        return super()._get_help_string(action)


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {text}")
    return value


def augment_kinds(text: str) -> tuple:
    try:
        return parse_kinds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_commands(sub) -> None:
    """Add ``train`` and ``evaluate`` to an argparse sub-parser collection."""
    sub.help = ("'train' or 'evaluate' (see COMMAND --help); with no command the window "
                "opens")
    hp = hyperparams
    t = sub.add_parser("train", help="train a network on MNIST without a window",
                       formatter_class=_HelpFormatter,
                       description="Train a network on MNIST by mini-batch SGD, as in the "
                                   "book's chapter 1, and print the test accuracy per epoch. "
                                   "Exit codes: 0 done; 1 the data or a model file could not "
                                   "be used; 2 a bad option; 3 training diverged; 130 Ctrl+C.")
    t.add_argument("--sizes", nargs="+", default=[784, 30, 10], action=_SizesAction,
                   metavar="N", help=f"neurons per layer, 784 first and 10 last; at most "
                                     f"{hp.MAX_LAYERS} layers, hidden ones of 1 to "
                                     f"{hp.MAX_NEURONS} neurons")
    t.add_argument("--activation", choices=sorted(ACTIVATIONS), default="sigmoid",
                   help="hidden layers' activation (the output layer is sigmoid)")
    t.add_argument("--cost", choices=sorted(COSTS), default="quadratic",
                   help="the cost C: quadratic (chapter 1) or cross-entropy (chapter 3)")
    t.add_argument("--init", choices=INITS, default="normal",
                   help="weights from N(0,1) as in chapter 1, or N(0,1/n_in) ('scaled')")
    t.add_argument("--eta", type=_checked(hp.parse_eta, "eta"), default=3.0,
                   help=f"learning rate eta, above 0 and at most {hp.MAX_ETA:,.0f}")
    t.add_argument("--batch-size", "-m", type=_checked(hp.parse_mini_batch_size, "m"),
                   default=10, metavar="M",
                   help="mini-batch size m: 1 is online learning; at most the number of "
                        "training images (full-batch gradient descent)")
    t.add_argument("--epochs", type=_checked(hp.parse_epochs, "epochs"), default=30,
                   help="passes over the training images")
    t.add_argument("--l2", type=_checked(hp.parse_l2, "L2"), default=0.0, metavar="LAMBDA",
                   help="L2 weight decay lambda (0: none)")
    t.add_argument("--seed", type=_checked(hp.parse_seed, "seed"), default=1,
                   help=f"seed for the weights and the shuffles, 0 to {hp.MAX_SEED}")
    t.add_argument("--train-size", type=_checked(hp.parse_train_size, "N"), default=None,
                   metavar="N", help="use only the first N training images (default: all)")
    t.add_argument("--split", choices=("book", "full"), default="full",
                   help="'full': train on all 60,000 training images; 'book': on the first "
                        "50,000, keeping 10,000 for validation as the book does")
    t.add_argument("--augment", metavar="KINDS", type=augment_kinds, default=(),
                   help="distort each training image afresh every time it is used: 'on' "
                        "(all kinds), 'off' (default), or a comma-separated list of "
                        "affine (rotation, scale, shear, shift), elastic (Simard's elastic "
                        "distortion) and thickness (thicker or thinner strokes)")
    t.add_argument("--augment-strength", metavar="S", type=non_negative_float, default=1.0,
                   help="scales every distortion: 1 (default) is up to 12 degrees of "
                        "rotation, 15%% scale, 0.25 shear, 1.5 px shift, elastic alpha 34 "
                        "with sigma 5, and 80%% of a dilation or erosion")
    t.add_argument("--augment-fraction", metavar="F", type=fraction, default=1.0,
                   help="distort only this share of the images each epoch (0 < F <= 1; "
                        "default 1, all): distorting costs more than training a small "
                        "network such as 784-30-10 on the image, and this cuts the cost")
    t.add_argument("--data", metavar="DIR",
                   help="folder holding the four MNIST files (default: MNIST_DIR, the cache, "
                        "or a download)")
    t.add_argument("--save", metavar="PATH",
                   help="save the trained model as .npz (the path is checked before "
                        "training; Ctrl+C saves the last complete epoch, never less)")
    t.add_argument("--json", action="store_true",
                   help="print one JSON object per epoch instead of text")
    t.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    t.set_defaults(func=train_command)

    e = sub.add_parser("evaluate", help="print a saved model's accuracy on the test set",
                       formatter_class=_HelpFormatter)
    e.add_argument("model", help="a .npz saved by 'train --save' or by the app")
    e.add_argument("--data", metavar="DIR", help="folder holding the four MNIST files")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(func=evaluate_command)


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _load(args, split="book"):
    return mnist.load_data(args.data, split=split, progressbar=not getattr(args, "json", False))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def train_command(args) -> int:
    try:        # the options argparse cannot check alone, before anything slow happens
        sizes = hyperparams.check_sizes(args.sizes)
        if args.train_size is not None:
            hyperparams.check_mini_batch_size(args.batch_size, args.train_size)
    except hyperparams.HyperparameterError as exc:
        return _fail(str(exc), EXIT_USAGE)
    save_path = None
    if args.save is not None:
        try:
            save_path = model_io.check_target(args.save)
        except model_io.ModelError as exc:
            return _fail(f"--save: {exc}", EXIT_USAGE)
    try:
        data = _load(args, args.split)
    except mnist.MnistError as exc:
        return _fail(str(exc), EXIT_DATA)
    except KeyboardInterrupt:
        return _fail("interrupted while MNIST was being read; nothing was trained or saved.",
                     EXIT_INTERRUPTED)
    try:
        if args.train_size is not None:
            hyperparams.check_train_size(args.train_size, len(data.training))
        training = data.training.subset(args.train_size)
        hyperparams.check_mini_batch_size(args.batch_size, len(training))
    except hyperparams.HyperparameterError as exc:
        return _fail(f"{exc} ({data.describe()}, split '{args.split}')", EXIT_USAGE)
    args.sizes = sizes
    net = Network(args.sizes, activation=args.activation, cost=args.cost, init=args.init,
                  seed=args.seed)
    try:
        augmenter = (Augmenter(args.augment, args.augment_strength, seed=args.seed,
                               fraction=args.augment_fraction) if args.augment else None)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    trainer = Trainer(net, training, eta=args.eta, mini_batch_size=args.batch_size,
                      epochs=args.epochs, lmbda=args.l2, test_data=data.test, seed=args.seed,
                      augment=augmenter)
    out = sys.stdout
    if not args.json:
        print(f"Training {net.describe()} on {len(training):,} images, eta = {args.eta:g}, "
              f"m = {args.batch_size}, L2 = {args.l2:g}, {_plural(args.epochs, 'epoch')} "
              f"({data.describe()})", flush=True)
        if augmenter is not None:
            print(f"Augmented: {', '.join(augmenter.kinds)}, strength "
                  f"{augmenter.strength:g}" + (f", {augmenter.fraction:.0%} of the images"
                                               if augmenter.fraction < 1 else ""), flush=True)
    results = []
    saved = None
    bar = None
    interrupted = False
    warned = False
    silence = np.errstate(over="ignore", invalid="ignore")  # Diverged says it better
    silence.__enter__()
    try:
        for record in trainer.run():
            if isinstance(record, BatchProgress):
                if bar is None and not (args.json or args.no_progress):
                    from tqdm import tqdm
                    bar = tqdm(total=len(training), desc=f"Epoch {record.epoch}", unit="img",
                               leave=False, file=sys.stderr, mininterval=0.25)
                if bar is not None and (record.batch % 64 == 0 or record.epoch_examples == len(training)):
                    bar.update(record.epoch_examples - bar.n)
                continue
            if bar is not None:
                bar.close()
                bar = None
            results.append(record)
            if save_path is not None:  # the network at the end of its last complete epoch
                saved = (net.copy(), len(results))   # (one assignment: Ctrl+C cannot split it)
            _print_epoch(record, args.json, out)
            warning = stuck_warning(record, trainer.eta)
            if warning and not warned:
                warned = True
                print(f"warning: {warning}", file=sys.stderr, flush=True)
    except Diverged as exc:
        if bar is not None:
            bar.close()
        return _fail(str(exc), EXIT_DIVERGED)
    except KeyboardInterrupt:
        interrupted = True
        if bar is not None:
            bar.close()
        print(f"Interrupted after {_plural(len(results), 'complete epoch')}.",
              file=sys.stderr)
    finally:
        silence.__exit__(None, None, None)
    best = max(results, key=lambda r: r.test_correct, default=None)
    if best is not None and not args.json:
        final = results[-1]
        print(f"Best: epoch {best.epoch}, {best.test_correct} / {best.test_total} "
              f"({100 * best.test_accuracy:.2f}%); final: {final.test_correct} / "
              f"{final.test_total} ({100 * final.test_accuracy:.2f}%); "
              f"{final.elapsed:.1f} s of training", flush=True)
    if save_path is not None:
        net_done, epochs_done = saved if saved is not None else (None, 0)
        code = _save(net_done, save_path, args, results[:epochs_done], len(training), interrupted,
                     extra_info={"augment": augmenter.describe() if augmenter is not None else None})
        if code:
            return code
    return EXIT_INTERRUPTED if interrupted else 0


def _save(net, path, args, results, n_train: int, interrupted: bool, extra_info=None) -> int:
    """Save ``net`` (None: no epoch finished) with its ``ModelInfo``; an exit code or 0."""
    if net is None:
        print(f"Not saved: no epoch finished, so there is no trained network to save "
              f"({path} was left as it was).", file=sys.stderr)
        return 0
    info = model_io.ModelInfo(
        epochs_trained=len(results), examples_seen=results[-1].examples_seen,
        test_accuracy=results[-1].test_accuracy, eta=args.eta,
        mini_batch_size=args.batch_size, l2=args.l2, split=args.split, train_size=n_train,
        seed=args.seed, **(extra_info or {}),
        extra={"trained_by": "gd-explorer train", "sizes": list(net.sizes), "init": args.init,
               "interrupted": interrupted, "saved_at": time.strftime("%Y-%m-%d %H:%M:%S")})
    try:
        written = model_io.save(net, path, info)
    except model_io.ModelError as exc:
        # The folder went away or the disk filled up during training: keep the work.
        import tempfile
        rescue = Path(tempfile.gettempdir()) / f"gd-explorer-rescued-{Path(path).name}"
        try:
            rescued = model_io.save(net, rescue, info)
        except (model_io.ModelError, KeyboardInterrupt):
            return _fail(f"{exc} The trained network is lost.", EXIT_DATA)
        return _fail(f"{exc} The trained network was saved to {rescued} instead.", EXIT_DATA)
    except KeyboardInterrupt:
        return _fail(f"interrupted while saving: {path} was left as it was.", EXIT_INTERRUPTED)
    what = (f"the network as it was after {_plural(len(results), 'epoch')}" if interrupted
            else "the model")
    print(f"Saved {what} to {written}", file=sys.stderr)
    return 0


def _print_epoch(r: EpochResult, as_json: bool, out) -> None:
    if as_json:
        obj = {"epoch": r.epoch, "correct": r.test_correct, "total": r.test_total,
               "accuracy": r.test_accuracy, "cost": r.test_cost, "test_cost": r.test_cost,
               "seconds": r.seconds,
               "examples_seen": r.examples_seen}
        print(json.dumps(obj), file=out, flush=True)
    else:
        print(f"Epoch {r.epoch}: {r.test_correct} / {r.test_total} test images right  "
              f"(test cost {r.test_cost:.4f}, {r.seconds:.2f} s)", file=out, flush=True)


def evaluate_command(args) -> int:
    try:
        net = model_io.load(args.model, expect_sizes=(784, 10))
    except model_io.ModelError as exc:
        return _fail(str(exc), EXIT_DATA)
    except KeyboardInterrupt:
        return _fail("interrupted while the model was being read.", EXIT_INTERRUPTED)
    try:
        data = _load(args)
    except mnist.MnistError as exc:
        return _fail(str(exc), EXIT_DATA)
    except KeyboardInterrupt:
        return _fail("interrupted while MNIST was being read.", EXIT_INTERRUPTED)
    correct, cost = net.evaluate(*data.test)
    total = len(data.test)
    if args.json:
        print(json.dumps({"correct": correct, "total": total, "accuracy": correct / total,
                          "cost": cost}))
    else:
        print(f"{args.model}: {net.describe()}: {correct} / {total} "
              f"({100 * correct / total:.2f}%) on the test set, cost {cost:.4f}")
    return 0
