"""A private ovsdb-server on a unix socket in a temporary directory (for oracle tests)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

SCHEMAS = {"nb": "/usr/share/ovn/ovn-nb.ovsschema", "sb": "/usr/share/ovn/ovn-sb.ovsschema"}
BINARIES = ("ovsdb-tool", "ovsdb-server", "ovsdb-client", "ovn-nbctl", "ovn-sbctl")


def have_ovn() -> bool:
    return all(shutil.which(b) for b in BINARIES) and all(
        Path(s).exists() for s in SCHEMAS.values()
    )


class OvsdbServer:
    """ovsdb-server for one database kind ("nb" / "sb"); stop() kills only its own pid."""

    def __init__(self, kind: str, directory: Path | None = None) -> None:
        self.dir = Path(directory or tempfile.mkdtemp(prefix="ovt-"))
        self.kind = kind
        self.db = self.dir / f"{kind}.db"
        self.sock = self.dir / f"{kind}.sock"
        self.pidfile = self.dir / f"{kind}.pid"
        self.remote = f"unix:{self.sock}"
        subprocess.run(["ovsdb-tool", "create", str(self.db), SCHEMAS[kind]], check=True)

    def start(self) -> OvsdbServer:
        subprocess.run(
            [
                "ovsdb-server", "--detach", f"--pidfile={self.pidfile}",
                f"--log-file={self.dir / (self.kind + '.log')}",
                f"--remote=punix:{self.sock}", f"--unixctl={self.dir / (self.kind + '.ctl')}",
                str(self.db),
            ],
            check=True,
        )  # fmt: skip
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
        if not self.pidfile.exists():
            return
        pid = int(self.pidfile.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and str(self.dir) in cmdline.read_text(errors="replace"):
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.05)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
