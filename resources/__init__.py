"""Files the app ships: the model the drawing pad answers with on first launch.

A package (rather than a bare folder) so that setuptools puts the ``.npz`` files into
the wheel as package data and ``importlib.resources.files("resources")`` finds them
both in the checkout and in an installed copy."""
