#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite. Options go to pytest:
#   ./test.sh -k descent      ./test.sh -x -v
# Tests that need the real MNIST read it from MNIST_DIR (CI: ../shared/mnist).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
bash scripts/setup.sh
# The linter first: a lint error fails the run like a failing test.
.venv/bin/ruff check --quiet .
exec .venv/bin/python -m pytest "$@"
