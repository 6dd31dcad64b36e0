"""tst-bot: a facilitation bot assisting the Thérapie Sociale (TST) process on Slack and Discord."""

__version__ = "0.1.0"
