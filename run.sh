#!/usr/bin/env bash
# Set up (first time only) and launch Gradient Descent Explorer. Options go to the app:
#   ./run.sh --data ~/mnist        ./run.sh train --epochs 5        ./run.sh --help
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
bash scripts/setup.sh
exec .venv/bin/python main.py "$@"
