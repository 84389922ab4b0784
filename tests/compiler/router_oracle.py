"""Real OVN 23.03 as the judge of the router pipelines (oracle tests only).

`RealOvn` runs a private NB + SB ovsdb-server and ovn-northd in a temporary
directory (unix sockets only), stopped by the PIDs in their pidfiles, never by name.
`router_diff(commands, "R1")` builds a topology with `ovn-nbctl` command strings
(each shlex-split), dumps `ovn-sbctl lflow-list R1`, loads the same NB database
into ovntwin, compiles it and returns a unified diff of the two listings ("" when
identical). The datapath UUID in `Datapath:` header lines is masked on both sides.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from ovntwin.compiler.compile import compile_nb
from ovntwin.loaders.sources import load_nb
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths

_SCHEMAS = Path("/usr/share/ovn")
_DP_UUID = re.compile(r"^(Datapath: .*) \([0-9a-f-]{36}\)(  Pipeline: \w+)$", re.M)
_TOOLS = ("ovsdb-tool", "ovsdb-server", "ovn-northd", "ovn-nbctl", "ovn-sbctl")


def have_real_ovn() -> bool:
    return all(shutil.which(t) for t in _TOOLS) and (_SCHEMAS / "ovn-nb.ovsschema").exists()


def mask(listing: str) -> str:
    return _DP_UUID.sub(r"\1 (UUID)\2", listing)


class RealOvn:
    """A private OVN control plane; use as a context manager."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="ovt-router-"))

    def __enter__(self) -> RealOvn:
        for name in ("nb", "sb"):
            self._start_db(name)
        self.nbctl("set", "NB_Global", ".", "options:mac_prefix=0a:00:00",
                   "options:svc_monitor_mac=0a:00:00:00:00:fe")  # fmt: skip
        d = self.dir
        subprocess.run(
            ["ovn-northd", "--detach", f"--pidfile={d}/northd.pid",
             f"--log-file={d}/northd.log", f"--ovnnb-db=unix:{d}/nb.sock",
             f"--ovnsb-db=unix:{d}/sb.sock", f"--unixctl={d}/northd.ctl"],
            check=True,
        )  # fmt: skip
        return self

    def __exit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        for name in ("northd", "nb", "sb"):
            self._stop(name)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _start_db(self, name: str) -> None:
        d = self.dir
        schema = _SCHEMAS / f"ovn-{name}.ovsschema"
        subprocess.run(["ovsdb-tool", "create", str(d / f"{name}.db"), str(schema)], check=True)
        subprocess.run(
            ["ovsdb-server", "--detach", f"--pidfile={d}/{name}.pid",
             f"--log-file={d}/{name}.log", f"--remote=punix:{d}/{name}.sock",
             f"--unixctl={d}/{name}.ctl", str(d / f"{name}.db")],
            check=True,
        )  # fmt: skip

    def _stop(self, name: str) -> None:
        pidfile = self.dir / f"{name}.pid"
        if not pidfile.exists():
            return
        pid = int(pidfile.read_text().strip())
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return
        if str(self.dir) not in cmdline:
            return
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                return
            time.sleep(0.02)

    def nbctl(self, *args: str) -> str:
        cmd = ["ovn-nbctl", f"--db=unix:{self.dir}/nb.sock", *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def sbctl(self, *args: str) -> str:
        cmd = ["ovn-sbctl", f"--db=unix:{self.dir}/sb.sock", *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def run(self, commands: Sequence[str]) -> None:
        for command in commands:
            self.nbctl(*shlex.split(command))
        self.nbctl("--wait=sb", "sync")

    def ours(self, datapath: str) -> str:
        sb = compile_nb(load_nb(f"unix:{self.dir}/nb.sock"))
        return format_lflow_list(sb, select_datapaths(sb, datapath))


def router_diff(commands: Sequence[str], router: str) -> str:
    """Unified diff between real OVN's and ovntwin's lflow-list of `router`."""
    with RealOvn() as ovn:
        ovn.run(commands)
        real = mask(ovn.sbctl("lflow-list", router))
        ours = mask(ovn.ours(router))
    lines = difflib.unified_diff(
        real.splitlines(keepends=True), ours.splitlines(keepends=True), "ovn", "ovntwin"
    )
    return "".join(lines)


def real_listing(commands: Sequence[str], router: str) -> str:
    """Only real OVN's listing (for exploring a shape)."""
    with RealOvn() as ovn:
        ovn.run(commands)
        return mask(ovn.sbctl("lflow-list", router))
