"""The wheel: ``pip install .`` must bring every package and the shipped model.

The wheel is built from a copy of the source files (so a ``build/`` folder left in the
checkout by an earlier build cannot put stale modules into it), without build
isolation (no download; the test extras hold ``wheel``), and its list of files is
checked against the packages found in the checkout the way setuptools finds them:
every folder under engine/ and explorer/ holding an ``__init__.py``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from paths import ROOT

SOURCES = ["engine", "explorer", "resources", "main.py", "pyproject.toml", "README.md"]


def _packages(top: str) -> dict:
    """{dotted package name: its .py files relative to ROOT} under ``top``."""
    found = {}
    for init in sorted((ROOT / top).rglob("__init__.py")):
        folder = init.parent
        if "__pycache__" in folder.parts:
            continue
        name = ".".join(folder.relative_to(ROOT).parts)
        found[name] = sorted(p.relative_to(ROOT).as_posix() for p in folder.glob("*.py"))
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list(out.glob("gradient_descent_explorer-*.whl"))
    assert len(wheels) == 1, [p.name for p in out.iterdir()]
    with zipfile.ZipFile(wheels[0]) as z:
        yield z


def test_every_folder_of_code_is_a_package():
    """A panel folder without ``__init__.py`` would be left out of the wheel silently."""
    for top in ("engine", "explorer"):
        for folder in [ROOT / top, *(ROOT / top).rglob("*")]:
            if folder.is_dir() and folder.name != "__pycache__" and any(folder.glob("*.py")):
                assert (folder / "__init__.py").is_file(), f"{folder} has no __init__.py"


def test_the_wheel_holds_every_package_module_and_the_model(wheel):
    names, read = set(wheel.namelist()), wheel.read
    packages = {**_packages("engine"), **_packages("explorer")}
    # the panels named in the design, and whatever else a colleague has added since
    for known in ("engine", "explorer", "explorer.descent", "explorer.training",
                  "explorer.drawing"):
        assert known in packages
    for package, modules in packages.items():
        assert modules, package
        missing = [m for m in modules if m not in names]
        assert not missing, f"{package}: {missing} not in the wheel"
    assert "main.py" in names
    models = sorted(p.name for p in (ROOT / "resources").glob("*.npz"))
    assert "model-784-100-10.npz" in models
    for model in models:
        assert f"resources/{model}" in names, f"{model} is not in the wheel"
        assert read(f"resources/{model}") == (ROOT / "resources" / model).read_bytes()
    assert "resources/__init__.py" in names
    # the tests, benchmarks and scripts stay out
    assert not [n for n in names if n.split("/")[0] in ("tests", "bench", "scripts", "build")]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "gd-explorer = main:main" in read(entry_points).decode()


def test_the_shipped_model_is_found_through_the_resources_package():
    """explorer.session finds the model with importlib.resources, which works the same
    in the checkout and in an installed copy."""
    import importlib.resources

    from explorer.session import RESOURCES, SHIPPED_MODEL

    assert RESOURCES == Path(str(importlib.resources.files("resources")))
    assert SHIPPED_MODEL.parent == RESOURCES and SHIPPED_MODEL.is_file()
