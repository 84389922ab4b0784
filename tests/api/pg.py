"""A private PostgreSQL 15 for the API tests and benchmarks: own data dir, unix socket only.

initdb/pg_ctl from Debian's postgresql-15 run as the `postgres` user (they refuse root);
the data directory and socket live in a fresh temporary directory; `stop()` ends the server
with `pg_ctl stop` (fast mode).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

BIN_DIRS = (
    "/usr/lib/postgresql/15/bin",
    *sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin"))),
)
USER = "postgres"


class PostgresMissing(RuntimeError):
    pass


def bin_dir() -> Path:
    for candidate in BIN_DIRS:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    raise PostgresMissing(
        "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: "
        "install them with `apt-get install postgresql` (.ci/run does)"
    )


def _as_postgres(*cmd: str) -> list[str]:
    return ["runuser", "-u", USER, "--", *cmd] if os.geteuid() == 0 else list(cmd)


@dataclass
class PrivatePostgres:
    root: Path
    bindir: Path
    counter: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *cmd: str) -> None:
        subprocess.run(_as_postgres(*cmd), check=True, capture_output=True, cwd=self.root)

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", USER)
        options = f"-k {self.root} -c listen_addresses='' -c max_connections=300"
        log = str(self.root / "server.log")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", options,
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@/{database}?host={self.root}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        name = f"t{os.getpid()}_{next(self.counter)}"
        with psycopg.connect(f"host={self.root} user={USER} dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_private_postgres() -> PrivatePostgres:
    bindir = bin_dir()
    root = Path(tempfile.mkdtemp(prefix="ovntwin-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, USER, USER)
    server = PrivatePostgres(root, bindir)
    server.start()
    return server


def remove(server: PrivatePostgres) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
