"""A private OVN control plane (nb + sb ovsdb-server, ovn-northd) for oracle tests.

Unix sockets only, in a temporary directory; stop() signals only our own pids.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

SCHEMAS = {"nb": "/usr/share/ovn/ovn-nb.ovsschema", "sb": "/usr/share/ovn/ovn-sb.ovsschema"}
BINARIES = ("ovsdb-tool", "ovsdb-server", "ovn-northd", "ovn-nbctl", "ovn-sbctl", "ovn-trace")


def have_ovn() -> bool:
    return all(shutil.which(b) for b in BINARIES) and all(
        Path(s).exists() for s in SCHEMAS.values()
    )


class Sandbox:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="ovt-trace-"))
        self.pids: list[Path] = []

    def sock(self, kind: str) -> str:
        return f"unix:{self.dir / (kind + '.sock')}"

    def start(self) -> Sandbox:
        for kind in ("nb", "sb"):
            db = self.dir / f"{kind}.db"
            subprocess.run(["ovsdb-tool", "create", str(db), SCHEMAS[kind]], check=True)
            self._daemon(
                "ovsdb-server", kind, f"--remote=punix:{self.dir / (kind + '.sock')}", str(db)
            )
        self.nbctl(
            "set", "NB_Global", ".", "options:mac_prefix=0a:00:00",
            "options:svc_monitor_mac=0a:00:00:00:00:fe",
        )  # fmt: skip
        self._daemon(
            "ovn-northd", "northd", f"--ovnnb-db={self.sock('nb')}", f"--ovnsb-db={self.sock('sb')}"
        )
        return self

    def _daemon(self, binary: str, name: str, *args: str) -> None:
        pid = self.dir / f"{name}.pid"
        subprocess.run(
            [
                binary, "--detach", f"--pidfile={pid}", f"--log-file={self.dir / (name + '.log')}",
                f"--unixctl={self.dir / (name + '.ctl')}", *args,
            ],
            check=True,
        )  # fmt: skip
        self.pids.append(pid)

    def nbctl(self, *args: str) -> str:
        done = subprocess.run(
            ["ovn-nbctl", f"--db={self.sock('nb')}", *args],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout

    def sbctl(self, *args: str) -> str:
        done = subprocess.run(
            ["ovn-sbctl", f"--db={self.sock('sb')}", *args],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout

    def sync(self) -> None:
        self.nbctl("--wait=sb", "sync")

    def trace(self, *args: str) -> str:
        done = subprocess.run(
            ["ovn-trace", f"--db={self.sock('sb')}", *args],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout

    def stop(self) -> None:
        for pidfile in reversed(self.pids):
            if not pidfile.exists():
                continue
            pid = int(pidfile.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline")
            if cmdline.exists() and str(self.dir) in cmdline.read_text(errors="replace"):
                os.kill(pid, signal.SIGTERM)
                for _ in range(100):
                    if not Path(f"/proc/{pid}").exists():
                        break
                    time.sleep(0.02)
        shutil.rmtree(self.dir, ignore_errors=True)


def build_seed(sb: Sandbox) -> None:
    """The seed topology: switches A/B (localnet, VLAN), router R1, port groups with ACLs."""
    n = sb.nbctl
    n("ls-add", "A", "--", "ls-add", "B", "--", "lr-add", "R1")
    n("lrp-add", "R1", "r1-A", "fa:16:3e:00:01:01", "10.0.1.1/24")
    n("lrp-add", "R1", "r1-B", "fa:16:3e:00:01:02", "10.0.2.1/24")
    for sw, tag, vms, net in (
        ("A", "2011", (1, 2, 3), "10.0.1"),
        ("B", "2010", (4, 5, 6), "10.0.2"),
    ):
        ln = f"ln-{sw}"
        n("lsp-add", sw, ln, "--", "lsp-set-type", ln, "localnet", "--",
          "lsp-set-addresses", ln, "unknown", "--",
          "lsp-set-options", ln, "network_name=physnet1", "--", "set", "Logical_Switch_Port", ln,
          f"tag={tag}")  # fmt: skip
        for i in vms:
            vm, addr = f"vm{i}", f"fa:16:3e:00:00:0{i} {net}.1{i}"
            n("lsp-add", sw, vm, "--", "lsp-set-addresses", vm, addr, "--",
              "lsp-set-port-security", vm, addr)  # fmt: skip
        rp = f"{sw}-r1"
        n("lsp-add", sw, rp, "--", "lsp-set-type", rp, "router", "--",
          "lsp-set-addresses", rp, "router", "--",
          "lsp-set-options", rp, f"router-port=r1-{sw}")  # fmt: skip
    vms = [f"vm{i}" for i in range(1, 7)]
    n("pg-add", "pg_sg1", *vms)
    n("pg-add", "neutron_pg_drop", *vms)
    acl = ("acl-add", "pg_sg1")
    n(
        *acl,
        "to-lport",
        "1002",
        "outport == @pg_sg1 && ip4 && ip4.src == 0.0.0.0/0 && tcp && tcp.dst == 22",
        "allow-related",
    )
    n(
        *acl,
        "to-lport",
        "1002",
        "outport == @pg_sg1 && ip4 && ip4.src == 0.0.0.0/0 && icmp4",
        "allow-related",
    )
    n(*acl, "from-lport", "1002", "inport == @pg_sg1 && ip4", "allow-related")
    n(
        "acl-add",
        "neutron_pg_drop",
        "from-lport",
        "1001",
        "inport == @neutron_pg_drop && ip",
        "drop",
    )
    n("acl-add", "neutron_pg_drop", "to-lport", "1001", "outport == @neutron_pg_drop && ip", "drop")
    sb.sync()
