#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite. Options go to pytest:
#   ./test.sh -k descent      ./test.sh -x -v
# Tests that need the real MNIST read it from MNIST_DIR (CI: ../shared/mnist).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
