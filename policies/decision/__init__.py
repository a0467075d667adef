"""One SCML decision pipeline for environments, offline labels and the exported agent.

A snapshot of what a decision sees (:mod:`snapshot`: the day at dawn, the open threads of a round
with their offers and histories) is built from a live AWI or from recorded events; pure functions
turn it into each network's inputs (:mod:`observation` for L2, :mod:`inputs` for L3/L4) and an
executor's decision into shielded responses (:mod:`responses`). Feature layouts are named once
in :mod:`layouts`. Needs numpy (and scml/negmas for the live AWI side) only.
"""
