"""Expert data collection for the offline curriculum stages (BC, AWR).

``python -m experiments.collect`` runs SCML std worlds in which experts play, in parallel Ray
tasks, and writes one NPZ shard per world plus a manifest (see ``shards.py``)."""
