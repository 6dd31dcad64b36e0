"""The web pages: the facilitator's live dashboard and each participant's own data."""
