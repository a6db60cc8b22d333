"""The Qt side of Gradient Descent Explorer: one module per panel, the main window,
the shared session and the training worker. Views take their model in the
constructor and connect to its signals; the maths lives in ``engine``."""
