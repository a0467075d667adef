"""Online stages of the curriculum (PPO, self-play) on the SCML environments."""
