"""Expert datasets and the labels the offline stages learn from (seed 000, section 10)."""
