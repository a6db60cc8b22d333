"""The main window: one tab per panel, a menu bar, and state kept between runs."""

from __future__ import annotations

import importlib

from PySide6.QtCore import QByteArray, QSettings, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QTabWidget

from explorer.session import Session

# (key, tab title, module, class): each class takes (session, parent=None).
PANELS = (
    ("descent", "Descent", "explorer.descent.panel", "DescentPanel"),
    ("training", "Training", "explorer.training.panel", "TrainingPanel"),
    ("drawing", "Drawing pad", "explorer.drawing.panel", "DrawingPanel"),
)

BOOK_URL = "http://neuralnetworksanddeeplearning.com/chap1.html#learning_with_gradient_descent"
VIDEO_URL = "https://www.3blue1brown.com/lessons/gradient-descent"


class MainWindow(QMainWindow):
    """Holds the panels; remembers size, position, the open tab and each panel's state.

    A panel may define ``shutdown()`` (called when the window closes, e.g. to stop
    training), ``save_state(settings)`` / ``restore_state(settings)`` (a QSettings opened
    in the panel's own group), and ``file_actions()`` (QActions for the File menu).
    """

    def __init__(self, session: Session, settings: QSettings | None = None):
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

    # ------------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        for key, panel in self.panels.items():
            actions = panel.file_actions() if hasattr(panel, "file_actions") else []
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
        for text, url in (("The Book: Learning with Gradient Descent", BOOK_URL),
                          ("3Blue1Brown: Gradient Descent", VIDEO_URL)):
            action = QAction(text, self)
            action.triggered.connect(lambda _=False, u=url: QDesktopServices.openUrl(QUrl(u)))
            help_menu.addAction(action)
        about = QAction("&About Gradient Descent Explorer", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

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
        for key, panel in self.panels.items():
            if hasattr(panel, "restore_state"):
                s.beginGroup(key)
                try:
                    panel.restore_state(s)
                finally:
                    s.endGroup()

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/tab", self.tabs.currentIndex())
        for key, panel in self.panels.items():
            if hasattr(panel, "save_state"):
                s.beginGroup(key)
                try:
                    panel.save_state(s)
                finally:
                    s.endGroup()
        s.sync()

    def closeEvent(self, event) -> None:
        for panel in self.panels.values():
            if hasattr(panel, "shutdown"):
                panel.shutdown()
        self.save_state()
        super().closeEvent(event)
