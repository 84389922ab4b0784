"""A bare ovsdb-server (no northd) on a unix socket in a temporary directory.

Loader tests need database files holding exactly what they wrote (northd would add
its own columns), so they serve one NB or SB database alone; starting and stopping
the daemon is the oracle harness's own code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from oracle.harness import create_db, missing_binaries, start_ovsdb_server, stop_daemons


def have_ovn() -> bool:
    return not missing_binaries() and shutil.which("ovsdb-client") is not None


class OvsdbServer:
    """ovsdb-server for one database kind ("nb" / "sb"); stop() kills only its own pid."""

    def __init__(self, kind: str, directory: Path | None = None) -> None:
        self.dir = Path(directory or tempfile.mkdtemp(prefix="ovt-"))
        self.kind = kind
        self.db = create_db(self.dir, kind)
        self.remote = f"unix:{self.dir / (kind + '.sock')}"

    def start(self) -> OvsdbServer:
        self.remote = start_ovsdb_server(self.dir, self.kind)
        return self

    def ctl(self, *args: str) -> str:
        tool = "ovn-nbctl" if self.kind == "nb" else "ovn-sbctl"
        done = subprocess.run(
            [tool, f"--db={self.remote}", *args], check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    def transact(self, ops: list[dict[str, Any]]) -> Any:
        database = "OVN_Northbound" if self.kind == "nb" else "OVN_Southbound"
        done = subprocess.run(
            ["ovsdb-client", "transact", self.remote, json.dumps([database, *ops])],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        result = json.loads(done.stdout)
        errors = [r for r in result if isinstance(r, dict) and "error" in r]
        assert not errors, errors
        return result

    def backup(self, target: Path) -> Path:
        with target.open("wb") as out:
            subprocess.run(["ovsdb-client", "backup", self.remote], check=True, stdout=out)
        return target

    def stop(self) -> None:
        stop_daemons(self.dir, [self.kind])

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
