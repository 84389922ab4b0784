"""Alembic migrations shipped with the package; `upgrade(url)` runs them to head."""
