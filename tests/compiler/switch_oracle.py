"""A private real OVN 23.03 (NB + SB ovsdb-servers and ovn-northd) for switch-pipeline checks.

`run_ovn(commands)` starts everything in a temporary directory, runs each string of
`commands` as `ovn-nbctl` arguments (shlex-split; a string starting "sbctl " goes to
ovn-sbctl), waits for northd, and returns an `OvnResult` with the NB and SB database
files and a way to dump `ovn-sbctl lflow-list`.
Processes are stopped by the PIDs in their pidfiles (checked against /proc), never by
name. `compare_switch(commands, "sw")` is the whole differential check.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ovntwin.compiler.compile import compile_nb
from ovntwin.loaders.sources import load_nb
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths

SCHEMAS = Path("/usr/share/ovn")
_DP_UUID = re.compile(r"^(Datapath: .*) \([0-9a-f-]{36}\)(  Pipeline: \w+)$", re.M)


def have_ovn() -> bool:
    return all(shutil.which(t) for t in ("ovsdb-server", "ovn-northd", "ovn-nbctl", "ovn-sbctl"))


@dataclass(frozen=True)
class OvnResult:
    run_dir: Path

    def sbctl(self, *args: str) -> str:
        return _ctl(["ovn-sbctl", f"--db=unix:{self.run_dir}/sb.sock", *args])

    def nbctl(self, *args: str) -> str:
        return _ctl(["ovn-nbctl", f"--db=unix:{self.run_dir}/nb.sock", *args])

    def lflow_list(self, datapath: str) -> str:
        return self.sbctl("lflow-list", datapath)

    @property
    def nb_db(self) -> Path:
        return self.run_dir / "nb.db"

    @property
    def sb_db(self) -> Path:
        return self.run_dir / "sb.db"


def _stop(run_dir: Path, name: str) -> None:
    pidfile = run_dir / f"{name}.pid"
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text().strip())
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return
    if str(run_dir) in cmdline:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.02)


def _ctl(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)}: {done.stderr.strip()}")
    return done.stdout


def _quiet_run(cmd: list[str]) -> None:
    """Run a daemon's --detach start-up, keeping its log-file notice off our stderr."""
    subprocess.run(cmd, check=True, capture_output=True)


def _start_db(run_dir: Path, name: str, schema: str) -> None:
    db = run_dir / f"{name}.db"
    subprocess.run(["ovsdb-tool", "create", str(db), str(SCHEMAS / schema)], check=True)
    _quiet_run(
        [
            "ovsdb-server",
            "--detach",
            f"--pidfile={run_dir}/{name}.pid",
            f"--log-file={run_dir}/{name}.log",
            f"--remote=punix:{run_dir}/{name}.sock",
            f"--unixctl={run_dir}/{name}.ctl",
            str(db),
        ]
    )


@contextmanager
def run_ovn(commands: Sequence[str], nb_options: str = "") -> Iterator[OvnResult]:
    """Real OVN with `commands` applied; stopped on exit."""
    run_dir = Path(tempfile.mkdtemp(prefix="ovntwin-sw-"))
    res = OvnResult(run_dir)
    try:
        _start_db(run_dir, "nb", "ovn-nb.ovsschema")
        _start_db(run_dir, "sb", "ovn-sb.ovsschema")
        res.nbctl(
            "set",
            "NB_Global",
            ".",
            "options:mac_prefix=0a:00:00",
            "options:svc_monitor_mac=0a:00:00:00:00:fe",
            *shlex.split(nb_options),
        )
        _quiet_run(
            [
                "ovn-northd",
                "--detach",
                f"--pidfile={run_dir}/northd.pid",
                f"--log-file={run_dir}/northd.log",
                f"--ovnnb-db=unix:{run_dir}/nb.sock",
                f"--ovnsb-db=unix:{run_dir}/sb.sock",
                f"--unixctl={run_dir}/northd.ctl",
            ]
        )
        for command in commands:
            if command.startswith("sbctl "):
                res.sbctl(*shlex.split(command)[1:])
            else:
                res.nbctl(*shlex.split(command))
        res.nbctl("--wait=sb", "sync")
        yield res
    finally:
        for name in ("northd", "nb", "sb"):
            _stop(run_dir, name)
        shutil.rmtree(run_dir, ignore_errors=True)


def mask(text: str) -> str:
    """Hide the datapath uuid in `Datapath:` headers."""
    return _DP_UUID.sub(r"\1 (UUID)\2", text)


def ours_for(res: OvnResult, datapath: str) -> str:
    """ovntwin's lflow-list of `datapath`, from the NB file and the SB runtime facts."""
    sb = compile_nb(load_nb(str(res.nb_db), sb=str(res.sb_db)))
    return format_lflow_list(sb, select_datapaths(sb, datapath))


def compare_switch(commands: Sequence[str], datapath: str, nb_options: str = "") -> str:
    """Unified diff (empty when identical) of real vs ovntwin lflow-list of `datapath`."""
    with run_ovn(commands, nb_options) as res:
        theirs = mask(res.lflow_list(datapath))
        ours = mask(ours_for(res, datapath))
    diff = difflib.unified_diff(
        theirs.splitlines(), ours.splitlines(), "ovn-northd", "ovntwin", lineterm="", n=0
    )
    return "\n".join(diff)


def _json_rows(res: OvnResult, table: str, columns: str) -> list[list[object]]:
    out = json.loads(res.sbctl("--format=json", f"--columns={columns}", "list", table))
    return [list(row) for row in out["data"]]


def _uuids(value: object) -> list[str]:
    """A ref or set-of-refs cell of ovn-sbctl JSON output."""
    assert isinstance(value, list)
    if value[0] == "uuid":
        return [str(value[1])]
    return [str(v[1]) for v in value[1]]


def real_groups(res: OvnResult) -> dict[tuple[str, str], list[str]]:
    """Multicast_Group membership in real OVN: (datapath name, group) -> port names."""
    dp_names = {
        str(uuid[1]): str(dict(ids[1]).get("name", ""))
        for uuid, ids in _json_rows(res, "Datapath_Binding", "_uuid,external_ids")
    }
    port_names = {
        str(uuid[1]): str(name)
        for uuid, name in _json_rows(res, "Port_Binding", "_uuid,logical_port")
    }
    return {
        (dp_names[_uuids(dp)[0]], str(name)): sorted(port_names[p] for p in _uuids(ports))
        for name, dp, ports in _json_rows(res, "Multicast_Group", "name,datapath,ports")
    }


def our_groups(res: OvnResult) -> dict[tuple[str, str], list[str]]:
    sb = compile_nb(load_nb(str(res.nb_db), sb=str(res.sb_db)))
    dp_names = {d.uuid: d.name for d in sb.datapaths}
    return {(dp_names[g.datapath], g.name): sorted(g.ports) for g in sb.multicast_groups}
