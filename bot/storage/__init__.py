"""Storage: SQLAlchemy tables, the SQL store (unit of work, dedupe, outbox) and migrations."""
