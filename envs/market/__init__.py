"""Market data, costs and indicators shared by the trading simulator and the allocation MDP."""
