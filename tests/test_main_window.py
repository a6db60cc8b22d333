"""The main window: panels, menus, state kept between runs; and the app as a program."""

import os
import subprocess
import sys

import pytest
from paths import ROOT
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    from explorer.app import make_application
    from explorer.main_window import MainWindow
    from explorer.session import Session

    make_application()
    windows = []

    def make():
        window = MainWindow(Session(), settings)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for w in windows:
        w.close()


def test_one_tab_per_panel_and_the_three_menus(make_window):
    window = make_window()
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Descent", "Training", "Drawing pad", "Inside the network",
                      "Real network"]
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "View", "Help"]


def test_size_position_and_tab_are_remembered(make_window, qtbot):
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.resize(1111, 777)
    window.tabs.setCurrentIndex(2)
    qtbot.wait(50)
    window.close()
    again = make_window()
    again.show()
    qtbot.waitExposed(again)
    assert again.tabs.currentIndex() == 2
    assert (again.width(), again.height()) == (1111, 777)


def test_garbage_settings_do_not_stop_the_window(make_window, settings):
    settings.setValue("window/geometry", "not a geometry")
    settings.setValue("window/tab", 99)
    window = make_window()
    assert window.tabs.currentIndex() == 0


def test_each_panel_keeps_one_versioned_value_and_bad_ones_fall_back(make_window, settings):
    import json

    window = make_window()
    window.panels["drawing"].width_slider.setValue(30)
    window.close()
    saved = json.loads(settings.value("panels/drawing"))
    assert saved == {"version": 1, "state": {"pen_width": 30}}
    settings.setValue("panels/drawing", json.dumps({"version": 1,
                                                    "state": {"pen_width": float("inf")}}))
    settings.setValue("panels/training", "{not json")
    settings.setValue("panels/descent", "[" * 100_000 + "]" * 100_000)
    window = make_window()                       # starts, with defaults and notes
    notes = " ".join(window.settings_notes)
    assert "pen width" in notes and window.panels["drawing"].width_slider.value() == 22
    assert "Training panel could not be read" in notes
    assert "Descent panel could not be read" in notes
    assert "pen width" in window.statusBar().currentMessage()
    settings.setValue("panels/drawing", json.dumps({"version": 99, "state": {}}))
    assert "Drawing pad panel could not be read" in " ".join(make_window().settings_notes)


def test_view_menu_switches_panels(make_window):
    window = make_window()
    view = [a for a in window.menuBar().actions() if "View" in a.text()][0].menu()
    view.actions()[1].trigger()
    assert window.tabs.currentIndex() == 1


def _env():
    env = dict(os.environ)
    env.setdefault("MNIST_DIR", "")
    return env


def test_the_app_starts_and_quits(tmp_path):
    env = _env()
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    out = subprocess.run([sys.executable, "main.py", "--quit-after", "1500"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "Destroyed while thread" not in out.stderr


def test_screenshot_saves_one_png_per_panel(tmp_path):
    from PySide6.QtGui import QImage

    out = subprocess.run([sys.executable, "main.py", "--screenshot", str(tmp_path / "shots")],
                         cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    for name in ("descent", "training", "drawing", "inside", "network"):
        image = QImage(str(tmp_path / "shots" / f"{name}.png"))
        assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    assert sorted(p.name for p in (tmp_path / "shots").iterdir()) == \
        ["descent.png", "drawing.png", "inside.png", "network.png", "training.png"]


def test_help_lists_every_keyboard_shortcut(make_window, qtbot):
    window = make_window()
    rows = window.shortcut_list()
    keys = {(what, k) for _, what, k in rows}
    for expected in (("Play / pause the ball", "Space"), ("One step forward", "Right"),
                     ("Back to the start", "Home")):
        assert expected in keys, rows
    assert any(what.startswith("Tour") and k == "F1" for what, k in keys)
    assert any(k == "Ctrl+S" for _, _, k in rows) and any(k == "Ctrl+E" for _, _, k in rows)
    assert ("Descent", "Play / pause the ball", "Space") in rows
    help_menu = [a for a in window.menuBar().actions() if "Help" in a.text()][0].menu()
    [a for a in help_menu.actions() if "Keyboard" in a.text()][0].trigger()
    qtbot.waitUntil(lambda: window.shortcuts_box.isVisible(), timeout=3000)
    text = window.shortcuts_box.text()
    assert "Space" in text and "F1" in text and "Ctrl+E" in text
    window.shortcuts_box.close()
