"""The Drawing panel (placeholder until its issue lands)."""

from explorer.placeholder import PlaceholderPanel


class DrawingPanel(PlaceholderPanel):
    def __init__(self, session, parent=None):
        super().__init__("Drawing", "The Drawing panel is coming.", parent)
