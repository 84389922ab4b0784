"""API test fixtures: every API test runs on SQLite and on a private PostgreSQL 15."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ovntwin.api.app import create_app

from .pg import PostgresMissing, PrivatePostgres, remove, start_private_postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[PrivatePostgres]:
    try:
        server = start_private_postgres()
    except PostgresMissing as err:
        pytest.fail(str(err))  # never a silent skip: CI installs postgresql
    yield server
    remove(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'neutron.db'}"
    server: PrivatePostgres = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    app = create_app(db_url)
    with TestClient(app) as c:
        yield c
    app.state.sessions.kw["bind"].dispose()  # close the pool: PostgreSQL counts connections
