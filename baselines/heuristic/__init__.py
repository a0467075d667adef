"""Heuristic SCML std agent: L1 shield + heuristic L2 planner, L3 concession, L4 reservation."""
