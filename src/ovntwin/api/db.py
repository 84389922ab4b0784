"""Engine, sessions and schema migration (Alembic `upgrade head`, run programmatically).

SQLite: one writer at a time. A write transaction starts with BEGIN IMMEDIATE (it takes the
write lock up front, so two writers never both read then collide on upgrade), and a busy
connection waits `BUSY_TIMEOUT_S` for the lock instead of failing at once.
PostgreSQL: `postgresql://` and `postgresql+psycopg://` both mean psycopg 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_S = 30.0
WRITE = "ovntwin_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # pysqlite's own implicit BEGIN is off; `_sqlite_begin` emits the BEGIN we want.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL: readers do not block the writer, and a killed server leaves a consistent file.
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit acknowledged to a client survives a crash of the server (and of the OS).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def normalize_url(url: str) -> str:
    """postgresql:// (and the old postgres://) -> the psycopg 3 driver SQLAlchemy knows."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
            pool_size=20,
            max_overflow=20,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20)


def sessions(engine: Engine, write: bool) -> sessionmaker[Session]:
    """Session factory; `write` sessions take SQLite's write lock when they begin."""
    bound: Any = engine.execution_options(**{WRITE: True}) if write else engine
    return sessionmaker(bound, expire_on_commit=False)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escaping
    with engine.execution_options(**{WRITE: True}).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
