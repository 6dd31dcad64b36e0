"""Flows: steps and rounds as data, and the pure engine that advances an intervention."""
