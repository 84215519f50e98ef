"""Writes that enforce the booking rules. Each owns its transaction and locks the cohort row first."""
