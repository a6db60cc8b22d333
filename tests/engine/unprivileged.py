"""Run a few lines of Python as a user without privileges, for the tests of files that
cannot be read or written (root reads and writes anything, so as root: the user nobody)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from paths import ROOT


def printed_unprivileged(code: str, *args: str) -> str:
    """What ``python -c code ROOT *args`` prints (``sys.argv[1]`` is the project folder,
    for ``code`` to put on its path); run as the user nobody when the tests run as root.
    The calling test is skipped when Python cannot be run so."""
    argv = [sys.executable, "-c", code, str(ROOT), *args]
    if os.geteuid() == 0:           # root reads and writes anything: ask as the user nobody
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv")
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if out.returncode != 0 or not out.stdout:
        pytest.skip(f"could not run Python as another user: {out.stderr[-200:]}")
    return out.stdout
