"""Tools for the people who write the course, not for trainees: re-running the lesson notebooks
(``lessons``: ``cqvol-sim lessons refresh``, and the small ``table`` helper lessons print with) and
presetting Jupyter for a training room (``jupyter_setup``: ``cqvol-sim setup-jupyter``).

Nothing here is imported by ``import cqvol_sim``; nbclient and nbformat only when a notebook runs.
"""
