"""Catalogs of every text the bot says, in French and English, and how they are formatted."""
