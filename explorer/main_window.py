"""The main window: one tab per panel, a menu bar, and state kept between runs."""

from __future__ import annotations

import importlib
import json

from PySide6.QtCore import QByteArray, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QTabWidget

from explorer.session import Session
from explorer.tour import window_hooks as tour
from explorer.training.setup_actions import TrainingSetupActions

# (key, tab title, module, class): each class takes (session, parent=None).
PANELS = (
    ("descent", "Descent", "explorer.descent.panel", "DescentPanel"),
    ("training", "Training", "explorer.training.panel", "TrainingPanel"),
    ("drawing", "Drawing pad", "explorer.drawing.panel", "DrawingPanel"),
    ("inside", "Inside the network", "explorer.inside.panel", "InsidePanel"),
    ("network", "Real network", "explorer.network.panel", "NetworkPanel"),
)

BOOK_URL = "http://neuralnetworksanddeeplearning.com/chap1.html#learning_with_gradient_descent"
VIDEO_URL = "https://www.3blue1brown.com/lessons/gradient-descent"


SETTINGS_VERSION = 1


class MainWindow(QMainWindow):
    """Holds the panels; remembers size, position, the open tab and each panel's state.

    A panel may define ``shutdown()`` (called when the window closes, e.g. to stop
    training), ``file_actions()`` (QActions for the File menu), and
    ``settings_state()`` / ``apply_settings(state)``: its settings as one JSON-able dict,
    and putting such a dict back. ``apply_settings`` checks every value, uses the default
    for any it cannot use, and returns a list of notes saying which (shown in the status
    bar). Each panel's settings are kept as one versioned JSON value, so an unreadable or
    foreign value costs that panel its settings, never the start of the app.
    """

    def __init__(self, session: Session, settings: QSettings | None = None,
                 offer_tour: bool = False):
        super().__init__()
        self.session = session
        self.settings = settings if settings is not None else QSettings()
        self.setWindowTitle("Gradient Descent Explorer")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.panels = {}
        for key, title, module, cls in PANELS:
            panel = getattr(importlib.import_module(module), cls)(session)
            panel.setObjectName(f"panel-{key}")
            self.panels[key] = panel
            self.tabs.addTab(panel, title)
        self._build_menus()
        self.statusBar().showMessage(session.model_error or "Ready", 8000)
        self._restore()
        if offer_tour:                  # a normal start (not --screenshot, not tests)
            tour.offer_tour(self)

    # ------------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.training_setup = TrainingSetupActions(self)
        for key, panel in self.panels.items():
            actions = panel.file_actions() if hasattr(panel, "file_actions") else []
            if key == "training":       # Copy/Paste Training Setup, beside its own
                actions = list(actions) + self.training_setup.actions()
            for action in actions:
                file_menu.addAction(action)
            if actions:
                file_menu.addSeparator()
        shot = QAction("Save &Screenshot of This Panel…", self)
        shot.setShortcut(QKeySequence("Ctrl+Shift+S"))
        shot.triggered.connect(self._save_screenshot)
        file_menu.addAction(shot)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        for i, (key, title, *_rest) in enumerate(PANELS):
            action = QAction(title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _=False, i=i: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)
        view_menu.addSeparator()
        full = QAction("&Full Screen", self)
        full.setShortcut(QKeySequence.FullScreen)
        full.setCheckable(True)
        full.toggled.connect(lambda on: self.showFullScreen() if on else self.showNormal())
        view_menu.addAction(full)

        help_menu = self.menuBar().addMenu("&Help")
        tour.add_tour_action(self, help_menu)
        help_menu.addSeparator()
        for text, url in (("The Book: Learning with Gradient Descent", BOOK_URL),
                          ("3Blue1Brown: Gradient Descent", VIDEO_URL)):
            action = QAction(text, self)
            action.triggered.connect(lambda _=False, u=url: QDesktopServices.openUrl(QUrl(u)))
            help_menu.addAction(action)
        keys = QAction("&Keyboard Shortcuts", self)
        keys.triggered.connect(self._show_shortcuts)
        help_menu.addAction(keys)
        about = QAction("&About Gradient Descent Explorer", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def shortcut_list(self) -> list:
        """(where, what, keys) for every action with a shortcut: the menus' and each
        panel's own (e.g. Space to play the descent panel's ball), found when asked, so
        a panel's new shortcut is listed without an edit here."""
        rows, seen = [], set()
        places = [(self.tabs.tabText(i), self.tabs.widget(i))
                  for i in range(self.tabs.count())] + [("Window", self)]
        for where, owner in places:
            for action in owner.findChildren(QAction):
                keys = action.shortcut().toString(QKeySequence.NativeText)
                what = action.text().replace("&", "").rstrip("…. ")
                if not keys or (what, keys) in seen:
                    continue
                seen.add((what, keys))
                panel_only = action.shortcutContext() != Qt.WindowShortcut
                rows.append((where if panel_only else "Window", what, keys))
        return rows

    def _show_shortcuts(self) -> None:
        lines = [f"{keys:<18} {what}" + (f"  ({where} panel)" if where != "Window" else "")
                 for where, what, keys in self.shortcut_list()]
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard Shortcuts")
        box.setTextFormat(Qt.PlainText)
        box.setText("\n".join(lines))
        box.setStyleSheet("QLabel { font-family: monospace; }")
        box.open()
        self.shortcuts_box = box

    def _about(self) -> None:
        QMessageBox.about(
            self, "About Gradient Descent Explorer",
            "<p><b>Gradient Descent Explorer</b></p>"
            "<p>Watch a neural network learn: a ball rolling down a cost surface, "
            "the book's 784-30-10 network learning MNIST live, and a pad to draw digits "
            "on.</p><p>After Michael Nielsen's <i>Neural Networks and Deep Learning</i>, "
            "chapter 1, and 3Blue1Brown's lesson on gradient descent.</p>")

    def _save_screenshot(self) -> None:
        key = list(self.panels)[self.tabs.currentIndex()]
        path, _ = QFileDialog.getSaveFileName(self, "Save Screenshot", f"{key}.png",
                                              "PNG images (*.png)")
        if path:
            if not self.grab_panel_image().save(path, "PNG"):
                QMessageBox.warning(self, "Screenshot", f"Could not write {path}.")

    def grab_panel_image(self):
        """An image of the window as it is on screen (OpenGL views included)."""
        screen = self.screen()
        image = screen.grabWindow(self.winId()) if screen is not None else None
        if image is None or image.isNull():
            image = self.grab()
        return image

    # ------------------------------------------------------------------ state
    def _restore(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        restored = False
        if isinstance(geometry, (QByteArray, bytes, bytearray)):
            restored = self.restoreGeometry(geometry)
        if not restored:
            self.resize(1400, 900)
        try:
            index = int(s.value("window/tab", 0))
        except (TypeError, ValueError):
            index = 0
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)
        notes = []
        for key, panel in self.panels.items():
            if hasattr(panel, "apply_settings"):
                notes += self._restore_panel(key, panel)
        self.settings_notes = notes
        if notes:
            self.statusBar().showMessage(" ".join(notes), 15000)

    def _restore_panel(self, key: str, panel) -> list:
        """Read the panel's one JSON value and hand it over; what cannot be used is
        dropped with a note, never an exception."""
        title = self.tabs.tabText(list(self.panels).index(key))
        raw = self.settings.value(f"panels/{key}")
        if raw is None:
            return []
        try:
            value = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:          # json.JSONDecodeError, and nesting too deep
            value = None
        except RecursionError:
            value = None
        if (not isinstance(value, dict) or value.get("version") != SETTINGS_VERSION
                or not isinstance(value.get("state"), dict)):
            return [f"The saved settings of the {title} panel could not be read; "
                    f"it starts with its defaults."]
        try:
            notes = panel.apply_settings(value["state"]) or []
        except Exception as exc:       # a bug must not stop the window from opening
            return [f"The saved settings of the {title} panel could not be used "
                    f"({type(exc).__name__}); it starts with its defaults."]
        return [f"{title}: {n}" for n in notes]

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/tab", self.tabs.currentIndex())
        for key, panel in self.panels.items():
            if hasattr(panel, "settings_state"):
                value = {"version": SETTINGS_VERSION, "state": panel.settings_state()}
                s.setValue(f"panels/{key}", json.dumps(value))
        s.sync()

    def closeEvent(self, event) -> None:
        for panel in self.panels.values():
            if hasattr(panel, "shutdown"):
                panel.shutdown()
        self.save_state()
        super().closeEvent(event)
