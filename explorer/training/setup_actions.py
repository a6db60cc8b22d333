"""File > Copy Training Setup and Paste Training Setup: the training panel's settings as
one line of text a teacher can share (``engine.training_setup``, kind "training").

``TrainingSetupActions(window)`` holds the two QActions (``actions()`` for the File menu).
It reads and sets the panel only through ``settings_state()`` and ``apply_settings()``.
A pasted code is checked whole before anything changes: a bad or hostile one gets a
message and changes nothing; so does any paste while training runs.
"""

from __future__ import annotations

from typing import List, Optional

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from engine import setup_codes
from engine.training_setup import KIND, encode_training


class TrainingSetupActions(QObject):
    """Copy and paste of the training panel's setup, for the main window's File menu."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.last_message = ""
        self.last_box: Optional[QMessageBox] = None
        self.copy_action = QAction("Copy Training Setup", self)
        self.copy_action.setObjectName("copy-training-setup")
        self.copy_action.setToolTip("Put the training panel's settings on the clipboard as "
                                    "one line of text to share")
        self.copy_action.triggered.connect(self.copy)
        self.paste_action = QAction("Paste Training Setup", self)
        self.paste_action.setObjectName("paste-training-setup")
        self.paste_action.setToolTip("Set the training panel up from a setup code on the "
                                     "clipboard")
        self.paste_action.triggered.connect(self.paste)

    def actions(self) -> List[QAction]:
        return [self.copy_action, self.paste_action]

    def _panel(self):
        return getattr(self.window, "panels", {}).get("training")

    # ------------------------------------------------------------------ code
    def setup_code(self) -> str:
        """The training panel's settings as a setup code; SetupCodeError (saying which)
        when a field holds a value the panel itself would refuse."""
        panel = self._panel()
        if panel is None:
            raise setup_codes.SetupCodeError("This window has no training panel.")
        return encode_training(panel.settings_state())

    def apply_code(self, code: str) -> str:
        """Set the training panel up from ``code``: "" when done, else why not (and
        nothing changed)."""
        panel = self._panel()
        if panel is None:
            return "This window has no training panel."
        if getattr(panel, "running", False):
            return "Training is running: stop it first, then paste the setup."
        try:
            _kind, data = setup_codes.read(code, KIND)
        except setup_codes.SetupCodeError as exc:
            return str(exc)
        before = panel.settings_state()
        notes = panel.apply_settings(data) or []
        if notes:       # the check should have caught it: put everything back
            panel.apply_settings(before)
            return "The setup could not be used whole; nothing changed. " + " ".join(notes)
        return ""

    # ------------------------------------------------------------------ actions
    def copy(self) -> Optional[str]:
        try:
            code = self.setup_code()
        except setup_codes.SetupCodeError as exc:
            self._warn("Copy Training Setup", f"The setup was not copied.\n\n{exc}")
            return None
        QGuiApplication.clipboard().setText(code)
        self._status(f"Training setup copied ({len(code)} characters): paste it with "
                     f"File > Paste Training Setup.")
        return code

    def paste(self) -> str:
        problem = self.apply_code(QGuiApplication.clipboard().text())
        if problem:
            self._warn("Paste Training Setup",
                       f"The clipboard's setup was not used; nothing changed.\n\n{problem}")
        else:
            tabs = getattr(self.window, "tabs", None)
            if tabs is not None and tabs.indexOf(self._panel()) >= 0:
                tabs.setCurrentWidget(self._panel())
            self._status("Training setup pasted.")
        return problem

    def _warn(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self.window)
        box.setTextFormat(Qt.PlainText)        # it may quote the pasted text
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.setObjectName("training-setup-message")
        self.last_message = text
        self.last_box = box
        box.open()              # not modal to the app: the window stays usable

    def _status(self, text: str) -> None:
        self.last_message = text
        bar = getattr(self.window, "statusBar", None)
        if bar is not None:
            bar().showMessage(text, 8000)
