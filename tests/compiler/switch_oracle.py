"""Switch-pipeline checks against real OVN 23.03 (the session's shared `OvnOracle`).

`apply_case(oracle, commands, nb_options)` resets the oracle, sets the extra NB_Global
options, runs each string of `commands` as `ovn-nbctl` arguments (shlex-split; a string
starting "sbctl " goes to ovn-sbctl) and waits for northd. ovntwin's side is read back
from the NB and SB database files. `compare_switch(oracle, commands, "sw")` is the whole
differential check.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from oracle.harness import OvnOracle
from ovntwin.compiler.compile import compile_nb
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths

_DP_UUID = re.compile(r"^(Datapath: .*) \([0-9a-f-]{36}\)(  Pipeline: \w+)$", re.M)


def apply_case(oracle: OvnOracle, commands: Sequence[str], nb_options: str = "") -> None:
    """An empty oracle with `nb_options` ("options:k=v ...") and then `commands` applied."""
    oracle.reset()
    extra = [f"set NB_Global . {nb_options}"] if nb_options else []
    oracle.run([*extra, *commands])


def mask(text: str) -> str:
    """Hide the datapath uuid in `Datapath:` headers."""
    return _DP_UUID.sub(r"\1 (UUID)\2", text)


def ours_for(oracle: OvnOracle, datapath: str) -> str:
    """ovntwin's lflow-list of `datapath`, from the NB file and the SB runtime facts."""
    sb = compile_nb(oracle.load_nb(files=True))
    return format_lflow_list(sb, select_datapaths(sb, datapath))


def compare_switch(
    oracle: OvnOracle, commands: Sequence[str], datapath: str, nb_options: str = ""
) -> str:
    """Unified diff (empty when identical) of real vs ovntwin lflow-list of `datapath`."""
    apply_case(oracle, commands, nb_options)
    theirs = mask(oracle.lflow_list(datapath))
    ours = mask(ours_for(oracle, datapath))
    diff = difflib.unified_diff(
        theirs.splitlines(), ours.splitlines(), "ovn-northd", "ovntwin", lineterm="", n=0
    )
    return "\n".join(diff)


def _refs(value: object) -> list[str]:
    """A ref or set-of-refs cell (a one-element set comes back as the bare ref)."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def real_groups(oracle: OvnOracle) -> dict[tuple[str, str], list[str]]:
    """Multicast_Group membership in real OVN: (datapath name, group) -> port names."""
    dp_names = {
        str(row["_uuid"]): str(_external_ids(row).get("name", ""))
        for row in oracle.sb_rows("Datapath_Binding", "_uuid,external_ids")
    }
    port_names = {
        str(row["_uuid"]): str(row["logical_port"])
        for row in oracle.sb_rows("Port_Binding", "_uuid,logical_port")
    }
    return {
        (dp_names[_refs(row["datapath"])[0]], str(row["name"])): sorted(
            port_names[p] for p in _refs(row["ports"])
        )
        for row in oracle.sb_rows("Multicast_Group", "name,datapath,ports")
    }


def _external_ids(row: dict[str, object]) -> dict[object, object]:
    ids = row["external_ids"]
    assert isinstance(ids, dict)
    return ids


def our_groups(oracle: OvnOracle) -> dict[tuple[str, str], list[str]]:
    sb = compile_nb(oracle.load_nb(files=True))
    dp_names = {d.uuid: d.name for d in sb.datapaths}
    return {(dp_names[g.datapath], g.name): sorted(g.ports) for g in sb.multicast_groups}
