"""Expert datasets and the labels the offline stages learn from."""
