"""File > Copy/Paste Training Setup in the real main window: a round trip through the
clipboard, and a mangled or hostile code refused with a message and no change."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

from engine import setup_codes


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    from explorer import gl_check
    from explorer.app import make_application
    from explorer.main_window import MainWindow
    from explorer.session import Session

    monkeypatch.setenv("GD_EXPLORER_NO_GL", "1")
    gl_check.opengl_available.cache_clear()
    make_application()
    w = MainWindow(Session(), QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()
    gl_check.opengl_available.cache_clear()


def file_menu_texts(window):
    menu = window.menuBar().actions()[0].menu()
    return [a.text() for a in menu.actions()]


def test_copy_then_paste_round_trips_through_the_clipboard(window):
    texts = file_menu_texts(window)
    assert "Copy Training Setup" in texts and "Paste Training Setup" in texts
    panel = window.panels["training"]
    c = panel.controls
    c.apply_preset(1)                                   # 3Blue1Brown
    c.set_text("eta", "0.75")
    c.set_text("m", "20")
    c.set_text("images", "5000")
    c.set_text("split", "full")
    c.set_text("seed", "42")
    c.set_text("augment", "thickness")
    wanted = panel.settings_state()
    assert wanted["augment"] == "thickness"
    window.training_setup.copy_action.trigger()
    code = QGuiApplication.clipboard().text()
    assert code.startswith(setup_codes.PREFIX) and "copied" in window.training_setup.last_message
    c.apply_preset(0)                                   # the book's settings again
    assert panel.settings_state() != wanted
    window.tabs.setCurrentIndex(0)
    window.training_setup.paste_action.trigger()
    got = panel.settings_state()
    assert {k: v for k, v in got.items() if k != "preset"} == \
        {k: v for k, v in wanted.items() if k != "preset"}
    assert got["preset"] == "Custom"                     # the values are no preset's
    assert window.tabs.currentWidget() is panel
    assert c.text("eta") == "0.75" and c.text("sizes") == "784, 16, 16, 10"
    assert c.errors() == {}
    c.apply_preset(1)                                   # a preset keeps its name
    code = window.training_setup.setup_code()
    c.apply_preset(2)
    assert window.training_setup.apply_code(code) == ""
    assert c.preset.currentText() == "3Blue1Brown" and c.text("init") == "scaled"


def test_the_setup_knows_every_augmentation_the_panel_offers():
    from engine.training_setup import AUGMENT_CHOICES
    from explorer.training import controls

    assert tuple(AUGMENT_CHOICES) == tuple(controls.AUGMENT_CHOICES)


def mangle(code: str) -> list:
    body = code[len(setup_codes.PREFIX):]
    return [
        "",
        "hello",
        code[:-6],                                       # cut short
        code[:20] + "!!" + code[22:],                    # characters a code cannot have
        setup_codes.PREFIX + body[::-1],                 # scrambled
        setup_codes.encode("training", {"eta": "3.0"}),   # fields missing
        setup_codes.encode("training", dict(
            sizes="784, 30, 10", activation="sigmoid", cost="quadratic", init="normal",
            eta="3.0", m="10", epochs="30", l2="0", seed="1", images="all", split="book",
            preset="<img src=x onerror=alert(1)>" * 3)),       # too long a preset name
        setup_codes.encode("training", dict(
            sizes="784, 4097, 10", activation="sigmoid", cost="quadratic", init="normal",
            eta="3.0", m="10", epochs="30", l2="0", seed="1", images="all", split="book")),
        setup_codes.encode("training", dict(
            sizes="784, 30, 10", activation="sigmoid", cost="quadratic", init="normal",
            eta="3.0", m="60000", epochs="30", l2="0", seed="1", images="all",
            split="book")),                              # m above the book's 50,000
        setup_codes.encode("descent", {"dim": 1}),        # the other panel's kind
        setup_codes.PREFIX + "A" * 9000,                 # far too long
    ]


def test_a_mangled_or_hostile_code_changes_nothing(window, monkeypatch):
    panel = window.panels["training"]
    panel.controls.apply_preset(1)
    panel.controls.set_text("eta", "0.75")
    code = window.training_setup.setup_code()
    panel.controls.apply_preset(0)
    before = panel.settings_state()
    for bad in mangle(code):
        QGuiApplication.clipboard().setText(bad)
        problem = window.training_setup.paste()
        assert problem, bad[:60]
        assert panel.settings_state() == before, bad[:60]
        assert "nothing changed" in window.training_setup.last_message
        box = window.training_setup.last_box
        assert box.isVisible() and box.text() == window.training_setup.last_message
        box.close()
    # and the good code still works afterwards
    QGuiApplication.clipboard().setText(code)
    assert window.training_setup.paste() == ""
    assert panel.controls.text("eta") == "0.75"


def test_copy_refuses_settings_the_panel_itself_refuses(window):
    panel = window.panels["training"]
    panel.controls.set_text("eta", "-2")
    QGuiApplication.clipboard().setText("untouched")
    assert window.training_setup.copy() is None
    assert QGuiApplication.clipboard().text() == "untouched"
    assert "eta" in window.training_setup.last_message


def test_no_paste_while_training_runs(window, monkeypatch):
    panel = window.panels["training"]
    code = window.training_setup.setup_code()
    monkeypatch.setattr(type(panel), "running", property(lambda self: True))
    panel.controls.set_text("eta", "1.5")
    before = panel.settings_state()
    assert "stop it first" in window.training_setup.apply_code(code)
    assert panel.settings_state() == before


def test_setup_option_opens_the_training_panel_set_up(window):
    """``--setup`` with a training code: checked before the window opens, then applied
    through the same all-or-nothing path as File > Paste Training Setup."""
    from engine.training_setup import BOOK, encode_training
    from explorer.app import apply_setup

    code = encode_training(dict(BOOK, eta="0.25", m="30"))
    assert apply_setup(window, "training", code)
    c = window.panels["training"].controls
    assert c.text("eta") == "0.25" and c.text("m") == "30"
    assert window.tabs.currentWidget() is window.panels["training"]


def test_setup_option_refuses_a_bad_training_code_before_the_window(tmp_path):
    import os
    import subprocess
    import sys

    from paths import ROOT

    from engine.training_setup import BOOK

    bad = setup_codes.encode("training", dict(BOOK, eta="-4"))
    out = subprocess.run([sys.executable, "main.py", "--setup", bad], cwd=ROOT,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 2
    assert "--setup" in out.stderr and "eta" in out.stderr
