"""OvnOracle: a private real OVN 23.03 control plane (NB, SB, northd) for differential tests.

Everything lives in one temporary directory and listens on unix sockets only; the
oracle installs nothing and stops only the processes whose pidfiles it wrote (after
checking /proc/PID/cmdline names its directory).

    with OvnOracle() as oracle:
        oracle.apply(nb)                 # NB rows + runtime facts, then --wait=sb sync
        oracle.lflow_list()              # ovn-sbctl lflow-list
        oracle.trace(microflow, "--all") # ovn-trace --db=unix:.../sb.sock ...
        oracle.run(["ls-add sw", ...])   # or ovn-nbctl command strings ("sbctl ..." to ovn-sbctl)
        oracle.load_nb()                 # what ovntwin's loaders read back (remotes or db files)
        oracle.reset()                   # back to an empty NB/SB, ready for the next topology

The daemon helpers (create_db, start_daemon, stop_daemons) also serve tests that need a
bare ovsdb-server.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from ovntwin.loaders.nbctl import (
    SbIndex,
    join_batch,
    learned_commands,
    nbctl_commands,
    runtime_tunnel_keys,
    sbctl_commands,
    tunnel_key_commands,
)
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB

SCHEMA_DIR = Path("/usr/share/ovn")
BINARIES = (
    "ovsdb-tool",
    "ovsdb-server",
    "ovn-northd",
    "ovn-nbctl",
    "ovn-sbctl",
    "ovn-trace",
    "ovs-appctl",
)
PINNED_OPTIONS = {"mac_prefix": "0a:00:00", "svc_monitor_mac": "0a:00:00:00:00:fe"}
# Root NB tables: deleting their rows garbage-collects every other row.
_NB_ROOTS = (
    "Logical_Switch",
    "Logical_Router",
    "Port_Group",
    "Address_Set",
    "Meter",
    "HA_Chassis_Group",
    "Load_Balancer",
    "Load_Balancer_Group",
    "DHCP_Options",
    "Logical_Router_Static_Route",
    "BFD",
    "Static_MAC_Binding",
    "Mirror",
    "Copp",
    "DNS",
    "Chassis_Template_Var",
)
_NB_REFERENCED_ROOTS = ("HA_Chassis_Group", "Address_Set", "Meter")
_SB_RUNTIME = ("Chassis", "Chassis_Private", "Encap", "MAC_Binding", "FDB")
SKIP_ENV = "OVNTWIN_SKIP_ORACLE"
OVN_VERSION = "23.03."  # the version whose output ovntwin reproduces


class OracleError(RuntimeError):
    """Real OVN misbehaved (a command failed or a daemon did not start)."""


def missing_binaries() -> list[str]:
    """OVN programs / schemas this machine lacks (empty = the oracle can run)."""
    missing = [b for b in BINARIES if shutil.which(b) is None]
    missing += [
        str(p)
        for p in (SCHEMA_DIR / "ovn-nb.ovsschema", SCHEMA_DIR / "ovn-sb.ovsschema")
        if not p.exists()
    ]
    return missing


def installation_problem() -> str | None:
    """Why real OVN 23.03 cannot serve as the oracle here (None = it can)."""
    missing = missing_binaries()
    if missing:
        return f"missing: {', '.join(missing)}"
    version = subprocess.run(["ovn-northd", "--version"], capture_output=True, text=True).stdout
    if f"ovn-northd {OVN_VERSION}" not in version:
        return f"ovn-northd is not {OVN_VERSION}.x: {version.splitlines()[0] if version else '?'}"
    return None


def _run(args: Sequence[str], timeout: float = 60) -> str:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise OracleError(f"{' '.join(args[:3])} ... failed ({done.returncode}): {done.stderr}")
    return done.stdout


# -- private daemons: one directory holds each daemon's pidfile, log, unixctl socket --------
def create_db(directory: Path, kind: str) -> Path:
    """An empty `kind` ("nb" / "sb") database file `directory/kind.db`."""
    db = directory / f"{kind}.db"
    _run(["ovsdb-tool", "create", str(db), str(SCHEMA_DIR / f"ovn-{kind}.ovsschema")])
    return db


def start_daemon(directory: Path, name: str, args: Sequence[str]) -> None:
    """Start `args[0]` detached, its pidfile/log/unixctl named `name` in `directory`."""
    d = directory
    _run(
        [
            args[0],
            "--detach",
            f"--pidfile={d / (name + '.pid')}",
            f"--log-file={d / (name + '.log')}",
            f"--unixctl={d / (name + '.ctl')}",
            *args[1:],
        ]
    )


def start_ovsdb_server(directory: Path, kind: str) -> str:
    """Serve `directory/kind.db` on the unix socket `directory/kind.sock`; returns the remote."""
    sock = directory / f"{kind}.sock"
    start_daemon(
        directory, kind, ["ovsdb-server", f"--remote=punix:{sock}", str(directory / f"{kind}.db")]
    )
    return f"unix:{sock}"


def daemon_pid(directory: Path, name: str) -> int | None:
    """The pid in `directory/name.pid` if it is alive and its cmdline names `directory`."""
    try:
        pid = int((directory / f"{name}.pid").read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except (OSError, ValueError):
        return None
    return pid if str(directory) in cmdline else None


def stop_daemons(directory: Path, names: Iterable[str]) -> None:
    """SIGTERM our own daemons (verified by pid and cmdline) and wait for them to exit."""
    pids = []
    for name in names:
        pid = daemon_pid(directory, name)
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            pids.append(pid)
    deadline = time.monotonic() + 5
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if _alive(p)]
        time.sleep(0.01)


class OvnOracle:
    """NB + SB ovsdb-server and ovn-northd in a private temporary directory."""

    def __init__(self, directory: Path | None = None) -> None:
        self.dir = Path(directory or tempfile.mkdtemp(prefix="ovntwin-oracle-"))
        self.nb_remote = f"unix:{self.dir / 'nb.sock'}"
        self.sb_remote = f"unix:{self.dir / 'sb.sock'}"
        self.started: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> OvnOracle:
        self.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> OvnOracle:
        problem = installation_problem()
        if problem:
            raise OracleError(f"real OVN {OVN_VERSION}x is not usable ({problem})")
        for db in ("nb", "sb"):
            create_db(self.dir, db)
            start_ovsdb_server(self.dir, db)
            self.started.append(db)
        self._pin_nb_global()
        start_daemon(
            self.dir,
            "northd",
            ["ovn-northd", f"--ovnnb-db={self.nb_remote}", f"--ovnsb-db={self.sb_remote}"],
        )
        self.started.append("northd")
        self.sync()
        return self

    def _pin_nb_global(self) -> None:
        # northd picks random MACs when these are unset; set them before it first runs.
        opts = ",".join(f'"{k}"="{v}"' for k, v in PINNED_OPTIONS.items())
        self.nbctl("set", "NB_Global", ".", f"options={{{opts}}}")

    def stop(self, remove: bool = True) -> None:
        """SIGTERM our own daemons (verified by pid and cmdline), then remove the directory."""
        stop_daemons(self.dir, reversed(self.started))
        self.started.clear()
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def nb_db(self) -> Path:
        return self.dir / "nb.db"

    @property
    def sb_db(self) -> Path:
        return self.dir / "sb.db"

    # -- clients -----------------------------------------------------------------------
    def nbctl(self, *args: str) -> str:
        return _run(["ovn-nbctl", f"--db={self.nb_remote}", *args])

    def sbctl(self, *args: str) -> str:
        return _run(["ovn-sbctl", f"--db={self.sb_remote}", *args])

    def sync(self) -> None:
        self.nbctl("--wait=sb", "sync")

    def run(self, commands: Sequence[str]) -> None:
        """Run ovn-nbctl command strings (shlex-split; "sbctl ..." goes to ovn-sbctl), then sync."""
        for command in commands:
            if command.startswith("sbctl "):
                self.sbctl(*shlex.split(command)[1:])
            else:
                self.nbctl(*shlex.split(command))
        self.sync()

    def load_nb(self, sb: bool = True, files: bool = False) -> NorthboundDB:
        """The current NB (with the SB runtime facts unless `sb=False`) as ovntwin loads it,
        from the live remotes or, with `files=True`, from the database files."""
        from ovntwin.loaders import load_nb

        nb, sbdb = (str(self.nb_db), str(self.sb_db)) if files else (self.nb_remote, self.sb_remote)
        return load_nb(nb, sb=sbdb if sb else None)

    # -- topology ----------------------------------------------------------------------
    def apply(
        self,
        nb: NorthboundDB,
        datapath_keys: Mapping[str, int] | None = None,
        port_keys: Mapping[str, int] | None = None,
    ) -> None:
        """Recreate `nb` (rows, tunnel keys, runtime facts) and wait for northd.

        Tunnel keys the runtime section gives are pinned with `requested-tnl-key`;
        `datapath_keys` / `port_keys` (by name) pin more.
        """
        commands = nbctl_commands(nb)
        dp_keys, p_keys = runtime_tunnel_keys(nb.runtime)
        dp_keys.update(datapath_keys or {})
        p_keys.update(port_keys or {})
        commands += tunnel_key_commands(nb, dp_keys, p_keys)
        sb_commands = sbctl_commands(nb.runtime)
        chassis = [c for c in sb_commands if c[0] == "chassis-add" or c[:2] == ["set", "Chassis"]]
        if chassis:  # chassis first: their feature flags decide northd's actions
            self.sbctl(*join_batch(chassis))
        if commands:
            self.nbctl("--wait=sb", *join_batch(commands))
        rest = [c for c in sb_commands if c not in chassis]
        if rest:
            self.sbctl(*join_batch(rest))
        rt = nb.runtime
        if rt.mac_bindings or rt.fdb:
            self.sbctl(*join_batch(learned_commands(rt, self.sb_index(nb))))
        self.sync()

    def sb_index(self, nb: NorthboundDB) -> SbIndex:
        """Datapath UUIDs/keys and port keys as real northd allocated them."""
        dps = self.sb_rows("Datapath_Binding", "_uuid,external_ids,tunnel_key")
        dp_uuid, dp_key, by_uuid = {}, {}, {}
        for row in dps:
            name = row["external_ids"].get("name", "")
            dp_uuid[name], dp_key[name], by_uuid[row["_uuid"]] = (
                row["_uuid"],
                row["tunnel_key"],
                name,
            )
        port_dp, port_key = {}, {}
        for row in self.sb_rows("Port_Binding", "logical_port,datapath,tunnel_key"):
            port_dp[row["logical_port"]] = by_uuid.get(row["datapath"], "")
            port_key[row["logical_port"]] = row["tunnel_key"]
        return SbIndex(dp_uuid, dp_key, port_dp, port_key)

    def sb_rows(self, table: str, columns: str) -> list[dict[str, object]]:
        """`columns` of every row of SB `table`, as {column: python value}."""
        doc = json.loads(self.sbctl("--format=json", f"--columns={columns}", "list", table))
        names: list[str] = doc["headings"]
        return [{n: _ovsdb_json(v) for n, v in zip(names, row, strict=True)} for row in doc["data"]]

    def reset(self) -> None:
        """Empty the NB (except pinned NB_Global options) and the SB runtime rows."""
        # Rows that ports and NAT rows refer to go in a second transaction: those references
        # hold until the first one has garbage-collected the routers' and switches' rows.
        nb = [["--all", "destroy", t] for t in _NB_ROOTS if t not in _NB_REFERENCED_ROOTS]
        opts = ",".join(f'"{k}"="{v}"' for k, v in PINNED_OPTIONS.items())
        nb.append(["set", "NB_Global", ".", f"options={{{opts}}}", "external_ids={}"])
        self.sbctl(*join_batch([["--all", "destroy", t] for t in _SB_RUNTIME]))
        self.nbctl(*join_batch(nb))
        later = [["--all", "destroy", t] for t in _NB_REFERENCED_ROOTS]
        self.nbctl("--wait=sb", *join_batch(later))
        self.sync()
        self.compact()

    def compact(self) -> None:
        """Rewrite both database files as a snapshot: reading a file replays its whole log,
        which otherwise grows with every topology of the session."""
        for db in ("nb", "sb"):
            _run(["ovs-appctl", "-t", str(self.dir / f"{db}.ctl"), "ovsdb-server/compact"])

    def nb_dump(self) -> dict[str, list[dict[str, object]]]:
        """Every NB table as rows of {column: python value} (for faithfulness checks)."""
        out = {}
        for table in _nb_tables():
            doc = json.loads(self.nbctl("--format=json", "list", table))
            names: list[str] = doc["headings"]
            out[table] = [
                {n: _ovsdb_json(v) for n, v in zip(names, row, strict=True)} for row in doc["data"]
            ]
        return out

    # -- outputs -----------------------------------------------------------------------
    def lflow_list(self, datapath: str | None = None) -> str:
        return self.sbctl("lflow-list", *([datapath] if datapath else []))

    def trace(self, microflow: str, *args: str, datapath: str | None = None) -> str:
        """ovn-trace against our SB; `args` are ovn-trace options (e.g. --all, --ct=new)."""
        dp = [datapath] if datapath else []
        return _run(["ovn-trace", f"--db={self.sb_remote}", *args, *dp, microflow])


def _alive(pid: int) -> bool:
    """Still running (a zombie waiting for its reaper counts as stopped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _nb_tables() -> list[str]:
    from ovntwin.model.db import TABLE_NAMES

    return [TABLE_NAMES[t] for t in TABLE_NAMES if t is not r.NBGlobal]


def _ovsdb_json(value: object) -> object:
    """OVSDB JSON notation (["uuid", u], ["set", [...]], ["map", [...]]) -> Python."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
        kind, body = value
        if kind in ("uuid", "named-uuid"):
            return body
        if kind == "set":
            return [_ovsdb_json(v) for v in body]
        if kind == "map":
            return {_ovsdb_json(k): _ovsdb_json(v) for k, v in body}
    return value


TRACE_MODES = ("detailed", "summary", "minimal")
_BANNERS = ("# Detailed trace.\n", "# Summary trace.\n", "# Minimal trace.\n")


def trace_args(ct: Sequence[str] = (), friendly_names: bool = True) -> list[str]:
    """ovn-trace options for a ct-state list and the friendly-names switch."""
    return [f"--ct={c}" for c in ct] + ([] if friendly_names else ["--no-friendly-names"])


def split_all(text: str) -> dict[str, str]:
    """Split `ovn-trace --all` output into what --detailed/--summary/--minimal print.

    Each single-mode output is the `# <flow>` header line followed by that mode's
    section; an error message (no banners) is what every mode prints.
    """
    if not all(b in text for b in _BANNERS):
        return dict.fromkeys(TRACE_MODES, text)
    header, rest = text.split(_BANNERS[0], 1)
    detailed, rest = rest.split(_BANNERS[1], 1)
    summary, minimal = rest.split(_BANNERS[2], 1)
    return {"detailed": header + detailed, "summary": header + summary, "minimal": header + minimal}


def trace_modes(
    oracle: OvnOracle,
    microflow: str,
    datapath: str | None = None,
    ct: Sequence[str] = (),
    friendly_names: bool = True,
    select_id: int | None = None,
) -> dict[str, str]:
    """All three modes of one trace with a single ovn-trace run."""
    args = ["--all", *trace_args(ct, friendly_names)]
    if select_id is not None:
        args.append(f"--select-id={select_id}")
    return split_all(oracle.trace(microflow, *args, datapath=datapath))
