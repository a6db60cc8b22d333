"""What the panels share: where MNIST is, and which network the drawing pad asks.

The training panel calls ``set_model`` when it builds, trains or loads a network;
the drawing pad listens to ``model_changed``. The shipped model answers until then.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, Signal

from engine import model_io
from engine.network import Network

# the resources package: the checkout's resources/ folder, or its installed copy
RESOURCES = Path(str(importlib.resources.files("resources")))
SHIPPED_MODEL = RESOURCES / "model-784-100-10.npz"


class Session(QObject):
    """Shared state of one window: data folder and the answering model."""

    # (network, a label saying which model it is: "shipped", "being trained", a file name)
    model_changed = Signal(object, str)

    def __init__(self, data_dir: Optional[str] = None, model_path: Optional[str] = None,
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.model: Optional[Network] = None
        self.model_label = "no model"
        self.model_error: Optional[str] = None
        path = Path(model_path) if model_path else SHIPPED_MODEL
        try:
            net = model_io.load(path, expect_sizes=(784, 10))
        except model_io.ModelError as exc:
            self.model_error = str(exc)
        else:
            label = "shipped model" if path == SHIPPED_MODEL else f"file {path.name}"
            self.model, self.model_label = net, label

    def set_model(self, net: Optional[Network], label: str) -> None:
        """Make ``net`` the answering model and tell every listener."""
        self.model, self.model_label = net, label
        self.model_changed.emit(net, label)
