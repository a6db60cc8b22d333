"""Gradient Descent Explorer: start the app, or run a headless command.

    python main.py                       # the app
    python main.py --screenshot DIR      # save a PNG of each panel into DIR and exit
    python main.py --setup gdx1:...      # open the panel a shared setup code is for
    python main.py train [options]       # train on MNIST without a window
    python main.py evaluate MODEL.npz    # a saved model's test accuracy
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    from engine.cli import add_commands

    parser = argparse.ArgumentParser(
        prog="gd-explorer",
        description="Watch a neural network learn by gradient descent.")
    parser.add_argument("--data", metavar="DIR",
                        help="folder holding the four MNIST files (else MNIST_DIR, the cache, "
                             "or a download)")
    parser.add_argument("--model", metavar="PATH",
                        help="a .npz model for the drawing pad (default: the shipped one)")
    parser.add_argument("--screenshot", metavar="DIR",
                        help="open the window, save one PNG per panel into DIR, and exit")
    parser.add_argument("--setup", metavar="CODE",
                        help="open the window set up from a setup code (File > Copy ... Setup "
                             "gives one); the code says which panel it is for")
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    parser.add_argument("--no-gl", action="store_true",
                        help="do not use OpenGL (the descent panel shows its contour map only)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_commands(sub)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "func", None) is not None:
        return args.func(args)
    from explorer.app import run_app
    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
