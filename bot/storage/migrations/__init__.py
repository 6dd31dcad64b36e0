"""Alembic migrations of the bot database."""
