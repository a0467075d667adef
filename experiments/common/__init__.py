"""Pieces every entry point shares: run directories, seeding, thread limits."""
