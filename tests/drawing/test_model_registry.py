"""The pad's model registry is plain Python: its rule, with no window."""

from __future__ import annotations

import subprocess
import sys

from paths import ROOT

from engine import model_io
from engine.network import Network
from explorer.model_registry import ModelRegistry


def net_with(accuracy):
    net = Network([784, 10], seed=0)
    net.info = model_io.ModelInfo(test_accuracy=accuracy)
    return net


def test_the_registry_loads_no_qt():
    code = ("import sys, explorer.model_registry\n"
            "print(','.join(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'pyqtgraph', 'shiboken6')))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "", out.stderr + out.stdout


def test_automatic_choice_follows_only_a_higher_accuracy_and_a_pick_holds():
    r = ModelRegistry()
    shipped = net_with(0.9765)
    r.add_shipped(shipped)
    assert r.chosen.net is shipped and r.chosen.menu_text() == (
        "Shipped model: 784-10, 97.65% test accuracy")
    trained = net_with(None)
    r.set_training(trained, 0, None)                  # untrained: never chosen
    assert r.chosen_key == "shipped" and r.note == ""
    r.set_training(trained, 5, 0.9765)                # equal: not above
    assert r.chosen_key == "shipped"
    r.set_training(trained, 6, 0.98)
    assert r.chosen_key == "training" and "98.00%" in r.note and "97.65%" in r.note
    r.note = ""
    r.add_file(net_with(0.99), "/nowhere/best.npz")   # a better file wins automatically
    assert r.chosen.label == "file best.npz" and "the model in best.npz" in r.note
    r.set_training(None)                               # the training entry goes
    assert r.get("training") is None and r.chosen.label == "file best.npz"
    assert r.choose("shipped") and r.user_chose        # a pick holds against better ones
    r.set_training(net_with(None), 9, 0.999)
    assert r.chosen_key == "shipped"
    assert not r.choose("no-such-key") and r.chosen_key == "shipped"


def test_without_a_known_shipped_accuracy_nothing_switches_by_itself():
    r = ModelRegistry()
    r.add_shipped(net_with(None))
    r.set_training(net_with(None), 3, 0.99)
    assert r.chosen_key == "shipped"
