"""Automatic reminder plans: steps, the scheduler, the approval queue and the sending window."""
