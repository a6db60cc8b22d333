"""Setups a teacher can share (issue 15, part 3): File > Copy Setup puts one line on the
clipboard, Paste Setup restores it exactly; a bad or hostile code changes nothing."""

from __future__ import annotations

import base64
import json
import zlib

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication

from engine import setup_codes
from engine.setup_codes import PREFIX, SetupCodeError, decode, encode


def raw_code(payload: bytes) -> str:
    return PREFIX + base64.urlsafe_b64encode(zlib.compress(payload)).decode().rstrip("=")


def test_codes_round_trip_and_name_their_panel():
    data = {"dim": 2, "function": "bowl", "start": [1.0, -0.5]}
    code = encode("descent", data)
    assert code.startswith(PREFIX) and len(code) < 200 and "\n" not in code
    assert decode(code) == ("descent", data)
    assert decode("  " + code[:20] + "\n" + code[20:]) == ("descent", data)   # mail wraps


def test_a_copied_setup_restores_an_identical_trajectory(panel, make_panel, qtbot):
    m = panel.model
    m.set_function("ravine")
    m.set_methods(["gd", "momentum", "nesterov", "adam"])
    m.set_settings(eta=0.03, alpha=0.07, mu=0.8, beta1=0.85, steps=120, noise=0.4, seed=11)
    m.set_start((-2.1, 1.3))
    m.set_primary("momentum")
    m.wait()
    file_menu = [a.text() for a in panel.file_actions()]
    assert file_menu == ["Copy Descent Setup", "Paste Descent Setup"]
    panel.file_actions()[0].trigger()                     # File > Copy Descent Setup
    code = QGuiApplication.clipboard().text()
    assert code.startswith(PREFIX) and len(code) < 600
    other = make_panel()
    other.model.wait()
    assert other.paste_setup() == ""                      # File > Paste Descent Setup
    other.model.wait()
    o = other.model
    assert o.setup() == m.setup()
    assert o.trajectories.keys() == m.trajectories.keys()
    for k in m.trajectories:
        assert np.array_equal(o.trajectories[k].v, m.trajectories[k].v)
    assert other.controls.eta.value() == pytest.approx(0.03)
    assert other.controls.method_boxes["nesterov"].isChecked()
    assert other.controls.primary.currentData() == "momentum"


def test_a_formula_setup_round_trips(panel, make_panel, qtbot):
    m = panel.model
    m.set_formula("x**2 + 3*sin(y)", 6.0)
    m.set_same_eta(True)
    m.wait()
    other = make_panel()
    assert other.apply_setup_code(panel.setup_code()) == ""
    other.model.wait()
    assert other.model.key == "formula" and other.model.formula_range == 6.0
    assert other.model.same_eta and other.controls.same_eta.isChecked()
    assert np.array_equal(other.model.trajectories["gd"].v, m.trajectories["gd"].v)


def bomb() -> str:
    return raw_code(b'{"kind":"descent","data":{"x":"' + b"A" * 5_000_000 + b'"}}')


def deep() -> str:
    return raw_code(b'{"kind":"descent","data":' + b"[" * 5000 + b"]" * 5000 + b"}")


def good_data(panel) -> dict:
    return panel.model.setup()


@pytest.mark.parametrize("mangle, words", [
    (lambda code, d: "gdx9:" + code[5:], "start with"),
    (lambda code, d: code[:-7] + "!!*%$#@", "damaged"),
    (lambda code, d: code[:40], "damaged"),
    (lambda code, d: bomb(), "unpacks to more than"),
    (lambda code, d: deep(), "nested more than"),
    (lambda code, d: "x" * 9000, "too long"),
    (lambda code, d: encode("descent", {**d, "eta": "fast"}), "eta is not a number"),
    (lambda code, d: encode("descent", {**d, "eta": 7.0}), "outside"),
    (lambda code, d: encode("descent", {**d, "steps": 10 ** 9}), "outside"),
    (lambda code, d: encode("descent", {**d, "start": [1.0]}), "start"),
    (lambda code, d: encode("descent", {**d, "methods": ["gd", "warp"]}), "rules"),
    (lambda code, d: encode("descent", {**d, "function": "formula",
                                         "formula": "x" + "+x" * 400}), "too long"),
    (lambda code, d: encode("descent", {**d, "function": "formula",
                                         "formula": "__import__('os')"}), "formula"),
    (lambda code, d: encode("descent", {**d, "function": "formula",
                                         "formula": "log(x - 10)", "start": [1.0, 1.0]}),
     "not defined"),
    (lambda code, d: encode("training", {"eta": 3.0}), "panel"),
    (lambda code, d: encode("descent", {**d, "extra": 1}), "does not know"),
])
def test_a_mangled_setup_is_refused_and_changes_nothing(panel, qtbot, monkeypatch, mangle,
                                                         words):
    from PySide6.QtWidgets import QMessageBox

    m = panel.model
    m.set_function("bowl")
    m.set_settings(eta=0.05)
    m.wait()
    before, trails = m.setup(), m.trajectories
    code = mangle(panel.setup_code(), good_data(panel))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    QGuiApplication.clipboard().setText(code)
    problem = panel.paste_setup()                # File > Paste Descent Setup
    assert words in problem and shown and "nothing changed" in shown[0]
    assert m.setup() == before and m.trajectories is trails and not m.busy
    assert panel.controls.eta.value() == pytest.approx(0.05)


def test_the_checker_refuses_wrong_types_one_by_one(panel):
    d = panel.model.setup()
    for name, bad in (("dim", 3), ("same_eta", "yes"), ("camera", {"distance": "far"}),
                      ("primary", "newton"), ("seed", 1.5), ("noise", float("nan"))):
        with pytest.raises(SetupCodeError):
            setup_codes.check("descent", {**d, name: bad})
    with pytest.raises(SetupCodeError):
        decode(PREFIX + base64.urlsafe_b64encode(zlib.compress(json.dumps(
            {"kind": "descent", "data": [1]}).encode())).decode())


def test_the_setup_option_opens_the_codes_panel_set_up(panel, qtbot, tmp_path):
    """``main.py --setup CODE``: a bad code stops before any window with a message; a good
    one shows its panel set up from it."""
    import subprocess
    import sys

    from paths import ROOT
    from PySide6.QtCore import QSettings

    from explorer.app import apply_setup
    from explorer.main_window import MainWindow
    from explorer.session import Session

    out = subprocess.run([sys.executable, "main.py", "--no-gl", "--setup", "gdx1:not-a-code"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "--setup" in out.stderr and "damaged" in out.stderr
    panel.model.set_function("saddle")
    panel.model.set_settings(eta=0.07)
    panel.model.wait()
    code = panel.setup_code()
    window = MainWindow(Session(), QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(1)
    assert apply_setup(window, "descent", code)
    descent = window.panels["descent"]
    descent.model.wait()
    assert window.tabs.currentWidget() is descent
    assert descent.model.setup() == panel.model.setup()
    assert np.array_equal(descent.model.trajectories["gd"].v, panel.model.trajectories["gd"].v)
    window.close()
