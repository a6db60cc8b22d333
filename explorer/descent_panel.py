"""The Descent panel (placeholder until its issue lands)."""

from explorer.placeholder import PlaceholderPanel


class DescentPanel(PlaceholderPanel):
    def __init__(self, session, parent=None):
        super().__init__("Descent", "The Descent panel is coming.", parent)
