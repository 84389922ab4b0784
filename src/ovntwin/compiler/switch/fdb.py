"""MAC learning for ports with "unknown" addresses: ls_in_lookup_fdb, ls_in_put_fdb.

| stage       | prio | why                                                         |
|-------------|------|-------------------------------------------------------------|
| lookup_fdb  | 100  | learning port: is (inport, eth.src) already in the FDB?      |
| put_fdb     | 100  | learning port, not yet known: learn it                       |
| both        | 0    | everyone else passes                                         |
"""

from __future__ import annotations

from ovntwin.compiler.context import Datapath, Port
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import LKUP_FDB, opt_bool


def build_fdb_defaults(dp: Datapath, lflows: LflowTable) -> None:
    lflows.add(dp.uuid, Stage.LS_IN_LOOKUP_FDB, 0, "1", "next;")
    lflows.add(dp.uuid, Stage.LS_IN_PUT_FDB, 0, "1", "next;")


def learns_macs(port: Port) -> bool:
    """A port learns source MACs when it has "unknown" and no port security.

    Plain VIFs do; localnet ports only with options:localnet_learn_fdb=true.
    """
    if port.lsp is None or port.ps_addrs or not port.has_unknown:
        return False
    if port.lsp_type == "":
        return True
    return port.lsp_type == "localnet" and opt_bool(port.lsp.options, "localnet_learn_fdb", False)


def build_port_fdb(port: Port, lflows: LflowTable) -> None:
    if not learns_macs(port):
        return
    dp = port.datapath.uuid
    inport = f"inport == {port.json_name}"
    lflows.add(
        dp, Stage.LS_IN_LOOKUP_FDB, 100, inport, f"{LKUP_FDB} = lookup_fdb(inport, eth.src); next;"
    )
    lflows.add(
        dp,
        Stage.LS_IN_PUT_FDB,
        100,
        f"{inport} && {LKUP_FDB} == 0",
        "put_fdb(inport, eth.src); next;",
    )
