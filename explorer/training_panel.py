"""The Training panel (placeholder until its issue lands)."""

from explorer.placeholder import PlaceholderPanel


class TrainingPanel(PlaceholderPanel):
    def __init__(self, session, parent=None):
        super().__init__("Training", "The Training panel is coming.", parent)
