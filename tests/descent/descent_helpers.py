"""Mouse helpers of the descent panel tests."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt


def view_pos(plot, x, y) -> QPoint:
    """Where the data point (x, y) of a pyqtgraph PlotWidget is, in viewport pixels."""
    scene = plot.plotItem.vb.mapViewToScene(QPointF(x, y))
    return plot.mapFromScene(scene)


def click(widget, pos, qtbot):
    qtbot.mouseClick(widget, Qt.LeftButton, pos=pos)
