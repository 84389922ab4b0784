"""ls_in_external_port: external (e.g. baremetal) ports' ARP/ND to routers, off their chassis.

An external port's traffic enters through a localnet port on every chassis of the
bridged network, but only the chassis where the port is bound (its HA chassis group's
active member) may let it reach the routers. Elsewhere these are dropped:

| prio | match (inport is a localnet port, eth.src an external port's MAC)       |
|------|-------------------------------------------------------------------------|
| 100  | ARP request for a router port's IPv4                                    |
| 100  | NS for a router port's IPv6 (to the address or its solicited-node group) |
| 100  | anything to a router port's MAC                                         |
"""

from __future__ import annotations

from ovntwin.compiler.context import Datapath, Port
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import SwitchFacts

STAGE = Stage.LS_IN_EXTERNAL_PORT
DROP_PRIO = 100  # above the stage's pass-through default


def build_external_ports(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    for port in dp.ports_of_type("external"):
        for ln in dp.localnet_ports:
            _unbound_router_drops(port, ln, facts, lflows)


def _unbound_router_drops(
    port: Port, localnet: Port, facts: SwitchFacts, lflows: LflowTable
) -> None:
    dp = port.datapath
    not_here = f"!is_chassis_resident({port.json_name})"
    for own in port.lsp_addrs:
        head = f"inport == {localnet.json_name} && eth.src == {own.ea_s}"
        for rp in dp.router_ports:
            for addrs in rp.lsp_addrs:
                for v4 in addrs.ipv4_addrs:
                    match = f"{head} && {not_here} && arp.tpa == {v4.addr_s} && arp.op == 1"
                    lflows.add(dp.uuid, STAGE, DROP_PRIO, match, facts.drop)
                for v6 in addrs.ipv6_addrs:
                    match = (
                        f"{head} && {not_here} && nd_ns && ip6.dst == {{{v6.addr_s}, "
                        f"{v6.sn_addr_s}}} && nd.target == {v6.addr_s}"
                    )
                    lflows.add(dp.uuid, STAGE, DROP_PRIO, match, facts.drop)
                match = f"{head} && eth.dst == {addrs.ea_s} && {not_here}"
                lflows.add(dp.uuid, STAGE, DROP_PRIO, match, facts.drop)
