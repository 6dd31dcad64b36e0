"""Chat adapters: the in-memory reference port (and, later, Slack and Discord)."""
