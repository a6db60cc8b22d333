"""The descent panel: its Qt panel, controls and views over a plain-Python model."""
