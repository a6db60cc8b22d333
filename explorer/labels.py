"""Text helpers the panels share: a bold title label, and user text (file names, model
names) made safe to put in a rich-text label."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel, QSizePolicy


def plain_html(text) -> str:
    """``text`` as rich text that shows it as it is: &, < and > escaped."""
    return html.escape(str(text), quote=False)


def title_label(text: str, scale: float) -> QLabel:
    """A bold label ``scale`` times the usual font size, as tall as its text."""
    label = QLabel(text)
    f = label.font()
    f.setPointSizeF(f.pointSizeF() * scale)
    f.setBold(True)
    label.setFont(f)
    label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
    return label
