"""Which datapaths a trace can visit: the patch-connected component of the inport's.

Lets a one-shot trace compile only those datapaths:
`compile_nb(nb, only=reachable_datapaths(nb, microflow))`.
"""

from __future__ import annotations

from ovntwin.errors import TraceError
from ovntwin.expr.symtab import default_symtab
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB
from ovntwin.trace.microflow import find_inport


def reachable_datapaths(nb: NorthboundDB, microflow: str, datapath: str | None = None) -> set[str]:
    """NB names (uuid when unnamed) of every switch/router the packet could reach."""
    switches = nb.rows(r.LogicalSwitch)
    routers = nb.rows(r.LogicalRouter)
    lsps = {p.uuid: p for p in nb.rows(r.LogicalSwitchPort)}
    lrps = {p.uuid: p for p in nb.rows(r.LogicalRouterPort)}
    owner: dict[str, str] = {}  # port name -> datapath key
    key = {dp.uuid: dp.name or dp.uuid for dp in switches}
    key.update({dp.uuid: dp.name or dp.uuid for dp in routers})
    adj: dict[str, set[str]] = {k: set() for k in key.values()}
    for ls in switches:
        for pu in ls.ports:
            if pu in lsps:
                owner[lsps[pu].name] = key[ls.uuid]
    for lr in routers:
        for pu in lr.ports:
            if pu in lrps:
                owner[lrps[pu].name] = key[lr.uuid]
    for lsp in lsps.values():
        peer = lsp.options.get("router-port")
        if lsp.type == "router" and peer in owner and lsp.name in owner:
            _link(adj, owner[lsp.name], owner[peer])
    for lrp in lrps.values():
        if lrp.peer in owner and lrp.name in owner:
            _link(adj, owner[lrp.name], owner[lrp.peer])
    if datapath is not None:
        start = next((k for u, k in key.items() if datapath in (u, k)), None)
    else:
        inport = find_inport(microflow, default_symtab(), {})
        start = owner.get(inport)
        if start is None:
            raise TraceError(f'unknown port "{inport}"')
    if start is None:
        raise TraceError(f'unknown datapath "{datapath}"')
    seen, todo = {start}, [start]
    while todo:
        for nxt in adj[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def _link(adj: dict[str, set[str]], a: str, b: str) -> None:
    adj[a].add(b)
    adj[b].add(a)
