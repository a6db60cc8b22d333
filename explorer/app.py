"""Starting the application: QApplication, the main window, and --screenshot."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

ORGANIZATION = "gd-explorer"
APPLICATION = "Gradient Descent Explorer"


def make_application(argv=None) -> QApplication:
    """The QApplication (made once), with names for QSettings and pyqtgraph's options."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    import pyqtgraph as pg
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    return app


def run_app(args) -> int:
    if getattr(args, "no_gl", False):
        os.environ["GD_EXPLORER_NO_GL"] = "1"
    code = getattr(args, "setup", None)
    if code:
        import engine.training_setup  # noqa: F401  (adds the "training" kind)
        from engine.setup_codes import SetupCodeError, read
        try:
            kind, _ = read(code)        # checked before any window opens
        except SetupCodeError as exc:
            print(f"error: --setup: {exc}", file=sys.stderr)
            return 2
    app = make_application()
    from explorer.main_window import MainWindow
    from explorer.session import Session

    session = Session(data_dir=args.data, model_path=args.model)
    settings = QSettings()
    if args.screenshot:
        # Screenshots show every panel with its defaults, whatever the user last chose.
        settings = QSettings(str(Path(args.screenshot) / ".screenshot-settings.ini"),
                             QSettings.IniFormat)
        settings.clear()
    # The tour is offered on a person's first launch, not to scripted runs.
    scripted = bool(args.screenshot or getattr(args, "quit_after", None))
    window = MainWindow(session, settings, offer_tour=not scripted)
    if args.screenshot:
        window.resize(1400, 900)
    if code:
        apply_setup(window, kind, code)
    window.show()
    # Ctrl+C in the terminal closes the window the normal way (stopping any training);
    # a timer wakes the interpreter now and then so that Python sees the signal.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    wake = QTimer(window)
    wake.timeout.connect(lambda: None)
    wake.start(250)
    if getattr(args, "quit_after", None):
        QTimer.singleShot(args.quit_after, window.close)
    if args.screenshot:
        status = {"code": 0}
        QTimer.singleShot(300, lambda: take_screenshots(window, Path(args.screenshot), status))
        app.exec()
        return status["code"]
    return app.exec()


def apply_setup(window, kind: str, code: str) -> bool:
    """Show the panel ``kind`` (a setup code's kind) set up from ``code``; a panel takes
    setups through ``apply_setup_code(code) -> ""`` or the reason it could not."""
    panel = window.panels.get(kind)
    apply = getattr(panel, "apply_setup_code", None)
    if apply is None and kind == "training" and hasattr(window, "training_setup"):
        apply = window.training_setup.apply_code        # explorer/training/setup_actions.py
    problem = apply(code) if apply else f"the {kind} panel cannot take setup codes yet."
    if problem:
        print(f"error: --setup: {problem}", file=sys.stderr)
        window.statusBar().showMessage(f"The setup code was not used: {problem}", 15000)
        return False
    window.tabs.setCurrentIndex(list(window.panels).index(kind))
    window.statusBar().showMessage("Set up from the code given with --setup.", 8000)
    return True


def take_screenshots(window, folder: Path, status: dict) -> None:
    """Show each panel in turn, save ``<key>.png`` into ``folder``, then close."""
    from explorer.main_window import PANELS

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"error: cannot create {folder}: {exc}", file=sys.stderr)
        status["code"] = 1
        window.close()
        return
    keys = [p[0] for p in PANELS]

    def shoot(i: int) -> None:
        if i > 0:
            path = folder / f"{keys[i - 1]}.png"
            if not window.grab_panel_image().save(str(path), "PNG"):
                print(f"error: could not write {path}", file=sys.stderr)
                status["code"] = 1
            else:
                print(path)
        if i == len(keys):
            settings_file = folder / ".screenshot-settings.ini"
            window.close()
            try:
                settings_file.unlink()
            except OSError:
                pass
            return
        window.tabs.setCurrentIndex(i)
        window.panels[keys[i]].setFocus()
        QTimer.singleShot(700, lambda: shoot(i + 1))

    shoot(0)
