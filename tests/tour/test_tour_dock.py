"""The Tour dock in the real main window: every step's Show me reaches its state and
points at its widget; Next/Back; the place is remembered; the offer on first launch."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, QSettings

from explorer import gl_check
from explorer.tour import mathtext
from explorer.tour.model import OFFERED_KEY, SETTINGS_KEY
from explorer.tour.show_me import descent_ready
from explorer.tour.steps import STEPS


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def make_window(qtbot, settings, monkeypatch):
    from explorer.app import make_application
    from explorer.main_window import MainWindow
    from explorer.session import Session

    monkeypatch.setenv("GD_EXPLORER_NO_GL", "1")      # the contour map does the work
    gl_check.opengl_available.cache_clear()
    make_application()
    windows = []

    def make(**kw):
        window = MainWindow(Session(), settings, **kw)
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for w in windows:
        w.close()
    gl_check.opengl_available.cache_clear()


def open_tour(window):
    window.tour_action.trigger()
    return window.tour_dock


def descent_state(window):
    m = window.panels["descent"].model
    return m.dim, m.key, list(m.methods), m.settings.eta, m.primary


# What each step's Show me must reach: (tab key, check of the panel, the widget's name).
def expect(window, key):
    d = window.panels["descent"]
    t = window.panels["training"]
    pad = window.panels["drawing"]
    return {
        "cost": ("training", lambda: t.controls.preset.currentText() == "Nielsen, chapter 1",
                 t.plots.plots["epoch-cost"][0]),
        "smooth": ("training", lambda: True, t.plots.plots["epoch-accuracy"][0]),
        "calculus": ("descent", lambda: descent_state(window)[:3] == (2, "himmelblau", ["gd"]),
                     d.contour),
        "ball": ("descent", lambda: descent_state(window)[:4] == (2, "bowl", ["gd"], 0.1),
                 d.contour),
        "not_physics": ("descent", lambda: descent_state(window)[:4] ==
                        (2, "ravine", ["gd", "momentum"], 0.02), d.contour),
        "linear": ("descent", lambda: descent_state(window)[:4] ==
                   (2, "himmelblau", ["gd"], 0.005), d.readout),
        "choose": ("descent", lambda: descent_state(window)[:4] ==
                   (2, "himmelblau", ["gd"], 0.01), d.cost_plot),
        "eta_large": ("descent", lambda: descent_state(window)[:4] ==
                      (2, "himmelblau", ["gd"], 0.02), d.readout),
        "eta_small": ("descent", lambda: descent_state(window)[:4] ==
                      (2, "himmelblau", ["gd"], 0.0005), d.cost_plot),
        "fixed": ("descent", lambda: descent_state(window)[:3] == (2, "bowl", ["gd", "fixed"])
                  and d.model.settings.epsilon == 0.1, d.contour),
        "one_variable": ("descent", lambda: descent_state(window)[:4] ==
                         (1, "doublewell", ["gd"], 0.05) and d.views.currentIndex() == 1,
                         d.curve),
        "newton": ("descent", lambda: descent_state(window)[:3] == (2, "ravine",
                                                                   ["gd", "newton"]),
                   d.contour),
        "many": (("network", lambda: window.panels["network"].tabs.currentWidget()
                  is window.panels["network"].landscape, window.panels["network"].landscape)
                 if "network" in window.panels else
                 ("training", lambda: True, t.controls.fields["eta"])),
        "sgd": ("training", lambda: t.controls.text("m") == "10", t.controls.fields["m"]),
        "conventions": ("training", lambda: True, t.controls.fields["eta"]),
        "video": ("training", lambda: t.controls.text("sizes") == "784, 16, 16, 10"
                  and t.controls.preset.currentText() == "3Blue1Brown",
                  t.controls.fields["sizes"]),
        "inside": (("inside", lambda: True, window.panels["inside"].unit_scroll)
                   if "inside" in window.panels else
                   ("drawing", lambda: pad.canvas.picture_kind == "noise", pad.bars)),
    }[key]


def test_every_step_shows_its_state_and_points_at_its_widget(make_window, qtbot):
    window = make_window()
    dock = open_tour(window)
    assert dock.isVisible() and dock.model.index == 0
    for i, step in enumerate(STEPS):
        dock.model.go(i)
        assert step.title in dock.heading.text()
        window.tabs.setCurrentIndex(2 if window.tabs.currentIndex() != 2 else 0)
        dock.show_button.click()
        tab, check, widget = expect(window, step.key)
        assert dock.last_shown is not None, (step.key, dock.note.text())
        assert window.tabs.currentWidget() is window.panels[tab], step.key
        assert dock.last_shown.target is widget, step.key
        # the outline comes at once (it lasts under two seconds) and surrounds the widget
        qtbot.waitUntil(lambda: dock.highlighter.target is widget, timeout=2_000)
        assert dock.highlighter.active(), step.key
        r = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        assert dock.highlighter.overlay.geometry().contains(r.intersected(window.rect())), \
            step.key
        qtbot.waitUntil(lambda: not dock.waiting(), timeout=40_000)
        if tab == "descent":                # the trails come from a worker
            qtbot.waitUntil(lambda: descent_ready(window), timeout=40_000)
        assert check(), (step.key, descent_state(window))
        if step.key == "eta_large":
            m = window.panels["descent"].model
            t = m.trajectories["gd"]
            assert m.step < t.steps and t.actual[m.step] > 0 > t.predicted[m.step]
            assert "C went up" in window.panels["descent"].readout.text()
        if step.key == "eta_small":
            t = window.panels["descent"].model.trajectories["gd"]
            assert t.C[-1] > 0.3 * t.C[0]          # the crawl: far from the bottom
        if step.key == "not_physics":
            tr = window.panels["descent"].model.trajectories
            assert tr["momentum"].C[-1] < tr["gd"].C[-1]
        if step.key == "one_variable":
            assert window.panels["descent"].model.step == 0
        if step.key == "newton":
            t = window.panels["descent"].model.trajectories["newton"]
            assert t.C[1] < 1e-9                    # a quadratic valley: one step
    # the outline goes away by itself
    qtbot.waitUntil(lambda: not dock.highlighter.active(), timeout=5_000)


def test_show_me_waits_for_trails_computed_later(make_window, qtbot):
    """The descent panel computes its trails on a worker thread: Show me waits for them
    before picking the overshooting step, however long they take."""
    window = make_window()
    dock = open_tour(window)
    m = window.panels["descent"].model
    worker = m.runner
    held = []
    m.runner = held.append                # a worker that has not finished yet
    try:
        dock.model.go([s.key for s in STEPS].index("eta_large"))
        dock.show_me()
        assert held and dock.waiting()
        qtbot.wait(300)
        assert dock.waiting() and m.busy   # nothing came: still waiting
    finally:
        m.runner = worker
    worker(held[-1])                       # now the real worker computes the last job
    qtbot.waitUntil(lambda: not dock.waiting(), timeout=40_000)
    t = m.trajectories["gd"]
    assert m.settings.eta == 0.02 and t.actual[m.step] > 0 > t.predicted[m.step]


def test_next_back_and_the_place_is_remembered(make_window, settings, qtbot):
    window = make_window()
    dock = open_tour(window)
    assert not dock.back_button.isEnabled()
    dock.next_button.click()
    dock.next_button.click()
    dock.back_button.click()
    assert dock.model.index == 1 and STEPS[1].title in dock.heading.text()
    assert settings.value(SETTINGS_KEY) == STEPS[1].key
    dock.jump.activated.emit(len(STEPS) - 1)
    assert dock.model.index == len(STEPS) - 1 and not dock.next_button.isEnabled()
    dock.back_button.click()
    window.close()
    again = make_window()
    dock2 = open_tour(again)
    assert dock2.model.index == len(STEPS) - 2
    assert STEPS[-2].title in dock2.heading.text()
    settings.setValue(SETTINGS_KEY, "<b>garbage</b>")
    third = make_window()
    assert open_tour(third).model.index == 0


def test_without_the_inside_panel_the_pad_shows_noise(make_window, qtbot):
    window = make_window()
    dock = open_tour(window)
    window.panels.pop("inside", None)
    dock.model.go(len(STEPS) - 1)
    shown = dock.show_me()
    pad = window.panels["drawing"]
    assert shown.panel == "drawing" and shown.target is pad.bars
    assert window.tabs.currentWidget() is pad and pad.canvas.picture_kind == "noise"
    assert "no Inside panel" in dock.note.text()


def test_without_a_network_panel_many_variables_uses_the_training_panel(make_window):
    window = make_window()
    dock = open_tour(window)
    window.panels.pop("network", None)
    window.panels.pop("landscape", None)
    dock.model.go([s.key for s in STEPS].index("many"))
    shown = dock.show_me()
    t = window.panels["training"]
    assert shown.panel == "training" and shown.target is t.controls.fields["eta"]
    assert window.tabs.currentWidget() is t and "no real-network" in dock.note.text()


def test_a_missing_panel_is_skipped_with_a_message(make_window, qtbot):
    window = make_window()
    dock = open_tour(window)
    window.panels.pop("inside", None)             # as in a window without them
    del window.panels["drawing"]
    dock.model.go(len(STEPS) - 1)                 # "inside": needs Inside or the pad
    before = window.tabs.currentIndex()
    assert dock.show_me() is None
    assert dock.note.isVisible() and "Skipped" in dock.note.text()
    assert window.tabs.currentIndex() == before
    del window.panels["descent"]
    dock.model.go(0)
    dock.model.go([s.key for s in STEPS].index("ball"))
    assert dock.show_me() is None and "Descent panel" in dock.note.text()
    dock.model.go(0)
    assert dock.show_me() is not None                  # the training steps still work


def test_offered_on_first_launch_only_and_not_by_default(make_window, settings):
    plain = make_window()
    assert getattr(plain, "tour_dock", None) is None   # tests and screenshots: no offer
    first = make_window(offer_tour=True)
    assert first.tour_dock.isVisible()
    assert str(settings.value(OFFERED_KEY)) == "1"
    second = make_window(offer_tour=True)
    assert getattr(second, "tour_dock", None) is None


@pytest.mark.skipif(not mathtext.available(), reason="matplotlib is not installed")
def test_formula_pictures_render(make_window, qtbot):
    window = make_window()
    dock = open_tour(window)
    for s in STEPS:
        pm = dock.renderer.render_now(s.formula)
        assert not pm.isNull() and pm.width() > 40 and pm.height() > 10
        img = pm.toImage()
        grey = [img.pixelColor(x, y).lightness() for x in range(0, img.width(), 2)
                for y in range(0, img.height(), 2)]
        assert min(grey) < 80 and max(grey) > 240              # dark ink on white paper
    dock.model.go(3)
    qtbot.waitUntil(dock.formula.has_picture, timeout=20_000)
    assert dock.formula.toolTip() == STEPS[3].formula_plain
    assert np.isfinite(dock.formula.pixmap().width())


def test_the_widget_pointed_at_is_scrolled_into_view(qtbot):
    from PySide6.QtWidgets import QLineEdit, QScrollArea, QVBoxLayout, QWidget

    from explorer.tour.highlight import Highlighter

    top = QWidget()
    qtbot.addWidget(top)
    top.resize(300, 200)
    scroll = QScrollArea(top)
    scroll.setGeometry(0, 0, 300, 200)
    body = QWidget()
    lay = QVBoxLayout(body)
    fields = [QLineEdit(str(i)) for i in range(40)]
    for f in fields:
        lay.addWidget(f)
    scroll.setWidget(body)
    top.show()
    qtbot.waitExposed(top)
    field = fields[-1]

    def shown_height():
        top_left = field.mapTo(scroll.viewport(), QPoint(0, 0))
        return QRect(top_left, field.size()).intersected(scroll.viewport().rect()).height()
    assert shown_height() <= 0                 # far below the view to begin with
    hl = Highlighter(top)
    hl.point_at(field)
    assert shown_height() == field.height() and hl.active()
    r = QRect(field.mapTo(top, QPoint(0, 0)), field.size())
    assert hl.overlay.geometry().contains(r)
