"""Offline curriculum stages (BC, AWR) on collected expert data: ``python -m experiments.train``."""
