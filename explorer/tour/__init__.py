"""The Tour: chapter 1's argument step by step, each step able to set the app up to show it.

``steps`` (the text and formulas, no Qt), ``model`` (where the learner is, no Qt),
``mathtext`` (formulas drawn by matplotlib, no Qt), ``formula_view``, ``highlight``,
``show_me`` and ``dock`` (Qt), and ``window_hooks`` (how the main window adds it).
"""
