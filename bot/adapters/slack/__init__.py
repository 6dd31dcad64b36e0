"""Slack adapter: bolt app (HTTP and Socket Mode), SlackChat port, pure parse and render."""
