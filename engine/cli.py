"""The headless commands: ``train`` and ``evaluate`` (``python main.py train --help``).

Exit codes: 0 done; 2 a bad option (argparse's convention); 1 the data or a model file
could not be used; 3 training diverged (the cost became NaN); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np

from engine import mnist, model_io
from engine.activations import ACTIVATIONS
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


def add_commands(sub) -> None:
    """Add ``train`` and ``evaluate`` to an argparse sub-parser collection."""
    t = sub.add_parser("train", help="train a network on MNIST without a window",
                       description="Train a network on MNIST by mini-batch SGD, as in the "
                                   "book's chapter 1, and print the test accuracy per epoch.")
    t.add_argument("--sizes", type=int_at_least(1), nargs="+", default=[784, 30, 10],
                   metavar="N", help="neurons per layer, 784 first and 10 last (default: 784 30 10)")
    t.add_argument("--activation", choices=sorted(ACTIVATIONS), default="sigmoid",
                   help="hidden layers' activation (the output layer is sigmoid)")
    t.add_argument("--cost", choices=sorted(COSTS), default="quadratic")
    t.add_argument("--init", choices=INITS, default="normal",
                   help="weights from N(0,1) as in chapter 1, or N(0,1/n_in) ('scaled')")
    t.add_argument("--eta", type=positive_float, default=3.0, help="learning rate (default 3.0)")
    t.add_argument("--batch-size", "-m", type=int_at_least(1), default=10,
                   help="mini-batch size m: 1 is online learning (default 10)")
    t.add_argument("--epochs", type=int_at_least(1), default=30)
    t.add_argument("--l2", type=non_negative_float, default=0.0,
                   help="L2 weight decay lambda (default 0)")
    t.add_argument("--seed", type=int, default=1, help="seed for the weights and the shuffles")
    t.add_argument("--train-size", type=int_at_least(1), default=None, metavar="N",
                   help="use only the first N training images")
    t.add_argument("--split", choices=("book", "full"), default="full",
                   help="'full' (default): train on all 60,000 training images; 'book': on "
                        "the first 50,000, keeping 10,000 for validation as the book does")
    t.add_argument("--data", metavar="DIR", help="folder holding the four MNIST files")
    t.add_argument("--save", metavar="PATH", help="save the trained model as .npz")
    t.add_argument("--json", action="store_true",
                   help="print one JSON object per epoch instead of text")
    t.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    t.set_defaults(func=train_command)

    e = sub.add_parser("evaluate", help="print a saved model's accuracy on the test set")
    e.add_argument("model", help="a .npz saved by 'train --save' or by the app")
    e.add_argument("--data", metavar="DIR", help="folder holding the four MNIST files")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(func=evaluate_command)


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _load(args, split="book"):
    return mnist.load_data(args.data, split=split, progressbar=not getattr(args, "json", False))


def train_command(args) -> int:
    if args.sizes[0] != 784 or args.sizes[-1] != 10 or len(args.sizes) < 2:
        return _fail(f"--sizes must start with 784 (the pixels) and end with 10 (the digits), "
                     f"got {' '.join(map(str, args.sizes))}", EXIT_USAGE)
    try:
        data = _load(args, args.split)
    except mnist.MnistError as exc:
        return _fail(str(exc), EXIT_DATA)
    training = data.training.subset(args.train_size)
    net = Network(args.sizes, activation=args.activation, cost=args.cost, init=args.init,
                  seed=args.seed)
    trainer = Trainer(net, training, eta=args.eta, mini_batch_size=args.batch_size,
                      epochs=args.epochs, lmbda=args.l2, test_data=data.test, seed=args.seed)
    out = sys.stdout
    if not args.json:
        print(f"Training {net.describe()} on {len(training):,} images, eta = {args.eta:g}, "
              f"m = {args.batch_size}, L2 = {args.l2:g}, {args.epochs} epochs "
              f"({data.describe()})", flush=True)
    results = []
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
        print(f"Interrupted after {len(results)} complete epoch(s).", file=sys.stderr)
    finally:
        silence.__exit__(None, None, None)
    best = max(results, key=lambda r: r.test_correct, default=None)
    if best is not None and not args.json:
        final = results[-1]
        print(f"Best: epoch {best.epoch}, {best.test_correct} / {best.test_total} "
              f"({100 * best.test_accuracy:.2f}%); final: {final.test_correct} / "
              f"{final.test_total} ({100 * final.test_accuracy:.2f}%); "
              f"{final.elapsed:.1f} s of training", flush=True)
    if args.save:
        meta = {
            "trained_by": "gd-explorer train", "sizes": args.sizes, "eta": args.eta,
            "mini_batch_size": args.batch_size, "epochs_done": len(results), "l2": args.l2,
            "seed": args.seed, "split": args.split, "train_size": len(training),
            "init": args.init, "interrupted": interrupted,
            "test_accuracy": results[-1].test_accuracy if results else None,
            "saved_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        try:
            path = model_io.save(net, args.save, meta)
        except model_io.ModelError as exc:
            return _fail(str(exc), EXIT_DATA)
        print(f"Saved the model to {path}", file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted else 0


def _print_epoch(r: EpochResult, as_json: bool, out) -> None:
    if as_json:
        obj = {"epoch": r.epoch, "correct": r.test_correct, "total": r.test_total,
               "accuracy": r.test_accuracy, "cost": r.test_cost, "seconds": r.seconds,
               "examples_seen": r.examples_seen}
        print(json.dumps(obj), file=out, flush=True)
    else:
        print(f"Epoch {r.epoch}: {r.test_correct} / {r.test_total}  "
              f"(cost {r.test_cost:.4f}, {r.seconds:.2f} s)", file=out, flush=True)


def evaluate_command(args) -> int:
    try:
        net = model_io.load(args.model, expect_sizes=(784, 10))
    except model_io.ModelError as exc:
        return _fail(str(exc), EXIT_DATA)
    try:
        data = _load(args)
    except mnist.MnistError as exc:
        return _fail(str(exc), EXIT_DATA)
    correct, cost = net.evaluate(*data.test)
    total = len(data.test)
    if args.json:
        print(json.dumps({"correct": correct, "total": total, "accuracy": correct / total,
                          "cost": cost}))
    else:
        print(f"{args.model}: {net.describe()}: {correct} / {total} "
              f"({100 * correct / total:.2f}%) on the test set, cost {cost:.4f}")
    return 0
