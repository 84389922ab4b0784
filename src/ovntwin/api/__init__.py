"""The Neutron-compatible REST API (`ovntwin serve`): FastAPI + SQLAlchemy 2 + Alembic.

Only this package (and the `serve` command) imports the `api` extra's libraries.
"""
